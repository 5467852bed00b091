// Constraints of the newer kinds (tickets, resource sets) naming clones: a
// promotion ticket holds every instance back from promotion, and a
// require-all="false" set counts a clone as one member that can start; and
// interleaved orderings after a promotable clone's promotion.
#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

std::string clone(const std::string& id, const std::string& inner, const std::string& meta = "") {
  std::string s = "<clone id=\"" + id + "\">";
  if (!meta.empty()) s += "<meta_attributes id=\"" + id + "-meta\">" + meta + "</meta_attributes>";
  return s + inner + "</clone>";
}

// db runs unpromoted on n1 and n2; its agent scored n2 higher for promotion.
std::string promotableStatus(const std::string& ticket_state) {
  return "<tickets>" + ticket_state + "</tickets>" + promotableInstancesStatus("db");
}

Transition promotableWithTicket(const std::string& ticket_state) {
  return scheduleOk(cib({"n1", "n2"},
                        clone("db-clone", primitive("db"), nvpair("m1", "promotable", "true")),
                        "<rsc_ticket id=\"promote-needs-T\" rsc=\"db-clone\" rsc-role=\"Promoted\" "
                        "ticket=\"T\" loss-policy=\"demote\"/>",
                        promotableStatus(ticket_state)));
}

TEST(CloneConstraints, PromotionWaitsForThePromotedRolesTicket) {
  auto granted = promotableWithTicket("<ticket_state id=\"T\" granted=\"true\"/>");
  ASSERT_EQ(summaryOf(granted), (V{"Promote db:1 (Unpromoted -> Promoted n2)"}));

  // Without the ticket the instances keep running, none promoted.
  auto revoked = promotableWithTicket("<ticket_state id=\"T\" granted=\"false\"/>");
  EXPECT_EQ(summaryOf(revoked), V{});
  auto standby = promotableWithTicket("<ticket_state id=\"T\" granted=\"true\" standby=\"true\"/>");
  EXPECT_EQ(summaryOf(standby), V{});
}

// d needs b or the ping clone started first.
std::string eitherPingOrB() {
  return "<rsc_order id=\"o\">"
         "<resource_set id=\"either\" sequential=\"false\" require-all=\"false\">"
         "<resource_ref id=\"ping-clone\"/><resource_ref id=\"b\"/></resource_set>"
         "<resource_set id=\"last\"><resource_ref id=\"d\"/></resource_set></rsc_order>"
         "<rsc_location id=\"ban-b\" rsc=\"b\" node=\"n1\" score=\"-INFINITY\"/>";
}

TEST(CloneConstraints, OneOrMoreSetCountsTheCloneAsOneMember) {
  const V nodes = {"n1"};
  std::string resources = clone("ping-clone", primitive("ping")) + primitive("b") + primitive("d");
  auto t = scheduleOk(cib(nodes, resources, eitherPingOrB(), emptyStatus(nodes)));
  EXPECT_EQ(summaryOf(t), (V{"Start d (n1)", "Start ping:0 (n1)"}));

  // With the clone banned too, nothing in the set can start, and d is blocked.
  std::string ban_ping =
      "<rsc_location id=\"ban-ping\" rsc=\"ping-clone\" node=\"n1\" score=\"-INFINITY\"/>";
  auto none = scheduleOk(cib(nodes, resources, eitherPingOrB() + ban_ping, emptyStatus(nodes)));
  EXPECT_EQ(summaryOf(none), V{"Start d (n1) blocked"});
}

TEST(CloneConstraints, AnInterleavedInstanceWaitsForThePromotionOfTheInstanceOnItsNode) {
  // db (one instance) is promoted on n2 and moves to n1, where nothing scores its promotion:
  // it runs there unpromoted. app is interleaved after db's promotion, so app on n1 waits
  // for a promotion that cannot happen (crm_simulate 2.1.5: "Start app:1 (n1) due to
  // unrunnable db:0 promote (blocked)"), and app on n2 has no db instance to pair with.
  const std::string resources =
      clone("db-clone", primitive("db"),
            nvpair("m1", "promotable", "true") + nvpair("m2", "clone-max", "1")) +
      clone("app-clone", primitive("app"), nvpair("m3", "interleave", "true"));
  const std::string constraints =
      "<rsc_location id=\"db-on-n1\" rsc=\"db-clone\" node=\"n1\" score=\"200\"/>"
      "<rsc_order id=\"db-then-app\" first=\"db-clone\" first-action=\"promote\" "
      "then=\"app-clone\" then-action=\"start\" kind=\"Mandatory\"/>";
  const std::string status =
      nodeState("1", "n1") + nodeState("2", "n2", history("db", {{"promote", 0, 3}}));
  auto t = scheduleOk(cib({"n1", "n2"}, resources, constraints, status));
  EXPECT_EQ(summaryOf(t),
            (V{"Move db:0 (Promoted n2 -> Unpromoted n1)", "Start app:1 (n1) blocked"}));
}

}  // namespace
}  // namespace pulse::pe
