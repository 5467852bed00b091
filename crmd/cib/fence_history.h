// The cluster's fencing history (Pacemaker's fencer history, what `stonith_admin --history`
// and crm_mon's "Fencing History" show), kept in the CIB status so that it is on every node:
// the DC records each fencing operation when it starts (pending) and when it ends (done or
// failed), and the status write replicates like any other. A new DC inherits it with the CIB,
// so the history is not lost when the DC dies (Pacemaker's fencers sync theirs among peers).
//
// Layout (Pulse's own element; Pacemaker's scheduler and crm_mon skip status children that are
// not node_state or tickets):
//   <status><pulse_fence_history>
//     <fence_event id= target= action= state="pending|done|failed" delegate= client= origin=
//                  devices= exit-reason= started= completed=/>
// started/completed are seconds since the epoch; completed is absent while pending.
//
// Invariants: ids are unique (an event recorded again replaces the one with its id, so the
// pending entry becomes the completed one and a re-applied write is harmless); at most
// kMaxFenceEvents are kept, the oldest completed ones dropped first.
// Pure: works on an in-memory document. Thread-safety: callers serialize access to the doc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace pulse::cib {

inline constexpr std::size_t kMaxFenceEvents = 100;

struct FenceEvent {
  enum class State { kPending, kDone, kFailed };
  std::string id;      // unique: TARGET-STARTED_MS
  std::string target;  // the node fenced
  std::string action;  // reboot, off, on
  State state = State::kPending;
  std::string delegate;  // the node that ran the fence agent
  std::string client;    // who asked: pacemaker-controld.PID (the cluster), stonith_admin.PID
  std::string origin;    // the node the request came from
  std::string devices;   // the devices tried, comma-separated; "watchdog" for self-fencing
  std::string exit_reason;
  std::int64_t started = 0;    // seconds since the epoch
  std::int64_t completed = 0;  // 0 while pending
  friend bool operator==(const FenceEvent&, const FenceEvent&) = default;
};

// The events recorded in the CIB, in document order (oldest first).
std::vector<FenceEvent> readFenceHistory(const pugi::xml_node& cib);

// Records `event` (replacing the one with its id) and trims the history to kMaxFenceEvents.
void recordFenceEvent(pugi::xml_node cib, const FenceEvent& event);

// Removes the completed events for `target` (every target when empty), as stonith_admin
// --cleanup does (pending operations stay); returns how many were removed.
std::size_t cleanupFenceHistory(pugi::xml_node cib, std::string_view target);

// Pacemaker's order for display (stonith__sort_history): pending first, then the completed
// ones newest first.
std::vector<FenceEvent> sortFenceHistory(std::vector<FenceEvent> events);

// The node a later attempt with the same target and action succeeded from (its delegate), for
// a failed event; empty when none did (stonith__later_succeeded).
std::string laterSucceeded(const FenceEvent& event, const std::vector<FenceEvent>& history);

// Pacemaker 2.1.5's stonith__history_description: "reboot of n3 by n1 for
// pacemaker-controld.1234@n1 successful at 2026-12-07 17:30:12Z" (`technical` false, as
// stonith_admin prints it), or "reboot of n3 successful: delegate=n1,
// client=pacemaker-controld.1234, origin=n1, completed='2026-12-07 17:30:12Z'" (`technical`,
// crm_mon --show-detail). `full_history` false adds " last" / "last-successful".
std::string describeFenceEvent(const FenceEvent& event, bool full_history, bool technical,
                               const std::string& later_succeeded);

// crm_time_as_string(log_date|log_timeofday|log_with_timezone) in the local time zone:
// "2026-12-07 17:30:12Z" in UTC, "2026-12-07 18:30:12 +01:00" elsewhere.
std::string pacemakerLogTime(std::int64_t seconds);

}  // namespace pulse::cib
