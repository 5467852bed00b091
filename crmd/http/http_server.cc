#include "crmd/http/http_server.h"

#include <boost/asio.hpp>
#include <charconv>
#include <string_view>
#include <thread>

#include "common/log.h"

namespace pulse::crmd::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Result<ListenAddress> parseListenAddress(const std::string& text, std::string_view option) {
  const std::string prefix = std::string(option) + " '" + text + "': ";
  ListenAddress out;
  if (text == "off") {
    out.off = true;
    return out;
  }
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    return Error{prefix + "expected HOST:PORT, *:PORT, [IPV6]:PORT or off"};
  }
  std::string host = text.substr(0, colon);
  const std::string port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return Error{prefix + "write an IPv6 address in brackets, [::1]:PORT"};
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return Error{prefix + "the port must be a number 0-65535"};
  }
  if (host == "*") host.clear();
  out.host = host;
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

std::string_view statusLine(int status) {
  switch (status) {
    case 200:
      return "200 OK";
    case 400:
      return "400 Bad Request";
    case 404:
      return "404 Not Found";
    case 405:
      return "405 Method Not Allowed";
    case 431:
      return "431 Request Header Fields Too Large";
    case 503:
      return "503 Service Unavailable";
    default:
      return "500 Internal Server Error";
  }
}

namespace {

std::string response(const Reply& reply, bool head) {
  std::string out = "HTTP/1.1 " + std::string(statusLine(reply.status)) +
                    "\r\nContent-Type: " + reply.content_type +
                    "\r\nContent-Length: " + std::to_string(reply.body.size()) +
                    "\r\nConnection: close\r\n\r\n";
  if (!head) out += reply.body;
  return out;
}

std::string plain(int status, std::string body) {
  return response(Reply{status, "text/plain; charset=utf-8", std::move(body)}, false);
}

}  // namespace

struct HttpServer::Impl {
  // Declared before `io`: the handlers that io's destructor destroys still use them.
  Handler handler;
  std::string what;  // "metrics", for the log
  bool answer_options = false;
  std::size_t open = 0;  // connections open; touched on the io thread only
  asio::io_context io;
  tcp::acceptor acceptor{io};
  asio::steady_timer accept_pause{io};
  std::thread thread;
  bool stopped = false;

  // The answer to one request head (everything up to the blank line).
  std::string answer(std::string_view head) {
    const std::size_t eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    const std::size_t sp1 = line.find(' ');
    const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
      return plain(400, "malformed request line\n");
    }
    const std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    if (!version.starts_with("HTTP/1.") || method.empty() || target.empty()) {
      return plain(400, "not an HTTP/1.x request\n");
    }
    if (method != "GET" && method != "HEAD" && !(method == "OPTIONS" && answer_options)) {
      return plain(405, answer_options ? "only GET, HEAD and OPTIONS\n" : "only GET and HEAD\n");
    }
    target = target.substr(0, target.find('?'));
    Reply reply;
    try {
      reply = handler(Request{method, target});
    } catch (const std::exception& e) {
      logEvent(what + ": answering " + std::string(target.substr(0, 200)) + " failed: " + e.what());
      return plain(500, "answering failed\n");
    }
    return response(reply, method == "HEAD");
  }

  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (ec) {
        // Out of descriptors, say: pause instead of spinning on a failing accept.
        accept_pause.expires_after(std::chrono::milliseconds(100));
        accept_pause.async_wait([this](boost::system::error_code wait_ec) {
          if (!wait_ec) accept();
        });
        return;
      }
      {
        if (open >= kMaxConnections) {
          boost::system::error_code ignored;
          socket.close(ignored);
        } else {
          serve(std::move(socket));
        }
      }
      accept();
    });
  }

  struct Connection {
    explicit Connection(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
    tcp::socket socket;
    asio::steady_timer timer;
    asio::streambuf buffer{kMaxRequestBytes};
    std::string reply;
  };

  void serve(tcp::socket socket) {
    ++open;
    // The count drops when the last handler lets go of the connection.
    std::shared_ptr<Connection> conn(new Connection(std::move(socket)), [this](Connection* c) {
      --open;
      delete c;
    });
    conn->timer.expires_after(kRequestTimeout);
    conn->timer.async_wait([conn](boost::system::error_code ec) {
      if (ec) return;  // cancelled: the request came in time
      boost::system::error_code ignored;
      conn->socket.close(ignored);
    });
    asio::async_read_until(conn->socket, conn->buffer, "\r\n\r\n",
                           [this, conn](boost::system::error_code ec, std::size_t n) {
                             if (ec == asio::error::not_found) {
                               finish(conn, plain(431, "request too large\n"));
                               return;
                             }
                             if (ec) {
                               boost::system::error_code ignored;
                               conn->timer.cancel();
                               conn->socket.close(ignored);
                               return;
                             }
                             conn->timer.cancel();
                             const auto data = conn->buffer.data();
                             const std::string head(asio::buffers_begin(data),
                                                    asio::buffers_begin(data) + n);
                             finish(conn, answer(head));
                           });
  }

  void finish(const std::shared_ptr<Connection>& conn, std::string reply) {
    conn->reply = std::move(reply);
    // The write has the same deadline: a client that stops reading is cut off.
    conn->timer.expires_after(kRequestTimeout);
    conn->timer.async_wait([conn](boost::system::error_code ec) {
      if (ec) return;
      boost::system::error_code ignored;
      conn->socket.close(ignored);
    });
    asio::async_write(conn->socket, asio::buffer(conn->reply),
                      [this, conn](boost::system::error_code ec, std::size_t) {
                        boost::system::error_code ignored;
                        if (ec) {
                          conn->timer.cancel();
                          conn->socket.close(ignored);
                          return;
                        }
                        // Lingering close: closing with unread bytes (a request over the
                        // limit) would reset the connection and lose the answer, so the
                        // rest is read and discarded until the client closes or the
                        // deadline above cuts it off.
                        conn->socket.shutdown(tcp::socket::shutdown_send, ignored);
                        drain(conn);
                      });
  }

  void drain(const std::shared_ptr<Connection>& conn) {
    conn->buffer.consume(conn->buffer.size());
    conn->socket.async_read_some(conn->buffer.prepare(1024),
                                 [this, conn](boost::system::error_code ec, std::size_t) {
                                   if (!ec) {
                                     drain(conn);
                                     return;
                                   }
                                   boost::system::error_code ignored;
                                   conn->timer.cancel();
                                   conn->socket.close(ignored);
                                 });
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { shutdown(); }

Result<std::unique_ptr<HttpServer>> HttpServer::start(const ListenAddress& address,
                                                      std::string what, Handler handler,
                                                      bool answer_options) {
  auto impl = std::make_unique<Impl>();
  impl->answer_options = answer_options;
  impl->handler = std::move(handler);
  impl->what = std::move(what);
  boost::system::error_code ec;
  tcp::endpoint endpoint;
  const std::string shown =
      (address.host.empty() ? std::string("*") : address.host) + ":" + std::to_string(address.port);
  if (address.host.empty()) {
    // Every address: IPv6 with IPv4-mapped addresses where the host has IPv6, else IPv4.
    endpoint = tcp::endpoint(tcp::v6(), address.port);
    impl->acceptor.open(tcp::v6(), ec);
    if (!ec) impl->acceptor.set_option(asio::ip::v6_only(false), ec);
    if (ec) {
      boost::system::error_code ignored;
      impl->acceptor.close(ignored);
      endpoint = tcp::endpoint(tcp::v4(), address.port);
      ec.clear();
      impl->acceptor.open(tcp::v4(), ec);
    }
  } else {
    const auto ip = asio::ip::make_address(address.host, ec);
    if (ec)
      return Error{impl->what + " address " + shown + ": '" + address.host +
                   "' is not an IP address"};
    endpoint = tcp::endpoint(ip, address.port);
    impl->acceptor.open(endpoint.protocol(), ec);
  }
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error{"cannot listen for " + impl->what + " on " + shown + ": " + ec.message()};
  impl->accept();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] {
    // A handler's exception would end the thread; each one is caught above, and run() is
    // restarted for anything that still escapes, so the endpoint stays up.
    for (;;) {
      try {
        raw->io.run();
        return;
      } catch (const std::exception& e) {
        logEvent(raw->what + ": " + e.what());
      }
    }
  });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

std::uint16_t HttpServer::port() const {
  boost::system::error_code ec;
  const auto endpoint = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

std::string HttpServer::endpoint() const {
  boost::system::error_code ec;
  const auto endpoint = impl_->acceptor.local_endpoint(ec);
  if (ec) return "?";
  const auto address = endpoint.address();
  if (address.is_unspecified()) return "*:" + std::to_string(endpoint.port());
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(endpoint.port());
}

void HttpServer::shutdown() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace pulse::crmd::http
