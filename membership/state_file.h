// Small durable files of the membership shell: the PersistentState file and the atomic write
// that both it and the cluster key file use.
//
// Thread-safety: free functions, no shared state. They block on fsync; the shell calls them on
// its io_context thread, which is acceptable for a few dozen bytes written at ring changes.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "membership/membership_node.h"
#include "membership/result.h"

namespace pulse::membership {

// Replaces `path` with `contents` so that a crash leaves either the old or the new file, never
// a mix: write `path`.tmp (created with `mode`, umask notwithstanding), fsync it, rename it over
// `path`, fsync the directory. The temporary file is removed on failure.
Status writeFileAtomically(const std::string& path, std::string_view contents, mode_t mode);

// The state file: "pulse-membership-state 1\nmax_seq N\nincarnation N\n".
std::string formatPersistentState(const PersistentState& state);
Result<PersistentState> parsePersistentState(std::string_view text);

// A missing file is a first start ({0, 0}). A file that exists but cannot be read or parsed is
// an error: starting from zero could reuse a ring seq, which the core's invariants forbid.
Result<PersistentState> loadPersistentState(const std::string& path);
Status storePersistentState(const std::string& path, const PersistentState& state);

}  // namespace pulse::membership
