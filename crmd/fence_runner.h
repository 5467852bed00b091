// Running a fence device's agent (pacemaker-fenced's job, done by the DC itself): the
// fence-agents protocol is `key=value` lines on stdin (action, plug/port/nodename, then the
// device's parameters) and exit status 0 for success.
//
// Agents are looked up by their type ("fence_pulse_netns") in a list of directories
// (Pacemaker uses /usr/sbin); the type must be a plain file name, so a CIB can never point
// crmd at an arbitrary path.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"

namespace pulse::crmd {

inline constexpr std::chrono::seconds kDefaultFenceTimeout{60};  // Pacemaker's stonith-timeout

struct FenceOutcome {
  bool ok = false;
  std::string message;  // one line for the log and for pcs stonith fence
};

// The agent's path: the first `dirs` entry holding an executable named `type`.
Result<std::string> findFenceAgent(const std::vector<std::string>& dirs, const std::string& type);

// What the agent reads: action, the target under the three names agents use, then the
// device's parameters except Pacemaker's own pcmk_* ones.
std::string fenceAgentInput(const std::map<std::string, std::string>& params,
                            const std::string& target, const std::string& action);

// Runs the agent (blocking; call on a worker thread). `abort` cuts it short (daemon stopping).
FenceOutcome runFenceAgent(const std::string& path, const std::string& input,
                           std::chrono::milliseconds timeout, const std::atomic<bool>* abort);

}  // namespace pulse::crmd
