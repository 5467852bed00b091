#include "crmd/executor/ocf.h"

#include <algorithm>

namespace pulse::crmd {

OcfCode ocfCodeFromExitStatus(int exit_status) {
  if (exit_status < 0 || exit_status > 9) return OcfCode::kUnknown;
  return static_cast<OcfCode>(exit_status);
}

std::string_view ocfCodeName(OcfCode code) {
  switch (code) {
    case OcfCode::kOk:
      return "ok";
    case OcfCode::kError:
      return "error";
    case OcfCode::kInvalidArgument:
      return "invalid parameter";
    case OcfCode::kUnimplemented:
      return "unimplemented feature";
    case OcfCode::kInsufficientPrivileges:
      return "insufficient privileges";
    case OcfCode::kNotInstalled:
      return "not installed";
    case OcfCode::kNotConfigured:
      return "not configured";
    case OcfCode::kNotRunning:
      return "not running";
    case OcfCode::kRunningPromoted:
      return "promoted";
    case OcfCode::kFailedPromoted:
      return "promoted (failed)";
    case OcfCode::kUnknown:
      break;
  }
  return "unknown error";
}

namespace {

// A provider or type must name one file inside its directory (and a provider cannot hold the
// ':' that separates it from the type in a spec).
bool isPlainFileName(std::string_view part) {
  return !part.empty() && part != "." && part != ".." && part.size() <= 255 &&
         part.find_first_of(std::string_view("/:\0", 3)) == std::string_view::npos;
}

bool hasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

}  // namespace

bool isServiceClass(std::string_view standard) {
  return standard == "lsb" || standard == "systemd" || standard == "service";
}

Result<AgentName> parseAgentName(std::string_view spec) {
  const std::string shown(spec.substr(0, 200));
  if (const auto colon = spec.find(':');
      colon != std::string_view::npos && isServiceClass(spec.substr(0, colon))) {
    AgentName name{"", std::string(spec.substr(colon + 1)), std::string(spec.substr(0, colon))};
    if (!isPlainFileName(name.type)) {
      return Error{"agent '" + shown + "': the type must be a plain file name"};
    }
    return name;
  }
  if (!spec.starts_with("ocf:")) {
    return Error{"agent '" + shown +
                 "' is not of the form ocf:PROVIDER:TYPE, lsb:TYPE, systemd:TYPE or service:TYPE"};
  }
  std::string_view rest = spec.substr(4);
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) {
    return Error{"agent '" + shown + "' has no provider (expected ocf:PROVIDER:TYPE)"};
  }
  AgentName name{std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1))};
  if (!isPlainFileName(name.provider) || !isPlainFileName(name.type)) {
    return Error{"agent '" + shown + "': provider and type must be plain file names"};
  }
  return name;
}

Status checkAgentName(const AgentName& agent) {
  if (isServiceClass(agent.standard) && agent.provider.empty() && isPlainFileName(agent.type)) {
    return {};
  }
  if (agent.standard == "ocf" && isPlainFileName(agent.provider) && isPlainFileName(agent.type)) {
    return {};
  }
  return Error{"agent '" + agent.spec().substr(0, 200) +
               "': provider and type must be plain file names"};
}

std::string agentPath(std::string_view ocf_root, const AgentName& agent) {
  return std::string(ocf_root) + "/resource.d/" + agent.provider + "/" + agent.type;
}

bool isEnvName(std::string_view name) {
  if (name.empty()) return false;
  const auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  if (!alpha(name[0]) && name[0] != '_') return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return alpha(c) || (c >= '0' && c <= '9') || c == '_'; });
}

Result<std::vector<std::string>> buildOcfEnvironment(const AgentCall& call) {
  std::map<std::string, std::string> env;
  for (const auto& [name, value] : call.params) {
    if (!isEnvName(name)) {
      return Error{"resource " + call.resource + ": parameter name '" + name.substr(0, 100) +
                   "' is not a valid environment variable name"};
    }
    if (hasNul(value))
      return Error{"resource " + call.resource + ": parameter " + name +
                   " has a NUL byte in its value"};
    env["OCF_RESKEY_" + name] = value;
  }
  std::map<std::string, std::string> meta = call.meta;
  meta["timeout"] = std::to_string(call.timeout.count());
  meta["interval"] = std::to_string(call.interval.count());
  for (const auto& [name, value] : meta) {
    std::string mapped = name;
    std::replace(mapped.begin(), mapped.end(), '-', '_');
    if (!isEnvName(mapped)) {
      return Error{"resource " + call.resource + ": meta attribute name '" + name.substr(0, 100) +
                   "' is not a valid environment variable name"};
    }
    if (hasNul(value))
      return Error{"resource " + call.resource + ": meta attribute " + name +
                   " has a NUL byte in its value"};
    env["OCF_RESKEY_CRM_meta_" + mapped] = value;
  }
  if (hasNul(call.resource) || hasNul(call.ocf_root)) {
    return Error{"resource name or OCF root has a NUL byte"};
  }
  env["OCF_ROOT"] = call.ocf_root;
  env["OCF_RA_VERSION_MAJOR"] = "1";
  env["OCF_RA_VERSION_MINOR"] = "1";
  env["OCF_RESOURCE_INSTANCE"] = call.resource;
  env["OCF_RESOURCE_TYPE"] = call.agent.type;
  env["OCF_RESOURCE_PROVIDER"] = call.agent.provider;
  env["OCF_EXIT_REASON_PREFIX"] = std::string(kOcfExitReasonPrefix);
  env["HA_LOGFACILITY"] = "none";
  env["HA_logfacility"] = "none";
  env["HA_debug"] = "0";
  env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [name, value] : env) out.push_back(name + "=" + value);
  return out;
}

}  // namespace pulse::crmd
