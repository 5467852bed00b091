// Two views with the same sequence number and different representatives (ring 54.1 of n1 and
// n2, ring 54.3 of n3 alone) must merge once their nodes can reach each other again: a ring is
// named by (seq, representative), so equal seqs are no reason to ignore the other side.
//
// The fault lab's Reattach found the two views side by side for 30 s (--seed 1 --soak 40,
// events 17 and 37). There n3 was cut off the whole time: the DC of n1 and n2 fenced it at
// startup (it had not joined yet) and the power-off took its link down just after the lab had
// checked that it was powered on and just before its crmd started; the merge came with the
// lab's power-on. These tests pin the membership side of that claim: after the heal the two
// views merge within a few tokens, both when they formed in a partition and when every node
// restarted (the Reattach pattern: every crmd stopped, the node that starts alone forms
// the same seq as the pair, since all persisted the same max seq).
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "simulator.h"

namespace pulse::membership::sim {
namespace {

const Timing kTiming = Timing::fromToken(Duration{1000});

// Runs until every node installed one view of all three nodes, for at most `limit`; returns how
// long it took.
std::optional<Duration> timeToMerge(Simulator& sim, Duration limit) {
  const TimePoint from = sim.now();
  while (sim.now() - from < limit) {
    if (sim.allAgreeOnFullView()) {
      return std::chrono::duration_cast<Duration>(sim.now() - from);
    }
    sim.runFor(Simulator::kTick);
  }
  return std::nullopt;
}

// The views of n1 and n2 (one ring) and of n3 (alone) have equal seqs and different
// representatives; both sides are settled (n3's beacon and the pair's beacons are all that
// crosses the healed link).
void expectEqualSeqViews(const Simulator& sim, const std::string& what) {
  ASSERT_TRUE(sim.node(1)->view() && sim.node(3)->view()) << what;
  const View pair = *sim.node(1)->view();
  const View alone = *sim.node(3)->view();
  ASSERT_EQ(sim.node(2)->view(), pair) << what;
  ASSERT_EQ(pair.members, (std::vector<NodeId>{1, 2})) << what;
  ASSERT_EQ(alone.members, (std::vector<NodeId>{3})) << what;
  ASSERT_EQ(pair.ring_id.seq, alone.ring_id.seq)
      << what << ": " << toString(pair) << " and " << toString(alone);
  ASSERT_NE(pair.ring_id.representative, alone.ring_id.representative) << what;
  for (NodeId n = 1; n <= 3; ++n) ASSERT_FALSE(sim.node(n)->gathering()) << what << " node " << n;
}

// Within a few tokens: the first beacon after the heal (at most a token away) makes the
// receiver gather, the gather reaches everyone within a delay, and a round takes the settle wait
// plus a round trip.
constexpr Duration kMergeWithin{3000};

TEST(EqualSeqSimulation, ViewsFormedInAPartitionWithEqualSeqsMergeAfterTheHeal) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const std::string what = "seed " + std::to_string(seed);
    Simulator sim(3, kTiming, seed);
    sim.runFor(Duration{3000});
    ASSERT_TRUE(sim.allAgreeOnFullView()) << what << ": the cluster did not form";
    // Every node now holds the same max seq: each side proposes the next one.
    sim.partition({0, 0, 1});
    sim.runFor(Duration{10000});
    expectEqualSeqViews(sim, what);
    const RingId before = sim.node(1)->view()->ring_id;
    sim.heal();
    const auto merged = timeToMerge(sim, Duration{30000});
    ASSERT_TRUE(merged) << what << ": n1 n2 in " << toString(*sim.node(1)->view()) << ", n3 in "
                        << toString(*sim.node(3)->view()) << " 30 s after the heal";
    EXPECT_LE(*merged, kMergeWithin) << what;
    EXPECT_GT(sim.node(1)->view()->ring_id.seq, before.seq) << what;
    for (const auto& f : sim.failures()) ADD_FAILURE() << what << ": " << f;
  }
}

TEST(EqualSeqSimulation, EveryNodeRestartedWithOneCutOffFormsEqualSeqsAndMergesAfterTheHeal) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const std::string what = "seed " + std::to_string(seed);
    Simulator sim(3, kTiming, seed);
    sim.runFor(Duration{3000});
    ASSERT_TRUE(sim.allAgreeOnFullView()) << what << ": the cluster did not form";
    // Reattach: every node stopped; n3 comes back with its link down.
    for (NodeId n = 1; n <= 3; ++n) sim.crash(n);
    sim.runFor(Duration{2000});
    sim.partition({0, 0, 1});
    for (NodeId n = 1; n <= 3; ++n) sim.restart(n);
    sim.runFor(Duration{10000});
    expectEqualSeqViews(sim, what);
    sim.heal();
    const auto merged = timeToMerge(sim, Duration{30000});
    ASSERT_TRUE(merged) << what << ": n1 n2 in " << toString(*sim.node(1)->view()) << ", n3 in "
                        << toString(*sim.node(3)->view()) << " 30 s after the heal";
    EXPECT_LE(*merged, kMergeWithin) << what;
    for (const auto& f : sim.failures()) ADD_FAILURE() << what << ": " << f;
  }
}

}  // namespace
}  // namespace pulse::membership::sim
