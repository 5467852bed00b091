// How a failed operation is handled: the OCF result codes and executor statuses the history
// records, and the on-fail policy of an operation (Pacemaker 2.1.5's on-fail unpacking,
// unpack_operation's defaults and the escalation order of its failure handling).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "working_set.h"

namespace pulse::pe {

// OCF exit codes and executor statuses used in the history.
constexpr int kOcfOk = 0, kOcfInvalidParam = 2, kOcfUnimplemented = 3, kOcfInsufficientPriv = 4,
              kOcfNotInstalled = 5, kOcfNotConfigured = 6, kOcfNotRunning = 7,
              kOcfRunningPromoted = 8, kOcfFailedPromoted = 9, kOcfDegraded = 190,
              kOcfDegradedPromoted = 191;
constexpr int kExecPending = -1, kExecDone = 0, kExecCancelled = 1, kExecNotSupported = 3,
              kExecError = 4, kExecErrorHard = 5, kExecErrorFatal = 6, kExecNotInstalled = 7,
              kExecNoFenceDevice = 10, kExecNoSecrets = 11;

// How strongly an on-fail reaction takes over from another: a later failure only escalates.
int severity(OnFail f);

// What a failure of an operation does (on_fail) and the role the resource is then limited to
// (fail_role: Stopped for on-fail=stop, say).
struct FailurePolicy {
  OnFail on_fail = OnFail::Recover;
  Role fail_role = Role::Started;
};

// The on-fail policy of the resource's `task` at `interval_ms`: the operation's own setting,
// then op_defaults, then Pacemaker's default for the task and the kind of resource.
FailurePolicy failurePolicy(const WorkingSet& ws, const Resource& r, const std::string& task,
                            std::int64_t interval_ms);

// Whether a stop that failed on `node` can be recovered by fencing the node (Pacemaker's
// pe_can_fence): fencing is on with a device, and the partition has quorum, ignores its loss,
// or the node is still a member; a guest node while its container's hosts are up or fenceable.
bool failedStopRecoverable(const WorkingSet& ws, int node);

// An operation's recorded result read as Pacemaker's remap_operation does: the exit code and
// executor status it counts as, the role it shows the resource in (Stopped also clears the
// next role), and whether the task's failure must be checked for recoverability.
struct RemappedResult {
  int rc = kOcfOk;
  int status = kExecDone;
  std::optional<Role> role;
  bool check_recoverable = false;
};
RemappedResult remapResult(const OperationRecord& op, int target_rc, int rc, int status, bool probe,
                           bool maskable_probe_failure, bool managed);

}  // namespace pulse::pe
