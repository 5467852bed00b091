// What `pcs acl ...` does to the CIB, as pure functions (part of pulse_cib_edit; no I/O, safe
// from any thread): roles with their permissions, users (acl_target) and groups (acl_group) with
// their roles, in pcs 0.11's words, ids and checks (pcs/acl.py, pcs/lib/cib/acl.py). crmd
// enforces what they configure (crmd/cib/cib_acl.h).
//
// Invariant: on any error nothing is returned but the Error (pcs's wording, without the
// "Error: " prefix), so a refused command never changes the configuration.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace pulse::pcs {

// True for the words after `acl` that only show (`acl`, `acl config`, `acl show`).
bool aclIsView(const std::vector<std::string>& words);

// Applies `pcs acl WORDS...` (the words after `acl`, flags such as --autodelete included) to
// `cib_xml`: enable, disable, role create|delete|remove|assign|unassign, user create|delete|
// remove, group create|delete|remove, permission add|delete|remove. Returns the new CIB, not
// yet epoch-bumped. Misused commands give "invalid usage of 'pcs acl ...'".
Result<std::string> applyAcl(const std::string& cib_xml, const std::vector<std::string>& words);

// `pcs acl [config]`: whether ACLs are enabled, then users, groups and roles as pcs 0.11 lists
// them.
Result<std::string> aclConfig(const std::string& cib_xml);

}  // namespace pulse::pcs
