// Running a fence device's agent (pacemaker-fenced's job, done by the DC itself): the
// fence-agents protocol is `key=value` lines on stdin (action, plug/port/nodename, then the
// device's parameters) and exit status 0 for success.
//
// Agents are looked up by their type ("fence_pulse_netns") in a list of directories
// (Pacemaker uses /usr/sbin); the type must be a plain file name starting with "fence_", so a
// CIB can point crmd neither at an arbitrary path nor at another program of that directory
// (reboot, halt, ...).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace pulse::crmd {

inline constexpr std::chrono::seconds kDefaultFenceTimeout{60};  // Pacemaker's stonith-timeout

struct FenceOutcome {
  bool ok = false;
  std::string message;  // one line for the log and for pcs stonith fence
};

inline constexpr std::string_view kFenceAgentPrefix = "fence_";

// True for "fence_<something>", the only names fence agents have (pcs stonith create and
// pcs stonith list accept no others).
bool isFenceAgentName(std::string_view type);

// The agent's path: the first `dirs` entry holding an executable named `type`; an Error when
// `type` is not a fence agent's name (isFenceAgentName) or no directory holds it.
Result<std::string> findFenceAgent(const std::vector<std::string>& dirs, const std::string& type);

// What the agent reads: action, the target under the three names agents use, then the
// device's parameters except Pacemaker's own pcmk_* ones.
std::string fenceAgentInput(const std::map<std::string, std::string>& params,
                            const std::string& target, const std::string& action);

// Runs the agent (blocking; call on a worker thread). `abort` cuts it short (daemon stopping).
FenceOutcome runFenceAgent(const std::string& path, const std::string& input,
                           std::chrono::milliseconds timeout, const std::atomic<bool>* abort);

}  // namespace pulse::crmd
