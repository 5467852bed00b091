// Wire messages of the membership protocol and their binary encoding.
//
// Format (all integers little-endian, fixed width):
//   u8 version (kWireVersion) | u8 type | u32 sender | body
//   Heartbeat: u64 incarnation | u64 max_seq | u64 ring.seq | u32 ring.rep
//              | u16 count | count x u32 heard   (count may be 0)
//              | u8 flags | u16 count | count x u32 lost   (count may be 0)
//   Propose:   u64 ring.seq | u32 ring.rep | u16 count | count x u32 member
//   Ack:       u64 ring.seq | u32 ring.rep
//   Commit:    u64 ring.seq | u32 ring.rep | u16 count | count x u32 member
//   NodeInfo:  u64 ring.seq | u32 ring.rep | u32 expected_votes | u8 flags
//              [flag bit 2: u64 set.epoch | u16 count | count x u32 node]
//              [flag bit 3: u64 pending.epoch | u16 count | count x u32 node]
// Heartbeat flags: bit 0 gather, bit 1 direct; other bits must be 0.
// NodeInfo flags: bit 0 quorate, bit 1 waiting_for_all, bit 2 a vote set follows, bit 3 a
// pending vote set follows; other bits must be 0, and expected_votes must be at least 1. Member
// lists must be sorted, unique, non-zero and at most kMaxMembers long; the representative of a
// Propose/Commit is the sender and a member. decode() checks every length and rejects trailing
// bytes, so any byte string either decodes to a well-formed Message or to an Error. The HMAC with
// the cluster key is applied around these bytes by the transport shell.
//
// kWireVersion stays 1 with NodeInfo: it is a new type, and the formats of the other four are
// unchanged. A node without NodeInfo support drops such packets as undecodable (counted) and
// works on as before; it just neither sends nor uses quorum nodeinfo.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "membership/types.h"

namespace pulse::membership {

using Bytes = std::vector<std::uint8_t>;

inline constexpr std::uint8_t kWireVersion = 1;
inline constexpr std::size_t kMaxMembers = 1024;
// The largest is a NodeInfo carrying two full vote sets (header 6, ring 12, expected 4, flags 1,
// then per set epoch 8, count 2 and the nodes).
inline constexpr std::size_t kMaxMessageSize = 6 + 12 + 4 + 1 + 2 * (8 + 2 + 4 * kMaxMembers);
static_assert(kMaxMessageSize >= 6 + 8 + 8 + 12 + 2 * (2 + 4 * kMaxMembers) + 1,
              "a heartbeat with full heard and lost lists fits");

// "I am alive": sent every heartbeat interval to the sender's ring neighbours in a settled view,
// to every configured node otherwise (membership_node.h). `ring_id` is the
// sender's installed view (none if it has none); `max_seq` the highest ring seq it has seen,
// so that a proposer can pick a larger one; `incarnation` grows at every restart. `heard`: the
// peers the sender heard within the contact window and counts as members (QuorumContact,
// quorum_contact.h), sorted (it made the format longer, so nodes built before it drop these
// heartbeats as having trailing bytes: upgrade all nodes together). A peer not listed by the
// sender's latest heartbeat gets no quorum contact from it (the watchdog's self-fencing relies on
// it). `gather`: the sender wants a new view (it lost a ring neighbour, hears a node outside its
// view, or has none) and heartbeats every node until one is installed (membership_node.h).
// `direct`: the sender needs a heartbeat from every member, not only from its ring neighbours
// (its quorum contact feeds a watchdog). `lost`: the sender's ring neighbours it no longer
// hears, sorted: the receivers stop presuming them alive at once. The flags and `lost` made the
// format longer again: upgrade all nodes together.
struct Heartbeat {
  std::uint64_t incarnation = 0;
  std::uint64_t max_seq = 0;
  RingId ring_id;
  std::vector<NodeId> heard;
  bool gather = false;
  bool direct = false;
  std::vector<NodeId> lost;
  friend bool operator==(const Heartbeat&, const Heartbeat&) = default;
};

// The representative asks `members` to join the view `ring_id`.
struct Propose {
  RingId ring_id;
  std::vector<NodeId> members;
  friend bool operator==(const Propose&, const Propose&) = default;
};

// A member agrees to join `ring_id`.
struct Ack {
  RingId ring_id;
  friend bool operator==(const Ack&, const Ack&) = default;
};

// The representative's final word: install view (ring_id, members).
struct Commit {
  RingId ring_id;
  std::vector<NodeId> members;
  friend bool operator==(const Commit&, const Commit&) = default;
};

// corosync's votequorum nodeinfo: the sender's quorum state while it has `ring_id` installed.
// Handled by QuorumExchange (quorum_exchange.h), not by MembershipNode.
struct NodeInfo {
  RingId ring_id;
  std::uint32_t expected_votes = 1;
  bool quorate = false;
  bool waiting_for_all = false;
  // The sender's vote set and the one it is moving to, if any (Votequorum, quorum.h). Sent
  // only when `set.nodes` is not empty, so an info without them keeps the short layout.
  VoteSet set;
  std::optional<VoteSet> pending;
  friend bool operator==(const NodeInfo&, const NodeInfo&) = default;
};

struct Message {
  NodeId sender = kNoNode;
  std::variant<Heartbeat, Propose, Ack, Commit, NodeInfo> body;
  friend bool operator==(const Message&, const Message&) = default;
};

Bytes encode(const Message& message);

// Never throws, never reads outside `bytes`; an Error names what was wrong.
Result<Message> decode(const Bytes& bytes);

}  // namespace pulse::membership
