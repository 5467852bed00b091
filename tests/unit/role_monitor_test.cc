// Monitors configured for a role (Pacemaker's recurring_op_for_active): a promotable
// instance is monitored by the op of the role it will have, expecting 8 (running promoted)
// where that is Promoted; an op without a role watches every role but Promoted; a monitor of
// the role an instance leaves is cancelled before the promotion or demotion.
#include <algorithm>
#include <map>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

const char* kClone =
    "<clone id=\"st-clone\"><primitive id=\"st\" class=\"ocf\" provider=\"pacemaker\""
    " type=\"Dummy\"><operations>"
    "<op id=\"st-mon-p\" name=\"monitor\" interval=\"10s\" role=\"Promoted\"/>"
    "<op id=\"st-mon-u\" name=\"monitor\" interval=\"11s\" role=\"Unpromoted\"/>"
    "</operations></primitive><meta_attributes id=\"st-clone-meta\">"
    "<nvpair id=\"st-prom\" name=\"promotable\" value=\"true\"/></meta_attributes></clone>";

// The status of promotableInstancesStatus (st started on n1 and n2, n2 with the higher
// promotion score) with `n1_ops` and `n2_ops` recorded after the starts.
std::string withHistory(const std::vector<Op>& n1_ops, const std::vector<Op>& n2_ops) {
  std::string status = promotableInstancesStatus("st");
  const std::string start = history("st", {{"start", 0, 2}});
  const std::size_t first = status.find(start);
  const std::size_t second = status.find(start, first + start.size());
  std::vector<Op> n2 = {{"start", 0, 2}};
  n2.insert(n2.end(), n2_ops.begin(), n2_ops.end());
  status.replace(second, start.size(), history("st", n2));
  std::vector<Op> n1 = {{"start", 0, 2}};
  n1.insert(n1.end(), n1_ops.begin(), n1_ops.end());
  status.replace(first, start.size(), history("st", n1));
  return status;
}

const Action* find(const Transition& t, const std::string& task, std::int64_t interval,
                   const std::string& node) {
  for (const Action& a : t.actions) {
    if (a.task == task && a.interval_ms == interval && a.node == node && !a.pseudo) return &a;
  }
  return nullptr;
}

bool ordered(const Transition& t, const Action* first, const Action* then) {
  return std::any_of(t.orderings.begin(), t.orderings.end(),
                     [&](const Ordering& o) { return o.first == first->id && o.then == then->id; });
}

Transition scheduleForExecution(const std::string& xml) {
  ScheduleOptions options;
  options.with_execution = true;
  auto result = schedule(xml, options);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? *result : Transition{};
}

TEST(RoleMonitors, EachInstanceGetsTheMonitorOfItsRole) {
  const Transition t =
      scheduleForExecution(cib({"n1", "n2"}, kClone, "", promotableInstancesStatus("st")));
  EXPECT_EQ(summaryOf(t), std::vector<std::string>{"Promote st:1 (Unpromoted -> Promoted n2)"});
  const Action* promote = find(t, "promote", 0, "n2");
  const Action* promoted_monitor = find(t, "monitor", 10000, "n2");
  const Action* unpromoted_monitor = find(t, "monitor", 11000, "n1");
  ASSERT_TRUE(promote && promoted_monitor && unpromoted_monitor);
  EXPECT_EQ(promoted_monitor->expected_rc, 8) << "a promoted instance's monitor returns 8";
  EXPECT_EQ(unpromoted_monitor->expected_rc, 0);
  EXPECT_TRUE(ordered(t, promote, promoted_monitor)) << "monitored once promoted";
  EXPECT_FALSE(find(t, "monitor", 11000, "n2")) << "not the other role's monitor";
  EXPECT_FALSE(find(t, "monitor", 10000, "n1"));
  EXPECT_FALSE(find(t, "cancel", 11000, "n2")) << "nothing to cancel: it never ran";
}

TEST(RoleMonitors, TheLeftRolesMonitorIsCancelledBeforeThePromotion) {
  const std::string status = withHistory({{"monitor", 0, 3, 11000}}, {{"monitor", 0, 3, 11000}});
  const Transition t = scheduleForExecution(cib({"n1", "n2"}, kClone, "", status));
  const Action* cancel = find(t, "cancel", 11000, "n2");
  const Action* promote = find(t, "promote", 0, "n2");
  ASSERT_TRUE(cancel && promote);
  EXPECT_TRUE(ordered(t, cancel, promote));
  EXPECT_FALSE(find(t, "cancel", 11000, "n1")) << "n1 stays Unpromoted: its monitor stays";
  EXPECT_FALSE(find(t, "monitor", 11000, "n1")) << "already running there";
}

TEST(RoleMonitors, InstancesInTheirRolesWithTheirMonitorsNeedNothing) {
  const std::string status = withHistory(
      {{"monitor", 0, 3, 11000}}, {{"promote", 0, 3}, {"monitor", 8, 4, 10000, /*expected_rc=*/8}});
  const Transition t = scheduleForExecution(cib({"n1", "n2"}, kClone, "", status));
  EXPECT_TRUE(summaryOf(t).empty()) << ::testing::PrintToString(summaryOf(t));
  for (const Action& a : t.actions) {
    EXPECT_TRUE(a.pseudo) << a.task << " " << a.interval_ms << " on " << a.node;
  }
}

TEST(RoleMonitors, AMonitorWithoutARoleDoesNotWatchThePromotedInstance) {
  std::string clone = kClone;
  clone.replace(clone.find(" role=\"Unpromoted\""), std::string(" role=\"Unpromoted\"").size(), "");
  const Transition t =
      scheduleForExecution(cib({"n1", "n2"}, clone, "", promotableInstancesStatus("st")));
  EXPECT_TRUE(find(t, "monitor", 11000, "n1"));
  EXPECT_FALSE(find(t, "monitor", 11000, "n2"));
  EXPECT_TRUE(find(t, "monitor", 10000, "n2"));
}

TEST(RoleMonitors, TwoMonitorsWithOneIntervalAreNeitherScheduled) {
  std::string clone = kClone;
  clone.replace(clone.find("interval=\"11s\""), std::string("interval=\"11s\"").size(),
                "interval=\"10s\"");
  const Transition t =
      scheduleForExecution(cib({"n1", "n2"}, clone, "", promotableInstancesStatus("st")));
  EXPECT_EQ(summaryOf(t), std::vector<std::string>{"Promote st:1 (Unpromoted -> Promoted n2)"});
  for (const Action& a : t.actions) EXPECT_NE(a.task, "monitor") << a.key << " on " << a.node;
}

// RestartOnebyOne in the fault lab: the node of the promoted instance shuts down, the other
// running instance is promoted, and the moving one runs unpromoted on the third node. It must
// start there before its monitor runs (before, only its monitor was scheduled there: "not
// running", a failure recorded).
TEST(RoleMonitors, APromotedInstanceMovingToRunUnpromotedStartsThereFirst) {
  std::string n1 = nodeState(
      "1", "n1",
      history("st",
              {{"start", 0, 2}, {"promote", 0, 3}, {"monitor", 8, 4, 10000, /*expected_rc=*/8}}));
  n1.insert(n1.find("<lrm"), "<transient_attributes id=\"1\"><instance_attributes id=\"ta1\">" +
                                 nvpair("sd1", "shutdown", "1000") +
                                 nvpair("m1", "master-st", "10") +
                                 "</instance_attributes></transient_attributes>");
  std::string n2 = nodeState("2", "n2", history("st", {{"start", 0, 2}, {"monitor", 0, 3, 11000}}));
  n2.insert(n2.find("<lrm"), "<transient_attributes id=\"2\"><instance_attributes id=\"ta2\">" +
                                 nvpair("m2", "master-st", "5") +
                                 "</instance_attributes></transient_attributes>");
  const std::string n3 =
      nodeState("3", "n3", history("st", {{"monitor", 7, 2, 0, /*expected_rc=*/7}}));
  const Transition t = scheduleForExecution(cib({"n1", "n2", "n3"}, kClone, "", n1 + n2 + n3));
  const Action* stop = find(t, "stop", 0, "n1");
  const Action* start = find(t, "start", 0, "n3");
  const Action* monitor = find(t, "monitor", 11000, "n3");
  ASSERT_TRUE(stop && start && monitor) << ::testing::PrintToString(summaryOf(t));
  EXPECT_TRUE(ordered(t, start, monitor)) << "monitored once started";
  EXPECT_TRUE(find(t, "promote", 0, "n2"));
  EXPECT_FALSE(find(t, "monitor", 11000, "n1")) << "nothing runs on the leaving node";
}

}  // namespace
}  // namespace pulse::pe

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

// The role each instance of `clone` has after the transition, by node.
std::map<std::string, Role> revisedRoles(const Transition& t, const std::string& clone) {
  std::map<std::string, Role> roles;
  for (const ResourceView& r : t.revised.resources) {
    if (r.id != clone) continue;
    for (const ResourceView& m : r.members) {
      for (const std::string& node : m.nodes) roles[node] = m.role;
    }
  }
  return roles;
}

// An ordering restarts a promoted instance (its "first" is recovered): Pacemaker 2.1.5 demotes,
// stops and starts it, then schedules its Promoted monitor without a promote. Executing the
// transition records that monitor's expected rc 8, so the instance ends promoted, as
// crm_simulate's revised status shows.
TEST(RoleMonitors, AnInstanceRestartedWithItsPromotedMonitorEndsPromoted) {
  const std::string a =
      "<primitive id=\"A\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><operations>"
      "<op id=\"A-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive>";
  std::string status = withHistory({{"monitor", 0, 3, 11000}}, {});
  // n2's instance was promoted and its Promoted monitor runs (rc 8).
  const std::string n2_start = history("st", {{"start", 0, 2}});
  status.replace(status.rfind(n2_start), n2_start.size(),
                 history("st", {{"promote", 0, 3}, {"monitor", 8, 4, 10000, 8}}));
  // A runs on n1, where its monitor failed: it is recovered, and restarts what follows it.
  const std::string n1_lrm = "<lrm_resources>";
  status.insert(status.find(n1_lrm) + n1_lrm.size(),
                history("A", {{"start", 0, 5}, {"monitor", 1, 6, 10000}}));
  const Transition t = scheduleForExecution(
      cib({"n1", "n2"}, a + kClone, "<rsc_order id=\"o\" first=\"A\" then=\"st-clone\"/>", status));
  const std::vector<std::string> summary = summaryOf(t);
  EXPECT_NE(std::find(summary.begin(), summary.end(), "Restart st:1 (Promoted n2)"), summary.end())
      << ::testing::PrintToString(summary);
  EXPECT_FALSE(find(t, "promote", 0, "n2")) << "no promote: the monitor alone says promoted";
  ASSERT_TRUE(find(t, "monitor", 10000, "n2"));
  const std::map<std::string, Role> roles = revisedRoles(t, "st-clone");
  EXPECT_EQ(roles.at("n2"), Role::Promoted);
  EXPECT_EQ(roles.at("n1"), Role::Unpromoted);
}

// Two promoted instances where one may be: the one with the lower promotion score is demoted.
// When an ordering restarts the clone's instances, Pacemaker 2.1.5 gives a promoted instance an
// optional start even while demoting it, so it is restarted too: "Restart (Promoted ->
// Unpromoted)", not a bare demotion.
TEST(RoleMonitors, ADemotedInstanceAnOrderingRestartsIsRestarted) {
  const std::string a =
      "<primitive id=\"A\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><operations>"
      "<op id=\"A-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive>";
  std::string status = promotableInstancesStatus("st");
  const std::string start = history("st", {{"start", 0, 2}});
  const std::string promoted = history("st", {{"promote", 0, 3}, {"monitor", 8, 4, 10000, 8}});
  for (std::size_t at = status.find(start); at != std::string::npos; at = status.find(start)) {
    status.replace(at, start.size(), promoted);
  }
  const std::string n1_lrm = "<lrm_resources>";
  status.insert(status.find(n1_lrm) + n1_lrm.size(),
                history("A", {{"start", 0, 5}, {"monitor", 1, 6, 10000}}));
  const std::string order = "<rsc_order id=\"o\" first=\"A\" then=\"st-clone\"/>";
  const Transition t = scheduleForExecution(cib({"n1", "n2"}, a + kClone, order, status));
  EXPECT_EQ(summaryOf(t),
            (std::vector<std::string>{"Recover A (n1)", "Restart st:0 (Promoted -> Unpromoted n1)",
                                      "Restart st:1 (Promoted n2)"}));
  const std::map<std::string, Role> roles = revisedRoles(t, "st-clone");
  EXPECT_EQ(roles.at("n1"), Role::Unpromoted);
  EXPECT_EQ(roles.at("n2"), Role::Promoted);
}

}  // namespace
}  // namespace pulse::pe
