// What crm_simulate prints about a decision: the Transition Summary lines
// (Pacemaker's LogActions) and crm_mon-style views before and after.
#pragma once

#include <vector>

#include "actions.h"
#include "policy-engine/transition.h"
#include "working_set.h"

namespace pulse::pe {

std::vector<SummaryItem> summarize(const WorkingSet& ws, const ActionPlan& plan);

// The cluster as crm_mon shows it: now (plan == nullptr), or after every
// required, runnable action of `plan` succeeded.
ClusterView describeCluster(const WorkingSet& ws, const ActionPlan* plan);

}  // namespace pulse::pe
