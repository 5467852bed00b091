// pe-simulate -s: the node weights each assignment stage shows, as crm_simulate 2.1.5 prints
// them for the same CIB (expected lines taken from Debian's crm_simulate -x CIB -sSQ).
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

Transition scheduleWithScores(const std::string& xml) {
  ScheduleOptions options;
  options.with_scores = true;
  auto result = schedule(xml, options);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? *result : Transition{};
}

// The score lines sorted, as the regression suite stores them.
V scoreLines(const Transition& t) {
  V out;
  for (const ScoreLine& s : t.scores) out.push_back(s.text);
  std::sort(out.begin(), out.end());
  return out;
}

const std::string kGroupCib =
    cib({"n1", "n2"}, "<group id=\"web\">" + primitive("fs") + primitive("apache") + "</group>",
        "<rsc_location id=\"l\" rsc=\"web\" node=\"n2\" score=\"50\"/>"
        "<rsc_location id=\"l2\" rsc=\"apache\" node=\"n1\" score=\"20\"/>",
        emptyStatus({"n1", "n2"}));

const std::string kCloneCib = cib({"n1", "n2", "n3"}, clone("ping-clone", primitive("ping")),
                                  "<rsc_location id=\"l\" rsc=\"ping-clone\" node=\"n3\" "
                                  "score=\"-INFINITY\"/>",
                                  nodeState("1", "n1", history("ping", {{"start", 0, 2}})) +
                                      nodeState("2", "n2") + nodeState("3", "n3"));

const std::string kPromotableCib =
    cib({"n1", "n2"}, clone("db-clone", primitive("db"), nvpair("m1", "promotable", "true")), "",
        promotableInstancesStatus("db"));

TEST(ScoreLines, AGroupShowsItsWeightsAndItsMembersBeforeEachMemberIsPlaced) {
  // The group stage shows the group's location preference on the first member (n2: 50) and
  // apache's own (n1: 20); the primitive stage then shows fs with apache's preference merged
  // in and apache confined to where fs went.
  EXPECT_EQ(scoreLines(scheduleWithScores(kGroupCib)),
            (V{"pcmk__group_assign: apache allocation score on n1: 20",
               "pcmk__group_assign: apache allocation score on n2: 0",
               "pcmk__group_assign: fs allocation score on n1: 0",
               "pcmk__group_assign: fs allocation score on n2: 50",
               "pcmk__group_assign: web allocation score on n1: 0",
               "pcmk__group_assign: web allocation score on n2: 50",
               "pcmk__primitive_assign: apache allocation score on n1: -INFINITY",
               "pcmk__primitive_assign: apache allocation score on n2: 0",
               "pcmk__primitive_assign: fs allocation score on n1: 20",
               "pcmk__primitive_assign: fs allocation score on n2: 50"}));
}

TEST(ScoreLines, AGroupIsShownBeforeItsMembersInPacemakersOrder) {
  const V lines = [] {
    V out;
    for (const ScoreLine& s : scheduleWithScores(kGroupCib).scores) out.push_back(s.text);
    return out;
  }();
  ASSERT_EQ(lines.size(), 10u);
  EXPECT_EQ(lines.front(), "pcmk__group_assign: web allocation score on n1: 0");
  EXPECT_EQ(lines[2], "pcmk__group_assign: fs allocation score on n1: 0");
  EXPECT_EQ(lines[6], "pcmk__primitive_assign: fs allocation score on n1: 20");
}

TEST(ScoreLines, TheCloneStageShowsEveryInstanceThenEachInstanceIsPlaced) {
  // ping:0 runs on n1 (stickiness 1 there); n3 is banned for the clone. Each instance is shown
  // in the clone stage, then at its own placement with the nodes already taken banned.
  EXPECT_EQ(scoreLines(scheduleWithScores(kCloneCib)),
            (V{"pcmk__clone_allocate: ping-clone allocation score on n1: 0",
               "pcmk__clone_allocate: ping-clone allocation score on n2: 0",
               "pcmk__clone_allocate: ping-clone allocation score on n3: -INFINITY",
               "pcmk__clone_allocate: ping:0 allocation score on n1: 1",
               "pcmk__clone_allocate: ping:0 allocation score on n2: 0",
               "pcmk__clone_allocate: ping:0 allocation score on n3: -INFINITY",
               "pcmk__clone_allocate: ping:1 allocation score on n1: 0",
               "pcmk__clone_allocate: ping:1 allocation score on n2: 0",
               "pcmk__clone_allocate: ping:1 allocation score on n3: -INFINITY",
               "pcmk__clone_allocate: ping:2 allocation score on n1: 0",
               "pcmk__clone_allocate: ping:2 allocation score on n2: 0",
               "pcmk__clone_allocate: ping:2 allocation score on n3: -INFINITY",
               "pcmk__primitive_assign: ping:0 allocation score on n1: 1",
               "pcmk__primitive_assign: ping:0 allocation score on n2: 0",
               "pcmk__primitive_assign: ping:0 allocation score on n3: -INFINITY",
               "pcmk__primitive_assign: ping:1 allocation score on n1: -INFINITY",
               "pcmk__primitive_assign: ping:1 allocation score on n2: 0",
               "pcmk__primitive_assign: ping:1 allocation score on n3: -INFINITY",
               "pcmk__primitive_assign: ping:2 allocation score on n1: -INFINITY",
               "pcmk__primitive_assign: ping:2 allocation score on n2: -INFINITY",
               "pcmk__primitive_assign: ping:2 allocation score on n3: -INFINITY"}));
}

TEST(ScoreLines, PromotableInstancesShowTheirPromotionScores) {
  // master-db is 5 on n1 and 10 on n2: added to the instances' weights (with stickiness 1)
  // and shown as each instance's promotion score where it will run.
  EXPECT_EQ(scoreLines(scheduleWithScores(kPromotableCib)),
            (V{"db:0 promotion score on n1: 5", "db:1 promotion score on n2: 10",
               "pcmk__clone_allocate: db-clone allocation score on n1: 0",
               "pcmk__clone_allocate: db-clone allocation score on n2: 0",
               "pcmk__clone_allocate: db:0 allocation score on n1: 6",
               "pcmk__clone_allocate: db:0 allocation score on n2: 0",
               "pcmk__clone_allocate: db:1 allocation score on n1: 0",
               "pcmk__clone_allocate: db:1 allocation score on n2: 11",
               "pcmk__primitive_assign: db:0 allocation score on n1: 6",
               "pcmk__primitive_assign: db:0 allocation score on n2: -INFINITY",
               "pcmk__primitive_assign: db:1 allocation score on n1: 0",
               "pcmk__primitive_assign: db:1 allocation score on n2: 11"}));
}

TEST(ScoreLines, ScoresAreRecordedOnlyWhenAskedAndNeverChangeTheDecision) {
  for (const std::string* xml : {&kGroupCib, &kCloneCib, &kPromotableCib}) {
    const Transition plain = scheduleOk(*xml);
    const Transition scored = scheduleWithScores(*xml);
    EXPECT_TRUE(plain.scores.empty());
    EXPECT_FALSE(scored.scores.empty());
    EXPECT_EQ(summaryOf(plain), summaryOf(scored));
  }
}

TEST(ScoreLines, AnInstanceOverCloneMaxIsNotColocatedWith) {
  // base (clone-max 1) runs on n1; n2's history of base (a probe) makes a second, orphaned
  // instance, which is left unassigned. web's colocation with base-clone follows the one
  // instance: +50 on n1, and nothing anywhere for the orphan.
  const std::string probed_not_running =
      "<lrm_resource id=\"base\" class=\"ocf\" "
      "provider=\"pacemaker\" type=\"Dummy\"><lrm_rsc_op id=\"base_monitor_0\" "
      "operation_key=\"base_monitor_0\" operation=\"monitor\" "
      "transition-key=\"1:1:7:00000000-0000-0000-0000-000000000000\" call-id=\"1\" "
      "rc-code=\"7\" op-status=\"0\" interval=\"0\" last-rc-change=\"1000\"/>"
      "</lrm_resource>";
  const Transition t = scheduleWithScores(
      cib({"n1", "n2"},
          clone("base-clone", primitive("base"), nvpair("m1", "clone-max", "1")) + primitive("web"),
          "<rsc_colocation id=\"web-with-base\" rsc=\"web\" with-rsc=\"base-clone\" "
          "score=\"50\"/>",
          nodeState("1", "n1", history("base", {{"start", 0, 2}})) +
              nodeState("2", "n2", probed_not_running)));
  const V lines = scoreLines(t);
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "pcmk__primitive_assign: web allocation score on n1: 50"),
            lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "pcmk__primitive_assign: web allocation score on n2: 0"),
            lines.end());
}

TEST(ScoreLines, OfTwoClonesAResourceIsColocatedWithThePromotableOneIsPlacedFirst) {
  // web goes with a plain clone and a promotable one: Pacemaker places the primaries in the
  // order of its colocation list, promotable clones before other clones (then by name).
  const Transition t = scheduleWithScores(
      cib({"n1", "n2"},
          primitive("web") + clone("b-clone", primitive("b")) +
              clone("p-clone", primitive("p"), nvpair("m1", "promotable", "true")),
          "<rsc_colocation id=\"web-with-b\" rsc=\"web\" with-rsc=\"b-clone\" score=\"10\"/>"
          "<rsc_colocation id=\"web-with-p\" rsc=\"web\" with-rsc=\"p-clone\" score=\"10\"/>",
          emptyStatus({"n1", "n2"})));
  V clone_lines;  // in the order they were shown
  for (const ScoreLine& s : t.scores) {
    if (s.text.find("-clone allocation score") != std::string::npos) clone_lines.push_back(s.text);
  }
  ASSERT_EQ(clone_lines.size(), 4u);
  EXPECT_EQ(clone_lines[0], "pcmk__clone_allocate: p-clone allocation score on n1: 0");
  EXPECT_EQ(clone_lines[2], "pcmk__clone_allocate: b-clone allocation score on n1: 1");
}

}  // namespace
}  // namespace pulse::pe
