// Stage "actions": what each resource must do, as the Transition Summary says.
#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2"};

std::string running(const std::string& rsc, std::vector<Op> ops = {{"start", 0, 2}}) {
  return nodeState("1", "n1", history(rsc, ops)) + nodeState("2", "n2");
}

TEST(Actions, StoppedResourceStarts) {
  auto t = scheduleOk(cib(kNodes, primitive("vip"),
                          "<rsc_location id=\"l\" rsc=\"vip\" node=\"n1\" score=\"1\"/>",
                          emptyStatus(kNodes)));
  EXPECT_EQ(summaryOf(t), (V{"Start vip (n1)"}));
}

TEST(Actions, HealthyResourceIsLeftAlone) {
  auto t = scheduleOk(cib(kNodes, primitive("vip"), "", running("vip")));
  EXPECT_TRUE(t.summary.empty());
  EXPECT_TRUE(t.actions.empty());
}

TEST(Actions, FailedMonitorIsRecoveredInPlace) {
  auto t = scheduleOk(cib(kNodes, primitive("vip"), "",
                          running("vip", {{"start", 0, 2}, {"monitor", 7, 3, 10000}})));
  EXPECT_EQ(summaryOf(t), (V{"Recover vip (n1)"}));
}

TEST(Actions, BetterNodeMeansMove) {
  auto t = scheduleOk(cib(kNodes, primitive("vip"),
                          "<rsc_location id=\"l\" rsc=\"vip\" node=\"n2\" score=\"100\"/>",
                          running("vip")));
  EXPECT_EQ(summaryOf(t), (V{"Move vip (n1 -> n2)"}));
}

TEST(Actions, TargetRoleStoppedStops) {
  auto t = scheduleOk(
      cib(kNodes, primitive("vip", nvpair("tr", "target-role", "Stopped")), "", running("vip")));
  EXPECT_EQ(summaryOf(t), (V{"Stop vip (n1)"}));
}

TEST(Actions, NoQuorumWithStopPolicyStopsAndBlocksStarts) {
  std::string xml = cib(kNodes, primitive("vip") + primitive("idle"), "", running("vip"));
  xml.replace(xml.find("have-quorum=\"1\""), 15, "have-quorum=\"0\"");
  auto t = scheduleOk(xml);
  EXPECT_EQ(summaryOf(t), (V{"Start idle (n2) blocked", "Stop vip (n1)"}));
  EXPECT_EQ(placedOn(t, "idle"), "");
}

TEST(Actions, NoQuorumIgnoredKeepsRunning) {
  std::string xml =
      cib(kNodes, primitive("vip"), "", running("vip"), nvpair("nq", "no-quorum-policy", "ignore"));
  xml.replace(xml.find("have-quorum=\"1\""), 15, "have-quorum=\"0\"");
  EXPECT_TRUE(scheduleOk(xml).summary.empty());
}

TEST(Actions, UnmanagedResourceIsNeverTouched) {
  auto t = scheduleOk(cib(kNodes, primitive("vip", nvpair("m", "is-managed", "false")),
                          "<rsc_location id=\"l\" rsc=\"vip\" node=\"n1\" score=\"-INFINITY\"/>",
                          running("vip", {{"start", 0, 2}, {"monitor", 1, 3, 10000}})));
  EXPECT_TRUE(t.summary.empty());
  EXPECT_EQ(placedOn(t, "vip"), "n1");
  EXPECT_TRUE(t.actions.empty());
}

TEST(Actions, StopAllResourcesStopsEverything) {
  auto t = scheduleOk(cib(kNodes, primitive("vip"), "", running("vip"),
                          nvpair("sar", "stop-all-resources", "true")));
  EXPECT_EQ(summaryOf(t), (V{"Stop vip (n1)"}));
}

TEST(Actions, FencingEnabledWithoutDevicesLeavesResourcesAlone) {
  std::string xml = cib(kNodes, primitive("vip"), "", emptyStatus(kNodes));
  xml.replace(xml.find("value=\"false\""), 13, "value=\"true\"");
  EXPECT_TRUE(scheduleOk(xml).summary.empty());
}

}  // namespace
}  // namespace pulse::pe

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

TEST(Actions, ChangedParametersRestartTheResource) {
  // The history was recorded without parameters; the configuration now has one.
  std::string rsc =
      "<primitive id=\"vip\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
      "<instance_attributes id=\"vip-ia\">" +
      nvpair("vip-ip", "ip", "198.51.100.7") + "</instance_attributes></primitive>";
  auto t = scheduleOk(
      cib({"n1", "n2"}, rsc, "",
          nodeState("1", "n1", history("vip", {{"start", 0, 2}})) + nodeState("2", "n2")));
  ASSERT_EQ(t.summary.size(), 1u);
  EXPECT_EQ(t.summary[0].verb, "Restart");
  EXPECT_EQ(t.summary[0].reason, "due to resource definition change");
}

}  // namespace
}  // namespace pulse::pe
