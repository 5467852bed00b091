// A running cluster node receiving peer messages (NodeDaemon::deliverFromPeer, what the
// Peer service calls): only a cluster node's own peer secret is accepted, and only for
// messages from that node. Before, one cluster-wide token (HMAC of the cluster key) let any
// member send messages claiming to be any other.
//
// The membership binds the node's ring0 address on UDP 5405, so this runs in a private network
// namespace (in_netns.sh), where 127.0.0.1 and 127.0.0.2 are its own loopback.
#include <gtest/gtest.h>

#include <map>

#include "crmd/client/crypto.h"
#include "crmd/daemon/node_daemon.h"
#include "crmd/replication/peer_auth.h"
#include "membership/packet_auth.h"
#include "temp_dir.h"
#include "tests/fixtures/cluster_fixtures.h"

namespace pulse::crmd {
namespace {

peer::PeerEnvelope syncQueryFrom(NodeId from) {
  peer::PeerEnvelope envelope;
  envelope.set_from(from);
  envelope.set_sync_query(true);
  return envelope;
}

TEST(PeerDelivery, ARunningNodeAcceptsEachPeerOnlyAsItself) {
  TempDir dir;
  const std::map<std::string, std::string> secrets = {{"n1", toHex(*randomBytes(32))},
                                                      {"n2", toHex(*randomBytes(32))}};
  const ClusterFiles files = fixtures::twoNodeFiles(
      fixtures::twoNodeConfig("peers", "127.0.0.1", "127.0.0.2"), secrets, "n1");
  ASSERT_FALSE(files.key.empty());
  auto manager = NodeDaemon::open({dir.path(), "n1"});
  ASSERT_TRUE(manager.ok()) << manager.error().message;
  ASSERT_TRUE((*manager)->setup(files, false).ok());
  auto started = (*manager)->start();
  ASSERT_TRUE(started.ok()) << started.error().message;

  Status honest = (*manager)->deliverFromPeer(secrets.at("n2"), syncQueryFrom(2));
  EXPECT_TRUE(honest.ok()) << honest.error().message;

  // n2 claiming to be n1, or speaking for n1's leave: refused, naming what was wrong.
  Status claims_n1 = (*manager)->deliverFromPeer(secrets.at("n2"), syncQueryFrom(1));
  ASSERT_FALSE(claims_n1.ok());
  EXPECT_EQ(claims_n1.error().message, "peer credential of n2 used for a message from node 1");
  peer::PeerEnvelope leave = syncQueryFrom(2);
  leave.mutable_leave()->set_node("n1");
  EXPECT_FALSE((*manager)->deliverFromPeer(secrets.at("n2"), leave).ok());

  // The token every member could compute before is no credential any more.
  const std::string cluster_wide =
      hmacSha256Hex(std::string(files.key.begin(), files.key.end()), "pulse-peer-v1");
  Status old_token = (*manager)->deliverFromPeer(cluster_wide, syncQueryFrom(2));
  ASSERT_FALSE(old_token.ok());
  EXPECT_EQ(old_token.error().message, "invalid peer credential");
  (*manager)->stop();
}

}  // namespace
}  // namespace pulse::crmd
