// Pacemaker Remote nodes: a remote node is defined by its connection resource (an
// ocf:pacemaker:remote primitive named like the node) and runs resources while the
// connection runs on a member. Expected results are Debian's crm_simulate 2.1.5 on the same
// CIBs.
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

std::string connection(const std::string& meta = "") {
  std::string s = "<primitive id=\"r1\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\">";
  if (!meta.empty()) s += "<meta_attributes id=\"r1-meta\">" + meta + "</meta_attributes>";
  return s + "</primitive>";
}

// `rsc`'s history of one successful start (call 2), as an ocf:pacemaker:remote resource.
std::string remoteStarted(const std::string& rsc) {
  std::string h = history(rsc, {{"start", 0, 2}});
  h.replace(h.find("type=\"Dummy\""), 12, "type=\"remote\"");
  return h;
}

// The connection r1 running on n1, and the remote node r1's own status with `lrm` inside.
std::string statusWithRemote(const std::string& lrm = "") {
  std::string remote = "<node_state id=\"r1\" uname=\"r1\" remote_node=\"true\">";
  if (!lrm.empty()) remote += "<lrm id=\"r1\"><lrm_resources>" + lrm + "</lrm_resources></lrm>";
  remote += "</node_state>";
  return nodeState("1", "n1", remoteStarted("r1")) + nodeState("2", "n2") + remote;
}

const char* kWebOnRemote = "<rsc_location id=\"l\" rsc=\"web\" node=\"r1\" score=\"100\"/>";

std::vector<NodeView> remoteNodes(const ClusterView& view) {
  std::vector<NodeView> out;
  for (const NodeView& n : view.nodes) {
    if (n.remote) out.push_back(n);
  }
  return out;
}

// A fence_xvm device, and its start (call 2) as recorded in a node's history.
const char* kFencer = "<primitive id=\"fencer\" class=\"stonith\" type=\"fence_xvm\"/>";
std::string fencerStarted() {
  std::string h = history("fencer", {{"start", 0, 2}});
  const std::string dummy = "class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"";
  h.replace(h.find(dummy), dummy.size(), "class=\"stonith\" type=\"fence_xvm\"");
  return h;
}

// `xml` (from cib(), which writes stonith-enabled=false) with fencing on.
std::string withFencing(std::string xml) {
  xml.replace(xml.find("value=\"false\""), 13, "value=\"true\"");  // stonith-enabled
  return xml;
}

// The nodes the transition fences, sorted.
V fencedIn(const Transition& t) {
  V fenced;
  for (const SummaryItem& s : t.summary) {
    if (s.verb.rfind("Fence", 0) == 0) fenced.push_back(s.resource);
  }
  std::sort(fenced.begin(), fenced.end());
  return fenced;
}

// vm, an ocf:heartbeat:VirtualDomain whose remote-node meta-attribute makes it the container
// of guest node g1.
std::string guestContainer() {
  return "<primitive id=\"vm\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">"
         "<meta_attributes id=\"vm-meta\">" +
         nvpair("vm-rn", "remote-node", "g1") + "</meta_attributes></primitive>";
}

TEST(RemoteNodes, TheConnectionDefinesAnOnlineRemoteNodeThatRunsResources) {
  auto t =
      scheduleOk(cib(kMembers, connection() + primitive("web"), kWebOnRemote, statusWithRemote()));
  EXPECT_EQ(summaryOf(t), (V{"Start web (r1)"}));
  auto remote = remoteNodes(t.current);
  ASSERT_EQ(remote.size(), 1u);
  EXPECT_EQ(remote[0].name, "r1");
  EXPECT_TRUE(remote[0].online);
}

TEST(RemoteNodes, ANodeOfTypeRemoteInTheNodesSectionIsTheSameNode) {
  std::string xml =
      cib(kMembers, connection() + primitive("web"), kWebOnRemote, statusWithRemote());
  const std::string nodes_end = "</nodes>";
  xml.insert(xml.find(nodes_end), "<node id=\"r1\" uname=\"r1\" type=\"remote\"/>");
  auto t = scheduleOk(xml);
  EXPECT_EQ(summaryOf(t), (V{"Start web (r1)"}));
  EXPECT_EQ(remoteNodes(t.current).size(), 1u);
}

TEST(RemoteNodes, StoppingTheConnectionMovesWhatRunsOnTheRemoteNode) {
  auto t = scheduleOk(
      cib(kMembers, connection(nvpair("r1-role", "target-role", "Stopped")) + primitive("web"),
          kWebOnRemote, statusWithRemote(history("web", {{"start", 0, 3}}))));
  EXPECT_EQ(summaryOf(t), (V{"Move web (r1 -> n1)", "Stop r1 (n1)"}));
  auto remote = remoteNodes(t.revised);
  ASSERT_EQ(remote.size(), 1u);
  EXPECT_FALSE(remote[0].online);  // RemoteOFFLINE once the connection is stopped
}

TEST(RemoteNodes, WithoutItsConnectionRunningTheRemoteNodeIsOfflineUntilItStarts) {
  // Nothing has run yet: the connection starts on a member and web may go to r1 as soon as
  // it does.
  std::string status = nodeState("1", "n1") + nodeState("2", "n2");
  auto t = scheduleOk(cib(kMembers, connection() + primitive("web"), kWebOnRemote, status));
  auto remote = remoteNodes(t.current);
  ASSERT_EQ(remote.size(), 1u);
  EXPECT_FALSE(remote[0].online);
  V summary = summaryOf(t);
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_EQ(summary[0].rfind("Start r1 (n", 0), 0u);
  EXPECT_EQ(summary[1], "Start web (r1)");
}

TEST(RemoteNodes, ConnectionsAndFencingDevicesNeverRunOnRemoteNodes) {
  auto t = scheduleOk(cib(kMembers, connection() + kFencer,
                          "<rsc_location id=\"l\" rsc=\"fencer\" node=\"r1\" score=\"100\"/>",
                          statusWithRemote()));
  EXPECT_NE(placedOn(t, "fencer"), "r1");
  EXPECT_EQ(placedOn(t, "r1"), "n1");
}

// Fencing on, a device on n2; the connection r1 ran on n1, which has left the cluster
// unexpectedly, and `resources` have `remote_lrm` as their history on r1 (by default web,
// running there). `constraints` may keep r1 off n2.
Transition hostOfConnectionLost(const std::string& constraints,
                                const std::string& resources = primitive("web"),
                                const std::string& remote_lrm = history("web", {{"start", 0, 3}})) {
  std::string n1 = nodeState("1", "n1", remoteStarted("r1"));
  const std::string up = "in_ccm=\"true\" crmd=\"online\"";
  n1.replace(n1.find(up), up.size(), "in_ccm=\"false\" crmd=\"offline\"");
  std::string status = n1 + nodeState("2", "n2", fencerStarted()) +
                       "<node_state id=\"r1\" uname=\"r1\" remote_node=\"true\"><lrm id=\"r1\">"
                       "<lrm_resources>" +
                       remote_lrm + "</lrm_resources></lrm></node_state>";
  return scheduleOk(
      withFencing(cib(kMembers, kFencer + connection() + resources, constraints, status)));
}

TEST(RemoteNodes, AnUnrecoverableConnectionFencesTheRemoteNodeItsResourcesStopOn) {
  auto t =
      hostOfConnectionLost("<rsc_location id=\"ban\" rsc=\"r1\" node=\"n2\" score=\"-INFINITY\"/>");
  EXPECT_EQ(fencedIn(t), (V{"n1", "r1"}));
}

TEST(RemoteNodes, AConnectionThatCanMoveSparesTheRemoteNode) {
  auto t = hostOfConnectionLost("");
  EXPECT_EQ(fencedIn(t), (V{"n1"}));
  EXPECT_EQ(placedOn(t, "r1"), "n2");
  EXPECT_EQ(placedOn(t, "web"), "r1");
}

// Fencing on with a device on n2; the connection r1 runs on n1 and its recurring monitor
// failed there. `remote_state_extra` goes into the remote node's node_state element.
Transition connectionMonitorFailed(const std::string& remote_state_extra) {
  std::string r1_history = history("r1", {{"start", 0, 2}, {"monitor", 1, 3, 60000}});
  r1_history.replace(r1_history.find("type=\"Dummy\""), 12, "type=\"remote\"");
  std::string status = nodeState("1", "n1", r1_history) + nodeState("2", "n2", fencerStarted()) +
                       "<node_state id=\"r1\" uname=\"r1\" remote_node=\"true\"" +
                       remote_state_extra + "/>";
  return scheduleOk(withFencing(cib(kMembers, kFencer + connection(), "", status)));
}

TEST(RemoteNodes, AFailedConnectionMonitorFencesTheRemoteNodeAndRecoversTheConnection) {
  auto t = connectionMonitorFailed("");
  V lines;
  for (const SummaryItem& s : t.summary) lines.push_back(s.verb + " " + s.resource);
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (V{"Fence (reboot) r1", "Recover r1"}));
}

TEST(RemoteNodes, ARemoteNodeAlreadyFencedIsNotFencedAgainForItsConnection) {
  auto t = connectionMonitorFailed(" node_fenced=\"1\"");
  for (const SummaryItem& s : t.summary) EXPECT_EQ(s.verb.rfind("Fence", 0), std::string::npos);
}

// vm's remote-node meta-attribute makes it the container of guest node g1; web prefers g1.
Transition guestCluster(const std::string& status) {
  return scheduleOk(cib(kMembers, guestContainer() + primitive("web"),
                        "<rsc_location id=\"l\" rsc=\"web\" node=\"g1\" score=\"100\"/>", status));
}

TEST(GuestNodes, AContainerWithRemoteNodeStartsAGuestThatRunsResources) {
  auto t = guestCluster(emptyStatus(kMembers));
  V summary = summaryOf(t);
  ASSERT_EQ(summary.size(), 3u);
  // The connection g1 starts with its container (colocated), and web on the guest.
  const std::string host = placedOn(t, "vm");
  EXPECT_NE(host, "");
  EXPECT_EQ(summary[0], "Start g1 (" + host + ")");
  EXPECT_EQ(summary[1], "Start vm (" + host + ")");
  EXPECT_EQ(summary[2], "Start web (g1)");
  // crm_mon lists neither the made-up connection nor the guest while it is down.
  for (const ResourceView& r : t.current.resources) EXPECT_NE(r.id, "g1");
  for (const NodeView& n : t.current.nodes) {
    if (n.name == "g1") {
      EXPECT_TRUE(n.guest && !n.online);
    }
  }
}

TEST(GuestNodes, InAnAsymmetricClusterTheGuestGoesWhereverItsContainerIsAllowed) {
  auto t = scheduleOk(cib(kMembers, guestContainer() + primitive("web"),
                          "<rsc_location id=\"l1\" rsc=\"vm\" node=\"n2\" score=\"10\"/>"
                          "<rsc_location id=\"l2\" rsc=\"web\" node=\"g1\" score=\"100\"/>",
                          emptyStatus(kMembers), nvpair("sym", "symmetric-cluster", "false")));
  EXPECT_EQ(summaryOf(t), (V{"Start g1 (n2)", "Start vm (n2)", "Start web (g1)"}));
}

TEST(RemoteNodes, AnAnonymousCloneProbedOnTheRemoteNodeLeavesNothingUnknownThere) {
  // As in hostOfConnectionLost, with r1 kept off n2 so its connection cannot be recovered;
  // the only resource is an anonymous clone, which a probe on r1 found stopped there. No
  // instance's state on r1 is unknown, so r1 is not fenced (only n1 is).
  auto t = hostOfConnectionLost(
      "<rsc_location id=\"ban\" rsc=\"r1\" node=\"n2\" score=\"-INFINITY\"/>",
      "<clone id=\"cl\">" + primitive("c") + "</clone>", history("c", {{"monitor", 7, 3, 0, 7}}));
  EXPECT_EQ(fencedIn(t), (V{"n1"}));
}

TEST(RemoteNodes, AnOrphanedConnectionsNodeIsEmptiedBeforeTheConnectionStops) {
  // r1's connection was removed from the configuration while it still runs on n1, and web
  // runs on r1: r1 still counts as a remote node, shutting down, so web moves off it and the
  // connection stops afterwards.
  auto t = scheduleOk(cib(kMembers, primitive("web"),
                          "<rsc_location id=\"l\" rsc=\"web\" node=\"n2\" score=\"100\"/>",
                          statusWithRemote(history("web", {{"start", 0, 2}}))));
  EXPECT_EQ(summaryOf(t), (V{"Move web (r1 -> n2)", "Stop r1 (n1)"}));
  auto remote = remoteNodes(t.current);
  ASSERT_EQ(remote.size(), 1u);
  EXPECT_TRUE(remote[0].online);
}

// gate, disabled, must start before the connection r1 (so r1 cannot start anywhere), and
// web: what the connection's blocked start does to web on r1.
const char* kGateBeforeConnection =
    "<rsc_order id=\"gate-then-r1\" first=\"gate\" then=\"r1\" kind=\"Mandatory\"/>";
std::string disabled(const std::string& id) {
  return primitive(id, nvpair(id + "-role", "target-role", "Stopped"));
}

TEST(RemoteNodes, AResourceCannotStartOnARemoteNodeWhoseConnectionCannotStart) {
  // r1 is placed (so r1 counts as online and web goes there), but its start is blocked:
  // web's start on r1 waits for it (crm_simulate 2.1.5: "Start web (r1) due to unrunnable r1
  // start (blocked)").
  std::string status = nodeState("1", "n1") + nodeState("2", "n2");
  auto t = scheduleOk(cib(kMembers, disabled("gate") + connection() + primitive("web"),
                          std::string(kWebOnRemote) + kGateBeforeConnection, status));
  V summary = summaryOf(t);
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_EQ(summary[0].rfind("Start r1 (n", 0), 0u);
  EXPECT_NE(summary[0].find(" blocked"), std::string::npos);
  EXPECT_EQ(summary[1], "Start web (r1) blocked");
}

TEST(RemoteNodes, AStopWaitsForTheConnectionToComeBackFromALostMember) {
  // n1, where r1 ran, is lost: r1 would recover on n2, and web (disabled) stops on r1 once
  // it has. With r1's start blocked, web's stop cannot happen in this transition either.
  auto blocked = hostOfConnectionLost(kGateBeforeConnection, disabled("gate") + disabled("web"));
  EXPECT_EQ(fencedIn(blocked), (V{"n1"}));
  const V summary = summaryOf(blocked);
  EXPECT_NE(std::find(summary.begin(), summary.end(), "Stop web (r1) blocked"), summary.end())
      << ::testing::PrintToString(summary);
  EXPECT_EQ(placedOn(blocked, "web"), "r1");

  // Without the gate, r1 moves to n2 and web stops through it.
  auto moved = hostOfConnectionLost("", disabled("web"));
  EXPECT_EQ(placedOn(moved, "r1"), "n2");
  EXPECT_EQ(placedOn(moved, "web"), "");
}

}  // namespace
}  // namespace pulse::pe
