// Definition changes: an operation recorded with parameters (op digests)
// other than the configuration's now is restarted, reloaded or
// rescheduled, as Pacemaker's pcmk__check_action_config decides.
#pragma once

#include "policy-engine/op_digest.h"
#include "working_set.h"

namespace pulse::pe {

enum class DigestCheck { Unknown, Match, Restart, All };

// What `task` at `interval_ms` of `r` is digested from, as the configuration defines it: the
// resource's parameters (its group's added), the op's parameters and its normalised timeout
// (the op's, else op_defaults', else 20 s). No feature set: the caller adds the recorded one.
OpDigestInput opDigestInput(const WorkingSet& ws, const Resource& r, const std::string& task,
                            std::int64_t interval_ms);

// Whether the controller records `task` at `interval_ms` of `r` as pending when it hands it to a
// node (Pacemaker's record-pending: the op's attribute, else its meta_attributes, else
// op_defaults; true when none says, as since Pacemaker 2.1.0).
bool recordPending(const WorkingSet& ws, const Resource& r, const std::string& task,
                   std::int64_t interval_ms);

// Compares the recorded digests of `op` with the configuration's.
DigestCheck compareDigests(const WorkingSet& ws, const Resource& r, const OperationRecord& op);

// What the definition check asks of the action stage: a value of its own, so that the stage
// reads the working set and changes nothing in it.
struct ConfigChanges {
  std::vector<ForcedAction> forced;          // must run again (not optional)
  std::vector<std::pair<int, int>> reloads;  // (resource, node) to reload in place
  // (node, reason): a fence device's definition or parameters changed there, so with
  // unfencing in use the node is unfenced again (Pacemaker's trigger_unfencing).
  std::vector<std::pair<int, std::string>> unfence;
};

// Compares every active resource's history with its definition.
ConfigChanges checkConfigChanges(const WorkingSet& ws);

}  // namespace pulse::pe
