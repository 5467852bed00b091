// Reads the status section's operation history into each resource's
// current role, location, failures and fail-counts (Pacemaker's unpack of
// lrm_rsc_op entries), without deciding anything about the future.
#pragma once

#include <optional>
#include <string>

#include "working_set.h"

namespace pulse::pe {

std::optional<Error> unpackHistory(WorkingSet& ws);

// The resource a node's lrm_resource entry `id` belongs to (-1 when none):
// clone histories are matched to instances, adding orphans as needed.
int historyResource(WorkingSet& ws, int node, const std::string& id);

// "rsc:3" -> "rsc"; other ids unchanged.
std::string stripInstance(const std::string& id);

// Effective fail-count of a resource on a node, with failure-timeout applied.
Score failCount(const WorkingSet& ws, const Resource& r, int node);

}  // namespace pulse::pe
