#include "crmd/executor/fence_runner.h"

#include <sys/stat.h>
#include <unistd.h>

#include <optional>

#include "crmd/executor/agent_process.h"

namespace pulse::crmd {

bool isFenceAgentName(std::string_view type) {
  return type.size() > kFenceAgentPrefix.size() && type.starts_with(kFenceAgentPrefix);
}

Result<std::string> findFenceAgent(const std::vector<std::string>& dirs, const std::string& type) {
  if (type.empty() || type.find('/') != std::string::npos || type == "." || type == "..") {
    return Error{"fence agent type '" + type + "' is not a plain file name"};
  }
  // As pcs stonith create: /usr/sbin holds reboot, halt and much else that must never run as
  // a fence device.
  if (!isFenceAgentName(type)) {
    return Error{"fence agent type '" + type + "' is not a fence agent: their names start with " +
                 std::string(kFenceAgentPrefix)};
  }
  std::string searched;
  for (const std::string& dir : dirs) {
    const std::string path = dir + "/" + type;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0)
      return path;
    searched += (searched.empty() ? "" : ", ") + dir;
  }
  return Error{"fence agent '" + type + "' not found in " + searched};
}

std::string fenceAgentInput(const std::map<std::string, std::string>& params,
                            const std::string& target, const std::string& action) {
  std::string input =
      "action=" + action + "\nplug=" + target + "\nport=" + target + "\nnodename=" + target + "\n";
  for (const auto& [name, value] : params) {
    if (name.starts_with("pcmk_") || name == "action" || name == "plug" || name == "port" ||
        name == "nodename")
      continue;
    // A newline in a value would smuggle in another key.
    if (name.find_first_of("=\n") != std::string::npos || value.find('\n') != std::string::npos)
      continue;
    input += name + "=" + value + "\n";
  }
  return input;
}

FenceOutcome runFenceAgent(const std::string& path, const std::string& input,
                           std::chrono::milliseconds timeout, const std::atomic<bool>* abort) {
  std::vector<std::string> env{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  for (const char* keep : {"PULSE_NETNS_PREFIX", "LANG"}) {
    if (const char* v = std::getenv(keep)) env.push_back(std::string(keep) + "=" + v);
  }
  AgentResult r =
      runProgram(ProgramCall{path, {}, env, input, timeout}, kDefaultOutputLimit, abort);
  FenceOutcome out;
  out.ok = r.status == ExecStatus::kDone && r.exit_status == 0;
  std::string detail = r.err.text.empty() ? r.out.text : r.err.text;
  if (const auto nl = detail.find_last_not_of("\n "); nl != std::string::npos)
    detail = detail.substr(0, nl + 1);
  if (const auto nl = detail.rfind('\n'); nl != std::string::npos) detail = detail.substr(nl + 1);
  out.message = path + (out.ok ? " succeeded" : " failed: " + r.message) +
                (detail.empty() ? "" : " (" + detail + ")");
  return out;
}

namespace {

std::string joined(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

}  // namespace

FenceOutcome fenceByLevels(const std::vector<FenceLevelPlan>& levels, const std::string& action,
                           const FenceDeviceRun& run, const std::atomic<bool>* abort) {
  auto aborted = [&] { return abort != nullptr && abort->load(); };
  std::vector<std::string> failures;  // "level N (devices): why", one per level tried
  for (std::size_t l = 0; l < levels.size(); ++l) {
    const FenceLevelPlan& level = levels[l];
    const std::string name =
        "level " + std::to_string(level.index) + " (" + joined(level.devices, ",") + ")";
    if (!level.unusable.empty()) {
      failures.push_back("level " + std::to_string(level.index) + ": " + level.unusable);
      continue;
    }
    // Remapped reboot: every device off first, then every device on.
    const bool remapped = action == "reboot" && level.devices.size() > 1;
    std::optional<std::string> failed;
    std::string last;
    for (std::size_t d = 0; d < level.devices.size() && !failed; ++d) {
      if (aborted()) return FenceOutcome{false, "fencing aborted: the daemon is stopping"};
      FenceOutcome o = run(l, d, remapped ? "off" : action);
      if (!o.ok) failed = o.message;
      last = o.message;
    }
    if (failed) {
      failures.push_back(name + ": " + *failed);
      continue;
    }
    std::vector<std::string> on_failures;
    for (std::size_t d = 0; remapped && d < level.devices.size(); ++d) {
      if (aborted()) break;  // the node is off already: fenced
      FenceOutcome o = run(l, d, "on");
      if (!o.ok) on_failures.push_back(o.message);
    }
    std::string message = name + " fenced it: " + last;
    if (remapped) message = name + " fenced it (off on each device, then on)";
    if (!on_failures.empty())
      message += "; turning it back on failed, ignored: " + joined(on_failures, "; ");
    if (!failures.empty()) message += "; after " + joined(failures, "; ");
    return FenceOutcome{true, message};
  }
  if (levels.empty()) return FenceOutcome{false, "no fencing level to try"};
  return FenceOutcome{false, "every fencing level failed: " + joined(failures, "; ")};
}

}  // namespace pulse::crmd
