// Small durable files of the membership shell: the PersistentState file and the atomic write
// that both it and the cluster key file use.
//
// Thread-safety: free functions, no shared state. They block on fsync; the shell calls them on
// its io_context thread, which is acceptable for a few dozen bytes written at ring changes.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "common/atomic_file.h"
#include "membership/membership_node.h"
#include "membership/result.h"

namespace pulse::membership {

// The atomic write (temporary file, fsync, rename, directory fsync) is the shared one.
using pulse::writeFileAtomically;

// The state file: "pulse-membership-state 1\nmax_seq N\nincarnation N\n".
std::string formatPersistentState(const PersistentState& state);
Result<PersistentState> parsePersistentState(std::string_view text);

// A missing file is a first start ({0, 0}). A file that exists but cannot be read or parsed is
// an error: starting from zero could reuse a ring seq, which the core's invariants forbid.
Result<PersistentState> loadPersistentState(const std::string& path);
Status storePersistentState(const std::string& path, const PersistentState& state);

}  // namespace pulse::membership
