// Stage "scores": location constraints, stickiness, standby and fail-counts.
#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2", "n3"};

std::string runningOn(const std::string& rsc, const std::string& node_id, const std::string& node) {
  return nodeState(node_id, node, history(rsc, {{"start", 0, 2}}));
}

TEST(Scores, LocationPreferenceChoosesTheNode) {
  auto t = scheduleOk(cib(kNodes, primitive("vip"),
                          "<rsc_location id=\"l\" rsc=\"vip\" node=\"n2\" score=\"50\"/>",
                          emptyStatus(kNodes)));
  EXPECT_EQ(summaryOf(t), (V{"Start vip (n2)"}));
}

TEST(Scores, MinusInfinityBansTheNodeEvenWhenRunningThere) {
  auto t =
      scheduleOk(cib(kNodes, primitive("vip"),
                     "<rsc_location id=\"l\" rsc=\"vip\" node=\"n1\" score=\"-INFINITY\"/>",
                     runningOn("vip", "1", "n1") + nodeState("2", "n2") + nodeState("3", "n3")));
  ASSERT_EQ(t.summary.size(), 1u);
  EXPECT_EQ(t.summary[0].verb, "Move");
  EXPECT_NE(placedOn(t, "vip"), "n1");
}

TEST(Scores, UnameRuleAppliesToMatchingNodesOnly) {
  auto t = scheduleOk(cib(kNodes, primitive("db"),
                          "<rsc_location id=\"l\" rsc=\"db\"><rule id=\"r\" score=\"100\">"
                          "<expression id=\"e\" attribute=\"#uname\" operation=\"eq\" "
                          "value=\"n3\"/></rule></rsc_location>",
                          emptyStatus(kNodes)));
  EXPECT_EQ(summaryOf(t), (V{"Start db (n3)"}));
}

TEST(Scores, AsymmetricClusterRunsOnlyWhereAllowed) {
  auto t = scheduleOk(cib(kNodes, primitive("a") + primitive("b"),
                          "<rsc_location id=\"l\" rsc=\"a\" node=\"n3\" score=\"0\"/>",
                          emptyStatus(kNodes), nvpair("sym", "symmetric-cluster", "false")));
  EXPECT_EQ(summaryOf(t), (V{"Start a (n3)"}));
}

TEST(Scores, StickinessOutweighsAWeakerPreference) {
  auto t =
      scheduleOk(cib(kNodes, primitive("vip", nvpair("s", "resource-stickiness", "100")),
                     "<rsc_location id=\"l\" rsc=\"vip\" node=\"n2\" score=\"50\"/>",
                     runningOn("vip", "1", "n1") + nodeState("2", "n2") + nodeState("3", "n3")));
  EXPECT_TRUE(t.summary.empty());
  EXPECT_EQ(placedOn(t, "vip"), "n1");
}

TEST(Scores, StandbyNodeIsDrained) {
  std::string xml = cib(kNodes, primitive("vip"), "",
                        runningOn("vip", "1", "n1") + nodeState("2", "n2") + nodeState("3", "n3"));
  xml.replace(xml.find("<node id=\"1\" uname=\"n1\"/>"), 26,
              "<node id=\"1\" uname=\"n1\"><instance_attributes id=\"n1-ia\">" +
                  nvpair("n1-standby", "standby", "on") + "</instance_attributes></node>");
  auto t = scheduleOk(xml);
  ASSERT_EQ(t.summary.size(), 1u);
  EXPECT_EQ(t.summary[0].verb, "Move");
  EXPECT_NE(placedOn(t, "vip"), "n1");
}

std::string withFailCount(const std::string& node_state, const std::string& rsc, int count,
                          long last_failure) {
  std::string attrs =
      "<transient_attributes id=\"t\"><instance_attributes id=\"ti\">" +
      nvpair("fc", "fail-count-" + rsc + "#monitor_10000", std::to_string(count)) +
      nvpair("lf", "last-failure-" + rsc + "#monitor_10000", std::to_string(last_failure)) +
      "</instance_attributes></transient_attributes>";
  std::string s = node_state;
  s.insert(s.find('>') + 1, attrs);
  return s;
}

TEST(Scores, MigrationThresholdReachedMovesTheResourceAway) {
  auto t = scheduleOk(cib(kNodes, primitive("vip", nvpair("m", "migration-threshold", "3")), "",
                          withFailCount(runningOn("vip", "1", "n1"), "vip", 3, 1000) +
                              nodeState("2", "n2") + nodeState("3", "n3")));
  ASSERT_EQ(t.summary.size(), 1u);
  EXPECT_EQ(t.summary[0].verb, "Move");
}

TEST(Scores, BelowMigrationThresholdStays) {
  auto t = scheduleOk(cib(kNodes, primitive("vip", nvpair("m", "migration-threshold", "3")), "",
                          withFailCount(runningOn("vip", "1", "n1"), "vip", 2, 1000) +
                              nodeState("2", "n2") + nodeState("3", "n3")));
  EXPECT_TRUE(t.summary.empty());
}

TEST(Scores, ExpiredFailCountNoLongerCounts) {
  std::string xml = cib(kNodes,
                        primitive("vip", nvpair("m", "migration-threshold", "1") +
                                             nvpair("ft", "failure-timeout", "60s")),
                        "",
                        withFailCount(runningOn("vip", "1", "n1"), "vip", 1, 1000) +
                            nodeState("2", "n2") + nodeState("3", "n3"));
  ScheduleOptions soon, later;
  soon.now = 1030;
  later.now = 1061;
  auto before = schedule(xml, soon);
  auto after = schedule(xml, later);
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_EQ(summaryOf(*before).size(), 1u);  // still banned: moves away
  EXPECT_TRUE(after->summary.empty());       // expired: stays
}

}  // namespace
}  // namespace pulse::pe
