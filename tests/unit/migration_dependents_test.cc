// Live migration next to clones and failed or interrupted migrations, as a user sees it in
// the Transition Summary: when a resource still migrates ("Migrate") and when it is moved or
// recovered by a stop and a start instead.
#include <string>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

std::string migratable(const std::string& id) {
  return primitive(id, nvpair(id + "-m", "allow-migrate", "true"));
}

// `xml` with node n1 put in standby.
std::string standbyN1(std::string xml) {
  const std::string node = "<node id=\"1\" uname=\"n1\"/>";
  xml.replace(xml.find(node), node.size(),
              "<node id=\"1\" uname=\"n1\"><instance_attributes id=\"n1-a\">" +
                  nvpair("n1-standby", "standby", "on") + "</instance_attributes></node>");
  return xml;
}

TEST(MigrationDependents, ResourceOrderedAfterAStoppingCloneStillMigrates) {
  // vm runs after (and with) a clone; n1 goes to standby. The clone's instance on n1 only
  // stops, so vm may migrate to n2 before that instance stops.
  const std::string resources =
      "<clone id=\"base-clone\">" + primitive("base") + "<meta_attributes id=\"bc-m\">" +
      nvpair("bc-i", "interleave", "true") + "</meta_attributes></clone>" + migratable("vm");
  const std::string constraints =
      "<rsc_order id=\"o\" first=\"base-clone\" then=\"vm\"/>"
      "<rsc_colocation id=\"c\" rsc=\"vm\" with-rsc=\"base-clone\" score=\"INFINITY\"/>";
  const std::string status =
      nodeState("1", "n1", history("base", {{"start", 0, 2}}) + history("vm", {{"start", 0, 3}})) +
      nodeState("2", "n2", history("base", {{"start", 0, 2}}));
  auto t = scheduleOk(standbyN1(cib({"n1", "n2"}, resources, constraints, status)));
  const V summary = summaryOf(t);
  ASSERT_EQ(summary.size(), 2U);
  EXPECT_EQ(summary[0], "Migrate vm (n1 -> n2)");
  EXPECT_EQ(summary[1].rfind("Stop base:", 0), 0U);  // the instance on n1, whichever number
  EXPECT_EQ(summary[1].substr(summary[1].size() - 4), "(n1)");
  EXPECT_EQ(placedOn(t, "vm"), "n2");
}

// vm's history: started on n1, then a migrate_to n1 -> n2 that succeeded, with no migrate_from
// recorded on n2 (the transition was cut short).
std::string cutShortMigration() {
  std::string h = history("vm", {{"start", 0, 2}, {"migrate_to", 0, 3}});
  const std::string op = "operation=\"migrate_to\"";
  h.insert(h.find(op) + op.size(), " migrate_source=\"n1\" migrate_target=\"n2\"");
  return h;
}

TEST(MigrationDependents, AMigrationCutShortResumesOnItsTarget) {
  // Only n2 is allowed now, the migration's own target: it resumes with migrate_from on n2
  // and the stop on n1; no second migrate_to, no stop of the copy on n2.
  auto t = scheduleOk(cib({"n1", "n2"}, migratable("vm"),
                          "<rsc_location id=\"l\" rsc=\"vm\" node=\"n1\" score=\"-INFINITY\"/>",
                          nodeState("1", "n1", cutShortMigration()) +
                              nodeState("2", "n2", history("vm", {{"monitor", 7, 1}}))));
  EXPECT_EQ(summaryOf(t), (V{"Migrate vm (n1 -> n2)"}));
  EXPECT_EQ(placedOn(t, "vm"), "n2");
  int migrate_to = 0, migrate_from = 0, stops_on_n2 = 0;
  for (const Action& a : t.actions) {
    if (a.resource != "vm") continue;
    if (a.task == "migrate_to") ++migrate_to;
    if (a.task == "migrate_from" && a.node == "n2") ++migrate_from;
    if (a.task == "stop" && a.node == "n2") ++stops_on_n2;
  }
  EXPECT_EQ(migrate_to, 0);
  EXPECT_EQ(migrate_from, 1);
  EXPECT_EQ(stops_on_n2, 0);
}

TEST(MigrationDependents, AMigrationCutShortToAnotherNodeIsNotResumed) {
  // The target n2 is banned now: both copies stop and vm starts on n3 instead.
  auto t = scheduleOk(cib({"n1", "n2", "n3"}, migratable("vm"),
                          "<rsc_location id=\"l1\" rsc=\"vm\" node=\"n1\" score=\"-INFINITY\"/>"
                          "<rsc_location id=\"l2\" rsc=\"vm\" node=\"n2\" score=\"-INFINITY\"/>",
                          nodeState("1", "n1", cutShortMigration()) +
                              nodeState("2", "n2", history("vm", {{"monitor", 7, 1}})) +
                              nodeState("3", "n3")));
  EXPECT_EQ(placedOn(t, "vm"), "n3");
  int stops = 0;
  for (const Action& a : t.actions) {
    EXPECT_FALSE(a.resource == "vm" && a.task == "migrate_from");
    if (a.resource == "vm" && a.task == "stop") ++stops;
  }
  EXPECT_EQ(stops, 2);
}

// vm's history on n1: started, then a migrate_to n1 -> n2 that failed.
std::string failedMigrationOnN1(const std::vector<Op>& after = {}) {
  std::vector<Op> ops = {{"start", 0, 2}, {"migrate_to", 1, 3}};
  ops.insert(ops.end(), after.begin(), after.end());
  std::string h = history("vm", ops);
  const std::string op = "operation=\"migrate_to\"";
  h.insert(h.find(op) + op.size(), " migrate_source=\"n1\" migrate_target=\"n2\"");
  return h;
}

TEST(MigrationDependents, AFailedMigrationIsRecoveredOnBothNodes) {
  // The agent may have started vm on n2 before the migration failed: vm is stopped on both
  // nodes and started once, on n2 (where it is listed first) - "Recover vm (n2)".
  auto t = scheduleOk(cib({"n1", "n2"}, migratable("vm"), "",
                          nodeState("1", "n1", failedMigrationOnN1()) +
                              nodeState("2", "n2", history("vm", {{"monitor", 7, 1}}))));
  EXPECT_EQ(summaryOf(t), (V{"Recover vm (n2)"}));
  int stops = 0;
  for (const Action& a : t.actions) {
    if (a.resource == "vm" && a.task == "stop") ++stops;
  }
  EXPECT_EQ(stops, 2);
  EXPECT_EQ(placedOn(t, "vm"), "n2");
}

TEST(MigrationDependents, AFailedMigrationStoppedOnTheSourceRestartsOnTheTarget) {
  // After the failed migration vm was stopped on n1; the copy n2 may run is restarted there.
  auto t = scheduleOk(cib({"n1", "n2"}, migratable("vm"), "",
                          nodeState("1", "n1", failedMigrationOnN1({{"stop", 0, 4}})) +
                              nodeState("2", "n2", history("vm", {{"monitor", 7, 1}}))));
  EXPECT_EQ(summaryOf(t), (V{"Restart vm (n2)"}));
  EXPECT_EQ(placedOn(t, "vm"), "n2");
}

}  // namespace
}  // namespace pulse::pe
