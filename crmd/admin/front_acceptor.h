// The admin port's TCP front (TCP 2224): crmd accepts the connections itself and passes each
// one, byte for byte, to the gRPC server, which listens only on a Unix socket in the state
// directory (mode 0600). gRPC 1.51 has no connection limits of its own, keeps a connection that
// never starts TLS for 120 s, and stops accepting for good once accept() has failed with
// EMFILE; so a few thousand idle connects from anywhere used to stop the admin API and the
// peer replication that shares the port until crmd restarted. The front enforces, in order:
//
//   accept     never stops: EMFILE/ENFILE/ENOBUFS back off (100 ms doubling to 1 s) and
//              retry, logged at most once per 10 s with a count;
//   admission  ConnectionCounter (connection_limits.h): per source and per pool, with a pool
//              reserved for cluster members and loopback; a refused connection is closed at
//              once (logged at most once per 10 s with a count);
//   handshake  the client's TLS handshake must end within limits.handshake_timeout
//              (TlsHandshakeWatch), else the connection is closed; bytes that are not TLS
//              close it at once. The connection to gRPC is opened only once the client has
//              sent its first bytes, so an idle connect costs a single descriptor.
//
// The gRPC server sees every connection come from the front's end of the Unix socket (an
// abstract, kernel-chosen name per connection); clientOf() maps that name back to the real
// client, for logs and per-source decisions in the handlers.
//
// Thread-safety: one thread of its own runs the accept loop and every connection; the public
// methods may be called from any thread. The destructor closes every connection and joins the
// thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "common/result.h"
#include "crmd/admin/connection_limits.h"

namespace pulse::crmd {

struct FrontAcceptorOptions {
  std::string listen_address;  // "host:port", "[v6]:port"; port 0 picks a free port
  std::string upstream_path;   // the gRPC server's Unix socket
  ConnectionLimits limits;
  // The web console (crmd/console/console.h): connections whose ClientHello offers ALPN
  // "http/1.1" are handed to it as a file descriptor (then the callee's to close) with the
  // client in gRPC's peer form; it is called on the front's thread and must not block. Empty:
  // every connection goes to gRPC.
  std::function<void(int fd, const std::string& peer)> browser{};
};

struct FrontCounters {
  std::uint64_t accepted = 0;
  std::uint64_t refused_source = 0;      // the source's limit was reached
  std::uint64_t refused_pool = 0;        // the pool's limit was reached
  std::uint64_t handshake_timeouts = 0;  // closed: handshake not done in time
  std::uint64_t not_tls = 0;             // closed: the client sent something else
  std::uint64_t accept_errors = 0;       // accept() failed (EMFILE and the like)
  std::uint64_t to_console = 0;          // handed to the web console (ALPN http/1.1)
  std::size_t open_trusted = 0;
  std::size_t open_untrusted = 0;
};

class FrontAcceptor {
 public:
  // Binds and listens, then serves on its own thread. Errors: a bad or unbindable address.
  static Result<std::unique_ptr<FrontAcceptor>> start(FrontAcceptorOptions options);
  ~FrontAcceptor();
  FrontAcceptor(const FrontAcceptor&) = delete;
  FrontAcceptor& operator=(const FrontAcceptor&) = delete;

  int port() const;

  // The addresses whose connections go to the reserved pool (the cluster members'), besides
  // loopback, which always does. Textual IPv4 or IPv6 addresses; anything else is ignored.
  // Applies to connections accepted from then on.
  void setTrustedSources(const std::set<std::string>& addresses);

  // gRPC's peer string for a connection that came through the front ("unix-abstract:…") ->
  // the client's address in gRPC's own form ("ipv4:192.0.2.11:40512", "ipv6:[::1]:40512");
  // nullopt for anything else (then the caller keeps the peer string it has).
  std::optional<std::string> clientOf(const std::string& grpc_peer) const;

  FrontCounters counters() const;

 private:
  struct Impl;
  explicit FrontAcceptor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pulse::crmd
