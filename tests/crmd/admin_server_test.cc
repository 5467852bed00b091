// The admin server in-process on 127.0.0.1 (port 0), over TLS, called through the generated
// stub (trusting the server's own certificate) and through pcs's pinned-certificate client.
#include "crmd/admin_server.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>

#include "admin.grpc.pb.h"
#include "crmd/auth_store.h"
#include "crmd/cluster_manager.h"
#include "crmd/tls_identity.h"
#include "pcs-cli/node_client.h"
#include "temp_dir.h"

namespace pulse::crmd {
namespace {

constexpr char kPassword[] = "correct horse";

// The cluster side of a node that is in no cluster yet.
std::unique_ptr<ClusterManager> noCluster(const std::string& state_dir) {
  auto cluster = ClusterManager::open({state_dir, "n1"});
  EXPECT_TRUE(cluster.ok()) << cluster.error().message;
  return cluster ? std::move(*cluster) : nullptr;
}

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(setHaclusterPassword(dir_.path(), kPassword).ok());
    startServer();
  }

  void startServer() {
    cluster_ = noCluster(dir_.path());
    auto server = AdminServer::start({dir_.path(), "127.0.0.1:0", "n1", cluster_.get()});
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(*server);
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = server_->certificatePem();
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride(kTlsServerName);
    args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
    stub_ = pulse::admin::Admin::NewStub(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(server_->port()), grpc::SslCredentials(tls), args));
  }

  grpc::Status hostAuth(const std::string& user, const std::string& password,
                        pulse::admin::HostAuthReply* reply) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    pulse::admin::HostAuthRequest request;
    request.set_username(user);
    request.set_password(password);
    return stub_->HostAuth(&context, request, reply);
  }

  grpc::Status whoami(const std::optional<std::string>& token, pulse::admin::WhoamiReply* reply) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (token) context.AddMetadata("authorization", "Bearer " + *token);
    return stub_->Whoami(&context, pulse::admin::WhoamiRequest(), reply);
  }

  TempDir dir_;
  std::unique_ptr<ClusterManager> cluster_;
  std::unique_ptr<AdminServer> server_;
  std::unique_ptr<pulse::admin::Admin::Stub> stub_;
};

TEST_F(AdminServerTest, RightPasswordGivesAToken) {
  pulse::admin::HostAuthReply reply;
  ASSERT_TRUE(hostAuth("hacluster", kPassword, &reply).ok());
  EXPECT_EQ(reply.token().size(), 64u);
  EXPECT_EQ(reply.node_name(), "n1");
}

TEST_F(AdminServerTest, WrongPasswordOrUserGivesNoToken) {
  for (const auto& [user, password] : {std::pair<std::string, std::string>{"hacluster", "nope"},
                                       {"root", kPassword},
                                       {"hacluster", ""}}) {
    pulse::admin::HostAuthReply reply;
    const grpc::Status status = hostAuth(user, password, &reply);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << user;
    EXPECT_TRUE(reply.token().empty());
  }
}

TEST_F(AdminServerTest, WhoamiNeedsAValidToken) {
  pulse::admin::WhoamiReply reply;
  EXPECT_EQ(whoami(std::nullopt, &reply).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(whoami(std::string(64, 'a'), &reply).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(whoami(std::string(""), &reply).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  pulse::admin::HostAuthReply auth;
  ASSERT_TRUE(hostAuth("hacluster", kPassword, &auth).ok());
  ASSERT_TRUE(whoami(auth.token(), &reply).ok());
  EXPECT_EQ(reply.node_name(), "n1");
  EXPECT_FALSE(reply.in_cluster());
}

TEST_F(AdminServerTest, TokenAndCertificateSurviveARestart) {
  pulse::admin::HostAuthReply auth;
  ASSERT_TRUE(hostAuth("hacluster", kPassword, &auth).ok());
  const std::string fingerprint = server_->fingerprint();
  server_->shutdown();
  server_.reset();
  startServer();
  EXPECT_EQ(server_->fingerprint(), fingerprint);
  pulse::admin::WhoamiReply reply;
  EXPECT_TRUE(whoami(auth.token(), &reply).ok());
}

TEST_F(AdminServerTest, SecretFilesAreMode0600) {
  pulse::admin::HostAuthReply auth;
  ASSERT_TRUE(hostAuth("hacluster", kPassword, &auth).ok());
  EXPECT_EQ(fileMode(dir_.path() + "/crmd.key"), 0600u);
  EXPECT_EQ(fileMode(dir_.path() + "/hacluster.passwd"), 0600u);
  EXPECT_EQ(fileMode(dir_.path() + "/tokens"), 0600u);
}

TEST_F(AdminServerTest, PcsClientTrustsOnlyTheCertificateItVerified) {
  const pcs::NodeAddress address{"127.0.0.1", server_->port()};
  auto cert = fetchCertificate(address, std::chrono::seconds(5));
  ASSERT_TRUE(cert.ok()) << cert.error().message;
  auto first = pcs::hostAuth(address, *cert, "hacluster", kPassword, std::chrono::seconds(5));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->fingerprint, server_->fingerprint());
  // A channel that trusts another certificate fails the handshake: no password goes out.
  auto other = generateTlsIdentity();
  ASSERT_TRUE(other.ok());
  auto impostor =
      pcs::hostAuth(address, other->cert_pem, "hacluster", kPassword, std::chrono::seconds(5));
  EXPECT_FALSE(impostor.ok());
  auto wrong = pcs::hostAuth(address, *cert, "hacluster", "wrong", std::chrono::seconds(5));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("incorrect"), std::string::npos);
}

TEST(AdminServerStart, CorruptKeyIsAnError) {
  TempDir dir;
  auto cluster = noCluster(dir.path());
  {
    auto server = AdminServer::start({dir.path(), "127.0.0.1:0", "n1", cluster.get()});
    ASSERT_TRUE(server.ok());
  }
  std::ofstream(dir.path() + "/crmd.key") << "garbage";
  auto server = AdminServer::start({dir.path(), "127.0.0.1:0", "n1", cluster.get()});
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.error().message.find("crmd.key"), std::string::npos);
}

TEST(AdminServerStart, MissingStateDirectoryParentIsAnError) {
  TempDir dir;
  auto cluster = noCluster(dir.path());
  auto server =
      AdminServer::start({"/nonexistent-pulse-parent/state", "127.0.0.1:0", "n1", cluster.get()});
  EXPECT_FALSE(server.ok());
}

}  // namespace
}  // namespace pulse::crmd
