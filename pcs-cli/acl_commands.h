// `pcs [-f FILE] acl ...`: ACL roles, users, groups and permissions (the edits: cib_acl.h) on a
// CIB file or on the live CIB, as the other CIB commands do (cib_file_commands.h): a file is
// replaced atomically with its epoch bumped; the live CIB is read from the DC, edited here and
// written back on the stamp read, redone when another write got there first.
#pragma once

#include "pcs-cli/cib_file_commands.h"

namespace pulse::pcs {

// Runs `pcs acl ...` (options.words: the command words, `acl` first, flags included); 0 on
// success, 1 on error ("Error: ..." on stderr, nothing changed).
int aclCommand(const CibCommandOptions& options);

}  // namespace pulse::pcs
