// Live migration as a user sees it: a resource with allow-migrate moves by migrate_to and
// migrate_from ("Migrate" in the summary) unless something stops it from migrating.
#include <string>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2"};

std::string migratable(const std::string& id) {
  return primitive(id, nvpair(id + "-m", "allow-migrate", "true"));
}

std::string banN1(const std::string& rsc) {
  return "<rsc_location id=\"ban-" + rsc + "\" rsc=\"" + rsc +
         "\" node=\"n1\" score=\"-INFINITY\"/>";
}

const Action* actionOf(const Transition& t, const std::string& task, const std::string& rsc) {
  for (const Action& a : t.actions) {
    if (a.task == task && a.resource == rsc) return &a;
  }
  return nullptr;
}

TEST(Migration, AllowMigrateMovesByMigrating) {
  auto t = scheduleOk(
      cib(kNodes, migratable("vm"), banN1("vm"),
          nodeState("1", "n1", history("vm", {{"start", 0, 2}})) + nodeState("2", "n2")));
  EXPECT_EQ(summaryOf(t), (V{"Migrate vm (n1 -> n2)"}));
  EXPECT_EQ(placedOn(t, "vm"), "n2");
  const Action* to = actionOf(t, "migrate_to", "vm");
  const Action* from = actionOf(t, "migrate_from", "vm");
  const Action* start = actionOf(t, "start", "vm");
  ASSERT_TRUE(to && from && start);
  EXPECT_EQ(to->node, "n1");
  EXPECT_EQ(from->node, "n2");
  EXPECT_TRUE(start->pseudo);
}

TEST(Migration, WithoutAllowMigrateItIsAMove) {
  auto t = scheduleOk(
      cib(kNodes, primitive("vm"), banN1("vm"),
          nodeState("1", "n1", history("vm", {{"start", 0, 2}})) + nodeState("2", "n2")));
  EXPECT_EQ(summaryOf(t), (V{"Move vm (n1 -> n2)"}));
  EXPECT_EQ(actionOf(t, "migrate_to", "vm"), nullptr);
}

TEST(Migration, AFailedResourceIsRecoveredNotMigrated) {
  auto t = scheduleOk(
      cib(kNodes, migratable("vm"), banN1("vm"),
          nodeState("1", "n1", history("vm", {{"start", 0, 2}, {"monitor", 7, 3, 10000}})) +
              nodeState("2", "n2")));
  EXPECT_EQ(summaryOf(t), (V{"Recover vm (n1 -> n2)"}));
  EXPECT_EQ(actionOf(t, "migrate_to", "vm"), nullptr);
}

TEST(Migration, ResourceOrderedAfterAMigratingOneIsNotRestarted) {
  // vm migrates to n2; app (ordered after vm, running on n2) stays put.
  auto t = scheduleOk(cib(
      kNodes, migratable("vm") + primitive("app", nvpair("app-s", "resource-stickiness", "100")),
      banN1("vm") + "<rsc_order id=\"o\" first=\"vm\" then=\"app\"/>",
      nodeState("1", "n1", history("vm", {{"start", 0, 2}})) +
          nodeState("2", "n2", history("app", {{"start", 0, 2}}))));
  EXPECT_EQ(summaryOf(t), (V{"Migrate vm (n1 -> n2)"}));
  EXPECT_EQ(placedOn(t, "app"), "n2");
}

}  // namespace
}  // namespace pulse::pe
