// The OCF resource-agent API as the executor sees it: agent names (`ocf:PROVIDER:TYPE`), the
// exit codes an agent may return, and the environment an agent runs with. Pure functions, no
// I/O: the executor (executor.h) and the agent runner (agent_process.h) build on them.
//
// The environment follows Pacemaker 2.1's execd: OCF_ROOT, OCF_RA_VERSION_MAJOR/MINOR,
// OCF_RESOURCE_INSTANCE/TYPE/PROVIDER, OCF_EXIT_REASON_PREFIX, one OCF_RESKEY_<name> per
// instance attribute and one OCF_RESKEY_CRM_meta_<name> per meta or op attribute (dashes become
// underscores, as Pacemaker does when it builds CRM_meta_ keys), plus HA_LOGFACILITY=none,
// HA_logfacility=none, HA_debug=0 and a fixed PATH. Unlike Pacemaker, nothing is inherited from
// the daemon's own environment, so an agent sees the same variables wherever crmd was started.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace pulse::crmd {

inline constexpr std::string_view kDefaultOcfRoot = "/usr/lib/ocf";
inline constexpr std::string_view kOcfExitReasonPrefix = "ocf-exit-reason:";

// OCF exit codes 0..9. Anything else an agent does (another exit code, death by a signal) is
// kUnknown, with the real status kept next to it in the OperationResult.
enum class OcfCode : int {
  kOk = 0,
  kError = 1,  // generic error
  kInvalidArgument = 2,
  kUnimplemented = 3,
  kInsufficientPrivileges = 4,
  kNotInstalled = 5,
  kNotConfigured = 6,
  kNotRunning = 7,
  kRunningPromoted = 8,  // "running master"
  kFailedPromoted = 9,   // "failed master"
  kUnknown = -1,         // not an OCF code: Pacemaker's "unknown error"
};

// 0..9 map to themselves, everything else to kUnknown.
OcfCode ocfCodeFromExitStatus(int exit_status);
// Pacemaker's words: "ok", "error", "invalid parameter", "unimplemented feature",
// "insufficient privileges", "not installed", "not configured", "not running", "promoted",
// "promoted (failed)", "unknown error".
std::string_view ocfCodeName(OcfCode code);

// An agent `ocf:PROVIDER:TYPE`, or `lsb:TYPE` (an init script), `systemd:TYPE` (a unit) or
// `service:TYPE` (systemd's unit when it has one, else the init script: service_agents.h).
// Provider and type are single path components; only ocf agents have a provider.
struct AgentName {
  std::string provider;
  std::string type;
  std::string standard = "ocf";  // the primitive's class: ocf, lsb, systemd or service

  std::string spec() const {
    return standard == "ocf" ? "ocf:" + provider + ":" + type : standard + ":" + type;
  }
  friend bool operator==(const AgentName&, const AgentName&) = default;
};

// The classes the executor runs (besides stonith, which the fencer runs: fence_runner.h).
bool isServiceClass(std::string_view standard);  // lsb, systemd, service

// Parses "ocf:heartbeat:Dummy", "lsb:cron", "systemd:haproxy", "service:haproxy". Error for
// another class, an empty part, or a part that is not a plain file name ("..", "/", NUL), so an
// agent can never be looked up outside its directory.
Result<AgentName> parseAgentName(std::string_view spec);

// Ok if provider and type are each one plain file name without ':' (what parseAgentName
// accepts; a service class has no provider); else an Error naming the agent. Checked again
// before every run, because an AgentName is a plain struct that anyone can fill in.
Status checkAgentName(const AgentName& agent);

// `$ocf_root/resource.d/PROVIDER/TYPE`.
std::string agentPath(std::string_view ocf_root, const AgentName& agent);

// What one agent invocation needs to know besides the action itself.
struct AgentCall {
  std::string ocf_root{kDefaultOcfRoot};
  std::string resource;  // OCF_RESOURCE_INSTANCE
  AgentName agent;
  std::string action;
  std::chrono::milliseconds interval{0};
  std::chrono::milliseconds timeout{20000};
  std::map<std::string, std::string> params;  // instance attributes -> OCF_RESKEY_<name>
  std::map<std::string, std::string> meta;    // meta/op attributes -> OCF_RESKEY_CRM_meta_<name>
};

// True for a name usable as (the tail of) an environment variable: [A-Za-z_][A-Za-z0-9_]*.
bool isEnvName(std::string_view name);

// The agent's whole environment, "NAME=value" each, sorted by name. CRM_meta_timeout and
// CRM_meta_interval always come from call.timeout / call.interval (milliseconds), overriding
// meta entries of those names. Error (naming the attribute) for a parameter or meta name that
// is not an environment name after dash mapping, or a value or resource name containing NUL.
Result<std::vector<std::string>> buildOcfEnvironment(const AgentCall& call);

}  // namespace pulse::crmd
