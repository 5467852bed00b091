#include "pcs-cli/status_output.h"

#include <sstream>

#include "pcs-cli/json.h"
#include "pcs-cli/status_failures.h"
#include "policy-engine/simulate_output.h"

namespace pulse::pcs {
namespace {

std::string timeText(std::time_t t) {
  char text[64] = "";
  std::tm tm{};
  if (localtime_r(&t, &tm) != nullptr) std::strftime(text, sizeof text, "%a %b %e %T %Y", &tm);
  return text;
}

// crm_mon's "resource instances" (pe__count_common): primitives and clone instances, not
// groups or clones, and not stopped orphans; those disabled (target-role Stopped on them or a
// parent) and blocked are counted apart.
struct InstanceCount {
  std::size_t total = 0, disabled = 0, blocked = 0;
};

void countInstances(const std::vector<pe::ResourceView>& resources, bool parent_disabled,
                    InstanceCount& n) {
  for (const pe::ResourceView& r : resources) {
    if (r.is_group || r.is_clone) {
      countInstances(r.members, parent_disabled || r.disabled, n);
    } else if (!r.orphan || !r.nodes.empty()) {
      ++n.total;
      n.disabled += (parent_disabled || r.disabled) ? 1 : 0;
      n.blocked += r.blocked ? 1 : 0;
    }
  }
}

Json resourcesJson(const std::vector<pe::ResourceView>& resources) {
  Json out = Json::array();
  for (const pe::ResourceView& r : resources) {
    Json resource = {{"id", r.id}};
    if (r.is_clone) {
      resource["type"] = "clone";
      resource["members"] = resourcesJson(r.members);  // the instances, "rsc:0" ...
    } else if (r.is_group) {
      resource["type"] = "group";
      resource["members"] = resourcesJson(r.members);
    } else {
      resource["type"] = "primitive";
      resource["agent"] = r.agent;
      resource["role"] = pe::roleName(r.nodes.empty() ? pe::Role::Stopped : r.role);
      resource["nodes"] = r.nodes;
      resource["failed"] = r.failed;
      resource["managed"] = r.managed;
      resource["disabled"] = r.disabled;
    }
    out.push_back(std::move(resource));
  }
  return out;
}

}  // namespace

std::string formatSummary(const ClusterStatus& s) {
  std::ostringstream out;
  out << "Cluster Summary:\n  * Stack: pulse\n";
  if (s.dc) {
    out << "  * Current DC: " << *s.dc << " (version " << s.version << ") - partition "
        << (s.quorate ? "with" : "WITHOUT") << " quorum\n";
  } else if (!s.file.empty()) {
    out << "  * Current DC: NONE (CIB file " << s.file << ", not a running cluster)\n";
  } else if (!s.quorate && !s.daemon_status.empty()) {
    // A live node without quorum: Pulse elects no DC there, and this says why.
    out << "  * Current DC: NONE - partition WITHOUT quorum\n";
  } else {
    out << "  * Current DC: NONE\n";
  }
  out << "  * Last updated: " << timeText(s.now) << "\n";
  if (s.last_change) {
    out << "  * Last change:  " << timeText(*s.last_change)
        << (s.last_change_by.empty() ? "" : " " + s.last_change_by) << "\n";
  }
  out << "  * " << s.view.nodes.size() << " node" << (s.view.nodes.size() == 1 ? "" : "s")
      << " configured\n";
  InstanceCount n;
  countInstances(s.view.resources, false, n);
  out << "  * " << n.total << " resource instance" << (n.total == 1 ? "" : "s") << " configured";
  if (n.disabled > 0 && n.blocked > 0) {
    out << " (" << n.disabled << " DISABLED, " << n.blocked
        << " BLOCKED from further action due to failure)";
  } else if (n.disabled > 0) {
    out << " (" << n.disabled << " DISABLED)";
  } else if (n.blocked > 0) {
    out << " (" << n.blocked << " BLOCKED from further action due to failure)";
  }
  out << "\n";
  return out.str();
}

std::string formatStatus(const ClusterStatus& s) {
  std::ostringstream out;
  out << "Cluster name: " << s.cluster_name << "\n";
  for (const std::string& node : s.unreachable) {
    out << "Warning: Unable to get the status of node " << node << ": it did not reply\n";
  }
  out << formatSummary(s) << "\n";
  out << pe::formatClusterView(s.view, "");
  if (!s.out_of_date.empty()) {
    out << "\nOut of date (resynchronised from the DC when they rejoin):\n";
    for (const std::string& line : s.out_of_date) out << "  * " << line << "\n";
  }
  if (!s.failed_actions.empty()) {
    out << "\nFailed Resource Actions:\n";
    // Pulse's readable line first (issue 13), then crm_mon --show-detail's fields as pcs
    // status --full prints them, so that a grep for the operation key still finds the failure.
    for (const FailedAction& f : s.failed_actions) {
      out << "  * " << failureReadable(f, s.now) << "\n    " << failureTechnical(f) << "\n";
    }
  }
  if (s.file.empty()) out << "\nDaemon Status:\n  crmd: " << s.daemon_status << "\n";
  return out.str();
}

std::string statusJson(const ClusterStatus& s) {
  Json nodes = Json::array();
  for (const pe::NodeView& n : s.view.nodes) {
    nodes.push_back({{"name", n.name},
                     {"online", n.online},
                     {"standby", n.standby},
                     {"maintenance", n.maintenance},
                     {"unclean", n.unclean}});
  }
  Json failed = Json::array();
  for (const FailedAction& f : s.failed_actions) {
    failed.push_back({{"operation", f.key},
                      {"node", f.node},
                      {"rc", static_cast<std::uint64_t>(f.rc)},
                      {"rc_text", f.rc_text},
                      {"exit_reason", f.exit_reason},
                      {"text", failureReadable(f, s.now)}});
  }
  Json status = {{"cluster_name", s.cluster_name},
                 {"dc", s.dc ? Json(*s.dc) : Json(nullptr)},
                 {"quorate", s.quorate},
                 {"nodes", std::move(nodes)},
                 {"resources", resourcesJson(s.view.resources)},
                 {"failed_actions", std::move(failed)},
                 {"unreachable_nodes", s.unreachable}};
  // Only when there are: the document stays as it was for a cluster with every node current.
  if (!s.out_of_date.empty()) status["out_of_date_nodes"] = s.out_of_date;
  if (!s.file.empty()) status["file"] = s.file;
  return jsonText(status) + "\n";
}

}  // namespace pulse::pcs
