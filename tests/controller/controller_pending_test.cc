// Pending actions (controller.h, Pacemaker's record-pending): an action handed to a node is
// recorded at once with op-status -1, rc-code 193 and call-id -1; its result replaces the entry;
// record-pending=false (on the op or in op_defaults) records nothing until the result; and a
// DC whose term starts on a CIB with a pending entry probes that resource again before the
// engine runs, so a start still running there is never made twice.
#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <string>
#include <vector>

#include "crmd/controller/controller.h"
#include "tests/controller/controller_harness.h"

namespace pulse::crmd {
namespace {

pugi::xml_node lastEntry(pugi::xml_document& doc, const std::string& xml, const std::string& node) {
  EXPECT_TRUE(doc.load_string(xml.c_str()));
  return op(doc, node.substr(1), "d1_last_0");
}

TEST(ControllerPending, AStartHandedOutIsRecordedPendingUntilItsResultReplacesIt) {
  Harness h;
  h.startUp();  // the start is handed out and its pending entry made durable
  ASSERT_EQ(h.actions.size(), 1u) << testing::PrintToString(h.log);
  const ActionRequest start = h.actions.front();
  ASSERT_EQ(start.operation, "start");
  pugi::xml_document doc;
  pugi::xml_node pending = lastEntry(doc, h.xml, start.node);
  ASSERT_TRUE(pending) << h.xml;
  EXPECT_STREQ(pending.attribute("operation").value(), "start");
  EXPECT_STREQ(pending.attribute("op-status").value(), "-1");
  EXPECT_STREQ(pending.attribute("rc-code").value(), "193");
  EXPECT_STREQ(pending.attribute("call-id").value(), "-1");
  EXPECT_STRNE(pending.attribute("op-digest").value(), "");
  EXPECT_FALSE(op(doc, start.node.substr(1), "d1_last_failure_0"))
      << "a pending entry is not a failure";

  h.answer(healthy);
  h.confirmWrites();
  pugi::xml_node done = lastEntry(doc, h.xml, start.node);
  ASSERT_TRUE(done);
  EXPECT_STREQ(done.attribute("operation").value(), "start");
  EXPECT_STREQ(done.attribute("op-status").value(), "0");
  EXPECT_STREQ(done.attribute("rc-code").value(), "0");
  EXPECT_GT(done.attribute("call-id").as_int(), 0);
  // The recurring monitor handed out next is recorded pending under its own id, and the start's
  // result stays.
  ASSERT_EQ(h.actions.size(), 1u);
  EXPECT_EQ(h.actions.front().operation, "monitor");
  pugi::xml_node monitor = op(doc, start.node.substr(1), "d1_monitor_10000");
  ASSERT_TRUE(monitor) << h.xml;
  EXPECT_STREQ(monitor.attribute("op-status").value(), "-1");
  h.settle(healthy);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  ASSERT_TRUE(doc.load_string(h.xml.c_str()));
  EXPECT_STREQ(op(doc, start.node.substr(1), "d1_monitor_10000").attribute("op-status").value(),
               "0");
  EXPECT_EQ(h.executed.size(), 2u) << testing::PrintToString(h.executed);
}

TEST(ControllerPending, ProbesAreNotRecordedPending) {
  Harness h;
  h.becomeDc();
  h.confirmWrites();
  ASSERT_EQ(h.probed.size(), 3u);
  EXPECT_EQ(h.xml.find("op-status=\"-1\""), std::string::npos) << h.xml;
}

// The op's record-pending=false, and op_defaults' (which an op's own value overrides).
TEST(ControllerPending, RecordPendingFalseRecordsNothingUntilTheResult) {
  const std::string on_op =
      replaced(kCib, R"(<op id="d1-monitor-10s")",
               R"(<op id="d1-start" name="start" interval="0s" record-pending="false"/>
          <op id="d1-monitor-10s")");
  const std::string in_defaults = replaced(kCib, "</configuration>", R"(
    <op_defaults>
      <meta_attributes id="op-options">
        <nvpair id="op-options-rp" name="record-pending" value="false"/>
      </meta_attributes>
    </op_defaults>
  </configuration>)");
  for (const std::string& xml : {on_op, in_defaults}) {
    Harness h;
    h.xml = xml;
    h.startUp();
    ASSERT_EQ(h.actions.size(), 1u) << testing::PrintToString(h.log);
    ASSERT_EQ(h.actions.front().operation, "start");
    EXPECT_EQ(h.xml.find("op-status=\"-1\""), std::string::npos) << h.xml;
    h.settle(healthy);
    EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  }
  // An op that says true wins over op_defaults' false.
  Harness h;
  h.xml = replaced(in_defaults, R"(<op id="d1-monitor-10s")",
                   R"(<op id="d1-start" name="start" interval="0s" record-pending="true"/>
          <op id="d1-monitor-10s")");
  h.startUp();
  ASSERT_EQ(h.actions.size(), 1u);
  pugi::xml_document doc;
  EXPECT_STREQ(lastEntry(doc, h.xml, h.actions.front().node).attribute("op-status").value(), "-1");
}

// The DC's term ends while d1's start runs (its pending entry is durable, its result is not),
// and the node's join answer does not name d1 (an answer lost, or a crmd that never answers
// so): the pending entry alone makes the next DC probe d1 there before the engine runs. The
// probe, queued behind the start on that node, finds it running: d1 is monitored there and
// started nowhere else.
TEST(ControllerPending, ANewDcProbesAgainWhatAnEarlierDcLeftPending) {
  Harness h;
  h.startUp();
  ASSERT_EQ(h.actions.size(), 1u);
  const std::string node = h.actions.front().node;
  h.actions.clear();
  h.take(h.ctl.onLostDc(kNow));

  Harness next;  // the next DC, on the CIB with the pending start
  next.xml = h.xml;
  next.stamp = h.stamp;
  next.becomeDc();
  EXPECT_TRUE(next.logged("d1 has start pending on " + node)) << testing::PrintToString(next.log);
  next.confirmWrites();
  ASSERT_EQ(next.actions.size(), 1u) << testing::PrintToString(next.log);
  EXPECT_EQ(describe(next.actions.front()), "monitor_0 d1 on " + node);
  EXPECT_TRUE(next.engine_inputs.empty()) << "the engine waits for the probe";
  next.settle([&](const ActionRequest& a) {
    if (a.operation == "monitor" && a.interval_ms == 0) return a.node == node ? 0 : 7;
    return a.expected_rc;
  });
  EXPECT_EQ(count(next.executed, "start_0 d1"), 0u) << testing::PrintToString(next.executed);
  EXPECT_EQ(next.executed, std::vector<std::string>{"monitor_10000 d1 on " + node});
  EXPECT_TRUE(next.ctl.idle()) << testing::PrintToString(next.log);
}

}  // namespace
}  // namespace pulse::crmd
