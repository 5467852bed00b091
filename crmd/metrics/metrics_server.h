// The /metrics endpoint: plain HTTP/1.1 (as ha_cluster_exporter serves on 9664) on its own
// thread and io_context, so that a slow or hostile scraper never delays the membership, the
// CIB or the admin API.
//
// What it answers: GET (or HEAD) /metrics (a query string is ignored) with 200 and the text
// that `render` returns; another path 404; another method 405; a request that is not HTTP/1.x
// 400; a request head over kMaxRequestBytes 431. Every answer closes the connection
// (Connection: close), so a connection lives for one request only.
//
// Invariants (what keeps crmd safe from its scrapers):
//  * a connection that has not sent a whole request head within kRequestTimeout is closed;
//  * at most kMaxConnections connections are open at once; one more is closed at accept;
//  * nothing a client sends can throw out of a handler: errors close that connection only;
//  * `render` runs on the server thread, one request at a time; it must be safe to call from
//    that thread (crmd's reads ClusterControl's snapshot and CIB, which are thread-safe).
//
// Thread-safety: start() and shutdown() from one owning thread; shutdown() joins the thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"

namespace pulse::crmd::metrics {

inline constexpr std::uint16_t kDefaultPort = 9664;  // ha_cluster_exporter's
inline constexpr std::size_t kMaxRequestBytes = 8192;
inline constexpr std::chrono::seconds kRequestTimeout{5};
inline constexpr std::size_t kMaxConnections = 16;

// Where to listen, from --metrics-address: "off", "HOST:PORT" or "[V6]:PORT". An Error says
// what is wrong with the text. `host` empty means every address (dual-stack when the host
// has IPv6).
struct ListenAddress {
  bool off = false;
  std::string host;
  std::uint16_t port = kDefaultPort;
};
Result<ListenAddress> parseListenAddress(const std::string& text);

class MetricsServer {
 public:
  using Render = std::function<std::string()>;
  // Binds and starts the thread; an Error names the address when it cannot bind.
  static Result<std::unique_ptr<MetricsServer>> start(const ListenAddress& address, Render render);
  ~MetricsServer();  // shutdown()
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  std::uint16_t port() const;
  // "0.0.0.0:9664"-style, for the log.
  std::string endpoint() const;
  // Closes the listener and every connection, then joins the thread. Idempotent.
  void shutdown();

 private:
  struct Impl;
  explicit MetricsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pulse::crmd::metrics
