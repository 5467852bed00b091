// Transition Summary lines (after Pacemaker's rsc_action_default) and the
// crm_mon-style views of the cluster before and after the transition.
#include "summary.h"

#include <algorithm>

#include "fencing.h"
#include "guest_revised.h"

namespace pulse::pe {
namespace {

const std::string& nodeName(const WorkingSet& ws, int node) {
  return ws.nodes[static_cast<std::size_t>(node)].name;
}

class SummaryWriter {
 public:
  SummaryWriter(const WorkingSet& ws, const ActionPlan& plan) : ws_(ws), plan_(plan) {}

  void resource(const Resource& r, std::vector<SummaryItem>& out) {
    if (!r.children.empty() || r.kind == ResourceConfig::Kind::Group) {
      for (int c : r.children) resource(ws_.resources[static_cast<std::size_t>(c)], out);
      return;
    }
    int current = ws_.currentNode(r);
    int next = r.assigned_to;
    if (!r.managed || (current < 0 && next < 0)) return;
    // A resource active somewhere counts as started here even when its last operation there
    // left it stopped (say, a failed migration's target): Pacemaker's
    // pcmk__output_resource_actions resets the role before it describes the change.
    role_ = (current >= 0 && r.role == Role::Stopped) ? Role::Started : r.role;
    bool moving = current >= 0 && next >= 0 && current != next;
    const PlannedAction* start = findAction(plan_, r.index, "start", next);
    int start_node = (start == nullptr || !start->runnable) ? -1 : current;
    const PlannedAction* stop = findAction(plan_, r.index, "stop", start_node);
    bool reload =
        std::find(plan_.reloading.begin(), plan_.reloading.end(), r.index) != plan_.reloading.end();
    const PlannedAction* promote = findAction(plan_, r.index, "promote", next);
    const PlannedAction* demote = findAction(plan_, r.index, "demote", -1);
    if (role_ == r.next_role) {
      if (next < 0) return;
      const PlannedAction* migrate = findAction(plan_, r.index, "migrate_from", next);
      if (migrate != nullptr && current >= 0 && migrate->runnable) {
        item(out, "Migrate", r, current, next, start, nullptr);
        return;
      }
      if (reload) {
        item(out, "Reload", r, current, next, start, nullptr);
        return;
      }
      if (start == nullptr || start->optional) {
        if (demote && promote && !demote->optional && !promote->optional) {
          item(out, "Re-promote", r, current, next, promote, demote);
        }
        return;
      }
      if (!start->runnable) {
        item(out, "Stop", r, current, -1, stop, (stop && !stop->reason.empty()) ? stop : start);
      } else if (moving && current >= 0) {
        item(out, r.failed ? "Recover" : "Move", r, current, next, stop, nullptr);
      } else if (r.failed) {
        item(out, "Recover", r, current, -1, stop, nullptr);
      } else {
        item(out, "Restart", r, current, next, start, nullptr);
      }
      return;
    }
    if (stop && (r.next_role == Role::Stopped || (start && !start->runnable))) {
      for (int node : r.running_on) {
        const PlannedAction* stop_op = findAction(plan_, r.index, "stop", node);
        item(out, "Stop", r, node, -1, stop_op,
             (stop_op && !stop_op->reason.empty()) ? stop_op : start);
      }
    } else if (stop && r.failed && r.needs_stop) {
      item(out, "Recover", r, current, next, stop, start);
    } else if (moving) {
      item(out, "Move", r, current, next, stop, nullptr);
    } else if (reload) {
      item(out, "Reload", r, current, next, start, nullptr);
    } else if (stop && !stop->optional) {
      item(out, "Restart", r, current, next, start, nullptr);
    } else if (role_ == Role::Promoted && demote) {
      item(out, "Demote", r, current, next, demote, nullptr);
    } else if (r.next_role == Role::Promoted && promote) {
      item(out, "Promote", r, current, next, promote, nullptr);
    } else if (role_ == Role::Stopped && r.next_role > Role::Stopped) {
      item(out, "Start", r, current, next, start, nullptr);
    }
  }

 private:
  void item(std::vector<SummaryItem>& out, const char* verb, const Resource& r, int origin,
            int destination, const PlannedAction* action, const PlannedAction* source) {
    if (source == nullptr) source = action;
    SummaryItem s;
    s.verb = verb;
    s.resource = r.id;
    // Pacemaker's rsc_action_item: roles are named for promotable instances.
    const bool need_role = role_ > Role::Started || r.next_role > Role::Unpromoted;
    const std::string role = roleName(role_), next_role = roleName(r.next_role);
    if (origin < 0 && destination >= 0) {
      s.details = need_role ? role + " -> " + next_role + " " + nodeName(ws_, destination)
                            : nodeName(ws_, destination);
    } else if (destination < 0 && origin >= 0) {
      s.details = need_role ? role + " " + nodeName(ws_, origin) : nodeName(ws_, origin);
    } else if (origin >= 0 && destination >= 0) {
      const bool same_role = role_ == r.next_role;
      if (origin == destination) {
        s.details = !need_role  ? nodeName(ws_, origin)
                    : same_role ? role + " " + nodeName(ws_, origin)
                                : role + " -> " + next_role + " " + nodeName(ws_, origin);
      } else if (same_role) {
        s.details = nodeName(ws_, origin) + " -> " + nodeName(ws_, destination) +
                    (need_role ? " " + role : "");
      } else {
        s.details = role + " " + nodeName(ws_, origin) + " -> " + next_role + " " +
                    nodeName(ws_, destination);
      }
    }
    bool runnable = action == nullptr || action->runnable;
    std::string reason = source ? source->reason : "";
    if (!reason.empty() && !runnable) {
      s.reason = "due to " + reason + " (blocked)";
    } else if (!reason.empty()) {
      s.reason = "due to " + reason;
    } else if (!runnable) {
      s.reason = "blocked";
    }
    out.push_back(std::move(s));
  }

  const WorkingSet& ws_;
  const ActionPlan& plan_;
  Role role_ = Role::Stopped;  // the described resource's role, as resource() settled it
};

// Where node `node`'s history comes in the status section (past the end when it has none).
std::size_t statusPosition(const WorkingSet& ws, int node) {
  const Node& n = ws.nodes[static_cast<std::size_t>(node)];
  const auto& states = ws.cib->node_states;
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (states[i].id == n.id || states[i].uname == n.name) return i;
  }
  return states.size();
}

// A recurring monitor configured for the Promoted role. Executing the transition records its
// expected result, rc 8 (running promoted), so the instance ends promoted even when no promote
// was scheduled (Pacemaker 2.1.5 can start an instance with its Promoted monitor, as when an
// ordering restarts a promoted instance).
bool isPromotedMonitor(const Resource& r, const PlannedAction& a) {
  if (a.task != "monitor" || a.interval_ms <= 0 || r.config == nullptr) return false;
  for (const OperationConfig& op : r.config->ops) {
    if (op.name == "monitor" && op.interval_ms == a.interval_ms && !op.role.empty() &&
        parseRole(op.role) == Role::Promoted) {
      return true;
    }
  }
  return false;
}

ResourceView viewOf(const WorkingSet& ws, const Resource& r, const ActionPlan* plan) {
  ResourceView v;
  v.id = r.id;
  v.agent = r.agent;
  v.managed = r.managed || r.frozen_by_ticket || r.unmanaged_without_fencing;
  v.blocked = r.blocked && !r.frozen_by_ticket;
  v.disabled = r.target_role == Role::Stopped;
  v.is_group = r.kind == ResourceConfig::Kind::Group;
  v.is_clone = isClone(r);
  v.orphan = r.orphan;
  v.cloned = r.config != nullptr ? r.config->id : r.id;
  if (v.is_clone) {
    v.unique = r.unique;
    v.promotable = r.promotable;
    v.cloned = r.config->members.front().id;
    for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
      if (r.allowed[n] && *r.allowed[n] >= 0) v.all_nodes.push_back(ws.nodes[n].name);
    }
  }
  if (v.is_group || v.is_clone) {
    for (int c : r.children) {
      v.members.push_back(viewOf(ws, ws.resources[static_cast<std::size_t>(c)], plan));
    }
    return v;
  }
  std::vector<int> nodes = r.running_on;
  bool failed = r.failed;
  bool refailed = false;  // a container whose guest needs fencing again after the transition
  if (plan != nullptr) {
    // Fencing a node stops everything on it.
    for (int id : plan->fencing) {
      const PlannedAction& f = plan->actions[static_cast<std::size_t>(id)];
      if (isUnfencing(f)) continue;
      nodes.erase(std::remove(nodes.begin(), nodes.end(), f.node), nodes.end());
    }
    const std::vector<int>& mine = plan->by_resource[static_cast<std::size_t>(r.index)];
    for (int id : mine) {
      const PlannedAction& a = plan->actions[static_cast<std::size_t>(id)];
      if (!inGraph(ws, a) || a.node < 0) continue;
      if (a.task == "stop") {
        nodes.erase(std::remove(nodes.begin(), nodes.end(), a.node), nodes.end());
        failed = false;
      }
      // A failure handled by demoting (on-fail=demote: failed, yet no stop needed) is over
      // once the demotion is done: the history then ends in a successful demote.
      if (a.task == "demote" && !r.needs_stop) failed = false;
    }
    for (int id : mine) {
      const PlannedAction& a = plan->actions[static_cast<std::size_t>(id)];
      if (!inGraph(ws, a) || a.node < 0) continue;
      if (a.task == "start" && std::find(nodes.begin(), nodes.end(), a.node) == nodes.end()) {
        nodes.push_back(a.node);
        failed = false;
      }
    }
    // A start pending without a call id stays the newest entry of its node's history, after
    // the simulated stop there: crm_simulate still shows the resource active on that node.
    // (Fencing the node clears its history.)
    for (int n : r.unnumbered_start_on) {
      const bool fenced = std::any_of(plan->fencing.begin(), plan->fencing.end(), [&](int id) {
        const PlannedAction& f = plan->actions[static_cast<std::size_t>(id)];
        return f.node == n && !isUnfencing(f);
      });
      if (fenced || std::find(nodes.begin(), nodes.end(), n) != nodes.end()) continue;
      // Listed where its node's history comes in the status section.
      auto at = std::find_if(nodes.begin(), nodes.end(), [&](int other) {
        return statusPosition(ws, other) > statusPosition(ws, n);
      });
      nodes.insert(at, n);
    }
    // What a guest's fencing stopped stays in the guest's history (guest_revised.h).
    for (int guest : leftOnFencedGuests(ws, *plan, r)) {
      if (std::find(nodes.begin(), nodes.end(), guest) != nodes.end()) continue;
      nodes.push_back(guest);
      failed = failed || failedWhereLeft(ws, r, guest);
    }
    // Even stopped: crm_mon shows a resource failed whatever its state.
    if (containerFailsAgain(ws, *plan, r.index)) failed = refailed = true;
  }
  for (int n : nodes) v.nodes.push_back(ws.nodes[static_cast<std::size_t>(n)].name);
  v.failed = failed && (!nodes.empty() || refailed);
  v.role = nodes.empty() ? Role::Stopped : Role::Started;
  if (!nodes.empty() && inPromotableClone(ws, r)) {
    // A promotable instance is promoted or unpromoted, as the transition leaves it.
    Role role = r.role == Role::Promoted ? Role::Promoted : Role::Unpromoted;
    if (plan != nullptr) {
      for (int id : plan->by_resource[static_cast<std::size_t>(r.index)]) {
        const PlannedAction& a = plan->actions[static_cast<std::size_t>(id)];
        if (!inGraph(ws, a)) continue;
        if (a.task == "stop" || a.task == "demote") role = Role::Unpromoted;
      }
      for (int id : plan->by_resource[static_cast<std::size_t>(r.index)]) {
        const PlannedAction& a = plan->actions[static_cast<std::size_t>(id)];
        if (inGraph(ws, a) && (a.task == "promote" || isPromotedMonitor(r, a))) {
          role = Role::Promoted;
        }
      }
    }
    v.role = role;
  }
  if (plan == nullptr && !r.pending_task.empty()) {
    // Pacemaker's native_pending_state and native_pending_task (a pending probe never gets
    // here: history.cc does not take it as the pending task).
    const std::string& task = r.pending_task;
    if (task == "start") v.pending = "Starting";
    if (task == "stop") v.pending = "Stopping";
    if (task == "migrate_to" || task == "migrate_from") v.pending = "Migrating";
    if (task == "promote") v.pending = "Promoting";
    if (task == "demote") v.pending = "Demoting";
    if (task == "monitor") v.pending_flag = "Monitoring";
    if (r.pending_node >= 0)
      v.pending_node = ws.nodes[static_cast<std::size_t>(r.pending_node)].name;
  }
  return v;
}

}  // namespace

std::vector<SummaryItem> summarize(const WorkingSet& ws, const ActionPlan& plan) {
  std::vector<SummaryItem> out;
  // Node actions come first: "Fence (reboot) node1 'reason'".
  for (const PlannedAction* f : fenceActionsToReport(ws, plan)) {
    SummaryItem s;
    s.verb = "Fence (" + f->key.substr(f->key.rfind('-') + 1) + ")";
    s.resource = nodeName(ws, f->node);
    // A guest node is named with the container whose recovery fences it.
    if (const int container = ws.guestContainer(f->node); container >= 0) {
      s.resource += " (resource: " + ws.resources[static_cast<std::size_t>(container)].id + ")";
    }
    s.reason = f->reason;
    out.push_back(std::move(s));
  }
  SummaryWriter writer(ws, plan);
  std::vector<int> order = ws.top_level;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return ws.resources[static_cast<std::size_t>(a)].priority >
           ws.resources[static_cast<std::size_t>(b)].priority;
  });
  if (!ws.placement_order.empty()) order = ws.placement_order;
  for (int top : order) writer.resource(ws.resources[static_cast<std::size_t>(top)], out);
  return out;
}

ClusterView describeCluster(const WorkingSet& ws, const ActionPlan* plan) {
  ClusterView view;
  for (const Node& n : ws.nodes) {
    NodeView nv;
    nv.name = n.name;
    nv.online = n.online;
    nv.standby = n.standby && !n.pending;
    nv.maintenance = n.maintenance;
    nv.unclean = n.unclean;
    nv.health = n.health;
    nv.remote = n.remote;
    nv.guest = n.guest;
    // After the transition a remote node is up exactly when its connection will run.
    if (plan != nullptr && n.remote) nv.online = n.online && !n.shutdown;
    view.nodes.push_back(nv);
  }
  // After the transition a fenced node is down and clean.
  if (plan != nullptr) {
    for (int id : plan->fencing) {
      // A guest "fenced" by its container's recovery is up again when its connection is.
      const PlannedAction& f = plan->actions[static_cast<std::size_t>(id)];
      if (isUnfencing(f) || ws.guestContainer(f.node) >= 0) continue;
      NodeView& nv =
          view.nodes[static_cast<std::size_t>(plan->actions[static_cast<std::size_t>(id)].node)];
      nv.online = false;
      nv.unclean = false;
    }
  }
  // crm_mon lists resources as the scheduler keeps them: by priority, then configuration order.
  std::vector<int> order = ws.top_level;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return ws.resources[static_cast<std::size_t>(a)].priority >
           ws.resources[static_cast<std::size_t>(b)].priority;
  });
  for (int top : order) {
    // crm_mon does not list the connections Pacemaker made up for guest nodes.
    const Resource& r = ws.resources[static_cast<std::size_t>(top)];
    if (r.remote_node >= 0 && r.container >= 0 && !r.orphan) continue;
    ResourceView v = viewOf(ws, ws.resources[static_cast<std::size_t>(top)], plan);
    if (v.orphan && v.nodes.empty()) continue;  // an inactive orphan is not listed
    view.resources.push_back(std::move(v));
  }
  return view;
}

}  // namespace pulse::pe
