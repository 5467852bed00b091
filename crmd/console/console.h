// The web console crmd serves on its admin port (TCP 2224), beside the gRPC admin API: the
// front acceptor (crmd/admin/front_acceptor.h) peeks at each connection's TLS ClientHello and
// hands those that offer ALPN "http/1.1" (browsers) to adopt(); gRPC clients offer only "h2"
// and go on to gRPC as before (client_hello.h). The console terminates TLS itself (OpenSSL,
// crmd's own certificate) and speaks HTTP/1.1.
//
// What it serves: one page (HTML, JS and CSS built into the binary, console_assets.h) and a
// JSON API under /api/ for it:
//   POST /api/login     {"username","password"}: hacluster's password (the same check and the
//                       same per-source backoff as `pcs host auth`, auth_limiter.h) -> a session
//                       cookie (Secure, HttpOnly, SameSite=Strict, 256-bit id) and the
//                       session's CSRF token
//   POST /api/logout    ends the session
//   GET  /api/session   who is logged in, and the CSRF token (for a reloaded page)
//   GET  /api/snapshot  the cluster as `pcs status --output-format=json` shows it, the CIB,
//                       the membership and the event journal (console_snapshot.h)
//   GET  /api/stream    the same as server-sent events, a new one within a second of a change
//   GET  /api/agents, /api/agent?name=AGENT   the OCF agents here and one's parameters
//   GET  /api/transitions  the DC's last transitions: actions and their order
//   (console_transitions.h) POST /api/action    {"action": ...}: a change, carried out by the
//   node's pcs
//                       (console_actions.h); the answer has the command and its output
// Every /api/ route but login answers 401 without a live session; every POST but login needs
// the session's X-CSRF-Token header (403 without it).
//
// Bounds: at most kMaxConnections connections (kMaxPerSource from one address), each on its
// own thread; a TLS handshake must end within 10 s and a request arrive within 30 s; request
// heads 8 KiB, bodies 64 KiB (http_request.h). Nothing a client sends can end the daemon: every
// error closes that connection only.
//
// Thread-safety: adopt() from any thread (the front acceptor's); the destructor closes every
// connection and waits for their threads.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"

namespace pulse::crmd {
class ClusterControl;
}

namespace pulse::crmd::console {

inline constexpr std::size_t kMaxConnections = 64;
inline constexpr std::size_t kMaxPerSource = 16;

struct ConsoleOptions {
  std::string state_dir;  // crmd's: TLS identity, hacluster password
  std::string node_name;
  std::string ocf_root = "/usr/lib/ocf";
  std::string pcs_path;  // the pcs that carries out changes; "" = pcs in crmd's own folder
  ClusterControl* cluster = nullptr;  // must outlive the console
};

class Console {
 public:
  // Loads the TLS identity and the auth state and starts the snapshot thread. Errors: an
  // unusable identity or state directory.
  static Result<std::unique_ptr<Console>> start(ConsoleOptions options);
  ~Console();
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  // Takes over connection `fd` (now the console's to close), whose client is `peer` in gRPC's
  // form ("ipv4:192.0.2.11:40512").
  void adopt(int fd, const std::string& peer);

  struct Impl;

 private:
  explicit Console(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pulse::crmd::console
