// Joins (controller.h): a result lost with a DC's term must not let the next DC start the
// resource a second time elsewhere. Each member names what it acted on; the DC probes that
// again before the engine runs (Pacemaker's DC rebuilds a joining node's lrm history from it).
// Found by the fault lab (RestartOnebyOne --seed 1): vip2 started on n2 by a DC that was
// leaving, its result lost, then started on n1 too: active on both for good.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "crmd/controller/controller.h"
#include "tests/controller/controller_harness.h"

namespace pulse::crmd {
namespace {

// The DC's term ends after it handed out d1's start and before the result was durable: the
// node started d1 all the same. Returns the node d1 runs on.
std::string startLostWithTheTerm(Harness& h) {
  h.startUp();
  EXPECT_EQ(h.actions.size(), 1u) << testing::PrintToString(h.log);
  const std::string node = h.actions.empty() ? "" : h.actions.front().node;
  EXPECT_EQ(h.actions.empty() ? "" : h.actions.front().operation, "start");
  h.actions.clear();  // it ran; its answer goes to a DC that is gone
  h.take(h.ctl.onLostDc(kNow));
  return node;
}

// Probes answer what runs: d1 on `node` only; everything else succeeds.
std::function<int(const ActionRequest&)> runningOn(const std::string& node) {
  return [node](const ActionRequest& a) {
    if (a.operation == "monitor" && a.interval_ms == 0) return a.node == node ? 0 : 7;
    return a.expected_rc;
  };
}

TEST(ControllerJoin, AStartLostWithTheTermIsProbedAgainAndNotStartedTwice) {
  Harness h;
  const std::string node = startLostWithTheTerm(h);
  ASSERT_FALSE(node.empty());
  h.answer_joins = false;
  h.becomeDc();  // the next term, on the CIB that never got the start's result
  EXPECT_EQ(h.joins.size(), 3u) << "every member is asked";
  const std::size_t inputs = h.engine_inputs.size();
  h.confirmWrites();
  EXPECT_EQ(h.engine_inputs.size(), inputs) << "the engine waits for every member's answer";
  for (const std::string member : {"n1", "n2", "n3"}) {
    h.take(h.ctl.onJoinAnswer(
        member, member == node ? std::vector<std::string>{"d1"} : std::vector<std::string>{},
        kNow));
  }
  h.joins.clear();
  EXPECT_EQ(h.engine_inputs.size(), inputs) << "nor before d1 is probed again on " << node;
  ASSERT_EQ(h.actions.size(), 1u) << testing::PrintToString(h.log);
  EXPECT_EQ(describe(h.actions.front()), "monitor_0 d1 on " + node);
  h.settle(runningOn(node));
  EXPECT_EQ(count(h.executed, "start_0 d1"), 1u) << testing::PrintToString(h.executed);
  EXPECT_EQ(count(h.executed, "monitor_10000 d1 on " + node), 1u)
      << "found running there, it is monitored there: " << testing::PrintToString(h.executed);
  EXPECT_TRUE(h.ctl.idle());
}

TEST(ControllerJoin, AMemberThatNeverAnswersHasEverythingProbedAgain) {
  Harness h;
  // Without a pending entry for the start (record-pending=false): one would have d1 probed
  // again there at once (controller_pending_test), and only the join's wait is tested here.
  h.xml = replaced(kCib, "</configuration>", R"(
    <op_defaults>
      <meta_attributes id="op-options">
        <nvpair id="op-options-rp" name="record-pending" value="false"/>
      </meta_attributes>
    </op_defaults>
  </configuration>)");
  const std::string node = startLostWithTheTerm(h);
  h.answer_joins = false;
  h.becomeDc();
  h.confirmWrites();
  for (const std::string member : {"n1", "n2", "n3"})
    if (member != node) h.take(h.ctl.onJoinAnswer(member, {}, kNow));
  EXPECT_TRUE(h.actions.empty());
  h.take(h.ctl.onTick(kNow + Controller::kJoinWaitSeconds));
  EXPECT_TRUE(h.actions.empty()) << "still within the wait";
  h.take(h.ctl.onTick(kNow + Controller::kJoinWaitSeconds + 1));
  EXPECT_TRUE(h.logged("no join answer from " + node));
  ASSERT_EQ(h.actions.size(), 1u) << testing::PrintToString(h.log);
  EXPECT_EQ(describe(h.actions.front()), "monitor_0 d1 on " + node);
  h.take(h.ctl.onJoinAnswer(node, {"d1"}, kNow));  // too late: already given up on
  EXPECT_EQ(h.actions.size(), 1u) << "not probed twice";
  h.settle(runningOn(node));
  EXPECT_EQ(count(h.executed, "start_0 d1"), 1u) << testing::PrintToString(h.executed);
}

TEST(ControllerJoin, AMemberJoiningTheTermIsAskedAndANameNoLongerConfiguredIsDropped) {
  Harness h;
  h.startUp({{1, "n1"}, {2, "n2"}});
  h.settle(healthy);
  ASSERT_TRUE(h.ctl.idle());
  h.answer_joins = false;
  h.take(h.ctl.onMembersChanged(kMembers, kNow));
  EXPECT_EQ(h.joins, std::vector<std::string>{"n3"}) << "only the member that joined";
  EXPECT_FALSE(h.ctl.idle());
  h.take(h.ctl.onJoinAnswer("n3", {"gone"}, kNow));  // deleted since it ran there
  h.settle(healthy);
  EXPECT_TRUE(h.ctl.idle()) << "nothing left waiting: " << testing::PrintToString(h.log);
  EXPECT_EQ(count(h.probed, "monitor_0 gone"), 0u);
}

}  // namespace
}  // namespace pulse::crmd
