// votequorum semantics, following corosync's exec/votequorum.c (calculate_quorum,
// are_we_quorate, recalculate_quorum, votequorum_sync_init, the LMS timer and setexpected) and
// votequorum(5). Our own code; the comments name the corosync behaviour each step keeps.
#include "membership/quorum.h"

#include <algorithm>
#include <iterator>
#include <set>

namespace pulse::membership {

std::string QuorumStatus::flagsText() const {
  std::string text;
  auto add = [&text](const char* word) {
    if (!text.empty()) text += ' ';
    text += word;
  };
  if (flags & kFlagTwoNode) add("2Node");
  if (flags & kFlagQuorate) add("Quorate");
  if (flags & kFlagWaitForAll) add("WaitForAll");
  if (flags & kFlagLastManStanding) add("LastManStanding");
  if (flags & kFlagAutoTieBreaker) add("AutoTieBreaker");
  return text;
}

Result<QuorumConfig> effectiveQuorumConfig(const QuorumConfig& config) {
  QuorumConfig out = config;
  if (out.nodes.empty()) return Error{"quorum: the nodelist has no nodes"};
  std::set<NodeId> ids;
  std::uint32_t votes = 0;
  for (const QuorumNode& node : out.nodes) {
    if (node.id == 0) return Error{"quorum: node id 0 is reserved"};
    if (!ids.insert(node.id).second) {
      return Error{"quorum: node id " + std::to_string(node.id) + " appears twice"};
    }
    if (node.votes == 0) {
      return Error{"quorum: node " + std::to_string(node.id) + " has quorum_votes 0"};
    }
    votes += node.votes;
  }
  if (out.expected_votes && *out.expected_votes < votes) {
    return Error{"quorum: expected_votes " + std::to_string(*out.expected_votes) +
                 " is below the " + std::to_string(votes) +
                 " votes of the nodelist; two partitions could both be quorate"};
  }
  if (out.two_node && out.nodes.size() != 2) {
    return Error{"quorum: two_node needs exactly 2 nodes in the nodelist, not " +
                 std::to_string(out.nodes.size())};
  }
  if (out.last_man_standing_window.count() <= 0) {
    return Error{"quorum: last_man_standing_window must be positive"};
  }
  for (NodeId id : out.auto_tie_breaker_node.list) {
    if (!ids.count(id)) {
      return Error{"quorum: auto_tie_breaker_node names node " + std::to_string(id) +
                   ", which is not in the nodelist"};
    }
  }
  if (out.auto_tie_breaker_node.kind == TieBreaker::Kind::kList &&
      out.auto_tie_breaker_node.list.empty()) {
    return Error{"quorum: auto_tie_breaker_node list is empty"};
  }
  // Order as in votequorum_readconfig(): wait_for_all follows two_node unless set, and stays
  // on even when two_node is then dropped for auto_tie_breaker.
  if (!out.wait_for_all) out.wait_for_all = out.two_node;
  if (out.two_node && out.auto_tie_breaker) out.two_node = false;
  if (out.auto_tie_breaker && votes % 2 == 1 && !*out.wait_for_all) {
    if (out.last_man_standing) {
      return Error{
          "quorum: auto_tie_breaker and last_man_standing need wait_for_all in an odd-sized "
          "cluster"};
    }
    out.auto_tie_breaker = false;
  }
  if (out.last_man_standing && votes != out.nodes.size()) out.last_man_standing = false;
  return out;
}

Result<Votequorum> Votequorum::create(const QuorumConfig& config) {
  Result<QuorumConfig> effective = effectiveQuorumConfig(config);
  if (!effective) return effective.error();
  return Votequorum(std::move(effective).value());
}

Votequorum::Votequorum(QuorumConfig config)
    : config_(std::move(config)),
      expected_votes_(0),
      wait_for_all_status_(config_.wait_for_all.value_or(false)) {
  for (const QuorumNode& node : config_.nodes) {
    expected_votes_ += node.votes;
    set_.nodes.push_back(node.id);
  }
  std::sort(set_.nodes.begin(), set_.nodes.end());
  if (config_.expected_votes) expected_votes_ = *config_.expected_votes;
  quorum_ = calculateQuorum(false, 0, 0);
}

bool Votequorum::contains(const std::vector<NodeId>& set, NodeId node) const {
  return std::binary_search(set.begin(), set.end(), node);
}

std::uint32_t Votequorum::votesOf(const std::vector<NodeId>& members) const {
  std::uint32_t votes = 0;
  for (const QuorumNode& node : config_.nodes) {
    if (contains(members, node.id)) votes += node.votes;
  }
  return votes;
}

// calculate_quorum(): a majority of the higher of expected votes and votes present
// ("(x + 2) / 2"), never lower than before unless allowed, and 1 for two_node with at most two
// members.
std::uint32_t Votequorum::calculateQuorum(bool allow_decrease, std::uint32_t max_expected,
                                          std::uint32_t total_votes) const {
  const std::uint32_t highest = max_expected > 0 ? max_expected : expected_votes_;
  std::uint32_t quorum = std::max((highest + 2) / 2, (total_votes + 2) / 2);
  if (!allow_decrease) quorum = std::max(quorum, quorum_);
  if (config_.two_node && members_.size() <= 2) quorum = 1;
  return quorum;
}

// recalculate_quorum(): expected votes follow the votes present upwards; by_current_nodes (the
// last_man_standing timer) sets them to the votes present.
void Votequorum::recalculate(bool allow_decrease, bool by_current_nodes) {
  adoptPeerSets();
  resolvePending();
  const std::uint32_t total = votesOf(members_);
  if (total > expected_votes_) expected_votes_ = total;
  const std::uint32_t max_expected = by_current_nodes ? total : 0;
  quorum_ = calculateQuorum(allow_decrease, max_expected, total);
  if (max_expected > 0) expected_votes_ = max_expected;
  // The last_man_standing timer fires only while quorate: move the vote set with expected_votes
  // before deciding, or the new quorum would be judged against the old set.
  if (by_current_nodes) {
    lms_shrink_wanted_ = !startChange(members_);
    resolvePending();
  }
  decideQuorate(total);
  advanceSets();
}

// are_we_quorate().
void Votequorum::decideQuorate(std::uint32_t total_votes) {
  const bool wait_for_all = config_.wait_for_all.value_or(false);
  tie_broken_ = false;
  if (wait_for_all && wait_for_all_status_) {
    if (total_votes != expected_votes_) {
      quorate_ = false;
      return;
    }
    wait_for_all_status_ = false;
  }
  bool quorate = quorum_ <= total_votes;
  if (quorate && setsAllow(false)) last_quorate_members_ = members_;
  // An exact half split goes to the side holding the tie-breaker. corosync also grants it with
  // an odd expected_votes (floor(expected / 2) votes) when fewer than quorum nodes left the
  // previous view; but nodes outside that view can then join the other side and give it
  // ceil(expected / 2) = quorum votes (found by the split property test), so we also require
  // that the votes outside this partition cannot reach quorum.
  const auto lost = static_cast<std::int64_t>(previous_members_.size()) -
                    static_cast<std::int64_t>(members_.size());
  if (config_.auto_tie_breaker && total_votes == expected_votes_ / 2 &&
      expected_votes_ - total_votes < quorum_ && lost < static_cast<std::int64_t>(quorum_) &&
      tieBreakerPresent()) {
    quorate = true;
    tie_broken_ = true;
  }
  // The vote-count verdict above is corosync's; the vote sets must allow it too (the split-brain
  // guarantee). wait_for_all follows the count verdict: a member that left makes the sets refuse
  // until the view's info is in, and that must not make the partition wait for all again.
  quorate_ = quorate && setsAllow(tie_broken_);
  if (wait_for_all) wait_for_all_status_ = !quorate;
}

void Votequorum::enableExchange(NodeId self) { self_ = self; }

// Exchange mode: every other member of the view has given its info for the view.
bool Votequorum::synced() const {
  if (!self_) return true;
  return std::all_of(members_.begin(), members_.end(), [this](NodeId m) {
    return m == *self_ || std::any_of(peers_.begin(), peers_.end(),
                                      [m](const PeerInfo& p) { return p.node == m; });
  });
}

// More than half of the votes of `nodes` are present, or exactly half when auto_tie_breaker
// gave this side the tie and, in exchange mode, the side also holds the tie-breaker of `nodes`
// itself. That last condition makes the winners of each set pairwise intersect, as strict
// majorities do: two disjoint halves of a set cannot both hold its one tie-breaker node, while
// the verdict's tie-breaker (tieBreakerPresent) may differ between them. Standalone every
// instance is fed the same views, so that one is shared and suffices (and keeps the list
// semantics votequorum(5) documents).
bool Votequorum::majorityOf(const std::vector<NodeId>& nodes, bool tie_broken) const {
  std::uint64_t present = 0, all = 0;
  for (const QuorumNode& node : config_.nodes) {
    if (!std::binary_search(nodes.begin(), nodes.end(), node.id)) continue;
    all += node.votes;
    if (contains(members_, node.id)) present += node.votes;
  }
  if (2 * present > all) return true;
  if (!tie_broken || 2 * present != all) return false;
  if (!self_) return true;
  const std::optional<NodeId> tie_breaker = tieBreakerOf(nodes);
  return tie_breaker && contains(members_, *tie_breaker);
}

// The view holds a majority of every vote set known in it: this node's set and pending set,
// and those of every member that gave its info. With last_man_standing in exchange mode the
// view must also be synced (a member not heard yet may hold a newer set), unless it only grew
// from a view in which this node was quorate. Without last_man_standing every set is the
// whole nodelist at epoch 0 (only setExpectedVotes, an administrator's override, changes it),
// so there is nothing to wait for. two_node is exempt (it deliberately keeps each survivor
// quorate, see above).
bool Votequorum::setsAllow(bool tie_broken) const {
  if (config_.two_node) return true;
  if (self_ && config_.last_man_standing && !grew_from_quorate_ && !synced()) return false;
  if (!majorityOf(set_.nodes, tie_broken)) return false;
  if (pending_ && !majorityOf(pending_->nodes, tie_broken)) return false;
  // Members almost always hold this node's own sets; check only the others (this runs on every
  // nodeinfo, and the 16-node simulation delivers millions).
  auto known = [this](const VoteSet& set) {
    return set.nodes.empty() || set == set_ || (pending_ && set == *pending_);
  };
  for (const PeerInfo& peer : peers_) {
    if (!known(peer.set) && !majorityOf(peer.set.nodes, tie_broken)) return false;
    if (peer.pending && !known(*peer.pending) && !majorityOf(peer.pending->nodes, tie_broken)) {
      return false;
    }
  }
  return true;
}

// A member's set of a higher epoch supersedes ours: it exists only once every member of the
// view that decided it held it as pending, so the sets it replaced can no longer win alone.
// A pending move it overtakes is dropped (that move can then never complete anywhere).
void Votequorum::adoptPeerSets() {
  for (const PeerInfo& peer : peers_) {
    if (!peer.set.nodes.empty() && peer.set.epoch > set_.epoch) set_ = peer.set;
  }
  if (pending_ && pending_->epoch <= set_.epoch) {
    pending_.reset();
    pending_view_.clear();
  }
}

// Starts moving set_ to `nodes` (true when that move is done or under way). Only from a view in
// which this node is quorate (so the view is a majority of set_), once every member has given
// its info and holds the same set_, so that all members derive the same next set and epoch.
bool Votequorum::startChange(const std::vector<NodeId>& nodes) {
  if (pending_) return pending_->nodes == nodes;
  if (nodes == set_.nodes) return true;
  const VoteSet next{set_.epoch + 1, nodes};
  if (self_) {
    if (!synced()) return false;
    for (const PeerInfo& peer : peers_) {
      if (peer.set != set_ || (peer.pending && *peer.pending != next)) return false;
    }
  }
  pending_ = next;
  pending_view_ = members_;
  return true;
}

// The pending set replaces set_ once every member of the view that decided it is seen, in one
// view, holding it (pending or done). Standalone, the members are this node.
void Votequorum::resolvePending() {
  if (!pending_) return;
  if (!std::includes(members_.begin(), members_.end(), pending_view_.begin(),
                     pending_view_.end())) {
    return;
  }
  if (self_) {
    if (!synced()) return;
    for (NodeId n : pending_view_) {
      if (n == *self_) continue;
      const auto peer = std::find_if(peers_.begin(), peers_.end(),
                                     [n](const PeerInfo& p) { return p.node == n; });
      if (peer == peers_.end() || (peer->set != *pending_ && peer->pending != pending_)) return;
    }
  }
  set_ = *pending_;
  pending_.reset();
  pending_view_.clear();
}

// After a verdict: a quorate view grows set_ to cover its members (corosync raises
// expected_votes to the votes present), and last_man_standing shrinks it to the members.
void Votequorum::advanceSets() {
  if (quorate_) {
    if (lms_shrink_wanted_) {
      if (startChange(members_)) lms_shrink_wanted_ = false;
    } else if (!std::includes(set_.nodes.begin(), set_.nodes.end(), members_.begin(),
                              members_.end())) {
      std::vector<NodeId> grown;
      std::set_union(set_.nodes.begin(), set_.nodes.end(), members_.begin(), members_.end(),
                     std::back_inserter(grown));
      startChange(grown);
    }
  }
  resolvePending();
  // A move only adds a requirement the view already meets, but re-check rather than assume.
  if (quorate_ && !setsAllow(tie_broken_)) quorate_ = false;
}

void Votequorum::storePeer(const PeerInfo& peer) {
  if (!contains(members_, peer.node) || (self_ && peer.node == *self_)) return;
  auto it = std::find_if(peers_.begin(), peers_.end(),
                         [&peer](const PeerInfo& p) { return p.node == peer.node; });
  if (it == peers_.end()) {
    peers_.push_back(peer);
  } else {
    *it = peer;
  }
}

// The node that breaks a tie among `nodes` (sorted): lowest/highest are its extremes (as in
// corosync); for a list, the first listed node among them ("if that node is not in either half
// (ie was not in the cluster before the split) then the second node ID will be checked",
// votequorum(5)). None when no listed node is among them.
std::optional<NodeId> Votequorum::tieBreakerOf(const std::vector<NodeId>& nodes) const {
  if (nodes.empty()) return std::nullopt;
  const TieBreaker& atb = config_.auto_tie_breaker_node;
  switch (atb.kind) {
    case TieBreaker::Kind::kLowest:
      return nodes.front();
    case TieBreaker::Kind::kHighest:
      return nodes.back();
    case TieBreaker::Kind::kList:
      for (NodeId id : atb.list) {
        if (contains(nodes, id)) return id;
      }
      return std::nullopt;
  }
  return std::nullopt;
}

// check_auto_tie_breaker(), read against this node's last quorate view (the "cluster before the
// split" of votequorum(5)) rather than corosync's previous view, which after views that were
// never quorate can let both halves win. The last quorate view is this node's own: a node cut
// off before it installed a later quorate view still holds the older one, so two halves can
// pick different nodes. In exchange mode majorityOf() therefore also requires each vote set's
// own tie-breaker, which every side agrees on.
bool Votequorum::tieBreakerPresent() const {
  const std::optional<NodeId> tie_breaker = tieBreakerOf(last_quorate_members_);
  return tie_breaker && contains(members_, *tie_breaker);
}

QuorumStatus Votequorum::onViewChanged(const std::vector<NodeId>& members, TimePoint now,
                                       const std::vector<PeerInfo>& peers) {
  std::vector<NodeId> next;
  for (NodeId id : members) {
    const bool known = std::any_of(config_.nodes.begin(), config_.nodes.end(),
                                   [id](const QuorumNode& node) { return node.id == id; });
    if (known) next.push_back(id);
  }
  std::sort(next.begin(), next.end());
  next.erase(std::unique(next.begin(), next.end()), next.end());

  // votequorum_sync_init(): (re)start the last_man_standing window when nodes left a view that
  // still has quorum's worth of nodes, or when a view at or below quorum holds the tie-breaker.
  const bool left = std::any_of(members_.begin(), members_.end(), [&next](NodeId id) {
    return !std::binary_search(next.begin(), next.end(), id);
  });
  grew_from_quorate_ =
      quorate_ && std::includes(next.begin(), next.end(), members_.begin(), members_.end());
  previous_members_ = std::move(members_);
  members_ = std::move(next);
  peers_.clear();
  lms_shrink_wanted_ = false;
  if (config_.last_man_standing) {
    const bool tie_breaker = config_.auto_tie_breaker && tieBreakerPresent();
    if ((members_.size() >= quorum_ && left) || (members_.size() <= quorum_ && tie_breaker)) {
      lms_deadline_ = now + config_.last_man_standing_window;
    }
  }

  bool allow_decrease = false;
  for (const PeerInfo& peer : peers) storePeer(peer);
  for (const PeerInfo& peer : peers) applyPeer(peer, allow_decrease);
  recalculate(allow_decrease, false);
  return status();
}

// message_handler_req_exec_votequorum_nodeinfo(): a node that is not quorate adopts the
// expected votes of a quorate peer, and a quorate peer that is not waiting ends our wait.
// Only members of the current view count, and only peers that say they are quorate.
void Votequorum::applyPeer(const PeerInfo& peer, bool& allow_decrease) {
  if (!contains(members_, peer.node) || !peer.quorate || peer.expected_votes == 0) return;
  if (!quorate_ && !allow_decrease) {
    expected_votes_ = peer.expected_votes;
    allow_decrease = true;
  } else {
    expected_votes_ = std::max(expected_votes_, peer.expected_votes);
  }
  if (!peer.waiting_for_all) wait_for_all_status_ = false;
}

QuorumStatus Votequorum::onPeerInfo(const PeerInfo& peer) {
  if (!contains(members_, peer.node) || (self_ && peer.node == *self_)) return status();
  // The same info again (the periodic resend) changes nothing: skip the recalculation.
  const auto stored = std::find_if(peers_.begin(), peers_.end(),
                                   [&peer](const PeerInfo& p) { return p.node == peer.node; });
  if (stored != peers_.end() && *stored == peer) return status();
  // Every member's info counts for the sync barrier and its vote sets; only a quorate peer's
  // for expected_votes and wait_for_all.
  storePeer(peer);
  bool allow_decrease = false;
  applyPeer(peer, allow_decrease);
  recalculate(allow_decrease, false);
  return status();
}

// votequorum_last_man_standing_timer_fn(): only a partition that is still quorate shrinks.
QuorumStatus Votequorum::onTick(TimePoint now) {
  if (lms_deadline_ && now >= *lms_deadline_) {
    lms_deadline_.reset();
    if (quorate_) recalculate(true, true);
  }
  return status();
}

// message_handler_req_lib_votequorum_setexpected().
Status Votequorum::setExpectedVotes(std::uint32_t expected_votes) {
  const std::uint32_t total = votesOf(members_);
  if (expected_votes == 0) return Error{"expected votes must be at least 1"};
  if (expected_votes < total) {
    return Error{"expected votes " + std::to_string(expected_votes) + " is below the " +
                 std::to_string(total) + " votes present"};
  }
  const std::uint32_t new_quorum = calculateQuorum(true, expected_votes, total);
  if (quorate_ && new_quorum > total) {
    return Error{"expected votes " + std::to_string(expected_votes) + " would need quorum " +
                 std::to_string(new_quorum) + " but only " + std::to_string(total) +
                 " votes are present; the cluster would lose quorum"};
  }
  const bool lowered = expected_votes < expected_votes_;
  expected_votes_ = expected_votes;
  // Lowering expected_votes below the votes of the vote set is the administrator's decision
  // that the absent nodes are gone: the members become the vote set at once, without waiting
  // for the other members, and peers adopt it by its higher epoch. Like corosync's -e, this
  // steps outside the split-brain guarantee if the absent nodes are in fact running.
  if (lowered && expected_votes < votesOf(set_.nodes)) {
    set_ = VoteSet{set_.epoch + 1, members_};
    pending_.reset();
    pending_view_.clear();
  }
  recalculate(true, false);
  return {};
}

QuorumStatus Votequorum::status() const {
  QuorumStatus s;
  s.quorate = quorate_;
  s.expected_votes = expected_votes_;
  s.total_votes = votesOf(members_);
  s.quorum = quorum_;
  s.nodes = static_cast<std::uint32_t>(members_.size());
  if (config_.two_node) s.flags |= kFlagTwoNode;
  if (quorate_) s.flags |= kFlagQuorate;
  if (config_.wait_for_all.value_or(false)) s.flags |= kFlagWaitForAll;
  if (config_.last_man_standing) s.flags |= kFlagLastManStanding;
  if (config_.auto_tie_breaker) s.flags |= kFlagAutoTieBreaker;
  return s;
}

Status Votequorum::checkInvariants() const {
  const std::uint32_t total = votesOf(members_);
  if (quorum_ < 1) return Error{"quorum is 0"};
  if (quorum_ == 1 && !config_.two_node && expected_votes_ > 1) {
    return Error{"quorum 1 without two_node while expected_votes > 1"};
  }
  if (expected_votes_ < 1) return Error{"expected_votes is 0"};
  if (expected_votes_ < total) return Error{"expected_votes below the votes present"};
  if (!std::is_sorted(members_.begin(), members_.end())) return Error{"members not sorted"};
  if (config_.wait_for_all.value_or(false) && wait_for_all_status_ && quorate_) {
    return Error{"quorate while waiting for all"};
  }
  if (set_.nodes.empty() || !std::is_sorted(set_.nodes.begin(), set_.nodes.end())) {
    return Error{"vote set empty or not sorted"};
  }
  if (pending_ && pending_->epoch != set_.epoch + 1) {
    return Error{"pending vote set is not of the next epoch"};
  }
  if (quorate_ && !config_.two_node && !majorityOf(set_.nodes, tie_broken_)) {
    return Error{"quorate without a majority of the vote set"};
  }
  return {};
}

}  // namespace pulse::membership
