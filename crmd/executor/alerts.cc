#include "crmd/executor/alerts.h"

#include <algorithm>
#include <cstring>
#include <ctime>

#include "crmd/executor/agent_metadata.h"
#include "crmd/executor/ocf.h"

namespace pulse::crmd {
namespace {

bool isTrue(std::string_view v) {
  std::string s(v);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s == "true" || s == "on" || s == "yes" || s == "y" || s == "1";
}

// The alert's or recipient's meta attributes, the first set naming a key winning (Pacemaker
// unpacks every meta_attributes set without overwriting). False: enabled=false.
bool applyMeta(const pugi::xml_node& owner, AlertEntry& entry) {
  std::map<std::string, std::string> meta;
  for (pugi::xml_node set : owner.children("meta_attributes")) {
    for (pugi::xml_node pair : set.children("nvpair")) {
      meta.emplace(pair.attribute("name").as_string(), pair.attribute("value").as_string());
    }
  }
  if (auto it = meta.find("enabled"); it != meta.end() && !isTrue(it->second)) return false;
  if (auto it = meta.find("timeout"); it != meta.end()) {
    auto ms = parseDuration(it->second);
    entry.timeout = ms.ok() && ms->count() > 0 ? *ms : kDefaultAlertTimeout;
  }
  if (auto it = meta.find("timestamp-format"); it != meta.end()) {
    entry.timestamp_format = it->second;
  }
  return true;
}

void applyVariables(const pugi::xml_node& owner, AlertEntry& entry) {
  pugi::xml_node set = owner.child("instance_attributes");
  for (pugi::xml_node pair : set.children("nvpair")) {
    entry.variables[pair.attribute("name").as_string()] = pair.attribute("value").as_string();
  }
}

void applySelect(const pugi::xml_node& owner, AlertEntry& entry) {
  pugi::xml_node select = owner.child("select");
  if (!select || !select.first_child()) return;
  bool nodes = false, fencing = false, resources = false, attributes = false;
  std::vector<std::string> names;
  for (pugi::xml_node kind : select.children()) {
    const std::string_view tag = kind.name();
    nodes = nodes || tag == "select_nodes";
    fencing = fencing || tag == "select_fencing";
    resources = resources || tag == "select_resources";
    if (tag == "select_attributes") {
      attributes = true;
      for (pugi::xml_node attr : kind.children("attribute")) {
        if (const char* name = attr.attribute("name").as_string(nullptr)) names.push_back(name);
      }
    }
  }
  if (!nodes && !fencing && !resources && !attributes) return;  // nothing Pacemaker knows
  entry.nodes = nodes;
  entry.fencing = fencing;
  entry.resources = resources;
  entry.attributes = attributes;
  if (!names.empty()) entry.attribute_names = std::move(names);
}

bool unpack(const pugi::xml_node& owner, AlertEntry& entry) {
  applyVariables(owner, entry);
  if (!applyMeta(owner, entry)) return false;
  applySelect(owner, entry);
  return true;
}

}  // namespace

std::string_view alertKindName(AlertKind kind) {
  switch (kind) {
    case AlertKind::kNode:
      return "node";
    case AlertKind::kFencing:
      return "fencing";
    case AlertKind::kResource:
      return "resource";
    case AlertKind::kAttribute:
      return "attribute";
  }
  return "node";
}

bool AlertEntry::wants(AlertKind kind, std::string_view attribute) const {
  switch (kind) {
    case AlertKind::kNode:
      return nodes;
    case AlertKind::kFencing:
      return fencing;
    case AlertKind::kResource:
      return resources;
    case AlertKind::kAttribute:
      return attributes &&
             (attribute_names.empty() || std::find(attribute_names.begin(), attribute_names.end(),
                                                   attribute) != attribute_names.end());
  }
  return false;
}

std::vector<AlertEntry> readAlerts(const pugi::xml_node& cib) {
  std::vector<AlertEntry> out;
  pugi::xml_node alerts = cib.child("configuration").child("alerts");
  for (pugi::xml_node alert : alerts.children("alert")) {
    const char* id = alert.attribute("id").as_string(nullptr);
    const char* path = alert.attribute("path").as_string(nullptr);
    if (id == nullptr || path == nullptr || *path == '\0') continue;  // the schema forbids both
    AlertEntry entry;
    entry.id = id;
    entry.path = path;
    if (!unpack(alert, entry)) continue;  // a disabled alert: its recipients cannot enable it
    bool any_recipient = false;
    for (pugi::xml_node recipient : alert.children("recipient")) {
      any_recipient = true;
      AlertEntry copy = entry;
      copy.recipient = recipient.attribute("value").as_string();
      if (unpack(recipient, copy)) out.push_back(std::move(copy));
    }
    if (!any_recipient) out.push_back(std::move(entry));
  }
  return out;
}

std::string formatAlertTimestamp(std::string_view format,
                                 std::chrono::system_clock::time_point when) {
  const auto since_epoch = when.time_since_epoch();
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  const long usec = static_cast<long>(
      std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count() % 1000000);
  std::tm tm{};
  ::localtime_r(&seconds, &tm);
  char digits[8];
  std::snprintf(digits, sizeof digits, "%06ld", usec < 0 ? 0 : usec);

  // Pieces between %N conversions go through strftime; each %[width]N becomes `width` digits.
  std::string out, piece;
  const auto flush = [&] {
    if (piece.empty()) return;
    char buffer[512];
    const std::size_t n = std::strftime(buffer, sizeof buffer, piece.c_str(), &tm);
    out.append(buffer, n);
    piece.clear();
  };
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      piece += format[i];
      continue;
    }
    std::size_t j = i + 1;
    while (j < format.size() && format[j] >= '0' && format[j] <= '9') ++j;
    if (j < format.size() && format[j] == 'N') {
      flush();
      int width = 0;
      for (std::size_t k = i + 1; k < j; ++k) width = std::min(6, width * 10 + (format[k] - '0'));
      out.append(digits, static_cast<std::size_t>(width));
      i = j;
      continue;
    }
    // Any other conversion (with its width) is strftime's; "%%" stays one piece.
    piece.append(format.substr(i, std::min(j + 1, format.size()) - i));
    i = std::min(j, format.size() - 1);
  }
  flush();
  return out;
}

std::vector<std::string> alertEnvironment(const AlertEntry& entry, const AlertEvent& event,
                                          std::chrono::system_clock::time_point when,
                                          std::uint64_t sequence) {
  std::map<std::string, std::string> env;
  for (const auto& [name, value] : entry.variables) {
    if (isEnvName(name) && value.find('\0') == std::string::npos) env[name] = value;
  }
  const auto set = [&](const char* key, const std::string& value) {
    env[std::string("CRM_alert_") + key] = value;
    env[std::string("CRM_notify_") + key] = value;
  };
  const auto setNumber = [&](const char* key, const std::optional<long long>& value) {
    if (value) set(key, std::to_string(*value));
  };
  set("kind", std::string(alertKindName(event.kind)));
  set("version", std::string(kAlertInterfaceVersion));
  set("recipient", entry.recipient);
  set("node_sequence", std::to_string(sequence));
  set("timestamp", formatAlertTimestamp(entry.timestamp_format, when));
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count();
  set("timestamp_epoch", std::to_string(us / 1000000));
  char usec[8];
  std::snprintf(usec, sizeof usec, "%06lld", static_cast<long long>(us % 1000000));
  set("timestamp_usec", usec);
  set("node", event.node);
  if (event.nodeid) set("nodeid", std::to_string(*event.nodeid));
  if (event.kind != AlertKind::kAttribute) set("desc", event.desc);
  if (event.kind == AlertKind::kResource) set("rsc", event.rsc);
  if (event.kind == AlertKind::kResource || event.kind == AlertKind::kFencing) {
    set("task", event.task);
  }
  setNumber("interval", event.interval_ms);
  setNumber("target_rc", event.target_rc);
  setNumber("status", event.status);
  setNumber("rc", event.rc);
  setNumber("exec_time", event.exec_time_ms);
  if (event.kind == AlertKind::kAttribute) {
    set("attribute_name", event.attribute_name);
    set("attribute_value", event.attribute_value);
  }
  env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  std::vector<std::string> out;
  out.reserve(env.size());
  for (auto& [name, value] : env) {
    if (value.find('\0') != std::string::npos) continue;
    out.push_back(name + "=" + value);
  }
  return out;
}

}  // namespace pulse::crmd
