#include "crmd/admin/admin_server.h"

#include <grpcpp/grpcpp.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "admin.grpc.pb.h"
#include "common/log.h"
#include "crmd/admin/auth_limiter.h"
#include "crmd/admin/auth_store.h"
#include "crmd/admin/front_acceptor.h"
#include "crmd/admin/status_reply.h"
#include "crmd/admin/trusted_sources.h"
#include "crmd/client/crypto.h"
#include "crmd/client/known_hosts.h"
#include "crmd/client/pinned_channel.h"
#include "crmd/client/secure_file.h"
#include "crmd/client/tls_identity.h"
#include "crmd/replication/cib_wire.h"
#include "peer.grpc.pb.h"

namespace pulse::crmd {
namespace {

constexpr std::string_view kBearer = "Bearer ";

class AdminService final : public pulse::admin::Admin::Service {
 public:
  AdminService(AuthStore auth, std::string node_name, std::string version, ClusterControl& cluster,
               std::string local_token, const FrontAcceptor& front,
               TrustedSourceRefresher& refresher)
      : auth_(std::move(auth)),
        node_name_(std::move(node_name)),
        version_(std::move(version)),
        cluster_(cluster),
        local_token_(std::move(local_token)),
        front_(front),
        refresher_(refresher) {}

  grpc::Status HostAuth(grpc::ServerContext* context, const pulse::admin::HostAuthRequest* request,
                        pulse::admin::HostAuthReply* reply) override {
    const std::string who = "host auth from " + clientOf(*context);
    if (!auth_.hasPassword()) {
      logEvent(who + " refused: no hacluster password set (run crmd passwd)");
      return {grpc::StatusCode::FAILED_PRECONDITION,
              "no hacluster password is set on this node (run crmd passwd)"};
    }
    // Refusals by the limiter are not logged: they cost nothing, and a flood of them would
    // flood the log; the failure that starts a backoff is.
    const std::string source = authSource(clientOf(*context));
    const AuthLimiter::Admission admission =
        limiter_.admit(source, std::chrono::steady_clock::now());
    if (admission.verdict == AuthLimiter::Verdict::kBackoff) {
      return {grpc::StatusCode::RESOURCE_EXHAUSTED, "too many failed attempts from " + source +
                                                        "; try again in " +
                                                        waitText(admission.retry_after)};
    }
    if (admission.verdict == AuthLimiter::Verdict::kBusy) {
      return {grpc::StatusCode::RESOURCE_EXHAUSTED,
              "too many password checks in progress on this node; try again in a moment"};
    }
    const bool accepted = auth_.checkPassword(request->username(), request->password());
    const auto backoff = limiter_.finish(source, accepted, std::chrono::steady_clock::now());
    if (!accepted) {
      const std::string blocked = backoff.count() > 0
                                      ? "; too many failures: attempts from " + source +
                                            " are refused for " + waitText(backoff)
                                      : "";
      logEvent(who + " refused: wrong user name or password" + blocked);
      return {grpc::StatusCode::UNAUTHENTICATED, "Username and/or password is incorrect" + blocked};
    }
    auto token = auth_.issueToken();
    if (!token) {
      logEvent(who + " failed: " + token.error().message);
      return {grpc::StatusCode::INTERNAL, "cannot store the token on the node"};
    }
    logEvent(who + " accepted: token issued");
    reply->set_token(*token);
    reply->set_node_name(node_name_);
    return grpc::Status::OK;
  }

  grpc::Status Whoami(grpc::ServerContext* context, const pulse::admin::WhoamiRequest*,
                      pulse::admin::WhoamiReply* reply) override {
    if (grpc::Status s = authorize(*context, "whoami"); !s.ok()) return s;
    reply->set_node_name(node_name_);
    const ClusterSnapshot snapshot = cluster_.snapshot();
    reply->set_in_cluster(snapshot.configured);
    reply->set_cluster_name(snapshot.cluster_name);
    return grpc::Status::OK;
  }

  grpc::Status RevokeToken(grpc::ServerContext* context,
                           const pulse::admin::RevokeTokenRequest* request,
                           pulse::admin::RevokeTokenReply* reply) override {
    std::string label;
    if (grpc::Status s = authorize(*context, "revoke token", true, &label); !s.ok()) return s;
    if (request->all_host_auth()) {
      if (grpc::Status s = needHostAuthToken(label); !s.ok()) return s;
      auto revoked = auth_.revokeHostAuthTokens();
      if (!revoked) return failure("revoke tokens", grpc::StatusCode::INTERNAL, revoked.error());
      logEvent("every host-auth token revoked (" + std::to_string(*revoked) + ")");
      reply->set_revoked(static_cast<std::uint32_t>(*revoked));
      return grpc::Status::OK;
    }
    if (Status s = auth_.revokeToken(bearerToken(*context)); !s) {
      return failure("revoke token", grpc::StatusCode::INTERNAL, s.error());
    }
    logEvent("token revoked");
    reply->set_revoked(1);
    return grpc::Status::OK;
  }

  grpc::Status IssueNodeTokens(grpc::ServerContext* context,
                               const pulse::admin::IssueNodeTokensRequest* request,
                               pulse::admin::IssueNodeTokensReply* reply) override {
    std::string label;
    if (grpc::Status s = authorize(*context, "issue node tokens", true, &label); !s.ok()) return s;
    if (grpc::Status s = needHostAuthToken(label); !s.ok()) return s;
    auto tokens = auth_.issueNodeTokens({request->holders().begin(), request->holders().end()});
    if (!tokens) {
      return failure("issue node tokens", grpc::StatusCode::INVALID_ARGUMENT, tokens.error());
    }
    for (const std::string& token : *tokens) reply->add_tokens(token);
    logEvent("node tokens issued for " + std::to_string(tokens->size()) + " nodes");
    return grpc::Status::OK;
  }

  grpc::Status ClusterSetup(grpc::ServerContext* context,
                            const pulse::admin::ClusterSetupRequest* request,
                            pulse::admin::ClusterSetupReply*) override {
    if (grpc::Status s = authorize(*context, "cluster setup"); !s.ok()) return s;
    ClusterFiles files;
    files.config_text = request->cluster_config();
    files.key.assign(request->cluster_key().begin(), request->cluster_key().end());
    files.known_hosts = request->known_hosts();
    files.peer_secret = request->peer_secret();
    files.peer_hashes = request->peer_hashes();
    if (Status s = cluster_.setup(files, request->force()); !s) {
      return failure("cluster setup", grpc::StatusCode::FAILED_PRECONDITION, s.error());
    }
    refresher_.refreshSoon();
    return grpc::Status::OK;
  }

  grpc::Status ClusterStart(grpc::ServerContext* context, const pulse::admin::ClusterStartRequest*,
                            pulse::admin::ClusterStartReply* reply) override {
    if (grpc::Status s = authorize(*context, "cluster start"); !s.ok()) return s;
    auto started = cluster_.start();
    if (!started) {
      return failure("cluster start", grpc::StatusCode::FAILED_PRECONDITION, started.error());
    }
    reply->set_already_running(*started);
    return grpc::Status::OK;
  }

  grpc::Status ClusterStop(grpc::ServerContext* context, const pulse::admin::ClusterStopRequest*,
                           pulse::admin::ClusterStopReply* reply) override {
    if (grpc::Status s = authorize(*context, "cluster stop"); !s.ok()) return s;
    reply->set_was_running(cluster_.stop());
    return grpc::Status::OK;
  }

  grpc::Status ClusterEnable(grpc::ServerContext* context,
                             const pulse::admin::ClusterEnableRequest* request,
                             pulse::admin::ClusterEnableReply* reply) override {
    if (grpc::Status s = authorize(*context, "cluster enable"); !s.ok()) return s;
    auto warning = cluster_.setEnabled(request->enable());
    if (!warning) {
      return failure("cluster enable", grpc::StatusCode::FAILED_PRECONDITION, warning.error());
    }
    reply->set_warning(*warning);
    return grpc::Status::OK;
  }

  grpc::Status ClusterDestroy(grpc::ServerContext* context,
                              const pulse::admin::ClusterDestroyRequest*,
                              pulse::admin::ClusterDestroyReply* reply) override {
    if (grpc::Status s = authorize(*context, "cluster destroy"); !s.ok()) return s;
    auto removed = cluster_.destroy();
    if (!removed) return failure("cluster destroy", grpc::StatusCode::INTERNAL, removed.error());
    for (const std::string& name : *removed) reply->add_removed(name);
    // The tokens this node issued to the cluster's nodes go with the cluster.
    auto revoked = auth_.revokeNodeTokens();
    if (!revoked) return failure("cluster destroy", grpc::StatusCode::INTERNAL, revoked.error());
    if (*revoked > 0) reply->add_removed(std::to_string(*revoked) + " node tokens");
    refresher_.refreshSoon();
    return grpc::Status::OK;
  }

  grpc::Status CibGet(grpc::ServerContext* context, const pulse::admin::CibGetRequest*,
                      pulse::admin::CibGetReply* reply) override {
    if (grpc::Status s = authorize(*context, "cib get", /*log=*/false); !s.ok()) return s;
    auto snapshot = cluster_.readCib();
    if (!snapshot) {
      return {grpc::StatusCode::FAILED_PRECONDITION, snapshot.error().message};
    }
    fillCibGet(*snapshot, cluster_.snapshot(), *reply);
    return grpc::Status::OK;
  }

  grpc::Status Fence(grpc::ServerContext* context, const pulse::admin::FenceRequest* request,
                     pulse::admin::FenceReply* reply) override {
    // The node is logged only once the caller is known, and then escaped and capped.
    if (grpc::Status s = authorize(*context, "stonith fence", /*log=*/false); !s.ok()) return s;
    logEvent("stonith fence " + logField(request->node()) + " from " + clientOf(*context));
    if (request->node().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "no node to fence"};
    auto future = cluster_.fence(request->node(), request->off());
    if (!future) return {grpc::StatusCode::FAILED_PRECONDITION, future.error().message};
    // Pacemaker's stonith-timeout (60 s) plus room for the agent to be found and started.
    if (future->wait_for(std::chrono::seconds(90)) != std::future_status::ready) {
      return {grpc::StatusCode::DEADLINE_EXCEEDED,
              "fencing " + request->node() + " did not finish within 90 s"};
    }
    auto result = future->get();
    if (!result) return {grpc::StatusCode::ABORTED, result.error().message};
    reply->set_device(*result);
    return grpc::Status::OK;
  }

  grpc::Status CibSubmit(grpc::ServerContext* context,
                         const pulse::admin::CibSubmitRequest* request,
                         pulse::admin::CibSubmitReply* reply) override {
    std::string label;
    if (grpc::Status s = authorize(*context, "cib write", true, &label); !s.ok()) return s;
    auto base = fromProto(request->base());
    if (!base) return {grpc::StatusCode::INVALID_ARGUMENT, base.error().message};
    CibChange change{
        request->status_only() ? CibChange::Kind::kStatus : CibChange::Kind::kConfiguration, *base,
        request->xml()};
    auto future = cluster_.submitCib(std::move(change));
    if (!future) return {grpc::StatusCode::FAILED_PRECONDITION, future.error().message};
    // The replica answers once every member holds the write, or the view changes; a member
    // that stops answering is removed by the membership within token + consensus.
    if (future->wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      reply->set_failure("uncertain");
      reply->set_message(
          "no answer from the CIB service within 20 s; the write may or may "
          "not have been applied");
      return grpc::Status::OK;
    }
    const WriteReply result = future->get();
    reply->set_dc(result.dc);
    reply->set_dc_name(nodeName(result.dc == membership::kNoNode
                                    ? std::optional<NodeId>()
                                    : std::optional<NodeId>(result.dc)));
    if (result.result) {
      reply->set_ok(true);
      *reply->mutable_version() = toProto(*result.result);
      logEvent("cib write accepted: version " + toString(*result.result));
      if (!request->status_only()) {
        cluster_.events().record("config",
                                 "configuration changed: CIB version " + toString(*result.result),
                                 callerOf(*context, label));
      }
      return grpc::Status::OK;
    }
    if (!request->status_only()) {
      cluster_.events().record("config",
                               "configuration change refused (" + failureName(result.failure) +
                                   "): " + result.result.error().message,
                               callerOf(*context, label));
    }
    reply->set_failure(failureName(result.failure));
    reply->set_message(result.result.error().message);
    return grpc::Status::OK;
  }

  grpc::Status ClusterStatus(grpc::ServerContext* context,
                             const pulse::admin::ClusterStatusRequest*,
                             pulse::admin::ClusterStatusReply* reply) override {
    // Status is polled (pcs cluster start waits on it): authorized but not logged.
    if (grpc::Status s = authorize(*context, "cluster status", /*log=*/false); !s.ok()) return s;
    fillStatus(cluster_.snapshot(), *reply);
    return grpc::Status::OK;
  }

  grpc::Status ClusterEvents(grpc::ServerContext* context,
                             const pulse::admin::ClusterEventsRequest* request,
                             pulse::admin::ClusterEventsReply* reply) override {
    // Polled by pcs cluster events --follow: authorized but not logged.
    if (grpc::Status s = authorize(*context, "cluster events", /*log=*/false); !s.ok()) return s;
    constexpr std::uint32_t kDefaultLimit = 1000;
    constexpr std::uint32_t kMaxLimit = 10000;
    const std::uint32_t limit =
        request->limit() == 0 ? kDefaultLimit : std::min(request->limit(), kMaxLimit);
    bool truncated = false;
    reply->set_node_name(node_name_);
    for (const ClusterEvent& e : cluster_.events().since(request->since_ms(), limit, &truncated)) {
      pulse::admin::ClusterEvent* out = reply->add_events();
      out->set_at_ms(e.at_ms);
      out->set_kind(e.kind);
      out->set_text(e.text);
      out->set_who(e.who);
    }
    reply->set_truncated(truncated);
    return grpc::Status::OK;
  }

 private:
  // Who made a change, for the event journal: the token's holder and the source address.
  std::string callerOf(const grpc::ServerContext& context, const std::string& label) const {
    std::string holder = "local admin (this node's tools)";
    if (label == kHostAuthLabel) {
      holder = "hacluster (pcs host auth token)";
    } else if (label.starts_with("node:")) {
      holder = "cluster node " + label.substr(5) + " (its node token)";
    } else if (!label.empty()) {
      holder = label + " token";
    }
    const std::string client = clientOf(context);
    // The local socket's peer has no address: it is a program on this node.
    return holder + " from " +
           (client.starts_with("unix:") ? node_name_ + " (local socket)" : client);
  }

  // OK when the call carries a token this node issued (its label then in `label`, when given;
  // the local-admin token has none); logs refusals (throttled: anyone can cause them).
  grpc::Status authorize(const grpc::ServerContext& context, const std::string& call,
                         bool log = true, std::string* label = nullptr) const {
    const auto& metadata = context.client_metadata();
    const auto it = metadata.find("authorization");
    std::string_view value;
    if (it != metadata.end()) value = std::string_view(it->second.data(), it->second.size());
    if (!value.starts_with(kBearer)) {
      refusal_log_.log(call + " from " + clientOf(context) + " refused: no token");
      return {grpc::StatusCode::UNAUTHENTICATED, "no authentication token; run pcs host auth"};
    }
    const std::string token(value.substr(kBearer.size()));
    if (!constantTimeEquals(token, local_token_)) {
      const TokenCheck check = auth_.checkToken(token);
      if (check.state == TokenState::kExpired) {
        refusal_log_.log(call + " from " + clientOf(context) + " refused: expired token");
        return {grpc::StatusCode::UNAUTHENTICATED,
                "the authentication token has expired; run pcs host auth again"};
      }
      if (check.state != TokenState::kValid) {
        refusal_log_.log(call + " from " + clientOf(context) + " refused: unknown token");
        return {grpc::StatusCode::UNAUTHENTICATED,
                "invalid authentication token; run pcs host auth"};
      }
      if (label != nullptr) *label = check.label;
    }
    if (log) logEvent(call + " from " + clientOf(context));
    return grpc::Status::OK;
  }

  // The caller's address: gRPC sees the front acceptor's end of the Unix socket.
  std::string clientOf(const grpc::ServerContext& context) const {
    return front_.clientOf(context.peer()).value_or(context.peer());
  }

  static grpc::Status needHostAuthToken(const std::string& label) {
    if (label == kHostAuthLabel) return grpc::Status::OK;
    return {grpc::StatusCode::PERMISSION_DENIED,
            "this call needs a token from pcs host auth, not a cluster node's token"};
  }

  std::string nodeName(std::optional<NodeId> id) const {
    return memberName(cluster_.snapshot(), id);
  }

  static std::string failureName(WriteFailure failure) {
    switch (failure) {
      case WriteFailure::kNone:
        return "";
      case WriteFailure::kNotDc:
        return "not_dc";
      case WriteFailure::kNoQuorum:
        return "no_quorum";
      case WriteFailure::kNoDc:
        return "no_dc";
      case WriteFailure::kBusy:
        return "busy";
      case WriteFailure::kStaleBase:
        return "stale_base";
      case WriteFailure::kNotApplied:
        return "not_applied";
      case WriteFailure::kNotStored:
        return "not_stored";
      case WriteFailure::kUncertain:
        return "uncertain";
    }
    return "unknown";
  }

  static std::string bearerToken(const grpc::ServerContext& context) {
    const auto& metadata = context.client_metadata();
    const auto it = metadata.find("authorization");
    if (it == metadata.end()) return {};
    return std::string(it->second.data(), it->second.size()).substr(kBearer.size());
  }

  static grpc::Status failure(const std::string& call, grpc::StatusCode code, const Error& error) {
    logEvent(call + " failed: " + error.message);
    return {code, error.message};
  }

  void fillStatus(const ClusterSnapshot& snapshot, pulse::admin::ClusterStatusReply& reply) const {
    fillClusterStatus(snapshot, node_name_, version_, reply);
  }

  AuthStore auth_;
  AuthLimiter limiter_;  // HostAuth's backoff and concurrency cap (auth_limiter.h)
  // Refused calls: at most 10 lines a second, however many arrive.
  mutable LogThrottle refusal_log_{10, std::chrono::seconds(1)};
  const std::string node_name_;
  const std::string version_;
  ClusterControl& cluster_;
  const std::string local_token_;  // this run's local-admin token (see admin_server.h)
  const FrontAcceptor& front_;
  TrustedSourceRefresher& refresher_;  // told when the members may have changed
};

// Node-to-node calls (proto/peer.proto), authenticated by each node's own peer secret
// (crmd/replication/peer_auth.h; ClusterControl::deliverFromPeer checks it).
class PeerService final : public pulse::peer::Peer::Service {
 public:
  explicit PeerService(ClusterControl& cluster) : cluster_(cluster) {}

  grpc::Status Deliver(grpc::ServerContext* context, const pulse::peer::PeerEnvelope* envelope,
                       pulse::peer::DeliverReply*) override {
    constexpr std::string_view kPeer = "Peer ";
    const auto& metadata = context->client_metadata();
    const auto it = metadata.find("authorization");
    std::string_view value;
    if (it != metadata.end()) value = std::string_view(it->second.data(), it->second.size());
    if (!value.starts_with(kPeer)) {
      return {grpc::StatusCode::UNAUTHENTICATED, "no peer token"};
    }
    if (Status s = cluster_.deliverFromPeer(std::string(value.substr(kPeer.size())), *envelope);
        !s) {
      return {grpc::StatusCode::PERMISSION_DENIED, s.error().message};
    }
    return grpc::Status::OK;
  }

 private:
  ClusterControl& cluster_;
};

// The address a program on this node reaches the server at: loopback for a wildcard listen.
std::string localAddress(const std::string& listen, int port) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "[::]") host = "[::1]";
  return host + ":" + std::to_string(port);
}

}  // namespace

struct AdminServer::Impl {
  TlsIdentity identity;
  std::unique_ptr<FrontAcceptor> front;
  std::unique_ptr<TrustedSourceRefresher> refresher;
  std::unique_ptr<AdminService> service;
  std::unique_ptr<PeerService> peer_service;
  std::unique_ptr<grpc::Server> server;
  std::once_flag shutdown_once;
};

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminServer::~AdminServer() { shutdown(); }

Result<std::unique_ptr<AdminServer>> AdminServer::start(const AdminServerOptions& options) {
  if (options.cluster == nullptr) return Error{"no cluster manager given"};
  if (Status s = ensureDirectory(options.state_dir); !s) return s.error();
  auto identity = loadOrCreateTlsIdentity(options.state_dir);
  if (!identity) return identity.error();
  auto auth = AuthStore::open(options.state_dir, AuthOptions{options.token_lifetime, {}});
  if (!auth) return auth.error();
  if (!auth->hasPassword()) {
    logEvent("no hacluster password set in " + options.state_dir +
             "; host auth is refused until `crmd passwd` sets one");
  }

  auto local_token = randomBytes(32);
  if (!local_token) return Error{"local-admin token: " + local_token.error().message};

  // gRPC listens only on a Unix socket in the state directory; the network side is the front
  // acceptor's (front_acceptor.h), which bounds what a client can hold.
  const std::string socket_path = adminSocketPath(options.state_dir);
  const std::string local_path = localSocketPath(options.state_dir);
  for (const std::string& path : {socket_path, local_path}) {
    if (path.size() >= sizeof(sockaddr_un::sun_path)) {
      return Error{"the state directory's path is too long for the admin socket " + path +
                   " (at most " + std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes)"};
    }
    std::error_code removed;
    std::filesystem::remove(path, removed);  // a previous run's
  }

  auto impl = std::make_unique<Impl>();
  impl->identity = std::move(*identity);
  auto front = FrontAcceptor::start({options.listen_address, socket_path, options.limits});
  if (!front) return front.error();
  impl->front = std::move(*front);
  impl->refresher =
      std::make_unique<TrustedSourceRefresher>(*options.cluster, options.state_dir, *impl->front);
  const std::string token = toHex(*local_token);
  impl->service =
      std::make_unique<AdminService>(std::move(*auth), options.node_name, options.version,
                                     *options.cluster, token, *impl->front, *impl->refresher);
  grpc::SslServerCredentialsOptions tls;
  tls.pem_key_cert_pairs.push_back({impl->identity.key_pem, impl->identity.cert_pem});
  grpc::ServerBuilder builder;
  int bound = 0;
  builder.AddListeningPort("unix:" + socket_path, grpc::SslServerCredentials(tls), &bound);
  int bound_local = 0;
  builder.AddListeningPort("unix:" + local_path, grpc::InsecureServerCredentials(), &bound_local);
  // The front already bounds the TLS handshake; this bounds the rest of gRPC's (HTTP/2
  // settings), and covers a local process that reaches the socket directly.
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             static_cast<int>(options.limits.handshake_timeout.count()));
  // A connection with no call for a minute is closed, so an idle client does not keep its
  // place under the front's limits (pcs opens one per command, peers close theirs after 2 s).
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, 60'000);
  builder.RegisterService(impl->service.get());
  impl->peer_service = std::make_unique<PeerService>(*options.cluster);
  builder.RegisterService(impl->peer_service.get());
  impl->server = builder.BuildAndStart();
  if (!impl->server || bound == 0) return Error{"cannot listen on " + socket_path};
  if (bound_local == 0) {
    impl->server->Shutdown();
    return Error{"cannot listen on " + local_path};
  }
  for (const std::string& path : {socket_path, local_path}) {
    if (chmod(path.c_str(), 0600) != 0) {
      impl->server->Shutdown();
      return Error{"cannot restrict " + path + " to mode 0600: " + std::strerror(errno)};
    }
  }
  // Written only once the port is known; the previous run's file (and token) is replaced.
  const KnownHost local{options.node_name,
                        localAddress(options.listen_address, impl->front->port()), token,
                        impl->identity.fingerprint};
  if (Status s = saveKnownHosts(localAdminPath(options.state_dir), {local}); !s) {
    auto server = std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
    server->shutdown();
    return Error{"cannot write the local-admin file: " + s.error().message};
  }
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

int AdminServer::port() const { return impl_->front->port(); }
const std::string& AdminServer::certificatePem() const { return impl_->identity.cert_pem; }
const std::string& AdminServer::fingerprint() const { return impl_->identity.fingerprint; }

void AdminServer::shutdown() {
  std::call_once(impl_->shutdown_once, [this] {
    impl_->refresher.reset();
    // gRPC first, so running calls finish through the front; then the front's connections.
    impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    impl_->server->Wait();
    impl_->front.reset();
  });
}

}  // namespace pulse::crmd
