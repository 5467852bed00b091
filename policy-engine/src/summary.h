// What crm_simulate prints about a decision: the Transition Summary lines
// (Pacemaker's LogActions), crm_mon-style views before and after, and the
// allocation scores.
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

std::vector<ScoreLine> scoreLines(const WorkingSet& ws);

}  // namespace pulse::pe
