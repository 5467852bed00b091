// votequorum semantics, following corosync's exec/votequorum.c (calculate_quorum,
// are_we_quorate, recalculate_quorum, votequorum_sync_init, the LMS timer and setexpected) and
// votequorum(5). Our own code; the comments name the corosync behaviour each step keeps.
#include "membership/quorum.h"

#include <algorithm>
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
  for (const QuorumNode& node : config_.nodes) expected_votes_ += node.votes;
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
  const std::uint32_t total = votesOf(members_);
  if (total > expected_votes_) expected_votes_ = total;
  const std::uint32_t max_expected = by_current_nodes ? total : 0;
  quorum_ = calculateQuorum(allow_decrease, max_expected, total);
  if (max_expected > 0) expected_votes_ = max_expected;
  decideQuorate(total);
}

// are_we_quorate().
void Votequorum::decideQuorate(std::uint32_t total_votes) {
  const bool wait_for_all = config_.wait_for_all.value_or(false);
  if (wait_for_all && wait_for_all_status_) {
    if (total_votes != expected_votes_) {
      quorate_ = false;
      return;
    }
    wait_for_all_status_ = false;
  }
  bool quorate = quorum_ <= total_votes;
  if (quorate) last_quorate_members_ = members_;
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
  }
  quorate_ = quorate;
  if (wait_for_all) wait_for_all_status_ = !quorate;
}

// check_auto_tie_breaker(). All three kinds decide from the last quorate view, which both sides
// of a split share: lowest/highest are its extremes (as in corosync); for a list, the first
// listed node that was in it decides ("if that node is not in either half (ie was not in the
// cluster before the split) then the second node ID will be checked", votequorum(5)).
// corosync compares a list against the previous view instead, which after views that were never
// quorate can let both halves win; this reading cannot.
bool Votequorum::tieBreakerPresent() const {
  if (last_quorate_members_.empty()) return false;
  const TieBreaker& atb = config_.auto_tie_breaker_node;
  switch (atb.kind) {
    case TieBreaker::Kind::kLowest:
      return contains(members_, last_quorate_members_.front());
    case TieBreaker::Kind::kHighest:
      return contains(members_, last_quorate_members_.back());
    case TieBreaker::Kind::kList:
      for (NodeId id : atb.list) {
        if (contains(last_quorate_members_, id)) return contains(members_, id);
      }
      return false;
  }
  return false;
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
  previous_members_ = std::move(members_);
  members_ = std::move(next);
  if (config_.last_man_standing) {
    const bool tie_breaker = config_.auto_tie_breaker && tieBreakerPresent();
    if ((members_.size() >= quorum_ && left) || (members_.size() <= quorum_ && tie_breaker)) {
      lms_deadline_ = now + config_.last_man_standing_window;
    }
  }

  bool allow_decrease = false;
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
  if (!contains(members_, peer.node) || !peer.quorate || peer.expected_votes == 0) {
    return status();
  }
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
  expected_votes_ = expected_votes;
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
  return {};
}

}  // namespace pulse::membership
