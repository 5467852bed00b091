#include "simulator.h"

#include <algorithm>

namespace pulse::membership::sim {

Simulator::Simulator(int nodes, Timing timing, std::uint64_t seed, QuorumConfig quorum)
    : timing_(timing),
      quorum_config_(std::move(quorum)),
      rng_(seed),
      nodes_(static_cast<std::size_t>(nodes)),
      quorum_(static_cast<std::size_t>(nodes)),
      disk_(static_cast<std::size_t>(nodes)),
      offset_(static_cast<std::size_t>(nodes), Duration{0}),
      group_(static_cast<std::size_t>(nodes), 0),
      last_installed_(static_cast<std::size_t>(nodes)) {
  quorum_config_.nodes.clear();
  for (NodeId id = 1; id <= static_cast<NodeId>(nodes); ++id) {
    quorum_config_.nodes.push_back({id, 1});
  }
  for (NodeId n = 1; n <= static_cast<NodeId>(nodes); ++n) restart(n);
}

void Simulator::fail(std::string what) {
  failures_.push_back("t=" + std::to_string(now_.time_since_epoch().count() / 1000000) +
                      "ms: " + std::move(what));
}

void Simulator::crash(NodeId n) {
  nodes_[n - 1].reset();
  quorum_[n - 1].reset();
}

void Simulator::restart(NodeId n) {
  if (up(n)) return;
  nodes_[n - 1].emplace(n, timing_, disk_[n - 1], localNow(n));
  disk_[n - 1] = nodes_[n - 1]->persistentState();  // the new incarnation
  auto quorum = QuorumExchange::create(n, quorum_config_, timing_);
  if (!quorum.ok()) {
    fail("quorum config: " + quorum.error().message);
    return;
  }
  quorum_[n - 1].emplace(std::move(quorum).value());
}

void Simulator::partition(std::vector<int> groups) { group_ = std::move(groups); }

void Simulator::heal() { std::fill(group_.begin(), group_.end(), 0); }

void Simulator::runFor(Duration d) {
  const TimePoint end = now_ + d;
  while (now_ < end) {
    const TimePoint tick = now_ + kTick;
    while (!network_.empty() && network_.top().at <= tick) {
      InFlight m = network_.top();
      network_.pop();
      now_ = std::max(now_, m.at);
      // A partition also cuts what is already on the wire; a crashed node hears nothing.
      if (!up(m.to) || !connected(m.from, m.to)) {
        ++stats_.dropped;
        continue;
      }
      ++stats_.delivered;
      // Decoded once and routed as the shell does: NodeInfo to quorum, the rest to the core.
      auto decoded = decode(m.bytes);
      if (!decoded.ok()) {
        fail("undecodable message from node " + std::to_string(m.from) + ": " +
             decoded.error().message);
        continue;
      }
      if (std::holds_alternative<NodeInfo>(decoded.value().body)) {
        ++stats_.nodeinfo_delivered;
        if (quorum_[m.to - 1]) {
          send(m.to,
               quorum_[m.to - 1]->onMessage(m.from, decoded.value(), localNow(m.to)).messages);
        }
        continue;
      }
      carryOut(m.to, nodes_[m.to - 1]->onMessage(m.from, decoded.value(), localNow(m.to)));
      if (after_event_) after_event_(m.to, now_);
    }
    now_ = tick;
    for (NodeId n = 1; n <= static_cast<NodeId>(size()); ++n) {
      if (!up(n)) continue;
      carryOut(n, nodes_[n - 1]->onTick(localNow(n)));
      if (quorum_[n - 1]) send(n, quorum_[n - 1]->onTick(localNow(n)).messages);
      if (after_event_) after_event_(n, now_);
    }
  }
}

void Simulator::carryOut(NodeId from, Output out) {
  // Persist before sending, as the shell must.
  if (out.persist) disk_[from - 1] = nodes_[from - 1]->persistentState();
  for (const View& v : out.installed) recordInstall(from, v);
  send(from, out.messages);
  // Each view's NodeInfo, after the core's messages (as the shell sends them).
  for (const View& v : out.installed) {
    if (quorum_[from - 1])
      send(from, quorum_[from - 1]->onViewInstalled(v, localNow(from)).messages);
  }
}

void Simulator::send(NodeId from, const std::vector<Outgoing>& messages) {
  for (const Outgoing& m : messages) {
    if (m.to != kNoNode) {
      transmit(from, m.to, m.bytes);
      continue;
    }
    for (NodeId to = 1; to <= static_cast<NodeId>(size()); ++to) {
      if (to != from) transmit(from, to, m.bytes);
    }
  }
}

void Simulator::transmit(NodeId from, NodeId to, const Bytes& bytes) {
  if (!connected(from, to) || std::uniform_real_distribution<double>(0, 1)(rng_) < loss_) {
    ++stats_.dropped;
    return;
  }
  Duration delay{
      std::uniform_int_distribution<Duration::rep>(delay_lo_.count(), delay_hi_.count())(rng_)};
  network_.push(InFlight{now_ + delay, order_++, from, to, bytes});
}

void Simulator::recordInstall(NodeId n, const View& v) {
  ++stats_.views_installed;
  if (on_install_) on_install_(n, v, now_);
  auto [it, inserted] = committed_.try_emplace(v.ring_id, v.members);
  if (!inserted && it->second != v.members) {
    fail("agreement: node " + std::to_string(n) + " installed " + toString(v) + " but ring " +
         toString(v.ring_id) + " was installed elsewhere with other members");
  }
  if (!std::binary_search(v.members.begin(), v.members.end(), n)) {
    fail("node " + std::to_string(n) + " installed " + toString(v) + " without being in it");
  }
  if (!(v.ring_id > last_installed_[n - 1])) {
    fail("monotonicity: node " + std::to_string(n) + " installed ring " + toString(v.ring_id) +
         " after " + toString(last_installed_[n - 1]));
  }
  last_installed_[n - 1] = v.ring_id;
}

void Simulator::checkQuorum() {
  std::vector<const View*> quorate;
  for (NodeId n = 1; n <= static_cast<NodeId>(size()); ++n) {
    if (quorum_[n - 1]) {
      if (Status st = quorum_[n - 1]->checkInvariants(); !st.ok()) {
        fail("votequorum of node " + std::to_string(n) + ": " + st.error().message);
      }
    }
    const MembershipNode* node = this->node(n);
    if (node && node->view() && quorum_[n - 1] && quorum_[n - 1]->status().quorate) {
      quorate.push_back(&*node->view());
    }
  }
  for (std::size_t i = 0; i < quorate.size(); ++i) {
    for (std::size_t j = i + 1; j < quorate.size(); ++j) {
      std::vector<NodeId> common;
      std::set_intersection(quorate[i]->members.begin(), quorate[i]->members.end(),
                            quorate[j]->members.begin(), quorate[j]->members.end(),
                            std::back_inserter(common));
      if (common.empty()) {
        fail("quorum: disjoint quorate views " + toString(*quorate[i]) + " and " +
             toString(*quorate[j]));
      }
    }
  }
}

bool Simulator::allAgreeOnFullView() const {
  const MembershipNode* first = node(1);
  if (!first || !first->view() || first->view()->members.size() != nodes_.size()) return false;
  for (NodeId n = 2; n <= static_cast<NodeId>(size()); ++n) {
    if (!node(n) || node(n)->view() != first->view()) return false;
  }
  return true;
}

}  // namespace pulse::membership::sim
