#include "pcs-cli/node_client.h"

#include <grpcpp/grpcpp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "admin.grpc.pb.h"
#include "crmd/client/tls_identity.h"

namespace pulse::pcs {
namespace {

using crmd::fetchCertificate;
using crmd::pinnedChannel;

std::string grpcError(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "Connection timed out";
    case grpc::StatusCode::UNAVAILABLE:
      return "Unable to connect: " + status.error_message();
    default:
      return status.error_message();
  }
}

}  // namespace

Result<HostAuthResult> hostAuth(const NodeAddress& address, const std::string& cert_pem,
                                const std::string& username, const std::string& password,
                                std::chrono::seconds timeout) {
  auto fingerprint = crmd::certificateFingerprint(cert_pem);
  if (!fingerprint) return Error{"the node's certificate: " + fingerprint.error().message};
  auto stub = pulse::admin::Admin::NewStub(pinnedChannel(address, cert_pem));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  pulse::admin::HostAuthRequest request;
  request.set_username(username);
  request.set_password(password);
  pulse::admin::HostAuthReply reply;
  const grpc::Status status = stub->HostAuth(&context, request, &reply);
  if (!status.ok()) return Error{grpcError(status)};
  return HostAuthResult{reply.token(), reply.node_name(), *fingerprint};
}

// A stopping node first has its resources moved away or stopped, for at most 20 s
// (crmd/daemon/node_daemon.cc kStopResourcesWait): stop and destroy wait that much longer.
constexpr std::chrono::seconds kNodeDrainTime{20};

struct NodeSession::Impl {
  std::string node;
  std::string token;
  std::chrono::seconds timeout;
  std::unique_ptr<pulse::admin::Admin::Stub> stub;

  // One unary call with the token and the deadline.
  template <typename Reply, typename Request, typename Method>
  Result<Reply> call(Method method, const Request& request,
                     std::chrono::seconds extra = std::chrono::seconds(0)) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + timeout + extra);
    context.AddMetadata("authorization", "Bearer " + token);
    Reply reply;
    const grpc::Status status = ((*stub).*method)(&context, request, &reply);
    if (!status.ok()) return Error{grpcError(status)};
    return reply;
  }
};

NodeSession::NodeSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NodeSession::NodeSession(NodeSession&&) noexcept = default;
NodeSession::~NodeSession() = default;

Result<NodeSession> NodeSession::connect(const std::string& node, const NodeAddress& address,
                                         const std::string& token, const std::string& fingerprint,
                                         std::chrono::seconds timeout) {
  auto cert = fetchCertificate(address, timeout);
  if (!cert) return cert.error();
  auto actual = crmd::certificateFingerprint(*cert);
  if (!actual) return Error{"the node's certificate: " + actual.error().message};
  if (*actual != fingerprint) {
    return Error{"the node's TLS certificate changed (pinned SHA-256 " + fingerprint + ", now " +
                 *actual + "); if that is expected, run 'pcs host deauth " + node +
                 "' and authenticate again"};
  }
  auto impl = std::make_unique<Impl>();
  impl->node = node;
  impl->token = token;
  impl->timeout = timeout;
  impl->stub = pulse::admin::Admin::NewStub(pinnedChannel(address, *cert));
  return NodeSession(std::move(impl));
}

std::optional<NodeSession> NodeSession::connectLocal(const std::string& node,
                                                     const std::string& socket_path,
                                                     const std::string& token,
                                                     std::chrono::seconds timeout) {
  // One connect() first: gRPC channels connect lazily, and a dead socket must send pcs to the
  // TCP path (with its usual errors) rather than fail the first call.
  sockaddr_un addr{};
  if (socket_path.size() >= sizeof addr.sun_path) return std::nullopt;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  const bool alive = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  if (!alive) return std::nullopt;
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
  auto impl = std::make_unique<Impl>();
  impl->node = node;
  impl->token = token;
  impl->timeout = timeout;
  impl->stub = pulse::admin::Admin::NewStub(
      grpc::CreateCustomChannel("unix:" + socket_path, grpc::InsecureChannelCredentials(), args));
  return NodeSession(std::move(impl));
}

const std::string& NodeSession::node() const { return impl_->node; }

Result<admin::ClusterStatusReply> NodeSession::clusterStatus() {
  return impl_->call<admin::ClusterStatusReply>(&admin::Admin::Stub::ClusterStatus,
                                                admin::ClusterStatusRequest());
}
Result<admin::ClusterEventsReply> NodeSession::clusterEvents(
    const admin::ClusterEventsRequest& request) {
  return impl_->call<admin::ClusterEventsReply>(&admin::Admin::Stub::ClusterEvents, request);
}
Result<admin::ClusterSetupReply> NodeSession::clusterSetup(
    const admin::ClusterSetupRequest& request) {
  return impl_->call<admin::ClusterSetupReply>(&admin::Admin::Stub::ClusterSetup, request);
}
Result<admin::ClusterStartReply> NodeSession::clusterStart() {
  return impl_->call<admin::ClusterStartReply>(&admin::Admin::Stub::ClusterStart,
                                               admin::ClusterStartRequest());
}
Result<admin::ClusterStopReply> NodeSession::clusterStop() {
  return impl_->call<admin::ClusterStopReply>(&admin::Admin::Stub::ClusterStop,
                                              admin::ClusterStopRequest(), kNodeDrainTime);
}
Result<admin::ClusterEnableReply> NodeSession::clusterEnable(bool enable) {
  admin::ClusterEnableRequest request;
  request.set_enable(enable);
  return impl_->call<admin::ClusterEnableReply>(&admin::Admin::Stub::ClusterEnable, request);
}
Result<admin::ClusterDestroyReply> NodeSession::clusterDestroy() {
  return impl_->call<admin::ClusterDestroyReply>(&admin::Admin::Stub::ClusterDestroy,
                                                 admin::ClusterDestroyRequest(), kNodeDrainTime);
}
Result<admin::RevokeTokenReply> NodeSession::revokeToken() {
  return impl_->call<admin::RevokeTokenReply>(&admin::Admin::Stub::RevokeToken,
                                              admin::RevokeTokenRequest());
}
Result<admin::RevokeTokenReply> NodeSession::revokeHostAuthTokens() {
  admin::RevokeTokenRequest request;
  request.set_all_host_auth(true);
  return impl_->call<admin::RevokeTokenReply>(&admin::Admin::Stub::RevokeToken, request);
}
Result<admin::IssueNodeTokensReply> NodeSession::issueNodeTokens(
    const std::vector<std::string>& holders) {
  admin::IssueNodeTokensRequest request;
  for (const std::string& holder : holders) request.add_holders(holder);
  auto reply =
      impl_->call<admin::IssueNodeTokensReply>(&admin::Admin::Stub::IssueNodeTokens, request);
  if (reply && reply->tokens_size() != request.holders_size()) {
    return Error{"the node issued " + std::to_string(reply->tokens_size()) + " tokens for " +
                 std::to_string(request.holders_size()) + " nodes"};
  }
  return reply;
}

std::string cibUser() {
  const char* user = std::getenv("CIB_user");
  return user != nullptr ? user : "";
}

Result<admin::CibGetReply> NodeSession::cibGet() {
  admin::CibGetRequest request;
  request.set_cib_user(cibUser());
  return impl_->call<admin::CibGetReply>(&admin::Admin::Stub::CibGet, request);
}
Result<admin::CibSubmitReply> NodeSession::cibSubmit(const admin::CibSubmitRequest& given) {
  admin::CibSubmitRequest request = given;
  if (request.cib_user().empty()) request.set_cib_user(cibUser());
  // A write waits until every member holds it: allow for a view change on the way.
  const auto saved = impl_->timeout;
  impl_->timeout = std::max(saved, std::chrono::seconds(25));
  auto reply = impl_->call<admin::CibSubmitReply>(&admin::Admin::Stub::CibSubmit, request);
  impl_->timeout = saved;
  return reply;
}

Result<admin::FenceReply> NodeSession::fence(const std::string& node, bool off) {
  admin::FenceRequest request;
  request.set_node(node);
  request.set_off(off);
  const auto saved = impl_->timeout;
  impl_->timeout = std::max(saved, std::chrono::seconds(120));
  auto reply = impl_->call<admin::FenceReply>(&admin::Admin::Stub::Fence, request);
  impl_->timeout = saved;
  return reply;
}

}  // namespace pulse::pcs
