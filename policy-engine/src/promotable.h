// Promotable clones: which instances are promoted, after Pacemaker 2.1.5's
// pcmk__add_promotion_scores and pcmk__set_instance_roles
// (pcmk_sched_promotable.c).
#pragma once

#include "clone_assign.h"
#include "working_set.h"

namespace pulse::pe {

// Before placement: each instance prefers the nodes where its promotion score
// (node attribute master-<rsc>) is positive, and takes the best as priority.
void addPromotionScores(WorkingSet& ws, int clone);

// After placement: the promoted-max instances with the highest promotion
// priority on their node (within promoted-node-max) are promoted; the other
// placed instances are unpromoted.
void setInstanceRoles(WorkingSet& ws, AssignSteps& steps, int clone);

// Colocation `c` of `dependent` with a role of promotable clone `clone`
// (pcmk__update_dependent_with_promotable): the dependent prefers, or for a
// mandatory colocation is limited to, the nodes of instances in that role.
void applyColocationWithPromotable(WorkingSet& ws, int dependent, int clone, const Colocation& c);

}  // namespace pulse::pe
