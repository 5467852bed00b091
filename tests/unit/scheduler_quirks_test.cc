// Decisions where Pacemaker's scheduler has a rule of its own that users see in the Transition
// Summary or the revised status: orderings of one pair of actions that duplicate each other,
// and how a failure handled by demotion ends.
#include <algorithm>

#include "cib_text.h"
#include "engine_test_util.h"
#include "policy-engine/simulate_output.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2"};

// The fence device's history, as its agent (stonith:fence_dummy) records it.
std::string fencerHistory(const std::vector<Op>& ops) {
  return asAgent(history("fencer", ops), "stonith", "", "fence_dummy");
}

// An unordered group (ordered=false): a member that already runs keeps running when a member
// added beside it starts. The group's "start, then the member's start (implies then)" ordering
// duplicates the "implies first printed" one of the same two actions and is dropped.
TEST(SchedulerQuirks, UnorderedGroupStartsNewMemberWithoutRestartingTheOthers) {
  const std::string group = "<group id=\"g\"><meta_attributes id=\"g-meta\">" +
                            nvpair("g-ordered", "ordered", "false") + "</meta_attributes>" +
                            primitive("web") + primitive("cache") + "</group>";
  auto t = scheduleOk(
      cib(kNodes, group, "",
          nodeState("1", "n1", history("web", {{"start", 0, 2}})) + nodeState("2", "n2")));
  EXPECT_EQ(summaryOf(t), (V{"Start cache (n1)"}));
  EXPECT_EQ(placedOn(t, "web"), "n1");
  EXPECT_EQ(placedOn(t, "cache"), "n1");
}

// The same group ordered (the default) does the same: the new member starts after the others.
TEST(SchedulerQuirks, OrderedGroupStartsNewMemberWithoutRestartingTheOthers) {
  const std::string group = "<group id=\"g\">" + primitive("web") + primitive("cache") + "</group>";
  auto t = scheduleOk(
      cib(kNodes, group, "",
          nodeState("1", "n1", history("web", {{"start", 0, 2}})) + nodeState("2", "n2")));
  EXPECT_EQ(summaryOf(t), (V{"Start cache (n1)"}));
}

// A promoted instance whose promoted-role monitor failed with on-fail=demote is demoted (and
// the other instance promoted); once demoted it is an ordinary unpromoted instance again, not
// a failed one, in the status the transition leaves.
TEST(SchedulerQuirks, DemotedAfterOnFailDemoteIsNoLongerFailed) {
  const std::string clone =
      "<clone id=\"db-clone\"><meta_attributes id=\"db-clone-meta\">" +
      nvpair("db-promotable", "promotable", "true") +
      "</meta_attributes><primitive id=\"db\" class=\"ocf\" provider=\"pacemaker\" "
      "type=\"Dummy\"><operations><op id=\"db-mon-p\" name=\"monitor\" interval=\"10s\" "
      "role=\"Promoted\" on-fail=\"demote\"/><op id=\"db-mon-u\" name=\"monitor\" "
      "interval=\"11s\" role=\"Unpromoted\"/></operations></primitive></clone>";
  std::string status = promotableInstancesStatus("db");
  // n1 promoted the instance (call 3) and its promoted monitor then failed (not running).
  const std::string promoted_then_failed =
      "<lrm_rsc_op id=\"db_promote_0\" operation_key=\"db_promote_0\" operation=\"promote\" "
      "transition-key=\"1:1:0:00000000-0000-0000-0000-000000000000\" call-id=\"3\" "
      "rc-code=\"0\" op-status=\"0\" interval=\"0\" last-rc-change=\"1000\"/>"
      "<lrm_rsc_op id=\"db_last_failure_0\" operation_key=\"db_monitor_10000\" "
      "operation=\"monitor\" transition-key=\"1:1:8:00000000-0000-0000-0000-000000000000\" "
      "call-id=\"4\" rc-code=\"7\" op-status=\"0\" interval=\"10000\" "
      "last-rc-change=\"1000\"/>";
  const std::size_t n1_end = status.find("</lrm_resource>");
  status.insert(n1_end, promoted_then_failed);
  auto t = scheduleOk(cib(kNodes, clone, "", status));
  EXPECT_EQ(summaryOf(t), (V{"Demote db:0 (Promoted -> Unpromoted n1)",
                             "Promote db:1 (Unpromoted -> Promoted n2)"}));
  bool seen = false;
  for (const ResourceView& r : t.revised.resources) {
    for (const ResourceView& instance : r.members) {
      if (instance.nodes != V{"n1"}) continue;
      seen = true;
      EXPECT_FALSE(instance.failed);
      EXPECT_EQ(instance.role, Role::Unpromoted);
    }
  }
  EXPECT_TRUE(seen);
}

// A resource promoted outside any promotable clone that must move is demoted, stopped and
// started where it goes, in that order (Promoted -> Unpromoted -> Stopped -> Started).
TEST(SchedulerQuirks, PromotedPrimitiveIsDemotedStoppedAndStartedElsewhere) {
  auto t = scheduleOk(
      cib(kNodes, primitive("db"), "<rsc_location id=\"l\" rsc=\"db\" node=\"n2\" score=\"100\"/>",
          nodeState("1", "n1", history("db", {{"promote", 0, 3}})) + nodeState("2", "n2")));
  EXPECT_EQ(summaryOf(t), (V{"Move db (Promoted n1 -> Started n2)"}));
  EXPECT_EQ(placedOn(t, "db"), "n2");
  auto index = [&](const std::string& key) {
    for (std::size_t i = 0; i < t.actions.size(); ++i) {
      if (t.actions[i].key == key) return static_cast<int>(i);
    }
    return -1;
  };
  const int demote = index("db_demote_0"), stop = index("db_stop_0"), start = index("db_start_0");
  ASSERT_GE(demote, 0);
  ASSERT_GE(stop, 0);
  ASSERT_GE(start, 0);
  bool demote_before_stop = false;
  for (const Ordering& o : t.orderings) {
    if (o.first == t.actions[static_cast<std::size_t>(demote)].id &&
        o.then == t.actions[static_cast<std::size_t>(stop)].id) {
      demote_before_stop = true;
    }
  }
  EXPECT_TRUE(demote_before_stop);
}

// A restart forced by an ordering says which action forced it: "due to required db start".
TEST(SchedulerQuirks, RestartForcedByAnOrderingNamesTheActionBehindIt) {
  auto t = scheduleOk(cib(
      kNodes, primitive("db") + primitive("app"),
      "<rsc_order id=\"o\" first=\"db\" then=\"app\"/>"
      "<rsc_location id=\"l\" rsc=\"db\" node=\"n2\" score=\"100\"/>",
      nodeState("1", "n1", history("db", {{"start", 0, 2}}) + history("app", {{"start", 0, 3}})) +
          nodeState("2", "n2")));
  EXPECT_EQ(summaryOf(t), (V{"Move db (n1 -> n2)", "Restart app (n1)"}));
  for (const SummaryItem& s : t.summary) {
    if (s.resource == "app") {
      EXPECT_EQ(s.reason, "due to required db start");
    }
  }
}

// A parameter or meta attribute set to "#default" is unset (Pacemaker's populate_hash): the
// definition recorded without it has not changed, so nothing restarts.
TEST(SchedulerQuirks, DefaultValueUnsetsTheAttribute) {
  const std::string web =
      "<primitive id=\"web\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
      "<instance_attributes id=\"web-params\">" +
      nvpair("web-tr", "target_role", "#default") +
      "</instance_attributes><meta_attributes id=\"web-meta\">" +
      nvpair("web-role", "target-role", "#default") + "</meta_attributes></primitive>";
  auto t = scheduleOk(
      cib(kNodes, web, "",
          nodeState("1", "n1", history("web", {{"start", 0, 2}})) + nodeState("2", "n2")));
  EXPECT_EQ(summaryOf(t), V{});
  EXPECT_EQ(placedOn(t, "web"), "n1");
}

// The history of an anonymous promotable clone on n1 lists a probe under "db:0" (not running
// there) before the promoted "db:1". The probe no longer names the instance once it shows
// nothing running, so the instance's promotion score is read as master-db:1 and the promoted
// instance stays promoted (Pacemaker resets clone_name in process_rsc_state).
TEST(SchedulerQuirks, ProbeUnderAnotherInstanceNumberKeepsThePromotionScore) {
  const std::string clone =
      "<clone id=\"db-clone\"><meta_attributes id=\"db-clone-meta\">" +
      nvpair("db-promotable", "promotable", "true") + nvpair("db-max", "clone-max", "2") +
      nvpair("db-pmax", "promoted-max", "1") + "</meta_attributes>" + primitive("db") + "</clone>";
  auto attrs = [](const std::string& id, const std::string& name) {
    return "<transient_attributes id=\"t" + id + "\"><instance_attributes id=\"ta" + id + "\">" +
           nvpair("m" + id, "master-" + name, "10") +
           "</instance_attributes></transient_attributes>";
  };
  // n2 is listed first: its db:0 runs unpromoted; on n1 a probe of db:0 found it stopped and
  // db:1 runs promoted. Both score 10 where they run.
  std::string n2 =
      nodeState("2", "n2", history("db:0", {{"monitor", 7, 3, 0, 7}, {"start", 0, 4}}));
  n2.insert(n2.find("<lrm"), attrs("2", "db:0"));
  std::string n1 = nodeState("1", "n1",
                             history("db:0", {{"monitor", 7, 3, 0, 7}}) +
                                 history("db:1", {{"start", 0, 5}, {"promote", 0, 26}}));
  n1.insert(n1.find("<lrm"), attrs("1", "db:1"));
  auto t = scheduleOk(cib(kNodes, clone, "", n2 + n1));
  EXPECT_EQ(summaryOf(t), V{});
}

// An anonymous clone instance whose node reached migration-threshold is not moved: the ban
// reaches every instance (Pacemaker's resource_location on a clone), so an instance that may
// still run anywhere is placed first, and the banned one is stopped.
TEST(SchedulerQuirks, CloneInstanceBannedByFailuresStopsWhileAnotherStarts) {
  const std::string clone = "<clone id=\"db-clone\"><meta_attributes id=\"db-clone-meta\">" +
                            nvpair("db-max", "clone-max", "2") + "</meta_attributes>" +
                            primitive("db", nvpair("db-mt", "migration-threshold", "1")) +
                            "</clone>";
  std::string n2 = nodeState("2", "n2", history("db", {{"start", 0, 2}}));
  n2.insert(n2.find("<lrm"), "<transient_attributes id=\"t2\"><instance_attributes id=\"ta2\">" +
                                 nvpair("fc", "fail-count-db", "1") +
                                 "</instance_attributes></transient_attributes>");
  auto t = scheduleOk(cib(kNodes, clone, "", n2 + nodeState("1", "n1")));
  EXPECT_EQ(summaryOf(t), (V{"Start db:1 (n1)", "Stop db:0 (n2)"}));
}

// A demote that failed with on-fail=block leaves the instance promoted (and blocked): no other
// instance is promoted while it may still be promoted, and the status says "FAILED Promoted".
TEST(SchedulerQuirks, DemoteFailedWithOnFailBlockStaysPromoted) {
  const std::string clone =
      "<clone id=\"db-clone\"><meta_attributes id=\"db-clone-meta\">" +
      nvpair("db-promotable", "promotable", "true") +
      "</meta_attributes><primitive id=\"db\" class=\"ocf\" provider=\"pacemaker\" "
      "type=\"Dummy\"><operations><op id=\"db-demote\" name=\"demote\" interval=\"0\" "
      "on-fail=\"block\"/></operations></primitive></clone>";
  std::string status = promotableInstancesStatus("db");
  // n1 promoted the instance (call 3), then failed to demote it (call 4).
  const std::string promoted_then_demote_failed =
      "<lrm_rsc_op id=\"db_promote_0\" operation_key=\"db_promote_0\" operation=\"promote\" "
      "transition-key=\"1:1:0:00000000-0000-0000-0000-000000000000\" call-id=\"3\" "
      "rc-code=\"0\" op-status=\"0\" interval=\"0\" last-rc-change=\"1000\"/>"
      "<lrm_rsc_op id=\"db_last_failure_0\" operation_key=\"db_demote_0\" "
      "operation=\"demote\" transition-key=\"1:1:0:00000000-0000-0000-0000-000000000000\" "
      "call-id=\"4\" rc-code=\"1\" op-status=\"0\" interval=\"0\" last-rc-change=\"1000\"/>";
  status.insert(status.find("</lrm_resource>"), promoted_then_demote_failed);
  auto t = scheduleOk(cib(kNodes, clone, "", status));
  EXPECT_EQ(summaryOf(t), V{});
  const std::string text = formatClusterView(t.current);
  EXPECT_NE(text.find("FAILED Promoted n1 (blocked)"), std::string::npos) << text;
}

// A cloned group's instance is promoted only if each member can be: with a member that will
// not run (target-role=Stopped), the running first member stays unpromoted even where the
// promoted role is preferred (Pacemaker's node_to_be_promoted_on).
TEST(SchedulerQuirks, ClonedGroupWithAStoppedMemberIsNotPromoted) {
  const std::string clone =
      "<clone id=\"ms\"><meta_attributes id=\"ms-meta\">" +
      nvpair("ms-promotable", "promotable", "true") + nvpair("ms-max", "clone-max", "1") +
      "</meta_attributes><group id=\"g\">" + primitive("a") +
      primitive("b", nvpair("b-role", "target-role", "Stopped")) + "</group></clone>";
  const std::string prefer_n1 =
      "<rsc_location id=\"l\" rsc=\"ms\"><rule id=\"r\" role=\"Promoted\" score=\"100\">"
      "<expression id=\"e\" attribute=\"#uname\" operation=\"eq\" value=\"n1\"/></rule>"
      "</rsc_location>";
  auto t = scheduleOk(
      cib({"n1"}, clone, prefer_n1, nodeState("1", "n1", history("a", {{"start", 0, 2}}))));
  EXPECT_EQ(summaryOf(t), V{});
}

// A promoted instance whose definition changed and that stays promoted is restarted all the
// way back to promoted: stop, start, then promote again (the promotion is required too).
TEST(SchedulerQuirks, ChangedDefinitionRestartsAPromotedInstanceBackToPromoted) {
  const std::string clone =
      "<clone id=\"db-clone\"><meta_attributes id=\"db-clone-meta\">" +
      nvpair("db-promotable", "promotable", "true") +
      "</meta_attributes><primitive id=\"db\" class=\"ocf\" provider=\"pacemaker\" "
      "type=\"Dummy\"><instance_attributes id=\"db-params\">" +
      nvpair("db-size", "size", "2") + "</instance_attributes></primitive></clone>";
  std::string status = promotableInstancesStatus("db");
  // n2 (promotion score 10) promoted its instance (call 3).
  const std::size_t n2 = status.find("uname=\"n2\"");
  status.insert(status.find("</lrm_resource>", n2),
                "<lrm_rsc_op id=\"db_promote_0\" operation_key=\"db_promote_0\" "
                "operation=\"promote\" transition-key=\"1:1:0:00000000-0000-0000-0000-"
                "000000000000\" call-id=\"3\" rc-code=\"0\" op-status=\"0\" interval=\"0\" "
                "last-rc-change=\"1000\"/>");
  auto t = scheduleOk(cib(kNodes, clone, "", status));
  EXPECT_EQ(summaryOf(t), (V{"Restart db:0 (Unpromoted n1)", "Restart db:1 (Promoted n2)"}));
  EXPECT_NE(std::find_if(t.actions.begin(), t.actions.end(),
                         [](const Action& a) { return a.task == "promote" && a.node == "n2"; }),
            t.actions.end());
}

// An anonymous clone with an instance for every node (clone-max is the node count) keeps the
// number of an instance that needs no fencing and ran on a node now lost: the instance moves
// to a node without one, rather than being orphaned while another number starts
// (find_anonymous_clone with pe__is_universal_clone).
TEST(SchedulerQuirks, UniversalCloneInstanceOnALostNodeMoves) {
  const std::string clone = "<clone id=\"agents\">" +
                            primitive("agent", nvpair("agent-req", "requires", "nothing")) +
                            "</clone><primitive id=\"fencer\" class=\"stonith\" "
                            "type=\"fence_dummy\"/>";
  const std::string lost =
      "<node_state id=\"1\" uname=\"n1\" in_ccm=\"false\" crmd=\"offline\" "
      "join=\"down\" expected=\"member\"><lrm id=\"1\"><lrm_resources>" +
      history("agent", {{"start", 0, 2}}) + "</lrm_resources></lrm></node_state>";
  std::string xml =
      cib({"n1", "n2", "n3"}, clone, "",
          lost +
              nodeState("2", "n2",
                        history("agent", {{"start", 0, 2}}) + fencerHistory({{"start", 0, 3}})) +
              nodeState("3", "n3"));
  const std::string off = nvpair("opt-stonith", "stonith-enabled", "false");
  xml.replace(xml.find(off), off.size(), nvpair("opt-stonith", "stonith-enabled", "true"));
  auto t = scheduleOk(xml);
  const V summary = summaryOf(t);
  EXPECT_NE(std::find(summary.begin(), summary.end(), "Move agent:0 (n1 -> n3)"), summary.end())
      << ::testing::PrintToString(summary);
}

// A stop that failed for good (not installed) on a node that cannot be fenced (it left the
// membership and the partition has no quorum) leaves the resource blocked there: nothing is
// scheduled for it (Pacemaker's check_recoverable with pe_can_fence).
TEST(SchedulerQuirks, FailedStopOnANodeThatCannotBeFencedBlocks) {
  const std::string resources =
      primitive("web") + "<primitive id=\"fencer\" class=\"stonith\" type=\"fence_dummy\"/>";
  const std::string lost =
      "<node_state id=\"2\" uname=\"n2\" in_ccm=\"false\" crmd=\"offline\" "
      "join=\"down\" expected=\"member\"><lrm id=\"2\"><lrm_resources>" +
      history("web", {{"start", 0, 2}, {"stop", 5, 3}}) + "</lrm_resources></lrm></node_state>";
  const std::string gone =
      "<node_state id=\"3\" uname=\"n3\" in_ccm=\"false\" "
      "crmd=\"offline\" join=\"down\" expected=\"down\"/>";
  std::string xml = cib({"n1", "n2", "n3"}, resources, "",
                        nodeState("1", "n1", fencerHistory({{"start", 0, 3}})) + lost + gone);
  const std::string off = nvpair("opt-stonith", "stonith-enabled", "false");
  xml.replace(xml.find(off), off.size(), nvpair("opt-stonith", "stonith-enabled", "true"));
  xml.replace(xml.find("have-quorum=\"1\""), 15, "have-quorum=\"0\"");
  auto t = scheduleOk(xml);
  EXPECT_EQ(summaryOf(t), V{"Stop fencer (n1)"});
  EXPECT_NE(formatClusterView(t.current).find("web\t(ocf:pacemaker:Dummy):\t Started n2"),
            std::string::npos);
}

// A promotable clone colocated in its promoted role with a resource that cannot start still
// starts its instances; only the promotion is blocked ("due to colocation with vip").
TEST(SchedulerQuirks, UnrunnablePrimaryBlocksOnlyThePromotionColocatedWithIt) {
  const std::string resources = primitive("base", nvpair("base-role", "target-role", "Stopped")) +
                                primitive("vip") +
                                "<clone id=\"db-clone\"><meta_attributes id=\"db-clone-meta\">" +
                                nvpair("db-promotable", "promotable", "true") +
                                "</meta_attributes>" + primitive("db") + "</clone>";
  const std::string constraints =
      "<rsc_order id=\"o\" first=\"base\" then=\"vip\"/>"
      "<rsc_colocation id=\"c\" rsc=\"db-clone\" rsc-role=\"Promoted\" with-rsc=\"vip\" "
      "score=\"INFINITY\"/>";
  auto scored = [](const std::string& id, const std::string& name, const std::string& score) {
    std::string ns = nodeState(id, name);
    ns.insert(ns.find("</node_state>"), "<transient_attributes id=\"t" + id +
                                            "\"><instance_attributes id=\"ta" + id + "\">" +
                                            nvpair("m" + id, "master-db", score) +
                                            "</instance_attributes></transient_attributes>");
    return ns;
  };
  auto t = scheduleOk(
      cib(kNodes, resources, constraints, scored("1", "n1", "5") + scored("2", "n2", "10")));
  EXPECT_EQ(summaryOf(t), (V{"Promote db:1 (Stopped -> Promoted n1) blocked", "Start db:0 (n2)",
                             "Start vip (n1) blocked"}));
  for (const SummaryItem& s : t.summary) {
    if (s.verb == "Promote") {
      EXPECT_EQ(s.reason, "due to colocation with vip (blocked)");
    }
  }
}

// A standby node that still runs something says so, as crm_mon does; once the transition has
// moved everything off it, it is plain standby.
TEST(SchedulerQuirks, StandbyNodeWithActiveResourcesSaysSo) {
  std::string xml =
      cib(kNodes, primitive("web"), "",
          nodeState("1", "n1", history("web", {{"start", 0, 2}})) + nodeState("2", "n2"));
  const std::string plain = "<node id=\"1\" uname=\"n1\"/>";
  xml.replace(xml.find(plain), plain.size(),
              "<node id=\"1\" uname=\"n1\"><instance_attributes id=\"n1-attrs\">" +
                  nvpair("n1-standby", "standby", "on") + "</instance_attributes></node>");
  auto t = scheduleOk(xml);
  EXPECT_EQ(summaryOf(t), V{"Move web (n1 -> n2)"});
  EXPECT_NE(formatClusterView(t.current).find("Node n1: standby (with active resources)"),
            std::string::npos)
      << formatClusterView(t.current);
  const std::string after = formatClusterView(t.revised);
  EXPECT_NE(after.find("Node n1: standby\n"), std::string::npos) << after;
}

}  // namespace
}  // namespace pulse::pe
