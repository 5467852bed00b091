// Alerts (Pacemaker Explained, "Alerts"): the CIB's <alerts> section as the daemon runs it,
// and the environment an alert agent gets for one event. Pure: no I/O, no clock (the time of
// the event is passed in), so the same inputs give the same environment.
//
// Reading follows Pacemaker's pe_unpack_alerts: every <alert> with an id and a path becomes one
// entry per <recipient> (an alert without recipients is one entry with no recipient), the
// recipient's instance attributes and meta attributes overriding the alert's; meta attributes
// timeout (default 30s; 0 or invalid: the default) and timestamp-format (default
// "%H:%M:%S.%06N"), enabled=false leaves the alert (or the recipient) out. <select> picks
// the kinds of event: select_nodes, select_fencing, select_resources, select_attributes (with
// <attribute name=…> children: only those attributes); without <select> an alert gets node,
// fencing and resource events, not attribute ones.
//
// The environment: the alert's instance attributes by their own names, then, for every key,
// both CRM_alert_<key> and the older CRM_notify_<key> (Pacemaker sets both), keys: kind,
// version, recipient, node_sequence, timestamp, timestamp_epoch, timestamp_usec, node, nodeid,
// desc, rsc, task, interval, target_rc, status, rc, exec_time, attribute_name,
// attribute_value, and a fixed PATH. Nothing of the daemon's own environment is passed on.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace pulse::crmd {

enum class AlertKind { kNode, kFencing, kResource, kAttribute };
std::string_view alertKindName(AlertKind kind);  // "node", "fencing", "resource", "attribute"

inline constexpr std::chrono::milliseconds kDefaultAlertTimeout{30000};
inline constexpr std::string_view kDefaultAlertTimestampFormat = "%H:%M:%S.%06N";
// CRM_alert_version: the Pacemaker release whose alert interface Pulse follows.
inline constexpr std::string_view kAlertInterfaceVersion = "2.1.5";

// One agent call per event: an alert with one of its recipients.
struct AlertEntry {
  std::string id;    // the alert's id
  std::string path;  // the agent
  std::string recipient;
  std::chrono::milliseconds timeout = kDefaultAlertTimeout;
  std::string timestamp_format{kDefaultAlertTimestampFormat};
  bool nodes = true, fencing = true, resources = true, attributes = false;
  std::vector<std::string> attribute_names;      // select_attributes' names; empty: all
  std::map<std::string, std::string> variables;  // instance attributes

  bool wants(AlertKind kind, std::string_view attribute = "") const;
};

// The entries of `cib` (a <cib> element, or null: none), in document order.
std::vector<AlertEntry> readAlerts(const pugi::xml_node& cib);

// What happened, in the words of the CRM_alert_* keys; unset fields are left out.
struct AlertEvent {
  AlertKind kind = AlertKind::kNode;
  std::string node;
  std::optional<std::uint32_t> nodeid;
  std::string desc;
  // resource and fencing events
  std::string rsc, task;
  std::optional<long long> interval_ms, target_rc, status, rc, exec_time_ms;
  // attribute events
  std::string attribute_name, attribute_value;
};

// Pacemaker's timestamp format: strftime's conversions in local time, plus %N for the
// fraction of the second, its digits given by the width ("%06N", "%3N": microsecond digits,
// at most 6; "%N" alone prints nothing, as in Pacemaker).
std::string formatAlertTimestamp(std::string_view format,
                                 std::chrono::system_clock::time_point when);

// The agent's whole environment for `event`, "NAME=value" each, sorted by name. `sequence` is
// CRM_alert_node_sequence (this node's count of alerts sent, one per event and entry).
// Instance attributes whose names are not environment names are left out.
std::vector<std::string> alertEnvironment(const AlertEntry& entry, const AlertEvent& event,
                                          std::chrono::system_clock::time_point when,
                                          std::uint64_t sequence);

}  // namespace pulse::crmd
