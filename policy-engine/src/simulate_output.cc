#include "policy-engine/simulate_output.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "common/xml_escape.h"

namespace pulse::pe {
namespace {

// crm_mon's order: role, node (when on one), "(flag, flag)", "[ nodes ]".
// An operation in flight shows instead of the role ("Starting node2"), on the node it runs on
// when the resource is active nowhere else ("Stopping node1" once only the stop is recorded).
std::string state(const ResourceView& r) {
  std::string s = r.failed             ? "FAILED"
                  : !r.pending.empty() ? r.pending
                  : r.nodes.empty()    ? "Stopped"
                                       : roleName(r.role);
  // A failed promoted instance says so: "FAILED Promoted node1" (native_output_string).
  if (r.failed && r.role == Role::Promoted) s += std::string(" ") + roleName(r.role);
  if (r.orphan) s = "ORPHANED " + s;
  if (r.nodes.size() == 1) {
    s += " " + r.nodes.front();
  } else if (r.nodes.empty() && !r.pending_node.empty()) {
    s += " " + r.pending_node;
  }
  std::vector<std::string> flags;
  if (!r.pending_flag.empty()) flags.push_back(r.pending_flag);
  if (r.disabled) flags.push_back("disabled");
  if (r.blocked) {
    flags.push_back("blocked");
  } else if (!r.managed) {
    flags.push_back("unmanaged");
  }
  for (std::size_t i = 0; i < flags.size(); ++i) s += (i == 0 ? " (" : ", ") + flags[i];
  if (!flags.empty()) s += ")";
  if (r.nodes.size() > 1) {
    s += " [";
    for (const auto& n : r.nodes) s += " " + n;
    s += " ]";
  }
  return s;
}

void resourceLines(std::ostringstream& out, const ResourceView& r, const std::string& indent,
                   bool inactive = true);

// Whether any resource in `resources` (members and instances included) is active on `node`.
bool runsAnything(const std::vector<ResourceView>& resources, const std::string& node) {
  for (const ResourceView& r : resources) {
    if (std::find(r.nodes.begin(), r.nodes.end(), node) != r.nodes.end()) return true;
    if (runsAnything(r.members, node)) return true;
  }
  return false;
}

bool active(const ResourceView& r) {
  if (r.is_group) {
    for (const auto& m : r.members) {
      if (active(m)) return true;
    }
    return false;
  }
  return !r.nodes.empty();
}

// The one node an instance runs on cleanly (all members Started there, no
// failure, managed, nothing pending), or "" when it must be listed on its own.
std::string cleanlyStartedOn(const ResourceView& r) {
  if (r.is_group) {
    std::string node;
    for (const auto& m : r.members) {
      std::string at = cleanlyStartedOn(m);
      if (at.empty() || (!node.empty() && at != node)) return "";
      node = at;
    }
    return node;
  }
  if (r.failed || !r.managed || r.orphan || !r.pending.empty() || !r.pending_flag.empty() ||
      r.nodes.size() != 1)
    return "";
  return r.nodes.front();
}

// The first node an instance (or any member of a cloned group's instance) is on; "" if none.
std::string instanceNode(const ResourceView& instance) {
  if (!instance.nodes.empty()) return instance.nodes.front();
  for (const ResourceView& m : instance.members) {
    if (!m.nodes.empty()) return m.nodes.front();
  }
  return "";
}

// An anonymous clone's instances as a status read back from the CIB has them: a node's history
// holds one entry per resource, so instances placed on the same node (Pacemaker 2.1.5 can do
// that with a cloned group: README, Known differences) are one instance there, its members
// where either instance's are.
std::vector<ResourceView> foldedInstances(const ResourceView& clone) {
  std::vector<ResourceView> out;
  for (const ResourceView& m : clone.members) {
    const std::string node = instanceNode(m);
    auto same = std::find_if(out.begin(), out.end(), [&](const ResourceView& o) {
      return !node.empty() && instanceNode(o) == node;
    });
    if (clone.unique || same == out.end()) {
      out.push_back(m);
      continue;
    }
    for (std::size_t i = 0; i < same->members.size() && i < m.members.size(); ++i) {
      if (same->members[i].nodes.empty()) same->members[i] = m.members[i];
    }
  }
  return out;
}

// crm_mon's clone set: anonymous instances running cleanly are summed up as
// "Started: [ nodes ]"; the others (and every instance of a unique clone) are
// listed one by one; "Stopped: [ nodes ]" names the nodes without an instance.
void cloneLines(std::ostringstream& out, const ResourceView& r, const std::string& indent,
                bool inactive) {
  out << indent << "* Clone Set: " << r.id << " [" << r.cloned << "]";
  if (r.promotable) out << " (promotable)";
  if (r.unique) out << " (unique)";
  if (r.disabled) out << " (disabled)";
  if (!r.managed) out << " (unmanaged)";
  out << ":\n";
  const std::string inner = indent + "  ";
  std::vector<std::string> started, promoted, unpromoted, seen;
  for (const ResourceView& m : foldedInstances(r)) {
    if (!active(m)) continue;
    std::string node = r.unique ? "" : cleanlyStartedOn(m);
    if (!node.empty()) {
      Role role = m.is_group ? m.members.front().role : m.role;
      (role == Role::Promoted     ? promoted
       : role == Role::Unpromoted ? unpromoted
                                  : started)
          .push_back(node);
      continue;
    }
    ResourceView shown = m;
    if (!r.unique) {
      if (!m.is_group) shown.id = m.cloned;  // anonymous primitives go by the bare name
      for (ResourceView& member : shown.members) member.id = member.cloned;
    }
    resourceLines(out, shown, inner, inactive);
  }
  for (const ResourceView& m : r.members) {
    if (m.is_group) {
      for (const auto& g : m.members) seen.insert(seen.end(), g.nodes.begin(), g.nodes.end());
    } else {
      seen.insert(seen.end(), m.nodes.begin(), m.nodes.end());
    }
  }
  std::sort(started.begin(), started.end());
  std::sort(promoted.begin(), promoted.end());
  std::sort(unpromoted.begin(), unpromoted.end());
  auto list = [&](const char* label, const std::vector<std::string>& names) {
    if (names.empty()) return;
    out << inner << "* " << label << ": [";
    for (const auto& n : names) out << " " << n;
    out << " ]\n";
  };
  list("Promoted", promoted);
  list("Unpromoted", unpromoted);
  list("Started", started);
  if (!inactive) return;  // crm_mon without -r names no stopped instances
  std::vector<std::string> stopped;
  for (const std::string& n : r.all_nodes) {
    if (std::find(seen.begin(), seen.end(), n) == seen.end()) stopped.push_back(n);
  }
  std::sort(stopped.begin(), stopped.end());
  list("Stopped", stopped);
}

void resourceLines(std::ostringstream& out, const ResourceView& r, const std::string& indent,
                   bool inactive) {
  if (r.is_clone) {
    cloneLines(out, r, indent, inactive);
    return;
  }
  if (r.is_group) {
    // crm_mon's "Resource Group: web (disabled):", the flag before the colon.
    out << indent << "* Resource Group: " << r.id;
    bool all_disabled = !r.members.empty() && r.disabled;
    if (all_disabled) out << " (disabled)";
    out << ":\n";
    for (const auto& m : r.members) resourceLines(out, m, indent + "  ", inactive);
    return;
  }
  out << indent << "* " << r.id << "\t(" << r.agent << "):\t " << state(r) << "\n";
}

}  // namespace

std::string formatClusterView(const ClusterView& view, const std::string& indent, bool inactive) {
  std::ostringstream out;
  const std::string heading = indent.empty() ? "" : indent + "* ";
  const std::string item = indent + "  ";
  out << heading << "Node List:\n";
  std::vector<std::string> online, offline, remote_online, remote_offline, guest_online;
  for (const NodeView& n : view.nodes) {
    // A node that is not healthy is listed on its own line with its health.
    // Remote nodes are named "RemoteNode" on their own lines and listed apart.
    const char* kind = n.guest ? "GuestNode " : (n.remote ? "RemoteNode " : "Node ");
    const char* health =
        n.health < 0 ? " (health is RED)" : (n.health == 0 ? " (health is YELLOW)" : "");
    if (n.unclean) {
      // crm_mon's words: a member that must be fenced for a failure is still online.
      out << item << "* " << kind << n.name << ": UNCLEAN (" << (n.online ? "online" : "offline")
          << ")" << health << "\n";
    } else if (n.online && n.standby) {
      // crm_mon says when a standby node still runs something (it is being drained).
      out << item << "* " << kind << n.name << ": standby"
          << (runsAnything(view.resources, n.name) ? " (with active resources)" : "") << health
          << "\n";
    } else if (n.online && n.maintenance) {
      out << item << "* " << kind << n.name << ": maintenance" << health << "\n";
    } else if (n.health <= 0) {
      out << item << "* " << kind << n.name << ": " << (n.online ? "online" : "OFFLINE") << health
          << "\n";
    } else if (n.online) {
      (n.guest ? guest_online : (n.remote ? remote_online : online)).push_back(n.name);
    } else if (!n.guest) {  // offline guests are not listed
      (n.remote ? remote_offline : offline).push_back(n.name);
    }
  }
  auto list = [&](const char* label, const std::vector<std::string>& names) {
    if (names.empty()) return;
    out << item << "* " << label << ": [";
    for (const auto& n : names) out << " " << n;
    out << " ]\n";
  };
  list("Online", online);
  list("OFFLINE", offline);
  list("RemoteOnline", remote_online);
  list("RemoteOFFLINE", remote_offline);
  list("GuestOnline", guest_online);
  if (inactive) {
    out << "\n" << heading << "Full List of Resources:\n";
    if (view.resources.empty()) out << item << "* No resources\n";
    for (const ResourceView& r : view.resources) resourceLines(out, r, item);
    return out.str();
  }
  // crm_mon without -r: resources active somewhere (a clone or group: any of its parts).
  out << "\n" << heading << "Active Resources:\n";
  bool any = false;
  for (const ResourceView& r : view.resources) {
    const bool shown =
        r.is_clone ? std::any_of(r.members.begin(), r.members.end(), active) : active(r);
    if (!shown) continue;
    any = true;
    resourceLines(out, r, item, false);
  }
  if (!any) out << item << "* No active resources\n";
  return out.str();
}

std::string formatSummary(const Transition& t) {
  // crm_simulate's column widths only ever grow, line by line.
  std::ostringstream out;
  int rsc_width = 5;
  int detail_width = 5;
  for (const SummaryItem& s : t.summary) {
    // Node actions ("Fence (reboot) node1 'reason'") have a line of their own and leave
    // the resource columns alone.
    if (s.verb.rfind("Fence", 0) == 0 || s.verb == "Shutdown") {
      out << "  * " << s.verb << " " << s.resource;
      if (!s.reason.empty()) out << " '" << s.reason << "'";
      out << "\n";
      continue;
    }
    int len = static_cast<int>(s.resource.size());
    if (len > rsc_width) rsc_width = len + 2;
    int dlen = static_cast<int>(s.details.size());
    if (dlen > detail_width) detail_width = dlen;
    char buf[1024];
    std::snprintf(buf, sizeof buf, "  * %-8s   %-*s   ( %*s )%s%s\n", s.verb.c_str(), rsc_width,
                  s.resource.c_str(), detail_width, s.details.c_str(), s.reason.empty() ? "" : "  ",
                  s.reason.c_str());
    out << buf;
  }
  return out.str();
}

std::string formatExecutedActions(const Transition& t) {
  std::ostringstream out;
  for (const Action& a : t.actions) {
    if (a.pseudo) {
      // A fence pseudo-action (a guest's) names its node, as the graph gives it a target.
      out << "  * Pseudo action:   " << a.key;
      if (a.task == "stonith") out << " on " << a.node;
      out << "\n";
    } else if (a.task == "stonith") {
      out << "  * Fencing " << a.node << " (" << a.key.substr(a.key.rfind('-') + 1) << ")\n";
    } else {
      char buf[512];
      std::string op = a.task;
      if (a.interval_ms > 0) op += "=" + std::to_string(a.interval_ms);
      std::snprintf(buf, sizeof buf, "  * Resource action: %-15s %s on %s\n", a.resource.c_str(),
                    op.c_str(), a.node.c_str());
      out << buf;
    }
  }
  return out.str();
}

std::string formatScores(const Transition& t) {
  std::ostringstream out;
  for (const ScoreLine& s : t.scores) out << s.text << "\n";
  if (!t.scores.empty()) out << "\n";  // crm_simulate ends the list with a blank line
  return out.str();
}

std::string formatGraphXml(const Transition& t) {
  std::ostringstream out;
  out << "<transition_graph cluster-delay=\"60s\" stonith-timeout=\"60s\" "
         "failed-stop-offset=\"INFINITY\" failed-start-offset=\"INFINITY\" transition_id=\"0\">\n";
  std::vector<std::vector<int>> inputs(t.actions.size());
  for (const Ordering& o : t.orderings) inputs[static_cast<std::size_t>(o.then)].push_back(o.first);
  for (const Action& a : t.actions) {
    out << "  <synapse id=\"" << a.id << "\">\n    <action_set>\n";
    if (a.pseudo) {
      out << "      <pseudo_event id=\"" << a.id << "\" operation=\"" << xmlEscape(a.task)
          << "\" operation_key=\"" << xmlEscape(a.key) << "\"/>\n";
    } else {
      out << "      <rsc_op id=\"" << a.id << "\" operation=\"" << xmlEscape(a.task)
          << "\" operation_key=\"" << xmlEscape(a.key) << "\" on_node=\"" << xmlEscape(a.node)
          << "\">\n        <primitive id=\"" << xmlEscape(a.resource) << "\"/>\n"
          << "        <attributes CRM_meta_interval=\"" << a.interval_ms << "\"/>\n"
          << "      </rsc_op>\n";
    }
    out << "    </action_set>\n    <inputs>\n";
    for (int in : inputs[static_cast<std::size_t>(a.id)]) {
      const Action& f = t.actions[static_cast<std::size_t>(in)];
      out << "      <trigger>\n        <" << (f.pseudo ? "pseudo_event" : "rsc_op") << " id=\""
          << f.id << "\" operation_key=\"" << xmlEscape(f.key) << "\"";
      if (!f.pseudo) out << " on_node=\"" << xmlEscape(f.node) << "\"";
      out << "/>\n      </trigger>\n";
    }
    out << "    </inputs>\n  </synapse>\n";
  }
  out << "</transition_graph>\n";
  return out.str();
}

}  // namespace pulse::pe
