// `pcs resource why RSC [NODE]` and `crm_resource --why -r RSC [-N NODE]`: what decided where a
// resource runs (or why it does not), from the policy engine's own record of the run
// (policy-engine/reasons.h) on the CIB given: the live CIB, or a file with -f / CIB_file.
//
// The first line is Pacemaker 2.1.5's ("Resource X is running", "Resource X is not running on
// host N"); then where this transition places it, one line per reason (constraint id and
// score, fail count and threshold, node state, ticket, capacity, quorum, ...), and the final
// node scores.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace pulse::pcs {

// The text to print. Errors: a resource or node the CIB does not have, a CIB the engine refuses.
// `now`: seconds since the epoch (failure-timeout and rules are judged at it).
Result<std::string> resourceWhy(const std::string& cib_xml, const std::string& rsc,
                                const std::string& node, std::int64_t now);

}  // namespace pulse::pcs
