// ScheduleOptions::with_reasons: what the engine says decided a resource's placement
// (pcs resource why), one small CIB per kind of reason, and that asking changes no decision.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe::testing {
namespace {

Transition explained(const std::string& xml) {
  ScheduleOptions options;
  options.with_reasons = true;
  auto t = schedule(xml, options);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
  return t.ok() ? *t : Transition{};
}

const ResourceReasons& reasonsOf(const Transition& t, const std::string& rsc) {
  for (const ResourceReasons& r : t.reasons) {
    if (r.resource == rsc) return r;
  }
  ADD_FAILURE() << "no reasons for " << rsc;
  static const ResourceReasons kNone;
  return kNone;
}

// "node: text" per reason of `kind` (node "*" for every node).
std::vector<std::string> linesOf(const Transition& t, const std::string& rsc, ReasonKind kind) {
  std::vector<std::string> out;
  for (const PlacementReason& r : reasonsOf(t, rsc).reasons) {
    if (r.kind == kind) out.push_back((r.node.empty() ? "*" : r.node) + ": " + r.text);
  }
  return out;
}

// The final score of `rsc` on `node` ("none" when not allowed).
std::string scoreOn(const Transition& t, const std::string& rsc, const std::string& node) {
  for (const ResourceReasons::Scores& s : reasonsOf(t, rsc).scores) {
    if (s.resource != rsc) continue;
    for (const NodeScore& n : s.nodes) {
      if (n.node == node) return n.score ? std::to_string(*n.score) : "none";
    }
  }
  return "?";
}

std::string location(const std::string& id, const std::string& rsc, const std::string& node,
                     const std::string& score) {
  return "<rsc_location id=\"" + id + "\" rsc=\"" + rsc + "\" node=\"" + node + "\" score=\"" +
         score + "\"/>";
}

std::string transientAttrs(const std::string& node_id, const std::string& pairs) {
  return "<transient_attributes id=\"" + node_id + "\"><instance_attributes id=\"status-" +
         node_id + "\">" + pairs + "</instance_attributes></transient_attributes>";
}

const std::vector<std::string> kNodes = {"n1", "n2"};

TEST(PlacementReasons, BanNamesTheConstraintAndItsScore) {
  const Transition t = explained(cib(kNodes, primitive("vip"),
                                     location("cli-ban-vip-on-n1", "vip", "n1", "-INFINITY") +
                                         location("vip-likes-n2", "vip", "n2", "50"),
                                     emptyStatus(kNodes)));
  EXPECT_EQ(placedOn(t, "vip"), "n2");
  EXPECT_EQ(linesOf(t, "vip", ReasonKind::Location),
            (std::vector<std::string>{"n1: location constraint cli-ban-vip-on-n1 (score -INFINITY)",
                                      "n2: location constraint vip-likes-n2 (score 50)"}));
  EXPECT_EQ(scoreOn(t, "vip", "n1"), "-1000000");
  EXPECT_EQ(scoreOn(t, "vip", "n2"), "50");
}

TEST(PlacementReasons, ColocationNamesTheOtherResourceAndWhereItIs) {
  const std::string resources = primitive("vip") + primitive("web");
  const std::string constraints =
      location("vip-on-n2", "vip", "n2", "100") +
      "<rsc_colocation id=\"web-with-vip\" rsc=\"web\" with-rsc=\"vip\" score=\"INFINITY\"/>";
  const Transition t = explained(cib(kNodes, resources, constraints, emptyStatus(kNodes)));
  EXPECT_EQ(placedOn(t, "web"), "n2");
  EXPECT_EQ(linesOf(t, "web", ReasonKind::Colocation),
            (std::vector<std::string>{
                "n1: colocation web-with-vip with vip (score INFINITY): vip is placed on n2"}));
}

TEST(PlacementReasons, MandatoryColocationWithAStoppedResourceIsADependency) {
  const std::string resources =
      primitive("vip", nvpair("vip-tr", "target-role", "Stopped")) + primitive("web");
  const std::string constraints =
      "<rsc_colocation id=\"web-with-vip\" rsc=\"web\" with-rsc=\"vip\" score=\"INFINITY\"/>";
  const Transition t = explained(cib(kNodes, resources, constraints, emptyStatus(kNodes)));
  EXPECT_EQ(placedOn(t, "web"), "");
  EXPECT_EQ(
      linesOf(t, "web", ReasonKind::Colocation),
      (std::vector<std::string>{
          "n1: colocation web-with-vip with vip (score INFINITY): vip is not placed anywhere",
          "n2: colocation web-with-vip with vip (score INFINITY): vip is not placed anywhere"}));
  EXPECT_EQ(linesOf(t, "vip", ReasonKind::TargetRole),
            (std::vector<std::string>{"*: target-role=Stopped on vip (pcs resource enable vip)"}));
}

TEST(PlacementReasons, MandatoryOrderAfterAStoppedResourceIsADependency) {
  const std::string resources =
      primitive("db", nvpair("db-tr", "target-role", "Stopped")) + primitive("app");
  const std::string constraints = "<rsc_order id=\"db-then-app\" first=\"db\" then=\"app\"/>";
  const Transition t = explained(cib(kNodes, resources, constraints, emptyStatus(kNodes)));
  EXPECT_EQ(placedOn(t, "app"), "");
  EXPECT_EQ(linesOf(t, "app", ReasonKind::Dependency),
            (std::vector<std::string>{"*: order db-then-app (start db then start app, Mandatory): "
                                      "db will not run anywhere"}));
}

TEST(PlacementReasons, StickinessHoldsItWhereItRuns) {
  const std::string status =
      nodeState("1", "n1", history("vip", {{"start", 0, 2}})) + nodeState("2", "n2");
  const Transition t =
      explained(cib(kNodes, primitive("vip", nvpair("vip-st", "resource-stickiness", "200")),
                    location("vip-likes-n2", "vip", "n2", "100"), status));
  EXPECT_EQ(placedOn(t, "vip"), "n1");
  EXPECT_EQ(linesOf(t, "vip", ReasonKind::Stickiness),
            (std::vector<std::string>{"n1: resource-stickiness 200 (it runs there)"}));
}

TEST(PlacementReasons, FailCountAtMigrationThresholdNamesBoth) {
  std::string status = nodeState("1", "n1");
  status.insert(status.size() - std::string("</node_state>").size(),
                transientAttrs("1", nvpair("fc", "fail-count-vip#monitor_10000", "3") +
                                        nvpair("lf", "last-failure-vip#monitor_10000", "900")));
  const std::string meta =
      nvpair("vip-mt", "migration-threshold", "3") + nvpair("vip-ft", "failure-timeout", "600");
  const Transition t =
      explained(cib(kNodes, primitive("vip", meta), location("vip-likes-n1", "vip", "n1", "100"),
                    status + nodeState("2", "n2")));
  EXPECT_EQ(placedOn(t, "vip"), "n2");
  EXPECT_EQ(linesOf(t, "vip", ReasonKind::FailCount),
            (std::vector<std::string>{"n1: fail count 3 of vip reached migration-threshold 3 "
                                      "(failure-timeout 600s)"}));
}

TEST(PlacementReasons, NodeStateNamesStandbyAndOffline) {
  const std::vector<std::string> nodes = {"n1", "n2", "n3"};
  std::string xml =
      cib(nodes, primitive("vip"), location("vip-likes-n1", "vip", "n1", "100"),
          nodeState("1", "n1") + nodeState("2", "n2") + nodeState("3", "n3", "", false));
  const std::string n1 = "<node id=\"1\" uname=\"n1\"/>";
  xml.replace(xml.find(n1), n1.size(),
              "<node id=\"1\" uname=\"n1\"><instance_attributes id=\"n1-a\">" +
                  nvpair("n1-sb", "standby", "on") + "</instance_attributes></node>");
  const Transition t = explained(xml);
  EXPECT_EQ(placedOn(t, "vip"), "n2");
  EXPECT_EQ(linesOf(t, "vip", ReasonKind::NodeState),
            (std::vector<std::string>{"n1: node is in standby", "n3: node is offline"}));
}

TEST(PlacementReasons, UngrantedTicketNamesTicketAndLossPolicy) {
  const Transition t = explained(
      cib(kNodes, primitive("vip"),
          "<rsc_ticket id=\"vip-needs-site\" rsc=\"vip\" ticket=\"site\" loss-policy=\"stop\"/>",
          emptyStatus(kNodes)));
  EXPECT_EQ(placedOn(t, "vip"), "");
  EXPECT_EQ(linesOf(t, "vip", ReasonKind::Ticket),
            (std::vector<std::string>{"*: ticket site is not granted (rsc_ticket vip-needs-site, "
                                      "loss-policy=stop): banned from every node"}));
}

TEST(PlacementReasons, CapacityShortNamesWhatIsNeededAndWhatIsLeft) {
  std::string xml =
      cib(kNodes,
          "<primitive id=\"vm\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
          "<utilization id=\"vm-u\">" +
              nvpair("vm-cpu", "cpu", "4") + "</utilization></primitive>",
          "", emptyStatus(kNodes), nvpair("opt-ps", "placement-strategy", "utilization"));
  const std::string n1 = "<node id=\"1\" uname=\"n1\"/>";
  xml.replace(xml.find(n1), n1.size(),
              "<node id=\"1\" uname=\"n1\"><utilization id=\"n1-u\">" +
                  nvpair("n1-cpu", "cpu", "2") + "</utilization></node>");
  const Transition t = explained(xml);
  EXPECT_EQ(placedOn(t, "vm"), "");
  EXPECT_EQ(
      linesOf(t, "vm", ReasonKind::Utilization),
      (std::vector<std::string>{
          "n1: not enough capacity (placement-strategy): needs cpu=4, the node has cpu=2 left",
          "n2: not enough capacity (placement-strategy): needs cpu=4, the node has cpu=0 "
          "left"}));
}

TEST(PlacementReasons, NoQuorumNamesThePolicy) {
  std::string xml = cib(kNodes, primitive("vip"), "", emptyStatus(kNodes));
  xml.replace(xml.find("have-quorum=\"1\""), 15, "have-quorum=\"0\"");
  const Transition t = explained(xml);
  EXPECT_EQ(placedOn(t, "vip"), "");
  EXPECT_EQ(linesOf(t, "vip", ReasonKind::Quorum),
            (std::vector<std::string>{"*: the partition has no quorum (no-quorum-policy=stop: "
                                      "resources that need quorum are stopped and none start)"}));
}

TEST(PlacementReasons, UnmanagedAndNoFenceDevice) {
  std::string xml = cib(kNodes, primitive("vip", nvpair("vip-m", "is-managed", "false")), "",
                        emptyStatus(kNodes));
  Transition t = explained(xml);
  EXPECT_EQ(linesOf(t, "vip", ReasonKind::Unmanaged),
            (std::vector<std::string>{
                "*: vip is not managed (is-managed=false): the cluster leaves it as it is"}));
  xml = cib(kNodes, primitive("web"), "", emptyStatus(kNodes));
  xml.replace(xml.find("value=\"false\""), 13, "value=\"true\"");
  t = explained(xml);
  EXPECT_EQ(placedOn(t, "web"), "");
  EXPECT_EQ(linesOf(t, "web", ReasonKind::Unmanaged),
            (std::vector<std::string>{"*: stonith-enabled=true but no fence device is configured: "
                                      "no resource is started (configure one, or set "
                                      "stonith-enabled=false)"}));
}

TEST(PlacementReasons, RedHealthNamesTheAttribute) {
  std::string status = nodeState("1", "n1");
  status.insert(status.size() - std::string("</node_state>").size(),
                transientAttrs("1", nvpair("h", "#health-disk", "red")));
  const Transition t = explained(cib(
      kNodes, primitive("vip"), location("vip-likes-n1", "vip", "n1", "100"),
      status + nodeState("2", "n2"), nvpair("opt-h", "node-health-strategy", "migrate-on-red")));
  EXPECT_EQ(placedOn(t, "vip"), "n2");
  EXPECT_EQ(linesOf(t, "vip", ReasonKind::Health),
            (std::vector<std::string>{
                "n1: node health -INFINITY (#health-disk=red node-health-strategy)"}));
}

TEST(PlacementReasons, GroupLocationIsListedForItsMembers) {
  const std::string group = "<group id=\"g\">" + primitive("a") + primitive("b") + "</group>";
  const Transition t = explained(
      cib(kNodes, group, location("g-avoids-n1", "g", "n1", "-INFINITY"), emptyStatus(kNodes)));
  EXPECT_EQ(placedOn(t, "b"), "n2");
  const std::vector<std::string> lines = linesOf(t, "b", ReasonKind::Location);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "n1: location constraint g-avoids-n1 (score -INFINITY)");
  for (const PlacementReason& r : reasonsOf(t, "b").reasons) {
    if (r.kind == ReasonKind::Location) {
      EXPECT_EQ(r.resource, "g");
    }
  }
}

// A group's first member goes where a later member must: the merge of that member's
// preferences is what the first member's reasons show.
TEST(PlacementReasons, GroupFirstMemberFollowsALaterMembersConstraint) {
  const std::string group = "<group id=\"g\">" + primitive("a") + primitive("b") + "</group>";
  const Transition t = explained(
      cib(kNodes, group, location("b-needs-n2", "b", "n2", "INFINITY"), emptyStatus(kNodes)));
  EXPECT_EQ(placedOn(t, "a"), "n2");
  EXPECT_EQ(
      linesOf(t, "a", ReasonKind::Colocation),
      (std::vector<std::string>{"n2: group g: merged preferences of b and the members after it"}));
  EXPECT_EQ(scoreOn(t, "a", "n2"), "1000000");
}

TEST(PlacementReasons, CloneNodeMaxKeepsAnInstanceOff) {
  const std::string clone = "<clone id=\"d-clone\">" + primitive("d") + "</clone>";
  const Transition t = explained(cib(
      kNodes, clone, location("d-avoids-n2", "d-clone", "n2", "-INFINITY"), emptyStatus(kNodes)));
  const std::vector<std::string> lines = linesOf(t, "d-clone", ReasonKind::CloneLimit);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "n1: clone-node-max 1 of d-clone reached there (d:0)");
}

TEST(PlacementReasons, PromotableInstanceWithoutPromotionScore) {
  const std::string clone = "<clone id=\"s-clone\"><meta_attributes id=\"s-m\">" +
                            nvpair("s-p", "promotable", "true") + "</meta_attributes>" +
                            primitive("s") + "</clone>";
  const Transition t = explained(cib(kNodes, clone, "", emptyStatus(kNodes)));
  const std::vector<std::string> lines = linesOf(t, "s-clone", ReasonKind::Promotion);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "n1: no promotion score for s (node attribute master-s, which the agent sets with "
            "crm_master): not promoted there");
}

// Asking for reasons changes nothing the cluster would do.
TEST(PlacementReasons, AskingChangesNoDecision) {
  const std::string resources = primitive("vip") + primitive("web") +
                                primitive("db", nvpair("db-tr", "target-role", "Stopped"));
  const std::string constraints =
      location("vip-on-n2", "vip", "n2", "100") +
      "<rsc_colocation id=\"web-with-vip\" rsc=\"web\" with-rsc=\"vip\" score=\"500\"/>"
      "<rsc_order id=\"db-then-web\" first=\"db\" then=\"web\" kind=\"Optional\"/>";
  const std::string xml =
      cib(kNodes, resources, constraints,
          nodeState("1", "n1", history("web", {{"start", 0, 2}})) + nodeState("2", "n2"));
  const Transition plain = scheduleOk(xml);
  const Transition asked = explained(xml);
  EXPECT_TRUE(plain.reasons.empty());
  EXPECT_FALSE(asked.reasons.empty());
  EXPECT_EQ(summaryOf(plain), summaryOf(asked));
  ASSERT_EQ(plain.actions.size(), asked.actions.size());
  for (std::size_t i = 0; i < plain.actions.size(); ++i) {
    EXPECT_EQ(plain.actions[i].key + "@" + plain.actions[i].node,
              asked.actions[i].key + "@" + asked.actions[i].node);
  }
}

}  // namespace
}  // namespace pulse::pe::testing
