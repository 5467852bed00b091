// Reads the status section's operation history into each resource's
// current role, location, failures and fail-counts (Pacemaker's unpack of
// lrm_rsc_op entries), without deciding anything about the future.
#pragma once

#include <optional>

#include "working_set.h"

namespace pulse::pe {

std::optional<Error> unpackHistory(WorkingSet& ws);

// Effective fail-count of a resource on a node, with failure-timeout applied.
Score failCount(const WorkingSet& ws, const Resource& r, int node);

}  // namespace pulse::pe
