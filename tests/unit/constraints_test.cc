// Tickets, resource sets, templates, tags, rsc-pattern, date rules and
// rule-guarded attribute sets: what an operator sees in the Transition
// Summary and the placement.
#include "cib_text.h"
#include "engine_test_util.h"
#include "policy-engine/cib_model.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2"};
const V kThree = {"n1", "n2", "n3"};

std::string running(const std::string& rsc) { return history(rsc, {{"start", 0, 2}}); }

std::string tickets(const std::string& states) { return "<tickets>" + states + "</tickets>"; }

std::string ticketState(const std::string& id, bool granted, bool standby = false) {
  return "<ticket_state id=\"" + id + "\" granted=\"" + (granted ? "true" : "false") +
         "\" standby=\"" + (standby ? "true" : "false") + "\"/>";
}

std::string dependsOn(const std::string& rsc, const std::string& policy) {
  return "<rsc_ticket id=\"" + rsc + "-needs-T\" rsc=\"" + rsc + "\" ticket=\"T\" loss-policy=\"" +
         policy + "\"/>";
}

std::string errorOf(const std::string& xml) {
  auto result = schedule(xml);
  return result.ok() ? std::string("(no error)") : result.error().message;
}

TEST(Tickets, ResourceStartsOnlyWhileItsTicketIsGranted) {
  auto granted = scheduleOk(cib(kNodes, primitive("web"), dependsOn("web", "stop"),
                                tickets(ticketState("T", true)) + emptyStatus(kNodes)));
  EXPECT_EQ(summaryOf(granted), V{"Start web (n1)"});
  auto never =
      scheduleOk(cib(kNodes, primitive("web"), dependsOn("web", "stop"), emptyStatus(kNodes)));
  EXPECT_TRUE(summaryOf(never).empty());
  EXPECT_EQ(placedOn(never, "web"), "");
}

TEST(Tickets, LostTicketStopsWhatDependsOnIt) {
  auto t = scheduleOk(cib(kNodes, primitive("web"), dependsOn("web", "stop"),
                          tickets(ticketState("T", false)) + nodeState("1", "n1") +
                              nodeState("2", "n2", running("web"))));
  EXPECT_EQ(summaryOf(t), V{"Stop web (n2)"});
  EXPECT_EQ(placedOn(t, "web"), "");
}

TEST(Tickets, StandbyTicketStopsEvenWhenGranted) {
  auto t = scheduleOk(cib(kNodes, primitive("web"), dependsOn("web", "freeze"),
                          tickets(ticketState("T", true, true)) + nodeState("1", "n1") +
                              nodeState("2", "n2", running("web"))));
  EXPECT_EQ(summaryOf(t), V{"Stop web (n2)"});
}

TEST(Tickets, FreezeLeavesARunningResourceWhereItIsAndStartsNothing) {
  auto t = scheduleOk(cib(kNodes, primitive("web") + primitive("db"),
                          dependsOn("web", "freeze") + dependsOn("db", "freeze"),
                          tickets(ticketState("T", false)) + nodeState("1", "n1") +
                              nodeState("2", "n2", running("web"))));
  EXPECT_TRUE(summaryOf(t).empty());
  EXPECT_EQ(placedOn(t, "web"), "n2");
  EXPECT_EQ(placedOn(t, "db"), "");
  // Frozen for this transition only: the configuration still manages it.
  for (const ResourceView& r : t.revised.resources) {
    EXPECT_TRUE(r.managed) << r.id;
    EXPECT_FALSE(r.blocked) << r.id;
  }
}

TEST(Tickets, GroupMembersFollowTheGroupsTicket) {
  std::string group = "<group id=\"g\">" + primitive("ip") + primitive("app") + "</group>";
  auto t = scheduleOk(cib(kNodes, group, dependsOn("g", "stop"),
                          tickets(ticketState("T", false)) + nodeState("1", "n1") +
                              nodeState("2", "n2", running("ip") + running("app"))));
  EXPECT_EQ(summaryOf(t), (V{"Stop app (n2)", "Stop ip (n2)"}));
}

TEST(Tickets, TicketSetCoversEachResourceInIt) {
  std::string constraint =
      "<rsc_ticket id=\"set-needs-T\" ticket=\"T\" loss-policy=\"stop\">"
      "<resource_set id=\"s\"><resource_ref id=\"a\"/><resource_ref id=\"b\"/></resource_set>"
      "</rsc_ticket>";
  auto t = scheduleOk(cib(kNodes, primitive("a") + primitive("b") + primitive("c"), constraint,
                          emptyStatus(kNodes)));
  EXPECT_EQ(summaryOf(t), V{"Start c (n1)"});
}

TEST(Tickets, TicketStatesSurviveTheSplitReadingOfALargeStatus) {
  std::string xml =
      cib(kNodes, primitive("web"), dependsOn("web", "stop"),
          nodeState("1", "n1") + tickets(ticketState("T", true) + ticketState("U", false, true)) +
              nodeState("2", "n2", running("web")));
  for (std::size_t split : {kSplitStatusBytes, std::size_t{1}}) {
    auto parsed = unpackCib(xml, split);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->ticket_states.size(), 2u) << "split at " << split;
    EXPECT_TRUE(parsed->ticket_states.at("T").granted);
    EXPECT_FALSE(parsed->ticket_states.at("T").standby);
    EXPECT_FALSE(parsed->ticket_states.at("U").granted);
    EXPECT_TRUE(parsed->ticket_states.at("U").standby);
    EXPECT_EQ(parsed->node_states.size(), 2u);
  }
}

TEST(ResourceSets, SequentialOrderSetBlocksWhatComesAfterAnUnrunnableMember) {
  std::string constraints =
      "<rsc_order id=\"o\"><resource_set id=\"s\"><resource_ref id=\"a\"/>"
      "<resource_ref id=\"b\"/><resource_ref id=\"c\"/></resource_set></rsc_order>"
      "<rsc_location id=\"no-b\" rsc=\"b\" node=\"n1\" score=\"-INFINITY\"/>"
      "<rsc_location id=\"no-b2\" rsc=\"b\" node=\"n2\" score=\"-INFINITY\"/>";
  auto t = scheduleOk(cib(kNodes, primitive("a") + primitive("b") + primitive("c"), constraints,
                          emptyStatus(kNodes)));
  EXPECT_EQ(placedOn(t, "a"), "n1");
  EXPECT_EQ(placedOn(t, "b"), "");
  EXPECT_EQ(placedOn(t, "c"), "");
}

// A -> (B or C) -> D: D needs only one of B and C.
std::string oneOrMore() {
  return "<rsc_order id=\"o\">"
         "<resource_set id=\"first\"><resource_ref id=\"a\"/></resource_set>"
         "<resource_set id=\"either\" sequential=\"false\" require-all=\"false\">"
         "<resource_ref id=\"b\"/><resource_ref id=\"c\"/></resource_set>"
         "<resource_set id=\"last\"><resource_ref id=\"d\"/></resource_set></rsc_order>";
}

std::string banned(const std::string& rsc) {
  return "<rsc_location id=\"ban-" + rsc + "\" rsc=\"" + rsc + "\"><rule id=\"ban-" + rsc +
         "-r\" score=\"-INFINITY\">"
         "<expression id=\"ban-" +
         rsc +
         "-e\" attribute=\"#uname\" operation=\"defined\"/>"
         "</rule></rsc_location>";
}

TEST(ResourceSets, OneOrMoreSetNeedsOnlyOneMemberToStart) {
  std::string four = primitive("a") + primitive("b") + primitive("c") + primitive("d");
  auto one = scheduleOk(cib(kNodes, four, oneOrMore() + banned("b"), emptyStatus(kNodes)));
  EXPECT_NE(placedOn(one, "c"), "");
  EXPECT_NE(placedOn(one, "d"), "");
  bool pseudo = false;
  for (const Action& a : one.actions) pseudo = pseudo || a.key == "one-or-more:either";
  EXPECT_TRUE(pseudo) << "the one-or-more pseudo-action joins the orderings";

  auto none =
      scheduleOk(cib(kNodes, four, oneOrMore() + banned("b") + banned("c"), emptyStatus(kNodes)));
  EXPECT_NE(placedOn(none, "a"), "");
  EXPECT_EQ(placedOn(none, "d"), "");
}

TEST(ResourceSets, ColocationSetKeepsMembersTogetherWhereTheFirstPrefers) {
  std::string constraints =
      "<rsc_colocation id=\"together\" score=\"INFINITY\"><resource_set id=\"s\">"
      "<resource_ref id=\"a\"/><resource_ref id=\"b\"/><resource_ref id=\"c\"/>"
      "</resource_set></rsc_colocation>"
      "<rsc_location id=\"a-likes-n2\" rsc=\"a\" node=\"n2\" score=\"100\"/>";
  auto t = scheduleOk(cib(kNodes, primitive("a") + primitive("b") + primitive("c"), constraints,
                          emptyStatus(kNodes)));
  EXPECT_EQ(placedOn(t, "a"), "n2");
  EXPECT_EQ(placedOn(t, "b"), "n2");
  EXPECT_EQ(placedOn(t, "c"), "n2");
}

TEST(ResourceSets, AntiColocationSetSpreadsEveryPair) {
  std::string constraints =
      "<rsc_colocation id=\"apart\" score=\"-INFINITY\"><resource_set id=\"s\">"
      "<resource_ref id=\"a\"/><resource_ref id=\"b\"/><resource_ref id=\"c\"/>"
      "</resource_set></rsc_colocation>";
  auto t = scheduleOk(cib(kThree, primitive("a") + primitive("b") + primitive("c"), constraints,
                          emptyStatus(kThree)));
  V nodes = {placedOn(t, "a"), placedOn(t, "b"), placedOn(t, "c")};
  std::sort(nodes.begin(), nodes.end());
  EXPECT_EQ(nodes, (V{"n1", "n2", "n3"}));
}

TEST(ResourceSets, LocationSetAppliesToEachMember) {
  std::string constraints =
      "<rsc_location id=\"l\" node=\"n1\" score=\"-INFINITY\"><resource_set id=\"s\">"
      "<resource_ref id=\"a\"/><resource_ref id=\"b\"/></resource_set></rsc_location>";
  auto t =
      scheduleOk(cib(kNodes, primitive("a") + primitive("b"), constraints, emptyStatus(kNodes)));
  EXPECT_EQ(placedOn(t, "a"), "n2");
  EXPECT_EQ(placedOn(t, "b"), "n2");
}

std::string dummyTemplate() {
  return "<template id=\"tmpl\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\">"
         "<operations><op id=\"tmpl-mon\" name=\"monitor\" interval=\"10s\"/></operations>"
         "</template>";
}

TEST(Templates, PrimitiveInheritsAgentAndOperations) {
  auto t = scheduleOk(cib(kNodes, dummyTemplate() + "<primitive id=\"vip\" template=\"tmpl\"/>", "",
                          emptyStatus(kNodes)));
  EXPECT_EQ(summaryOf(t), V{"Start vip (n1)"});
  ASSERT_EQ(t.revised.resources.size(), 1u);
  EXPECT_EQ(t.revised.resources[0].agent, "ocf:heartbeat:IPaddr2");
  bool monitor = false;
  for (const Action& a : t.actions) monitor = monitor || a.key == "vip_monitor_10000";
  EXPECT_TRUE(monitor) << "the template's monitor runs on the primitive";
}

TEST(Templates, ConstraintNamingATemplateCoversItsPrimitives) {
  std::string resources = dummyTemplate() + "<primitive id=\"vip1\" template=\"tmpl\"/>" +
                          "<primitive id=\"vip2\" template=\"tmpl\"/>" + primitive("other");
  auto t = scheduleOk(cib(kNodes, resources,
                          "<rsc_location id=\"l\" rsc=\"tmpl\" node=\"n1\" score=\"-INFINITY\"/>",
                          emptyStatus(kNodes)));
  EXPECT_EQ(placedOn(t, "vip1"), "n2");
  EXPECT_EQ(placedOn(t, "vip2"), "n2");
  EXPECT_EQ(placedOn(t, "other"), "n1");
}

TEST(Tags, ConstraintNamingATagCoversTheTaggedResources) {
  std::string resources = primitive("a") + primitive("b") + primitive("c");
  std::string xml =
      cib(kNodes, resources, "<rsc_location id=\"l\" rsc=\"web\" node=\"n1\" score=\"-INFINITY\"/>",
          emptyStatus(kNodes));
  std::string tags = "<tags><tag id=\"web\"><obj_ref id=\"a\"/><obj_ref id=\"c\"/></tag></tags>";
  xml.insert(xml.find("</configuration>"), tags);
  auto t = scheduleOk(xml);
  EXPECT_EQ(placedOn(t, "a"), "n2");
  EXPECT_EQ(placedOn(t, "b"), "n1");
  EXPECT_EQ(placedOn(t, "c"), "n2");
}

TEST(RscPattern, LocationAppliesToEveryMatchingResource) {
  std::string constraints =
      "<rsc_location id=\"l\" rsc-pattern=\"^web-[0-9]$\" node=\"n1\" score=\"-INFINITY\"/>";
  auto t = scheduleOk(cib(kNodes, primitive("web-1") + primitive("web-2") + primitive("db"),
                          constraints, emptyStatus(kNodes)));
  EXPECT_EQ(placedOn(t, "web-1"), "n2");
  EXPECT_EQ(placedOn(t, "web-2"), "n2");
  EXPECT_EQ(placedOn(t, "db"), "n1");
}

TEST(DateRules, LocationRuleHoldsOnlyWithinItsDateRange) {
  std::string constraints =
      "<rsc_location id=\"l\" rsc=\"web\"><rule id=\"r\" score=\"INFINITY\" boolean-op=\"and\">"
      "<expression id=\"e\" attribute=\"#uname\" operation=\"eq\" value=\"n2\"/>"
      "<date_expression id=\"d\" operation=\"in_range\" start=\"2024-01-01 00:00:00 +00:00\" "
      "end=\"2024-01-31 23:59:59 +00:00\"/></rule></rsc_location>";
  std::string xml = cib(kNodes, primitive("web"), constraints, emptyStatus(kNodes));
  ScheduleOptions in_january;
  in_january.now = 1705000000;  // 2024-01-11
  auto during = schedule(xml, in_january);
  ASSERT_TRUE(during.ok()) << during.error().message;
  EXPECT_EQ(placedOn(*during, "web"), "n2");
  ScheduleOptions in_march;
  in_march.now = 1710000000;  // 2024-03-09
  auto after = schedule(xml, in_march);
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(placedOn(*after, "web"), "n1");
}

TEST(DateRules, DateSpecMatchesWeekdays) {
  std::string constraints =
      "<rsc_location id=\"l\" rsc=\"web\"><rule id=\"r\" score=\"INFINITY\" boolean-op=\"and\">"
      "<expression id=\"e\" attribute=\"#uname\" operation=\"eq\" value=\"n2\"/>"
      "<date_expression id=\"d\" operation=\"date_spec\"><date_spec id=\"ds\" weekdays=\"6-7\"/>"
      "</date_expression></rule></rsc_location>";
  std::string xml = cib(kNodes, primitive("web"), constraints, emptyStatus(kNodes));
  ScheduleOptions saturday;
  saturday.now = 1710000000;  // Saturday 2024-03-09
  auto weekend = schedule(xml, saturday);
  ASSERT_TRUE(weekend.ok()) << weekend.error().message;
  EXPECT_EQ(placedOn(*weekend, "web"), "n2");
  ScheduleOptions thursday;
  thursday.now = 1705000000;  // Thursday 2024-01-11
  auto weekday = schedule(xml, thursday);
  ASSERT_TRUE(weekday.ok()) << weekday.error().message;
  EXPECT_EQ(placedOn(*weekday, "web"), "n1");
}

TEST(RuleSets, NodeAttributeSetAppliesWhileItsDateRuleHolds) {
  std::string constraints =
      "<rsc_location id=\"l\" rsc=\"db\"><rule id=\"r\" score=\"100\">"
      "<expression id=\"e\" attribute=\"disk\" operation=\"eq\" value=\"ssd\"/>"
      "</rule></rsc_location>";
  std::string xml = cib(kNodes, primitive("db"), constraints, emptyStatus(kNodes));
  std::string until_february =
      "<instance_attributes id=\"n2-ssd\"><rule id=\"n2-ssd-r\" score=\"0\">"
      "<date_expression id=\"n2-ssd-d\" operation=\"lt\" end=\"2024-02-01\"/></rule>" +
      nvpair("n2-disk", "disk", "ssd") + "</instance_attributes>";
  std::string node2 = "<node id=\"2\" uname=\"n2\"/>";
  xml.replace(xml.find(node2), node2.size(),
              "<node id=\"2\" uname=\"n2\">" + until_february + "</node>");
  ScheduleOptions january;
  january.now = 1705000000;  // 2024-01-11
  auto before = schedule(xml, january);
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_EQ(placedOn(*before, "db"), "n2");
  ScheduleOptions march;
  march.now = 1710000000;  // 2024-03-09
  auto after = schedule(xml, march);
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(placedOn(*after, "db"), "n1");
}

TEST(RuleSets, ResourceDefaultsApplyToTheAgentsTheirRuleNames) {
  std::string resources =
      primitive("dummy") +
      "<primitive id=\"vip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\"/>";
  std::string xml = cib(kNodes, resources, "", emptyStatus(kNodes));
  std::string defaults =
      "<rsc_defaults><meta_attributes id=\"ip-stopped\"><rule id=\"ip-r\" score=\"INFINITY\">"
      "<rsc_expression id=\"ip-e\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\"/>"
      "</rule>" +
      nvpair("ip-stopped-role", "target-role", "Stopped") + "</meta_attributes></rsc_defaults>";
  xml.insert(xml.find("</configuration>"), defaults);
  auto t = scheduleOk(xml);
  EXPECT_EQ(summaryOf(t), V{"Start dummy (n1)"});
}

TEST(ConstraintErrors, SetNamingAnUnknownResourceIsRefused) {
  std::string constraints =
      "<rsc_order id=\"o\"><resource_set id=\"s\"><resource_ref id=\"a\"/>"
      "<resource_ref id=\"nosuch\"/></resource_set></rsc_order>";
  std::string message = errorOf(cib(kNodes, primitive("a"), constraints, emptyStatus(kNodes)));
  EXPECT_NE(message.find("<resource_ref id=\"nosuch\"> (line 1)"), std::string::npos) << message;
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
}

TEST(ConstraintErrors, TicketConstraintWithoutTicketIsRefused) {
  std::string message =
      errorOf(cib(kNodes, primitive("a"), "<rsc_ticket id=\"t\" rsc=\"a\" loss-policy=\"stop\"/>",
                  emptyStatus(kNodes)));
  EXPECT_NE(message.find("<rsc_ticket id=\"t\"> (line 1): missing required attribute 'ticket'"),
            std::string::npos)
      << message;
}

TEST(ConstraintErrors, UnknownTemplateIsRefused) {
  std::string message =
      errorOf(cib(kNodes, "<primitive id=\"vip\" template=\"nosuch\"/>", "", emptyStatus(kNodes)));
  EXPECT_NE(message.find("<primitive id=\"vip\"> (line 1): template 'nosuch' does not exist"),
            std::string::npos)
      << message;
}

TEST(ConstraintErrors, TicketForAnUnknownResourceIsRefused) {
  std::string message =
      errorOf(cib(kNodes, primitive("a"), dependsOn("nosuch", "stop"), emptyStatus(kNodes)));
  EXPECT_NE(message.find("resource 'nosuch' does not exist"), std::string::npos) << message;
}

// Colocations of one resource with the same other resource are applied newest first
// (Pacemaker keeps them with g_list_insert_sorted, which puts a tie before its equals), and an
// optional one that would leave no node is reverted. B runs on n1; A may not stay on n2.
TEST(Colocations, WithTheSameResourceTheLastConfiguredIsAppliedFirst) {
  const std::string status = nodeState("1", "n1", running("B")) +
                             nodeState("2", "n2", running("A")) + nodeState("3", "n3");
  const std::string resources = primitive("B") + primitive("A");
  const std::string ban = "<rsc_location id=\"ban\" rsc=\"A\" node=\"n2\" score=\"-INFINITY\"/>";
  const std::string weak = "<rsc_colocation id=\"weak\" rsc=\"A\" with-rsc=\"B\" score=\"-125\"/>";
  const std::string must =
      "<rsc_colocation id=\"must\" rsc=\"A\" with-rsc=\"B\" score=\"INFINITY\"/>";
  // The mandatory one first leaves only n1; the -125 then would leave nothing: reverted.
  const Transition mandatory_first = scheduleOk(cib(kThree, resources, ban + weak + must, status));
  EXPECT_EQ(summaryOf(mandatory_first), V{"Move A (n2 -> n1)"});
  // The -125 first keeps n3; the mandatory one then bans every node but n1, at -125: A stops.
  const Transition optional_first = scheduleOk(cib(kThree, resources, ban + must + weak, status));
  EXPECT_EQ(summaryOf(optional_first), V{"Stop A (n2)"});
}

}  // namespace
}  // namespace pulse::pe
