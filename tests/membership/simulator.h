// Deterministic simulator for the membership protocol: a virtual clock, N MembershipNodes, and
// a network with per-link loss, bounded random delay, partitions, crashes/restarts and per-node
// clock offsets. All randomness comes from one seeded std::mt19937_64, so a seed replays exactly.
//
// The simulator checks the safety invariants on every view installation:
//  1. agreement: every node that installs ring R installs the same member list;
//  2. monotonicity: the ring ids a node installs strictly increase, across restarts too;
//  3. whole network, full views: once every node is up and every link quiet (see below) for
//     the grace G, every view installed contains every node (no transient sub-view at a heal);
// at every tick:
//  4. no dropped reachable member: two quorate installed views V1 < V2 (ring order) that share
//     a member, where V2 leaves out a member X of V1, never coexist if X and a member of both
//     had been quiet together (and V2's representative free of restarts and clock steps) for G
//     when V2 was first installed (X was dropped although a member of the new view could reach
//     it: two DCs, two holders of a resource). In the heal defect this fixes, X and the common
//     member were never cut at all. Checked only while no one-way
//     cut is in place (and G after the last is cleared): only then is reachability transitive,
//     so that a node a member hears is one the representative hears too (in a partial cut it
//     is not, and the view must leave the node out);
// and, when asked (checkQuorum), that no two disjoint member sets are quorate at once.
// Violations are collected as text in failures().
//
// "Quiet" (the precise meaning of "the nodes can reach each other"): a set of nodes is quiet
// since the latest of: the last crash or restart of any of them, the last clock step of any of
// them plus consensus + token (a step forwards expires a round's deadline at once and excludes
// the members that had not acked yet for one token), the last change of connectivity
// (partition, heal, one-way cut) between any two of them, the last change of the delay bounds (plus
// the old upper bound: older packets may still arrive), and the end of the last lossy period plus
// consensus + token (a round whose acks were lost excludes the silent member for one token after
// its consensus deadline, MembershipNode::evaluate). It is not quiet at all while any of them is
// down, any two of them are cut, or loss is on. The grace G = heartbeat + 2 x delay + tick: within
// it every node hears every other (next heartbeat plus its delay; a settled node, which heartbeats
// only its ring, answers a gathering node's heartbeat at once, within one more delay: ring mode
// fits the same G), so a view committed after it was
// proposed by a representative that heard everyone (MembershipNode commits only a round equal to
// its live set) and reaches its members within one more delay. A real partition's old view may
// linger until detection (token): that window is not covered here; fencing and the self-fence bound
// cover it (crmd/watchdog/self_fence.h).
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
  // `direct`: every node asks for direct heartbeats (NodeOptions::direct, as with a watchdog),
  // so the cluster heartbeats all-to-all; otherwise settled views heartbeat along the ring.
  Simulator(int nodes, Timing timing, std::uint64_t seed, QuorumConfig quorum = {},
            bool direct = false);

  // Advances the global clock by `d`, delivering messages and ticking nodes every kTick.
  void runFor(Duration d);

  void crash(NodeId n);
  void restart(NodeId n);
  // groups: each node's group number (index n-1); nodes in different groups cannot talk.
  void partition(std::vector<int> groups);
  void heal();
  // One-way cut: nothing from `from` reaches `to` (the other direction is untouched). Kept
  // until clearOneWay(); also cuts what is already on the wire.
  void cutOneWay(NodeId from, NodeId to);
  void clearOneWay();
  // Observers for property tests: each view a node installs (at the global time), and every
  // event a node handled (a delivery or its tick), after its outputs were sent.
  void onInstall(std::function<void(NodeId, const View&, TimePoint)> f) {
    on_install_ = std::move(f);
  }
  void afterEvent(std::function<void(NodeId, TimePoint)> f) { after_event_ = std::move(f); }
  void setLoss(double p);
  void setDelay(Duration lo, Duration hi);
  void setClockOffset(NodeId n, Duration offset);

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

  // The instant since which `nodes` are quiet (see the header comment), or nullopt if they are
  // not quiet now. The grace G of invariants 3 and 4 at the current delay bound.
  std::optional<TimePoint> quietSince(const std::vector<NodeId>& nodes) const;
  Duration grace() const;

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
  void checkNoDroppedReachableMember();
  // Records now as a connectivity change for every pair whose connected() differs from before.
  void linksChanged(const std::vector<std::vector<bool>>& before);
  std::vector<std::vector<bool>> links() const;
  void fail(std::string what);

  Timing timing_;
  QuorumConfig quorum_config_;
  NodeOptions node_options_;
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

  std::map<RingId, std::vector<NodeId>> committed_;   // every view installed anywhere
  std::map<RingId, TimePoint> first_installed_;       // when each ring was first installed
  std::vector<TimePoint> node_changed_;               // per node: last crash, restart or clock step
  std::vector<std::vector<TimePoint>> link_changed_;  // [a-1][b-1]: last connectivity change
  TimePoint network_quiet_from_{};                    // after delay changes and lossy periods
  std::set<std::pair<RingId, RingId>> reported_overlaps_;  // invariant 4, reported once each
  std::vector<RingId> last_installed_;                     // per node, across restarts
  std::vector<std::string> failures_;
  Stats stats_;
};

}  // namespace pulse::membership::sim
