// What the console shows, outside the CIB, to a user the CIB's ACLs restrict. The CIB itself
// and pcs status are filtered by the ACLs (cib_acl.h); the node's event journal and the DC's
// replayed transitions are not CIB, so they would name every resource. For such a user they
// are cut to what its filtered CIB lets it read: whatever names a resource the ACLs hide from it
// is left out. Pure: texts in, texts out; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pulse::crmd::console {

// The ids of the resources (primitive, group, clone, master, bundle) in `full_cib`'s
// configuration that `filtered_cib` (the same CIB as a user may read it) does not have, sorted.
// A CIB that does not parse hides nothing it could name: for a `full_cib` that does not parse
// the list is empty; for a `filtered_cib` that does not parse, every resource of `full_cib`.
std::vector<std::string> hiddenResources(std::string_view full_cib, std::string_view filtered_cib);

// True when `text` names one of `ids` as a word: not inside a longer id (letters, digits,
// '_', '-' around it), but "vip:0" (a clone instance), "vip," and "vip." name vip.
bool namesAny(std::string_view text, const std::vector<std::string>& ids);

// TransitionReplay's JSON (console_transitions.h) without what names a hidden resource: its
// actions (and the orderings that touch them), summary lines and errors. `json` unchanged
// when `hidden` is empty; "{\"transitions\": []}" when `json` does not parse.
std::string withoutHidden(std::string_view transitions_json,
                          const std::vector<std::string>& hidden);

}  // namespace pulse::crmd::console
