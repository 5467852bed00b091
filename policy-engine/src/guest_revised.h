// The cluster as crm_simulate shows it after a transition that fenced a guest node. A guest's
// fencing is a pseudo-action, and so are the stops it implies: simulating them records
// nothing, so what ran on the guest stays in the guest's history. After the transition it is
// still active there (next to wherever it started again); if the guest is then down, or a
// failure there that calls for fencing is still recorded, the guest needs fencing again and
// its resources and container show as failed.
#pragma once

#include <vector>

#include "actions.h"

namespace pulse::pe {

// Where `r` is left active after the transition, besides where it runs or starts: the guest
// nodes whose fencing implied its stop and where it does not start again. Of a guest down
// after the transition, the history is read only with fencing enabled, and a clone instance
// left there is not active (crm_mon's native_active skips a managed resource on a node that
// is down).
std::vector<int> leftOnFencedGuests(const WorkingSet& ws, const ActionPlan& plan,
                                    const Resource& r);

// Whether `r`, left on guest `guest` (leftOnFencedGuests), shows as failed after the
// transition: the guest is down then, or `r` failed there and that failure is still recorded.
bool failedWhereLeft(const WorkingSet& ws, const Resource& r, int guest);

// Whether container `rsc` shows as failed after the transition: a guest it hosts needs
// fencing again, being down with resources left on it, or having one left there whose
// recorded failure calls for fencing.
bool containerFailsAgain(const WorkingSet& ws, const ActionPlan& plan, int rsc);

}  // namespace pulse::pe
