// The admin server's assembly (admin_server.h): the TLS identity, the auth state, the front
// acceptor, the admin service (admin_service.h, its calls in admin_*_calls.cc and
// admin_access.cc) and the node-to-node peer service on one gRPC server, and the local-admin
// file. Invariant: the local-admin file is written only once both sockets listen and are mode
// 0600, so a tool that reads it always finds a server that accepts its token.
#include "crmd/admin/admin_server.h"

#include <grpcpp/grpcpp.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "common/log.h"
#include "crmd/admin/admin_service.h"
#include "crmd/client/crypto.h"
#include "crmd/client/known_hosts.h"
#include "crmd/client/pinned_channel.h"
#include "crmd/client/secure_file.h"
#include "crmd/client/tls_identity.h"
#include "peer.grpc.pb.h"

namespace pulse::crmd {
namespace {

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
  auto front =
      FrontAcceptor::start({options.listen_address, socket_path, options.limits, options.browser});
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
