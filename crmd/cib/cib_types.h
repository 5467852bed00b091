// Value types of CIB replication: the CIB version, the copy a node keeps on disk, the messages
// replicas exchange and the writes clients submit. Pure values; no thread-safety concerns.
//
// The CIB document itself is opaque here (a string); only its version and the ring id of the DC
// that sealed it matter to replication.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/result.h"
#include "crmd/cib/cib_version.h"
#include "membership/types.h"

namespace pulse::crmd {

using membership::NodeId;
using membership::RingId;
using membership::View;

// Pacemaker's CIB version (cib_version.h): (admin_epoch, epoch, num_updates).
using cib::CibVersion;

// The copy of the CIB a node persists. `sealed_in` is the ring id of the DC that produced this
// copy (Raft's term): a DC seals the CIB it synchronised and every write it makes with its own
// ring id. "The newest version wins" compares (sealed_in, version), in that order; see
// cib_replica.h for why the version alone is not enough.
struct StoredCib {
  CibVersion version;
  RingId sealed_in;
  std::string xml;

  friend bool operator==(const StoredCib&, const StoredCib&) = default;
};

// The order replication uses: sealed_in first, then the version.
struct CibStamp {
  RingId sealed_in;
  CibVersion version;

  friend auto operator<=>(const CibStamp&, const CibStamp&) = default;
};
inline CibStamp stampOf(const StoredCib& cib) { return {cib.sealed_in, cib.version}; }
std::string toString(const CibStamp& stamp);

// --- Messages. Every message names the ring it belongs to; a replica drops any message whose
// ring is not the view it has installed, so nothing crosses a view change.

// DC -> member: "send me your CIB" (the first step of the DC's sync).
struct SyncQuery {
  RingId ring;
};
// Member -> DC: its persisted copy, whole (CIBs are kilobytes; a separate version query and
// fetch would save bytes but add a round trip and a phase).
struct SyncReply {
  RingId ring;
  StoredCib cib;
};
// DC -> member: persist this copy (after a sync, or a write), then acknowledge.
struct Replace {
  RingId ring;
  StoredCib cib;
};
// Member -> DC: `stamp` is durable here.
struct ReplaceAck {
  RingId ring;
  CibStamp stamp;
};

using CibMessage = std::variant<SyncQuery, SyncReply, Replace, ReplaceAck>;
std::string toString(const CibMessage& message);

struct CibOutgoing {
  NodeId to = membership::kNoNode;
  CibMessage message;
};

// --- Writes.

using WriteId = std::uint64_t;

// A client's write: the whole new CIB, built on the copy the client read (optimistic
// concurrency: refused if the CIB changed since). The kind only decides how the version moves.
// The base is the stamp, not the bare version: a copy left behind by a lost write (an orphan)
// can carry the same version number as the current CIB with other content, and an edit of the
// orphan must not pass for an edit of the current CIB.
struct CibChange {
  enum class Kind { kConfiguration, kStatus };
  Kind kind = Kind::kConfiguration;
  CibStamp base;    // the stamp of the copy the client read and edited
  std::string xml;  // the complete new CIB
};

// Why a write failed; everything but kUncertain means "certainly not applied".
enum class WriteFailure {
  kNone,
  kNotDc,       // submitted to a node that is not the DC; `dc` names the DC
  kNoQuorum,    // this node's partition has no quorum
  kNoDc,        // no view yet (election in progress)
  kBusy,        // too many writes queued at the DC
  kStaleBase,   // the CIB changed since the client read it
  kNotApplied,  // membership changed before the write was started
  kNotStored,   // the DC could not store the new copy (a disk error: EIO, ENOSPC); not applied,
                // and retrying at once would meet the same disk
  kUncertain,   // membership changed while the write was being replicated: it may or may not
                // have been applied; read the CIB to find out
};

struct WriteReply {
  WriteId id = 0;
  Result<CibVersion> result = CibVersion{};  // ok: durable on every member of the view
  WriteFailure failure = WriteFailure::kNone;
  NodeId dc = membership::kNoNode;  // the DC if known (for kNotDc)
};

// What the shell must do after a call, in this order: persist `persist` (atomically, fsync),
// then send `messages` and deliver `replies`. A reply or an ack must never leave before the CIB
// it vouches for is durable.
struct CibOutput {
  std::optional<StoredCib> persist;
  // DC only: this copy is now durable on every member of the view (the sync finished, or a
  // write was acknowledged): the CIB the controller may act on.
  std::optional<StoredCib> confirmed;
  std::vector<CibOutgoing> messages;
  std::vector<WriteReply> replies;
};

}  // namespace pulse::crmd
