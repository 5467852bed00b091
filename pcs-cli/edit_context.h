// What an edit needs besides the CIB, gathered by the pcs command from this node (the agents
// it has, the clock) and from the CIB's status (where a resource runs now): applyEdit() itself
// does no I/O.
#pragma once

#include <string>

#include "common/result.h"
#include "pcs-cli/cib_edit.h"

namespace pulse::pcs {

// The agents a create, update or op add names (their meta-data run here), where the resource
// of a move or ban without a node runs now (the CIB's status, as crm_resource judges it), and
// the time.
Result<EditContext> contextFor(const Edit& edit, const std::string& cib,
                               const std::string& ocf_root);

}  // namespace pulse::pcs
