// lsb:, systemd: and service: resources: the exit-code and unit-state mappings, the meta-data
// Pacemaker makes for them, and real runs of an init script and of units through the fake
// systemctl (tests/fixtures/fake_systemctl), including a node without systemd.
#include "crmd/executor/service_agents.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "crmd/executor/agent_metadata.h"
#include "tests/crmd/temp_dir.h"

namespace pulse::crmd {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

TEST(ServiceClasses, AgentNamesOfEveryClass) {
  auto lsb = parseAgentName("lsb:cron");
  ASSERT_TRUE(lsb) << lsb.error().message;
  EXPECT_EQ(lsb->standard, "lsb");
  EXPECT_EQ(lsb->provider, "");
  EXPECT_EQ(lsb->type, "cron");
  EXPECT_EQ(lsb->spec(), "lsb:cron");
  EXPECT_EQ(parseAgentName("systemd:haproxy")->spec(), "systemd:haproxy");
  EXPECT_EQ(parseAgentName("service:haproxy")->standard, "service");
  for (const char* bad : {"lsb:", "lsb:../../bin/sh", "systemd:a/b", "nagios:check", "upstart:x"}) {
    EXPECT_FALSE(parseAgentName(bad)) << bad;
  }
  EXPECT_TRUE(checkAgentName({"", "haproxy", "systemd"}));
  EXPECT_FALSE(checkAgentName({"heartbeat", "haproxy", "systemd"}));  // no provider for units
  EXPECT_FALSE(checkAgentName({"", "haproxy", "upstart"}));
}

TEST(ServiceClasses, LsbExitCodesMapAsPacemakerMapsThem) {
  // status has its own codes: dead with a pid or lock file is simply not running.
  EXPECT_EQ(lsbToOcf("status", 0), OcfCode::kOk);
  EXPECT_EQ(lsbToOcf("status", 1), OcfCode::kNotRunning);
  EXPECT_EQ(lsbToOcf("status", 2), OcfCode::kNotRunning);
  EXPECT_EQ(lsbToOcf("status", 3), OcfCode::kNotRunning);
  EXPECT_EQ(lsbToOcf("status", 4), OcfCode::kError);
  EXPECT_EQ(lsbToOcf("status", 150), OcfCode::kNotInstalled);
  EXPECT_EQ(lsbToOcf("status", 151), OcfCode::kInsufficientPrivileges);
  // Other actions share OCF's meaning for 0..7.
  EXPECT_EQ(lsbToOcf("start", 0), OcfCode::kOk);
  EXPECT_EQ(lsbToOcf("start", 3), OcfCode::kUnimplemented);
  EXPECT_EQ(lsbToOcf("stop", 7), OcfCode::kNotRunning);
  EXPECT_EQ(lsbToOcf("start", 8), OcfCode::kError);
  EXPECT_EQ(lsbToOcf("start", 150), OcfCode::kError);
}

TEST(ServiceClasses, UnitStatesMapToOcfCodes) {
  EXPECT_EQ(systemdStateToOcf("active"), OcfCode::kOk);
  EXPECT_EQ(systemdStateToOcf("reloading"), OcfCode::kOk);
  EXPECT_EQ(systemdStateToOcf("inactive"), OcfCode::kNotRunning);
  EXPECT_EQ(systemdStateToOcf("failed"), OcfCode::kNotRunning);
  EXPECT_FALSE(systemdStateToOcf("activating").has_value());
  EXPECT_FALSE(systemdStateToOcf("deactivating").has_value());
  EXPECT_EQ(systemdUnitName("haproxy"), "haproxy.service");
  EXPECT_EQ(systemdUnitName("haproxy.service"), "haproxy.service");
  EXPECT_EQ(systemdUnitName("web.socket"), "web.socket");
  EXPECT_EQ(systemdUnitName("getty@tty1"), "getty@tty1.service");
  const UnitState s = parseUnitState(
      "LoadState=loaded\nActiveState=failed\nSubState=failed\nDescription=HAProxy Load "
      "Balancer\nOther=x\n");
  EXPECT_EQ(s.load_state, "loaded");
  EXPECT_EQ(s.active_state, "failed");
  EXPECT_EQ(s.description, "HAProxy Load Balancer");
}

TEST(ServiceClasses, GeneratedMetaDataParsesWithPacemakersActions) {
  auto unit = parseAgentMetadata(systemdMetadata("haproxy", "HAProxy <Load> Balancer"));
  ASSERT_TRUE(unit) << unit.error().message;
  EXPECT_EQ(unit->shortdesc, "systemd unit file for haproxy");
  EXPECT_EQ(unit->longdesc, "HAProxy <Load> Balancer");
  ASSERT_NE(unit->action("monitor"), nullptr);
  EXPECT_EQ(unit->action("monitor")->interval, milliseconds(60000));
  EXPECT_EQ(unit->action("start")->timeout, milliseconds(100000));

  auto script = parseAgentMetadata(lsbMetadata("web",
                                               "#!/bin/sh\n### BEGIN INIT INFO\n"
                                               "# Provides:          web\n"
                                               "# Short-Description: the web server\n"
                                               "# Description:       serves pages\n"
                                               "#                    to everyone\n"
                                               "### END INIT INFO\n"));
  ASSERT_TRUE(script) << script.error().message;
  EXPECT_EQ(script->shortdesc, "the web server");
  EXPECT_EQ(script->longdesc, "serves pages\nto everyone");
  EXPECT_EQ(script->action("monitor")->interval, milliseconds(15000));
  EXPECT_NE(script->action("force-reload"), nullptr);
}

// True while `pid` runs: dead but not reaped (a zombie) does not count, as for systemd.
bool running(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("State:")) return line.find('Z') == std::string::npos;
  }
  return false;
}

// A node's services: an init-script folder, a fake systemctl with its units, and the marker
// that says systemd runs (absent until markSystemdRunning()).
class ServiceNode {
 public:
  ServiceNode() {
    fs::create_directories(dir_.path() + "/init.d");
    fs::create_directories(dir_.path() + "/systemctl/units");
    fs::create_symlink(PULSE_FIXTURES_DIR "/fake_systemctl", dir_.path() + "/systemctl/systemctl");
    settings_.lsb_root = dir_.path() + "/init.d";
    settings_.systemctl = dir_.path() + "/systemctl/systemctl";
    settings_.systemd_dir = dir_.path() + "/run-systemd-system";
  }
  ~ServiceNode() {
    // Stop what a test left running (the fake keeps each unit's pid).
    std::error_code ec;
    for (const auto& ns : fs::directory_iterator(dir_.path() + "/systemctl/state", ec)) {
      for (const auto& f : fs::directory_iterator(ns.path(), ec)) {
        if (f.path().extension() != ".pid") continue;
        pid_t pid = 0;
        std::ifstream(f.path()) >> pid;
        if (pid > 0) ::kill(pid, SIGKILL);
      }
    }
  }
  void markSystemdRunning() { fs::create_directories(settings_.systemd_dir); }
  void addUnit(const std::string& unit, const std::string& exec_start) {
    std::ofstream(dir_.path() + "/systemctl/units/" + unit)
        << "Description=the " << unit << " unit\nExecStart=" << exec_start << "\n";
  }
  void addScript(const std::string& name, const std::string& body) {
    const std::string path = dir_.path() + "/init.d/" + name;
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    ::chmod(path.c_str(), 0755);
  }
  // The pid of a started unit's main process (0 if none).
  pid_t mainPid(const std::string& unit) const {
    pid_t pid = 0;
    std::ifstream(dir_.path() + "/systemctl/state/host/" + unit + ".pid") >> pid;
    return pid;
  }
  std::string work() const { return dir_.path(); }

  AgentResult run(const std::string& spec, const std::string& action) const {
    AgentCall call;
    call.resource = "web";
    call.agent = *parseAgentName(spec);
    call.action = action;
    call.timeout = milliseconds(10000);
    return runServiceAgent(call, kDefaultOutputLimit, nullptr, settings_);
  }

 private:
  TempDir dir_;
  ServiceSettings settings_;
};

TEST(ServiceClasses, InitScriptStartsMonitorsAndStops) {
  ServiceNode node;
  const std::string flag = node.work() + "/web.running";
  node.addScript("web",
                 "case $1 in\n"
                 "start) touch " +
                     flag +
                     " ;;\n"
                     "stop) rm -f " +
                     flag +
                     " ;;\n"
                     "status) [ -f " +
                     flag +
                     " ] && exit 0; exit 3 ;;\n"
                     "*) exit 3 ;;\nesac");
  EXPECT_EQ(node.run("lsb:web", "monitor").code, OcfCode::kNotRunning);  // status 3
  const AgentResult start = node.run("lsb:web", "start");
  EXPECT_EQ(start.status, ExecStatus::kDone);
  EXPECT_EQ(start.exit_status, 0);
  EXPECT_TRUE(fs::exists(flag));
  EXPECT_EQ(node.run("lsb:web", "monitor").code, OcfCode::kOk);
  EXPECT_EQ(node.run("lsb:web", "stop").code, OcfCode::kOk);
  const AgentResult gone = node.run("lsb:web", "monitor");
  EXPECT_EQ(gone.code, OcfCode::kNotRunning);
  EXPECT_EQ(gone.exit_status, 7);  // what the executor records as the rc
  const AgentResult missing = node.run("lsb:nosuch", "start");
  EXPECT_EQ(missing.status, ExecStatus::kNotInstalled);
  EXPECT_EQ(missing.code, OcfCode::kNotInstalled);
}

TEST(ServiceClasses, SystemdClassIsUnavailableWithoutSystemd) {
  ServiceNode node;
  node.addUnit("web.service", "sleep 1000");
  for (const char* action : {"start", "monitor", "stop", "meta-data"}) {
    const AgentResult r = node.run("systemd:web", action);
    EXPECT_EQ(r.status, ExecStatus::kNotInstalled) << action;
    EXPECT_EQ(r.code, OcfCode::kNotInstalled) << action;
    EXPECT_EQ(r.exit_reason, "systemd is not running on this node") << action;
  }
  EXPECT_EQ(node.mainPid("web.service"), 0);  // nothing was started behind the refusal
}

TEST(ServiceClasses, UnitStartsIsMonitoredFailsAndStops) {
  ServiceNode node;
  node.markSystemdRunning();
  node.addUnit("web.service", "sleep 1000");
  EXPECT_EQ(node.run("systemd:web", "monitor").code, OcfCode::kNotRunning);  // inactive
  const AgentResult start = node.run("systemd:web", "start");
  ASSERT_EQ(start.status, ExecStatus::kDone) << start.message;
  EXPECT_EQ(start.code, OcfCode::kOk) << start.message;
  const pid_t pid = node.mainPid("web.service");
  ASSERT_GT(pid, 0);
  EXPECT_EQ(node.run("systemd:web", "monitor").code, OcfCode::kOk);
  // The service dies on its own: the unit is failed, which the monitor reports as not running.
  ::kill(pid, SIGKILL);
  for (int i = 0; i < 50 && running(pid); ++i) std::this_thread::sleep_for(milliseconds(20));
  const AgentResult failed = node.run("systemd:web", "monitor");
  EXPECT_EQ(failed.code, OcfCode::kNotRunning);
  EXPECT_NE(failed.message.find("failed"), std::string::npos) << failed.message;
  EXPECT_EQ(node.run("systemd:web", "start").code, OcfCode::kOk);
  EXPECT_EQ(node.run("systemd:web", "stop").code, OcfCode::kOk);
  EXPECT_EQ(node.run("systemd:web", "monitor").code, OcfCode::kNotRunning);

  const AgentResult md = node.run("systemd:web", "meta-data");
  ASSERT_EQ(md.code, OcfCode::kOk);
  auto parsed = parseAgentMetadata(md.out.text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->longdesc, "the web.service unit");

  const AgentResult missing = node.run("systemd:nosuch", "start");
  EXPECT_EQ(missing.status, ExecStatus::kNotInstalled);
  EXPECT_EQ(missing.exit_reason, "unit nosuch.service not found");
}

TEST(ServiceClasses, UnitWhoseStartFailsFailsTheStart) {
  ServiceNode node;
  node.markSystemdRunning();
  node.addUnit("broken.service", "false");
  const AgentResult r = node.run("systemd:broken", "start");
  EXPECT_EQ(r.status, ExecStatus::kDone);
  EXPECT_EQ(r.code, OcfCode::kError);
  EXPECT_NE(r.exit_reason.find("systemctl start broken.service exited 1"), std::string::npos)
      << r.exit_reason;
}

TEST(ServiceClasses, ServiceClassPrefersTheUnitThenTheInitScript) {
  ServiceNode node;
  const std::string flag = node.work() + "/lsb.ran";
  node.addScript("web", "touch " + flag + "; exit 0");
  node.addUnit("web.service", "sleep 1000");
  // No systemd: the init script.
  EXPECT_EQ(node.run("service:web", "start").code, OcfCode::kOk);
  EXPECT_TRUE(fs::exists(flag));
  EXPECT_EQ(node.mainPid("web.service"), 0);
  // systemd with the unit: the unit.
  node.markSystemdRunning();
  fs::remove(flag);
  EXPECT_EQ(node.run("service:web", "start").code, OcfCode::kOk);
  EXPECT_GT(node.mainPid("web.service"), 0);
  EXPECT_FALSE(fs::exists(flag));
  EXPECT_EQ(node.run("service:other", "start").status, ExecStatus::kNotInstalled);
}

}  // namespace
}  // namespace pulse::crmd
