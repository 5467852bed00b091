// The DC's decision loop driven by hand (see controller_harness.h): status writes, the
// transition walk, failures and membership changes. Probes and fencing: controller_fencing_test.
#include "crmd/controller/controller.h"

#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/controller/controller_harness.h"

namespace pulse::crmd {
namespace {

TEST(Controller, BecomingDcWritesNodeStatesAndWaitsForConfirmation) {
  Harness h;
  h.becomeDc();
  ASSERT_EQ(h.writes.size(), 1u);
  EXPECT_TRUE(h.actions.empty()) << "nothing is scheduled before the node states are confirmed";
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(h.writes.front().change.xml.c_str()));
  for (const char* id : {"1", "2", "3"}) {
    pugi::xml_node ns =
        doc.child("cib").child("status").find_child_by_attribute("node_state", "id", id);
    ASSERT_TRUE(ns) << id;
    EXPECT_STREQ(ns.attribute("in_ccm").value(), "true");
    EXPECT_STREQ(ns.attribute("crmd").value(), "online");
    EXPECT_STREQ(ns.attribute("join").value(), "member");
    EXPECT_STREQ(ns.attribute("expected").value(), "member");
  }
  h.confirmWrites();
  // The node states are durable: d1 is probed on every node before anything starts.
  EXPECT_EQ(h.executed.size(), 0u);
  EXPECT_EQ(h.probed.size(), 3u) << testing::PrintToString(h.log);
  h.answer(healthy);
  h.confirmWrites();
  ASSERT_EQ(h.actions.size(), 1u) << testing::PrintToString(h.log);
  EXPECT_EQ(h.actions.front().operation, "start");
}

TEST(Controller, StartsRecordsMonitorsThenGoesIdle) {
  Harness h;
  h.startUp();
  ASSERT_EQ(h.actions.size(), 1u) << testing::PrintToString(h.log);
  const ActionRequest start = h.actions.front();
  EXPECT_EQ(start.operation, "start");
  EXPECT_EQ(start.resource, "d1");
  EXPECT_EQ(start.rsc_class, "ocf");
  EXPECT_EQ(start.provider, "heartbeat");
  EXPECT_EQ(start.type, "Dummy");
  EXPECT_EQ(start.timeout_ms, 20000) << "no start op defined: Pacemaker's default";
  EXPECT_EQ(start.params.at("state"), "/run/d1.state");
  const std::string node_id = start.node.substr(1);

  h.answer(healthy);
  ASSERT_EQ(h.writes.size(), 1u);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(h.writes.front().change.xml.c_str()));
  pugi::xml_node last = op(doc, node_id, "d1_last_0");
  ASSERT_TRUE(last);
  EXPECT_STREQ(last.attribute("operation").value(), "start");
  EXPECT_STREQ(last.attribute("operation_key").value(), "d1_start_0");
  EXPECT_STREQ(last.attribute("rc-code").value(), "0");
  EXPECT_STRNE(last.attribute("op-digest").value(), "");
  EXPECT_EQ(std::string(last.attribute("transition-key").value())
                .find(std::to_string(start.action_id) + ":1:0:"),
            0u);
  EXPECT_FALSE(op(doc, node_id, "d1_last_failure_0"));

  h.confirmWrites();  // the start is durable: the monitor (same transition) is handed out
  ASSERT_EQ(h.actions.size(), 1u);
  EXPECT_EQ(h.actions.front().operation, "monitor");
  EXPECT_EQ(h.actions.front().interval_ms, 10000);
  EXPECT_EQ(h.actions.front().timeout_ms, 30000);
  EXPECT_EQ(h.actions.front().node, start.node);
  h.settle(healthy);
  // The engine ran again on the CIB with the monitor recorded and found nothing to do: the
  // digests we recorded match its own (no spurious restart or reschedule).
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  EXPECT_EQ(h.ctl.transitionsRun(), 2u) << testing::PrintToString(h.log);
  EXPECT_EQ(h.executed.size(), 2u) << testing::PrintToString(h.executed);
}

TEST(Controller, FailedStartIsRecordedAbortsAndRecoversElsewhere) {
  Harness h;
  h.startUp();
  ASSERT_EQ(h.actions.size(), 1u);
  const std::string first = h.actions.front().node;
  h.answer([](const ActionRequest&) { return 1; });  // OCF_ERR_GENERIC
  ASSERT_EQ(h.writes.size(), 1u);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(h.writes.front().change.xml.c_str()));
  pugi::xml_node failure = op(doc, first.substr(1), "d1_last_failure_0");
  ASSERT_TRUE(failure);
  EXPECT_STREQ(failure.attribute("rc-code").value(), "1");
  // A failed start is fatal on that node (start-failure-is-fatal): fail count INFINITY.
  EXPECT_EQ(
      cib::nodeAttribute(doc.child("cib"), first.substr(1), cib::failCountName("d1", "start", 0),
                         cib::AttributeLifetime::kTransient),
      std::optional<std::string>("INFINITY"));
  h.confirmWrites();
  EXPECT_TRUE(h.logged("aborted")) << testing::PrintToString(h.log);
  // Rescheduled on the failure: Pacemaker stops the failed instance (its state is unknown),
  // then starts it on another node and monitors it there.
  h.settle(healthy);
  ASSERT_EQ(h.executed.size(), 4u) << testing::PrintToString(h.executed);
  EXPECT_EQ(h.executed[1], "stop_0 d1 on " + first) << testing::PrintToString(h.executed);
  EXPECT_EQ(h.executed[2].rfind("start_0 d1 on ", 0), 0u);
  EXPECT_NE(h.executed[2], "start_0 d1 on " + first);
  EXPECT_EQ(h.executed[3], "monitor_10000 d1 on " + h.executed[2].substr(14));
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
}

TEST(Controller, MembershipChangeAbortsTheTransition) {
  Harness h;
  h.startUp();
  ASSERT_EQ(h.actions.size(), 1u);
  const std::string lost = h.actions.front().node;  // its start is in flight
  std::vector<Member> rest;
  for (const Member& m : kMembers)
    if (m.name != lost) rest.push_back(m);
  h.take(h.ctl.onMembersChanged(rest, kNow));
  EXPECT_TRUE(h.logged("aborting transition 1: membership changed"));
  EXPECT_TRUE(h.logged("lost: the node left"));
  // The lost node's result can no longer count, even if a stale copy shows up.
  const int stale = h.actions.front().action_id;
  h.actions.clear();
  h.take(h.ctl.onActionResult(stale, lost, {0, 0, "", 1}, kNow));
  EXPECT_TRUE(h.logged("unknown action " + std::to_string(stale)));
  ASSERT_EQ(h.writes.size(), 1u) << "the node_state write";
  h.settle(healthy);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(h.xml.c_str()));
  pugi::xml_node gone = doc.child("cib").child("status").find_child_by_attribute(
      "node_state", "id", lost.substr(1).c_str());
  EXPECT_STREQ(gone.attribute("in_ccm").value(), "false");
  EXPECT_STREQ(gone.attribute("crmd").value(), "offline");
  EXPECT_STREQ(gone.attribute("join").value(), "down");
  EXPECT_STREQ(gone.attribute("expected").value(), "down");
  // Rescheduled without the lost node: started and monitored on a survivor.
  ASSERT_EQ(h.executed.size(), 3u) << testing::PrintToString(h.executed);
  EXPECT_EQ(h.executed[1].rfind("start_0 d1 on ", 0), 0u);
  EXPECT_NE(h.executed[1], "start_0 d1 on " + lost);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  EXPECT_EQ(h.ctl.transitionsRun(), 3u) << testing::PrintToString(h.log);
}

TEST(Controller, ForeignCibChangeAbortsButInFlightResultsAreRecorded) {
  Harness h;
  h.startUp();
  ASSERT_EQ(h.actions.size(), 1u);
  const std::string first = h.actions.front().node;
  const std::string other = first == "n2" ? "n3" : "n2";
  // Someone else's write (a config edit: prefer another node) lands while the start runs.
  h.stamp.version.epoch += 1;
  {
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(h.xml.c_str()));
    pugi::xml_node loc =
        doc.child("cib").child("configuration").child("constraints").append_child("rsc_location");
    loc.append_attribute("id") = "l";
    loc.append_attribute("rsc") = "d1";
    loc.append_attribute("node") = other.c_str();
    loc.append_attribute("score") = "100";
    std::ostringstream text;
    doc.save(text);
    h.xml = text.str();
  }
  h.take(h.ctl.onCibChanged(parsed(h.xml, h.stamp), kNow));
  EXPECT_TRUE(h.logged("aborting transition 1: CIB changed"));
  h.settle(healthy);
  // The start still counted (recorded), then the new preference moved d1.
  EXPECT_EQ(h.executed,
            (std::vector<std::string>{"start_0 d1 on " + first, "stop_0 d1 on " + first,
                                      "start_0 d1 on " + other, "monitor_10000 d1 on " + other}));
  EXPECT_TRUE(h.ctl.idle());
}

TEST(Controller, OverdueActionIsRecordedAsTimedOut) {
  Harness h;
  h.startUp();
  ASSERT_EQ(h.actions.size(), 1u);
  const ActionRequest start = h.actions.front();
  h.actions.clear();
  h.take(h.ctl.onTick(kNow + 20 + 60));  // 20 s timeout + 60 s cluster-delay: not yet
  EXPECT_TRUE(h.writes.empty());
  h.take(h.ctl.onTick(kNow + 20 + 61));
  EXPECT_TRUE(h.logged("action timer expired for d1_start_0"));
  ASSERT_EQ(h.writes.size(), 1u);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(h.writes.front().change.xml.c_str()));
  pugi::xml_node failure = op(doc, start.node.substr(1), "d1_last_failure_0");
  ASSERT_TRUE(failure);
  EXPECT_STREQ(failure.attribute("op-status").value(), "2");
  // A late result for it is ignored: the timer already decided.
  h.take(h.ctl.onActionResult(start.action_id, start.node, {0, 0, "", 1}, kNow));
  EXPECT_TRUE(h.logged("unknown action " + std::to_string(start.action_id)));
  h.settle(healthy);
  EXPECT_TRUE(h.ctl.idle());
  EXPECT_EQ(h.executed.at(1), "stop_0 d1 on " + start.node) << testing::PrintToString(h.executed);
}

// The action timer runs on the monotonic clock: the wall clock stepped a day forwards while the
// start is in flight does not time it out (no false failure, no recovery, no fencing), and one
// stepped a day backwards does not hold it back once the timeout has really passed.
TEST(Controller, WallClockStepsNeitherExpireNorHoldBackTheActionTimer) {
  Harness h;
  h.startUp();
  ASSERT_EQ(h.actions.size(), 1u);
  h.actions.clear();
  constexpr WallSeconds kDay = 24 * 3600;
  h.take(h.ctl.onTick(ControllerTime{kNow + kDay, kNow + 20 + 60}));
  EXPECT_TRUE(h.writes.empty());
  EXPECT_FALSE(h.logged("action timer expired"));
  h.take(h.ctl.onTick(ControllerTime{kNow - kDay, kNow + 20 + 61}));
  EXPECT_TRUE(h.logged("action timer expired for d1_start_0"));
}

// The controller, the engine, probes, fencing and dispatch all read the copy they were handed:
// a whole start-up (node states, probes, a transition, its results) parses nothing more.
TEST(Controller, ParsesOnlyTheCopiesItIsHanded) {
  Harness h;
  const std::uint64_t before = parseCount();
  h.startUp();
  h.settle(healthy);
  ASSERT_TRUE(h.ctl.idle());
  ASSERT_GT(h.copies, 3);
  EXPECT_EQ(parseCount() - before, static_cast<std::uint64_t>(h.copies));
  EXPECT_EQ(startedOn(h, "d1").empty(), false) << testing::PrintToString(h.executed);
}

TEST(Controller, DoesNothingWhenNotDc) {
  Controller ctl;
  EXPECT_TRUE(ctl.onCibChanged(parsed(kCib, {}), kNow).empty());
  EXPECT_TRUE(ctl.onMembersChanged(kMembers, kNow).empty());
  EXPECT_TRUE(ctl.onActionResult(1, "n1", {}, kNow).empty());
  EXPECT_TRUE(ctl.onWriteReply(1, WriteReply{}, kNow).empty());
  EXPECT_TRUE(ctl.onTick(kNow).empty());
  EXPECT_TRUE(ctl.onLostDc(kNow).empty());

  Harness h;
  h.startUp();
  ASSERT_FALSE(h.actions.empty());
  h.take(h.ctl.onLostDc(kNow));
  EXPECT_FALSE(h.ctl.isDc());
  EXPECT_TRUE(
      h.ctl.onActionResult(h.actions.front().action_id, h.actions.front().node, {7, 0, "", 1}, kNow)
          .empty());
}

TEST(Controller, FailedWriteIsRebuiltOnTheNewestCib) {
  Harness h;
  h.becomeDc();
  ASSERT_EQ(h.writes.size(), 1u);
  StatusWrite w = h.writes.front();
  h.writes.clear();
  // Refused as stale: another write landed first.
  h.take(h.ctl.onWriteReply(w.token, WriteReply{w.token, Error{"stale"}, WriteFailure::kStaleBase},
                            kNow));
  EXPECT_TRUE(h.writes.empty()) << "same base: wait for the newer CIB";
  h.stamp.version.epoch += 1;
  h.take(h.ctl.onCibChanged(parsed(h.xml, h.stamp), kNow));
  ASSERT_EQ(h.writes.size(), 1u);
  EXPECT_EQ(h.writes.front().change.base, h.stamp);
  h.settle(healthy);
  EXPECT_TRUE(h.ctl.idle());
}

// Pacemaker's DC keeps dc-uuid in the CIB; Pulse's replicated CIB has none, so the controller
// tells the engine who the DC is: a rule on #is_dc holds as under Pacemaker.
TEST(Controller, RulesOnIsDcSeeThisNodeAsTheDc) {
  Harness h;
  h.xml = replaced(h.xml, "<constraints/>", R"(<constraints><rsc_location id="d1-on-dc" rsc="d1">
        <rule id="d1-on-dc-rule" score="-INFINITY">
          <expression id="d1-on-dc-expr" attribute="#is_dc" operation="eq" value="false"/>
        </rule>
      </rsc_location>
    </constraints>)");
  h.ctl.setSelfId("2");
  h.startUp();
  ASSERT_EQ(h.actions.size(), 1u) << testing::PrintToString(h.log);
  EXPECT_EQ(h.actions.front().operation, "start");
  EXPECT_EQ(h.actions.front().node, "n2");
}

}  // namespace
}  // namespace pulse::crmd
