// Scores and assignment: location constraints, stickiness and fail-counts
// give each resource a score per node; colocations are applied while
// resources are assigned one by one (Pacemaker's assign methods).
#pragma once

#include <optional>

#include "working_set.h"

namespace pulse::pe {

// Location constraints, stickiness, migration-threshold bans.
std::optional<Error> applyNodeCriteria(WorkingSet& ws);

// Colocation constraints from the configuration plus the groups' internal ones.
std::optional<Error> unpackColocations(WorkingSet& ws);

// Assigns every resource to a node (or none), in priority order.
void assignResources(WorkingSet& ws);

}  // namespace pulse::pe
