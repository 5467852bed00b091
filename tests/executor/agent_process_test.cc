// runAgent(): real agent processes, their environment, timeouts and misbehaviour.
#include "crmd/executor/agent_process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <thread>

#include "tests/executor/ocf_root.h"

namespace pulse::crmd {
namespace {

using std::chrono::milliseconds;

class AgentProcessTest : public ::testing::Test {
 protected:
  AgentCall call(const std::string& provider, const std::string& type, const std::string& action,
                 milliseconds timeout = milliseconds(5000)) {
    AgentCall c;
    c.ocf_root = root_.path();
    c.resource = "r1";
    c.agent = {provider, type};
    c.action = action;
    c.timeout = timeout;
    return c;
  }
  OcfRoot root_;
};

TEST_F(AgentProcessTest, DebianDummyLifecycle) {
  auto c = call("heartbeat", "Dummy", "monitor");
  c.params["state"] = root_.work("dummy.state");
  EXPECT_EQ(runAgent(c).code, OcfCode::kNotRunning);
  c.action = "start";
  const AgentResult started = runAgent(c);
  EXPECT_EQ(started.status, ExecStatus::kDone) << started.message;
  EXPECT_EQ(started.code, OcfCode::kOk) << started.err.text;
  c.action = "monitor";
  EXPECT_EQ(runAgent(c).code, OcfCode::kOk);
  c.action = "stop";
  EXPECT_EQ(runAgent(c).code, OcfCode::kOk);
  c.action = "monitor";
  const AgentResult probe = runAgent(c);
  EXPECT_EQ(probe.code, OcfCode::kNotRunning);
  EXPECT_EQ(probe.exit_status, 7);
}

TEST_F(AgentProcessTest, AgentSeesTheOcfEnvironmentOnlyAndRunsInItsOwnSession) {
  root_.addLocalAgent("Env",
                      "env | sort\n"
                      "read line && echo STDIN-HAD-DATA\n"
                      "set -- $(sed 's/.*) //' /proc/$$/stat)\n"
                      "echo \"me=$$ pgid=$3 sid=$4\"\n"
                      "exit 0");
  ::setenv("PULSE_DAEMON_SECRET", "leak", 1);
  auto c = call("local", "Env", "start");
  c.params["ip"] = "198.51.100.7";
  c.meta["target-role"] = "Started";
  const AgentResult r = runAgent(c);
  ::unsetenv("PULSE_DAEMON_SECRET");
  ASSERT_EQ(r.code, OcfCode::kOk) << r.message << r.err.text;
  const std::string& out = r.out.text;
  for (const char* want :
       {"OCF_RESKEY_ip=198.51.100.7\n", "OCF_RESKEY_CRM_meta_target_role=Started\n",
        "OCF_RESKEY_CRM_meta_timeout=5000\n", "OCF_RESKEY_CRM_meta_interval=0\n",
        "OCF_RESOURCE_INSTANCE=r1\n", "OCF_RESOURCE_TYPE=Env\n", "OCF_RESOURCE_PROVIDER=local\n",
        "OCF_RA_VERSION_MAJOR=1\n", "OCF_RA_VERSION_MINOR=1\n", "HA_debug=0\n"}) {
    EXPECT_NE(out.find(want), std::string::npos) << want << " in\n" << out;
  }
  EXPECT_NE(out.find("OCF_ROOT=" + root_.path() + "\n"), std::string::npos);
  EXPECT_EQ(out.find("PULSE_DAEMON_SECRET"), std::string::npos);
  EXPECT_EQ(out.find("STDIN-HAD-DATA"), std::string::npos);
  // Its own session and process group: sid == pgid == its pid.
  const auto at = out.find("me=");
  ASSERT_NE(at, std::string::npos);
  std::string me, pgid, sid;
  std::istringstream line(out.substr(at));
  line >> me >> pgid >> sid;
  EXPECT_EQ(pgid, "pgid=" + me.substr(3));
  EXPECT_EQ(sid, "sid=" + me.substr(3));
}

TEST_F(AgentProcessTest, TimeoutKillsTheWholeProcessGroup) {
  auto c = call("pulse", "HangAgent", "start", milliseconds(300));
  c.params["state"] = root_.work("hang.state");
  c.params["pidfile"] = root_.work("hang.pid");
  const AgentResult r = runAgent(c);
  EXPECT_EQ(r.status, ExecStatus::kTimedOut);
  EXPECT_EQ(r.code, OcfCode::kUnknown);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_GE(r.runtime, milliseconds(300));
  EXPECT_LT(r.runtime, milliseconds(2000));
  EXPECT_NE(r.message.find("timed out after 300 ms"), std::string::npos) << r.message;
  const pid_t child = readPid(root_.work("hang.pid"));
  ASSERT_GT(child, 0) << "the agent never wrote its child's pid";
  // SIGKILL is delivered at once, but the orphan is reaped by init: allow it a moment.
  for (int i = 0; i < 100 && processAlive(child); ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_FALSE(processAlive(child)) << "sleep child " << child << " survived the timeout";
  if (processAlive(child)) ::kill(child, SIGKILL);
}

TEST_F(AgentProcessTest, GarbageAndExit42IsAnUnknownErrorWithTheRealStatus) {
  auto c = call("pulse", "Garbage", "monitor");
  const AgentResult r = runAgent(c);
  EXPECT_EQ(r.status, ExecStatus::kDone);
  EXPECT_EQ(r.code, OcfCode::kUnknown);
  EXPECT_EQ(r.exit_status, 42);
  EXPECT_NE(r.out.text.find("\x01\x02\xff\xfe<not xml"), std::string::npos);
  EXPECT_NE(r.err.text.find(std::string("\xff\0\x01", 3)), std::string::npos);
  EXPECT_EQ(r.exit_reason, "garbage in, garbage out");
  EXPECT_NE(r.message.find("42"), std::string::npos);
}

TEST_F(AgentProcessTest, OutputIsBoundedAndTheRestDropped) {
  auto c = call("pulse", "Garbage", "start");
  c.params["bytes"] = "300000";
  const AgentResult r = runAgent(c, 64 * 1024);
  EXPECT_EQ(r.exit_status, 42);
  EXPECT_EQ(r.out.text.size(), 64u * 1024);
  EXPECT_GT(r.out.dropped_bytes, 200000u);
}

TEST_F(AgentProcessTest, MissingAgentIsNotInstalledNamingThePath) {
  const AgentResult r = runAgent(call("heartbeat", "NoSuchAgent", "start"));
  EXPECT_EQ(r.status, ExecStatus::kNotInstalled);
  EXPECT_EQ(r.code, OcfCode::kNotInstalled);
  EXPECT_NE(r.message.find(root_.path() + "/resource.d/heartbeat/NoSuchAgent"), std::string::npos)
      << r.message;
}

TEST_F(AgentProcessTest, NonExecutableAgentIsAnError) {
  root_.addLocalAgent("NoExec", "exit 0", 0644);
  const AgentResult r = runAgent(call("local", "NoExec", "start"));
  EXPECT_EQ(r.status, ExecStatus::kError);
  EXPECT_EQ(r.code, OcfCode::kInsufficientPrivileges);
  EXPECT_NE(r.message.find("not an executable"), std::string::npos) << r.message;
}

TEST_F(AgentProcessTest, DeathBySignalIsAnUnknownError) {
  root_.addLocalAgent("Suicide", "kill -9 $$");
  const AgentResult r = runAgent(call("local", "Suicide", "start"));
  EXPECT_EQ(r.status, ExecStatus::kError);
  EXPECT_EQ(r.code, OcfCode::kUnknown);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_EQ(r.exit_status, -1);
}

TEST_F(AgentProcessTest, ADaemonHoldingThePipesDoesNotHoldTheOperation) {
  root_.addLocalAgent("Daemonize",
                      "echo started\nsleep 30 &\necho $! > \"$OCF_RESKEY_pidfile\"\nexit 0");
  auto c = call("local", "Daemonize", "start");
  c.params["pidfile"] = root_.work("daemon.pid");
  const AgentResult r = runAgent(c);
  EXPECT_EQ(r.code, OcfCode::kOk);
  EXPECT_EQ(r.out.text, "started\n");
  EXPECT_LT(r.runtime, milliseconds(2000));
  const pid_t daemon = readPid(root_.work("daemon.pid"));
  EXPECT_TRUE(processAlive(daemon)) << "a normal exit must not kill what the agent started";
  if (daemon > 0) ::kill(daemon, SIGKILL);
}

}  // namespace
}  // namespace pulse::crmd
