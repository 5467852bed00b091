// `pcs resource restart RSC [--wait=N]` (crm_resource --restart): stop the resource by setting
// target-role=Stopped, wait until the status section shows it stopped everywhere, then remove
// target-role and wait until it runs again. Waiting watches the resource itself, not the DC's
// idleness, as crm_resource does.
//
// Invariant: once pcs has stopped the resource it always tries to enable it again, also on a
// timeout or error, and says so if that failed (the resource would otherwise stay down).
#pragma once

#include <chrono>
#include <string>

#include "pcs-cli/resource_move.h"

namespace pulse::pcs {

// 0 and "vip successfully restarted", or 1 with "Error: ..." printed. `node` non-empty: refused
// (Pacemaker restarts on one node only for clone instances).
int restartResource(const PcsOptions& options, const std::string& rsc, const std::string& node,
                    const LiveEditor& edit, std::chrono::seconds wait);

}  // namespace pulse::pcs
