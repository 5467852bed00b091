// The failed operations a CIB's status section records (Pacemaker's RSC_last_failure_0
// entries), as `pcs status` lists them under "Failed Resource Actions:". Pure; any thread.
// Cleared by `pcs resource cleanup`, which removes the history they live in.
#pragma once

#include <pugixml.hpp>
#include <string>
#include <vector>

#include "pcs-cli/status_output.h"

namespace pulse::pcs {

// In status order (node by node, resource by resource); empty for unreadable XML.
std::vector<FailedAction> failedActions(const std::string& cib_xml);
// The same on a parsed CIB (its <cib> element), for a caller that already holds one.
std::vector<FailedAction> failedActions(const pugi::xml_node& cib);

// `pcs status --full`'s per-node history (crm_mon --show-detail): "Migration Summary:" with
// fail counts, then "Operations:" with each recorded operation:
//   * Node: n1 (1):
//     * vip: migration-threshold=1000000:
//       * (3) start: last-rc-change='...' exec-time=10ms queue-time=0ms rc=0 (ok)
// Empty when no node has any history. `cib` is the parsed CIB's <cib> element.
std::string operationHistory(const pugi::xml_node& cib);

}  // namespace pulse::pcs
