// Quorum contact: does a quorum of the cluster still hear this node, and since when is that
// known? The input of watchdog self-fencing (crmd/watchdog/self_fence.h), sbd's "do I still see the
// cluster" question answered from heartbeats alone.
//
// Every heartbeat carries the sender's `heard` list: the peers it heard within the contact
// window S (Timing::contactWindow(): max(2 heartbeat intervals, 300 ms)) that are members of its
// installed view (any peer while it has none). Node X has quorum contact at t when X itself plus
// the peers whose *latest* heartbeat lists X, each received within S before t, hold at least
// `quorum` votes (one vote per node, as in the simulator and the default corosync.conf).
//
// lastContact() is the instant of the evidence: the receive time of the k-th freshest listing
// heartbeat, k = quorum - 1. Contact is fresh at `now` iff now - lastContact() < S.
//
// Invariants (and why):
//  * Only a peer's latest heartbeat counts. A heartbeat that no longer lists X revokes that
//    peer's support at once, so a survivor that installed a view without X (and heartbeats at
//    once, see MembershipNode::install) ends X's contact within one network delay, rather than
//    S later. This is what keeps the survivors' wait short in a partial cut (self_fence.h).
//  * Heartbeats of an old incarnation never reach this table (LivenessTable drops them first).
//  * With quorum <= 1 (two_node, or a one-node cluster) contact never ends: a node alone is a
//    quorum, so watchdog self-fencing cannot protect a two-node cluster. Use a fence device.
//
// Pure: time is an argument. Not thread-safe (owned by one MembershipNode).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "membership/types.h"

namespace pulse::membership {

class QuorumContact {
 public:
  QuorumContact(NodeId self, Duration window) : self_(self), window_(window) {}

  // A heartbeat from `peer` received at `at`; `heard` is its sorted heard list.
  void recordHeartbeat(NodeId peer, const std::vector<NodeId>& heard, TimePoint at);

  // The heard list for this node's next heartbeat: peers heard within the window at `now`, and
  // (when `view` is set) members of it. Sorted.
  std::vector<NodeId> heardList(TimePoint now, const std::optional<View>& view) const;

  // The instant of the latest evidence that `quorum` votes hear this node, or nullopt if the
  // peers' latest heartbeats do not add up to it (or quorum is 0: not known yet). With
  // quorum <= 1 (and > 0) the answer is `now`. Callers judge freshness against the window.
  std::optional<TimePoint> lastContact(std::uint32_t quorum, TimePoint now) const;

  bool fresh(std::uint32_t quorum, TimePoint now) const;

  Duration window() const { return window_; }

  // A peer restarted: its earlier support died with it.
  void forget(NodeId peer) { peers_.erase(peer); }

 private:
  struct Peer {
    TimePoint last_heard;     // any heartbeat
    bool lists_self = false;  // did the latest heartbeat list self_?
  };
  NodeId self_;
  Duration window_;
  std::map<NodeId, Peer> peers_;
};

}  // namespace pulse::membership
