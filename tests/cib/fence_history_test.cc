// The fencing history in the CIB status (crmd/cib/fence_history.h): recorded, replaced by id,
// bounded, cleaned up, sorted and described as Pacemaker 2.1.5's stonith_admin and crm_mon do.
#include "crmd/cib/fence_history.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <pugixml.hpp>

namespace pulse::cib {
namespace {

class FenceHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
    doc_.load_string("<cib><configuration/><status/></cib>");
  }
  pugi::xml_node cib() { return doc_.child("cib"); }

  static FenceEvent done(const std::string& target, std::int64_t at) {
    return FenceEvent{.id = target + "-" + std::to_string(at),
                      .target = target,
                      .action = "reboot",
                      .state = FenceEvent::State::kDone,
                      .delegate = "n1",
                      .client = "pacemaker-controld.1234",
                      .origin = "n1",
                      .devices = "fence",
                      .exit_reason = "",
                      .started = at - 2,
                      .completed = at};
  }

  pugi::xml_document doc_;
};

TEST_F(FenceHistoryTest, PendingEntryBecomesTheCompletedOne) {
  FenceEvent e = done("n3", 1'765'000'000);
  e.state = FenceEvent::State::kPending;
  e.completed = 0;
  recordFenceEvent(cib(), e);
  ASSERT_EQ(readFenceHistory(cib()).size(), 1u);
  EXPECT_EQ(readFenceHistory(cib())[0].state, FenceEvent::State::kPending);
  recordFenceEvent(cib(), done("n3", 1'765'000'000));
  const auto events = readFenceHistory(cib());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], done("n3", 1'765'000'000));
}

TEST_F(FenceHistoryTest, KeepsTheNewestWithinTheBound) {
  for (std::size_t i = 0; i < kMaxFenceEvents + 5; ++i)
    recordFenceEvent(cib(), done("n" + std::to_string(i), 1'000 + static_cast<int>(i)));
  const auto events = readFenceHistory(cib());
  ASSERT_EQ(events.size(), kMaxFenceEvents);
  EXPECT_EQ(events.front().target, "n5");  // n0..n4, the oldest, were dropped
}

TEST_F(FenceHistoryTest, CleanupRemovesCompletedEventsOfTheTarget) {
  recordFenceEvent(cib(), done("n2", 100));
  recordFenceEvent(cib(), done("n3", 200));
  FenceEvent pending = done("n3", 300);
  pending.state = FenceEvent::State::kPending;
  recordFenceEvent(cib(), pending);
  EXPECT_EQ(cleanupFenceHistory(cib(), "n3"), 1u);
  ASSERT_EQ(readFenceHistory(cib()).size(), 2u);  // n2's and the pending one
  EXPECT_EQ(cleanupFenceHistory(cib(), ""), 1u);
  ASSERT_EQ(readFenceHistory(cib()).size(), 1u);
  EXPECT_EQ(readFenceHistory(cib())[0].state, FenceEvent::State::kPending);
}

TEST_F(FenceHistoryTest, SortsPendingFirstThenNewestFirst) {
  FenceEvent pending = done("n4", 0);
  pending.state = FenceEvent::State::kPending;
  const auto sorted = sortFenceHistory({done("n2", 100), pending, done("n3", 200)});
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0].target, "n4");
  EXPECT_EQ(sorted[1].target, "n3");
  EXPECT_EQ(sorted[2].target, "n2");
}

TEST_F(FenceHistoryTest, DescribesAsStonithAdminAndCrmMon) {
  const FenceEvent e = done("n3", 1'765'127'412);  // 2025-12-07 17:10:12 UTC
  EXPECT_EQ(describeFenceEvent(e, true, false, ""),
            "reboot of n3 by n1 for pacemaker-controld.1234@n1 successful at "
            "2025-12-07 17:10:12Z");
  EXPECT_EQ(describeFenceEvent(e, true, true, ""),
            "reboot of n3 successful: delegate=n1, client=pacemaker-controld.1234, origin=n1, "
            "completed='2025-12-07 17:10:12Z'");
  FenceEvent failed = e;
  failed.state = FenceEvent::State::kFailed;
  failed.exit_reason = "fence: timed out";
  EXPECT_EQ(describeFenceEvent(failed, false, false, "n2"),
            "reboot of n3 by n1 for pacemaker-controld.1234@n1 last failed (fence: timed out) "
            "at 2025-12-07 17:10:12Z (a later attempt from n2 succeeded)");
  EXPECT_EQ(describeFenceEvent(failed, false, true, ""),
            "reboot of n3 failed (fence: timed out): delegate=n1, "
            "client=pacemaker-controld.1234, origin=n1, last-failed='2025-12-07 17:10:12Z'");
  FenceEvent pending = e;
  pending.state = FenceEvent::State::kPending;
  EXPECT_EQ(describeFenceEvent(pending, false, false, ""),
            "reboot of n3 for pacemaker-controld.1234@n1 last pending");
}

TEST_F(FenceHistoryTest, LaterSuccessNamesItsDelegate) {
  FenceEvent failed = done("n3", 100);
  failed.state = FenceEvent::State::kFailed;
  FenceEvent later = done("n3", 200);
  later.id = "other";
  later.delegate = "n2";
  EXPECT_EQ(laterSucceeded(failed, {later, failed}), "n2");
  EXPECT_EQ(laterSucceeded(failed, {failed}), "");
}

}  // namespace
}  // namespace pulse::cib
