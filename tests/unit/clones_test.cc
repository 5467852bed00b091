// Clones: instances placed one per node (or as clone-max / clone-node-max
// say), histories matched to instances, colocations and orderings with a
// clone, and how crm_simulate shows them.
#include "cib_text.h"
#include "engine_test_util.h"
#include "policy-engine/simulate_output.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2", "n3"};

std::string clone(const std::string& id, const std::string& inner, const std::string& meta = "") {
  std::string s = "<clone id=\"" + id + "\">";
  if (!meta.empty()) s += "<meta_attributes id=\"" + id + "-meta\">" + meta + "</meta_attributes>";
  return s + inner + "</clone>";
}

// The nodes a clone's instances run on after the transition, sorted.
V instanceNodes(const Transition& t, const std::string& clone_id) {
  V out;
  for (const ResourceView& r : t.revised.resources) {
    if (r.id != clone_id) continue;
    for (const ResourceView& i : r.members) {
      if (i.is_group) {
        if (!i.members.empty())
          out.insert(out.end(), i.members[0].nodes.begin(), i.members[0].nodes.end());
      } else {
        out.insert(out.end(), i.nodes.begin(), i.nodes.end());
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Clones, AnonymousCloneStartsOneInstanceOnEveryNode) {
  auto t = scheduleOk(cib(kNodes, clone("ping-clone", primitive("ping")), "", emptyStatus(kNodes)));
  EXPECT_EQ(summaryOf(t), (V{"Start ping:0 (n1)", "Start ping:1 (n2)", "Start ping:2 (n3)"}));
  EXPECT_EQ(instanceNodes(t, "ping-clone"), kNodes);
}

TEST(Clones, CloneMaxLimitsInstancesAndLocationsChooseTheNodes) {
  auto t =
      scheduleOk(cib(kNodes, clone("ping-clone", primitive("ping"), nvpair("m1", "clone-max", "2")),
                     "<rsc_location id=\"l\" rsc=\"ping-clone\" node=\"n1\" score=\"-100\"/>",
                     emptyStatus(kNodes)));
  EXPECT_EQ(instanceNodes(t, "ping-clone"), (V{"n2", "n3"}));
  EXPECT_EQ(summaryOf(t).size(), 2u);
}

TEST(Clones, UniqueCloneMayRunSeveralInstancesOnANode) {
  auto t =
      scheduleOk(cib({"n1"},
                     clone("ip-clone", primitive("ip"),
                           nvpair("m1", "clone-max", "3") + nvpair("m2", "clone-node-max", "2") +
                               nvpair("m3", "globally-unique", "true")),
                     "", emptyStatus({"n1"})));
  // Two fit on the only node; the third has nowhere to go.
  EXPECT_EQ(summaryOf(t), (V{"Start ip:0 (n1)", "Start ip:1 (n1)"}));
}

TEST(Clones, AnonymousHistoryUnderTheBareIdKeepsTheInstanceWhereItRuns) {
  std::string status = nodeState("1", "n1") +
                       nodeState("2", "n2", history("ping", {{"start", 0, 2}})) +
                       nodeState("3", "n3");
  auto t = scheduleOk(cib(
      kNodes, clone("ping-clone", primitive("ping"), nvpair("m1", "clone-max", "2")), "", status));
  // The running instance stays on n2; only one more starts.
  ASSERT_EQ(summaryOf(t).size(), 1u);
  EXPECT_EQ(summaryOf(t)[0].rfind("Start ping:", 0), 0u);
  EXPECT_EQ(summaryOf(t)[0].find("(n2)"), std::string::npos);
  V nodes = instanceNodes(t, "ping-clone");
  EXPECT_NE(std::find(nodes.begin(), nodes.end(), "n2"), nodes.end());
}

TEST(Clones, InstancesBeyondCloneMaxAreStopped) {
  std::string status = nodeState("1", "n1", history("ping", {{"start", 0, 2}})) +
                       nodeState("2", "n2", history("ping", {{"start", 0, 2}}));
  auto t = scheduleOk(cib({"n1", "n2"},
                          clone("ping-clone", primitive("ping"), nvpair("m1", "clone-max", "1")),
                          "", status));
  ASSERT_EQ(t.summary.size(), 1u);
  EXPECT_EQ(t.summary[0].verb, "Stop");
  EXPECT_EQ(t.summary[0].reason, "due to node availability");
  EXPECT_EQ(instanceNodes(t, "ping-clone").size(), 1u);
}

TEST(Clones, PrimitiveColocatedWithACloneGoesWhereAnInstanceRuns) {
  auto t =
      scheduleOk(cib(kNodes, clone("ping-clone", primitive("ping")) + primitive("vip"),
                     "<rsc_location id=\"l1\" rsc=\"ping-clone\" node=\"n1\" score=\"-INFINITY\"/>"
                     "<rsc_location id=\"l2\" rsc=\"vip\" node=\"n1\" score=\"100\"/>"
                     "<rsc_colocation id=\"c\" rsc=\"vip\" with-rsc=\"ping-clone\" "
                     "score=\"INFINITY\"/>",
                     emptyStatus(kNodes)));
  EXPECT_EQ(instanceNodes(t, "ping-clone"), (V{"n2", "n3"}));
  EXPECT_NE(placedOn(t, "vip"), "n1");
  EXPECT_NE(placedOn(t, "vip"), "");
}

TEST(Clones, OrderingAfterACloneThatCannotStartBlocksTheDependent) {
  auto t = scheduleOk(
      cib({"n1", "n2"},
          clone("ping-clone", primitive("ping"), nvpair("m1", "target-role", "Stopped")) +
              primitive("vip"),
          "<rsc_order id=\"o\" first=\"ping-clone\" then=\"vip\"/>", emptyStatus({"n1", "n2"})));
  EXPECT_EQ(summaryOf(t), (V{"Start vip (n1) blocked"}));
}

TEST(Clones, CloneMinHoldsTheDependentUntilEnoughInstancesCanStart) {
  std::string resources =
      clone("ping-clone", primitive("ping"), nvpair("m1", "clone-min", "2")) + primitive("vip");
  std::string order = "<rsc_order id=\"o\" first=\"ping-clone\" then=\"vip\"/>";
  // Only one node may run an instance: fewer than clone-min (Pacemaker then
  // places vip on the emptier node, blocked).
  auto blocked = scheduleOk(
      cib({"n1", "n2"}, resources,
          order + "<rsc_location id=\"l\" rsc=\"ping-clone\" node=\"n2\" score=\"-INFINITY\"/>",
          emptyStatus({"n1", "n2"})));
  EXPECT_EQ(summaryOf(blocked), (V{"Start ping:0 (n1)", "Start vip (n2) blocked"}));
  auto runs = scheduleOk(cib({"n1", "n2"}, resources, order, emptyStatus({"n1", "n2"})));
  EXPECT_EQ(summaryOf(runs), (V{"Start ping:0 (n1)", "Start ping:1 (n2)", "Start vip (n1)"}));
}

TEST(Clones, InterleavedInstanceWaitsOnlyForThePartnerOnItsNode) {
  // dlm cannot run on n2, so the interleaved fs instance there cannot start;
  // the one on n1 still does.
  auto t =
      scheduleOk(cib({"n1", "n2"},
                     clone("dlm-clone", primitive("dlm")) +
                         clone("fs-clone", primitive("fs"), nvpair("m1", "interleave", "true")),
                     "<rsc_location id=\"l\" rsc=\"dlm-clone\" node=\"n2\" score=\"-INFINITY\"/>"
                     "<rsc_order id=\"o\" first=\"dlm-clone\" then=\"fs-clone\"/>",
                     emptyStatus({"n1", "n2"})));
  EXPECT_EQ(instanceNodes(t, "dlm-clone"), (V{"n1"}));
  EXPECT_EQ(instanceNodes(t, "fs-clone"), (V{"n1"}));
}

TEST(Clones, ClonedGroupInstancesRunTogether) {
  auto t = scheduleOk(cib(
      {"n1", "n2"},
      clone("web-clone", "<group id=\"web\">" + primitive("fs") + primitive("apache") + "</group>"),
      "", emptyStatus({"n1", "n2"})));
  EXPECT_EQ(summaryOf(t), (V{"Start apache:0 (n1)", "Start apache:1 (n2)", "Start fs:0 (n1)",
                             "Start fs:1 (n2)"}));
}

TEST(Clones, CrmSimulateShowsTheCloneSet) {
  std::string status = nodeState("1", "n1", history("ping", {{"start", 0, 2}})) +
                       nodeState("2", "n2", history("ping", {{"start", 0, 2}})) +
                       nodeState("3", "n3");
  auto t = scheduleOk(cib(
      kNodes, clone("ping-clone", primitive("ping"), nvpair("m1", "clone-max", "2")), "", status));
  std::string text = formatClusterView(t.current, "");
  EXPECT_NE(text.find("  * Clone Set: ping-clone [ping]:\n"
                      "    * Started: [ n1 n2 ]\n"
                      "    * Stopped: [ n3 ]\n"),
            std::string::npos)
      << text;
}

TEST(Clones, AnAbsurdCloneMaxIsRefusedWithAClearError) {
  auto result = schedule(
      cib({"n1"}, clone("ping-clone", primitive("ping"), nvpair("m1", "clone-max", "50000000")), "",
          emptyStatus({"n1"})));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("<clone id=\"ping-clone\">"), std::string::npos);
  EXPECT_NE(result.error().message.find("clone-max 50000000 is more than"), std::string::npos);
}

TEST(Clones, PromotableClonePromotesWhereTheAgentScoredHighest) {
  // The agents recorded promotion scores master-db on each node; n2's is highest.
  const std::string status = promotableInstancesStatus("db");
  const V nodes = {"n1", "n2"};
  auto t = scheduleOk(cib(
      nodes, clone("db-clone", primitive("db"), nvpair("m1", "promotable", "true")), "", status));
  ASSERT_EQ(t.summary.size(), 1u);
  EXPECT_EQ(t.summary[0].verb, "Promote");
  EXPECT_EQ(t.summary[0].details, "Unpromoted -> Promoted n2");
  std::string text = formatClusterView(t.revised, "");
  EXPECT_NE(text.find("  * Clone Set: db-clone [db] (promotable):\n"
                      "    * Promoted: [ n2 ]\n"
                      "    * Unpromoted: [ n1 ]\n"),
            std::string::npos)
      << text;
}

TEST(Clones, AnInstanceWhosePromoteFailedIsDemotedEvenWithNoOtherToPromote) {
  // ocf:pulse:pgsql's guard refused the promotion on n2, the only node left for the clone
  // (on-fail=demote). As Pacemaker (a failed promote's role after failure is Unpromoted), the
  // instance is demoted; it must not stay "promoted" with the VIP following it there.
  std::string n2 = nodeState("2", "n2", history("db", {{"start", 0, 2}, {"promote", 1, 3}}));
  n2.insert(n2.find("<lrm"), "<transient_attributes id=\"2\"><instance_attributes id=\"ta2\">" +
                                 nvpair("m2", "master-db", "990") +
                                 "</instance_attributes></transient_attributes>");
  const std::string db =
      "<primitive id=\"db\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><operations>"
      "<op id=\"db-promote\" name=\"promote\" interval=\"0\" on-fail=\"demote\"/>"
      "</operations></primitive>";
  auto t =
      scheduleOk(cib({"n1", "n2"}, clone("db-clone", db, nvpair("m1", "promotable", "true")),
                     "<rsc_location id=\"ban\" rsc=\"db-clone\" node=\"n1\" score=\"-INFINITY\"/>",
                     nodeState("1", "n1") + n2));
  const std::vector<std::string> summary = summaryOf(t);
  ASSERT_EQ(summary.size(), 1u) << ::testing::PrintToString(summary);
  EXPECT_EQ(summary[0].substr(0, 7), "Demote ");
  EXPECT_NE(summary[0].find("(Promoted -> Unpromoted n2)"), std::string::npos) << summary[0];
}

}  // namespace
}  // namespace pulse::pe
