// The DC's decisions around the transition: probes before the engine runs (joins, new
// incarnations, cleaned-up history) and recurring monitor failures. Driven by hand through
// controller_harness.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <pugixml.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "crmd/cib/cib_status.h"
#include "crmd/controller/controller.h"
#include "tests/controller/controller_harness.h"

namespace pulse::crmd {
namespace {

TEST(ControllerProbes, EveryPrimitiveOnEveryMemberOnceThenTheEngineRuns) {
  Harness h;
  h.xml = replaced(kCib, R"(<op id="d1-monitor-10s")",
                   R"(<op id="d1-probe" name="monitor" interval="0" timeout="40s"/>
          <op id="d1-monitor-10s")");
  h.xml = replaced(h.xml, "</resources>", R"(<group id="g">
        <primitive id="d2" class="ocf" provider="heartbeat" type="Dummy"/>
      </group>
    </resources>)");
  h.becomeDc();
  h.confirmWrites();
  std::vector<std::string> probed = h.probed;
  std::sort(probed.begin(), probed.end());
  EXPECT_EQ(probed, (std::vector<std::string>{"monitor_0 d1 on n1", "monitor_0 d1 on n2",
                                              "monitor_0 d1 on n3", "monitor_0 d2 on n1",
                                              "monitor_0 d2 on n2", "monitor_0 d2 on n3"}));
  for (const ActionRequest& a : h.actions) {
    EXPECT_EQ(a.expected_rc, 7);
    EXPECT_EQ(a.timeout_ms, a.resource == "d1" ? 40000 : 20000) << describe(a);
  }
  h.take(h.ctl.onTick(kNow + 1));
  EXPECT_EQ(h.probed.size(), 6u) << "an outstanding probe is not handed out twice";
  EXPECT_EQ(h.ctl.transitionsRun(), 0u);

  // d1 is found running on n2 (rc 0): it must stay there, not start a second copy.
  std::vector<ActionRequest> probes = std::move(h.actions);
  h.actions.clear();
  for (std::size_t i = 0; i + 1 < probes.size(); ++i) {
    const ActionRequest& p = probes[i];
    const int rc = p.resource == "d1" && p.node == "n2" ? 0 : 7;
    h.take(h.ctl.onActionResult(p.action_id, p.node, {rc, 0, "", 3}, kNow + 1));
  }
  h.confirmWrites();
  EXPECT_EQ(h.ctl.transitionsRun(), 0u) << "one probe is still outstanding";
  const ActionRequest& last = probes.back();
  h.take(h.ctl.onActionResult(last.action_id, last.node,
                              {last.resource == "d1" && last.node == "n2" ? 0 : 7, 0, "", 3},
                              kNow + 1));
  ASSERT_EQ(h.writes.size(), 1u);
  EXPECT_EQ(h.ctl.transitionsRun(), 0u) << "the last probe result is not durable yet";
  EXPECT_TRUE(h.engine_inputs.empty());
  // (Confirmed, it is the CIB the engine runs on; the pending entries of the actions handed
  // out then are written after it.)
  const std::string probed_cib = h.writes.front().change.xml;
  h.confirmWrites();
  EXPECT_EQ(h.ctl.transitionsRun(), 1u) << testing::PrintToString(h.log);
  ASSERT_EQ(h.engine_inputs.size(), 1u);
  EXPECT_EQ(h.engine_inputs.front(), probed_cib) << "the engine's input is the confirmed CIB";
  {
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(h.xml.c_str()));
    pugi::xml_node probe = op(doc, "1", "d1_last_0");
    ASSERT_TRUE(probe);
    EXPECT_STREQ(probe.attribute("operation").value(), "monitor");
    EXPECT_STREQ(probe.attribute("rc-code").value(), "7");
    EXPECT_FALSE(op(doc, "1", "d1_last_failure_0")) << "a probe finding it stopped is no failure";
  }
  h.settle(healthy);
  EXPECT_EQ(count(h.executed, "start_0 d1"), 0u) << testing::PrintToString(h.executed);
  // (Pacemaker would also start d1's 10 s monitor on n2; the engine does not yet schedule
  // monitors for a resource found running: see createRecurring in policy-engine/src/actions.cc.)
  EXPECT_EQ(count(h.executed, "start_0 d2"), 1u) << testing::PrintToString(h.executed);
  EXPECT_EQ(h.probed.size(), 6u);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  EXPECT_EQ(h.engine_inputs.size(), h.ctl.transitionsRun());
}

TEST(ControllerProbes, JoiningNodeAndCleanedUpHistoryAreProbedAgain) {
  Harness h;
  h.startUp({{1, "n1"}, {2, "n2"}});
  EXPECT_EQ(h.probed.size(), 2u);
  h.settle(healthy);
  ASSERT_TRUE(h.ctl.idle());

  h.take(h.ctl.onMembersChanged(kMembers, kNow));
  h.confirmWrites();
  ASSERT_EQ(h.probed.size(), 3u);
  EXPECT_EQ(h.probed.back(), "monitor_0 d1 on n3");
  h.settle(healthy);
  ASSERT_TRUE(h.ctl.idle());

  // `pcs resource cleanup d1 --node n1`: another writer deletes the history.
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(h.xml.c_str()));
  ASSERT_TRUE(cib::deleteResourceHistory(doc.child("cib"), "1", "d1"));
  std::ostringstream text;
  doc.save(text);
  h.xml = text.str();
  h.stamp.version.num_updates += 1;
  h.take(h.ctl.onCibChanged(parsed(h.xml, h.stamp), kNow));
  ASSERT_EQ(h.probed.size(), 4u) << testing::PrintToString(h.log);
  EXPECT_EQ(h.probed.back(), "monitor_0 d1 on n1");
  const std::size_t transitions = h.ctl.transitionsRun();
  h.take(h.ctl.onTick(kNow + 1));
  EXPECT_EQ(h.ctl.transitionsRun(), transitions) << "no engine run while probing";
  h.settle(healthy);
  EXPECT_TRUE(h.ctl.idle());
  EXPECT_EQ(h.probed.size(), 4u);
}

// A crmd that restarts quickly may come back in a view with the very same members. Its history
// describes the run before: d1 "running" there is not what the new run knows. Its node is
// probed again before the engine runs, and d1 is found wherever it really is.
TEST(ControllerProbes, MemberBackWithANewIncarnationIsProbedAgain) {
  const std::vector<Member> first = {{1, "n1", 7}, {2, "n2", 7}, {3, "n3", 7}};
  Harness h;
  h.startUp(first);
  h.settle(healthy);
  ASSERT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  const std::string holder = startedOn(h, "d1");
  ASSERT_FALSE(holder.empty());
  ASSERT_EQ(h.probed.size(), 3u);

  // A new DC term with the same incarnations (the DC moved, nobody restarted): no probes.
  h.take(h.ctl.onLostDc(kNow + 5));
  h.becomeDc(first);
  h.settle(healthy);
  EXPECT_EQ(h.probed.size(), 3u) << "an unchanged incarnation keeps its history";
  EXPECT_EQ(count(h.executed, "start_0 d1"), 1u) << testing::PrintToString(h.executed);

  // The holder's crmd restarted: same members, new incarnation. The probe finds d1 stopped
  // (a restarted executor runs nothing), so d1 is started again.
  std::vector<Member> restarted = first;
  for (Member& m : restarted)
    if (m.name == holder) m.incarnation = 8;
  h.take(h.ctl.onLostDc(kNow + 10));
  h.becomeDc(restarted);
  h.confirmWrites();
  ASSERT_EQ(h.probed.size(), 4u) << testing::PrintToString(h.log);
  EXPECT_EQ(h.probed.back(), "monitor_0 d1 on " + holder);
  {
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(h.xml.c_str()));
    const std::string id = holder.substr(1);
    EXPECT_STREQ(nodeState(doc, id).attribute("pulse-incarnation").value(), "8");
    EXPECT_FALSE(nodeState(doc, id).child("lrm")) << "the old run's history is gone";
  }
  h.settle(healthy);
  EXPECT_EQ(count(h.executed, "start_0 d1"), 2u) << testing::PrintToString(h.executed);
  EXPECT_TRUE(h.ctl.idle());
}

// A node that announced its shutdown and came back as a new run before any view without it was
// recorded (a quick restart, or it was the DC itself): its "shutdown" belongs to the run before.
// Kept, it would keep every resource off the node for good (the fault lab found a 5-node clone
// that never ran on such a node again). The new run's node is usable at once.
TEST(ControllerProbes, ShutdownOfAnEarlierIncarnationIsForgotten) {
  const std::vector<Member> first = {{1, "n1", 7}, {2, "n2", 7}, {3, "n3", 7}};
  Harness h;
  h.startUp(first);
  h.settle(healthy);
  const std::string holder = startedOn(h, "d1");
  ASSERT_FALSE(holder.empty());
  const auto shutdown_recorded = [&] {
    pugi::xml_document doc;
    EXPECT_TRUE(doc.load_string(h.xml.c_str()));
    return cib::nodeAttribute(doc.child("cib"), holder.substr(1), "shutdown",
                              cib::AttributeLifetime::kTransient)
        .has_value();
  };
  h.take(h.ctl.requestShutdown(holder, kNow + 5));
  h.settle(healthy);
  ASSERT_TRUE(shutdown_recorded()) << testing::PrintToString(h.log);
  ASSERT_NE(startedOn(h, "d1"), holder) << "the announced shutdown moved d1 away";

  std::vector<Member> restarted = first;
  for (Member& m : restarted)
    if (m.name == holder) m.incarnation = 8;
  h.take(h.ctl.onLostDc(kNow + 10));
  h.becomeDc(restarted);
  h.confirmWrites();
  EXPECT_FALSE(shutdown_recorded()) << "the run before's shutdown is forgotten";
  h.settle(healthy);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
}

TEST(ControllerProbes, ProbeOnANodeThatLeavesIsLost) {
  Harness h;
  h.becomeDc();
  h.confirmWrites();
  ASSERT_EQ(h.probed.size(), 3u);
  h.take(h.ctl.onMembersChanged(without("n3"), kNow));
  EXPECT_TRUE(h.logged("probe d1_monitor_0 on n3 lost: the node left"))
      << testing::PrintToString(h.log);
  h.actions.erase(std::remove_if(h.actions.begin(), h.actions.end(),
                                 [](const ActionRequest& a) { return a.node == "n3"; }),
                  h.actions.end());
  h.settle(healthy);
  EXPECT_EQ(h.probed.size(), 3u);
  EXPECT_EQ(count(h.executed, "start_0 d1"), 1u) << testing::PrintToString(h.log);
  EXPECT_NE(startedOn(h, "d1"), "n3");
  EXPECT_TRUE(h.ctl.idle());
}

TEST(ControllerMonitor, FailureIsRecordedCountedAndRecovered) {
  Harness h;
  h.startUp();
  h.answer(healthy);  // the start
  h.confirmWrites();
  ASSERT_EQ(h.actions.size(), 1u);
  const ActionRequest monitor = h.actions.front();
  ASSERT_EQ(monitor.interval_ms, 10000);
  h.settle(healthy);
  ASSERT_TRUE(h.ctl.idle());
  const std::size_t before = h.executed.size();

  h.take(h.ctl.onMonitorResult(monitor, {7, 0, "not running", 2}, kNow + 30));
  ASSERT_EQ(h.writes.size(), 1u);
  {
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(h.writes.front().change.xml.c_str()));
    const std::string id = monitor.node.substr(1);
    pugi::xml_node entry = op(doc, id, "d1_monitor_10000");
    ASSERT_TRUE(entry);
    EXPECT_STREQ(entry.attribute("rc-code").value(), "7");
    EXPECT_TRUE(op(doc, id, "d1_last_failure_0"));
    EXPECT_EQ(cib::nodeAttribute(doc.child("cib"), id, cib::failCountName("d1", "monitor", 10000),
                                 cib::AttributeLifetime::kTransient),
              std::optional<std::string>("1"));
  }
  h.settle(healthy);
  std::vector<std::string> after(h.executed.begin() + static_cast<std::ptrdiff_t>(before),
                                 h.executed.end());
  ASSERT_GE(after.size(), 2u) << testing::PrintToString(h.executed);
  EXPECT_EQ(after[0], "stop_0 d1 on " + monitor.node);
  EXPECT_EQ(count(after, "start_0 d1"), 1u) << testing::PrintToString(after);
  EXPECT_TRUE(h.ctl.idle());

  // From a node that is not a member: ignored.
  ActionRequest stray = monitor;
  stray.node = "n9";
  ControllerOutput out = h.ctl.onMonitorResult(stray, {7, 0, "", 1}, kNow + 40);
  EXPECT_TRUE(out.writes.empty());
  Controller idle;
  EXPECT_TRUE(idle.onMonitorResult(monitor, {7, 0, "", 1}, kNow).empty());
}

}  // namespace
}  // namespace pulse::crmd
