// The admin server in-process on 127.0.0.1 (port 0), over TLS, called through the generated
// stub (trusting the server's own certificate) and through pcs's pinned-certificate client.
#include "crmd/admin/admin_server.h"

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <future>
#include <thread>

#include "admin.grpc.pb.h"
#include "crmd/admin/auth_store.h"
#include "crmd/client/tls_identity.h"
#include "crmd/daemon/node_daemon.h"
#include "pcs-cli/node_client.h"
#include "temp_dir.h"

namespace pulse::crmd {
namespace {

constexpr char kPassword[] = "correct horse";

// The cluster side of a node that is in no cluster yet.
std::unique_ptr<NodeDaemon> noCluster(const std::string& state_dir) {
  auto cluster = NodeDaemon::open({state_dir, "n1"});
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
  std::unique_ptr<NodeDaemon> cluster_;
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
  // The gRPC server's own socket, behind the admin port's front acceptor: root only.
  EXPECT_EQ(fileMode(adminSocketPath(dir_.path())), 0600u);
  // The plaintext socket for this node's own pcs: root only too (its trust is that mode).
  EXPECT_EQ(fileMode(localSocketPath(dir_.path())), 0600u);
}

TEST_F(AdminServerTest, TheLocalSocketServesPcsWithATokenAndOnlyWithOne) {
  pulse::admin::HostAuthReply auth;
  ASSERT_TRUE(hostAuth("hacluster", kPassword, &auth).ok());
  const std::string socket = localSocketPath(dir_.path());
  auto good = pcs::NodeSession::connectLocal("n1", socket, auth.token(), std::chrono::seconds(5));
  ASSERT_TRUE(good.has_value());
  auto status = good->clusterStatus();
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_FALSE(status->in_cluster());
  auto bad =
      pcs::NodeSession::connectLocal("n1", socket, std::string(64, 'a'), std::chrono::seconds(5));
  ASSERT_TRUE(bad.has_value());
  auto refused = bad->clusterStatus();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("invalid authentication token"), std::string::npos)
      << refused.error().message;
  // Once crmd is down pcs goes over TCP (and says there that the node is unreachable).
  server_->shutdown();
  EXPECT_FALSE(pcs::NodeSession::connectLocal("n1", socket, auth.token(), std::chrono::seconds(5)));
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

TEST_F(AdminServerTest, RepeatedWrongPasswordsAreRefusedUntilTheBackoffHasPassed) {
  // crmd's own limits (auth_limiter.h): five failures, then 1 s of refusals.
  std::vector<grpc::StatusCode> codes;
  for (int i = 0; i < 20; ++i) {
    pulse::admin::HostAuthReply reply;
    const grpc::Status status = hostAuth("hacluster", "guess" + std::to_string(i), &reply);
    codes.push_back(status.error_code());
    EXPECT_TRUE(reply.token().empty());
    const std::string expected = i < 4    ? "password is incorrect"
                                 : i == 4 ? "refused for 1 s"
                                          : "try again in";
    EXPECT_NE(status.error_message().find(expected), std::string::npos)
        << i << ": " << status.error_message();
  }
  EXPECT_EQ(std::count(codes.begin(), codes.end(), grpc::StatusCode::UNAUTHENTICATED), 5);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), grpc::StatusCode::RESOURCE_EXHAUSTED), 15);

  pulse::admin::HostAuthReply reply;
  const grpc::Status right = hostAuth("hacluster", kPassword, &reply);
  EXPECT_EQ(right.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(right.error_message(), "too many failed attempts from 127.0.0.1; try again in 1 s");
  EXPECT_TRUE(reply.token().empty());

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_TRUE(hostAuth("hacluster", kPassword, &reply).ok());
  EXPECT_EQ(reply.token().size(), 64u);
}

TEST_F(AdminServerTest, ConcurrentPasswordChecksAreRefusedNotQueued) {
  // Sixteen calls at once from one address: one password hash at a time per source, the rest
  // refused at once with a clear message (never queued behind each other).
  std::vector<std::future<grpc::Status>> calls;
  for (int i = 0; i < 16; ++i) {
    calls.push_back(std::async(std::launch::async, [this] {
      pulse::admin::HostAuthReply reply;
      return hostAuth("hacluster", kPassword, &reply);
    }));
  }
  int ok = 0;
  int busy = 0;
  for (auto& call : calls) {
    const grpc::Status status = call.get();
    if (status.ok()) {
      ++ok;
    } else if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
               status.error_message().find("in progress") != std::string::npos) {
      ++busy;
    } else {
      ADD_FAILURE() << status.error_code() << " " << status.error_message();
    }
  }
  EXPECT_GE(ok, 1);
  EXPECT_GE(busy, 1);
  EXPECT_EQ(ok + busy, 16);
}

// Captures what the process writes to stderr (crmd's log) while it lives.
class StderrCapture {
 public:
  explicit StderrCapture(const std::string& path) : path_(path) {
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  ~StderrCapture() { restore(); }
  // Stops capturing and returns what was written.
  std::string text() {
    restore();
    std::ifstream in(path_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    saved_ = -1;
  }
  std::string path_;
  int saved_ = -1;
};

TEST_F(AdminServerTest, FenceLogsNothingFromAnUnauthenticatedCallerAndCapsTheRest) {
  // Just under gRPC's 4 MiB message limit: forged log lines, one after another.
  const std::string forged = "n2\n2026-01-01T00:00:00.000Z crmd: FORGED node n1 fenced\n";
  std::string node;
  while (node.size() + forged.size() < (4u << 20) - 1024) node += forged;
  pulse::admin::HostAuthReply auth;
  ASSERT_TRUE(hostAuth("hacluster", kPassword, &auth).ok());

  StderrCapture log(dir_.path() + "/captured.log");
  for (const std::optional<std::string>& token :
       {std::optional<std::string>(), std::optional<std::string>(std::string(64, 'a')),
        std::optional<std::string>(auth.token())}) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (token) context.AddMetadata("authorization", "Bearer " + *token);
    pulse::admin::FenceRequest request;
    request.set_node(node);
    pulse::admin::FenceReply reply;
    const grpc::Status status = stub_->Fence(&context, request, &reply);
    // Refused for the token, then (with the right one) because no cluster runs here.
    EXPECT_EQ(status.error_code(), token == std::optional<std::string>(auth.token())
                                       ? grpc::StatusCode::FAILED_PRECONDITION
                                       : grpc::StatusCode::UNAUTHENTICATED);
  }
  const std::string text = log.text();
  EXPECT_LT(text.size(), 1024u) << text.substr(0, 2048);
  EXPECT_EQ(text.find("\n2026-01-01T00:00:00.000Z"), std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;
  // The authorized call's line names the node, escaped and cut short.
  EXPECT_NE(text.find("stonith fence 'n2\\n2026-01-01T00:00:00.000Z crmd: FORGED"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("(" + std::to_string(node.size()) + " bytes)'"), std::string::npos);
}

TEST_F(AdminServerTest, AFloodOfRefusedCallsCostsTheLogAFewLines) {
  StderrCapture log(dir_.path() + "/captured.log");
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 300; ++i) {
    pulse::admin::WhoamiReply reply;
    ASSERT_EQ(whoami(std::nullopt, &reply).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start)
          .count();
  const std::string text = log.text();
  // Ten lines a second (one more for a window the calls only began).
  EXPECT_LE(std::count(text.begin(), text.end(), '\n'), 10 * (seconds + 2)) << text;
  EXPECT_NE(text.find("whoami from ipv4:127.0.0.1:"), std::string::npos);
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
