#include "guest_orderings.h"

namespace pulse::pe {
namespace {

// Orders each one-shot action of `rsc` with `task` (on any node) before action `then`.
void orderAfter(ActionPlan& plan, int rsc, const std::string& task, int then, std::uint32_t flags,
                const std::string& origin) {
  for (int first : actionsWithTask(plan, rsc, task, -1)) {
    addPlanEdge(plan, first, then, flags | kOrderPreserve, origin);
  }
}

// Orders action `first` before each one-shot action of `rsc` with `task`.
void orderBefore(ActionPlan& plan, int first, int rsc, const std::string& task, std::uint32_t flags,
                 const std::string& origin) {
  for (int then : actionsWithTask(plan, rsc, task, -1)) {
    addPlanEdge(plan, first, then, flags | kOrderPreserve, origin);
  }
}

}  // namespace

void orderActionsOnGuestNodes(WorkingSet& ws, ActionPlan& plan) {
  // Orderings are added while iterating: iterate over the actions that exist now.
  const std::size_t count = plan.actions.size();
  for (std::size_t i = 0; i < count; ++i) {
    const PlannedAction a = plan.actions[i];
    if (a.rsc < 0 || a.node < 0 || a.pseudo) continue;
    const int container = ws.guestContainer(a.node);
    if (container < 0) continue;
    const int connection = ws.nodes[static_cast<std::size_t>(a.node)].connection;
    // A failed container already made its guest need a reset (WorkingSet::fenceNode).
    const bool container_failed = ws.resources[static_cast<std::size_t>(container)].failed;
    const std::string origin = "guest node " + ws.nodes[static_cast<std::size_t>(a.node)].name;
    const int id = a.id;
    if (a.task == "start") {
      // Moving onto the guest: the copy elsewhere stops only once the connection is up, so
      // that it keeps running if the connection cannot start.
      for (int other : plan.by_resource[static_cast<std::size_t>(a.rsc)]) {
        const PlannedAction& o = plan.actions[static_cast<std::size_t>(other)];
        if (o.node != a.node && o.task == "stop") {
          orderAfter(plan, connection, "start", other, kOrderOptional, origin);
        }
      }
    }
    if (a.task == "start" || a.task == "promote") {
      orderAfter(plan, container, "start", id, kOrderImpliesThen, origin);
      orderAfter(plan, connection, "start", id, kOrderNone, origin);
    } else if (a.task == "stop" || a.task == "demote" || a.task == "migrate_to" ||
               a.task == "migrate_from") {
      if (!container_failed) orderBefore(plan, id, connection, "stop", kOrderNone, origin);
    } else {
      orderAfter(plan, connection, "start", id, a.interval_ms > 0 ? kOrderImpliesThen : kOrderNone,
                 origin);
    }
  }
}

void leaveGuestContainerOrderingsOutOfGraph(const WorkingSet& ws, ActionPlan& plan) {
  for (ActionEdge& e : plan.edges) {
    if (e.flags & kOrderPreserve) continue;
    const PlannedAction& first = plan.actions[static_cast<std::size_t>(e.first)];
    const PlannedAction& then = plan.actions[static_cast<std::size_t>(e.then)];
    if (first.rsc < 0 || first.node < 0 || then.rsc < 0) continue;
    if (ws.guestContainer(first.node) == then.rsc) e.flags |= kOrderNotInGraph;
  }
}

}  // namespace pulse::pe
