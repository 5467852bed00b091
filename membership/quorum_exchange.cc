#include "membership/quorum_exchange.h"

#include <algorithm>
#include <string>

namespace pulse::membership {

Result<QuorumExchange> QuorumExchange::create(NodeId self, const QuorumConfig& config,
                                              Timing timing) {
  auto quorum = Votequorum::create(config);
  if (!quorum) return quorum.error();
  quorum.value().enableExchange(self);
  return QuorumExchange(self, std::move(quorum).value(), timing);
}

QuorumExchange::QuorumExchange(NodeId self, Votequorum quorum, Timing timing)
    : self_(self), timing_(timing), quorum_(std::move(quorum)), status_(quorum_.status()) {}

bool QuorumExchange::configured(NodeId node) const {
  const auto& nodes = quorum_.config().nodes;
  return std::any_of(nodes.begin(), nodes.end(),
                     [node](const QuorumNode& n) { return n.id == node; });
}

std::optional<NodeInfo> QuorumExchange::announcement() const {
  if (!view_) return std::nullopt;
  return NodeInfo{view_->ring_id,          status_.expected_votes, status_.quorate,
                  quorum_.waitingForAll(), quorum_.voteSet(),      quorum_.pendingVoteSet()};
}

bool QuorumExchange::heardAllMembers() const {
  if (!view_) return false;
  return std::all_of(view_->members.begin(), view_->members.end(), [this](NodeId m) {
    if (m == self_) return true;
    auto it = heard_.find(m);
    return it != heard_.end() && it->second.ring_id == view_->ring_id;
  });
}

void QuorumExchange::sendAnnouncement(QuorumUpdate& update, TimePoint now) {
  const std::optional<NodeInfo> info = announcement();
  if (!info) return;
  const Bytes bytes = encode(Message{self_, *info});
  for (NodeId m : view_->members) {
    if (m != self_) update.messages.push_back(Outgoing{m, bytes});
  }
  // Fast while a member's info is missing (it may be missing ours too), slow afterwards.
  next_send_ = now + (heardAllMembers() ? steadyResend() : timing_.heartbeat);
}

QuorumUpdate QuorumExchange::finish(const QuorumStatus& before,
                                    const std::optional<NodeInfo>& announced_before, bool force,
                                    TimePoint now) {
  status_ = quorum_.status();
  QuorumUpdate update;
  update.status = status_;
  update.changed = status_ != before;
  if (force || announcement() != announced_before) sendAnnouncement(update, now);
  return update;
}

QuorumUpdate QuorumExchange::onViewInstalled(const View& view, TimePoint now) {
  const QuorumStatus before = status_;
  const std::optional<NodeInfo> announced_before = announcement();
  view_ = view;
  // Older rings can no longer be applied (ring ids only grow); forget them.
  std::erase_if(heard_, [&view](const auto& entry) { return entry.second.ring_id < view.ring_id; });
  std::vector<PeerInfo> peers;
  for (const auto& [node, info] : heard_) {
    if (node != self_ && info.ring_id == view.ring_id && view.contains(node)) {
      peers.push_back(PeerInfo{node, info.expected_votes, info.quorate, info.waiting_for_all,
                               info.set, info.pending});
    }
  }
  quorum_.onViewChanged(view.members, now, peers);
  return finish(before, announced_before, /*force=*/true, now);
}

QuorumUpdate QuorumExchange::onMessage(NodeId from, const Message& message, TimePoint now) {
  const auto* info = std::get_if<NodeInfo>(&message.body);
  if (info == nullptr) return QuorumUpdate{status_, false, {}};
  if (message.sender != from) {
    ++ignored_;
    return QuorumUpdate{status_, false, {}};
  }
  return onNodeInfo(from, *info, now);
}

QuorumUpdate QuorumExchange::onNodeInfo(NodeId from, const NodeInfo& info, TimePoint now) {
  const QuorumUpdate unchanged{status_, false, {}};
  if (from == self_ || from == kNoNode || !configured(from) ||
      (view_ && info.ring_id < view_->ring_id)) {
    ++ignored_;
    return unchanged;
  }
  auto it = heard_.find(from);
  if (it != heard_.end() && info.ring_id < it->second.ring_id) {
    ++ignored_;  // reordered: the sender has moved on to a newer ring already
    return unchanged;
  }
  const bool all_before = heardAllMembers();
  // The same info again within half the steady resend: the sender resends fast, so it misses
  // some member's info for this ring, maybe ours (lost). Answer it directly rather than leave
  // it waiting for our steady resend, tokens away.
  const bool fast_repeat = it != heard_.end() && it->second == info && view_ &&
                           info.ring_id == view_->ring_id && view_->contains(from) &&
                           now - heard_at_[from] < steadyResend() / 2;
  heard_[from] = info;
  heard_at_[from] = now;
  // Kept for a ring this node has not installed yet (onViewInstalled uses it); applied now only
  // if it is about the current view and comes from one of its members.
  if (!view_ || info.ring_id != view_->ring_id || !view_->contains(from)) return unchanged;

  const QuorumStatus before = status_;
  const std::optional<NodeInfo> announced_before = announcement();
  quorum_.onPeerInfo(PeerInfo{from, info.expected_votes, info.quorate, info.waiting_for_all,
                              info.set, info.pending});
  QuorumUpdate update = finish(before, announced_before, /*force=*/false, now);
  // Every member heard now: the fast resend is no longer needed.
  if (update.messages.empty() && !all_before && heardAllMembers()) {
    next_send_ = now + steadyResend();
  }
  if (fast_repeat && update.messages.empty()) {
    update.messages.push_back(Outgoing{from, encode(Message{self_, *announcement()})});
  }
  return update;
}

QuorumUpdate QuorumExchange::onTick(TimePoint now) {
  // The common case, every tick: nothing due. Kept cheap (the simulator ticks every node
  // every 10 ms of simulated time).
  const auto lms = quorum_.lastManStandingDeadline();
  const bool due = next_send_ && now >= *next_send_;
  if (!due && !(lms && now >= *lms)) return QuorumUpdate{status_, false, {}};
  const QuorumStatus before = status_;
  const std::optional<NodeInfo> announced_before = announcement();
  quorum_.onTick(now);
  return finish(before, announced_before, due, now);
}

Result<QuorumUpdate> QuorumExchange::setExpectedVotes(std::uint32_t expected_votes, TimePoint now) {
  const QuorumStatus before = status_;
  const std::optional<NodeInfo> announced_before = announcement();
  if (Status s = quorum_.setExpectedVotes(expected_votes); !s) return s.error();
  return finish(before, announced_before, /*force=*/view_.has_value(), now);
}

Status QuorumExchange::checkInvariants() const {
  if (Status s = quorum_.checkInvariants(); !s) return s;
  if (status_ != quorum_.status()) return Error{"cached quorum status is stale"};
  if (heard_.size() > quorum_.config().nodes.size()) {
    return Error{"more nodeinfo entries than configured nodes"};
  }
  for (const auto& [node, info] : heard_) {
    if (node == self_ || !configured(node)) {
      return Error{"nodeinfo kept from node " + std::to_string(node)};
    }
    if (view_ && info.ring_id < view_->ring_id) {
      return Error{"nodeinfo kept for ring " + toString(info.ring_id) + " older than the view"};
    }
  }
  if (view_ && !next_send_) return Error{"a view is installed but no resend is scheduled"};
  return {};
}

}  // namespace pulse::membership
