// The DC's fencing of lost nodes: device, watchdog, retries, startup-fencing, controlled
// shutdowns and `pcs stonith fence`. Driven by hand through controller_harness.h.
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

TEST(ControllerFencing, LostNodeIsFencedBeforeItsResourcesStartElsewhere) {
  Harness h;
  h.xml = fencingCib("", kDevices);
  h.startUp();
  h.settle(healthy);
  ASSERT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  const std::string lost = startedOn(h, "d1");
  ASSERT_FALSE(lost.empty()) << testing::PrintToString(h.executed);
  const std::size_t before = h.executed.size();

  h.take(h.ctl.onMembersChanged(without(lost), kNow + 10));
  h.confirmWrites();
  {
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(h.xml.c_str()));
    pugi::xml_node ns = nodeState(doc, lost.substr(1));
    EXPECT_STREQ(ns.attribute("in_ccm").value(), "false");
    EXPECT_STREQ(ns.attribute("crmd").value(), "offline");
    EXPECT_STREQ(ns.attribute("join").value(), "down");
    EXPECT_STREQ(ns.attribute("expected").value(), "member") << "lost, not cleanly down";
  }
  ASSERT_EQ(h.fencing.size(), 1u) << testing::PrintToString(h.log);
  const FenceRequest& req = h.fencing.front();
  EXPECT_EQ(req.node, lost);
  EXPECT_EQ(std::to_string(req.node_id), lost.substr(1));
  EXPECT_EQ(req.device.resource, "fence1");
  EXPECT_EQ(req.device.rsc_class, "stonith");
  EXPECT_EQ(req.device.type, "fence_dummy");
  EXPECT_EQ(req.device.operation, "reboot");
  EXPECT_EQ(req.device.params.at("mode"), "pass");

  for (int i = 1; i <= 3; ++i) {
    h.take(h.ctl.onTick(kNow + 10 + 10 * i));
    h.settle(healthy);
  }
  EXPECT_EQ(h.fencing.size(), 1u) << "not requested again while outstanding";
  EXPECT_EQ(h.executed.size(), before)
      << "nothing moves before the fencing is confirmed: " << testing::PrintToString(h.executed);
  EXPECT_FALSE(h.ctl.idle());

  h.take(h.ctl.onFenceResult(lost, true, "", kNow + 50));
  ASSERT_EQ(h.writes.size(), 1u);
  h.confirmWrites();
  {
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(h.xml.c_str()));
    pugi::xml_node ns = nodeState(doc, lost.substr(1));
    EXPECT_STREQ(ns.attribute("expected").value(), "down");
    EXPECT_STREQ(ns.attribute("in_ccm").value(), "false");
    EXPECT_FALSE(ns.child("lrm")) << "what ran there is known stopped";
    EXPECT_FALSE(ns.child("transient_attributes"));
  }
  h.settle(healthy);
  const std::string survivor = startedOn(h, "d1");
  EXPECT_NE(survivor, lost) << testing::PrintToString(h.executed);
  EXPECT_EQ(count(h.executed, "start_0 d1"), 2u) << testing::PrintToString(h.executed);
  EXPECT_EQ(count(h.executed, "monitor_10000 d1 on " + survivor), 1u);
  EXPECT_EQ(h.fencing.size(), 1u);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);

  // It comes back: a member as usual, probed afresh, not fenced.
  h.take(h.ctl.onMembersChanged(kMembers, kNow + 60));
  h.settle(healthy);
  EXPECT_EQ(count(h.probed, "monitor_0 d1 on " + lost), 2u) << testing::PrintToString(h.probed);
  EXPECT_EQ(h.fencing.size(), 1u);
  EXPECT_TRUE(h.ctl.idle());
}

TEST(ControllerFencing, NodeThatShutsDownIsDrainedAndNotFencedWhenItLeaves) {
  Harness h;
  h.xml = fencingCib("", kDevices);
  h.startUp();
  h.settle(healthy);
  const std::string leaving = startedOn(h, "d1");
  ASSERT_FALSE(leaving.empty()) << testing::PrintToString(h.executed);

  // pcs cluster stop: the node asks first; its resources move while it is still a member.
  h.take(h.ctl.requestShutdown(leaving, kNow + 10));
  h.settle(healthy);
  const std::string moved_to = startedOn(h, "d1");
  EXPECT_NE(moved_to, leaving) << testing::PrintToString(h.executed);
  EXPECT_EQ(count(h.executed, "stop_0 d1 on " + leaving), 1u) << testing::PrintToString(h.executed);
  {
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(h.xml.c_str()));
    EXPECT_TRUE(cib::nodeAttribute(doc.child("cib"), leaving.substr(1), "shutdown",
                                   cib::AttributeLifetime::kTransient));
  }

  // Then it leaves: cleanly down, no fencing, nothing else moves.
  const std::size_t before = h.executed.size();
  h.take(h.ctl.onMembersChanged(without(leaving), kNow + 20));
  h.settle(healthy);
  EXPECT_TRUE(h.fencing.empty()) << testing::PrintToString(h.log);
  EXPECT_EQ(h.executed.size(), before) << testing::PrintToString(h.executed);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(h.xml.c_str()));
  pugi::xml_node ns = nodeState(doc, leaving.substr(1));
  EXPECT_STREQ(ns.attribute("expected").value(), "down");
  EXPECT_FALSE(ns.child("transient_attributes")) << "shutdown is forgotten for its next start";
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
}

// A leaving node repeats its request until it sees the record (a DC term that ends drops the
// queued record): the first request of a new term is recorded; a repeat while the node's
// resources are moving changes nothing and does not abort that move.
TEST(ControllerFencing, RepeatedShutdownRequestsAreRecordedOnceAndDoNotAbortTheMove) {
  Harness h;
  h.xml = fencingCib("", kDevices);
  h.startUp();
  h.settle(healthy);
  const std::string leaving = startedOn(h, "d1");
  ASSERT_FALSE(leaving.empty());
  const auto recorded = [&] {
    pugi::xml_document doc;
    EXPECT_TRUE(doc.load_string(h.xml.c_str()));
    return cib::nodeAttribute(doc.child("cib"), leaving.substr(1), "shutdown",
                              cib::AttributeLifetime::kTransient)
        .has_value();
  };

  h.take(h.ctl.requestShutdown(leaving, kNow + 10));
  h.take(h.ctl.onLostDc(kNow + 10));  // the term ends before the record is written
  h.writes.clear();
  h.becomeDc();
  h.confirmWrites();
  EXPECT_FALSE(recorded()) << "the request died with the term";

  h.take(h.ctl.requestShutdown(leaving, kNow + 11));
  h.confirmWrites();
  ASSERT_TRUE(recorded());
  ASSERT_EQ(count(h.executed, "stop_0 d1 on " + leaving), 1u) << testing::PrintToString(h.executed);
  const std::size_t log_size = h.log.size();
  h.take(h.ctl.requestShutdown(leaving, kNow + 12));
  EXPECT_EQ(h.log.size(), log_size) << "a repeat is silent: " << testing::PrintToString(h.log);
  h.settle(healthy);
  EXPECT_NE(startedOn(h, "d1"), leaving);
  EXPECT_EQ(count(h.executed, "stop_0 d1 on " + leaving), 1u) << testing::PrintToString(h.executed);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
}

// startup-fencing (Pacemaker's default): a configured node never seen since the cluster started
// may be running anything; the transition fences it, and the DC carries that out with a device.
// What requires fencing (d1, by default) starts once the fencing succeeded; the fenced node is
// then recorded cleanly down.
TEST(ControllerFencing, NodeNeverSeenIsFencedAtStartupBeforeResourcesStart) {
  Harness h;
  h.xml = fencingCib("", kDevices);
  h.startUp(without("n3"));
  h.settle(healthy);
  ASSERT_EQ(h.fencing.size(), 1u) << testing::PrintToString(h.log);
  EXPECT_EQ(h.fencing.front().node, "n3");
  EXPECT_EQ(h.fencing.front().device.resource, "fence1");
  EXPECT_TRUE(h.logged("transition asks to fence n3")) << testing::PrintToString(h.log);
  EXPECT_EQ(count(h.executed, "start_0 d1"), 0u) << "d1 waits for the fencing";
  EXPECT_FALSE(h.ctl.idle()) << "the fencing is still awaited";

  h.take(h.ctl.onFenceResult("n3", true, "", kNow + 5));
  h.settle(healthy);
  EXPECT_EQ(count(h.executed, "start_0 d1"), 1u) << testing::PrintToString(h.executed);
  EXPECT_NE(startedOn(h, "d1"), "n3");
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(h.xml.c_str()));
  EXPECT_STREQ(nodeState(doc, "3").attribute("expected").value(), "down");
  EXPECT_EQ(h.fencing.size(), 1u) << "fenced once: " << testing::PrintToString(h.log);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
}

// Without a device or a watchdog, the never-seen node cannot be fenced, and what might run
// there cannot start anywhere (Pacemaker: nothing that requires fencing starts).
TEST(ControllerFencing, NodeNeverSeenWithoutMeansToFenceHoldsStartsBack) {
  Harness h;
  h.xml = fencingCib("", "");
  h.startUp(without("n3"));
  h.settle(healthy);
  EXPECT_TRUE(h.fencing.empty());
  EXPECT_EQ(count(h.executed, "start_0 d1"), 0u) << testing::PrintToString(h.executed);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
}

TEST(ControllerFencing, FailedFencingIsRetriedAtATickFiveSecondsLater) {
  Harness h;
  h.xml = fencingCib("", kDevices);
  h.startUp();
  h.settle(healthy);
  const std::size_t before = h.executed.size();
  h.take(h.ctl.onMembersChanged(without("n3"), kNow));
  h.confirmWrites();
  ASSERT_EQ(h.fencing.size(), 1u);
  h.take(h.ctl.onFenceResult("n3", false, "device timed out", kNow + 100));
  EXPECT_TRUE(h.logged("fencing n3 failed: device timed out"));
  h.take(h.ctl.onTick(kNow + 104));
  EXPECT_EQ(h.fencing.size(), 1u) << "not before 5 s";
  h.take(h.ctl.onTick(kNow + 105));
  ASSERT_EQ(h.fencing.size(), 2u);
  EXPECT_EQ(h.fencing.back(), h.fencing.front());
  h.settle(healthy);
  EXPECT_EQ(h.executed.size(), before) << "still waiting for the fencing";
  h.take(h.ctl.onFenceResult("n3", true, "", kNow + 110));
  h.settle(healthy);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  // A stale second answer changes nothing.
  h.take(h.ctl.onFenceResult("n3", true, "", kNow + 111));
  EXPECT_TRUE(h.logged("ignoring fencing result for n3"));
  EXPECT_TRUE(h.writes.empty());
}

TEST(ControllerFencing, WatchdogWhenNoDeviceCanFence) {
  for (const auto& [value, minimum, wait] :
       std::vector<std::tuple<std::string, std::int64_t, std::int64_t>>{{"5s", 0, 5000},
                                                                        {"-1", 12000, 12000}}) {
    Harness h;
    h.ctl.setWatchdogMinimumMs(minimum);
    h.xml = fencingCib(
        R"(<nvpair id="opt-wd" name="stonith-watchdog-timeout" value=")" + value + R"("/>)", "");
    h.startUp();
    h.settle(healthy);
    h.take(h.ctl.onMembersChanged(without("n2"), kNow));
    h.confirmWrites();
    ASSERT_EQ(h.fencing.size(), 1u) << value << testing::PrintToString(h.log);
    EXPECT_EQ(h.fencing.front().node, "n2");
    EXPECT_TRUE(h.fencing.front().device.type.empty());
    EXPECT_EQ(h.fencing.front().watchdog_wait_ms, wait) << value;
    h.take(h.ctl.onFenceResult("n2", true, "", kNow + 20));
    h.settle(healthy);
    EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  }
}

TEST(ControllerFencing, NoMeansToFenceIsLoggedOnceAndNothingRecovers) {
  Harness h;
  h.xml = fencingCib("", "");
  h.startUp();
  h.settle(healthy);
  const std::size_t transitions = h.ctl.transitionsRun();
  h.take(h.ctl.onMembersChanged(without("n2"), kNow));
  h.confirmWrites();
  h.take(h.ctl.onTick(kNow + 10));
  h.take(h.ctl.onTick(kNow + 20));
  EXPECT_TRUE(h.fencing.empty());
  EXPECT_EQ(std::count(h.log.begin(), h.log.end(),
                       "cannot fence n2: no fence device and stonith-watchdog-timeout is 0"),
            1)
      << testing::PrintToString(h.log);
  EXPECT_EQ(h.ctl.transitionsRun(), transitions) << "the engine waits for the fencing";
}

TEST(ControllerFencing, DisabledStonithRecordsTheNodeDownAndRecoversAtOnce) {
  Harness h;  // kCib has stonith-enabled=false and no device
  h.startUp();
  h.settle(healthy);
  const std::string lost = startedOn(h, "d1");
  h.take(h.ctl.onMembersChanged(without(lost), kNow));
  h.settle(healthy);
  EXPECT_TRUE(h.fencing.empty());
  EXPECT_NE(startedOn(h, "d1"), lost) << testing::PrintToString(h.log);
  EXPECT_EQ(count(h.executed, "start_0 d1"), 2u) << testing::PrintToString(h.executed);
  EXPECT_TRUE(h.ctl.idle());
}

TEST(ControllerFencing, PcsStonithFence) {
  Harness h;
  h.xml = fencingCib("", kDevices);
  EXPECT_TRUE(h.ctl.requestFence("n2", false, kNow).fencing.empty()) << "not DC";
  h.startUp();
  h.settle(healthy);

  ControllerOutput out = h.ctl.requestFence("n2", /*off=*/true, kNow);
  ASSERT_EQ(out.fencing.size(), 1u) << testing::PrintToString(out.log);
  EXPECT_EQ(out.fencing.front().node, "n2");
  EXPECT_EQ(out.fencing.front().device.resource, "fence1");
  EXPECT_EQ(out.fencing.front().device.operation, "off");
  h.take(std::move(out));
  EXPECT_TRUE(h.ctl.requestFence("n2", false, kNow).fencing.empty()) << "already outstanding";

  out = h.ctl.requestFence("n7", false, kNow);
  EXPECT_TRUE(out.fencing.empty());
  EXPECT_EQ(out.log, std::vector<std::string>{"cannot fence n7: not a node of this cluster"});

  // Fenced while still a member: recorded down, and its leaving then is no reason to fence.
  h.take(h.ctl.onFenceResult("n2", true, "", kNow + 1));
  h.settle(healthy);
  h.take(h.ctl.onMembersChanged(without("n2"), kNow + 2));
  h.settle(healthy);
  EXPECT_EQ(h.fencing.size(), 1u) << testing::PrintToString(h.log);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);

  Harness plain;  // no device may fence: a clear answer, no request
  plain.startUp();
  out = plain.ctl.requestFence("n3", false, kNow);
  EXPECT_TRUE(out.fencing.empty());
  EXPECT_EQ(out.log, std::vector<std::string>{"cannot fence n3: no fence device may fence it"});
}

// A member fenced on request dies with its agents; the failure of a monitor killed with it may
// still arrive (sent before its crmd was killed) after the fencing erased its history. It is
// from the run that was powered off: not recorded, or it stays as a stale failure.
TEST(ControllerFencing, WhatAFencedMemberStillReportsIsNotRecorded) {
  Harness h;
  h.xml = fencingCib("", kDevices);
  h.startUp();
  h.answer(healthy);  // the start
  h.confirmWrites();
  ASSERT_EQ(h.actions.size(), 1u);
  const ActionRequest monitor = h.actions.front();
  h.settle(healthy);
  ASSERT_TRUE(h.ctl.idle());
  const std::string id = monitor.node.substr(1);

  h.take(h.ctl.requestFence(monitor.node, false, kNow + 10));
  h.take(h.ctl.onFenceResult(monitor.node, true, "", kNow + 11));
  h.confirmWrites();
  h.actions.clear();  // the probes of the fenced node: never answered
  h.take(h.ctl.onMonitorResult(monitor, {1, 2, "killed by signal 9", 1}, kNow + 12));
  EXPECT_TRUE(h.writes.empty()) << testing::PrintToString(h.log);
  EXPECT_TRUE(h.logged("ignoring monitor result of d1 from " + monitor.node));
  h.confirmWrites();
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(h.xml.c_str()));
  EXPECT_FALSE(nodeState(doc, id).child("lrm")) << "the fencing erased the history";
  EXPECT_FALSE(cib::nodeAttribute(doc.child("cib"), id, cib::failCountName("d1", "monitor", 10000),
                                  cib::AttributeLifetime::kTransient));

  // Gone, then back as another run: what it reports counts again.
  std::vector<Member> back = kMembers;
  for (Member& m : back)
    if (m.name == monitor.node) m.incarnation = 7;
  h.take(h.ctl.onMembersChanged(without(monitor.node), kNow + 13));
  h.confirmWrites();
  h.take(h.ctl.onMembersChanged(back, kNow + 14));
  h.confirmWrites();
  h.take(h.ctl.onMonitorResult(monitor, {7, 0, "", 1}, kNow + 15));
  EXPECT_EQ(h.writes.size(), 1u) << testing::PrintToString(h.log);
}

}  // namespace
}  // namespace pulse::crmd
