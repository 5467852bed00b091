// resource-discovery in location constraints (Pacemaker's discover modes): where a resource
// is probed, and for "exclusive", the only nodes it may run on.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "working_set.h"

namespace pulse::pe {

// A location constraint with resource-discovery `mode` applied to `r` on `nodes` (the nodes
// its node or rules matched): each keeps the strongest mode given to it, in `r` and in every
// resource inside `r`. "exclusive" makes `r` exclusive even where nothing matched.
void markDiscovery(WorkingSet& ws, Resource& r, const std::vector<std::pair<int, Score>>& nodes,
                   const std::string& mode);

// Bans an exclusive resource (or one inside an exclusive resource) from every node that no
// exclusive constraint named (Pacemaker's apply_exclusive_discovery).
void applyExclusiveDiscovery(WorkingSet& ws);

}  // namespace pulse::pe
