// `pcs resource move RSC [NODE] [--wait=N]` with pcs 0.11's semantics: the cli-prefer/cli-ban
// constraint is only a means. It is created, the cluster is given time to move the resource,
// and then the constraint is removed again, so that no stale constraint pins the resource.
// (`pcs resource move-with-constraint` keeps the constraint, the pre-0.11 behaviour.)
//
// Invariant: whatever happens after the constraint was created (timeout, lost DC, failed
// write), pcs tries to remove it and says plainly whether one remains and how to remove it.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/result.h"
#include "pcs-cli/cib_edit.h"
#include "peer.pb.h"

namespace pulse::pcs {

struct PcsOptions;

// One read-edit-write of the live CIB (redone on a stale read): the CIB before and after.
struct LiveEditResult {
  std::string before, after;
  peer::CibVersion written;
};
using LiveEditor = std::function<Result<LiveEditResult>(const Edit&)>;

// Runs the whole move; 0 on success, 1 with "Error: ..." printed.
int moveResource(const PcsOptions& options, const ResourceMove& move, const LiveEditor& edit,
                 std::chrono::seconds wait);

}  // namespace pulse::pcs
