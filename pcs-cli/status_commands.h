// pcs's status-only commands (resource cleanup, resource promote): a pure edit of the CIB's
// status, run on the file given with -f, or on the live cluster through the DC, where it is
// redone on a fresh copy when another write got there first.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "pcs-cli/cib_file_commands.h"

namespace pulse::pcs {

struct StatusEdit {
  std::string cib_xml;             // the edited CIB
  std::vector<std::string> lines;  // what pcs prints once the edit is stored
  bool changed = true;             // false: nothing to store
};

// Applies `edit` to the CIB and stores the result; prints the lines and returns 0, or prints
// "Error: ..." and returns 1. `what` names the command in the message after 3 stale attempts.
int runStatusEdit(const CibCommandOptions& options,
                  const std::function<Result<StatusEdit>(const std::string& cib_xml)>& edit,
                  const std::string& what);

// `pcs resource cleanup [RSC] [--node NODE]` (crm_resource --cleanup), options.words as typed.
int cleanupCommand(const CibCommandOptions& options);

}  // namespace pulse::pcs
