// QuorumExchange: one node's votequorum plus corosync's nodeinfo exchange between the members
// of a view. Pure like MembershipNode: no I/O and no clock; the shell (or the simulator) feeds
// it installed views, received NodeInfo messages and ticks, each with the node's current time,
// and sends the returned messages.
//
// Why: Votequorum alone sees only member lists, so members of one view can disagree (a node
// that restarted fresh and joined a partition whose last_man_standing lowered expected_votes
// keeps waiting for all, while its peers are quorate), and with last_man_standing members hold
// different expected votes, which vote counts alone cannot reconcile safely. With nodeinfo each
// member announces (ring id, expected_votes, quorate, waiting_for_all, vote set, pending vote
// set) and adopts a quorate peer's state by Votequorum's nodeinfo rule (see
// Votequorum::onPeerInfo); Votequorum runs in exchange mode (enableExchange), so the vote sets
// and, with last_man_standing, the sync barrier of quorum.h apply.
//
// Protocol:
//  * When a view is installed, Votequorum gets the view together with the info already
//    received for that ring (a peer may install it and announce before this node does), and
//    this node sends its own NodeInfo to the other members of the view.
//  * A NodeInfo received for the current ring from a current member is applied at once.
//  * This node re-sends its NodeInfo at once when what it announces changes, and otherwise
//    every heartbeat interval while some member's info for the current ring is still missing,
//    then every kSteadyResendTokens tokens. UDP loses messages: the fast resend makes a new view
//    converge quickly, the slow one bounds how long a peer that missed our latest info stays
//    stale (a few tokens) at a small share of the idle traffic (measured at 32 nodes: one
//    resend per token was a fifth of all packets and put idle CPU over 1% of a core).
//    A member that receives the same info again within half the steady resend answers the
//    sender with its own: the sender resends fast because some member's info is missing to it.
//
// Invariants:
//  * Only info about the current ring, from a member of the current view, ever reaches
//    Votequorum (the condition of the split-brain guarantee in quorum.h). Info from nodes
//    outside the config, from self, about an older ring, or older than what was already heard
//    from that sender, is ignored (counted in ignoredInfos()).
//  * At most one NodeInfo is kept per configured node (the one for its highest ring), so memory
//    is bounded by the node list whatever peers send.
//  * Nothing is sent before the first view is installed: a NodeInfo always names a real ring.
//  * Within one ring, a reordered older NodeInfo may overwrite a newer one until the sender's
//    next resend; it can only be wrong about a status that changed within the ring.
//
// Thread-safety: none; one owner drives it (the membership io_context, or the simulator).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "membership/membership_node.h"
#include "membership/message.h"
#include "membership/quorum.h"
#include "membership/types.h"

namespace pulse::membership {

// What one call did: the status afterwards, whether it differs from the status before the
// call, and the NodeInfo messages to send (one per other member of the view).
struct QuorumUpdate {
  QuorumStatus status;
  bool changed = false;
  std::vector<Outgoing> messages;
};

inline constexpr int kSteadyResendTokens = 5;

class QuorumExchange {
 public:
  // Fails when Votequorum::create() does. `timing` gives the resend intervals (heartbeat while
  // info is missing, token afterwards).
  static Result<QuorumExchange> create(NodeId self, const QuorumConfig& config, Timing timing);

  // The membership core installed `view` (views arrive in installation order, ring ids
  // increasing). Always sends this node's NodeInfo to the view's other members.
  QuorumUpdate onViewInstalled(const View& view, TimePoint now);

  // A NodeInfo message received from `from` (the authenticated sender). Messages of any other
  // type are ignored (they are MembershipNode's); a NodeInfo whose sender field is not `from`
  // is ignored and counted.
  QuorumUpdate onMessage(NodeId from, const Message& message, TimePoint now);
  QuorumUpdate onNodeInfo(NodeId from, const NodeInfo& info, TimePoint now);

  // Timer: the last_man_standing window and the periodic resend. Cheap when nothing is due;
  // call it as often as MembershipNode::onTick.
  QuorumUpdate onTick(TimePoint now);

  // corosync-quorumtool -e on this node (Votequorum::setExpectedVotes), then announces the new
  // state to the members at once. Peers follow only upwards (a quorate peer keeps the larger of
  // its own and the announced expected_votes), as with corosync's nodeinfo rule.
  Result<QuorumUpdate> setExpectedVotes(std::uint32_t expected_votes, TimePoint now);

  QuorumStatus status() const { return status_; }
  const Votequorum& votequorum() const { return quorum_; }
  const std::optional<View>& view() const { return view_; }
  // What this node announces for its current view (nullopt before the first view).
  std::optional<NodeInfo> announcement() const;
  // The next instant onTick() has work (a resend, the last_man_standing deadline), if any.
  std::optional<TimePoint> nextDue() const {
    const auto lms = quorum_.lastManStandingDeadline();
    if (!next_send_) return lms;
    return lms ? std::min(*next_send_, *lms) : *next_send_;
  }
  // True when a NodeInfo for the current ring has been heard from every other member.
  bool heardAllMembers() const;
  std::uint64_t ignoredInfos() const { return ignored_; }
  // Votequorum's invariants, then this class's own (only current-ring info is applied).
  Status checkInvariants() const;

 private:
  Duration steadyResend() const { return timing_.token * kSteadyResendTokens; }
  QuorumExchange(NodeId self, Votequorum quorum, Timing timing);

  // Builds the update after a state change: `changed` against `before`, and a NodeInfo to the
  // members when the announcement differs from `announced_before` or `force` is set.
  QuorumUpdate finish(const QuorumStatus& before, const std::optional<NodeInfo>& announced_before,
                      bool force, TimePoint now);
  void sendAnnouncement(QuorumUpdate& update, TimePoint now);
  bool configured(NodeId node) const;

  NodeId self_;
  Timing timing_;
  Votequorum quorum_;
  QuorumStatus status_;       // quorum_.status() after the last call that changed quorum_
  std::optional<View> view_;  // the last view installed
  // Latest info per configured peer, for its highest ring seen; never for a ring older than
  // view_ once a view is installed (older entries are dropped at every install).
  std::map<NodeId, NodeInfo> heard_;
  std::map<NodeId, TimePoint> heard_at_;  // when each heard_ entry last arrived (configured nodes)
  std::optional<TimePoint> next_send_;    // set once a view is installed
  std::uint64_t ignored_ = 0;
};

}  // namespace pulse::membership
