// What becomes of resources in unusual states, as the operator sees it: active on more than
// one node (multiple-active), or still running after being removed from the configuration.
#include <string>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2"};

std::string activeOnBoth(const std::string& rsc) {
  return nodeState("1", "n1", history(rsc, {{"start", 0, 2}})) +
         nodeState("2", "n2", history(rsc, {{"start", 0, 2}}));
}

TEST(MultipleActive, DefaultStopsEverywhereAndStartsOnce) {
  auto t = scheduleOk(cib(kNodes, primitive("db"), "", activeOnBoth("db")));
  EXPECT_EQ(summaryOf(t), (V{"Restart db (n1)"}));
  EXPECT_EQ(placedOn(t, "db"), "n1");
}

TEST(MultipleActive, StopOnlyStopsItEverywhere) {
  auto t = scheduleOk(cib(kNodes, primitive("db", nvpair("db-ma", "multiple-active", "stop_only")),
                          "", activeOnBoth("db")));
  EXPECT_EQ(summaryOf(t), (V{"Stop db (n1)", "Stop db (n2)"}));
  EXPECT_EQ(placedOn(t, "db"), "");
}

TEST(MultipleActive, BlockLeavesItAlone) {
  auto t = scheduleOk(cib(kNodes, primitive("db", nvpair("db-ma", "multiple-active", "block")), "",
                          activeOnBoth("db")));
  EXPECT_TRUE(t.summary.empty());
  ASSERT_EQ(t.revised.resources.size(), 1u);
  EXPECT_TRUE(t.revised.resources[0].blocked);
  EXPECT_EQ(t.revised.resources[0].nodes.size(), 2u);
}

TEST(Orphans, ARemovedResourceStillRunningIsStopped) {
  auto t = scheduleOk(
      cib(kNodes, primitive("kept"), "",
          nodeState("1", "n1", history("gone", {{"start", 0, 2}})) + nodeState("2", "n2")));
  EXPECT_EQ(summaryOf(t), (V{"Start kept (n1)", "Stop gone (n1)"}));
  // The stop runs the agent the history names.
  ScheduleOptions options;
  options.with_execution = true;
  auto full =
      schedule(cib(kNodes, primitive("kept"), "",
                   nodeState("1", "n1", history("gone", {{"start", 0, 2}})) + nodeState("2", "n2")),
               options);
  ASSERT_TRUE(full.ok());
  bool found = false;
  for (const Action& a : full->actions) {
    if (a.resource != "gone" || a.task != "stop") continue;
    found = true;
    EXPECT_TRUE(a.has_agent);
    EXPECT_EQ(a.type, "Dummy");
    EXPECT_EQ(a.node, "n1");
  }
  EXPECT_TRUE(found);
}

TEST(Orphans, StopOrphanResourcesFalseLeavesItRunning) {
  auto t = scheduleOk(
      cib(kNodes, primitive("kept"), "",
          nodeState("1", "n1", history("gone", {{"start", 0, 2}})) + nodeState("2", "n2"),
          nvpair("soa", "stop-orphan-resources", "false")));
  ASSERT_EQ(t.summary.size(), 1u);
  EXPECT_EQ(t.summary[0].resource, "kept");
  EXPECT_EQ(placedOn(t, "gone"), "n1");
}

// n1 is shutting down with vip running there.
std::string shuttingDown() {
  std::string n1 = nodeState("1", "n1", history("vip", {{"start", 0, 2}}));
  n1.insert(n1.find("<lrm"), "<transient_attributes id=\"1\"><instance_attributes id=\"t1\">" +
                                 nvpair("t1-s", "shutdown", "1000") +
                                 "</instance_attributes></transient_attributes>");
  return n1 + nodeState("2", "n2");
}

TEST(ShutdownLock, ResourceStopsWithItsNodeInsteadOfMoving) {
  auto t = scheduleOk(
      cib(kNodes, primitive("vip"), "", shuttingDown(), nvpair("sl", "shutdown-lock", "true")));
  EXPECT_EQ(summaryOf(t), (V{"Stop vip (n1)"}));
}

TEST(ShutdownLock, WithoutItTheResourceMoves) {
  auto t = scheduleOk(cib(kNodes, primitive("vip"), "", shuttingDown()));
  EXPECT_EQ(summaryOf(t), (V{"Move vip (n1 -> n2)"}));
}

TEST(ShutdownLock, ALockRecordedInTheHistoryKeepsItStoppedUntilTheLimit) {
  // n1 shut down at t=1000 with vip locked to it; the limit is 5 minutes.
  std::string h = history("vip", {{"start", 0, 2}, {"stop", 0, 3}});
  h.insert(h.find('>'), " shutdown-lock=\"1000\"");
  std::string status =
      "<node_state id=\"1\" uname=\"n1\" in_ccm=\"false\" crmd=\"offline\" join=\"down\" "
      "expected=\"down\"><lrm id=\"1\"><lrm_resources>" +
      h + "</lrm_resources></lrm></node_state>" + nodeState("2", "n2");
  std::string xml =
      cib(kNodes, primitive("vip"), "", status,
          nvpair("sl", "shutdown-lock", "true") + nvpair("sll", "shutdown-lock-limit", "5min"));
  ScheduleOptions within;
  within.now = 1200;
  auto locked = schedule(xml, within);
  ASSERT_TRUE(locked.ok()) << locked.error().message;
  EXPECT_TRUE(locked->summary.empty());
  ScheduleOptions after;
  after.now = 1400;
  auto expired = schedule(xml, after);
  ASSERT_TRUE(expired.ok()) << expired.error().message;
  EXPECT_EQ(summaryOf(*expired), (V{"Start vip (n2)"}));
}

TEST(Failures, IgnoredFailuresDoNotReachTheMigrationThreshold) {
  // The monitor failed twice with on-fail=ignore; migration-threshold is 2.
  std::string rsc =
      "<primitive id=\"ip\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
      "<meta_attributes id=\"ip-m\">" +
      nvpair("ip-mt", "migration-threshold", "2") +
      "</meta_attributes><operations><op id=\"ip-mon\" name=\"monitor\" interval=\"10s\" "
      "on-fail=\"ignore\"/></operations></primitive>";
  std::string n1 = nodeState("1", "n1", history("ip", {{"start", 0, 2}, {"monitor", 7, 3, 10000}}));
  n1.insert(n1.find("<lrm"), "<transient_attributes id=\"1\"><instance_attributes id=\"t1\">" +
                                 nvpair("t1-fc", "fail-count-ip#monitor_10000", "2") +
                                 "</instance_attributes></transient_attributes>");
  auto t = scheduleOk(cib(kNodes, rsc, "", n1 + nodeState("2", "n2")));
  EXPECT_EQ(placedOn(t, "ip"), "n1");
  for (const SummaryItem& s : t.summary) EXPECT_NE(s.verb, "Move");
}

TEST(Failures, AMissingAgentIsRecoveredEvenWithOnFailIgnore) {
  std::string rsc =
      "<primitive id=\"ip\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
      "<operations><op id=\"ip-mon\" name=\"monitor\" interval=\"10s\" "
      "on-fail=\"ignore\"/></operations></primitive>";
  std::string h = history("ip", {{"start", 0, 2}, {"monitor", 5, 3, 10000}});
  // The monitor found the agent missing (executor status 7, "not installed").
  h.replace(h.rfind("op-status=\"4\""), 13, "op-status=\"7\"");
  auto t = scheduleOk(cib(kNodes, rsc, "", nodeState("1", "n1", h) + nodeState("2", "n2")));
  EXPECT_EQ(summaryOf(t), (V{"Recover ip (n1 -> n2)"}));
}

TEST(Failures, DefinitionChangeDuringAPendingStartRestartsInsteadOfReloading) {
  // The start on n1 is still pending (call-id -1) and was recorded with other parameters
  // and a restart digest (the agent can reload): it is restarted.
  std::string rsc =
      "<primitive id=\"ip\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
      "<instance_attributes id=\"ip-p\">" +
      nvpair("ip-a", "addr", "10.0.0.2") + "</instance_attributes></primitive>";
  std::string op =
      "<lrm_resource id=\"ip\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
      "<lrm_rsc_op id=\"ip_start_0\" operation=\"start\" interval=\"0\" "
      "transition-key=\"1:1:0:00000000-0000-0000-0000-000000000000\" op-status=\"-1\" "
      "call-id=\"-1\" rc-code=\"-1\" op-digest=\"00000000000000000000000000000000\" "
      "op-force-restart=\" dummy \" op-restart-digest=\"" +
      recordedDigest(0) + "\"/></lrm_resource>";
  auto t = scheduleOk(cib(kNodes, rsc, "", nodeState("1", "n1", op) + nodeState("2", "n2")));
  ASSERT_EQ(t.summary.size(), 1u);
  EXPECT_EQ(t.summary[0].verb, "Restart");
}

}  // namespace
}  // namespace pulse::pe
