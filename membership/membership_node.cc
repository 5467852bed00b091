#include "membership/membership_node.h"

#include <algorithm>
#include <iterator>

namespace pulse::membership {

void dispatch(const Output& output, Transport& transport) {
  for (const Outgoing& m : output.messages) {
    if (m.to == kNoNode) {
      transport.broadcast(m.bytes);
    } else {
      transport.send(m.to, m.bytes);
    }
  }
}

MembershipNode::MembershipNode(NodeId self, Timing timing, PersistentState persisted, TimePoint now,
                               NodeOptions options)
    : self_(self),
      timing_(timing),
      max_seq_(persisted.max_seq),
      incarnation_(persisted.incarnation + 1),
      // Anything installed before a crash had seq <= max_seq, so this floor keeps ring ids
      // growing across the restart.
      floor_{persisted.max_seq, std::numeric_limits<NodeId>::max()},
      liveness_(timing.token),
      contact_(self, timing.contactWindow()),
      next_heartbeat_(now),
      next_beacon_(now),
      gather_since_(now),
      options_(std::move(options)),
      started_(now) {
  std::ranges::sort(options_.nodes);
}

void MembershipNode::send(NodeId to, const Message& m, Output& out) const {
  out.messages.push_back(Outgoing{to, encode(m)});
}

Output MembershipNode::onMessage(NodeId from, const Bytes& bytes, TimePoint now) {
  auto decoded = decode(bytes);
  if (!decoded.ok()) {
    ++dropped_;
    return Output{};
  }
  return onMessage(from, decoded.value(), now);
}

Output MembershipNode::onMessage(NodeId from, const Message& m, TimePoint now) {
  Output out;
  if (m.sender != from || from == self_) {
    ++dropped_;
    return out;
  }
  if (const auto* hb = std::get_if<Heartbeat>(&m.body)) {
    onHeartbeat(from, *hb, now, out);
    return out;
  }
  // Quorum nodeinfo belongs to QuorumExchange; the shell routes it there. Ignored here, and not
  // counted as contact, so that liveness stays a matter of heartbeats and protocol messages.
  if (std::holds_alternative<NodeInfo>(m.body)) return out;
  liveness_.recordContact(from, now);
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, Propose>) onPropose(from, body, now, out);
        if constexpr (std::is_same_v<T, Ack>) onAck(from, body, now, out);
        if constexpr (std::is_same_v<T, Commit>) onCommit(body, out);
      },
      m.body);
  return out;
}

void MembershipNode::onHeartbeat(NodeId from, const Heartbeat& hb, TimePoint now, Output& out) {
  auto heard = liveness_.recordHeartbeat(from, hb.incarnation, hb.ring_id, now);
  if (heard == LivenessTable::Heard::kStale) return;
  if (heard == LivenessTable::Heard::kNewIncarnation) contact_.forget(from);
  contact_.recordHeartbeat(from, hb.heard, now);
  if (hb.direct) {
    direct_peers_.insert(from);
  } else {
    direct_peers_.erase(from);
  }
  if (view_) {
    // Only the lost node's own ring neighbours watch it: a report from anyone else is not
    // evidence (its clock may have stepped).
    for (NodeId n : hb.lost) {
      if (isRingNeighbour(from, n)) presumed_.erase(n);
    }
    // Someone wants a new view, or the view is not common: all-to-all until one is installed.
    // (A member whose largest reported ring is ours sent this one before installing it: a
    // reordered packet, no reason.)
    if (!view_->contains(from) || liveness_.reportedRing(from) != view_->ring_id || hb.gather ||
        heard == LivenessTable::Heard::kNewIncarnation) {
      startGather(now, out);
    }
  }
  if (hb.max_seq > max_seq_) {
    max_seq_ = hb.max_seq;
    out.persist = true;
  }
  // A member of our round restarted (its ack, if any, died with it; its floor is now above our
  // seq), or it already holds a ring >= ours (it formed a view of its own meanwhile): it will
  // never install ours, so start over with a larger seq now rather than at the deadline.
  if (round_ && std::binary_search(round_->members.begin(), round_->members.end(), from) &&
      (heard == LivenessTable::Heard::kNewIncarnation ||
       (hb.ring_id >= round_->ring_id && !round_->acked.contains(from)))) {
    round_stale_ = true;
  }
  if (view_ && view_->contains(from)) {
    if (heard == LivenessTable::Heard::kNewIncarnation) {
      // It lost its view in the restart, whether or not we noticed it missing.
      peer_restarted_ = true;
    } else if (view_->ring_id.representative == self_ && hb.ring_id < view_->ring_id) {
      // A member that missed our Commit (loss): resend it; installing is idempotent.
      send(from, Message{self_, Commit{view_->ring_id, view_->members}}, out);
    }
  }
}

std::vector<NodeId> MembershipNode::alive(TimePoint now) const {
  const std::vector<NodeId> heard = liveness_.alive(now);
  if (presumed_.empty()) return heard;
  std::vector<NodeId> presumed;
  for (const auto& [n, until] : presumed_) {
    if (now < until) presumed.push_back(n);  // map order: sorted
  }
  std::vector<NodeId> out;
  out.reserve(heard.size() + presumed.size());
  std::ranges::set_union(heard, presumed, std::back_inserter(out));
  return out;
}

std::vector<NodeId> MembershipNode::ringNeighbours() const {
  std::vector<NodeId> out;
  if (!view_ || view_->members.size() < 2) return out;
  const auto& m = view_->members;
  const auto it = std::ranges::lower_bound(m, self_);
  if (it == m.end() || *it != self_) return out;
  const auto i = static_cast<std::size_t>(it - m.begin());
  out.push_back(m[(i + 1) % m.size()]);
  NodeId before = m[(i + m.size() - 1) % m.size()];
  if (before != out.front()) out.push_back(before);
  std::ranges::sort(out);
  return out;
}

bool MembershipNode::isRingNeighbour(NodeId a, NodeId b) const {
  if (!view_ || a == b) return false;
  const auto& m = view_->members;
  const auto ia = std::ranges::lower_bound(m, a);
  const auto ib = std::ranges::lower_bound(m, b);
  if (ia == m.end() || *ia != a || ib == m.end() || *ib != b) return false;
  const auto n = static_cast<std::ptrdiff_t>(m.size());
  const auto d = ((ib - ia) % n + n) % n;
  return d == 1 || d == n - 1;
}

void MembershipNode::startGather(TimePoint now, Output& out) {
  if (gather_) return;
  gather_ = true;
  gather_since_ = now;
  // Every reachable member's gather heartbeat arrives well within token/2 (this heartbeat
  // reaches it within a delay, it gathers and answers at once), so a member unheard by then is
  // presumed no longer.
  for (auto& [n, until] : presumed_) until = std::min(until, now + timing_.token / 2);
  // Tell everyone now: at a heal the other side answers within a delay, as if it had been
  // heartbeating all along.
  next_heartbeat_ = now + timing_.heartbeat;
  sendHeartbeats(now, out);
}

void MembershipNode::settleIfDone(TimePoint now) {
  if (!view_ || !gather_) return;
  gather_since_ = std::min(gather_since_, now);  // a clock that stepped back
  if (now - gather_since_ < timing_.token || round_ || deferred_ || peer_restarted_) return;
  std::vector<NodeId> live = alive(now);
  live.insert(std::upper_bound(live.begin(), live.end(), self_), self_);
  if (live != view_->members) return;
  for (NodeId n : view_->members) {
    if (n != self_ && liveness_.reportedRing(n) != view_->ring_id) return;
  }
  gather_ = false;
  next_beacon_ = now + timing_.token;
}

void MembershipNode::sendHeartbeats(TimePoint now, Output& out) {
  RingId ring = view_ ? view_->ring_id : RingId{};
  std::vector<NodeId> lost;
  for (NodeId n : ringNeighbours()) {
    if (!liveness_.isAlive(n, now)) lost.push_back(n);
  }
  // The flag asks the others to gather: this node has no view, or wants another one.
  std::vector<NodeId> live = alive(now);
  live.insert(std::upper_bound(live.begin(), live.end(), self_), self_);
  const bool wants_change = !view_ || !lost.empty() || live != view_->members;
  const bool gather = gathering();
  Bytes bytes =
      encode(Message{self_, Heartbeat{incarnation_, max_seq_, ring, contact_.heardList(now, view_),
                                      wants_change, options_.direct, std::move(lost)}});
  if (gather || options_.direct) {
    out.messages.push_back(Outgoing{kNoNode, std::move(bytes)});
    return;
  }
  // Settled: the ring neighbours and whoever asked for direct heartbeats; once a token, a
  // beacon to the nodes outside the view.
  std::set<NodeId> to;
  for (NodeId n : ringNeighbours()) to.insert(n);
  for (NodeId n : direct_peers_) {
    if (view_->contains(n)) to.insert(n);
  }
  next_beacon_ = std::min(next_beacon_, now + timing_.token);
  if (now >= next_beacon_) {
    next_beacon_ = now + timing_.token;
    if (options_.nodes.empty()) {
      out.messages.push_back(Outgoing{kNoNode, bytes});
      return;
    }
    for (NodeId n : options_.nodes) {
      if (n != self_ && !view_->contains(n)) to.insert(n);
    }
  }
  for (NodeId n : to) out.messages.push_back(Outgoing{n, bytes});
}

TimePoint MembershipNode::nextDue(TimePoint now) const {
  if (gathering()) return now;
  TimePoint due = next_heartbeat_;
  const bool outsiders =
      options_.nodes.empty() || std::ranges::any_of(options_.nodes, [this](NodeId n) {
        return n != self_ && !view_->contains(n);
      });
  if (outsiders) due = std::min(due, next_beacon_);
  for (NodeId n : ringNeighbours()) due = std::min(due, liveness_.lastHeard(n) + timing_.token);
  return due;
}

TimePoint MembershipNode::nextLoss(TimePoint now) const {
  TimePoint due = TimePoint::max();
  for (NodeId n : liveness_.alive(now)) due = std::min(due, liveness_.lastHeard(n) + timing_.token);
  for (const auto& [n, until] : presumed_) {
    if (now < until) due = std::min(due, until);
  }
  if (deferred_) due = std::min(due, deferred_->until);
  return due;
}

bool MembershipNode::listsAllHeard(const std::vector<NodeId>& members, TimePoint now) const {
  return std::ranges::all_of(
      alive(now), [&](NodeId n) { return std::binary_search(members.begin(), members.end(), n); });
}

void MembershipNode::onPropose(NodeId from, const Propose& p, TimePoint now, Output& out) {
  if (p.ring_id.seq > max_seq_) {
    max_seq_ = p.ring_id.seq;
    out.persist = true;
  }
  if (p.ring_id <= floor_ || !std::binary_search(p.members.begin(), p.members.end(), self_)) {
    return;
  }
  // Every node that may ack gathers: its ack must rest on direct hearing (see above).
  startGather(now, out);
  // A lower node is proposing: it is the rightful representative, so stop competing.
  if (round_ && from < self_) round_.reset();
  if (!listsAllHeard(p.members, now)) {
    // A resend of the deferred Propose keeps its deadline.
    if (!deferred_ || deferred_->ring_id != p.ring_id) {
      deferred_ = Deferred{from, p.ring_id, p.members, now + timing_.defer()};
    }
    return;
  }
  deferred_.reset();
  send(from, Message{self_, Ack{p.ring_id}}, out);
}

void MembershipNode::ackDeferred(TimePoint now, Output& out) {
  if (!deferred_) return;
  if (deferred_->ring_id <= floor_) {
    deferred_.reset();  // a view at least as new is installed: the Propose is moot
    return;
  }
  deferred_->until = std::min(deferred_->until, now + timing_.defer());  // clock stepped back
  if (now < deferred_->until && !listsAllHeard(deferred_->members, now)) return;
  send(deferred_->from, Message{self_, Ack{deferred_->ring_id}}, out);
  deferred_.reset();
}

void MembershipNode::onAck(NodeId from, const Ack& ack, TimePoint now, Output& out) {
  if (!round_ || ack.ring_id != round_->ring_id) return;
  if (!std::binary_search(round_->members.begin(), round_->members.end(), from)) return;
  round_->acked.insert(from);
  if (round_->acked.size() != round_->members.size()) return;
  // A node heard (or lost) since the round started: the next tick starts over with the live set.
  if (round_->members != candidates(now)) return;
  commitRound(out);
}

void MembershipNode::onCommit(const Commit& c, Output& out) {
  if (c.ring_id.seq > max_seq_) {
    max_seq_ = c.ring_id.seq;
    out.persist = true;
  }
  if (c.ring_id <= floor_ || !std::binary_search(c.members.begin(), c.members.end(), self_)) {
    return;
  }
  install(View{c.ring_id, c.members}, out);
}

void MembershipNode::install(View view, Output& out) {
  floor_ = view.ring_id;
  // Only members are presumed alive, and only once settled in this view.
  std::erase_if(presumed_, [&view](const auto& p) { return !view.contains(p.first); });
  view_ = view;
  peer_restarted_ = false;
  // Heartbeat at the next tick: the heard list changed with the members, and a node left out
  // must learn at once that this node no longer supports it (quorum_contact.h).
  next_heartbeat_ = TimePoint::min();
  out.installed.push_back(std::move(view));
}

Output MembershipNode::onTick(TimePoint now) {
  Output out;
  // min(): a clock that stepped backwards must not postpone timers by the size of the step.
  if (view_ && !gather_) {
    // Settled: the ring neighbours watch the others. A neighbour unheard for a token, or a
    // restarted member, is a reason to gather.
    bool lost = peer_restarted_;
    const std::vector<NodeId> neighbours = ringNeighbours();
    for (NodeId n : view_->members) {
      if (n == self_) continue;
      if (std::ranges::find(neighbours, n) != neighbours.end()) {
        presumed_.erase(n);
        if (!liveness_.isAlive(n, now)) lost = true;
      } else if (!options_.direct) {
        presumed_[n] = now + timing_.token;
      }
    }
    if (lost) startGather(now, out);
  }
  next_heartbeat_ = std::min(next_heartbeat_, now + timing_.heartbeat);
  if (now >= next_heartbeat_) {
    next_heartbeat_ = now + timing_.heartbeat;
    sendHeartbeats(now, out);
  }
  ackDeferred(now, out);
  evaluate(now, out);
  settleIfDone(now);
  return out;
}

std::vector<NodeId> MembershipNode::candidates(TimePoint now) {
  for (auto it = excluded_.begin(); it != excluded_.end();) {
    it->second = std::min(it->second, now + timing_.token);
    it = now >= it->second ? excluded_.erase(it) : std::next(it);
  }
  std::vector<NodeId> live;
  for (NodeId n : alive(now)) {
    if (!excluded_.contains(n)) live.push_back(n);
  }
  live.insert(std::upper_bound(live.begin(), live.end(), self_), self_);
  return live;
}

bool MembershipNode::needsRound(const std::vector<NodeId>& live) const {
  if (!view_ || view_->members != live || peer_restarted_) return true;
  for (NodeId n : live) {
    if (n == self_) continue;
    RingId reported = liveness_.reportedRing(n);
    // Greater: it installed a view we are not in. Smaller and we are not the representative:
    // nobody will resend it the Commit, so form a new view.
    if (reported > view_->ring_id) return true;
    if (reported < view_->ring_id && view_->ring_id.representative != self_) return true;
  }
  return false;
}

void MembershipNode::evaluate(TimePoint now, Output& out) {
  std::vector<NodeId> live = candidates(now);
  // A gain: wait for the rest of a healed partition's heartbeats (min(): a clock that stepped
  // backwards does not stretch the wait).
  settle_until_ = std::min(settle_until_, now + timing_.settle());
  if (!std::ranges::includes(last_live_, live)) settle_until_ = now + timing_.settle();
  last_live_ = live;
  if (live.front() != self_) {
    round_.reset();  // a lower live node is the representative
    return;
  }
  // A node that just started listens for a while before proposing, so that it joins the
  // running cluster instead of first forming a view of its own.
  started_ = std::min(started_, now);
  if (now - started_ < timing_.token / 2) return;
  if (now < settle_until_) {
    round_.reset();  // its members are out of date: a node was gained
    return;
  }
  if (round_) {
    round_->deadline = std::min(round_->deadline, now + timing_.consensus);
    round_->resend = std::min(round_->resend, now + timing_.heartbeat);
    if (round_->members != live || round_stale_) {
      startRound(live, now, out);
    } else if (now >= round_->deadline) {
      for (NodeId n : round_->members) {
        if (!round_->acked.contains(n)) excluded_[n] = now + timing_.token;
      }
      startRound({round_->acked.begin(), round_->acked.end()}, now, out);
    } else if (now >= round_->resend) {
      // Lossy links: ask again whoever has not acked (acking is idempotent).
      round_->resend = now + timing_.heartbeat;
      sendProposals(out);
    }
    return;
  }
  if (needsRound(live)) startRound(live, now, out);
}

void MembershipNode::startRound(std::vector<NodeId> members, TimePoint now, Output& out) {
  startGather(now, out);  // every trigger of a round already did; a round is never settled
  // A fresh seq, persisted before the Propose goes out: no (seq, self_) is ever reused.
  ++max_seq_;
  out.persist = true;
  round_stale_ = false;
  round_ = Round{RingId{max_seq_, self_},
                 std::move(members),
                 {self_},
                 now + timing_.consensus,
                 now + timing_.heartbeat};
  if (round_->members.size() == 1) {
    commitRound(out);
    return;
  }
  sendProposals(out);
}

void MembershipNode::sendProposals(Output& out) const {
  for (NodeId n : round_->members) {
    if (!round_->acked.contains(n)) {
      send(n, Message{self_, Propose{round_->ring_id, round_->members}}, out);
    }
  }
}

void MembershipNode::commitRound(Output& out) {
  Round round = std::move(*round_);
  round_.reset();
  for (NodeId n : round.members) {
    if (n != self_) send(n, Message{self_, Commit{round.ring_id, round.members}}, out);
  }
  install(View{round.ring_id, std::move(round.members)}, out);
}

}  // namespace pulse::membership
