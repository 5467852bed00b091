#include "crmd/admin_server.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <mutex>

#include "admin.grpc.pb.h"
#include "crmd/auth_store.h"
#include "crmd/cib_wire.h"
#include "crmd/cluster_manager.h"
#include "crmd/crypto.h"
#include "crmd/known_hosts.h"
#include "crmd/log.h"
#include "crmd/secure_file.h"
#include "crmd/tls_identity.h"
#include "peer.grpc.pb.h"

namespace pulse::crmd {
namespace {

constexpr std::string_view kBearer = "Bearer ";

class AdminService final : public pulse::admin::Admin::Service {
 public:
  AdminService(AuthStore auth, std::string node_name, ClusterManager& cluster,
               std::string local_token)
      : auth_(std::move(auth)),
        node_name_(std::move(node_name)),
        cluster_(cluster),
        local_token_(std::move(local_token)) {}

  grpc::Status HostAuth(grpc::ServerContext* context, const pulse::admin::HostAuthRequest* request,
                        pulse::admin::HostAuthReply* reply) override {
    const std::string who = "host auth from " + context->peer();
    if (!auth_.hasPassword()) {
      logEvent(who + " refused: no hacluster password set (run crmd passwd)");
      return {grpc::StatusCode::FAILED_PRECONDITION,
              "no hacluster password is set on this node (run crmd passwd)"};
    }
    if (!auth_.checkPassword(request->username(), request->password())) {
      logEvent(who + " refused: wrong user name or password");
      return {grpc::StatusCode::UNAUTHENTICATED, "Username and/or password is incorrect"};
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
    files.cert_pem = request->cluster_cert_pem();
    files.cert_key_pem = request->cluster_key_pem();
    files.known_hosts = request->known_hosts();
    files.peer_secret = request->peer_secret();
    files.peer_hashes = request->peer_hashes();
    if (Status s = cluster_.setup(files, request->force()); !s) {
      return failure("cluster setup", grpc::StatusCode::FAILED_PRECONDITION, s.error());
    }
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
    return grpc::Status::OK;
  }

  grpc::Status CibGet(grpc::ServerContext* context, const pulse::admin::CibGetRequest*,
                      pulse::admin::CibGetReply* reply) override {
    if (grpc::Status s = authorize(*context, "cib get", /*log=*/false); !s.ok()) return s;
    auto snapshot = cluster_.readCib();
    if (!snapshot) {
      return {grpc::StatusCode::FAILED_PRECONDITION, snapshot.error().message};
    }
    reply->set_xml(snapshot->cib.xml);
    *reply->mutable_stamp() = toProto(stampOf(snapshot->cib));
    reply->set_dc(snapshot->dc.value_or(membership::kNoNode));
    reply->set_dc_name(nodeName(snapshot->dc));
    reply->set_is_dc(snapshot->is_dc);
    reply->set_ready(snapshot->ready);
    reply->set_transition_idle(snapshot->transition_idle);
    return grpc::Status::OK;
  }

  grpc::Status Fence(grpc::ServerContext* context, const pulse::admin::FenceRequest* request,
                     pulse::admin::FenceReply* reply) override {
    if (grpc::Status s = authorize(*context, "stonith fence " + request->node()); !s.ok()) return s;
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
    if (grpc::Status s = authorize(*context, "cib write"); !s.ok()) return s;
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
      return grpc::Status::OK;
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

 private:
  // OK when the call carries a token this node issued (its label then in `label`, when given;
  // the local-admin token has none); logs refusals.
  grpc::Status authorize(const grpc::ServerContext& context, const std::string& call,
                         bool log = true, std::string* label = nullptr) const {
    const auto& metadata = context.client_metadata();
    const auto it = metadata.find("authorization");
    std::string_view value;
    if (it != metadata.end()) value = std::string_view(it->second.data(), it->second.size());
    if (!value.starts_with(kBearer)) {
      logEvent(call + " from " + context.peer() + " refused: no token");
      return {grpc::StatusCode::UNAUTHENTICATED, "no authentication token; run pcs host auth"};
    }
    const std::string token(value.substr(kBearer.size()));
    if (!constantTimeEquals(token, local_token_)) {
      const TokenCheck check = auth_.checkToken(token);
      if (check.state == TokenState::kExpired) {
        logEvent(call + " from " + context.peer() + " refused: expired token");
        return {grpc::StatusCode::UNAUTHENTICATED,
                "the authentication token has expired; run pcs host auth again"};
      }
      if (check.state != TokenState::kValid) {
        logEvent(call + " from " + context.peer() + " refused: unknown token");
        return {grpc::StatusCode::UNAUTHENTICATED,
                "invalid authentication token; run pcs host auth"};
      }
      if (label != nullptr) *label = check.label;
    }
    if (log) logEvent(call + " from " + context.peer());
    return grpc::Status::OK;
  }

  static grpc::Status needHostAuthToken(const std::string& label) {
    if (label == kHostAuthLabel) return grpc::Status::OK;
    return {grpc::StatusCode::PERMISSION_DENIED,
            "this call needs a token from pcs host auth, not a cluster node's token"};
  }

  std::string nodeName(std::optional<NodeId> id) const {
    if (!id) return "";
    for (const MemberRuntime& m : cluster_.snapshot().members) {
      if (m.node.id == *id) return m.node.name;
    }
    return std::to_string(*id);
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
    reply.set_node_name(node_name_);
    reply.set_in_cluster(snapshot.configured);
    reply.set_cluster_name(snapshot.cluster_name);
    reply.set_running(snapshot.running);
    reply.set_enabled(snapshot.enabled);
    reply.set_local_nodeid(snapshot.local_id);
    reply.set_cluster_config(snapshot.config_text);
    reply.set_token_ms(static_cast<std::uint64_t>(snapshot.token.count()));
    reply.set_consensus_ms(static_cast<std::uint64_t>(snapshot.consensus.count()));
    if (snapshot.view) {
      reply.set_has_view(true);
      reply.set_ring_seq(snapshot.view->ring_id.seq);
      reply.set_ring_rep(snapshot.view->ring_id.representative);
    }
    for (const MemberRuntime& m : snapshot.members) {
      pulse::admin::MemberInfo* info = reply.add_members();
      info->set_nodeid(m.node.id);
      info->set_name(m.node.name);
      info->set_address(m.node.address);
      info->set_votes(m.node.votes);
      info->set_in_view(m.in_view);
      info->set_join_count(m.join_count);
      info->set_ever_seen(m.ever_seen);
    }
    pulse::admin::QuorumInfo* quorum = reply.mutable_quorum();
    quorum->set_quorate(snapshot.quorum.quorate);
    quorum->set_expected_votes(snapshot.quorum.expected_votes);
    quorum->set_total_votes(snapshot.quorum.total_votes);
    quorum->set_quorum(snapshot.quorum.quorum);
    quorum->set_flags(snapshot.quorum.flags);
    quorum->set_flags_text(snapshot.quorum.flagsText());
    if (!snapshot.running) return;
    auto add = [&reply](const std::string& name, std::uint64_t value) {
      pulse::admin::Counter* counter = reply.add_counters();
      counter->set_name(name);
      counter->set_value(value);
    };
    const membership::PacketCounters& packets = snapshot.stats.packets;
    add("rx.accepted", packets.accepted);
    for (std::size_t r = 0; r < membership::kDropReasonCount; ++r) {
      const auto reason = static_cast<membership::DropReason>(r);
      add("rx.dropped." + std::string(membership::toString(reason)), packets.droppedFor(reason));
    }
    add("rx.errors", snapshot.stats.receive_errors);
    add("tx.sent", snapshot.stats.sent);
    add("tx.errors", snapshot.stats.send_errors);
    add("persist.errors", snapshot.stats.persist_errors);
  }

  AuthStore auth_;
  const std::string node_name_;
  ClusterManager& cluster_;
  const std::string local_token_;  // this run's local-admin token (see admin_server.h)
};

// Node-to-node calls (proto/peer.proto), authenticated by each node's own peer secret
// (crmd/peer_auth.h; ClusterManager::deliverFromPeer checks it).
class PeerService final : public pulse::peer::Peer::Service {
 public:
  explicit PeerService(ClusterManager& cluster) : cluster_(cluster) {}

  grpc::Status Deliver(grpc::ServerContext* context, const pulse::peer::CibEnvelope* envelope,
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
  ClusterManager& cluster_;
};

// The address a program on this node reaches the server at: loopback for a wildcard listen.
std::string localAddress(const std::string& listen, int port) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "[::]") host = "[::1]";
  return host + ":" + std::to_string(port);
}

}  // namespace

std::string localAdminPath(const std::string& state_dir) { return state_dir + "/local-admin"; }

struct AdminServer::Impl {
  TlsIdentity identity;
  std::unique_ptr<AdminService> service;
  std::unique_ptr<PeerService> peer_service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
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

  auto impl = std::make_unique<Impl>();
  impl->identity = std::move(*identity);
  const std::string token = toHex(*local_token);
  impl->service =
      std::make_unique<AdminService>(std::move(*auth), options.node_name, *options.cluster, token);
  grpc::SslServerCredentialsOptions tls;
  tls.pem_key_cert_pairs.push_back({impl->identity.key_pem, impl->identity.cert_pem});
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, grpc::SslServerCredentials(tls), &impl->port);
  builder.RegisterService(impl->service.get());
  impl->peer_service = std::make_unique<PeerService>(*options.cluster);
  builder.RegisterService(impl->peer_service.get());
  impl->server = builder.BuildAndStart();
  if (!impl->server || impl->port == 0) {
    return Error{"cannot listen on " + options.listen_address};
  }
  // Written only once the port is known; the previous run's file (and token) is replaced.
  const KnownHost local{options.node_name, localAddress(options.listen_address, impl->port), token,
                        impl->identity.fingerprint};
  if (Status s = saveKnownHosts(localAdminPath(options.state_dir), {local}); !s) {
    impl->server->Shutdown();
    return Error{"cannot write the local-admin file: " + s.error().message};
  }
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

int AdminServer::port() const { return impl_->port; }
const std::string& AdminServer::certificatePem() const { return impl_->identity.cert_pem; }
const std::string& AdminServer::fingerprint() const { return impl_->identity.fingerprint; }

void AdminServer::shutdown() {
  std::call_once(impl_->shutdown_once, [this] {
    impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    impl_->server->Wait();
  });
}

}  // namespace pulse::crmd
