// Capacity orderings (Pacemaker's load_stopped_<node> pseudo-actions): when
// resource capacities count, a start on a node waits until the stops on that
// node that free capacity are done, so a node is never asked to hold both.
#pragma once

#include "actions.h"

namespace pulse::pe {

// With a placement-strategy other than "default", adds one required
// load_stopped_<node> pseudo-action per node that a resource with
// utilization may run on or runs on, ordered after that resource's stops
// there and before its starts there. Runs after the action flags are settled:
// these orderings change no flags (Pacemaker's pe_order_load).
void addLoadOrderings(const WorkingSet& ws, ActionPlan& plan);

}  // namespace pulse::pe
