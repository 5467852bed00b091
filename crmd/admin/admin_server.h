// The admin gRPC server (service pulse.admin.Admin) over TLS: HostAuth exchanges the hacluster
// password for a token; every other call needs `authorization: Bearer <token>` and is refused
// with UNAUTHENTICATED without a valid one (an expired one says so, auth_store.h). HostAuth
// passes an AuthLimiter first (per-source backoff after repeated failures, at most two password
// hashes at once; auth_limiter.h), whose refusals are RESOURCE_EXHAUSTED with a message saying
// when to retry. Nothing a caller sends is logged before its token is checked. Minting node
// tokens and revoking every host-auth token take a host-auth token: a cluster node's own token
// (node:NAME) cannot revoke the operator's or mint tokens for other nodes. The cluster calls
// (setup, start, stop, enable, destroy, status) are carried out by the ClusterControl
// (cluster_control.h). gRPC stays behind a pimpl so that including this header costs nothing.
//
// The network side: gRPC listens only on `<state dir>/admin.sock` (mode 0600; and, for this
// node's own programs, on `<state dir>/local.sock`, see localSocketPath); the TCP port is
// a FrontAcceptor's (front_acceptor.h), which passes connections on within `limits`: per
// source and in all, a pool reserved for cluster members and loopback, a TLS handshake
// deadline. A flood of connections from strangers therefore neither exhausts crmd's
// descriptors nor keeps the members' replication (which shares the port) out.
//
// Local access (for crm_attribute, crm_node and crm_master, which resource agents run as root
// on the node with no pcs token): at every start the server makes a fresh random 32-byte token,
// accepts it like a pcs token, and writes `<state dir>/local-admin` (mode 0600, so only root
// reads it) in the known-hosts format, one line: NODE ADDR:PORT TOKEN FINGERPRINT, with the
// loopback address when listening on a wildcard. The token lives only in memory and that file;
// it changes at every restart, so an old copy of the file is useless.
//
// Thread-safety: gRPC runs handlers on its own threads; they share the AuthStore and the
// ClusterControl, which are thread-safe. shutdown() may be called from any thread except a handler.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "crmd/admin/connection_limits.h"
#include "crmd/client/local_admin.h"

namespace pulse::crmd {

class ClusterControl;

struct AdminServerOptions {
  std::string state_dir;       // must exist; holds the TLS identity, password hash and tokens
  std::string listen_address;  // "host:port"; port 0 picks a free port
  std::string node_name;       // reported by HostAuth and Whoami
  ClusterControl* cluster = nullptr;       // the cluster calls; must outlive the server
  ConnectionLimits limits{};               // the admin port's (connection_limits.h)
  std::chrono::seconds token_lifetime{0};  // host-auth tokens expire after this; 0: never
  std::string version{};                   // the Pulse release, reported by ClusterStatus
  // Browsers' connections on the port go here (FrontAcceptorOptions::browser); empty: none.
  std::function<void(int fd, const std::string& peer)> browser{};
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
