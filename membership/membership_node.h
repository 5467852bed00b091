// The membership protocol of one node (corosync's role), as a pure state machine.
//
// No threads, sockets or clocks: the shell (or the simulator) feeds it received bytes and timer
// ticks, each with the node's current time, and carries out the returned Output (messages to
// send, views installed). Not thread-safe; one owner drives it.
//
// Protocol, in brief:
//  * Heartbeats, every heartbeat interval H (token/4). A node is *settled* while it has a view
//    installed and no reason to change it; then it heartbeats only its ring neighbours (the
//    members before and after it in id order, wrapping around) and sends a beacon heartbeat to
//    each configured node outside its view once per token, so that a heal is noticed. Otherwise
//    it *gathers*: it heartbeats every configured node, which is the all-to-all regime every
//    rule below was built on. A node whose watchdog reads its quorum contact sets `direct`
//    in its heartbeats and every member heartbeats it too (quorum_contact.h needs the direct
//    evidence of a quorum); such a node never presumes anyone alive (below).
//  * A settled node presumes the members it does not hear directly (the non-neighbours) alive:
//    its ring neighbours watch them. It stops presuming a member alive when a heartbeat of that
//    member's ring neighbour reports it lost, and for every member T/2 after it starts gathering
//    (by then every reachable member's gather heartbeat has arrived: they gather within a delay
//    of each other and heartbeat at once). Direct or presumed, a peer not heard from for `token`
//    is lost (LivenessTable); "alive" and "hears" below mean direct or presumed.
//  * A settled node gathers when a ring neighbour is not heard for `token`, when it hears a
//    node outside its view or a member with another ring, a member's heartbeat with the gather
//    flag, a restarted member, or a Propose it may ack. Its gather heartbeats carry the flag
//    (and its lost ring neighbours), so every reachable node gathers within a delay. Any
//    partition cuts the ring at least twice, so each side has a node that notices. It settles
//    again once it has gathered for a token (no presumption is left), no round or deferred ack
//    is pending, the live set is the view's members and every member reports the view's ring.
//  * The node with the lowest id among those it believes alive is the representative. When its
//    live set differs from its view's members (or a peer restarted, or reports another ring), it
//    proposes ring id (max seq seen anywhere + 1, itself) to the live set (resending it every
//    heartbeat interval), collects Acks within `consensus`, and sends Commit(ring id, members).
//    The Commit is resent to any member whose heartbeat shows it missed it. Members missing at
//    the deadline are excluded for one token period and the round is retried with the others.
//    A round starts over at once (larger seq) when a member restarts or already holds a ring
//    >= the proposed one, since such a member can never install it.
//  * A node that just started waits token/2 before proposing, to join rather than split. Likewise
//    a representative whose live set gained a node waits `settle` (1.5 heartbeat intervals) from
//    the last gain before proposing: at a heal every reachable node's next heartbeat arrives
//    within a heartbeat interval plus a delay, so the new view includes all of them instead of
//    the first one heard (a transient sub-view at the heal). Losses are acted on at once: the
//    wait never lengthens detection.
//  * An acceptor acks a Propose only if it lists every node the acceptor hears (LivenessTable),
//    so no node is dropped from a view while a member of it still hears the node (corosync gets
//    the same from its gather: every processor that hears another joins the new ring). Otherwise
//    it defers the ack: it acks as soon as it no longer hears the missing nodes (a real loss: the
//    acceptor's token runs out within a delay of the representative's), or after `defer`
//    (2 heartbeat intervals, less than consensus so that deferring never gets it excluded). At a
//    heal the representative hears the missing nodes within a heartbeat interval plus a delay
//    and starts over with them, so the deferred ack is never used; in a partial cut (the
//    representative never hears them) the view without them forms `defer` later.
//  * The representative commits only a round whose members are still its live set; otherwise
//    it starts over (a node heard while the acks came in must be in the view).
//  * Heartbeats carry the sender's heard list (QuorumContact); a node sends one at once after
//    installing a view, so that a node the view left out learns it within a network delay.
//  * A node installs a committed view only if it is a member and the ring id is greater than
//    every ring id it installed before (`floor_`).
//
// Why the gather keeps the rules above sound: a view is proposed, acked and committed only by
// nodes that gather (a Propose makes its acceptor gather), and while gathering every reachable
// node hears every other one directly within a heartbeat interval plus a delay. A presumed
// member is one whose ring neighbours heard it within `token` (or they would have reported it
// and gathered), so presuming errs only towards "alive": an acceptor then defers a Propose that
// leaves the member out, which is the safe side of the acceptor rule. Reports of a loss are
// taken only from the member's own ring neighbours, so a node whose clock stepped cannot make
// the others drop members it merely stopped presuming.
//
// Invariants:
//  * max_seq_ only grows, survives restarts (PersistentState), and every proposal uses a fresh
//    seq above it, so one (seq, representative) pair names one member list, ever. Hence all
//    nodes that install ring R install the same members (Commit carries both).
//  * floor_ only grows; a view is installed only if its ring id > floor_, so the ring ids a node
//    installs strictly increase, across restarts too (a restarted node's floor is
//    (persisted max_seq, max NodeId), above anything it installed before the crash).
//  * Together: any two nodes install the views they share in the same order.
#pragma once

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "membership/liveness_table.h"
#include "membership/message.h"
#include "membership/quorum_contact.h"
#include "membership/types.h"

namespace pulse::membership {

// The least quorum-contact window S, whatever the token (see Timing::contactWindow).
inline constexpr Duration kMinimumContactWindow{300};

struct Timing {
  Duration token{1000};
  Duration consensus{1200};  // corosync's default: 1.2 x token
  Duration heartbeat{250};   // token / 4
  Duration minimum_contact_window = kMinimumContactWindow;

  static Timing fromToken(Duration token) { return Timing{token, token * 6 / 5, token / 4}; }
  // S, the quorum-contact window (quorum_contact.h): how long a peer's heartbeat listing this
  // node keeps it in contact, and how long a peer stays in this node's heard list. A node whose
  // contact lapses stops petting its watchdog, so S is the stall a lone pair of survivors
  // tolerates: 2 heartbeat intervals (one lost or late heartbeat of the only peer left) at
  // token 1000, but at least kMinimumContactWindow (300 ms: at token 300 that is 4 intervals),
  // because a stall on a loaded host is a matter of milliseconds, not of the token.
  // Invariant: the survivors' wait D (crmd/watchdog/self_fence.h, minimumWatchdogWait) is
  // computed from this same S, so widening it lengthens D (once S > T - 2H) instead of letting
  // survivors take over a node whose watchdog may not have fired yet. Both sides derive S from
  // here: the membership's QuorumContact and the survivors' D.
  Duration contactWindow() const { return std::max(2 * heartbeat, minimum_contact_window); }
  // The representative's wait after its live set gained a node (see above).
  Duration settle() const { return heartbeat + heartbeat / 2; }
  // The longest an acceptor defers its ack to a Propose that leaves out a node it hears.
  Duration defer() const { return 2 * heartbeat; }
};

// What must survive a restart. The shell writes it to disk before sending the messages of the
// Output that changed it (Output::persist).
struct PersistentState {
  std::uint64_t max_seq = 0;      // highest ring seq seen or proposed
  std::uint64_t incarnation = 0;  // bumped at every start
  friend bool operator==(const PersistentState&, const PersistentState&) = default;
};

struct Outgoing {
  NodeId to = kNoNode;  // kNoNode: broadcast to every configured node but this one
  Bytes bytes;
};

// Per-node settings beyond timing.
struct NodeOptions {
  // Every configured node id (this one included): the beacon goes to those outside the view.
  // Empty (unit tests): beacons are broadcast.
  std::vector<NodeId> nodes;
  // This node's quorum contact feeds a watchdog: ask every member for direct heartbeats and
  // presume no one alive (see the protocol above).
  bool direct = false;
};

struct Output {
  std::vector<Outgoing> messages;
  std::vector<View> installed;  // in installation order
  bool persist = false;         // persistentState() changed: store it before sending
};

// The sending side of the shell; dispatch() hands an Output's messages to it.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void send(NodeId to, const Bytes& bytes) = 0;
  virtual void broadcast(const Bytes& bytes) = 0;
};

void dispatch(const Output& output, Transport& transport);

class MembershipNode {
 public:
  // Starts (or restarts) node `self` from what was persisted; the new incarnation is one more
  // than the persisted one. The shell stores persistentState() before sending anything.
  MembershipNode(NodeId self, Timing timing, PersistentState persisted, TimePoint now,
                 NodeOptions options = {});

  // Handles bytes received from `from`. Undecodable input and messages whose sender field is
  // not `from` are dropped (counted in droppedMessages()). NodeInfo messages are ignored (not
  // counted): they are QuorumExchange's.
  Output onMessage(NodeId from, const Bytes& bytes, TimePoint now);
  // The same for a message already decoded (the shell's PacketCodec and the simulator decode
  // once to route NodeInfo to QuorumExchange).
  Output onMessage(NodeId from, const Message& message, TimePoint now);

  // Timer: sends heartbeats and runs the representative's round logic. Call often (every few
  // ms up to heartbeat/4); it is cheap when nothing is due.
  Output onTick(TimePoint now);

  NodeId id() const { return self_; }
  const std::optional<View>& view() const { return view_; }
  PersistentState persistentState() const { return {max_seq_, incarnation_}; }
  // The incarnation of `node`: this run's own, or the one a peer last announced (0 if never
  // heard). Every member of an installed view was heard during its gather, so it is known.
  std::uint64_t incarnationOf(NodeId node) const {
    return node == self_ ? incarnation_ : liveness_.incarnation(node);
  }
  // When `node` was last heard (TimePoint::min() if never).
  TimePoint lastHeard(NodeId node) const { return liveness_.lastHeard(node); }
  std::uint64_t droppedMessages() const { return dropped_; }
  // Who hears this node (the watchdog's input): see quorum_contact.h.
  // Meaningful with NodeOptions::direct only: otherwise only ring neighbours heartbeat this node.
  const QuorumContact& quorumContact() const { return contact_; }
  // True while heartbeating every configured node (no view, or one about to change).
  bool gathering() const { return !view_ || gather_; }
  // Settled: the next instant onTick() has work (a heartbeat, a beacon, a ring neighbour's
  // token running out), so the shell may sleep until then; gathering: `now` (tick finely).
  TimePoint nextDue(TimePoint now) const;
  // Gathering, the shell ticks finely, and also wakes at this instant: the first at which a
  // node now counted alive (heard or presumed) stops counting, or a deferred ack's limit
  // (TimePoint::max() if none). At a crash every survivor's token for the lost node runs out
  // within a network delay of the others', but the first one to notice makes the others gather
  // (and tick finely) before their own token runs out: without this wake the Propose or the
  // deferred Ack that forms the view waited up to a tick (token/20, 50 ms at token 1000).
  TimePoint nextLoss(TimePoint now) const;

 private:
  struct Round {
    RingId ring_id;
    std::vector<NodeId> members;  // sorted, includes self_
    std::set<NodeId> acked;       // includes self_
    TimePoint deadline;           // consensus timeout: give up on members that have not acked
    TimePoint resend;             // next retransmission of the Propose to those that have not acked
  };

  void onHeartbeat(NodeId from, const Heartbeat& hb, TimePoint now, Output& out);
  void onPropose(NodeId from, const Propose& p, TimePoint now, Output& out);
  void onAck(NodeId from, const Ack& ack, TimePoint now, Output& out);
  // Direct or presumed alive at `now`, sorted (see the protocol above).
  std::vector<NodeId> alive(TimePoint now) const;
  // The members before and after this node in its view (none without a view); 0, 1 or 2 nodes.
  std::vector<NodeId> ringNeighbours() const;
  bool isRingNeighbour(NodeId a, NodeId b) const;  // in this node's view
  // Heartbeats everyone from now on (at once, too) until settleIfDone().
  void startGather(TimePoint now, Output& out);
  void settleIfDone(TimePoint now);
  void sendHeartbeats(TimePoint now, Output& out);
  // True if `members` (sorted) lists every node this node hears at `now`.
  bool listsAllHeard(const std::vector<NodeId>& members, TimePoint now) const;
  void ackDeferred(TimePoint now, Output& out);
  void onCommit(const Commit& c, Output& out);

  // The live set minus currently excluded peers, plus self; sorted.
  std::vector<NodeId> candidates(TimePoint now);
  bool needsRound(const std::vector<NodeId>& live) const;
  void evaluate(TimePoint now, Output& out);
  void startRound(std::vector<NodeId> members, TimePoint now, Output& out);
  void sendProposals(Output& out) const;
  void commitRound(Output& out);
  void install(View view, Output& out);
  void send(NodeId to, const Message& m, Output& out) const;

  const NodeId self_;
  const Timing timing_;
  std::uint64_t max_seq_;      // persisted; only grows
  std::uint64_t incarnation_;  // persisted; fixed for this run
  RingId floor_;               // ring id of the last installed view (or restart floor)
  std::optional<View> view_;   // what this node has installed, if anything
  LivenessTable liveness_;
  QuorumContact contact_;       // window: timing_.contactWindow()
  std::optional<Round> round_;  // only while this node is proposing
  // A Propose this node defers its ack to (it leaves out a node this node hears). Replaced by a
  // later Propose; dropped once acked or once a view >= its ring is installed.
  struct Deferred {
    NodeId from;
    RingId ring_id;
    std::vector<NodeId> members;
    TimePoint until;  // ack anyway then
  };
  std::optional<Deferred> deferred_;
  std::vector<NodeId> last_live_;         // candidates() at the previous evaluate()
  TimePoint settle_until_;                // no proposals before it: the live set just gained a node
  std::map<NodeId, TimePoint> excluded_;  // failed to ack: ignored until the time given
  bool peer_restarted_ = false;           // a member came back with a new incarnation
  bool round_stale_ = false;              // a missing member already holds a ring >= ours
  TimePoint next_heartbeat_;
  TimePoint next_beacon_;  // settled: next heartbeat to the nodes outside the view
  bool gather_ = true;     // with a view: heartbeat everyone, the view may change
  TimePoint gather_since_;
  std::map<NodeId, TimePoint> presumed_;  // member -> presumed alive until (settled: refreshed)
  std::set<NodeId> direct_peers_;         // peers whose latest heartbeat asked for `direct`
  NodeOptions options_;
  TimePoint started_;  // construction time; no proposals for token/2 after it
  std::uint64_t dropped_ = 0;
};

}  // namespace pulse::membership
