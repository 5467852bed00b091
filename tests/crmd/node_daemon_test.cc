// NodeDaemon without the network: what setup() accepts and refuses, which files it writes
// with which modes, what open() says about damaged files, and what destroy() leaves behind.
// (Running memberships are exercised by the namespace test cluster.formation_netns.)
#include "crmd/daemon/node_daemon.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "crmd/client/secure_file.h"
#include "crmd/replication/peer_auth.h"
#include "membership/packet_auth.h"
#include "temp_dir.h"
#include "tests/fixtures/cluster_fixtures.h"

namespace pulse::crmd {
namespace {

const std::string kConfig = fixtures::twoNodeConfig("web", "192.0.2.11", "192.0.2.12");

// Each node's own peer secret (crmd/replication/peer_auth.h).
const std::map<std::string, std::string> kPeerSecrets = {{"n1", std::string(64, '1')},
                                                         {"n2", std::string(64, '2')}};

ClusterFiles validFiles(const std::string& self = "n1") {
  ClusterFiles files = fixtures::twoNodeFiles(kConfig, kPeerSecrets, self);
  files.known_hosts = "n2 192.0.2.12:2224 " + std::string(64, 'a') + " " + std::string(64, 'b');
  return files;
}

std::unique_ptr<NodeDaemon> openManager(const std::string& dir, const std::string& name) {
  auto manager = NodeDaemon::open({dir, name});
  EXPECT_TRUE(manager.ok()) << manager.error().message;
  return manager ? std::move(*manager) : nullptr;
}

TEST(NodeDaemon, SetupWritesTheFilesWithSecretsPrivate) {
  TempDir dir;
  auto manager = openManager(dir.path(), "n1");
  ASSERT_FALSE(manager->configured());
  ASSERT_TRUE(manager->setup(validFiles(), false).ok());
  EXPECT_TRUE(manager->configured());
  EXPECT_EQ(fileMode(dir.path() + "/authkey"), 0600u);
  EXPECT_EQ(fileMode(dir.path() + "/cluster-hosts"), 0600u);
  EXPECT_EQ(fileMode(dir.path() + "/peer-secret"), 0600u);
  EXPECT_EQ(fileMode(dir.path() + "/peer-hashes"), 0600u);
  EXPECT_EQ(fileMode(dir.path() + "/corosync.conf"), 0644u);
  // No cluster-wide certificate and key: nothing used them (each node has its own identity).
  EXPECT_FALSE(fileExists(dir.path() + "/cluster.key"));
  EXPECT_FALSE(fileExists(dir.path() + "/cluster.crt"));
  // pcs's own known-hosts is pcs host auth's alone: setup does not touch it.
  EXPECT_FALSE(fileExists(dir.path() + "/known-hosts"));
  // The node holds its own peer secret and only the hashes of the others'.
  auto hashes = readFile(dir.path() + "/peer-hashes");
  ASSERT_TRUE(hashes.ok());
  EXPECT_EQ(hashes->find(kPeerSecrets.at("n2")), std::string::npos);
  const ClusterSnapshot snapshot = manager->snapshot();
  EXPECT_TRUE(snapshot.configured);
  EXPECT_FALSE(snapshot.running);
  EXPECT_EQ(snapshot.cluster_name, "web");
  EXPECT_EQ(snapshot.local_id, 1u);
  ASSERT_EQ(snapshot.members.size(), 2u);
  EXPECT_EQ(snapshot.members[1].node.name, "n2");
}

TEST(NodeDaemon, SecondSetupNeedsForce) {
  TempDir dir;
  auto manager = openManager(dir.path(), "n1");
  ASSERT_TRUE(manager->setup(validFiles(), false).ok());
  Status again = manager->setup(validFiles(), false);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("in a cluster already (cluster 'web')"), std::string::npos)
      << again.error().message;
  EXPECT_TRUE(manager->setup(validFiles(), true).ok());
}

TEST(NodeDaemon, SetupRefusesBadFilesAndWritesNothing) {
  TempDir dir;
  auto manager = openManager(dir.path(), "n1");
  struct Case {
    const char* what;
    void (*spoil)(ClusterFiles&);
    const char* message;
  };
  const Case cases[] = {
      {"unparsable config", [](ClusterFiles& f) { f.config_text = "totem {\n"; }, "config"},
      {"node not listed",
       [](ClusterFiles& f) { f.config_text.replace(f.config_text.find("n1"), 2, "x1"); },
       "not in the node list"},
      {"short key", [](ClusterFiles& f) { f.key.resize(8); }, "cluster key"},
      {"another node's peer secret", [](ClusterFiles& f) { f.peer_secret = kPeerSecrets.at("n2"); },
       "peer secret"},
      {"no peer hashes", [](ClusterFiles& f) { f.peer_hashes.clear(); }, "peer secret"},
  };
  for (const Case& c : cases) {
    ClusterFiles files = validFiles();
    c.spoil(files);
    Status s = manager->setup(files, false);
    ASSERT_FALSE(s.ok()) << c.what;
    EXPECT_NE(s.error().message.find(c.message), std::string::npos)
        << c.what << ": " << s.error().message;
    EXPECT_FALSE(fileExists(dir.path() + "/corosync.conf")) << c.what;
    EXPECT_FALSE(fileExists(dir.path() + "/authkey")) << c.what;
  }
}

TEST(NodeDaemon, StartWithoutClusterSaysSo) {
  TempDir dir;
  auto manager = openManager(dir.path(), "n1");
  auto started = manager->start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find("pcs cluster setup"), std::string::npos);
  EXPECT_FALSE(manager->setEnabled(true).ok());
}

TEST(NodeDaemon, OpenNamesADamagedConfigOrKey) {
  TempDir dir;
  ASSERT_TRUE(openManager(dir.path(), "n1")->setup(validFiles(), false).ok());
  {
    std::ofstream(dir.path() + "/corosync.conf", std::ios::app) << "bogus_section {\n}\n";
    auto manager = NodeDaemon::open({dir.path(), "n1"});
    ASSERT_FALSE(manager.ok());
    EXPECT_NE(manager.error().message.find("corosync.conf"), std::string::npos)
        << manager.error().message;
  }
  ASSERT_TRUE(writeFileAtomic(dir.path() + "/corosync.conf", kConfig, 0644).ok());
  ASSERT_TRUE(writeFileAtomic(dir.path() + "/authkey", std::string(40, 'k'), 0644).ok());
  auto manager = NodeDaemon::open({dir.path(), "n1"});
  ASSERT_FALSE(manager.ok());
  EXPECT_NE(manager.error().message.find("cluster key"), std::string::npos)
      << manager.error().message;
}

TEST(NodeDaemon, DestroyRemovesTheClusterAndItsStateButKeepsTheNodeIdentity) {
  TempDir dir;
  auto manager = openManager(dir.path(), "n2");
  ASSERT_TRUE(manager->setup(validFiles("n2"), false).ok());
  EXPECT_EQ(manager->snapshot().local_id, 2u);
  auto warning = manager->setEnabled(true);
  ASSERT_TRUE(warning.ok()) << warning.error().message;
  EXPECT_TRUE(manager->enabled());
  // What a running cluster leaves: the CIB, a copy set aside as corrupt, saved engine inputs,
  // and an older release's unused cluster certificate; and what is the node's own: pcs's known
  // hosts, its identity and password.
  ASSERT_TRUE(writeFileAtomic(dir.path() + "/cluster.key", "old key", 0600).ok());
  ASSERT_TRUE(writeFileAtomic(dir.path() + "/cluster.crt", "old certificate", 0644).ok());
  for (const char* file : {"/cib.xml", "/cib.xml.corrupt-1", "/known-hosts", "/crmd.crt",
                           "/hacluster.passwd", "/membership.state"}) {
    ASSERT_TRUE(writeFileAtomic(dir.path() + file, "x", 0600).ok());
  }
  std::filesystem::create_directory(dir.path() + "/pengine");
  for (const char* file : {"/pengine/pe-input-1.xml.gz", "/pengine/pe-input-2.xml.gz"}) {
    ASSERT_TRUE(writeFileAtomic(dir.path() + file, "x", 0600).ok());
  }
  auto removed = manager->destroy();
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_FALSE(manager->configured());
  EXPECT_FALSE(manager->enabled());
  for (const char* file :
       {"/corosync.conf", "/authkey", "/cluster.crt", "/cluster.key", "/cluster-hosts",
        "/peer-secret", "/peer-hashes", "/cib.xml", "/cib.xml.corrupt-1", "/pengine"}) {
    EXPECT_FALSE(std::filesystem::exists(dir.path() + file)) << file;
  }
  for (const char* file : {"/known-hosts", "/crmd.crt", "/hacluster.passwd", "/membership.state"}) {
    EXPECT_TRUE(fileExists(dir.path() + file)) << file;
  }
  const std::vector<std::string> expected = {"corosync.conf",
                                             "cluster.enabled",
                                             "authkey",
                                             "cluster.key",
                                             "cluster.crt",
                                             "cluster-hosts",
                                             "peer-secret",
                                             "peer-hashes",
                                             "cib.xml",
                                             "cib.xml.corrupt-1",
                                             "pengine/ (2 saved engine inputs)"};
  EXPECT_EQ(*removed, expected);
  auto again = manager->destroy();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST(NodeDaemon, LocalNodeByNameThenByAddress) {
  auto config = membership::parseClusterConfig(kConfig);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(*findLocalNode(*config, "n2"), 2u);
  config->nodes[0].address = "127.0.0.1";  // an address of this host's loopback
  EXPECT_EQ(*findLocalNode(*config, "other-name"), 1u);
  config->nodes[0].address = "192.0.2.99";
  EXPECT_FALSE(findLocalNode(*config, "other-name").ok());
}

}  // namespace
}  // namespace pulse::crmd
