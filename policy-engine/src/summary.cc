// Transition Summary lines (after Pacemaker's rsc_action_default) and the
// crm_mon-style views of the cluster before and after the transition.
#include "summary.h"

#include <algorithm>

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
    bool moving = current >= 0 && next >= 0 && current != next;
    const PlannedAction* start = findAction(plan_, r.index, "start", next);
    int start_node = (start == nullptr || !start->runnable) ? -1 : current;
    const PlannedAction* stop = findAction(plan_, r.index, "stop", start_node);
    bool reload =
        std::find(plan_.reloading.begin(), plan_.reloading.end(), r.index) != plan_.reloading.end();
    if (r.role == r.next_role) {
      if (next < 0) return;
      if (reload) {
        item(out, "Reload", r, current, next, start, nullptr);
        return;
      }
      if (start == nullptr || start->optional) return;
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
    } else if (r.role == Role::Stopped && r.next_role > Role::Stopped) {
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
    if (origin < 0 && destination >= 0) {
      s.details = nodeName(ws_, destination);
    } else if (destination < 0 && origin >= 0) {
      s.details = nodeName(ws_, origin);
    } else if (origin >= 0 && destination >= 0) {
      s.details = origin == destination
                      ? nodeName(ws_, origin)
                      : nodeName(ws_, origin) + " -> " + nodeName(ws_, destination);
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
};

ResourceView viewOf(const WorkingSet& ws, const Resource& r, const ActionPlan* plan) {
  ResourceView v;
  v.id = r.id;
  v.agent = r.agent;
  v.managed = r.managed;
  v.blocked = r.blocked;
  v.disabled = r.target_role == Role::Stopped;
  v.is_group = r.kind == ResourceConfig::Kind::Group;
  if (v.is_group) {
    for (int c : r.children) {
      v.members.push_back(viewOf(ws, ws.resources[static_cast<std::size_t>(c)], plan));
    }
    return v;
  }
  std::vector<int> nodes = r.running_on;
  bool failed = r.failed;
  if (plan != nullptr) {
    const std::vector<int>& mine = plan->by_resource[static_cast<std::size_t>(r.index)];
    for (int id : mine) {
      const PlannedAction& a = plan->actions[static_cast<std::size_t>(id)];
      if (!inGraph(ws, a) || a.node < 0) continue;
      if (a.task == "stop") {
        nodes.erase(std::remove(nodes.begin(), nodes.end(), a.node), nodes.end());
        failed = false;
      }
    }
    for (int id : mine) {
      const PlannedAction& a = plan->actions[static_cast<std::size_t>(id)];
      if (!inGraph(ws, a) || a.node < 0) continue;
      if (a.task == "start" && std::find(nodes.begin(), nodes.end(), a.node) == nodes.end()) {
        nodes.push_back(a.node);
        failed = false;
      }
    }
  }
  for (int n : nodes) v.nodes.push_back(ws.nodes[static_cast<std::size_t>(n)].name);
  v.failed = failed && !nodes.empty();
  v.role = nodes.empty() ? Role::Stopped : Role::Started;
  if (plan == nullptr && !r.pending_task.empty()) {
    if (r.pending_task == "start") v.pending = "Starting";
    if (r.pending_task == "stop") v.pending = "Stopping";
  }
  return v;
}

}  // namespace

std::vector<SummaryItem> summarize(const WorkingSet& ws, const ActionPlan& plan) {
  std::vector<SummaryItem> out;
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
    view.nodes.push_back(nv);
  }
  // crm_mon lists resources as the scheduler keeps them: by priority, then configuration order.
  std::vector<int> order = ws.top_level;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return ws.resources[static_cast<std::size_t>(a)].priority >
           ws.resources[static_cast<std::size_t>(b)].priority;
  });
  for (int top : order) {
    view.resources.push_back(viewOf(ws, ws.resources[static_cast<std::size_t>(top)], plan));
  }
  return view;
}

std::vector<ScoreLine> scoreLines(const WorkingSet& ws) {
  std::vector<ScoreLine> lines;
  for (const Resource& r : ws.resources) {
    const char* kind =
        r.kind == ResourceConfig::Kind::Group ? "pcmk__group_assign" : "pcmk__primitive_assign";
    const NodeScores& scores = r.scores_before_capacity ? *r.scores_before_capacity : r.allowed;
    for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
      if (!scores[n]) continue;
      lines.push_back({std::string(kind) + ": " + r.id + " allocation score on " +
                       ws.nodes[n].name + ": " + scoreText(*scores[n])});
    }
  }
  return lines;
}

}  // namespace pulse::pe
