// Deterministic simulator for CIB replication: N CibReplicas, a scripted membership, a network
// with loss, delay and reordering, crashes that keep only what was persisted, and clients that
// submit writes at random nodes. All randomness comes from one seeded std::mt19937_64, so a
// seed replays exactly.
//
// The membership is scripted, not simulated: the simulator decides partitions, crashes and heals
// and hands every live node the views a correct membership layer would install: one fresh ring
// id per change, the same members for every member of a partition, quorate iff the partition
// holds a strict majority of all nodes. Each node receives its views in order, after its own
// random delay (0..view_jitter), so an old DC can lag behind a new one for a while.
//
// Invariants, checked as events happen (violations collect in failures()):
//  1. at most one DC among the up nodes that have installed their latest view and whose view is
//     quorate; at most one DC per ring id, ever;
//  2. a write replied ok is covered by (stamp >= its stamp, content present) the persisted copy
//     of every member of the DC's view at that moment; every DC that becomes ready later holds
//     it; the final CIB holds it;
//  3. the stamp, and the version number, a node persists never go down; one stamp names one
//     content, everywhere;
//  4. a write refused with a certain error never appears in any persisted copy; a write
//     submitted at a node whose view has no quorum is refused kNoQuorum;
//  5. each replica's checkInvariants().
// Liveness (converge()): after everything heals, a ready DC, identical copies everywhere and a
// write that succeeds, within a bound.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "crmd/replication/cib_replica.h"

namespace pulse::crmd::sim {

struct Stats {
  std::uint64_t delivered = 0;
  std::uint64_t dropped = 0;
  std::uint64_t views = 0;
  std::uint64_t writes_ok = 0;
  std::uint64_t writes_refused = 0;
  std::uint64_t writes_uncertain = 0;
  // Persists of a version number another node persisted with other content (an orphan's
  // number reused by a DC that never saw it; allowed, see cib_replica.h).
  std::uint64_t version_number_clashes = 0;
};

class Simulator {
 public:
  Simulator(int nodes, std::uint64_t seed, bool trace);

  void runFor(Duration d);
  void crash(NodeId n);
  void restart(NodeId n);
  void partition(std::vector<int> groups);  // each node's group (index n-1)
  void heal();
  void setLoss(double p) { loss_ = p; }
  void setViewJitter(Duration d) { view_jitter_ = d; }
  void setClientRate(double writes_per_tick) { client_rate_ = writes_per_tick; }

  // Heals everything and runs until one DC is ready and every node holds the same copy, then
  // submits a write there; true if all that happened within `bound`. `took` is the time used.
  bool converge(Duration bound, Duration& took);

  bool up(NodeId n) const { return nodes_[n - 1].has_value(); }
  int size() const { return static_cast<int>(nodes_.size()); }
  const std::vector<std::string>& failures() const { return failures_; }
  const std::vector<std::string>& trace() const { return trace_; }
  const Stats& stats() const { return stats_; }
  TimePoint now() const { return now_; }
  void note(std::string what);  // adds a line to the trace (fault steps)

  static constexpr Duration kTick{10};

 private:
  struct InFlight {
    TimePoint at;
    std::uint64_t order;        // FIFO among equal times
    NodeId from, to;            // from == kNoNode: a view for `to`
    std::uint64_t incarnation;  // views only: for this incarnation of `to`
    CibMessage message;
    View view;
    bool quorate = false;
    bool operator>(const InFlight& o) const { return at != o.at ? at > o.at : order > o.order; }
  };
  struct Attempt {
    NodeId at;
    bool minority;  // the node's view had no quorum when the write was submitted
    bool retry;     // the client may retry once (DC hint, fresh read)
  };

  void step();
  void reconfigure();  // installs new views where a partition's live member set changed
  void deliver(const InFlight& f);
  void carryOut(NodeId n, CibOutput out, CibReplica::Phase before);
  void onPersist(NodeId n, const StoredCib& copy);
  void onReply(NodeId n, const WriteReply& reply);
  void clientWrite();
  void submit(NodeId read, NodeId at, WriteId id, bool retry);
  void checkNode(NodeId n, CibReplica::Phase before);
  void checkDcs();
  bool holds(const StoredCib& copy, WriteId id) const;
  bool connected(NodeId a, NodeId b) const { return group_[a - 1] == group_[b - 1]; }
  void fail(std::string what);
  void log(const std::string& what);

  std::mt19937_64 rng_;
  bool tracing_;
  TimePoint now_{};
  std::vector<std::optional<CibReplica>> nodes_;
  std::vector<StoredCib> disk_;              // persisted copies; survive crashes
  std::vector<int> group_;                   // partition group per node
  std::vector<std::vector<NodeId>> target_;  // latest view members handed to each node
  std::vector<int> pending_views_;           // views scheduled but not yet installed, per node
  std::vector<TimePoint> last_view_at_;      // keeps each node's views in order
  std::vector<std::uint64_t> incarnation_;   // bumped by crash(): drops its pending views
  std::uint64_t ring_seq_ = 0;
  double loss_ = 0;
  Duration view_jitter_{0};
  double client_rate_ = 0.1;
  std::priority_queue<InFlight, std::vector<InFlight>, std::greater<>> queue_;
  std::uint64_t order_ = 0;

  WriteId next_write_ = 1;
  std::map<WriteId, Attempt> attempts_;           // submitted, not yet answered
  std::map<WriteId, CibStamp> acked_;             // replied ok, with the stamp it got
  std::set<WriteId> refused_;                     // refused with a certain error
  std::map<CibStamp, std::string> contents_;      // every stamp persisted anywhere -> its content
  std::map<CibVersion, std::string> by_version_;  // last content persisted under each number
  std::map<RingId, NodeId> dc_of_ring_;
  std::optional<WriteId> final_write_;
  bool final_ok_ = false;

  std::vector<std::string> failures_;
  std::vector<std::string> trace_;
  Stats stats_;
};

// One seeded schedule: cluster size from the seed (3 or 5 nodes), `steps` random fault steps
// with client writes throughout, then the liveness check.
struct Outcome {
  int nodes = 0;
  std::vector<std::string> failures;
  std::vector<std::string> trace;
  Stats stats;
  Duration simulated{0};
  Duration convergence{0};
};
Outcome runSchedule(std::uint64_t seed, int steps, bool trace);

}  // namespace pulse::crmd::sim
