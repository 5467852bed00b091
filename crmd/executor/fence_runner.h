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
#include <functional>
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

// One level of a fencing topology as the runner tries it: its devices' names in order, or
// (non-empty `unusable`, no devices) why it cannot be tried.
struct FenceLevelPlan {
  int index = 0;
  std::vector<std::string> devices;
  std::string unusable;
};

// Runs device `device` of level `level` (indexes into the plan) with `action` against the target
// and says how it went; its message names the device.
using FenceDeviceRun =
    std::function<FenceOutcome(std::size_t level, std::size_t device, const std::string& action)>;

// Pacemaker 2.1.5's fencer on a topology: levels are tried in the order given (increasing index);
// within a level every device must succeed, in order, and the first failure ends the level and
// moves on to the next one. The first level that succeeds fences the node; its message also
// names the levels that failed before it. When every level failed the outcome is a failure whose
// message names each level's failure. A "reboot" on a level of several devices is carried out as
// "off" on each device, then "on" on each (so that no device powers the node back while another
// still has it off); an "on" that fails after every "off" succeeded does not undo the fencing
// (the fencer ignores it too), it is only mentioned. `abort` (may be null) stops between devices.
FenceOutcome fenceByLevels(const std::vector<FenceLevelPlan>& levels, const std::string& action,
                           const FenceDeviceRun& run, const std::atomic<bool>* abort);

}  // namespace pulse::crmd
