// `pcs resource delete RSC` on a running cluster, as pcs 0.11 does it: a resource that runs is
// stopped first (target-role=Stopped, then wait until the status shows it stopped everywhere),
// and only then removed from the configuration. The policy engine does not stop resources that
// are no longer configured (Pacemaker's orphans), so deleting a running resource outright would
// leave it running unmanaged; --force does exactly that, as pcs's --force does.
#pragma once

#include <chrono>
#include <string>

#include "pcs-cli/resource_move.h"

namespace pulse::pcs {

// 0 with pcs's "Attempting to stop: vip... Stopped" and "Deleting Resource - vip"; 1 with an
// Error when it did not stop within `wait` (the resource is then enabled again and kept).
int deleteResource(const PcsOptions& options, const std::string& rsc, bool force,
                   const LiveEditor& edit, std::chrono::seconds wait);

}  // namespace pulse::pcs
