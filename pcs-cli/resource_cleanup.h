// `pcs resource cleanup [RSC] [--node NODE]` (crm_resource --cleanup): forgets a resource's
// operation history and its fail-count-/last-failure- transient attributes, so the next
// transition probes it afresh and its failures stop counting against migration-threshold.
//
// A status-only change: the configuration (and its epoch) is untouched; num_updates grows.
// Without RSC only resources with a recorded failure (a fail count, a last-failure attribute or
// a failed operation) are cleaned, as crm_resource does. Pure: no I/O, safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace pulse::pcs {

struct CleanupOutcome {
  std::string cib_xml;             // the new CIB (unchanged when nothing was cleaned)
  std::vector<std::string> lines;  // "Cleaned up vip on n1", as crm_resource prints them
  bool changed = false;
};

// Errors: an unknown resource ("Resource 'x' does not exist.") or node ("Node 'x' does not
// exist."), or an unreadable CIB; nothing is changed then.
Result<CleanupOutcome> cleanupResource(const std::string& cib_xml, const std::string& rsc,
                                       const std::string& node);

}  // namespace pulse::pcs
