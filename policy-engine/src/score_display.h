// What crm_simulate -s shows: the node weights of a resource at each assignment stage, as
// Pacemaker 2.1.5 prints them (pe__show_node_weights, and the promotion-score message).
//
// The assignment stages call these at the moments Pacemaker prints; nothing is recorded
// unless WorkingSet::show_scores is set, so an ordinary run pays one flag test per stage.
// Recording only reads the scores: it never changes a decision.
#pragma once

#include <string_view>

#include "working_set.h"

namespace pulse::pe {

// "<stage>: <rsc> allocation score on <node>: <score>" for every node in the allowed-node
// table of `rsc`, then the same for each of its children (recursively), nodes by name.
// Orphans (and what is inside them) are not shown.
void showNodeWeights(WorkingSet& ws, int rsc, std::string_view stage);

// "<instance> promotion score on <node|none>: <sort_index>" for a promotable clone's
// instance once its promotion priority is known.
void showPromotionScore(WorkingSet& ws, int instance);

}  // namespace pulse::pe
