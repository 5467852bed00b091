// Stage "assignment": colocations, groups, priorities and balance.
#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2", "n3"};

TEST(Assignment, MandatoryColocationPlacesDependentWithPrimary) {
  auto t = scheduleOk(cib(kNodes, primitive("vip") + primitive("haproxy"),
                          "<rsc_location id=\"l\" rsc=\"vip\" node=\"n3\" score=\"10\"/>"
                          "<rsc_colocation id=\"c\" rsc=\"haproxy\" with-rsc=\"vip\" "
                          "score=\"INFINITY\"/>",
                          emptyStatus(kNodes)));
  EXPECT_EQ(placedOn(t, "vip"), "n3");
  EXPECT_EQ(placedOn(t, "haproxy"), "n3");
}

TEST(Assignment, DependentPreferencesPullThePrimary) {
  // haproxy strongly prefers n2; being colocated with vip, vip follows.
  auto t = scheduleOk(cib(kNodes, primitive("vip") + primitive("haproxy"),
                          "<rsc_location id=\"l\" rsc=\"haproxy\" node=\"n2\" score=\"100\"/>"
                          "<rsc_colocation id=\"c\" rsc=\"haproxy\" with-rsc=\"vip\" "
                          "score=\"INFINITY\"/>",
                          emptyStatus(kNodes)));
  EXPECT_EQ(placedOn(t, "vip"), "n2");
  EXPECT_EQ(placedOn(t, "haproxy"), "n2");
}

TEST(Assignment, AntiColocationSeparates) {
  auto t = scheduleOk(cib({"n1", "n2"}, primitive("db1") + primitive("db2"),
                          "<rsc_colocation id=\"c\" rsc=\"db2\" with-rsc=\"db1\" "
                          "score=\"-INFINITY\"/>",
                          emptyStatus({"n1", "n2"})));
  EXPECT_NE(placedOn(t, "db1"), "");
  EXPECT_NE(placedOn(t, "db2"), "");
  EXPECT_NE(placedOn(t, "db1"), placedOn(t, "db2"));
}

TEST(Assignment, AntiColocationWithNoRoomStopsTheDependent) {
  auto t = scheduleOk(cib({"n1"}, primitive("db1") + primitive("db2"),
                          "<rsc_colocation id=\"c\" rsc=\"db2\" with-rsc=\"db1\" "
                          "score=\"-INFINITY\"/>",
                          emptyStatus({"n1"})));
  EXPECT_EQ(summaryOf(t), (V{"Start db1 (n1)"}));
}

TEST(Assignment, GroupMembersRunTogetherInOrder) {
  auto t = scheduleOk(cib(kNodes,
                          "<group id=\"web\">" + primitive("vip") + primitive("haproxy") +
                              primitive("app") + "</group>",
                          "<rsc_location id=\"l\" rsc=\"web\" node=\"n2\" score=\"10\"/>",
                          emptyStatus(kNodes)));
  EXPECT_EQ(summaryOf(t), (V{"Start app (n2)", "Start haproxy (n2)", "Start vip (n2)"}));
  // Each member starts after the one before it.
  auto index = [&](const std::string& key) {
    for (const Action& a : t.actions) {
      if (a.key == key) return a.id;
    }
    return -1;
  };
  int vip = index("vip_start_0"), haproxy = index("haproxy_start_0"), app = index("app_start_0");
  ASSERT_GE(vip, 0);
  EXPECT_LT(vip, haproxy);
  EXPECT_LT(haproxy, app);
}

TEST(Assignment, GroupStartsPartiallyWhenAMemberCannotRun) {
  auto t =
      scheduleOk(cib(kNodes,
                     "<group id=\"web\">" + primitive("vip") + primitive("haproxy") +
                         primitive("app") + "</group>",
                     "<rsc_location id=\"l\" rsc=\"haproxy\" node=\"n1\" score=\"-INFINITY\"/>"
                     "<rsc_location id=\"l2\" rsc=\"haproxy\" node=\"n2\" score=\"-INFINITY\"/>"
                     "<rsc_location id=\"l3\" rsc=\"haproxy\" node=\"n3\" score=\"-INFINITY\"/>",
                     emptyStatus(kNodes)));
  V s = summaryOf(t);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].rfind("Start vip", 0), 0u);
  EXPECT_EQ(placedOn(t, "haproxy"), "");
  EXPECT_EQ(placedOn(t, "app"), "");
}

TEST(Assignment, HigherPriorityWinsAContestedNode) {
  auto t = scheduleOk(cib({"n1"},
                          primitive("low", nvpair("p1", "priority", "1")) +
                              primitive("high", nvpair("p2", "priority", "10")),
                          "<rsc_colocation id=\"c\" rsc=\"low\" with-rsc=\"high\" "
                          "score=\"-INFINITY\"/>",
                          emptyStatus({"n1"})));
  EXPECT_EQ(summaryOf(t), (V{"Start high (n1)"}));
}

TEST(Assignment, EqualScoresSpreadResourcesAcrossNodes) {
  auto t = scheduleOk(
      cib(kNodes, primitive("a") + primitive("b") + primitive("c"), "", emptyStatus(kNodes)));
  std::vector<std::string> nodes = {placedOn(t, "a"), placedOn(t, "b"), placedOn(t, "c")};
  std::sort(nodes.begin(), nodes.end());
  EXPECT_EQ(nodes, kNodes);
}

TEST(Assignment, OfflineNodeGetsNothing) {
  auto t = scheduleOk(cib({"n1", "n2"}, primitive("a") + primitive("b"), "",
                          nodeState("1", "n1") + nodeState("2", "n2", "", false)));
  EXPECT_EQ(placedOn(t, "a"), "n1");
  EXPECT_EQ(placedOn(t, "b"), "n1");
}

}  // namespace
}  // namespace pulse::pe
