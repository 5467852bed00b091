#include "crmd/executor/fence_runner.h"

#include <sys/stat.h>
#include <unistd.h>

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

}  // namespace pulse::crmd
