#include "pcs-cli/crm_mon_output.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "pcs-cli/json.h"
#include "pcs-cli/status_failures.h"
#include "policy-engine/cib_config.h"
#include "policy-engine/simulate_output.h"

namespace pulse::pcs {
namespace {

constexpr int kInfinity = 1000000;

bool startsWith(std::string_view s, std::string_view prefix) { return s.starts_with(prefix); }

// Pacemaker's node attribute filter (crm_mon's FILTER_STR): its own bookkeeping is not shown.
bool shownAttribute(std::string_view name) {
  for (std::string_view hidden :
       {"fail-count-", "last-failure-", "shutdown", "terminate", "standby", "#"}) {
    if (startsWith(name, hidden)) return false;
  }
  return true;
}

// The configured resource an lrm_resource id names: "vip", or a clone instance "ping:1".
pugi::xml_node configuredResource(const pugi::xml_node& cib, const std::string& id) {
  const std::string base = id.substr(0, id.find(':'));
  return cib.child("configuration").child("resources").find_node([&](pugi::xml_node n) {
    return base == n.attribute("id").as_string() &&
           (std::string_view(n.name()) == "primitive" || std::string_view(n.name()) == "group" ||
            std::string_view(n.name()) == "clone" || std::string_view(n.name()) == "master");
  });
}

// A clone (or master) whose instances are anonymous (globally-unique is not true).
bool anonymousClone(const pugi::xml_node& rsc) {
  for (pugi::xml_node n = rsc; n && std::string_view(n.name()) != "resources"; n = n.parent()) {
    const std::string_view kind = n.name();
    if (kind != "clone" && kind != "master") continue;
    for (pugi::xml_node set : n.children("meta_attributes")) {
      for (pugi::xml_node p : set.children("nvpair")) {
        if (std::string_view(p.attribute("name").as_string()) == "globally-unique") {
          return !p.attribute("value").as_bool(false);
        }
      }
    }
    return true;
  }
  return false;
}

std::string metaValue(const pugi::xml_node& element, const std::string& name) {
  for (pugi::xml_node set : element.children("meta_attributes")) {
    for (pugi::xml_node p : set.children("nvpair")) {
      if (name == p.attribute("name").as_string()) return p.attribute("value").as_string();
    }
  }
  return "";
}

// migration-threshold: the resource's, else its group's or clone's, else rsc_defaults'.
std::string migrationThreshold(const pugi::xml_node& cib, const pugi::xml_node& rsc) {
  for (pugi::xml_node n = rsc; n && std::string_view(n.name()) != "resources"; n = n.parent()) {
    if (std::string v = metaValue(n, "migration-threshold"); !v.empty()) return v;
  }
  if (std::string v =
          metaValue(cib.child("configuration").child("rsc_defaults"), "migration-threshold");
      !v.empty()) {
    return v;
  }
  return std::to_string(kInfinity);
}

int scoreValue(std::string_view text) {
  if (text == "INFINITY" || text == "+INFINITY") return kInfinity;
  long long v = 0;
  std::sscanf(std::string(text).c_str(), "%lld", &v);
  return static_cast<int>(std::clamp<long long>(v, 0, kInfinity));
}

std::string scoreText(int score) { return score >= kInfinity ? "INFINITY" : std::to_string(score); }

// The node's <node> id in the configuration (crm_mon's id=); the name when it has none.
std::string nodeId(const pugi::xml_node& cib, const std::string& uname) {
  for (pugi::xml_node n : cib.child("configuration").child("nodes").children("node")) {
    if (uname == n.attribute("uname").as_string()) return n.attribute("id").as_string();
  }
  return uname;
}

pugi::xml_node nodeState(const pugi::xml_node& cib, const std::string& uname) {
  for (pugi::xml_node s : cib.child("status").children("node_state")) {
    if (uname == s.attribute("uname").as_string()) return s;
  }
  return {};
}

bool online(const ClusterStatus& status, const std::string& node) {
  return std::any_of(status.view.nodes.begin(), status.view.nodes.end(),
                     [&](const pe::NodeView& n) { return n.name == node && n.online; });
}

}  // namespace

void addCibSummary(const pugi::xml_node& cib, ClusterStatus& s) {
  if (s.file.empty() || s.dc) {
    // A running cluster's DC and quorum are the membership's (status_source.h).
  } else if (const std::string dc = cib.attribute("dc-uuid").as_string(); !dc.empty()) {
    // A dc-uuid that names no configured node is no DC ("Current DC: NONE").
    for (pugi::xml_node n : cib.child("configuration").child("nodes").children("node")) {
      if (dc == n.attribute("id").as_string()) s.dc = n.attribute("uname").as_string();
    }
    s.version = pe::cibconf::clusterOption(cib, "dc-version", "unknown");
    s.quorate = cib.attribute("have-quorum").as_bool(false);
  }
  s.file.clear();  // crm_mon names no file in its summary (pcs status -f does)
  // cib-last-written is ctime()'s text, which Pacemaker reads back in local time.
  if (const char* written = cib.attribute("cib-last-written").as_string(); *written != '\0') {
    std::tm tm{};
    if (strptime(written, "%a %b %d %H:%M:%S %Y", &tm) != nullptr) {
      tm.tm_isdst = -1;
      s.last_change = std::mktime(&tm);
      // Each part only when recorded: "by root via cibadmin on n1", "via crmd on n2".
      std::string by;
      for (const auto& [word, name] :
           {std::pair{"by ", "update-user"}, {"via ", "update-client"}, {"on ", "update-origin"}}) {
        if (const char* v = cib.attribute(name).as_string(); *v != '\0') {
          by += (by.empty() ? "" : " ") + std::string(word) + v;
        }
      }
      s.last_change_by = by;
    }
  }
}

void useCrmMonFailures(const pugi::xml_node& cib, ClusterStatus& s) {
  s.failed_actions.clear();
  for (FailedAction& f : failedActions(cib, /*every_result=*/true)) {
    if (online(s, f.node)) s.failed_actions.push_back(std::move(f));
  }
}

CrmMonFacts crmMonFacts(const pugi::xml_node& cib, const ClusterStatus& status) {
  CrmMonFacts facts;
  for (const pe::NodeView& node : status.view.nodes) {
    if (!node.online) continue;
    NodeAttributes attrs{node.name, {}};
    const auto add = [&](const pugi::xml_node& nvpair) {
      const std::string name = nvpair.attribute("name").as_string();
      if (!shownAttribute(name)) return;
      auto it = std::find_if(attrs.values.begin(), attrs.values.end(),
                             [&](const auto& v) { return v.first == name; });
      if (it == attrs.values.end()) {
        attrs.values.emplace_back(name, nvpair.attribute("value").as_string());
      } else {
        it->second = nvpair.attribute("value").as_string();  // transient wins over permanent
      }
    };
    for (pugi::xml_node n : cib.child("configuration").child("nodes").children("node")) {
      if (node.name != n.attribute("uname").as_string()) continue;
      for (pugi::xpath_node p : n.select_nodes("instance_attributes/nvpair")) add(p.node());
    }
    for (pugi::xpath_node p :
         nodeState(cib, node.name)
             .select_nodes("transient_attributes/instance_attributes/nvpair")) {
      add(p.node());
    }
    std::sort(attrs.values.begin(), attrs.values.end());
    if (!attrs.values.empty()) facts.attributes.push_back(std::move(attrs));
  }
  for (pugi::xml_node state : cib.child("status").children("node_state")) {
    const std::string uname = state.attribute("uname").as_string();
    if (!online(status, uname)) continue;
    NodeHistory history{uname, nodeId(cib, uname), {}};
    const auto transient = state.select_nodes("transient_attributes/instance_attributes/nvpair");
    for (pugi::xml_node r : state.child("lrm").child("lrm_resources").children("lrm_resource")) {
      ResourceHistory h;
      h.id = r.attribute("id").as_string();
      const pugi::xml_node configured = configuredResource(cib, h.id);
      h.orphan = !configured;
      h.migration_threshold = migrationThreshold(cib, configured);
      // An anonymous clone's instances are one resource to crm_mon: listed by the bare name,
      // with the fail counts of every instance on the node (fail-count-ping#..., ping:1#...).
      const std::string base = h.id.substr(0, h.id.find(':'));
      h.name = base != h.id && anonymousClone(configured) ? base : h.id;
      for (pugi::xpath_node n : transient) {
        const std::string name = n.node().attribute("name").as_string();
        const auto counts = [&](const std::string& prefix) {
          if (!startsWith(name, prefix)) return false;
          const std::string_view rest = std::string_view(name).substr(prefix.size());
          const std::string_view rsc = rest.substr(0, rest.find('#'));
          return rsc == h.id || (h.name == base && rsc.substr(0, rsc.find(':')) == base);
        };
        if (counts("fail-count-")) {
          h.fail_count =
              std::min(kInfinity, h.fail_count + scoreValue(n.node().attribute("value").value()));
        } else if (counts("last-failure-")) {
          h.last_failure =
              std::max<std::time_t>(h.last_failure, n.node().attribute("value").as_llong(0));
        }
      }
      for (pugi::xml_node op : r.children("lrm_rsc_op")) {
        OperationRecord o;
        o.call = op.attribute("call-id").as_string();
        o.task = op.attribute("operation").as_string();
        o.interval_ms = op.attribute("interval").as_llong(0);
        o.rc = op.attribute("rc-code").as_int(0);
        if (o.task == "monitor" && o.interval_ms == 0) o.task = "probe";
        if (o.task == "notify" || (o.task == "probe" && o.rc == 7)) continue;
        if (op.attribute("last-rc-change")) {
          o.last_rc_change = static_cast<std::time_t>(op.attribute("last-rc-change").as_llong(0));
        }
        if (op.attribute("exec-time")) o.exec_ms = op.attribute("exec-time").as_int(0);
        if (op.attribute("queue-time")) o.queue_ms = op.attribute("queue-time").as_int(0);
        h.operations.push_back(std::move(o));
      }
      std::stable_sort(h.operations.begin(), h.operations.end(),
                       [](const OperationRecord& a, const OperationRecord& b) {
                         return std::atoll(a.call.c_str()) < std::atoll(b.call.c_str());
                       });
      history.resources.push_back(std::move(h));
    }
    facts.history.push_back(std::move(history));
  }
  return facts;
}

namespace {

// "vip: migration-threshold=1000000 fail-count=1 last-failure='...'" (crm_mon's resource
// header in the Migration Summary and the Operations).
std::string historyHeader(const ResourceHistory& h, bool operations) {
  // The Migration Summary names the instance ("ping:1"), the Operations the resource ("ping").
  std::string out = (operations ? h.name : h.id) + ": migration-threshold=" + h.migration_threshold;
  if (h.fail_count > 0) out += " fail-count=" + scoreText(h.fail_count);
  if (h.fail_count > 0 && h.last_failure > 0) {
    out += " last-failure='" + crmTimeText(h.last_failure) + "'";
  }
  return out;
}

// One operation as crm_mon -o (-t: with its timing and result) prints it.
std::string operationLine(const OperationRecord& o, bool timing) {
  std::string out = "(" + o.call + ") " + o.task;
  std::string details;
  if (o.interval_ms > 0) details += " interval=\"" + std::to_string(o.interval_ms) + "ms\"";
  if (timing) {
    if (o.last_rc_change) details += " last-rc-change=\"" + crmTimeText(*o.last_rc_change) + "\"";
    if (o.exec_ms) details += " exec-time=\"" + std::to_string(*o.exec_ms) + "ms\"";
    if (o.queue_ms) details += " queue-time=\"" + std::to_string(*o.queue_ms) + "ms\"";
    details += " rc=" + std::to_string(o.rc) + " (" + rcText(o.rc) + ")";
  }
  return details.empty() ? out : out + ":" + details;
}

std::string historyText(const CrmMonFacts& facts, const CrmMonOptions& options) {
  std::ostringstream out;
  for (const NodeHistory& node : facts.history) {
    std::ostringstream lines;
    for (const ResourceHistory& h : node.resources) {
      if (options.operations) {
        if (h.operations.empty()) continue;
        lines << "    * " << historyHeader(h, true) << ":\n";
        for (const OperationRecord& o : h.operations) {
          lines << "      * " << operationLine(o, options.timing) << "\n";
        }
      } else if (h.fail_count > 0) {
        lines << "    * " << historyHeader(h, false) << "\n";
      }
    }
    if (lines.str().empty()) continue;
    out << "  * Node: " << node.node;
    if (options.show_detail) out << " (" << node.id << ")";
    out << ":\n" << lines.str();
  }
  // The heading stands even over an empty list, as crm_mon prints it.
  return std::string(options.operations ? "\nOperations:\n" : "\nMigration Summary:\n") + out.str();
}

}  // namespace

std::string crmMonText(const ClusterStatus& s, const CrmMonFacts& facts,
                       const CrmMonOptions& options) {
  std::ostringstream out;
  out << formatSummary(s) << "\n" << pe::formatClusterView(s.view, "", options.inactive);
  if (options.attributes && !facts.attributes.empty()) {
    out << "\nNode Attributes:\n";
    for (const NodeAttributes& node : facts.attributes) {
      out << "  * Node: " << node.node << ":\n";
      for (const auto& [name, value] : node.values) {
        char line[256];
        std::snprintf(line, sizeof line, "    * %-32s\t: %-10s\n", name.c_str(), value.c_str());
        out << (name.size() + value.size() < 200 ? std::string(line)
                                                 : "    * " + name + "\t: " + value + "\n");
      }
    }
  }
  if (options.failcounts || options.operations) out << historyText(facts, options);
  if (!s.failed_actions.empty()) {
    out << "\nFailed Resource Actions:\n";
    for (const FailedAction& f : s.failed_actions) {
      out << "  * " << (options.show_detail ? failureTechnical(f) : failureFriendly(f)) << "\n";
    }
  }
  return out.str();
}

std::string crmMonJson(const ClusterStatus& s, const CrmMonFacts& facts) {
  Json doc = Json::parse(statusJson(s));
  Json failed = Json::array();
  for (std::size_t i = 0; i < s.failed_actions.size(); ++i) {
    Json f = doc["failed_actions"][i];
    f["friendly"] = failureFriendly(s.failed_actions[i]);
    failed.push_back(std::move(f));
  }
  doc["failed_actions"] = std::move(failed);
  Json attributes = Json::object();
  for (const NodeAttributes& node : facts.attributes) {
    Json values = Json::object();
    for (const auto& [name, value] : node.values) values[name] = value;
    attributes[node.node] = std::move(values);
  }
  doc["node_attributes"] = std::move(attributes);
  Json history = Json::array();
  for (const NodeHistory& node : facts.history) {
    Json resources = Json::array();
    for (const ResourceHistory& h : node.resources) {
      Json ops = Json::array();
      for (const OperationRecord& o : h.operations) {
        Json op = {{"call", o.call},
                   {"task", o.task},
                   {"interval_ms", static_cast<std::int64_t>(o.interval_ms)},
                   {"rc", static_cast<std::int64_t>(o.rc)},
                   {"rc_text", rcText(o.rc)}};
        if (o.last_rc_change) op["last_rc_change"] = static_cast<std::int64_t>(*o.last_rc_change);
        if (o.exec_ms) op["exec_ms"] = static_cast<std::int64_t>(*o.exec_ms);
        if (o.queue_ms) op["queue_ms"] = static_cast<std::int64_t>(*o.queue_ms);
        ops.push_back(std::move(op));
      }
      Json r = {{"id", h.id},
                {"name", h.name},
                {"orphan", h.orphan},
                {"migration_threshold", h.migration_threshold},
                {"fail_count", scoreText(h.fail_count)},
                {"operations", std::move(ops)}};
      if (h.last_failure > 0) r["last_failure"] = static_cast<std::int64_t>(h.last_failure);
      resources.push_back(std::move(r));
    }
    history.push_back({{"node", node.node}, {"resources", std::move(resources)}});
  }
  doc["node_history"] = std::move(history);
  return jsonText(doc) + "\n";
}

}  // namespace pulse::pcs
