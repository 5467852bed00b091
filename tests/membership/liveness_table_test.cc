#include "membership/liveness_table.h"

#include <gtest/gtest.h>

namespace pulse::membership {
namespace {

TimePoint at(int ms) { return TimePoint{} + Duration{ms}; }

TEST(LivenessTable, PeerIsLostAfterTokenWithoutHeartbeat) {
  LivenessTable table(Duration{1000});
  EXPECT_TRUE(table.alive(at(0)).empty());
  EXPECT_EQ(table.recordHeartbeat(2, 1, RingId{}, at(100)), LivenessTable::Heard::kKnown);
  EXPECT_TRUE(table.isAlive(2, at(1099)));
  EXPECT_FALSE(table.isAlive(2, at(1100)));
  table.recordContact(2, at(1050));
  EXPECT_EQ(table.alive(at(2049)), std::vector<NodeId>{2});
  EXPECT_TRUE(table.alive(at(2050)).empty());
}

TEST(LivenessTable, ContactAloneDoesNotIntroduceAPeer) {
  LivenessTable table(Duration{1000});
  table.recordContact(5, at(0));
  EXPECT_FALSE(table.isAlive(5, at(1)));
}

TEST(LivenessTable, NewIncarnationIsReportedOnceAndOldOnesAreStale) {
  LivenessTable table(Duration{1000});
  table.recordHeartbeat(3, 1, RingId{4, 1}, at(0));
  EXPECT_EQ(table.reportedRing(3), (RingId{4, 1}));
  EXPECT_EQ(table.recordHeartbeat(3, 2, RingId{}, at(10)), LivenessTable::Heard::kNewIncarnation);
  EXPECT_EQ(table.reportedRing(3), RingId{});  // restart forgot its view
  EXPECT_EQ(table.recordHeartbeat(3, 2, RingId{}, at(20)), LivenessTable::Heard::kKnown);
  EXPECT_EQ(table.recordHeartbeat(3, 1, RingId{4, 1}, at(30)), LivenessTable::Heard::kStale);
  EXPECT_EQ(table.reportedRing(3), RingId{});
}

TEST(LivenessTable, ReportedRingIsTheMaximumDespiteReordering) {
  LivenessTable table(Duration{1000});
  table.recordHeartbeat(2, 1, RingId{6, 1}, at(0));
  table.recordHeartbeat(2, 1, RingId{5, 1}, at(5));  // an older heartbeat arriving late
  EXPECT_EQ(table.reportedRing(2), (RingId{6, 1}));
}

TEST(LivenessTable, ClockSteppingBackwardsKeepsPeersAlive) {
  LivenessTable table(Duration{1000});
  table.recordHeartbeat(2, 1, RingId{}, at(5000));
  EXPECT_TRUE(table.isAlive(2, at(4000)));
}

TEST(RingId, OrderedBySeqThenRepresentative) {
  EXPECT_LT((RingId{1, 9}), (RingId{2, 1}));
  EXPECT_LT((RingId{2, 1}), (RingId{2, 3}));
  EXPECT_EQ((RingId{2, 3}), (RingId{2, 3}));
  EXPECT_TRUE(RingId{}.none());
  EXPECT_LT(RingId{}, (RingId{0, 1}));
  EXPECT_EQ(toString(RingId{7, 2}), "7.2");
  EXPECT_EQ(toString(View{RingId{7, 2}, {2, 4}}), "ring 7.2 {2,4}");
}

}  // namespace
}  // namespace pulse::membership
