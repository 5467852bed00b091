// Scores and assignment: location constraints, stickiness and fail-counts
// give each resource a score per node; colocations are applied while
// resources are assigned one by one (Pacemaker's assign methods).
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "working_set.h"

namespace pulse::pe {

// Adds location scores (node, score) to a resource; a group passes them on
// to its members as Pacemaker's pcmk__group_apply_location does.
void applyLocation(WorkingSet& ws, Resource& r, const std::vector<std::pair<int, Score>>& scores);

// Node health, location constraints, stickiness, migration-threshold bans.
std::optional<Error> applyNodeCriteria(WorkingSet& ws);

// Colocation constraints from the configuration plus the groups' internal ones.
std::optional<Error> unpackColocations(WorkingSet& ws);

// Assigns every resource to a node (or none), in priority order.
void assignResources(WorkingSet& ws);

}  // namespace pulse::pe
