// Actions on guest nodes against the guest's container and connection, after Pacemaker
// 2.1.5's apply_container_ordering: a resource on a guest runs only while the guest's
// connection is up, and starts again when the container (the VM, say) does.
#pragma once

#include "actions.h"

namespace pulse::pe {

// Orders every resource action on a guest node (once the resource actions exist, before the
// fencing): starts and promotes after the container's start, which makes them required, and
// after the connection's start; stops and demotes before the connection's stop unless the
// container failed (then they are implied by its recovery); other actions after the
// connection's start (required for recurring monitors).
void orderActionsOnGuestNodes(WorkingSet& ws, ActionPlan& plan);

// Once the flags are settled: an ordering (not one the cluster made for the guest's sake)
// from an action on a guest node to an action of that guest's container stays out of the
// graph (kOrderNotInGraph), as Pacemaker refuses such constraints there.
void leaveGuestContainerOrderingsOutOfGraph(const WorkingSet& ws, ActionPlan& plan);

}  // namespace pulse::pe
