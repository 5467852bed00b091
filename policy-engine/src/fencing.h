// Fencing in the transition, after Pacemaker 2.1.5's schedule_fencing_and_shutdowns and
// pcmk__order_vs_fence: every unclean node that can be fenced gets a fence action; the
// stops of what ran there become pseudo actions implied by (and ordered after) the
// fencing, so those resources may recover elsewhere once the node is known down; starts
// that require fencing wait for it.
#pragma once

#include "actions.h"

namespace pulse::pe {

// The key of a node's fence action, e.g. "stonith-node1-reboot".
std::string fenceKey(const WorkingSet& ws, int node);

// Whether a fence action unfences its node ("on") rather than fencing it.
inline bool isUnfencing(const PlannedAction& a) {
  return a.key.size() > 3 && a.key.compare(a.key.size() - 3, 3, "-on") == 0;
}

// With unfencing in use (some device provides it) and fencing enabled, a resource that does
// not say what it requires requires unfencing (Pacemaker's unpack_requires default); remote
// connections and fence devices excepted.
void applyUnfencingDefault(WorkingSet& ws);

// Adds the fence actions and their orderings to `plan`, whose resource actions exist.
// `unfence` lists the nodes whose fence device changed (ConfigChanges::unfence).
void planFencing(WorkingSet& ws, ActionPlan& plan,
                 const std::vector<std::pair<int, std::string>>& unfence);

// The fence actions in the order crm_simulate lists them (the latest asked for first).
std::vector<const PlannedAction*> fenceActionsToReport(const WorkingSet& ws,
                                                       const ActionPlan& plan);

}  // namespace pulse::pe
