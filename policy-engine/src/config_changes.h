// Definition changes: an operation recorded with parameters (op digests)
// other than the configuration's now is restarted, reloaded or
// rescheduled, as Pacemaker's pcmk__check_action_config decides.
#pragma once

#include "working_set.h"

namespace pulse::pe {

enum class DigestCheck { Unknown, Match, Restart, All };

// Compares the recorded digests of `op` with the configuration's.
DigestCheck compareDigests(const WorkingSet& ws, const Resource& r, const OperationRecord& op);

// Fills ws.forced and ws.reloads from every active resource's history.
void checkConfigChanges(WorkingSet& ws);

}  // namespace pulse::pe
