// pcs cluster events: the journals of every node (crmd/admin/event_journal.h) merged into one
// time-ordered log, each line tagged with its node. Pure functions; the command that asks the
// nodes is cluster_events.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"

namespace pulse::pcs {

struct NodeEvent {
  std::string node;
  std::int64_t at_ms = 0;
  std::string kind;
  std::string text;
  std::string who;
  friend bool operator==(const NodeEvent&, const NodeEvent&) = default;
};

// Every node's events (each oldest first) merged by time; at the same millisecond, by node
// name, each node's own order kept. Events equal in every field (a node asked twice, or two
// polls of --follow) appear once.
std::vector<NodeEvent> mergeEvents(const std::vector<std::vector<NodeEvent>>& per_node);

// "2026-12-07 05:41:03.123 n2  membership  ring 3.4, members n1 n2; lost: n3" (UTC); a config
// change ends with "  [by WHO]". `node_width` pads the node column.
std::string formatEvent(const NodeEvent& event, std::size_t node_width);
// JSON array of {"time","at_ms","node","kind","text","who"}, one object per event.
std::string eventsJson(const std::vector<NodeEvent>& events,
                       const std::vector<std::string>& unreachable);

// --since: a duration back from `now_ms` ("90s", "10m", "2h", "1d") or a UTC time
// ("2026-12-07 05:40", "2026-12-07T05:40:00", with optional ".mmm" and "Z").
Result<std::int64_t> parseSince(const std::string& text, std::int64_t now_ms);

// The wall-clock time as the events show it (UTC, milliseconds).
std::string formatTime(std::int64_t at_ms);

}  // namespace pulse::pcs
