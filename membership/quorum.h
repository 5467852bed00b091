// votequorum: decides whether this node's partition is quorate, with corosync votequorum(5)
// semantics (two_node, wait_for_all, last_man_standing, auto_tie_breaker, runtime
// expected_votes). Pure: no I/O and no clock; the membership shell feeds it each agreed view
// and calls onTick() when the last_man_standing window may have expired.
//
// One instance models the quorum state of one node. Every member of a partition sees the same
// views in the same order, so every member computes the same status.
//
// Thread-safety: none; owned by the membership io_context.
//
// Invariants (checkInvariants() reports them; tests call it after every step):
//  - quorum >= 1, and quorum == 1 only with two_node in effect or expected_votes <= 1;
//  - total_votes is the sum of the configured votes of the current members;
//  - expected_votes >= 1 and, while quorate or after a view, expected_votes >= total_votes;
//  - while wait_for_all is waiting, the partition is not quorate.
//
// Split-brain guarantee: take two instances with the same config and the same history of
// views, then feed them disjoint member sets (a partition). Without last_man_standing and
// without two_node, they are never both quorate: each needs more than half of an
// expected_votes that is at least the votes of the last common view (auto_tie_breaker only
// breaks an exact half split, and the tie-breaker node is on one side only). two_node
// deliberately breaks this (each survivor keeps quorum and fencing decides), as votequorum(5)
// says. With last_man_standing, expected_votes shrinks only inside a partition that stayed
// quorate for the whole window, to that partition's own size; nodes outside it keep the larger
// expected_votes, so shrinking splits stay safe. A node that restarts (fresh state) and merges
// with nodes that lost quorum is only kept out of quorum by wait_for_all, which is why
// votequorum(5) calls wait_for_all essential with last_man_standing.
//
// Peer info (nodeinfo) keeps this guarantee only if it is about the view being evaluated: a
// PeerInfo must come from a member of this node's current view and describe the peer's state
// in that same view (same ring id, hence the same members). Then a peer that says "quorate"
// had that very member set quorate, and adopting its expected_votes only makes more members
// of an already quorate view agree; it never makes a new member set quorate (though, like any
// member's own verdict, it lasts until this node installs its next view). Info from a node
// outside the view, or about another ring, could carry a quorate verdict from a partition this
// node is not in, so QuorumExchange (quorum_exchange.h) drops it before it gets here.
//
// Where Pulse is stricter than corosync (each found or argued by the split property test):
//  - auto_tie_breaker only breaks an exact half split: corosync also grants floor(expected/2)
//    votes of an odd expected_votes when few nodes left the previous view, but nodes outside
//    that view may join the other half and make it quorate too;
//  - auto_tie_breaker_node lists are read against the last quorate view (the "cluster before
//    the split" of votequorum(5)), not the previous view, so both halves pick the same node;
//  - expected_votes below the nodelist's votes, and two_node with other than two nodes, are
//    config errors rather than accepted.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "membership/result.h"

namespace pulse::membership {

using NodeId = std::uint32_t;
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

  // corosync-quorumtool -e. Refused when below the votes present, or when a quorate
  // partition would lose quorum. On success quorum is recalculated and may go down.
  Status setExpectedVotes(std::uint32_t expected_votes);

  // The next time onTick() has something to do, if any (for the shell's timer).
  std::optional<TimePoint> lastManStandingDeadline() const { return lms_deadline_; }

  QuorumStatus status() const;
  // What this node announces to the others (see PeerInfo).
  bool waitingForAll() const { return wait_for_all_status_; }
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
};

}  // namespace pulse::membership
