#include "remote_orderings.h"

#include "remote_nodes.h"

namespace pulse::pe {
namespace {

// Pacemaker's order_start_then_action: `then` after each start of the connection, and not
// runnable unless that start is.
void orderStartThen(ActionPlan& plan, int connection, int then, std::uint32_t extra,
                    const std::string& origin) {
  for (int start : actionsWithTask(plan, connection, "start", -1)) {
    addPlanEdge(plan, start, then, kOrderPreserve | kOrderRunnableLeft | extra, origin);
  }
}

// Pacemaker's order_action_then_stop: `first` before each stop of the connection.
void orderThenStop(ActionPlan& plan, int first, int connection, std::uint32_t extra,
                   const std::string& origin) {
  for (int stop : actionsWithTask(plan, connection, "stop", -1)) {
    addPlanEdge(plan, first, stop, kOrderPreserve | extra, origin);
  }
}

}  // namespace

void orderActionsOnRemoteNodes(WorkingSet& ws, ActionPlan& plan) {
  // Orderings are added while iterating: iterate over the actions that exist now.
  const std::size_t count = plan.actions.size();
  for (std::size_t i = 0; i < count; ++i) {
    const PlannedAction a = plan.actions[i];
    if (a.rsc < 0 || a.node < 0 || a.pseudo) continue;
    const Node& node = ws.nodes[static_cast<std::size_t>(a.node)];
    // Guests are ordered against their container; an orphaned remote node has no connection.
    if (!node.remote || node.connection < 0 || ws.guestContainer(a.node) >= 0) continue;
    const int connection = node.connection;
    const Resource& c = ws.resources[static_cast<std::size_t>(connection)];
    const RemoteConnectionState state = remoteConnectionState(ws, a.node);
    const std::string origin = "remote node " + node.name;
    const int id = a.id;
    if (a.task == "start") {
      // Moving onto the remote node: the copy elsewhere stops only once the connection is up.
      for (int other : plan.by_resource[static_cast<std::size_t>(a.rsc)]) {
        const PlannedAction& o = plan.actions[static_cast<std::size_t>(other)];
        if (o.node != a.node && o.task == "stop") {
          for (int start : actionsWithTask(plan, connection, "start", -1)) {
            addPlanEdge(plan, start, other, kOrderOptional, origin);
          }
        }
      }
    }
    // A migration leaves the remote node like a stop.
    const bool stop_like = a.task == "stop" || a.task == "migrate_to" || a.task == "migrate_from";
    if (a.task == "start" || a.task == "promote") {
      // With a connection that failed for good, the action is required: its recovery (by
      // fencing the node) must happen.
      const std::uint32_t extra =
          state == RemoteConnectionState::Failed ? std::uint32_t{kOrderImpliesThen} : 0u;
      orderStartThen(plan, connection, id, extra, origin);
    } else if (stop_like) {
      if (state == RemoteConnectionState::Alive ||
          (state != RemoteConnectionState::Failed && c.next_role == Role::Stopped)) {
        orderThenStop(plan, id, connection, kOrderImpliesFirst, origin);
      } else if (state != RemoteConnectionState::Failed) {
        // The connection starts elsewhere (or again): stop once it is up.
        orderStartThen(plan, connection, id, kOrderNone, origin);
      }
    } else if (a.task == "demote") {
      // Not when the connection is torn down: its start would not be allowed, blocking the
      // demote; the stop ordering covers it then.
      if (state == RemoteConnectionState::Resting || state == RemoteConnectionState::Unknown) {
        orderStartThen(plan, connection, id, kOrderNone, origin);
      }
    } else if (a.interval_ms > 0) {
      // Recurring monitors restart with the connection.
      orderStartThen(plan, connection, id, kOrderImpliesThen, origin);
    } else if (ws.currentNode(c) >= 0 && state == RemoteConnectionState::Stopped) {
      // The connection is up but goes down for good: check before it closes.
      orderThenStop(plan, id, connection, kOrderRunnableLeft, origin);
    } else {
      orderStartThen(plan, connection, id, kOrderNone, origin);
    }
  }
}

}  // namespace pulse::pe
