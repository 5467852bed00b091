// Which instance of a promotable clone is promoted, as Pacemaker 2.1.5 decides it: the
// colocations of the promoted role with other clones weigh each instance's promotion, and
// instances that tie on promotion score are told apart as Pacemaker orders clone instances.
#include <algorithm>

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

// db runs unpromoted on n1 and n2 (promotion scores 5 and 10); a plain clone, backup, may
// run on n2 only. The promoted db keeps away from backup by `score`.
Transition promotedAwayFromBackup(const std::string& score) {
  const std::string resources =
      clone("db-clone", primitive("db"), nvpair("m1", "promotable", "true")) +
      clone("backup-clone", primitive("backup"));
  const std::string constraints =
      "<rsc_location id=\"backup-not-n1\" rsc=\"backup-clone\" node=\"n1\" score=\"-INFINITY\"/>"
      "<rsc_colocation id=\"promoted-db-away\" rsc=\"db-clone\" rsc-role=\"Promoted\" "
      "with-rsc=\"backup-clone\" score=\"" +
      score + "\"/>";
  return scheduleOk(cib({"n1", "n2"}, resources, constraints, promotableInstancesStatus("db")));
}

bool has(const V& summary, const std::string& item) {
  return std::find(summary.begin(), summary.end(), item) != summary.end();
}

TEST(Promotion, AColocationWithAnotherClonesInstancesWeighsThePromotion) {
  // n2's promotion score 10 less 100 for backup there: n1 (5) is promoted instead.
  const V away = summaryOf(promotedAwayFromBackup("-100"));
  EXPECT_TRUE(has(away, "Promote db:0 (Unpromoted -> Promoted n1)"))
      << ::testing::PrintToString(away);
  EXPECT_FALSE(has(away, "Promote db:1 (Unpromoted -> Promoted n2)"));

  // A weaker preference leaves n2 ahead (10 - 3 = 7 > 5).
  const V weak = summaryOf(promotedAwayFromBackup("-3"));
  EXPECT_TRUE(has(weak, "Promote db:1 (Unpromoted -> Promoted n2)"))
      << ::testing::PrintToString(weak);
  EXPECT_FALSE(has(weak, "Promote db:0 (Unpromoted -> Promoted n1)"));
}

}  // namespace
}  // namespace pulse::pe
