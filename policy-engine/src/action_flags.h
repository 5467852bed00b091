// Settling the flags of planned actions along their orderings: an action
// becomes required when an ordering says its partner's being required
// implies it, and unrunnable when something it needs cannot run (after
// Pacemaker's pcmk__update_ordered_actions and pcmk__block_colocation_dependents).
#pragma once

#include "actions.h"

namespace pulse::pe {

// Flags only ever move one way (optional -> required, runnable ->
// unrunnable), so this is a fixpoint that does not depend on the order
// edges are visited in.
void settleActionFlags(WorkingSet& ws, ActionPlan& plan);

}  // namespace pulse::pe
