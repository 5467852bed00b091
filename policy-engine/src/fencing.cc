#include "fencing.h"

#include <algorithm>

namespace pulse::pe {
namespace {

std::string stonithAction(const WorkingSet& ws) {
  auto it = ws.cib->cluster_options.find("stonith-action");
  if (it == ws.cib->cluster_options.end()) return "reboot";
  return it->second == "poweroff" ? "off" : it->second;
}

bool anyManaged(const WorkingSet& ws) {
  return std::any_of(ws.resources.begin(), ws.resources.end(), [](const Resource& r) {
    return r.kind == ResourceConfig::Kind::Primitive && r.managed;
  });
}

bool knownOn(const Resource& r, int node) {
  return std::find(r.known_on.begin(), r.known_on.end(), node) != r.known_on.end();
}

// The resource's stops there become pseudo actions implied by the fencing; its starts wait
// for the fencing when they require it, or when the resource's state there is unknown.
void orderAgainstFencing(WorkingSet& ws, ActionPlan& plan, int fence, int node) {
  const std::string origin = "fencing of " + ws.nodes[static_cast<std::size_t>(node)].name;
  for (Resource& r : ws.resources) {
    if (r.kind != ResourceConfig::Kind::Primitive) continue;
    const bool implied_after = r.start_needs == Resource::Needs::Fencing;
    std::vector<int> ids = plan.by_resource[static_cast<std::size_t>(r.index)];
    for (int id : ids) {
      PlannedAction& a = plan.actions[static_cast<std::size_t>(id)];
      if (a.interval_ms != 0) continue;
      if (a.task == "stop" && a.node == node) {
        a.pseudo = true;
        a.runnable = true;
        if (implied_after) {
          addPlanEdge(plan, fence, id, kOrderNone, origin);
          if (r.parent >= 0) {
            for (int pid : actionsWithTask(plan, r.parent, "stop", -1)) {
              addPlanEdge(plan, fence, pid, kOrderNone, origin);
            }
          }
        }
      } else if (a.task == "start" || a.task == "promote") {
        if (r.start_needs == Resource::Needs::Fencing) {
          addPlanEdge(plan, fence, id, kOrderOptional, origin);
        } else if (r.start_needs == Resource::Needs::Quorum && a.task == "start" &&
                   r.allowed[static_cast<std::size_t>(node)].has_value() && !knownOn(r, node)) {
          addPlanEdge(plan, fence, id, kOrderOptional | kOrderRunnableLeft, origin);
        }
      }
    }
  }
}

}  // namespace

std::string fenceKey(const WorkingSet& ws, int node) {
  return "stonith-" + ws.nodes[static_cast<std::size_t>(node)].name + "-" + stonithAction(ws);
}

void planFencing(WorkingSet& ws, ActionPlan& plan) {
  // Nothing is fenced until there are resources to manage.
  if (!anyManaged(ws)) return;
  for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
    const int node = static_cast<int>(n);
    if (!ws.nodes[n].unclean || !ws.canFence(node)) continue;
    ws.requestFencing(node, "node is unclean");
    PlannedAction a;
    a.id = static_cast<int>(plan.actions.size());
    a.key = fenceKey(ws, node);
    a.task = "stonith";
    a.node = node;
    a.optional = false;
    a.runnable = true;
    for (const WorkingSet::FenceRequest& f : ws.fence_requests) {
      if (f.node == node) a.reason = f.reason;
    }
    const int id = a.id;
    plan.actions.push_back(std::move(a));
    plan.fencing.push_back(id);
    orderAgainstFencing(ws, plan, id, node);
  }
}

std::vector<const PlannedAction*> fenceActionsToReport(const WorkingSet& ws,
                                                       const ActionPlan& plan) {
  std::vector<const PlannedAction*> out;
  for (auto it = ws.fence_requests.rbegin(); it != ws.fence_requests.rend(); ++it) {
    for (int id : plan.fencing) {
      const PlannedAction& a = plan.actions[static_cast<std::size_t>(id)];
      if (a.node == it->node) out.push_back(&a);
    }
  }
  return out;
}

}  // namespace pulse::pe
