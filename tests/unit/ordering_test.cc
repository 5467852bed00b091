// Stage "ordering": implied and configured orders, as a DAG.
#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2"};

int actionId(const Transition& t, const std::string& key, const std::string& node = "") {
  for (const Action& a : t.actions) {
    if (a.key == key && (node.empty() || a.node == node)) return a.id;
  }
  return -1;
}

bool ordered(const Transition& t, int first, int then) {
  for (const Ordering& o : t.orderings) {
    if (o.first == first && o.then == then) return true;
  }
  return false;
}

TEST(Ordering, MandatoryOrderStartsThenAfterFirst) {
  auto t = scheduleOk(cib(kNodes, primitive("db") + primitive("app"),
                          "<rsc_order id=\"o\" first=\"db\" then=\"app\"/>", emptyStatus(kNodes)));
  int db = actionId(t, "db_start_0"), app = actionId(t, "app_start_0");
  ASSERT_GE(db, 0);
  ASSERT_GE(app, 0);
  EXPECT_TRUE(ordered(t, db, app));
  EXPECT_LT(db, app);
}

TEST(Ordering, MoveStopsBeforeItStarts) {
  auto t = scheduleOk(cib(
      kNodes, primitive("vip"), "<rsc_location id=\"l\" rsc=\"vip\" node=\"n2\" score=\"100\"/>",
      nodeState("1", "n1", history("vip", {{"start", 0, 2}})) + nodeState("2", "n2")));
  int stop = actionId(t, "vip_stop_0", "n1"), start = actionId(t, "vip_start_0", "n2");
  ASSERT_GE(stop, 0);
  ASSERT_GE(start, 0);
  EXPECT_TRUE(ordered(t, stop, start));
}

TEST(Ordering, MandatoryOrderRestartsThenWhenFirstRecovers) {
  auto t =
      scheduleOk(cib(kNodes, primitive("db") + primitive("app"),
                     "<rsc_order id=\"o\" first=\"db\" then=\"app\"/>"
                     "<rsc_colocation id=\"c\" rsc=\"app\" with-rsc=\"db\" score=\"INFINITY\"/>",
                     nodeState("1", "n1",
                               history("db", {{"start", 0, 2}, {"monitor", 1, 4, 10000}}) +
                                   history("app", {{"start", 0, 3}})) +
                         nodeState("2", "n2")));
  EXPECT_EQ(summaryOf(t), (V{"Recover db (n1)", "Restart app (n1)"}));
}

TEST(Ordering, OptionalOrderDoesNotRestart) {
  auto t = scheduleOk(
      cib(kNodes, primitive("db") + primitive("app", nvpair("s", "resource-stickiness", "10")),
          "<rsc_order id=\"o\" first=\"db\" then=\"app\" kind=\"Optional\"/>",
          nodeState("1", "n1",
                    history("db", {{"start", 0, 2}, {"monitor", 1, 4, 10000}}) +
                        history("app", {{"start", 0, 3}})) +
              nodeState("2", "n2")));
  EXPECT_EQ(summaryOf(t), (V{"Recover db (n1)"}));
}

TEST(Ordering, ThenCannotStartWhenFirstCannot) {
  auto t = scheduleOk(
      cib(kNodes, primitive("db", nvpair("tr", "target-role", "Stopped")) + primitive("app"),
          "<rsc_order id=\"o\" first=\"db\" then=\"app\"/>", emptyStatus(kNodes)));
  V s = summaryOf(t);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_NE(s[0].find("Start app"), std::string::npos);
  EXPECT_NE(s[0].find("blocked"), std::string::npos);
  EXPECT_EQ(actionId(t, "app_start_0"), -1);
}

TEST(Ordering, CycleIsAnErrorNotAHang) {
  auto result = schedule(cib(kNodes, primitive("a") + primitive("b"),
                             "<rsc_order id=\"o1\" first=\"a\" then=\"b\"/>"
                             "<rsc_order id=\"o2\" first=\"b\" then=\"a\"/>",
                             emptyStatus(kNodes)));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("ordering cycle"), std::string::npos);
  // The operator is told which constraints form the loop.
  EXPECT_NE(result.error().message.find("rsc_order id=\"o1\""), std::string::npos)
      << result.error().message;
  EXPECT_NE(result.error().message.find("rsc_order id=\"o2\""), std::string::npos);
}

TEST(Ordering, SameInputGivesTheSameTransition) {
  std::string xml = cib(
      kNodes, "<group id=\"g\">" + primitive("a") + primitive("b") + "</group>" + primitive("c"),
      "<rsc_order id=\"o\" first=\"c\" then=\"g\"/>", emptyStatus(kNodes));
  auto one = scheduleOk(xml);
  auto two = scheduleOk(xml);
  ASSERT_EQ(one.actions.size(), two.actions.size());
  for (std::size_t i = 0; i < one.actions.size(); ++i) {
    EXPECT_EQ(one.actions[i].key, two.actions[i].key);
    EXPECT_EQ(one.actions[i].node, two.actions[i].node);
  }
  ASSERT_EQ(one.orderings.size(), two.orderings.size());
}

}  // namespace
}  // namespace pulse::pe

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

TEST(Ordering, RecurringMonitorStartsAfterTheStart) {
  std::string rsc =
      "<primitive id=\"vip\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><operations>"
      "<op id=\"vip-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive>";
  auto t = scheduleOk(cib({"n1"}, rsc, "", emptyStatus({"n1"})));
  int start = actionId(t, "vip_start_0"), monitor = actionId(t, "vip_monitor_10000");
  ASSERT_GE(start, 0);
  ASSERT_GE(monitor, 0);
  EXPECT_TRUE(ordered(t, start, monitor));
  EXPECT_LT(start, monitor);
}

}  // namespace
}  // namespace pulse::pe
