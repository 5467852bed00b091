// Fencing as a user sees it: an unclean node is fenced when a device can do it, what ran
// there recovers elsewhere only after the fencing, and nothing is fenced without the means
// (after Pacemaker's schedule_fencing_and_shutdowns).
#include <algorithm>
#include <string>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2"};

// The fence device's history, as its agent (stonith:fence_dummy) records it.
std::string fencerHistory(const std::vector<Op>& ops) {
  return asAgent(history("fencer", ops), "stonith", "", "fence_dummy");
}

std::string fenceDevice() {
  return "<primitive id=\"fencer\" class=\"stonith\" type=\"fence_dummy\"/>";
}

// cib() with fencing enabled.
std::string withFencing(std::string xml) {
  const std::string off = nvpair("opt-stonith", "stonith-enabled", "false");
  xml.replace(xml.find(off), off.size(), nvpair("opt-stonith", "stonith-enabled", "true"));
  return xml;
}

// n1 has left the cluster while it was expected up, with `vip` running there.
std::string lostNode(const std::string& rsc_history = history("vip", {{"start", 0, 2}})) {
  std::string lost =
      "<node_state id=\"1\" uname=\"n1\" in_ccm=\"false\" crmd=\"offline\" "
      "join=\"down\" expected=\"member\"><lrm id=\"1\"><lrm_resources>" +
      rsc_history + "</lrm_resources></lrm></node_state>";
  return lost + nodeState("2", "n2", fencerHistory({{"start", 0, 3}}));
}

const Action* actionOf(const Transition& t, const std::string& task, const std::string& rsc,
                       const std::string& node) {
  for (const Action& a : t.actions) {
    if (a.task == task && a.resource == rsc && a.node == node && a.interval_ms == 0) return &a;
  }
  return nullptr;
}

bool orderedBefore(const Transition& t, int first, int then) {
  std::vector<int> todo{first};
  std::vector<bool> seen(t.actions.size());
  while (!todo.empty()) {
    int at = todo.back();
    todo.pop_back();
    if (at == then) return true;
    for (const Ordering& o : t.orderings) {
      if (o.first == at && !seen[static_cast<std::size_t>(o.then)]) {
        seen[static_cast<std::size_t>(o.then)] = true;
        todo.push_back(o.then);
      }
    }
  }
  return false;
}

TEST(Fencing, LostNodeIsFencedAndItsResourceRecoversAfterwards) {
  auto t = scheduleOk(withFencing(cib(kNodes, fenceDevice() + primitive("vip"), "", lostNode())));
  ASSERT_FALSE(t.summary.empty());
  EXPECT_EQ(t.summary[0].verb, "Fence (reboot)");
  EXPECT_EQ(t.summary[0].resource, "n1");
  EXPECT_EQ(t.summary[0].reason, "peer is no longer part of the cluster");
  EXPECT_EQ(summaryOf(t), (V{"Fence (reboot) n1 ()", "Move vip (n1 -> n2)"}));
  EXPECT_EQ(placedOn(t, "vip"), "n2");
  // The start on n2 waits for the fencing of n1; the stop on n1 is implied by it.
  const Action* fence = actionOf(t, "stonith", "", "n1");
  const Action* start = actionOf(t, "start", "vip", "n2");
  const Action* stop = actionOf(t, "stop", "vip", "n1");
  ASSERT_TRUE(fence && start && stop);
  EXPECT_TRUE(stop->pseudo);
  EXPECT_FALSE(fence->pseudo);
  EXPECT_TRUE(orderedBefore(t, fence->id, start->id));
  EXPECT_TRUE(orderedBefore(t, fence->id, stop->id));
}

TEST(Fencing, WithoutADeviceNothingIsFencedOrRecovered) {
  auto t = scheduleOk(withFencing(cib(kNodes, primitive("vip"), "", lostNode())));
  EXPECT_TRUE(t.summary.empty());
  EXPECT_EQ(actionOf(t, "stonith", "", "n1"), nullptr);
  EXPECT_EQ(actionOf(t, "start", "vip", "n2"), nullptr);
}

TEST(Fencing, NeverSeenNodeIsFencedAtStartup) {
  auto t = scheduleOk(
      withFencing(cib(kNodes, fenceDevice() + primitive("vip"), "", nodeState("2", "n2"))));
  ASSERT_FALSE(t.summary.empty());
  EXPECT_EQ(t.summary[0].verb, "Fence (reboot)");
  EXPECT_EQ(t.summary[0].resource, "n1");
  EXPECT_EQ(t.summary[0].reason, "node is unclean");
}

TEST(Fencing, StopFailureFencesTheNodeNamingTheResource) {
  std::string status = nodeState("1", "n1", history("vip", {{"start", 0, 2}, {"stop", 1, 3}})) +
                       nodeState("2", "n2", fencerHistory({{"start", 0, 3}}));
  auto t = scheduleOk(withFencing(cib(kNodes, fenceDevice() + primitive("vip"), "", status)));
  ASSERT_FALSE(t.summary.empty());
  EXPECT_EQ(t.summary[0].verb, "Fence (reboot)");
  EXPECT_EQ(t.summary[0].reason, "vip failed there");
  EXPECT_EQ(placedOn(t, "vip"), "n2");
}

TEST(Fencing, WithoutFencingAnOfflineNodesHistoryIsNotBelieved) {
  // Fencing off: n1 is merely offline, and what it last reported is not running anywhere.
  std::string status =
      "<node_state id=\"1\" uname=\"n1\" in_ccm=\"false\" crmd=\"offline\" join=\"down\" "
      "expected=\"down\"><lrm id=\"1\"><lrm_resources>" +
      history("vip", {{"start", 0, 2}}) + "</lrm_resources></lrm></node_state>" +
      nodeState("2", "n2");
  auto t = scheduleOk(cib(kNodes, primitive("vip"), "", status));
  EXPECT_EQ(summaryOf(t), (V{"Start vip (n2)"}));
}

TEST(Fencing, RequiresNothingStartsWithoutQuorum) {
  std::string xml =
      cib(kNodes, primitive("free", nvpair("free-r", "requires", "nothing")) + primitive("bound"),
          "", emptyStatus(kNodes));
  xml.replace(xml.find("have-quorum=\"1\""), 15, "have-quorum=\"0\"");
  EXPECT_EQ(summaryOf(scheduleOk(xml)), (V{"Start bound (n2) blocked", "Start free (n1)"}));
}

TEST(Fencing, AJoiningMemberHoldsBackStartsUntilItCanProbe) {
  // n2 is still joining: vip cannot be probed there, so it cannot start anywhere yet.
  std::string status = nodeState("1", "n1", fencerHistory({{"start", 0, 2}})) +
                       "<node_state id=\"2\" uname=\"n2\" in_ccm=\"true\" crmd=\"online\" "
                       "join=\"pending\" expected=\"member\"/>";
  auto t = scheduleOk(withFencing(cib(kNodes, fenceDevice() + primitive("vip"), "", status)));
  EXPECT_EQ(summaryOf(t), (V{"Start vip (n1) blocked"}));
}

TEST(Fencing, AFencedNodeRunsNothingAfterwards) {
  // The fence device also ran on n2, which is fenced for a failed stop: after the
  // transition it runs on n1 only, without being moved.
  std::string status = nodeState("1", "n1", fencerHistory({{"start", 0, 2}})) +
                       nodeState("2", "n2",
                                 fencerHistory({{"start", 0, 2}}) +
                                     history("vip", {{"start", 0, 3}, {"stop", 1, 4}}));
  auto t = scheduleOk(withFencing(cib(kNodes, fenceDevice() + primitive("vip"), "", status)));
  EXPECT_EQ(summaryOf(t), (V{"Fence (reboot) n2 ()", "Recover vip (n2 -> n1)"}));
  EXPECT_EQ(placedOn(t, "fencer"), "n1");
  for (const ResourceView& r : t.revised.resources) {
    if (r.id == "fencer") {
      EXPECT_EQ(r.nodes.size(), 1u);
    }
  }
}

std::string unfencingDevice() {
  return "<primitive id=\"fencer\" class=\"stonith\" type=\"fence_scsi\">"
         "<meta_attributes id=\"fencer-m\">" +
         nvpair("fencer-p", "provides", "unfencing") + "</meta_attributes></primitive>";
}

TEST(Unfencing, NodesNeverUnfencedAreUnfencedBeforeTheDeviceProbes) {
  auto t = scheduleOk(withFencing(cib(kNodes, unfencingDevice(), "", emptyStatus(kNodes))));
  EXPECT_EQ(summaryOf(t), (V{"Fence (on) n1 ()", "Fence (on) n2 ()", "Start fencer (n1)"}));
  ASSERT_FALSE(t.summary.empty());
  EXPECT_EQ(t.summary[0].reason, "required by fencer monitor");
  // The start is still carried out.
  EXPECT_NE(actionOf(t, "start", "fencer", "n1"), nullptr);
}

TEST(Unfencing, AnUnfencedNodeIsLeftAlone) {
  std::string status;
  for (const char* id : {"1", "2"}) {
    std::string name = std::string("n") + id;
    std::string ns = nodeState(id, name);
    ns.insert(ns.find("</node_state>"),
              std::string("<transient_attributes id=\"") + id + "\"><instance_attributes id=\"u" +
                  id + "\">" +
                  nvpair(std::string("u") + id + "-a", "#node-unfenced", "1700000000") +
                  "</instance_attributes></transient_attributes>");
    status += ns;
  }
  auto t = scheduleOk(withFencing(cib(kNodes, unfencingDevice(), "", status)));
  EXPECT_EQ(summaryOf(t), (V{"Start fencer (n1)"}));
}

}  // namespace
}  // namespace pulse::pe
