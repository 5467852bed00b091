// Definition changes: an operation recorded with parameters (op digests)
// other than the configuration's now is restarted, reloaded or
// rescheduled, as Pacemaker's pcmk__check_action_config decides.
#pragma once

#include "op_digest.h"
#include "working_set.h"

namespace pulse::pe {

enum class DigestCheck { Unknown, Match, Restart, All };

// What `task` at `interval_ms` of `r` is digested from, as the configuration defines it: the
// resource's parameters (its group's added), the op's parameters and its normalised timeout
// (the op's, else op_defaults', else 20 s). No feature set: the caller adds the recorded one.
OpDigestInput opDigestInput(const WorkingSet& ws, const Resource& r, const std::string& task,
                            std::int64_t interval_ms);

// Compares the recorded digests of `op` with the configuration's.
DigestCheck compareDigests(const WorkingSet& ws, const Resource& r, const OperationRecord& op);

// Fills ws.forced and ws.reloads from every active resource's history.
void checkConfigChanges(WorkingSet& ws);

}  // namespace pulse::pe
