// Fence agent lookup (crmd/executor/fence_runner.h): only fence_* agents, as pcs stonith create.
#include "crmd/executor/fence_runner.h"

#include <gtest/gtest.h>

#include <filesystem>

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

}  // namespace
}  // namespace pulse::crmd
