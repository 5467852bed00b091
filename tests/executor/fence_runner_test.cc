// Fence agent lookup (crmd/executor/fence_runner.h): only fence_* agents, as pcs stonith create.
// Fencing topology (fenceByLevels): levels tried in order with scripted fake agents that log
// each call and succeed or fail as told.
#include "crmd/executor/fence_runner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace pulse::crmd {
namespace {

const std::string kFenceDir = std::string(PULSE_RESOURCE_AGENTS_DIR) + "/fence";

TEST(FindFenceAgent, FindsAFenceAgent) {
  auto path = findFenceAgent({"/nonexistent-pulse-dir", kFenceDir}, "fence_pulse_netns");
  ASSERT_TRUE(path.ok()) << path.error().message;
  EXPECT_EQ(*path, kFenceDir + "/fence_pulse_netns");
}

TEST(FindFenceAgent, RefusesOtherProgramsOfTheAgentDirectory) {
  // An executable beside the test agent (the watchdog's self-fence command), and what
  // /usr/sbin holds on every machine: a stonith device of type "reboot" must never run it.
  ASSERT_TRUE(std::filesystem::exists(kFenceDir + "/pulse_self_fence_netns"));
  for (const std::string type : {"pulse_self_fence_netns", "reboot", "halt", "fence_", "fence"}) {
    auto path = findFenceAgent({kFenceDir, "/usr/sbin", "/sbin"}, type);
    ASSERT_FALSE(path.ok()) << type << " found at " << *path;
    EXPECT_NE(path.error().message.find("is not a fence agent"), std::string::npos)
        << path.error().message;
  }
}

TEST(FindFenceAgent, RefusesPaths) {
  for (const std::string type : {"../fence/fence_pulse_netns", "/usr/sbin/fence_x", "", ".."}) {
    EXPECT_FALSE(findFenceAgent({kFenceDir}, type).ok()) << type;
  }
}

TEST(FindFenceAgent, AMissingAgentNamesTheDirectoriesSearched) {
  auto path = findFenceAgent({kFenceDir, "/nonexistent-pulse-dir"}, "fence_nonexistent");
  ASSERT_FALSE(path.ok());
  EXPECT_NE(path.error().message.find("not found in " + kFenceDir + ", /nonexistent-pulse-dir"),
            std::string::npos)
      << path.error().message;
}

// A directory of fake fence agents: fence_ok and fence_fail append "NAME action=ACTION
// plug=NODE" to calls.log and exit 0 or 1 (fence_fail says why on stderr); fence_on_fails
// fails only its "on".
class FakeAgents {
 public:
  FakeAgents() {
    char tmpl[] = "/tmp/pulse-fence-levels-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    write("fence_ok", "exit 0");
    write("fence_fail", "echo \"power switch unreachable\" >&2; exit 1");
    write("fence_on_fails", "[ \"$action\" = on ] && { echo \"stuck\" >&2; exit 1; }; exit 0");
  }
  ~FakeAgents() { std::filesystem::remove_all(dir_); }
  FakeAgents(const FakeAgents&) = delete;
  FakeAgents& operator=(const FakeAgents&) = delete;

  // Runs the device named "<agent>" or "<agent>#N" (several devices of one agent) for real.
  FenceDeviceRun runner(const std::vector<FenceLevelPlan>& plan) const {
    return [this, plan](std::size_t l, std::size_t d, const std::string& action) {
      const std::string device = plan[l].devices[d];
      const std::string agent = device.substr(0, device.find('#'));
      FenceOutcome o =
          runFenceAgent(dir_ + "/" + agent, fenceAgentInput({{"device", device}}, "n2", action),
                        std::chrono::seconds(5), nullptr);
      o.message = device + ": " + o.message;
      return o;
    };
  }
  std::string calls() const {
    std::ifstream in(dir_ + "/calls.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  void write(const std::string& name, const std::string& body) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n"
                           "while IFS== read -r k v; do eval \"$k=\\$v\" 2>/dev/null; done\n"
                           "echo \"$device action=$action plug=$plug\" >> "
                        << dir_ << "/calls.log\n"
                        << body << "\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  }
  std::string dir_;
};

TEST(FenceByLevels, Level1FailsAndLevel2Fences) {
  FakeAgents agents;
  const std::vector<FenceLevelPlan> plan{{1, {"fence_fail"}, ""}, {2, {"fence_ok"}, ""}};
  FenceOutcome o = fenceByLevels(plan, "reboot", agents.runner(plan), nullptr);
  EXPECT_TRUE(o.ok) << o.message;
  EXPECT_EQ(agents.calls(),
            "fence_fail action=reboot plug=n2\n"
            "fence_ok action=reboot plug=n2\n");
  EXPECT_EQ(o.message.find("level 2 (fence_ok) fenced it: fence_ok: "), 0u) << o.message;
  EXPECT_NE(o.message.find("; after level 1 (fence_fail): fence_fail: "), std::string::npos)
      << o.message;
  EXPECT_NE(o.message.find("(power switch unreachable)"), std::string::npos) << o.message;
}

TEST(FenceByLevels, TheFirstLevelThatSucceedsEndsIt) {
  FakeAgents agents;
  const std::vector<FenceLevelPlan> plan{{1, {"fence_ok"}, ""}, {2, {"fence_fail"}, ""}};
  FenceOutcome o = fenceByLevels(plan, "off", agents.runner(plan), nullptr);
  EXPECT_TRUE(o.ok) << o.message;
  EXPECT_EQ(agents.calls(), "fence_ok action=off plug=n2\n");
  EXPECT_EQ(o.message.find("after"), std::string::npos) << "nothing failed: " << o.message;
}

TEST(FenceByLevels, EveryDeviceOfALevelMustSucceedAndTheFirstFailureEndsTheLevel) {
  FakeAgents agents;
  const std::vector<FenceLevelPlan> plan{{1, {"fence_ok#1", "fence_fail", "fence_ok#3"}, ""},
                                         {2, {"fence_fail#2"}, ""}};
  FenceOutcome o = fenceByLevels(plan, "off", agents.runner(plan), nullptr);
  EXPECT_FALSE(o.ok) << "NOT fenced: " << o.message;
  EXPECT_EQ(agents.calls(),
            "fence_ok#1 action=off plug=n2\n"
            "fence_fail action=off plug=n2\n"
            "fence_fail#2 action=off plug=n2\n")
      << "fence_ok#3 is not run once its level has failed";
  EXPECT_EQ(o.message.find("every fencing level failed: level 1 (fence_ok#1,fence_fail,fence_ok#3)"
                           ": fence_fail: "),
            0u)
      << o.message;
  EXPECT_NE(o.message.find("; level 2 (fence_fail#2): fence_fail#2: "), std::string::npos)
      << o.message;
}

TEST(FenceByLevels, AnUnusableLevelFailsWithoutRunningAnything) {
  FakeAgents agents;
  const std::vector<FenceLevelPlan> plan{{1, {}, "nosuch cannot fence n2: it is not configured"},
                                         {3, {"fence_ok"}, ""}};
  FenceOutcome o = fenceByLevels(plan, "reboot", agents.runner(plan), nullptr);
  EXPECT_TRUE(o.ok);
  EXPECT_EQ(agents.calls(), "fence_ok action=reboot plug=n2\n");
  EXPECT_NE(o.message.find("after level 1: nosuch cannot fence n2: it is not configured"),
            std::string::npos)
      << o.message;
}

TEST(FenceByLevels, RebootOnALevelOfSeveralDevicesIsOffOnEachThenOnOnEach) {
  FakeAgents agents;
  const std::vector<FenceLevelPlan> plan{{1, {"fence_ok#psu1", "fence_on_fails"}, ""}};
  FenceOutcome o = fenceByLevels(plan, "reboot", agents.runner(plan), nullptr);
  EXPECT_TRUE(o.ok) << "an 'on' failing after every 'off' succeeded: " << o.message;
  EXPECT_EQ(agents.calls(),
            "fence_ok#psu1 action=off plug=n2\n"
            "fence_on_fails action=off plug=n2\n"
            "fence_ok#psu1 action=on plug=n2\n"
            "fence_on_fails action=on plug=n2\n");
  EXPECT_NE(o.message.find("turning it back on failed, ignored: fence_on_fails: "),
            std::string::npos)
      << o.message;
}

TEST(FenceByLevels, AbortStopsBeforeTheNextDevice) {
  FakeAgents agents;
  std::atomic<bool> abort{true};
  const std::vector<FenceLevelPlan> plan{{1, {"fence_ok"}, ""}};
  FenceOutcome o = fenceByLevels(plan, "reboot", agents.runner(plan), &abort);
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(agents.calls(), "");
}

}  // namespace
}  // namespace pulse::crmd
