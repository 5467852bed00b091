// Peer credentials (crmd/replication/peer_auth.h): a node's secret identifies it, and a message
// that claims to come from, or speaks for, another node is refused. Before, every member presented
// one cluster-wide token (HMAC of the cluster key), and `from` was taken on trust.
#include "crmd/replication/peer_auth.h"

#include <gtest/gtest.h>

#include "crmd/client/crypto.h"
#include "crmd/client/secure_file.h"
#include "temp_dir.h"

namespace pulse::crmd {
namespace {

membership::ClusterConfig threeNodes() {
  membership::ClusterConfig config;
  config.cluster_name = "web";
  config.nodes = {
      {1, "n1", "192.0.2.11", 1}, {2, "n2", "192.0.2.12", 1}, {3, "n3", "192.0.2.13", 1}};
  return config;
}

const std::map<std::string, std::string> kSecrets = {
    {"n1", std::string(64, 'a')}, {"n2", std::string(64, 'b')}, {"n3", std::string(64, 'c')}};

PeerAuthenticator authenticatorOf(const std::string& self) {
  auto hashes = parsePeerHashes(formatPeerHashes(kSecrets), "test");
  EXPECT_TRUE(hashes.ok());
  return PeerAuthenticator(threeNodes(), kSecrets.at(self), *hashes);
}

peer::PeerEnvelope syncQueryFrom(membership::NodeId from) {
  peer::PeerEnvelope envelope;
  envelope.set_from(from);
  envelope.set_sync_query(true);
  return envelope;
}

TEST(PeerAuth, ASecretIdentifiesItsNode) {
  const PeerAuthenticator receiver = authenticatorOf("n3");
  auto sender = receiver.authenticate(kSecrets.at("n1"), syncQueryFrom(1));
  ASSERT_TRUE(sender.ok()) << sender.error().message;
  EXPECT_EQ(*sender, 1u);
  EXPECT_EQ(*receiver.authenticate(kSecrets.at("n2"), syncQueryFrom(2)), 2u);
}

TEST(PeerAuth, NodeACannotClaimToBeNodeB) {
  const PeerAuthenticator receiver = authenticatorOf("n3");
  auto forged = receiver.authenticate(kSecrets.at("n1"), syncQueryFrom(2));
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().message, "peer credential of n1 used for a message from node 2");

  peer::PeerEnvelope leave = syncQueryFrom(1);
  leave.mutable_leave()->set_node("n2");  // "n2 is leaving, move its resources, do not fence"
  EXPECT_FALSE(receiver.authenticate(kSecrets.at("n1"), leave).ok());
  leave.mutable_leave()->set_node("n1");
  EXPECT_TRUE(receiver.authenticate(kSecrets.at("n1"), leave).ok());

  peer::PeerEnvelope report = syncQueryFrom(1);
  report.mutable_report()->mutable_action()->set_node("n2");  // a result of n2's action
  EXPECT_FALSE(receiver.authenticate(kSecrets.at("n1"), report).ok());
}

// A fencing result is what lets a new DC record a node fenced instead of fencing it: only the
// node that ran the fence device may report it.
TEST(PeerAuth, OnlyTheNodeThatFencedReportsTheResult) {
  const PeerAuthenticator receiver = authenticatorOf("n3");
  peer::PeerEnvelope result = syncQueryFrom(1);
  result.mutable_fence_result()->mutable_event()->set_target("n2");
  result.mutable_fence_result()->mutable_event()->set_delegate("n3");
  result.mutable_fence_result()->set_ok(true);
  auto forged = receiver.authenticate(kSecrets.at("n1"), result);
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().message,
            "peer credential of n1 used to report a fencing carried out by another node");
  result.mutable_fence_result()->mutable_event()->set_delegate("n1");
  EXPECT_TRUE(receiver.authenticate(kSecrets.at("n1"), result).ok());
}

TEST(PeerAuth, TheOldClusterWideTokenAndUnknownSecretsAreRefused) {
  const PeerAuthenticator receiver = authenticatorOf("n3");
  // What every member could compute before: HMAC-SHA256(cluster key, "pulse-peer-v1").
  const std::string cluster_wide = hmacSha256Hex(std::string(32, 'k'), "pulse-peer-v1");
  for (const std::string& token : {cluster_wide, std::string(64, 'd'), std::string()}) {
    auto result = receiver.authenticate(token, syncQueryFrom(1));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message, "invalid peer credential");
  }
}

TEST(PeerAuth, ANodeStoresItsOwnSecretAndOnlyHashesOfTheOthers) {
  TempDir dir;
  const std::string hashes = formatPeerHashes(kSecrets);
  EXPECT_FALSE(writePeerCredentials(dir.path(), "n1", kSecrets.at("n2"), hashes).ok());
  ASSERT_TRUE(writePeerCredentials(dir.path(), "n1", kSecrets.at("n1"), hashes).ok());
  EXPECT_EQ(fileMode(peerSecretPath(dir.path())), 0600u);
  auto stored = readFile(peerHashesPath(dir.path()));
  ASSERT_TRUE(stored.ok());
  for (const auto& [node, secret] : kSecrets) {
    EXPECT_EQ(stored->find(secret), std::string::npos) << node;
  }
  auto loaded = PeerAuthenticator::load(dir.path(), threeNodes());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->ownSecret(), kSecrets.at("n1"));
  EXPECT_TRUE(loaded->authenticate(kSecrets.at("n3"), syncQueryFrom(3)).ok());

  TempDir empty;
  auto missing = PeerAuthenticator::load(empty.path(), threeNodes());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("run pcs cluster setup again"), std::string::npos);
}

}  // namespace
}  // namespace pulse::crmd
