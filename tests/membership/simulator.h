// Deterministic simulator for the membership protocol: a virtual clock, N MembershipNodes, and
// a network with per-link loss, bounded random delay, partitions, crashes/restarts and per-node
// clock offsets. All randomness comes from one seeded std::mt19937_64, so a seed replays exactly.
//
// The simulator checks the safety invariants on every view installation:
//  1. agreement: every node that installs ring R installs the same member list;
//  2. monotonicity: the ring ids a node installs strictly increase, across restarts too;
// and, when asked (checkQuorum), that no two disjoint member sets are quorate at once.
// Violations are collected as text in failures().
//
// Quorum runs as in the shell: each node's QuorumExchange is fed the views it installs and its
// NodeInfo messages travel through the simulated network (loss, delay, partitions) like the
// membership messages.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "membership/membership_node.h"
#include "membership/quorum.h"
#include "membership/quorum_exchange.h"

namespace pulse::membership::sim {

struct Stats {
  std::uint64_t delivered = 0;
  std::uint64_t dropped = 0;
  std::uint64_t views_installed = 0;
  std::uint64_t nodeinfo_delivered = 0;  // included in `delivered`
};

class Simulator {
 public:
  // Every node has one vote; `quorum` gives the other quorum options (its node list is
  // replaced by nodes 1..N with one vote each). Default: plain votequorum, expected_votes N.
  Simulator(int nodes, Timing timing, std::uint64_t seed, QuorumConfig quorum = {});

  // Advances the global clock by `d`, delivering messages and ticking nodes every kTick.
  void runFor(Duration d);

  void crash(NodeId n);
  void restart(NodeId n);
  // groups: each node's group number (index n-1); nodes in different groups cannot talk.
  void partition(std::vector<int> groups);
  void heal();
  // One-way cut: nothing from `from` reaches `to` (the other direction is untouched). Kept
  // until clearOneWay(); also cuts what is already on the wire.
  void cutOneWay(NodeId from, NodeId to) { one_way_.insert({from, to}); }
  void clearOneWay() { one_way_.clear(); }
  // Observers for property tests: each view a node installs (at the global time), and every
  // event a node handled (a delivery or its tick), after its outputs were sent.
  void onInstall(std::function<void(NodeId, const View&, TimePoint)> f) {
    on_install_ = std::move(f);
  }
  void afterEvent(std::function<void(NodeId, TimePoint)> f) { after_event_ = std::move(f); }
  void setLoss(double p) { loss_ = p; }
  void setDelay(Duration lo, Duration hi) { delay_lo_ = lo, delay_hi_ = hi; }
  void setClockOffset(NodeId n, Duration offset) { offset_[n - 1] = offset; }

  bool up(NodeId n) const { return nodes_[n - 1].has_value(); }
  int size() const { return static_cast<int>(nodes_.size()); }
  const MembershipNode* node(NodeId n) const { return up(n) ? &*nodes_[n - 1] : nullptr; }
  const QuorumExchange* quorum(NodeId n) const {
    return quorum_[n - 1] ? &*quorum_[n - 1] : nullptr;
  }

  // Invariant: no two disjoint member sets are simultaneously the installed view of an up node
  // that its QuorumExchange calls quorate; and each QuorumExchange's own invariants hold.
  // A restart resets the node's QuorumExchange (fresh votequorum state).
  void checkQuorum();

  // Liveness: every node is up and has installed the same view, containing all nodes.
  bool allAgreeOnFullView() const;

  const std::vector<std::string>& failures() const { return failures_; }
  const Stats& stats() const { return stats_; }
  TimePoint now() const { return now_; }

  static constexpr Duration kTick{10};

 private:
  struct InFlight {
    TimePoint at;
    std::uint64_t order;  // FIFO among equal times: keeps the run deterministic
    NodeId from, to;
    Bytes bytes;
    bool operator>(const InFlight& o) const { return at != o.at ? at > o.at : order > o.order; }
  };

  TimePoint localNow(NodeId n) const { return now_ + offset_[n - 1]; }
  void carryOut(NodeId from, Output out);
  void send(NodeId from, const std::vector<Outgoing>& messages);
  void transmit(NodeId from, NodeId to, const Bytes& bytes);
  bool connected(NodeId a, NodeId b) const {
    return group_[a - 1] == group_[b - 1] && !one_way_.contains({a, b});
  }
  void recordInstall(NodeId n, const View& v);
  void fail(std::string what);

  Timing timing_;
  QuorumConfig quorum_config_;
  std::mt19937_64 rng_;
  TimePoint now_{};
  std::vector<std::optional<MembershipNode>> nodes_;
  std::vector<std::optional<QuorumExchange>> quorum_;  // per node; reset by restart
  std::vector<PersistentState> disk_;                  // what each node persisted; survives crashes
  std::vector<Duration> offset_;
  std::vector<int> group_;
  std::set<std::pair<NodeId, NodeId>> one_way_;
  std::function<void(NodeId, const View&, TimePoint)> on_install_;
  std::function<void(NodeId, TimePoint)> after_event_;
  double loss_ = 0;
  Duration delay_lo_{1}, delay_hi_{10};
  std::priority_queue<InFlight, std::vector<InFlight>, std::greater<>> network_;
  std::uint64_t order_ = 0;

  std::map<RingId, std::vector<NodeId>> committed_;  // every view installed anywhere
  std::vector<RingId> last_installed_;               // per node, across restarts
  std::vector<std::string> failures_;
  Stats stats_;
};

}  // namespace pulse::membership::sim
