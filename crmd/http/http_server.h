// crmd's plain HTTP endpoints (/metrics for Prometheus, the route checks for HAProxy): one
// small HTTP/1.1 server, each instance on its own thread and io_context, so that a slow or
// hostile client never delays the membership, the CIB or the admin API.
//
// What it answers: GET or HEAD (and OPTIONS when asked: HAProxy's bare `option httpchk`
// sends OPTIONS /, and Patroni answers it as GET) with what `handler` returns for the
// request's path (the query string is cut off; HEAD gets the same status and headers without
// the body); another method 405; a request that is not HTTP/1.x 400; a request head over
// kMaxRequestBytes 431. Every answer closes the connection (Connection: close), so a connection
// lives for one request.
//
// Invariants (what keeps crmd safe from its clients):
//  * a connection that has not sent a whole request head within kRequestTimeout is closed,
//    and one that does not read its answer within kRequestTimeout is cut off;
//  * at most kMaxConnections connections are open at once; one more is closed at accept;
//  * nothing a client sends can throw out of a handler: errors close that connection only,
//    and a handler's exception is answered 500;
//  * `handler` runs on the server thread, one request at a time; it must be safe to call from
//    that thread (crmd's read NodeDaemon's snapshot and CIB, which are thread-safe).
//
// Thread-safety: start() and shutdown() from one owning thread; shutdown() joins the thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace pulse::crmd::http {

inline constexpr std::size_t kMaxRequestBytes = 8192;
inline constexpr std::chrono::seconds kRequestTimeout{5};
inline constexpr std::size_t kMaxConnections = 16;

// Where to listen: "off", "HOST:PORT", "*:PORT" or "[V6]:PORT". `host` empty means every
// address (dual-stack when the host has IPv6).
struct ListenAddress {
  bool off = false;
  std::string host;
  std::uint16_t port = 0;
};
// An Error names `option` (say "--metrics-address") and says what is wrong with the text.
Result<ListenAddress> parseListenAddress(const std::string& text, std::string_view option);

// One request as the handler sees it: the method is GET, HEAD or (when answered) OPTIONS; the
// server answers the others. The path has no query string.
struct Request {
  std::string_view method;
  std::string_view path;
};

struct Reply {
  int status = 200;  // 200 OK, 404 Not Found, 503 Service Unavailable, ...
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// "200 OK", "503 Service Unavailable"; "500 Internal Server Error" for a code it does not know.
std::string_view statusLine(int status);

class HttpServer {
 public:
  using Handler = std::function<Reply(const Request&)>;
  // Binds and starts the thread; an Error names `what` ("metrics") and the address when it
  // cannot bind. `answer_options`: OPTIONS goes to the handler as GET does.
  static Result<std::unique_ptr<HttpServer>> start(const ListenAddress& address, std::string what,
                                                   Handler handler, bool answer_options = false);
  ~HttpServer();  // shutdown()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  // "0.0.0.0:9664"-style, for the log.
  std::string endpoint() const;
  // Closes the listener and every connection, then joins the thread. Idempotent.
  void shutdown();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pulse::crmd::http
