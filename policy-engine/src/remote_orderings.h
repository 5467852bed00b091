// Actions on Pacemaker Remote nodes (not guests) against the node's connection resource, after
// Pacemaker 2.1.5's apply_remote_ordering: what runs on a remote node runs only while its
// connection is up, so starts wait for the connection's start and stops come before its stop,
// and what the connection's state (remote_nodes.h's RemoteConnectionState) allows decides the
// rest. Guest nodes are ordered against their container instead (guest_orderings.h).
#pragma once

#include "actions.h"

namespace pulse::pe {

// Orders every resource action on a remote node (once the resource actions exist, before the
// fencing). Each ordering after the connection's start makes the action unrunnable when that
// start cannot run:
// - a start or promote waits for the connection's start (and is required when the connection
//   failed for good, so that fencing recovers it);
// - a stop comes before the connection's stop while the connection is alive or will not run,
//   and otherwise (its member is down, or it is about to start) waits for its start; with an
//   unrecoverable connection the stop is implied by fencing (fenceUnrecoverableRemoteNodes);
// - a demote waits for the connection's start only when the connection is resting or unknown;
// - a recurring monitor waits for the connection's start and restarts with it; other actions
//   wait for its start, or come before its stop when a running connection stops for good.
// A resource moving onto a remote node stops elsewhere only once the connection has started,
// so it keeps running if the connection cannot start.
void orderActionsOnRemoteNodes(WorkingSet& ws, ActionPlan& plan);

}  // namespace pulse::pe
