#include "crmd/admin_server.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <mutex>

#include "admin.grpc.pb.h"
#include "crmd/auth_store.h"
#include "crmd/log.h"
#include "crmd/secure_file.h"
#include "crmd/tls_identity.h"

namespace pulse::crmd {
namespace {

constexpr std::string_view kBearer = "Bearer ";

class AdminService final : public pulse::admin::Admin::Service {
 public:
  AdminService(AuthStore auth, std::string node_name)
      : auth_(std::move(auth)), node_name_(std::move(node_name)) {}

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
    // Cluster setup is not implemented yet, so no node is in a cluster.
    reply->set_in_cluster(false);
    return grpc::Status::OK;
  }

 private:
  // OK when the call carries a token this node issued; logs refusals.
  grpc::Status authorize(const grpc::ServerContext& context, const std::string& call) const {
    const auto& metadata = context.client_metadata();
    const auto it = metadata.find("authorization");
    std::string_view value;
    if (it != metadata.end()) value = std::string_view(it->second.data(), it->second.size());
    if (!value.starts_with(kBearer)) {
      logEvent(call + " from " + context.peer() + " refused: no token");
      return {grpc::StatusCode::UNAUTHENTICATED, "no authentication token; run pcs host auth"};
    }
    if (!auth_.isValidToken(std::string(value.substr(kBearer.size())))) {
      logEvent(call + " from " + context.peer() + " refused: unknown token");
      return {grpc::StatusCode::UNAUTHENTICATED, "invalid authentication token; run pcs host auth"};
    }
    logEvent(call + " from " + context.peer());
    return grpc::Status::OK;
  }

  AuthStore auth_;
  const std::string node_name_;
};

}  // namespace

struct AdminServer::Impl {
  TlsIdentity identity;
  std::unique_ptr<AdminService> service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  std::once_flag shutdown_once;
};

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminServer::~AdminServer() { shutdown(); }

Result<std::unique_ptr<AdminServer>> AdminServer::start(const AdminServerOptions& options) {
  if (Status s = ensureDirectory(options.state_dir); !s) return s.error();
  auto identity = loadOrCreateTlsIdentity(options.state_dir);
  if (!identity) return identity.error();
  auto auth = AuthStore::open(options.state_dir);
  if (!auth) return auth.error();
  if (!auth->hasPassword()) {
    logEvent("no hacluster password set in " + options.state_dir +
             "; host auth is refused until `crmd passwd` sets one");
  }

  auto impl = std::make_unique<Impl>();
  impl->identity = std::move(*identity);
  impl->service = std::make_unique<AdminService>(std::move(*auth), options.node_name);
  grpc::SslServerCredentialsOptions tls;
  tls.pem_key_cert_pairs.push_back({impl->identity.key_pem, impl->identity.cert_pem});
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, grpc::SslServerCredentials(tls), &impl->port);
  builder.RegisterService(impl->service.get());
  impl->server = builder.BuildAndStart();
  if (!impl->server || impl->port == 0) {
    return Error{"cannot listen on " + options.listen_address};
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
