// The status socket (crmd/admin/status_socket.h) in-process, read through pcs's client
// (pcs-cli/local_status.h), on a node that is in no cluster yet. A running cluster's answer
// (the CIB, the DC, the members) is checked end to end by cluster.status_frozen_netns and
// pcs_live_netns.
#include "crmd/admin/status_socket.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>

#include "crmd/client/local_admin.h"
#include "crmd/daemon/node_daemon.h"
#include "pcs-cli/local_status.h"
#include "temp_dir.h"

namespace pulse::crmd {
namespace {

using std::chrono::milliseconds;

class StatusSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = NodeDaemon::open({dir_.path(), "n1"});
    ASSERT_TRUE(cluster.ok()) << cluster.error().message;
    cluster_ = std::move(*cluster);
    auto socket = StatusSocket::start(localStatusPath(dir_.path()), "n1", "9.9.9", *cluster_);
    ASSERT_TRUE(socket.ok()) << socket.error().message;
    socket_ = std::move(*socket);
  }

  TempDir dir_;
  std::unique_ptr<NodeDaemon> cluster_;
  std::unique_ptr<StatusSocket> socket_;
};

TEST_F(StatusSocketTest, AnswersTheNodesStatusWithoutAToken) {
  auto reply = pcs::readLocalStatus(dir_.path(), milliseconds(2000));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status().node_name(), "n1");
  EXPECT_EQ(reply->status().version(), "9.9.9");
  EXPECT_FALSE(reply->status().in_cluster());
  EXPECT_FALSE(reply->status().running());
  // No cluster runs here: no CIB, and the reason instead (pcs then asks the admin API, whose
  // error the operator sees).
  EXPECT_FALSE(reply->has_cib());
  EXPECT_EQ(reply->cib_error(), "the cluster is not running on this node");
}

TEST_F(StatusSocketTest, OnlyItsOwnerMayConnect) {
  EXPECT_EQ(fileMode(localStatusPath(dir_.path())), 0600u);
}

TEST_F(StatusSocketTest, AnswersOneClientAfterAnother) {
  for (int i = 0; i < 20; ++i) {
    auto reply = pcs::readLocalStatus(dir_.path(), milliseconds(2000));
    ASSERT_TRUE(reply.has_value()) << "client " << i;
    EXPECT_EQ(reply->status().node_name(), "n1");
  }
}

TEST_F(StatusSocketTest, NothingToReadOnceStopped) {
  socket_.reset();
  EXPECT_FALSE(std::filesystem::exists(localStatusPath(dir_.path())));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(pcs::readLocalStatus(dir_.path(), milliseconds(2000)).has_value());
  // No socket: pcs goes on to the admin API at once, not after its timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(500));
}

TEST_F(StatusSocketTest, AClientThatNeverReadsDoesNotHoldTheNextOneUp) {
  // A connection left unread (a stuck or stopped pcs) while another pcs asks.
  const std::string path = localStatusPath(dir_.path());
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int idle = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(::connect(idle, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  const auto started = std::chrono::steady_clock::now();
  auto reply = pcs::readLocalStatus(dir_.path(), milliseconds(5000));
  EXPECT_TRUE(reply.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - started,
            StatusSocket::kSendLimit + milliseconds(500));
  close(idle);
}

}  // namespace
}  // namespace pulse::crmd
