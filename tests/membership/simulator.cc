#include "simulator.h"

#include <algorithm>

namespace pulse::membership::sim {

Simulator::Simulator(int nodes, Timing timing, std::uint64_t seed, QuorumConfig quorum, bool direct)
    : timing_(timing),
      quorum_config_(std::move(quorum)),
      rng_(seed),
      nodes_(static_cast<std::size_t>(nodes)),
      quorum_(static_cast<std::size_t>(nodes)),
      disk_(static_cast<std::size_t>(nodes)),
      offset_(static_cast<std::size_t>(nodes), Duration{0}),
      group_(static_cast<std::size_t>(nodes), 0),
      node_changed_(static_cast<std::size_t>(nodes)),
      link_changed_(static_cast<std::size_t>(nodes),
                    std::vector<TimePoint>(static_cast<std::size_t>(nodes))),
      last_installed_(static_cast<std::size_t>(nodes)) {
  quorum_config_.nodes.clear();
  node_options_.direct = direct;
  for (NodeId id = 1; id <= static_cast<NodeId>(nodes); ++id) {
    quorum_config_.nodes.push_back({id, 1});
    node_options_.nodes.push_back(id);
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
  node_changed_[n - 1] = now_;
}

void Simulator::restart(NodeId n) {
  if (up(n)) return;
  node_changed_[n - 1] = now_;
  nodes_[n - 1].emplace(n, timing_, disk_[n - 1], localNow(n), node_options_);
  disk_[n - 1] = nodes_[n - 1]->persistentState();  // the new incarnation
  auto quorum = QuorumExchange::create(n, quorum_config_, timing_);
  if (!quorum.ok()) {
    fail("quorum config: " + quorum.error().message);
    return;
  }
  quorum_[n - 1].emplace(std::move(quorum).value());
}

std::vector<std::vector<bool>> Simulator::links() const {
  std::vector<std::vector<bool>> out(nodes_.size(), std::vector<bool>(nodes_.size()));
  for (NodeId a = 1; a <= static_cast<NodeId>(size()); ++a) {
    for (NodeId b = 1; b <= static_cast<NodeId>(size()); ++b) out[a - 1][b - 1] = connected(a, b);
  }
  return out;
}

void Simulator::linksChanged(const std::vector<std::vector<bool>>& before) {
  const auto after = links();
  for (std::size_t a = 0; a < after.size(); ++a) {
    for (std::size_t b = 0; b < after.size(); ++b) {
      if (before[a][b] != after[a][b]) link_changed_[a][b] = link_changed_[b][a] = now_;
    }
  }
}

void Simulator::partition(std::vector<int> groups) {
  const auto before = links();
  group_ = std::move(groups);
  linksChanged(before);
}

void Simulator::heal() {
  const auto before = links();
  std::fill(group_.begin(), group_.end(), 0);
  linksChanged(before);
}

void Simulator::cutOneWay(NodeId from, NodeId to) {
  const auto before = links();
  one_way_.insert({from, to});
  linksChanged(before);
}

void Simulator::clearOneWay() {
  const auto before = links();
  one_way_.clear();
  linksChanged(before);
  network_quiet_from_ = std::max(network_quiet_from_, now_);  // reachability is transitive again
}

void Simulator::setLoss(double p) {
  // Quiet again only once a round that lost its acks has passed its deadline and the member it
  // excluded for it has served its token of exclusion.
  if (loss_ > 0 || p > 0) {
    network_quiet_from_ = std::max(network_quiet_from_, now_ + timing_.consensus + timing_.token);
  }
  loss_ = p;
}

void Simulator::setDelay(Duration lo, Duration hi) {
  network_quiet_from_ = std::max(network_quiet_from_, now_ + delay_hi_);
  delay_lo_ = lo, delay_hi_ = hi;
}

void Simulator::setClockOffset(NodeId n, Duration offset) {
  offset_[n - 1] = offset;
  // A step forwards expires the node's timers at once: a representative's consensus deadline
  // excludes every member that has not acked yet, for one token.
  node_changed_[n - 1] = now_ + timing_.consensus + timing_.token;
}

Duration Simulator::grace() const { return timing_.heartbeat + 2 * delay_hi_ + kTick; }

std::optional<TimePoint> Simulator::quietSince(const std::vector<NodeId>& nodes) const {
  if (loss_ > 0) return std::nullopt;
  TimePoint since = network_quiet_from_;
  for (NodeId a : nodes) {
    if (!up(a)) return std::nullopt;
    since = std::max(since, node_changed_[a - 1]);
    for (NodeId b : nodes) {
      if (a == b) continue;
      if (!connected(a, b)) return std::nullopt;
      since = std::max(since, link_changed_[a - 1][b - 1]);
    }
  }
  return since;
}

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
    checkNoDroppedReachableMember();
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
  first_installed_.try_emplace(v.ring_id, now_);
  if (v.members.size() != nodes_.size()) {
    std::vector<NodeId> all(nodes_.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<NodeId>(i + 1);
    if (auto since = quietSince(all); since && now_ - *since >= grace()) {
      fail("heal: node " + std::to_string(n) + " installed " + toString(v) +
           " although every node had been up and reachable for " +
           std::to_string(std::chrono::duration_cast<Duration>(now_ - *since).count()) + "ms");
    }
  }
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

void Simulator::checkNoDroppedReachableMember() {
  // With a one-way cut a member may hear a node that the representative never hears: that node
  // must be dropped (a partial cut), so "reachable from a member of both views" says nothing.
  if (!one_way_.empty()) return;
  std::vector<const View*> quorate;
  for (NodeId n = 1; n <= static_cast<NodeId>(size()); ++n) {
    const MembershipNode* node = this->node(n);
    if (node && node->view() && quorum_[n - 1] && quorum_[n - 1]->status().quorate) {
      quorate.push_back(&*node->view());
    }
  }
  for (const View* older : quorate) {
    for (const View* newer : quorate) {
      if (!(older->ring_id < newer->ring_id)) continue;
      std::vector<NodeId> common, dropped;
      std::set_intersection(older->members.begin(), older->members.end(), newer->members.begin(),
                            newer->members.end(), std::back_inserter(common));
      std::set_difference(older->members.begin(), older->members.end(), newer->members.begin(),
                          newer->members.end(), std::back_inserter(dropped));
      if (common.empty() || dropped.empty()) continue;
      // Reachable: a dropped member and a member of both views had been quiet together for G
      // when the newer view was first installed.
      const TimePoint installed = first_installed_.at(newer->ring_id);
      std::optional<Duration> quiet_for;
      for (NodeId x : dropped) {
        for (NodeId z : common) {
          auto since = quietSince({x, z});
          // The representative decided: its own restart or clock step counts, not its links.
          if (since) since = std::max(*since, node_changed_[newer->ring_id.representative - 1]);
          if (since && installed - *since >= grace()) {
            quiet_for = std::max(quiet_for.value_or(Duration{0}),
                                 std::chrono::duration_cast<Duration>(installed - *since));
          }
        }
      }
      if (!quiet_for) continue;
      if (!reported_overlaps_.insert({older->ring_id, newer->ring_id}).second) continue;
      fail("dropped reachable member: quorate views " + toString(*older) + " and " +
           toString(*newer) + " coexist although a member of both had reached a dropped one for " +
           std::to_string(quiet_for->count()) + "ms when the newer was installed");
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
