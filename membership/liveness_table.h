// Failure detector: which peers this node has heard from within the token timeout.
//
// Pure: time is an argument. Not thread-safe (owned by one MembershipNode).
// Invariants: a peer is alive at `now` iff a heartbeat (or any message) from it was recorded at
// some t with now - t < token; a peer that restarts (new, larger incarnation) is reported as such
// exactly once, so the protocol can treat it as lost-and-rejoined even if the restart was
// quicker than the token timeout. Old incarnations are ignored (delayed packets from before a
// restart must not resurrect stale state).
#pragma once

#include <map>
#include <vector>

#include "membership/types.h"

namespace pulse::membership {

class LivenessTable {
 public:
  explicit LivenessTable(Duration token) : token_(token) {}

  enum class Heard { kKnown, kNewIncarnation, kStale };

  // Records that `node` (incarnation `incarnation`) was heard at `at`, with its installed
  // ring id. Returns kNewIncarnation the first time a larger incarnation is seen, kStale (and
  // records nothing) for an older incarnation.
  Heard recordHeartbeat(NodeId node, std::uint64_t incarnation, RingId ring, TimePoint at);

  // Records any other message from `node` as a sign of life (same incarnation assumed).
  void recordContact(NodeId node, TimePoint at);

  // Peers heard within the token timeout at `now`, sorted. A clock that stepped backwards
  // (now earlier than the last contact) counts the peer as alive.
  std::vector<NodeId> alive(TimePoint now) const;

  bool isAlive(NodeId node, TimePoint now) const;
  // When `node` was last heard (TimePoint::min() if never).
  TimePoint lastHeard(NodeId node) const;

  // The largest ring id `node` reported in its current incarnation (none if unknown). Taking
  // the max makes reordered heartbeats harmless, since ring ids only grow at each node.
  RingId reportedRing(NodeId node) const;

  // The incarnation `node` last announced (0 if it was never heard).
  std::uint64_t incarnation(NodeId node) const;

  void clear() { peers_.clear(); }

 private:
  struct Peer {
    std::uint64_t incarnation = 0;
    TimePoint last_heard;
    RingId reported_ring;
  };
  Duration token_;
  std::map<NodeId, Peer> peers_;
};

}  // namespace pulse::membership
