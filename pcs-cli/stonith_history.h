// `pcs stonith history [show [NODE]] | cleanup [NODE] | update` (pcs 0.11 runs stonith_admin
// --history NODE|* --verbose|--cleanup|--broadcast) and the fencing sections of `pcs status`
// (crm_mon's "Failed Fencing Actions", "Pending Fencing Actions", "Fencing History"), read
// from the fencing history the DC keeps in the CIB status (crmd/cib/fence_history.h). Every
// node holds the same history, so show answers from this node's copy; `update` (gather the
// history from all nodes) has nothing to gather and only says what stonith_admin says.
// Like pcs, these commands refuse -f.
#pragma once

#include <pugixml.hpp>
#include <string>
#include <vector>

#include "pcs-cli/cib_file_commands.h"

namespace pulse::pcs {

// `a`: the command's words without flags, starting with "stonith", "history".
int stonithHistoryCommand(const CibCommandOptions& options, const std::vector<std::string>& a);

// stonith_admin --history NODE --verbose: one line per event, pending first, then newest first.
std::string fenceHistoryText(const pugi::xml_node& cib, const std::string& node);

// The fencing sections crm_mon prints: with `full` (pcs status --full: crm_mon -R
// --fence-history=3) "Failed Fencing Actions" and "Fencing History" in the technical form,
// else (crm_mon's default level) the failed and pending ones in the readable form. Each
// section opens with a blank line; "" when there is nothing to show.
std::string fencingStatusSections(const pugi::xml_node& cib, bool full);

}  // namespace pulse::pcs
