// votequorum: decides whether this node's partition is quorate, with corosync votequorum(5)
// semantics (two_node, wait_for_all, last_man_standing, auto_tie_breaker, runtime
// expected_votes). Pure: no I/O and no clock; the membership shell feeds it each agreed view
// and calls onTick() when the last_man_standing window may have expired.
//
// One instance models the quorum state of one node.
//
// Thread-safety: none; owned by the membership io_context.
//
// Invariants (checkInvariants() reports them; tests call it after every step):
//  - quorum >= 1, and quorum == 1 only with two_node in effect or expected_votes <= 1;
//  - total_votes is the sum of the configured votes of the current members;
//  - expected_votes >= 1 and, while quorate or after a view, expected_votes >= total_votes;
//  - while wait_for_all is waiting, the partition is not quorate;
//  - the vote set is non-empty and sorted, a pending set is of the next epoch, and a quorate
//    node (without two_node) holds a majority of its vote set.
//
// Split-brain guarantee: at no moment are two nodes quorate in disjoint views, for any
// interleaving of views, peer info, ticks, crashes and restarts, provided that (a) peer info
// reaches a node only for its current view and from a member (QuorumExchange guarantees it),
// (b) with last_man_standing, wait_for_all is on and nodes run in exchange mode
// (enableExchange), and (c) two_node is off and setExpectedVotes() is not used to lower
// expected votes. two_node deliberately breaks it (each survivor keeps quorum and fencing
// decides), as votequorum(5) says; lowering expected votes is the administrator's statement
// that the absent nodes are gone. The simulator checks it after every step (plain votequorum
// over 2, 3, 5 and 16 nodes; last_man_standing + wait_for_all over 3 and 5; the same plus
// auto_tie_breaker over 2, 3 and 5).
//
// Why vote counts are not enough: last_man_standing leaves nodes with different
// expected_votes. After {1, 2, 3} of five shrank to expected 3, {2, 3} is quorate (2 of 3) and
// so is {1, 4, 5} by any count (3 votes, a majority even of the highest expected, 5). corosync
// has this split-brain too. So a verdict also needs a majority of *which* nodes count:
//
// Vote sets. Each node holds a vote set (epoch, nodes): initially the whole nodelist at epoch
// 0. A view is quorate only if it holds more than half of the votes of every vote set known in
// it (this node's, and each member's as announced in its info; exactly half when
// auto_tie_breaker gives it the tie and, in exchange mode, the view holds that set's own
// tie-breaker node), on top of the vote-count verdict above. Either way the views that win on a
// set pairwise intersect in it, which is all the argument below uses of "majority". Sets change
// only in two steps, from a view in which this node is quorate and where every member has given its
// info and holds the same set (so all members derive the same next set and epoch):
//  - last_man_standing shrinks the set to the view's members, and a quorate view that holds
//    nodes outside the set grows it to the union (corosync's rise of expected_votes);
//  - the node first holds the next set as *pending*, needing majorities of both the old and
//    the new set (joint consensus); the new set replaces the old only once every member of the
//    deciding view is seen, in one view, holding it (pending or done);
//  - a set of a higher epoch announced by a member replaces ours (it exists only once its whole
//    deciding view held it pending, so no view can still win on the older set alone without
//    one of those nodes), and overrides a pending set of the same or a lower epoch.
// Sketch of why: the deciding view V won on the old set S. A view that can win on S alone holds
// no node of V that is pending or past (they would add the new set's majority), and without
// V's nodes it cannot win on S (winners of S intersect). Views that see the new set, or are
// pending, need a majority of it. Same-epoch sets from different views cannot both complete (each
// needs the other's nodes pending on it).
//
// Sync barrier (exchange mode, last_man_standing): after a view change a member not heard yet
// may hold a newer set, so the node is not quorate until every member's info for the view is
// in (corosync's sync barrier, where every member's nodeinfo is exchanged before the view's
// quorum is decided), except when the view only grew from a view in which this node was
// quorate: newcomers are then outside a view that already holds the majorities, so it stays
// quorate through a plain join. A view that lost nodes is not quorate for about one nodeinfo
// round trip. Without last_man_standing every set stays the nodelist at epoch 0 and the
// vote-set rule is implied by the count (expected_votes >= the nodelist's votes), so there is
// no barrier and the default behaviour is exactly the vote-count one.
//
// Restarts lose the set (state is not persisted): a restarted node holds epoch 0 again, and
// wait_for_all keeps it out of quorum until all votes are present or a quorate peer (whose
// set it then adopts and must satisfy) is in its view; this is why votequorum(5) calls
// wait_for_all essential with last_man_standing, and why (b) requires it.
//
// Peer info must be about the view being evaluated: a PeerInfo must come from a member of this
// node's current view and describe the peer's state in that same view (same ring id, hence the
// same members). Then a peer that says "quorate" had that very member set quorate, and adopting
// its expected_votes only makes more members of an already quorate view agree. Info from a node
// outside the view, or about another ring, could carry a verdict or a set from a partition this
// node is not in, so QuorumExchange (quorum_exchange.h) drops it before it gets here.
//
// Standalone (no enableExchange, as in the votequorum(5) table tests) every member is taken to
// share this node's state: set moves complete at once, and the guarantee holds only for
// instances fed the same views.
//
// Where Pulse is stricter than corosync (each found or argued by the split property test):
//  - the vote sets above: after last_man_standing, a view needs a majority of the nodes that
//    shrank, not just of the shrunk vote count (so {2, 4} after {1, 2, 3} shrank is not
//    quorate, where corosync says 2 of 3), and a shrink seen by only some members of the view
//    before it splits counts for nobody until it completes;
//  - auto_tie_breaker only breaks an exact half split: corosync also grants floor(expected/2)
//    votes of an odd expected_votes when few nodes left the previous view, but nodes outside
//    that view may join the other half and make it quorate too;
//  - auto_tie_breaker_node lists are read against the last quorate view (the "cluster before
//    the split" of votequorum(5)), not the previous view, which after views that were never
//    quorate lets both halves win;
//  - in exchange mode an exact half split also needs the tie-breaker of each vote set it is half
//    of: the last quorate view is each node's own and two halves need not share it (a node cut
//    off before it installed a later quorate view keeps the older one, so with lowest each half
//    can hold "its" lowest node). Every member derives a set's tie-breaker from the set alone,
//    so two disjoint halves of a set cannot both hold it. Cost: once the set's tie-breaker node
//    is gone, an exact half split of the set goes to nobody (corosync gives it to the side with
//    the lowest remaining node, or the list's next node) until last_man_standing shrinks the
//    set past the gone node; without last_man_standing the set is the nodelist for good;
//  - expected_votes below the nodelist's votes, and two_node with other than two nodes, are
//    config errors rather than accepted.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "membership/result.h"
#include "membership/types.h"

namespace pulse::membership {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// auto_tie_breaker_node: lowest | highest | <list of node ids>.
struct TieBreaker {
  enum class Kind { kLowest, kHighest, kList };
  Kind kind = Kind::kLowest;
  std::vector<NodeId> list;  // Only for kList, in priority order.

  friend bool operator==(const TieBreaker&, const TieBreaker&) = default;
};

struct QuorumNode {
  NodeId id = 0;
  std::uint32_t votes = 1;  // quorum_votes in the nodelist.

  friend bool operator==(const QuorumNode&, const QuorumNode&) = default;
};

// The quorum { } section plus the votes of the nodelist. Optional fields are "not set", so
// that defaults that depend on other settings (wait_for_all from two_node) follow corosync.
struct QuorumConfig {
  std::vector<QuorumNode> nodes;
  std::optional<std::uint32_t> expected_votes;  // Default: sum of the nodes' votes.
  bool two_node = false;
  std::optional<bool> wait_for_all;  // Default: same as two_node.
  bool last_man_standing = false;
  std::chrono::milliseconds last_man_standing_window{10000};
  bool auto_tie_breaker = false;
  TieBreaker auto_tie_breaker_node;

  friend bool operator==(const QuorumConfig&, const QuorumConfig&) = default;
};

// The flags `corosync-quorumtool -s` prints (and `pcs quorum status`).
enum QuorumFlag : std::uint32_t {
  kFlagTwoNode = 1u << 0,
  kFlagQuorate = 1u << 1,
  kFlagWaitForAll = 1u << 2,
  kFlagLastManStanding = 1u << 3,
  kFlagAutoTieBreaker = 1u << 4,
};

struct QuorumStatus {
  bool quorate = false;
  std::uint32_t expected_votes = 0;
  std::uint32_t total_votes = 0;
  std::uint32_t quorum = 0;
  std::uint32_t flags = 0;  // QuorumFlag bits.
  std::uint32_t nodes = 0;  // Members in the current view.

  // "2Node Quorate WaitForAll LastManStanding AutoTieBreaker", in corosync-quorumtool's order.
  std::string flagsText() const;
  friend bool operator==(const QuorumStatus&, const QuorumStatus&) = default;
};

// What another member last announced (corosync's nodeinfo message). A node that joins a
// quorate partition adopts its expected_votes, and its wait_for_all wait ends.
struct PeerInfo {
  NodeId node = 0;
  std::uint32_t expected_votes = 0;
  bool quorate = false;
  bool waiting_for_all = false;
  // The peer's vote set and pending vote set (see "Vote sets" above Votequorum).
  VoteSet set;
  std::optional<VoteSet> pending;
  friend bool operator==(const PeerInfo&, const PeerInfo&) = default;
};

// Checks a config and applies corosync's adjustments; errors name the setting.
//  - Errors: no nodes; a node id 0 or repeated; votes 0; expected_votes 0 or below the sum of
//    the nodes' votes (corosync allows it, but then two partitions can both be quorate);
//    last_man_standing_window 0; a tie-breaker list naming an unknown node; two_node with
//    other than two nodes (corosync would give a lone survivor of three quorum 1);
//    auto_tie_breaker with last_man_standing in an odd-sized cluster without wait_for_all
//    (fatal in corosync too).
//  - Adjustments (as corosync, reported by the flags): two_node is dropped when
//    auto_tie_breaker is on; auto_tie_breaker is dropped in an odd-sized cluster without
//    wait_for_all; last_man_standing is dropped when a node has more than one vote.
Result<QuorumConfig> effectiveQuorumConfig(const QuorumConfig& config);

class Votequorum {
 public:
  // Fails when effectiveQuorumConfig() does. The new instance has seen no view: not quorate,
  // expected_votes from the config, waiting for all if wait_for_all.
  static Result<Votequorum> create(const QuorumConfig& config);

  // A new agreed view. `members` may be in any order; ids not in the config are ignored (they
  // have no votes). `peers` holds what the other members announced, if known.
  QuorumStatus onViewChanged(const std::vector<NodeId>& members, TimePoint now,
                             const std::vector<PeerInfo>& peers = {});

  // What member `peer.node` of the current view announced, between view changes (a nodeinfo
  // that arrived after the view was installed). Same rule as the `peers` of onViewChanged():
  // ignored unless the peer is a member and quorate; otherwise a non-quorate node adopts its
  // expected_votes, a quorate one raises its own to it if lower, and a peer that is not waiting
  // ends our wait_for_all. Applying the same info again changes nothing. The caller must only
  // pass info the peer sent while it had this node's current view installed (QuorumExchange
  // does): see the split-brain guarantee above.
  QuorumStatus onPeerInfo(const PeerInfo& peer);

  // Expires the last_man_standing window if `now` has reached it; otherwise a no-op.
  QuorumStatus onTick(TimePoint now);

  // Switches this instance to exchange mode (QuorumExchange does, before the first view): the
  // other members' vote sets come from their PeerInfo, and after a view change this node is
  // quorate only once every member's info for the view has been given (the sync barrier), or
  // while the view only grew from a quorate one. Without it (standalone, as in the votequorum
  // table tests) every member is taken to share this node's state.
  void enableExchange(NodeId self);

  // corosync-quorumtool -e. Refused when below the votes present, or when a quorate
  // partition would lose quorum. On success quorum is recalculated and may go down.
  Status setExpectedVotes(std::uint32_t expected_votes);

  // The next time onTick() has something to do, if any (for the shell's timer).
  std::optional<TimePoint> lastManStandingDeadline() const { return lms_deadline_; }

  QuorumStatus status() const;
  // What this node announces to the others (see PeerInfo).
  bool waitingForAll() const { return wait_for_all_status_; }
  const VoteSet& voteSet() const { return set_; }
  const std::optional<VoteSet>& pendingVoteSet() const { return pending_; }
  const QuorumConfig& config() const { return config_; }
  // The invariants above; the first one violated, as an error.
  Status checkInvariants() const;

 private:
  explicit Votequorum(QuorumConfig config);

  std::uint32_t votesOf(const std::vector<NodeId>& members) const;
  std::uint32_t calculateQuorum(bool allow_decrease, std::uint32_t max_expected,
                                std::uint32_t total_votes) const;
  void recalculate(bool allow_decrease, bool by_current_nodes);
  void decideQuorate(std::uint32_t total_votes);
  bool synced() const;
  bool majorityOf(const std::vector<NodeId>& nodes, bool tie_broken) const;
  bool setsAllow(bool tie_broken) const;
  void adoptPeerSets();
  bool startChange(const std::vector<NodeId>& nodes);
  void resolvePending();
  void advanceSets();
  void storePeer(const PeerInfo& peer);
  std::optional<NodeId> tieBreakerOf(const std::vector<NodeId>& nodes) const;
  bool tieBreakerPresent() const;
  void applyPeer(const PeerInfo& peer, bool& allow_decrease);
  bool contains(const std::vector<NodeId>& set, NodeId node) const;

  // Effective config; never changes after create().
  QuorumConfig config_;
  // Current view and the one before it (sorted); set by onViewChanged().
  std::vector<NodeId> members_;
  std::vector<NodeId> previous_members_;
  // Raised to the votes present by every view, lowered by last_man_standing and
  // setExpectedVotes(), adopted from a quorate peer when this node is not quorate.
  std::uint32_t expected_votes_;
  // Never decreases except through last_man_standing or setExpectedVotes().
  std::uint32_t quorum_ = 0;
  bool quorate_ = false;
  // True from start (with wait_for_all) and again whenever quorum is lost, until all expected
  // votes are present at once or a quorate peer that is not waiting is seen.
  bool wait_for_all_status_;
  // The last view that was quorate on its own votes; auto_tie_breaker decides from it.
  std::vector<NodeId> last_quorate_members_;
  // Set when the view loses nodes while quorate; cleared when it fires.
  std::optional<TimePoint> lms_deadline_;

  // Vote sets (see "Vote sets" above). set_ starts as the whole nodelist at epoch 0.
  VoteSet set_;
  // The set this node is moving to, and the view that decided the move (whose members must all
  // be seen at or past it before it replaces set_).
  std::optional<VoteSet> pending_;
  std::vector<NodeId> pending_view_;
  // Exchange mode: this node's id and the current view's members' latest info.
  std::optional<NodeId> self_;
  std::vector<PeerInfo> peers_;
  // Exchange mode: the view grew from a view in which this node was quorate, so it may stay
  // quorate before the newcomers' info arrives.
  bool grew_from_quorate_ = false;
  // The last_man_standing timer fired while quorate: move set_ to the members once the view's
  // members agree (cleared by the move or by the next view).
  bool lms_shrink_wanted_ = false;
  // The last verdict was an auto_tie_breaker exact-half win.
  bool tie_broken_ = false;
};

}  // namespace pulse::membership
