// What the console's buttons and forms ask for, as the pcs command that does it: the console
// runs that command (console.h: the node's own pcs, from crmd's folder), so every change goes
// through exactly the code `pcs` runs when an operator types it, and the page shows the command.
//
// The request is a JSON object {"action": NAME, ...fields}; actionCommand() checks every field
// and builds the pcs words. Names (resource, node, constraint ids, properties, parameters) must
// be plausible ids: letters, digits and _ . : - , not starting with '-' (so no field can turn
// into a pcs flag); values may be any text without control characters. Pure; any thread.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace pulse::crmd::console {

// The pcs words for the request body `json_text` (without the leading "pcs"); an Error says
// which field is missing or wrong.
Result<std::vector<std::string>> actionCommand(const std::string& json_text);

// The words as a shell would need them typed ("pcs resource create vip ocf:heartbeat:IPaddr2
// ip=192.0.2.10"), quoting words that need it; shown on the page and in the event log.
std::string commandLine(const std::vector<std::string>& words);

// Letters, digits and _ . : - ; not empty, not starting with '-', at most 256 characters.
bool plausibleId(const std::string& text);

}  // namespace pulse::crmd::console
