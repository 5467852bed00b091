// Small durable files of the membership shell: the PersistentState file and the atomic write
// that both it and the cluster key file use.
//
// Thread-safety: free functions, no shared state. They block on fsync; the shell calls them on
// its io_context thread, which is acceptable for a few dozen bytes written at ring changes.
#pragma once

#include <sys/types.h>

#include <chrono>
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

// What a starting node hands to its MembershipNode (which adds 1 to the incarnation): the
// persisted state with the incarnation raised to at least `wall_now` in milliseconds since the
// epoch. Why: peers drop frames whose (incarnation, counter) is not newer than what they
// accepted (packet_auth.h), so a restarted node must come back with a larger incarnation or be
// ignored until every peer restarts. The persisted incarnation + 1 guarantees it whatever the
// clock does, as long as the state file survives; the wall clock guarantees it when the file
// was lost (a reinstalled node, a deleted state directory or corrupt file), unless the clock
// went back since the previous start. An unwritable file is not covered here: create() refuses
// to start, since the core cannot persist ring seqs either.
PersistentState startingState(PersistentState persisted,
                              std::chrono::system_clock::time_point wall_now);

Status storePersistentState(const std::string& path, const PersistentState& state);

}  // namespace pulse::membership
