// Pacemaker Remote nodes: a remote node is defined by its connection resource (an
// ocf:pacemaker:remote primitive named like the node) and runs resources while the
// connection runs on a member. Expected results are Debian's crm_simulate 2.1.5 on the same
// CIBs.
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
  std::string fencer = "<primitive id=\"fencer\" class=\"stonith\" type=\"fence_xvm\"/>";
  auto t = scheduleOk(cib(kMembers, connection() + fencer,
                          "<rsc_location id=\"l\" rsc=\"fencer\" node=\"r1\" score=\"100\"/>",
                          statusWithRemote()));
  EXPECT_NE(placedOn(t, "fencer"), "r1");
  EXPECT_EQ(placedOn(t, "r1"), "n1");
}

}  // namespace
}  // namespace pulse::pe
