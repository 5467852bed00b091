// The admin gRPC server (service pulse.admin.Admin) over TLS: HostAuth exchanges the hacluster
// password for a token; every other call needs `authorization: Bearer <token>` and is refused
// with UNAUTHENTICATED without a valid one. The cluster calls (setup, start, stop, enable,
// destroy, status) are carried out by the ClusterManager. gRPC stays behind a pimpl so that
// including this header costs nothing.
//
// Thread-safety: gRPC runs handlers on its own threads; they share the AuthStore and the
// ClusterManager, which are thread-safe. shutdown() may be called from any thread except a handler.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"

namespace pulse::crmd {

class ClusterManager;

struct AdminServerOptions {
  std::string state_dir;       // must exist; holds the TLS identity, password hash and tokens
  std::string listen_address;  // "host:port"; port 0 picks a free port
  std::string node_name;       // reported by HostAuth and Whoami
  ClusterManager* cluster = nullptr;  // the cluster calls; must outlive the server
};

class AdminServer {
 public:
  // Loads (or on first start generates) the TLS identity and the auth state, then listens.
  // Errors: unusable state directory, corrupt files, address that cannot be bound.
  static Result<std::unique_ptr<AdminServer>> start(const AdminServerOptions& options);
  ~AdminServer();  // shuts down when still running

  int port() const;
  const std::string& certificatePem() const;
  const std::string& fingerprint() const;

  // Stops accepting calls, lets running calls finish (cancelling them after 2 s), and returns
  // when the server is down. Idempotent.
  void shutdown();

 private:
  struct Impl;
  explicit AdminServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pulse::crmd
