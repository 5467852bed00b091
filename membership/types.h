// Basic vocabulary of the membership layer: node ids, ring ids, views and the virtual clock.
// Error/Result come from membership/result.h.
//
// Pure value types; no thread-safety concerns. Invariant kept by users: a View's members
// are sorted ascending and free of duplicates, and a RingId's representative is a member.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "membership/result.h"

namespace pulse::membership {

// Corosync's nodeid: 0 is never a valid node (it means "none" on the wire).
using NodeId = std::uint32_t;
inline constexpr NodeId kNoNode = 0;

// Time is virtual: the shell passes a steady clock reading, the simulator a fake one. Only
// differences between readings of the same node's clock are meaningful. (quorum.h declares the
// same aliases; redeclaring an alias to the same type is allowed.)
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::milliseconds;

// Identifies one installed view. Ordered by (seq, representative); only grows at every node.
// A votequorum "vote set" (quorum.h): the nodes whose majority a node requires, numbered by
// epoch. Epoch 0 is the whole nodelist; each change made by last_man_standing or by growth
// takes the next epoch. An empty `nodes` means "not announced".
struct VoteSet {
  std::uint64_t epoch = 0;
  std::vector<NodeId> nodes;  // sorted, unique
  friend bool operator==(const VoteSet&, const VoteSet&) = default;
};

struct RingId {
  std::uint64_t seq = 0;
  NodeId representative = kNoNode;

  friend auto operator<=>(const RingId&, const RingId&) = default;
  bool none() const { return seq == 0 && representative == kNoNode; }
};

std::string toString(const RingId& ring);

// A membership view as installed by a node. Members are sorted and unique.
struct View {
  RingId ring_id;
  std::vector<NodeId> members;

  friend bool operator==(const View&, const View&) = default;
  bool contains(NodeId node) const;
};

std::string toString(const View& view);

}  // namespace pulse::membership
