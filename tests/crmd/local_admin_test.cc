// The local-admin token (crmd/admin/admin_server.h): the admin server writes <state>/local-admin
// (mode 0600, known-hosts format) at start and accepts its token like a pcs token, so that
// crm_attribute & co. on the node need no pcs host auth; a restart makes a new token and the
// old one is refused. Also the environment agents get for those programs (agent_process.h).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "crmd/admin/admin_server.h"
#include "crmd/client/known_hosts.h"
#include "crmd/daemon/node_daemon.h"
#include "crmd/executor/agent_process.h"
#include "pcs-cli/node_client.h"
#include "temp_dir.h"

namespace pulse::crmd {
namespace {

struct Node {
  std::unique_ptr<NodeDaemon> cluster;
  std::unique_ptr<AdminServer> server;
};

Node startNode(const std::string& dir) {
  Node node;
  auto cluster = NodeDaemon::open({dir, "n1"});
  EXPECT_TRUE(cluster.ok()) << cluster.error().message;
  node.cluster = std::move(*cluster);
  auto server = AdminServer::start({dir, "0.0.0.0:0", "n1", node.cluster.get()});
  EXPECT_TRUE(server.ok()) << server.error().message;
  node.server = std::move(*server);
  return node;
}

Result<pulse::admin::ClusterStatusReply> statusWith(const KnownHost& host,
                                                    const std::string& token) {
  auto address = parseNodeAddress(host.address);
  if (!address) return address.error();
  auto session = pcs::NodeSession::connect(host.node, *address, token, host.fingerprint,
                                           std::chrono::seconds(5));
  if (!session) return session.error();
  return session->clusterStatus();
}

TEST(LocalAdmin, TokenFileLetsALocalProgramInUntilRestart) {
  TempDir dir;
  Node node = startNode(dir.path());
  const std::string path = localAdminPath(dir.path());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto hosts = loadKnownHosts(path);
  ASSERT_TRUE(hosts.ok()) << hosts.error().message;
  ASSERT_EQ(hosts->size(), 1u);
  const KnownHost first = hosts->front();
  EXPECT_EQ(first.node, "n1");
  // A wildcard listen is reached on loopback.
  EXPECT_EQ(first.address, "127.0.0.1:" + std::to_string(node.server->port()));
  EXPECT_EQ(first.fingerprint, node.server->fingerprint());
  auto status = statusWith(first, first.token);
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(status->node_name(), "n1");
  auto wrong = statusWith(first, std::string(64, '0'));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("invalid authentication token"), std::string::npos);

  node.server->shutdown();
  node = {};
  Node again = startNode(dir.path());
  auto renewed = loadKnownHosts(path);
  ASSERT_TRUE(renewed.ok() && renewed->size() == 1u);
  EXPECT_NE(renewed->front().token, first.token);
  EXPECT_TRUE(statusWith(renewed->front(), renewed->front().token).ok());
  EXPECT_FALSE(statusWith(renewed->front(), first.token).ok()) << "the old token still works";
}

TEST(LocalAdmin, AgentsFindPulseProgramsAndTheStateDirectory) {
  ::setenv("PULSE_STATE_DIR", "/var/lib/pulse-test", 1);
  const auto env = pulseToolEnvironment({"PATH=/usr/bin:/bin", "OCF_ROOT=/usr/lib/ocf"});
  ::unsetenv("PULSE_STATE_DIR");
  // The directory of the running executable: where crmd and crm_attribute are built.
  const std::string dir = std::filesystem::read_symlink("/proc/self/exe").parent_path().string();
  auto has = [&](const std::string& entry) {
    return std::find(env.begin(), env.end(), entry) != env.end();
  };
  EXPECT_TRUE(has("HA_SBIN_DIR=" + dir));
  EXPECT_TRUE(has("PATH=" + dir + ":/usr/bin:/bin"));
  EXPECT_TRUE(has("PULSE_STATE_DIR=/var/lib/pulse-test"));
  EXPECT_TRUE(has("OCF_ROOT=/usr/lib/ocf"));
  EXPECT_EQ(env.size(), 4u);
}

}  // namespace
}  // namespace pulse::crmd
