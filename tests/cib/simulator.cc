#include "simulator.h"

#include <algorithm>

namespace pulse::crmd::sim {

namespace {

std::string token(WriteId id) { return std::to_string(id) + ";"; }

}  // namespace

Simulator::Simulator(int nodes, std::uint64_t seed, bool trace)
    : rng_(seed),
      tracing_(trace),
      nodes_(nodes),
      disk_(nodes),
      group_(nodes, 0),
      target_(nodes),
      pending_views_(nodes, 0),
      last_view_at_(nodes),
      incarnation_(nodes, 0) {
  for (NodeId n = 1; n <= static_cast<NodeId>(nodes); ++n) nodes_[n - 1].emplace(n, StoredCib{});
  reconfigure();
}

void Simulator::fail(std::string what) {
  log("FAILED " + what);
  failures_.push_back("t=" + std::to_string(now_.time_since_epoch().count() / 1000000) + "ms " +
                      std::move(what));
}

void Simulator::log(const std::string& what) {
  if (tracing_) {
    trace_.push_back(std::to_string(now_.time_since_epoch().count() / 1000000) + "ms " + what);
  }
}

void Simulator::note(std::string what) {
  trace_.push_back(std::to_string(now_.time_since_epoch().count() / 1000000) + "ms STEP " + what);
}

bool Simulator::holds(const StoredCib& copy, WriteId id) const {
  const std::string t = token(id);
  for (std::size_t at = copy.xml.find(t); at != std::string::npos; at = copy.xml.find(t, at + 1)) {
    if (at == 0 || copy.xml[at - 1] == ';') return true;
  }
  return false;
}

void Simulator::runFor(Duration d) {
  const TimePoint end = now_ + d;
  while (now_ < end && failures_.empty()) step();
}

void Simulator::step() {
  now_ += kTick;
  while (!queue_.empty() && queue_.top().at <= now_) {
    InFlight f = queue_.top();
    queue_.pop();
    deliver(f);
  }
  for (NodeId n = 1; n <= static_cast<NodeId>(size()); ++n) {
    if (!up(n)) continue;
    const auto before = nodes_[n - 1]->phase();
    carryOut(n, nodes_[n - 1]->onTick(now_), before);
  }
  if (std::bernoulli_distribution(client_rate_)(rng_)) clientWrite();
  checkDcs();
}

// --- Membership script.

void Simulator::reconfigure() {
  std::set<int> groups(group_.begin(), group_.end());
  for (int g : groups) {
    std::vector<NodeId> members;
    for (NodeId n = 1; n <= static_cast<NodeId>(size()); ++n) {
      if (up(n) && group_[n - 1] == g) members.push_back(n);
    }
    if (members.empty()) continue;
    bool changed = false;
    for (NodeId m : members) changed = changed || target_[m - 1] != members;
    if (!changed) continue;
    const View view{RingId{++ring_seq_, members.front()}, members};
    const bool quorate = 2 * members.size() > static_cast<std::size_t>(size());
    log("view " + membership::toString(view) + (quorate ? " quorate" : " no quorum"));
    ++stats_.views;
    for (NodeId m : members) {
      target_[m - 1] = members;
      ++pending_views_[m - 1];
      const Duration jitter{
          std::uniform_int_distribution<std::int64_t>(0, view_jitter_.count())(rng_)};
      TimePoint at = std::max(now_ + jitter, last_view_at_[m - 1]);
      last_view_at_[m - 1] = at;
      queue_.push(InFlight{at, order_++, membership::kNoNode, m, incarnation_[m - 1], SyncQuery{},
                           view, quorate});
    }
  }
}

void Simulator::crash(NodeId n) {
  if (!up(n)) return;
  nodes_[n - 1].reset();
  ++incarnation_[n - 1];
  pending_views_[n - 1] = 0;
  target_[n - 1].clear();
  // Writes submitted at n never get an answer: their outcome is unknown, like kUncertain.
  std::erase_if(attempts_, [n](const auto& a) { return a.second.at == n; });
  reconfigure();
}

void Simulator::restart(NodeId n) {
  if (up(n)) return;
  nodes_[n - 1].emplace(n, disk_[n - 1]);
  reconfigure();
}

void Simulator::partition(std::vector<int> groups) {
  group_ = std::move(groups);
  reconfigure();
}

void Simulator::heal() { partition(std::vector<int>(nodes_.size(), 0)); }

// --- Network.

void Simulator::deliver(const InFlight& f) {
  if (!up(f.to) || (f.from == membership::kNoNode && f.incarnation != incarnation_[f.to - 1])) {
    ++stats_.dropped;
    return;
  }
  CibReplica& node = *nodes_[f.to - 1];
  const auto before = node.phase();
  if (f.from == membership::kNoNode) {
    --pending_views_[f.to - 1];
    log("node " + std::to_string(f.to) + " installs " + membership::toString(f.view));
    carryOut(f.to, node.onViewChanged(f.view, f.quorate, now_), before);
    return;
  }
  if (!connected(f.from, f.to)) {
    ++stats_.dropped;
    return;
  }
  ++stats_.delivered;
  log(std::to_string(f.from) + "->" + std::to_string(f.to) + " " + toString(f.message));
  carryOut(f.to, node.onMessage(f.from, f.message, now_), before);
}

void Simulator::carryOut(NodeId n, CibOutput out, CibReplica::Phase before) {
  if (out.persist) onPersist(n, *out.persist);
  for (CibOutgoing& m : out.messages) {
    if (std::bernoulli_distribution(loss_)(rng_)) {
      ++stats_.dropped;
      continue;
    }
    const Duration delay{std::uniform_int_distribution<std::int64_t>(1, 30)(rng_)};
    queue_.push(InFlight{now_ + delay, order_++, n, m.to, 0, std::move(m.message), {}, false});
  }
  for (const WriteReply& r : out.replies) onReply(n, r);
  if (up(n)) checkNode(n, before);
}

// --- Invariants.

void Simulator::onPersist(NodeId n, const StoredCib& copy) {
  StoredCib& disk = disk_[n - 1];
  log("node " + std::to_string(n) + " persists " + toString(stampOf(copy)) + " [" + copy.xml + "]");
  if (stampOf(copy) < stampOf(disk)) {
    fail("node " + std::to_string(n) + " persisted stamp " + toString(stampOf(copy)) +
         " below its " + toString(stampOf(disk)));
  }
  if (copy.version < disk.version) {
    fail("node " + std::to_string(n) + " persisted version " + toString(copy.version) +
         " below its " + toString(disk.version));
  }
  auto [it, fresh] = contents_.emplace(stampOf(copy), copy.xml);
  if (!fresh && it->second != copy.xml) {
    fail("stamp " + toString(stampOf(copy)) + " names two contents: [" + it->second + "] and [" +
         copy.xml + "]");
  }
  auto [number, first] = by_version_.emplace(copy.version, copy.xml);
  if (!first && number->second != copy.xml) {
    ++stats_.version_number_clashes;  // an orphan's number reused elsewhere (allowed)
    number->second = copy.xml;
  }
  for (std::size_t start = 0, end; (end = copy.xml.find(';', start)) != std::string::npos;
       start = end + 1) {
    const WriteId id = std::stoull(copy.xml.substr(start, end - start));
    if (refused_.contains(id)) {
      fail("refused write " + std::to_string(id) + " persisted at " + std::to_string(n));
    }
  }
  disk = copy;
}

void Simulator::onReply(NodeId n, const WriteReply& reply) {
  auto it = attempts_.find(reply.id);
  if (it == attempts_.end()) return fail("reply to unknown write " + std::to_string(reply.id));
  const Attempt attempt = it->second;
  attempts_.erase(it);
  log("node " + std::to_string(n) + " replies to write " + std::to_string(reply.id) + ": " +
      (reply.result.ok() ? "ok " + toString(*reply.result) : reply.result.error().message));
  if (final_write_ == reply.id) {
    final_ok_ = reply.result.ok();
    if (!final_ok_) final_write_.reset();
  }
  if (attempt.minority && reply.failure != WriteFailure::kNoQuorum) {
    fail("write " + std::to_string(reply.id) + " in a minority not refused kNoQuorum");
  }
  if (reply.result.ok()) {
    ++stats_.writes_ok;
    const CibReplica& dc = *nodes_[n - 1];
    const CibStamp stamp{dc.view()->ring_id, *reply.result};
    acked_[reply.id] = stamp;
    for (NodeId m : dc.view()->members) {
      const StoredCib& disk = disk_[m - 1];
      if (stampOf(disk) < stamp || !holds(disk, reply.id)) {
        fail("write " + std::to_string(reply.id) + " acked at " + toString(stamp) + " but member " +
             std::to_string(m) + " persisted " + toString(stampOf(disk)));
      }
    }
    return;
  }
  if (reply.failure == WriteFailure::kUncertain) {
    ++stats_.writes_uncertain;
    return;
  }
  ++stats_.writes_refused;
  refused_.insert(reply.id);
  for (NodeId m = 1; m <= static_cast<NodeId>(size()); ++m) {
    if (holds(disk_[m - 1], reply.id)) {
      fail("write " + std::to_string(reply.id) + " refused but persisted at " + std::to_string(m));
    }
  }
  if (!attempt.retry) return;
  // The client follows the DC hint, or reads again after a stale base, once.
  if (reply.failure == WriteFailure::kNotDc) submit(reply.dc, reply.dc, next_write_++, false);
  if (reply.failure == WriteFailure::kStaleBase) submit(n, n, next_write_++, false);
}

void Simulator::checkNode(NodeId n, CibReplica::Phase before) {
  const CibReplica& node = *nodes_[n - 1];
  if (Status s = node.checkInvariants(); !s.ok()) fail(s.error().message);
  if (node.cib() != disk_[n - 1]) fail("node " + std::to_string(n) + " copy is not persisted");
  if (node.isDc()) {
    auto [it, fresh] = dc_of_ring_.emplace(node.view()->ring_id, n);
    if (!fresh && it->second != n) {
      fail("two DCs in ring " + membership::toString(node.view()->ring_id) + ": " +
           std::to_string(it->second) + " and " + std::to_string(n));
    }
  }
  if (node.ready() && before != CibReplica::Phase::kReady) {
    log("node " + std::to_string(n) + " is the ready DC with " + toString(stampOf(node.cib())));
    for (const auto& [id, stamp] : acked_) {
      if (!holds(node.cib(), id) || stampOf(node.cib()) < stamp) {
        fail("ready DC " + std::to_string(n) + " lost acked write " + std::to_string(id) + " (" +
             toString(stamp) + ")");
      }
    }
  }
}

void Simulator::checkDcs() {
  std::vector<NodeId> dcs;
  for (NodeId n = 1; n <= static_cast<NodeId>(size()); ++n) {
    if (up(n) && pending_views_[n - 1] == 0 && nodes_[n - 1]->isDc()) dcs.push_back(n);
  }
  if (dcs.size() > 1) {
    fail("DCs " + std::to_string(dcs[0]) + " and " + std::to_string(dcs[1]) + " at once");
  }
}

// --- Clients.

// A client reads the CIB at a random node (possibly stale, possibly an orphan) and submits its
// edit to the DC that node names (as `cibadmin -Q` on one node and a write routed to the DC),
// to the node it read, or to any node (a client that can reach the majority from outside it).
// Refusals test the DC hint, the stale base and the minority paths.
void Simulator::clientWrite() {
  std::vector<NodeId> live;
  for (NodeId n = 1; n <= static_cast<NodeId>(size()); ++n) {
    if (up(n)) live.push_back(n);
  }
  if (live.empty()) return;
  const NodeId read = live[std::uniform_int_distribution<std::size_t>(0, live.size() - 1)(rng_)];
  NodeId at = read;
  const int route = std::uniform_int_distribution<int>(0, 2)(rng_);
  if (route == 0 && nodes_[read - 1]->dc()) at = *nodes_[read - 1]->dc();
  if (route == 1) at = live[std::uniform_int_distribution<std::size_t>(0, live.size() - 1)(rng_)];
  submit(read, at, next_write_++, true);
}

// The content gains the write's token.
void Simulator::submit(NodeId read, NodeId at, WriteId id, bool retry) {
  if (at == membership::kNoNode || !up(at) || !up(read)) return;
  CibReplica& node = *nodes_[at - 1];
  const StoredCib& copy = nodes_[read - 1]->cib();
  CibChange change;
  change.kind = std::bernoulli_distribution(0.3)(rng_) ? CibChange::Kind::kStatus
                                                       : CibChange::Kind::kConfiguration;
  change.base = stampOf(copy);
  change.xml = copy.xml + token(id);
  attempts_[id] = Attempt{at, node.phase() == CibReplica::Phase::kNoQuorum, retry};
  log("client submits write " + std::to_string(id) + " at node " + std::to_string(at) +
      " on base " + toString(change.base) + " read at node " + std::to_string(read));
  const auto before = node.phase();
  carryOut(at, node.submit(id, std::move(change), now_), before);
}

// --- Liveness.

bool Simulator::converge(Duration bound, Duration& took) {
  const TimePoint start = now_;
  heal();
  for (NodeId n = 1; n <= static_cast<NodeId>(size()); ++n) restart(n);
  loss_ = 0;
  client_rate_ = 0;
  while (now_ - start < bound && failures_.empty()) {
    step();
    if (final_ok_) {
      took = std::chrono::duration_cast<Duration>(now_ - start);
      for (const auto& [id, stamp] : acked_) {
        for (NodeId n = 1; n <= static_cast<NodeId>(size()); ++n) {
          if (!holds(disk_[n - 1], id)) {
            fail("final copy of node " + std::to_string(n) + " lacks acked write " +
                 std::to_string(id));
          }
        }
      }
      return failures_.empty();
    }
    if (final_write_) continue;
    std::optional<NodeId> dc;
    bool same = true;
    for (NodeId n = 1; n <= static_cast<NodeId>(size()); ++n) {
      same = same && pending_views_[n - 1] == 0 && disk_[n - 1] == disk_[0];
      if (nodes_[n - 1]->ready()) dc = n;
    }
    if (dc && same) {
      final_write_ = next_write_++;
      submit(*dc, *dc, *final_write_, false);
    }
  }
  return false;
}

// --- Schedules.

Outcome runSchedule(std::uint64_t seed, int steps, bool trace) {
  Outcome outcome;
  outcome.nodes = seed % 2 == 0 ? 3 : 5;
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 1);
  Simulator sim(outcome.nodes, seed, trace);
  const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int jitter = pick(0, 1) == 0 ? 0 : pick(1, 80);
  sim.setViewJitter(Duration{jitter});
  sim.setClientRate(pick(2, 30) / 100.0);
  sim.note(std::to_string(outcome.nodes) + " nodes, seed " + std::to_string(seed) +
           ", view jitter " + std::to_string(jitter) + "ms");
  for (int i = 0; i < steps && sim.failures().empty(); ++i) {
    sim.runFor(Duration{pick(50, 1500)});
    const NodeId node = static_cast<NodeId>(pick(1, outcome.nodes));
    switch (pick(0, 5)) {
      case 0:
        sim.note("crash " + std::to_string(node));
        sim.crash(node);
        break;
      case 1:
        sim.note("restart " + std::to_string(node));
        sim.restart(node);
        break;
      case 2:
      case 3: {
        std::vector<int> groups;
        std::string text;
        for (int n = 0; n < outcome.nodes; ++n) {
          groups.push_back(pick(0, 2));
          text += std::to_string(groups.back());
        }
        sim.note("partition " + text);
        sim.partition(groups);
        break;
      }
      case 4:
        sim.note("heal");
        sim.heal();
        break;
      default: {
        const double loss[] = {0, 0.05, 0.2, 0.5};
        const double p = loss[pick(0, 3)];
        sim.note("loss " + std::to_string(p));
        sim.setLoss(p);
        break;
      }
    }
  }
  if (sim.failures().empty()) {
    sim.note("final heal");
    Duration took{0};
    if (!sim.converge(Duration{5000}, took) && sim.failures().empty()) {
      outcome.failures.push_back("no ready DC, identical copies and a final write within 5 s");
    }
    outcome.convergence = took;
  }
  outcome.failures.insert(outcome.failures.begin(), sim.failures().begin(), sim.failures().end());
  outcome.trace = sim.trace();
  outcome.stats = sim.stats();
  outcome.simulated = std::chrono::duration_cast<Duration>(sim.now().time_since_epoch());
  return outcome;
}

}  // namespace pulse::crmd::sim
