// What becomes of resources in unusual states, as the operator sees it: active on more than
// one node (multiple-active), or still running after being removed from the configuration.
#include <string>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2"};

std::string activeOnBoth(const std::string& rsc) {
  return nodeState("1", "n1", history(rsc, {{"start", 0, 2}})) +
         nodeState("2", "n2", history(rsc, {{"start", 0, 2}}));
}

TEST(MultipleActive, DefaultStopsEverywhereAndStartsOnce) {
  auto t = scheduleOk(cib(kNodes, primitive("db"), "", activeOnBoth("db")));
  EXPECT_EQ(summaryOf(t), (V{"Restart db (n1)"}));
  EXPECT_EQ(placedOn(t, "db"), "n1");
}

TEST(MultipleActive, StopOnlyStopsItEverywhere) {
  auto t = scheduleOk(cib(kNodes, primitive("db", nvpair("db-ma", "multiple-active", "stop_only")),
                          "", activeOnBoth("db")));
  EXPECT_EQ(summaryOf(t), (V{"Stop db (n1)", "Stop db (n2)"}));
  EXPECT_EQ(placedOn(t, "db"), "");
}

TEST(MultipleActive, BlockLeavesItAlone) {
  auto t = scheduleOk(cib(kNodes, primitive("db", nvpair("db-ma", "multiple-active", "block")), "",
                          activeOnBoth("db")));
  EXPECT_TRUE(t.summary.empty());
  ASSERT_EQ(t.revised.resources.size(), 1u);
  EXPECT_TRUE(t.revised.resources[0].blocked);
  EXPECT_EQ(t.revised.resources[0].nodes.size(), 2u);
}

TEST(Orphans, ARemovedResourceStillRunningIsStopped) {
  auto t = scheduleOk(
      cib(kNodes, primitive("kept"), "",
          nodeState("1", "n1", history("gone", {{"start", 0, 2}})) + nodeState("2", "n2")));
  EXPECT_EQ(summaryOf(t), (V{"Start kept (n1)", "Stop gone (n1)"}));
  // The stop runs the agent the history names.
  ScheduleOptions options;
  options.with_execution = true;
  auto full =
      schedule(cib(kNodes, primitive("kept"), "",
                   nodeState("1", "n1", history("gone", {{"start", 0, 2}})) + nodeState("2", "n2")),
               options);
  ASSERT_TRUE(full.ok());
  bool found = false;
  for (const Action& a : full->actions) {
    if (a.resource != "gone" || a.task != "stop") continue;
    found = true;
    EXPECT_TRUE(a.has_agent);
    EXPECT_EQ(a.type, "Dummy");
    EXPECT_EQ(a.node, "n1");
  }
  EXPECT_TRUE(found);
}

TEST(Orphans, StopOrphanResourcesFalseLeavesItRunning) {
  auto t = scheduleOk(
      cib(kNodes, primitive("kept"), "",
          nodeState("1", "n1", history("gone", {{"start", 0, 2}})) + nodeState("2", "n2"),
          nvpair("soa", "stop-orphan-resources", "false")));
  ASSERT_EQ(t.summary.size(), 1u);
  EXPECT_EQ(t.summary[0].resource, "kept");
  EXPECT_EQ(placedOn(t, "gone"), "n1");
}

}  // namespace
}  // namespace pulse::pe
