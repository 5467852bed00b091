// Guest nodes: a resource (the container, a VM say) whose remote-node meta-attribute defines a
// node that runs resources while the container and the guest's connection run. A guest is
// "fenced" by recovering its container: the transition shows a fence pseudo-action for it,
// and what ran there stops with the container and starts again once the guest is back.
// Expected results are Debian's crm_simulate 2.1.5 on the same CIBs.
#include <algorithm>
#include <string>
#include <vector>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kMembers = {"n1", "n2"};

// vm, the container of guest node g1 (its remote-node meta-attribute), monitored every 10 s;
// `meta` adds meta-attributes.
std::string container(const std::string& meta) {
  return "<primitive id=\"vm\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
         "<meta_attributes id=\"vm-meta\">" +
         nvpair("vm-rn", "remote-node", "g1") + meta +
         "</meta_attributes><operations>"
         "<op id=\"vm-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive>";
}

// web, kept on the guest.
const std::string kWebOnGuest = "<rsc_location id=\"l\" rsc=\"web\" node=\"g1\" score=\"100\"/>";

// A fence_xvm device and its start (call 2), for n2's history.
const char* kFencer = "<primitive id=\"fencer\" class=\"stonith\" type=\"fence_xvm\"/>";
std::string fencerStarted() {
  return asAgent(history("fencer", {{"start", 0, 2}}), "stonith", "", "fence_xvm");
}

// The guest's connection g1 started (call 3) on its container's host.
std::string connectionStarted() {
  return asAgent(history("g1", {{"start", 0, 3}}), "ocf", "pacemaker", "remote");
}

// g1's own status: web started there (call 2).
std::string guestStatus() {
  return "<node_state id=\"g1\" uname=\"g1\" remote_node=\"true\"><lrm id=\"g1\"><lrm_resources>" +
         history("web", {{"start", 0, 2}}) + "</lrm_resources></lrm></node_state>";
}

// vm runs on n1 with history `vm_ops`, the connection with it, web on g1; n2 runs fencer.
// `n1_up`: whether n1 is still a member; `fencing`: stonith-enabled; `vm_meta`: more
// meta-attributes of vm.
struct GuestSetup {
  std::vector<Op> vm_ops = {{"start", 0, 2}};
  bool n1_up = true;
  bool fencing = false;
  std::string constraints = kWebOnGuest;
  std::string vm_meta;
};

// vm's recurring monitor failed (call 4) after its start.
const std::vector<Op> kContainerFailed = {{"start", 0, 2}, {"monitor", 1, 4, 10000}};

Transition guestCluster(const GuestSetup& g) {
  const std::vector<Op>& vm_ops = g.vm_ops;
  const bool n1_up = g.n1_up;
  std::string xml = cib(kMembers, kFencer + container(g.vm_meta) + primitive("web"), g.constraints,
                        nodeState("1", "n1", history("vm", vm_ops) + connectionStarted(), n1_up) +
                            nodeState("2", "n2", fencerStarted()) + guestStatus());
  if (g.fencing) xml.replace(xml.find("value=\"false\""), 13, "value=\"true\"");  // stonith-enabled
  return scheduleOk(xml);
}

// The Transition Summary's node actions ("Fence (reboot) g1 (resource: vm) 'reason'").
V fenceLines(const Transition& t) {
  V out;
  for (const SummaryItem& s : t.summary) {
    if (s.verb.rfind("Fence", 0) == 0)
      out.push_back(s.verb + " " + s.resource + " '" + s.reason + "'");
  }
  return out;
}

// The resource lines of the Transition Summary, sorted, with the reason when there is one.
V resourceLines(const Transition& t) {
  V out;
  for (const SummaryItem& s : t.summary) {
    if (s.verb.rfind("Fence", 0) == 0) continue;
    out.push_back(s.verb + " " + s.resource + " (" + s.details + ")" +
                  (s.reason.empty() ? "" : " " + s.reason));
  }
  std::sort(out.begin(), out.end());
  return out;
}

const NodeView* nodeNamed(const ClusterView& view, const std::string& name) {
  for (const NodeView& n : view.nodes) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

const Action* actionKeyed(const Transition& t, const std::string& key) {
  for (const Action& a : t.actions) {
    if (a.key == key) return &a;
  }
  return nullptr;
}

bool orderedBefore(const Transition& t, const std::string& first, const std::string& then) {
  const Action* f = actionKeyed(t, first);
  const Action* th = actionKeyed(t, then);
  if (f == nullptr || th == nullptr) return false;
  return std::any_of(t.orderings.begin(), t.orderings.end(),
                     [&](const Ordering& o) { return o.first == f->id && o.then == th->id; });
}

TEST(GuestNodes, AFailedContainerFencesItsGuestByRecoveringIt) {
  // Even with fencing disabled: the guest's "fencing" is the container's recovery.
  GuestSetup g;
  g.vm_ops = kContainerFailed;
  auto t = guestCluster(g);
  EXPECT_EQ(fenceLines(t), (V{"Fence (reboot) g1 (resource: vm) 'guest is unclean'"}));
  EXPECT_EQ(resourceLines(t),
            (V{"Recover vm (n1)", "Recover web (g1)", "Restart g1 (n1) due to required vm start"}));
  // The fencing is a pseudo-action after the container's stop; web's stop is implied by it.
  const Action* fence = actionKeyed(t, "stonith-g1-reboot");
  ASSERT_NE(fence, nullptr);
  EXPECT_TRUE(fence->pseudo);
  EXPECT_TRUE(orderedBefore(t, "vm_stop_0", "stonith-g1-reboot"));
  const Action* web_stop = actionKeyed(t, "web_stop_0");
  ASSERT_NE(web_stop, nullptr);
  EXPECT_TRUE(web_stop->pseudo);
  EXPECT_TRUE(orderedBefore(t, "stonith-g1-reboot", "web_stop_0"));
  // The guest stays clean (crm_mon does not list it while down) and is back afterwards.
  const NodeView* before = nodeNamed(t.current, "g1");
  ASSERT_NE(before, nullptr);
  EXPECT_FALSE(before->unclean);
  const NodeView* after = nodeNamed(t.revised, "g1");
  ASSERT_NE(after, nullptr);
  EXPECT_TRUE(after->online);
  EXPECT_EQ(placedOn(t, "web"), "g1");
}

TEST(GuestNodes, AGuestWhoseContainerStopsForGoodIsFencedOff) {
  GuestSetup g;
  g.vm_ops = kContainerFailed;
  g.vm_meta = nvpair("vm-tr", "target-role", "Stopped");
  auto t = guestCluster(g);
  EXPECT_EQ(fenceLines(t), (V{"Fence (off) g1 (resource: vm) 'guest is unclean'"}));
  EXPECT_EQ(resourceLines(t), (V{"Recover web (g1 -> n1)", "Stop g1 (n1) due to node availability",
                                 "Stop vm (n1) due to node availability"}));
}

TEST(GuestNodes, WhatAGuestsFencingStoppedStaysInItsHistory) {
  // Simulated, the guest's fencing and the stops it implies record nothing: with fencing on,
  // the guest's history is still read after the transition, web shows as active on the guest
  // that is now down (so failed) as well as on n1, and vm as failed since g1 needs fencing
  // again. Without fencing that history is not read: web just runs on n1.
  GuestSetup g;
  g.vm_ops = kContainerFailed;
  g.vm_meta = nvpair("vm-tr", "target-role", "Stopped");
  g.fencing = true;
  auto fenced = guestCluster(g);
  const ResourceView* web = nullptr;
  const ResourceView* vm = nullptr;
  for (const ResourceView& r : fenced.revised.resources) {
    if (r.id == "web") web = &r;
    if (r.id == "vm") vm = &r;
  }
  ASSERT_NE(web, nullptr);
  ASSERT_NE(vm, nullptr);
  EXPECT_EQ(web->nodes, (V{"n1", "g1"}));
  EXPECT_TRUE(web->failed);
  EXPECT_TRUE(vm->nodes.empty());
  EXPECT_TRUE(vm->failed);
  g.fencing = false;
  auto unfenced = guestCluster(g);
  for (const ResourceView& r : unfenced.revised.resources) {
    if (r.id == "web") {
      EXPECT_EQ(r.nodes, (V{"n1"}));
      EXPECT_FALSE(r.failed);
    }
    if (r.id == "vm") {
      EXPECT_FALSE(r.failed);
    }
  }
}

TEST(GuestNodes, AGuestOnALostHostIsFencedAfterTheHost) {
  GuestSetup g;
  g.n1_up = false;
  g.fencing = true;
  auto t = guestCluster(g);
  EXPECT_EQ(fenceLines(t), (V{"Fence (reboot) g1 (resource: vm) 'guest is unclean'",
                              "Fence (reboot) n1 'vm is thought to be active there'"}));
  EXPECT_EQ(resourceLines(t),
            (V{"Move g1 (n1 -> n2)", "Recover vm (n1 -> n2)", "Recover web (g1)"}));
  // The container's stop is implied by n1's fencing, so the guest is down once n1 is.
  EXPECT_TRUE(orderedBefore(t, "stonith-n1-reboot", "vm_stop_0"));
  EXPECT_TRUE(orderedBefore(t, "vm_stop_0", "stonith-g1-reboot"));
  EXPECT_TRUE(orderedBefore(t, "stonith-g1-reboot", "web_stop_0"));
}

TEST(GuestNodes, MovingTheContainerRestartsWhatRunsOnTheGuest) {
  GuestSetup g;
  g.constraints += "<rsc_location id=\"lv\" rsc=\"vm\" node=\"n2\" score=\"100\"/>";
  auto t = guestCluster(g);
  EXPECT_TRUE(fenceLines(t).empty());
  EXPECT_EQ(resourceLines(t),
            (V{"Move fencer (n2 -> n1)", "Move g1 (n1 -> n2)", "Move vm (n1 -> n2)",
               "Restart web (g1) due to required vm start"}));
}

TEST(GuestNodes, OrderingTheContainerBeforeAGuestResourceDoesNotLoopWhenTheGuestIsFenced) {
  // "vm then web" would also make vm's stop wait for web's, which the guest's fencing implies
  // after vm's stop: that half stays out of the graph.
  GuestSetup g;
  g.vm_ops = kContainerFailed;
  g.constraints += "<rsc_order id=\"o\" first=\"vm\" then=\"web\"/>";
  auto t = guestCluster(g);
  EXPECT_EQ(resourceLines(t),
            (V{"Recover vm (n1)", "Recover web (g1)", "Restart g1 (n1) due to required vm start"}));
  EXPECT_FALSE(orderedBefore(t, "web_stop_0", "vm_stop_0"));
  EXPECT_TRUE(orderedBefore(t, "vm_start_0", "web_start_0"));
}

// Fencing on, fencer on n2; vm and its guest g1 are no longer configured, but vm still runs on
// n1 with g1's connection, whose history names vm as its container and shows an old failure
// (call 1) before its last start (call 3); web runs on g1 and prefers n2.
std::string orphanedGuestCib() {
  std::string connection = asAgent(history("g1", {{"monitor", 1, 1, 30000}, {"start", 0, 3}}),
                                   "ocf", "pacemaker", "remote");
  connection.insert(connection.find('>'), " container=\"vm\"");
  std::string xml = cib(kMembers, kFencer + primitive("web"),
                        "<rsc_location id=\"l\" rsc=\"web\" node=\"n2\" score=\"100\"/>",
                        nodeState("1", "n1", history("vm", {{"start", 0, 2}}) + connection) +
                            nodeState("2", "n2", fencerStarted()) + guestStatus());
  xml.replace(xml.find("value=\"false\""), 13, "value=\"true\"");  // stonith-enabled
  return xml;
}

TEST(GuestNodes, AnOrphanedGuestIsEmptiedAndStoppedWithoutFencing) {
  // The connection's history links it to vm, so g1 is vm's guest: the failure its later start
  // cleared fences nothing, web leaves g1 before the connection stops, and both orphans stop.
  auto t = scheduleOk(orphanedGuestCib());
  EXPECT_TRUE(fenceLines(t).empty());
  EXPECT_EQ(resourceLines(t), (V{"Move web (g1 -> n2)", "Stop g1 (n1) due to node availability",
                                 "Stop vm (n1) due to node availability"}));
  EXPECT_TRUE(orderedBefore(t, "web_stop_0", "g1_stop_0"));
  const NodeView* g1 = nodeNamed(t.current, "g1");
  ASSERT_NE(g1, nullptr);
  EXPECT_TRUE(g1->guest && g1->online);
}

}  // namespace
}  // namespace pulse::pe
