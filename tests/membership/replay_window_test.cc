// ReplayWindow and DropLog: the receiver's replay decision and the log rate limit, as pure
// functions of their inputs.
#include "membership/replay_window.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <utility>

namespace pulse::membership {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ReplayWindow, AcceptsOnlyNewerSequencesPerSender) {
  ReplayWindow w;
  EXPECT_FALSE(w.newest(2).has_value());
  EXPECT_TRUE(w.accept(2, {100, 5}));   // the first from a sender
  EXPECT_FALSE(w.accept(2, {100, 5}));  // the same frame again
  EXPECT_FALSE(w.accept(2, {100, 4}));  // an older one
  EXPECT_TRUE(w.accept(2, {100, 6}));
  EXPECT_TRUE(w.accept(2, {100, 60}));  // gaps are fine (unicast frames went to others)
  EXPECT_FALSE(w.accept(2, {100, 59}));
  EXPECT_EQ(w.newest(2), (FrameSequence{100, 60}));
  // Senders are independent.
  EXPECT_TRUE(w.accept(3, {100, 1}));
  EXPECT_EQ(w.newest(2), (FrameSequence{100, 60}));
}

TEST(ReplayWindow, ARestartedSenderIsAcceptedAndItsOldFramesAreNot) {
  ReplayWindow w;
  ASSERT_TRUE(w.accept(2, {100, 900}));
  // The sender restarted: a larger incarnation, its counter from 1 again.
  EXPECT_TRUE(w.accept(2, {101, 1}));
  // Frames of the previous run, however large their counter, are now replays.
  EXPECT_FALSE(w.accept(2, {100, 901}));
  EXPECT_FALSE(w.accept(2, {100, ~0ull}));
  EXPECT_TRUE(w.accept(2, {101, 2}));
}

// Property: over any arrival order with duplicates, each sequence is accepted at most once and
// the accepted ones strictly increase.
TEST(ReplayWindow, NoSequenceIsEverAcceptedTwice) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    ReplayWindow w;
    std::map<NodeId, FrameSequence> last;
    std::set<std::pair<NodeId, std::pair<std::uint64_t, std::uint64_t>>> seen;
    for (int i = 0; i < 300; ++i) {
      const NodeId sender = 1 + static_cast<NodeId>(rng() % 3);
      const FrameSequence seq{rng() % 3, rng() % 20};
      const bool accepted = w.accept(sender, seq);
      auto it = last.find(sender);
      EXPECT_EQ(accepted, it == last.end() || seq > it->second);
      if (accepted) {
        EXPECT_TRUE(seen.insert({sender, {seq.incarnation, seq.counter}}).second);
        last[sender] = seq;
      }
    }
  }
}

TEST(DropLog, ReportsTheFirstAtOnceThenAtMostOncePerInterval) {
  DropLog log(seconds(10));
  const TimePoint t0{seconds(1000)};
  EXPECT_EQ(log.take(t0), 0u);  // nothing dropped, nothing to say
  log.record();
  EXPECT_EQ(log.take(t0), 1u);
  for (int i = 0; i < 50; ++i) log.record();
  EXPECT_EQ(log.take(t0 + seconds(1)), 0u);  // held back
  EXPECT_EQ(log.take(t0 + seconds(9)), 0u);
  log.record();
  EXPECT_EQ(log.take(t0 + seconds(10)), 51u);  // one line covers all of them
  EXPECT_EQ(log.take(t0 + seconds(30)), 0u);
  log.record();
  EXPECT_EQ(log.take(t0 + seconds(30)), 1u);  // quiet for long: at once again
}

TEST(DropLog, AClockSteppingBackDoesNotSilenceIt) {
  DropLog log(seconds(10));
  const TimePoint t0{seconds(1000)};
  log.record();
  ASSERT_EQ(log.take(t0), 1u);
  log.record();
  EXPECT_EQ(log.take(t0 - seconds(500)), 0u);  // the step counts as "just reported"
  EXPECT_EQ(log.take(t0 - seconds(490)), 1u);  // and the interval runs from there
}

}  // namespace
}  // namespace pulse::membership
