#include "crmd/executor/service_agents.h"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/xml_escape.h"

namespace pulse::crmd {
namespace {

using Clock = std::chrono::steady_clock;

std::string fromEnv(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1));
}

// What systemctl and init scripts run with: nothing of the daemon's environment but a PATH.
std::vector<std::string> serviceEnvironment() {
  return {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"};
}

// A finished action's answer: exit_status carries the OCF code the class's own status maps to
// (LocalExecutor records exit_status as the rc of a completed action).
AgentResult answer(OcfCode code, std::string message, bool with_reason = true) {
  AgentResult r;
  r.status = ExecStatus::kDone;
  r.code = code;
  r.exit_status = code == OcfCode::kUnknown ? 1 : static_cast<int>(code);
  if (with_reason) r.exit_reason = message;
  r.message = std::move(message);
  return r;
}

AgentResult notInstalled(std::string message) {
  AgentResult r;
  r.status = ExecStatus::kNotInstalled;
  r.code = OcfCode::kNotInstalled;
  r.exit_reason = message;
  r.message = std::move(message);
  return r;
}

std::chrono::milliseconds remaining(Clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

bool fileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// --- lsb ---------------------------------------------------------------------------------

AgentResult runLsb(const AgentCall& call, const ServiceSettings& settings, std::size_t limit,
                   const std::atomic<bool>* abort) {
  const std::string path = settings.lsb_root + "/" + call.agent.type;
  if (!fileExists(path)) return notInstalled("init script " + path + " not found");
  if (call.action == "meta-data") {
    std::ifstream in(path);
    std::string text(64 * 1024, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    AgentResult r = answer(OcfCode::kOk, "", false);
    r.out.text = lsbMetadata(call.agent.type, text);
    return r;
  }
  if (::access(path.c_str(), X_OK) != 0) {
    AgentResult r =
        answer(OcfCode::kInsufficientPrivileges, "init script " + path + " is not executable");
    r.status = ExecStatus::kError;
    return r;
  }
  const std::string action = call.action == "monitor" ? "status" : call.action;
  AgentResult r =
      runProgram(ProgramCall{path, {action}, serviceEnvironment(), "", call.timeout}, limit, abort);
  if (r.status != ExecStatus::kDone) return r;
  const int script_status = r.exit_status;
  r.code = lsbToOcf(action, script_status);
  r.exit_status = r.code == OcfCode::kUnknown ? 1 : static_cast<int>(r.code);
  r.message = path + " " + action + " exited " + std::to_string(script_status) + " (" +
              std::string(ocfCodeName(r.code)) + ")";
  return r;
}

// --- systemd -------------------------------------------------------------------------------

struct Systemctl {
  const std::string& program;
  std::size_t limit;
  const std::atomic<bool>* abort;

  // `systemctl ARGS`, bounded by what is left of the operation's timeout.
  AgentResult run(std::vector<std::string> args, Clock::time_point deadline) const {
    return runProgram(
        ProgramCall{program, std::move(args), serviceEnvironment(), "", remaining(deadline)}, limit,
        abort);
  }

  // The unit's state; on failure `failed` holds the result to report.
  Result<UnitState> show(const std::string& unit, Clock::time_point deadline,
                         AgentResult& failed) const {
    failed = run({"show", "--property=LoadState,ActiveState,SubState,Description", "--", unit},
                 deadline);
    if (failed.status != ExecStatus::kDone || failed.exit_status != 0) {
      if (failed.status == ExecStatus::kDone) {
        failed = answer(OcfCode::kError, "systemctl show " + unit + " exited " +
                                             std::to_string(failed.exit_status) + ": " +
                                             trim(failed.err.text));
      }
      return Error{failed.message};
    }
    return parseUnitState(failed.out.text);
  }
};

// Asks until the unit is no longer pending (activating, deactivating) or the deadline passes.
Result<UnitState> settled(const Systemctl& ctl, const std::string& unit, Clock::time_point deadline,
                          AgentResult& failed) {
  for (;;) {
    auto state = ctl.show(unit, deadline, failed);
    if (!state.ok()) return state;
    if (systemdStateToOcf(state->active_state).has_value()) return state;
    if (Clock::now() + std::chrono::milliseconds(200) >= deadline ||
        (ctl.abort != nullptr && ctl.abort->load())) {
      failed = AgentResult{};
      failed.status = ctl.abort != nullptr && ctl.abort->load() ? ExecStatus::kCancelled
                                                                : ExecStatus::kTimedOut;
      failed.code = OcfCode::kUnknown;
      failed.message = "unit " + unit + " still " + state->active_state + " at the timeout";
      return Error{failed.message};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

AgentResult runSystemd(const AgentCall& call, const ServiceSettings& settings, std::size_t limit,
                       const std::atomic<bool>* abort) {
  if (!systemdRunning(settings)) return notInstalled("systemd is not running on this node");
  const Clock::time_point deadline = Clock::now() + call.timeout;
  const std::string unit = systemdUnitName(call.agent.type);
  const Systemctl ctl{settings.systemctl, limit, abort};
  AgentResult failed;
  auto state = ctl.show(unit, deadline, failed);
  if (!state.ok()) return failed;
  if (state->load_state == "not-found") return notInstalled("unit " + unit + " not found");
  if (call.action == "meta-data") {
    AgentResult r = answer(OcfCode::kOk, "", false);
    r.out.text = systemdMetadata(call.agent.type, state->description);
    return r;
  }
  if (call.action == "monitor" || call.action == "status") {
    auto now = settled(ctl, unit, deadline, failed);
    if (!now.ok()) return failed;
    const OcfCode code = *systemdStateToOcf(now->active_state);
    return answer(code, "unit " + unit + " is " + now->active_state + "/" + now->sub_state,
                  code != OcfCode::kOk && code != OcfCode::kNotRunning);
  }
  if (call.action != "start" && call.action != "stop") {
    return answer(OcfCode::kUnimplemented,
                  "systemd units have no '" + call.action + "' action here");
  }
  // systemctl start/stop returns once the job is done (it waits unless --no-block).
  auto job = ctl.run({call.action, "--", unit}, deadline);
  if (job.status != ExecStatus::kDone) return job;
  if (job.exit_status != 0) {
    return answer(OcfCode::kError, "systemctl " + call.action + " " + unit + " exited " +
                                       std::to_string(job.exit_status) + ": " + trim(job.err.text));
  }
  auto now = settled(ctl, unit, deadline, failed);
  if (!now.ok()) return failed;
  const bool running = *systemdStateToOcf(now->active_state) == OcfCode::kOk;
  if (call.action == "start" && !running) {
    return answer(OcfCode::kError,
                  "unit " + unit + " is " + now->active_state + " after its start job");
  }
  if (call.action == "stop" && running) {
    return answer(OcfCode::kError,
                  "unit " + unit + " is still " + now->active_state + " after its stop job");
  }
  return answer(OcfCode::kOk, "unit " + unit + " " + now->active_state + "/" + now->sub_state,
                false);
}

}  // namespace

const ServiceSettings& serviceSettings() {
  static const ServiceSettings settings = [] {
    ServiceSettings s;
    s.lsb_root = fromEnv("PULSE_LSB_ROOT", s.lsb_root);
    s.systemctl = fromEnv("PULSE_SYSTEMCTL", s.systemctl);
    s.systemd_dir = fromEnv("PULSE_SYSTEMD_DIR", s.systemd_dir);
    return s;
  }();
  return settings;
}

OcfCode lsbToOcf(std::string_view action, int exit_status) {
  if (action != "status" && action != "monitor") {
    if (exit_status < 0 || exit_status > 7) return OcfCode::kError;
    return static_cast<OcfCode>(exit_status);
  }
  switch (exit_status) {
    case 0:
      return OcfCode::kOk;
    case 1:  // dead, pid file remains
    case 2:  // dead, lock file remains
    case 3:  // not running
      return OcfCode::kNotRunning;
    case 150:
      return OcfCode::kNotInstalled;
    case 151:
      return OcfCode::kInsufficientPrivileges;
    default:
      return OcfCode::kError;
  }
}

std::string systemdUnitName(std::string_view type) {
  static constexpr std::array<std::string_view, 11> kSuffixes = {
      ".service", ".socket", ".timer", ".mount",  ".target",   ".path",
      ".slice",   ".scope",  ".swap",  ".device", ".automount"};
  for (std::string_view suffix : kSuffixes) {
    if (type.size() > suffix.size() && type.ends_with(suffix)) return std::string(type);
  }
  return std::string(type) + ".service";
}

UnitState parseUnitState(std::string_view show_output) {
  UnitState s;
  std::istringstream lines{std::string(show_output)};
  std::string line;
  while (std::getline(lines, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), value = trim(line.substr(eq + 1));
    if (key == "LoadState") s.load_state = value;
    if (key == "ActiveState") s.active_state = value;
    if (key == "SubState") s.sub_state = value;
    if (key == "Description") s.description = value;
  }
  return s;
}

std::optional<OcfCode> systemdStateToOcf(std::string_view active_state) {
  if (active_state == "active" || active_state == "reloading") return OcfCode::kOk;
  if (active_state == "activating" || active_state == "deactivating") return std::nullopt;
  return OcfCode::kNotRunning;
}

std::string systemdMetadata(std::string_view unit, std::string_view description) {
  const std::string name = xmlEscape(unit);
  return "<?xml version=\"1.0\"?>\n"
         "<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">\n"
         "<resource-agent name=\"" +
         name +
         "\" version=\"0.1\">\n"
         "  <version>1.1</version>\n"
         "  <longdesc lang=\"en\">\n" +
         xmlEscape(description) +
         "\n  </longdesc>\n"
         "  <shortdesc lang=\"en\">systemd unit file for " +
         name +
         "</shortdesc>\n"
         "  <parameters/>\n"
         "  <actions>\n"
         "    <action name=\"start\"     timeout=\"100\" />\n"
         "    <action name=\"stop\"      timeout=\"100\" />\n"
         "    <action name=\"status\"    timeout=\"100\" />\n"
         "    <action name=\"monitor\"   timeout=\"100\" interval=\"60\"/>\n"
         "    <action name=\"meta-data\" timeout=\"5\"   />\n"
         "  </actions>\n"
         "  <special tag=\"systemd\"/>\n"
         "</resource-agent>\n";
}

std::string lsbMetadata(std::string_view type, std::string_view script_text) {
  // The LSB header: "# Key: value" lines between BEGIN and END INIT INFO; a Description goes on
  // in lines starting "#" followed by blanks.
  std::string short_desc, long_desc, special;
  std::istringstream lines{std::string(script_text)};
  std::string line;
  bool in_header = false, in_description = false;
  static constexpr std::array<std::string_view, 7> kSpecial = {
      "Provides",    "Required-Start", "Required-Stop", "Should-Start",
      "Should-Stop", "Default-Start",  "Default-Stop"};
  while (std::getline(lines, line)) {
    if (line.starts_with("### BEGIN INIT INFO")) {
      in_header = true;
      continue;
    }
    if (line.starts_with("### END INIT INFO")) break;
    if (!in_header || !line.starts_with("#")) continue;
    if (in_description && line.size() > 2 && (line[1] == ' ' || line[1] == '\t') &&
        (line[2] == ' ' || line[2] == '\t')) {
      long_desc += "\n" + trim(line.substr(1));
      continue;
    }
    in_description = false;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(line.substr(1, colon - 1)), value = trim(line.substr(colon + 1));
    if (key == "Short-Description") short_desc = value;
    if (key == "Description") {
      long_desc = value;
      in_description = true;
    }
    for (std::string_view s : kSpecial) {
      if (key == s) special += "    <" + key + ">" + xmlEscape(value) + "</" + key + ">\n";
    }
  }
  return "<?xml version=\"1.0\"?>\n"
         "<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">\n"
         "<resource-agent name=\"" +
         xmlEscape(type) +
         "\" version=\"0.1\">\n"
         "  <version>1.0</version>\n"
         "  <longdesc lang=\"en\">\n" +
         xmlEscape(long_desc) + "\n  </longdesc>\n  <shortdesc lang=\"en\">" +
         xmlEscape(short_desc) +
         "</shortdesc>\n"
         "  <parameters>\n  </parameters>\n"
         "  <actions>\n"
         "    <action name=\"meta-data\"    timeout=\"5\" />\n"
         "    <action name=\"start\"        timeout=\"15\" />\n"
         "    <action name=\"stop\"         timeout=\"15\" />\n"
         "    <action name=\"status\"       timeout=\"15\" />\n"
         "    <action name=\"restart\"      timeout=\"15\" />\n"
         "    <action name=\"force-reload\" timeout=\"15\" />\n"
         "    <action name=\"monitor\"      timeout=\"15\" interval=\"15\" />\n"
         "  </actions>\n"
         "  <special tag=\"LSB\">\n" +
         special +
         "  </special>\n"
         "</resource-agent>\n";
}

bool systemdRunning(const ServiceSettings& settings) {
  struct stat st {};
  return ::stat(settings.systemd_dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

AgentResult runServiceAgent(const AgentCall& call, std::size_t output_limit,
                            const std::atomic<bool>* abort, const ServiceSettings& settings) {
  const auto started = Clock::now();
  AgentResult r;
  if (call.agent.standard == "lsb") {
    r = runLsb(call, settings, output_limit, abort);
  } else if (call.agent.standard == "systemd") {
    r = runSystemd(call, settings, output_limit, abort);
  } else {
    // service: the unit when systemd runs and knows it (Pacemaker asks systemd first), else
    // the init script; with neither, the init script's "not found" names what was looked for.
    AgentCall resolved = call;
    resolved.agent.standard = "lsb";
    if (systemdRunning(settings) && !fileExists(settings.lsb_root + "/" + call.agent.type)) {
      resolved.agent.standard = "systemd";
    } else if (systemdRunning(settings)) {
      AgentResult ignored;
      const Systemctl ctl{settings.systemctl, output_limit, abort};
      auto state =
          ctl.show(systemdUnitName(call.agent.type),
                   Clock::now() + std::min(call.timeout, std::chrono::milliseconds(5000)), ignored);
      if (state.ok() && state->load_state != "not-found") resolved.agent.standard = "systemd";
    }
    r = resolved.agent.standard == "lsb" ? runLsb(resolved, settings, output_limit, abort)
                                         : runSystemd(resolved, settings, output_limit, abort);
  }
  r.runtime = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  return r;
}

}  // namespace pulse::crmd
