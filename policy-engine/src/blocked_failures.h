// on-fail="block" and failure-timeout (Pacemaker's block_failure in failcounts.c).
#pragma once

#include "working_set.h"

namespace pulse::pe {

// Pacemaker's block_failure: a resource with a failure of an operation configured with
// on-fail="block" (its last failure, or a recurring result other than expected) on a node
// where it has a fail-count keeps blocking: its failure-timeout is disregarded from then on.
void disregardBlockedFailureTimeouts(WorkingSet& ws);

}  // namespace pulse::pe
