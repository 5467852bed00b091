// Placement by node capacity (placement-strategy, <utilization>) and by node
// health (node-health-strategy, #health-* attributes).
#include "cib_text.h"
#include "engine_test_util.h"
#include "policy-engine/simulate_output.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

// A node offering `cpu` units.
std::string nodeWithCpu(const std::string& id, const std::string& name, int cpu) {
  return "<node id=\"" + id + "\" uname=\"" + name + "\"><utilization id=\"" + name + "-u\">" +
         nvpair(name + "-cpu", "cpu", std::to_string(cpu)) + "</utilization></node>";
}

// A Dummy consuming `cpu` units, with an optional priority.
std::string consumer(const std::string& id, int cpu, int priority = 0) {
  std::string s =
      "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">";
  if (priority != 0) {
    s += "<meta_attributes id=\"" + id + "-m\">" +
         nvpair(id + "-prio", "priority", std::to_string(priority)) + "</meta_attributes>";
  }
  return s + "<utilization id=\"" + id + "-u\">" + nvpair(id + "-cpu", "cpu", std::to_string(cpu)) +
         "</utilization></primitive>";
}

// Two nodes (n1, n2) with the given cpu, fencing off, and the strategy.
std::string capacityCib(int cpu1, int cpu2, const std::string& strategy,
                        const std::string& resources, const std::string& constraints = "",
                        const std::string& status = "") {
  return "<cib epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" have-quorum=\"1\">"
         "<configuration><crm_config><cluster_property_set id=\"opts\">" +
         nvpair("opt-stonith", "stonith-enabled", "false") +
         nvpair("opt-placement", "placement-strategy", strategy) +
         "</cluster_property_set></crm_config><nodes>" + nodeWithCpu("1", "n1", cpu1) +
         nodeWithCpu("2", "n2", cpu2) + "</nodes><resources>" + resources +
         "</resources><constraints>" + constraints + "</constraints></configuration><status>" +
         (status.empty() ? emptyStatus({"n1", "n2"}) : status) + "</status></cib>";
}

TEST(Placement, ResourceLargerThanAnyNodeStaysStopped) {
  auto t = scheduleOk(capacityCib(2, 2, "utilization", consumer("big", 3) + consumer("small", 1)));
  EXPECT_EQ(placedOn(t, "big"), "");
  EXPECT_EQ(summaryOf(t), (V{"Start small (n1)"}));
}

TEST(Placement, DefaultStrategyIgnoresCapacity) {
  auto t = scheduleOk(capacityCib(2, 2, "default", consumer("big", 3)));
  EXPECT_EQ(summaryOf(t), (V{"Start big (n1)"}));
}

TEST(Placement, ResourceGoesWhereCapacityIsLeftDespiteLocationPreference) {
  // n1 is preferred but the first resource fills it.
  auto t =
      scheduleOk(capacityCib(2, 2, "utilization", consumer("first", 2, 10) + consumer("second", 2),
                             "<rsc_location id=\"l1\" rsc=\"first\" node=\"n1\" score=\"100\"/>"
                             "<rsc_location id=\"l2\" rsc=\"second\" node=\"n1\" score=\"100\"/>"));
  EXPECT_EQ(placedOn(t, "first"), "n1");
  EXPECT_EQ(placedOn(t, "second"), "n2");
}

TEST(Placement, HigherPriorityGetsTheOnlyRoom) {
  // Room for one of them: the higher priority wins, whatever the config order.
  auto t =
      scheduleOk(capacityCib(2, 1, "utilization", consumer("low", 2) + consumer("high", 2, 5)));
  EXPECT_EQ(summaryOf(t), (V{"Start high (n1)"}));
  EXPECT_EQ(placedOn(t, "low"), "");
}

TEST(Placement, RunningResourceIsStoppedWhenItsNodeShrinks) {
  // The node now offers less than the resource consumes: it has to stop.
  auto t = scheduleOk(
      capacityCib(1, 1, "utilization", consumer("db", 2), "",
                  nodeState("1", "n1", history("db", {{"start", 0, 2}})) + nodeState("2", "n2")));
  EXPECT_EQ(summaryOf(t), (V{"Stop db (n1)"}));
}

// Whether `then` (an operation key, with its node) comes after `first` in the graph.
bool orderedAfter(const Transition& t, const std::string& first, const std::string& then) {
  auto idOf = [&](const std::string& key) {
    for (const Action& a : t.actions) {
      if (a.key == key) return a.id;
    }
    return -1;
  };
  const int from = idOf(first);
  const int to = idOf(then);
  if (from < 0 || to < 0) return false;
  std::vector<int> todo{from};
  std::vector<bool> seen(t.actions.size());
  while (!todo.empty()) {
    const int at = todo.back();
    todo.pop_back();
    if (at == to) return true;
    for (const Ordering& o : t.orderings) {
      if (o.first == at && !seen[static_cast<std::size_t>(o.then)]) {
        seen[static_cast<std::size_t>(o.then)] = true;
        todo.push_back(o.then);
      }
    }
  }
  return false;
}

TEST(Placement, StartWaitsForTheStopThatFreesCapacity) {
  // big (priority) takes all of n1; small, running there, has no room left
  // anywhere and stops; big may only start once small has stopped.
  auto t = scheduleOk(capacityCib(
      2, 0, "utilization", consumer("small", 1) + consumer("big", 2, 10), "",
      nodeState("1", "n1", history("small", {{"start", 0, 2}})) + nodeState("2", "n2")));
  EXPECT_EQ(summaryOf(t), (V{"Start big (n1)", "Stop small (n1)"}));
  EXPECT_TRUE(orderedAfter(t, "small_stop_0", "load_stopped_n1"));
  EXPECT_TRUE(orderedAfter(t, "load_stopped_n1", "big_start_0"));
  EXPECT_FALSE(orderedAfter(t, "big_start_0", "small_stop_0"));
}

TEST(Placement, NoCapacityOrderingsWithTheDefaultStrategy) {
  auto t = scheduleOk(capacityCib(2, 0, "default", consumer("small", 1) + consumer("big", 2, 10)));
  for (const Action& a : t.actions) EXPECT_EQ(a.key.find("load_stopped"), std::string::npos);
}

TEST(Placement, TransitionListsResourcesInPlacementOrder) {
  // Equal priority: b, with the higher score, is weighed first and listed first.
  auto t = scheduleOk(capacityCib(2, 2, "utilization", consumer("a", 1) + consumer("b", 1),
                                  "<rsc_location id=\"l\" rsc=\"b\" node=\"n1\" score=\"100\"/>"));
  ASSERT_EQ(t.summary.size(), 2u);
  EXPECT_EQ(t.summary[0].resource, "b");
  EXPECT_EQ(t.summary[1].resource, "a");
  EXPECT_EQ(placedOn(t, "a"), "n2");
}

TEST(Placement, NodeOfferingNoneOfAResourceCannotHostIt) {
  // db needs memory; only n2 says how much memory it has.
  const std::string n2 = "<node id=\"2\" uname=\"n2\"><utilization id=\"n2-u\">" +
                         nvpair("n2-mem", "memory", "1024") + "</utilization></node>";
  const std::string db =
      "<primitive id=\"db\" class=\"ocf\" provider=\"pacemaker\" "
      "type=\"Dummy\"><utilization id=\"db-u\">" +
      nvpair("db-mem", "memory", "512") + "</utilization></primitive>";
  auto t = scheduleOk(
      "<cib epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" have-quorum=\"1\"><configuration>"
      "<crm_config><cluster_property_set id=\"opts\">" +
      nvpair("o1", "stonith-enabled", "false") + nvpair("o2", "placement-strategy", "minimal") +
      "</cluster_property_set></crm_config><nodes>" + nodeWithCpu("1", "n1", 8) + n2 +
      "</nodes><resources>" + db + "</resources><constraints/></configuration><status>" +
      emptyStatus({"n1", "n2"}) + "</status></cib>");
  EXPECT_EQ(summaryOf(t), (V{"Start db (n2)"}));
}

TEST(Placement, UtilizationThatIsNotANumberWarnsAndCountsAsNothing) {
  auto t =
      scheduleOk(capacityCib(2, 2, "utilization",
                             "<primitive id=\"db\" class=\"ocf\" provider=\"pacemaker\" "
                             "type=\"Dummy\"><utilization id=\"db-u\">" +
                                 nvpair("db-cpu", "cpu", "lots") + "</utilization></primitive>"));
  EXPECT_EQ(summaryOf(t), (V{"Start db (n1)"}));
  ASSERT_FALSE(t.warnings.empty());
  EXPECT_NE(t.warnings.front().find("utilization 'cpu' of resource db is 'lots'"),
            std::string::npos);
}

// A node offering the given amounts, by utilization name.
std::string nodeOffering(const std::string& name,
                         const std::vector<std::pair<std::string, int>>& amounts) {
  std::string s =
      "<node id=\"" + name + "\" uname=\"" + name + "\"><utilization id=\"" + name + "-u\">";
  for (const auto& [what, amount] : amounts) s += nvpair(name + what, what, std::to_string(amount));
  return s + "</utilization></node>";
}

std::string threeNodeCib(const std::string& strategy, const std::string& nodes,
                         const std::string& resources) {
  return "<cib epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" have-quorum=\"1\"><configuration>"
         "<crm_config><cluster_property_set id=\"opts\">" +
         nvpair("o1", "stonith-enabled", "false") + nvpair("o2", "placement-strategy", strategy) +
         "</cluster_property_set></crm_config><nodes>" + nodes + "</nodes><resources>" + resources +
         "</resources><constraints/></configuration><status>" + nodeState("n1", "n1") +
         nodeState("n2", "n2") + nodeState("n3", "n3") + "</status></cib>";
}

TEST(Placement, BalancedBreaksCircularCapacityTiesAsPacemakerDoes) {
  // n2 has more than n1, n3 ties with both (more cpu, less memory): the
  // comparison goes in a circle, and Pacemaker's node order decides.
  const std::string nodes = nodeOffering("n1", {{"mem", 1024}}) +
                            nodeOffering("n2", {{"cpu", 1}, {"mem", 1024}}) +
                            nodeOffering("n3", {{"cpu", 4}});
  auto t = scheduleOk(
      threeNodeCib("balanced", nodes, consumer("a", 0) + consumer("b", 0) + consumer("c", 0)));
  EXPECT_EQ(summaryOf(t), (V{"Start a (n2)", "Start b (n3)", "Start c (n2)"}));
}

TEST(Placement, WithoutRoomAnywhereTheMostCapableNodeIsPacemakers) {
  // The group needs 5 cpu, no node has it; the most capable node is a tie
  // that Pacemaker's node table settles on n2, where a cannot run, so a
  // goes to the first node by name and b, without room there, stays stopped.
  const std::string nodes = nodeOffering("n1", {{"cpu", 2}, {"mem", 0}}) +
                            nodeOffering("n2", {{"mem", 768}}) +
                            nodeOffering("n3", {{"cpu", 4}, {"mem", 0}});
  auto t = scheduleOk(threeNodeCib(
      "minimal", nodes, "<group id=\"g\">" + consumer("a", 2) + consumer("b", 3) + "</group>"));
  EXPECT_EQ(summaryOf(t), (V{"Start a (n1)"}));
}

const std::string kBigAndSmalls =
    consumer("big", 3, 10) + consumer("small1", 1, 5) + consumer("small2", 1);

TEST(Placement, BalancedSpreadsByFreeCapacity) {
  // big fills n1 to 1 left; both small ones then go to n2, which has more room.
  auto t = scheduleOk(capacityCib(4, 4, "balanced", kBigAndSmalls));
  EXPECT_EQ(placedOn(t, "big"), "n1");
  EXPECT_EQ(placedOn(t, "small1"), "n2");
  EXPECT_EQ(placedOn(t, "small2"), "n2");
}

TEST(Placement, UtilizationSpreadsByResourceCount) {
  // Same cluster without "balanced": nodes rank by how many resources they got.
  auto t = scheduleOk(capacityCib(4, 4, "utilization", kBigAndSmalls));
  EXPECT_EQ(placedOn(t, "big"), "n1");
  EXPECT_EQ(placedOn(t, "small1"), "n2");
  EXPECT_EQ(placedOn(t, "small2"), "n1");
}

TEST(Placement, MinimalPacksOntoTheFirstNodes) {
  auto t = scheduleOk(capacityCib(4, 4, "minimal", kBigAndSmalls));
  EXPECT_EQ(placedOn(t, "big"), "n1");
  EXPECT_EQ(placedOn(t, "small1"), "n1");
  EXPECT_EQ(placedOn(t, "small2"), "n2");
}

TEST(Placement, GroupNeedsRoomForAllItsMembers) {
  // Each member fits n1 alone, together they only fit n2.
  auto t = scheduleOk(capacityCib(
      2, 4, "utilization", "<group id=\"g\">" + consumer("a", 2) + consumer("b", 2) + "</group>",
      "<rsc_location id=\"l\" rsc=\"g\" node=\"n1\" score=\"100\"/>"));
  EXPECT_EQ(summaryOf(t), (V{"Start a (n2)", "Start b (n2)"}));
}

TEST(Placement, ColocatedResourcesAreCountedTogether) {
  auto t = scheduleOk(
      capacityCib(2, 4, "utilization", consumer("app", 2) + consumer("vip", 2),
                  "<rsc_colocation id=\"c\" rsc=\"app\" with-rsc=\"vip\" score=\"INFINITY\"/>"
                  "<rsc_location id=\"l\" rsc=\"vip\" node=\"n1\" score=\"100\"/>"));
  EXPECT_EQ(placedOn(t, "vip"), "n2");
  EXPECT_EQ(placedOn(t, "app"), "n2");
}

TEST(Placement, InvalidStrategyWarnsAndUsesDefault) {
  auto t = scheduleOk(capacityCib(2, 2, "roomy", consumer("big", 3)));
  EXPECT_EQ(summaryOf(t), (V{"Start big (n1)"}));
  ASSERT_FALSE(t.warnings.empty());
  EXPECT_NE(t.warnings.front().find("placement-strategy 'roomy'"), std::string::npos);
}

// Node health: n1 carries #health-ipmi=<health>, db runs on n1.
std::string healthCib(const std::string& strategy, const std::string& health,
                      const std::string& extra_options = "", const std::string& db_meta = "") {
  std::string n1 =
      "<node_state id=\"1\" uname=\"n1\" in_ccm=\"true\" crmd=\"online\" "
      "join=\"member\" expected=\"member\"><transient_attributes id=\"1\">"
      "<instance_attributes id=\"status-1\">" +
      nvpair("status-1-ipmi", "#health-ipmi", health) +
      "</instance_attributes></transient_attributes><lrm id=\"1\"><lrm_resources>" +
      history("db", {{"start", 0, 2}}) + "</lrm_resources></lrm></node_state>";
  return cib({"n1", "n2"}, primitive("db", db_meta), "", n1 + nodeState("2", "n2"),
             nvpair("opt-health", "node-health-strategy", strategy) + extra_options);
}

TEST(NodeHealth, RedNodeIsEmptiedUnderMigrateOnRed) {
  auto t = scheduleOk(healthCib("migrate-on-red", "red"));
  EXPECT_EQ(summaryOf(t), (V{"Move db (n1 -> n2)"}));
  EXPECT_NE(formatClusterView(t.current).find("* Node n1: online (health is RED)"),
            std::string::npos);
}

TEST(NodeHealth, YellowNodeKeepsItsResourcesUnderMigrateOnRed) {
  auto t = scheduleOk(healthCib("migrate-on-red", "yellow"));
  EXPECT_TRUE(summaryOf(t).empty());
  EXPECT_EQ(placedOn(t, "db"), "n1");
}

TEST(NodeHealth, YellowNodeIsEmptiedUnderOnlyGreen) {
  auto t = scheduleOk(healthCib("only-green", "yellow"));
  EXPECT_EQ(summaryOf(t), (V{"Move db (n1 -> n2)"}));
  EXPECT_NE(formatClusterView(t.current).find("* Node n1: online (health is YELLOW)"),
            std::string::npos);
}

TEST(NodeHealth, NoStrategyIgnoresHealthAttributes) {
  auto t = scheduleOk(healthCib("none", "red"));
  EXPECT_TRUE(summaryOf(t).empty());
  EXPECT_NE(formatClusterView(t.current).find("Online: [ n1 n2 ]"), std::string::npos);
}

TEST(NodeHealth, ProgressiveYellowScoreOutweighsStickinessOnlyWhenLarger) {
  const std::string yellow = nvpair("opt-yellow", "node-health-yellow", "-100");
  // n1 scores 50 - 100, n2 0: db leaves the yellow node.
  auto moved = scheduleOk(
      healthCib("progressive", "yellow", yellow, nvpair("db-stick", "resource-stickiness", "50")));
  EXPECT_EQ(summaryOf(moved), (V{"Move db (n1 -> n2)"}));
  // With stickiness 200 and a base of 50 on every node, n1 scores 200 - 100 + 50
  // against n2's 50: db stays.
  auto kept = scheduleOk(healthCib("progressive", "yellow",
                                   yellow + nvpair("opt-base", "node-health-base", "50"),
                                   nvpair("db-stick", "resource-stickiness", "200")));
  EXPECT_TRUE(summaryOf(kept).empty());
}

TEST(NodeHealth, AllowUnhealthyNodesKeepsTheResourceOnARedNode) {
  auto t = scheduleOk(
      healthCib("migrate-on-red", "red", "", nvpair("db-allow", "allow-unhealthy-nodes", "true")));
  EXPECT_TRUE(summaryOf(t).empty());
  EXPECT_EQ(placedOn(t, "db"), "n1");
}

}  // namespace
}  // namespace pulse::pe
