#include "crmd/admin/front_acceptor.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "common/log.h"
#include "crmd/console/client_hello.h"

namespace pulse::crmd {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using unix_stream = asio::local::stream_protocol;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::seconds kLogInterval{10};
constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{1000};
// One TLS record: what a client sends at once in the common case.
constexpr std::size_t kBufferSize = 16 * 1024;
constexpr std::string_view kAbstractScheme = "unix-abstract:";

// At most one line per kLogInterval for one kind of event; the next line says how many
// events it stands for, so a flood of refusals costs a line per 10 s, not one per connect.
class RateLimitedLog {
 public:
  void note(const std::string& text) {
    ++unreported_;
    const Clock::time_point now = Clock::now();
    if (reported_once_ && now - last_ < kLogInterval) return;
    logEvent(unreported_ > 1
                 ? text + " (and " + std::to_string(unreported_ - 1) +
                       " more like it in the last " + std::to_string(kLogInterval.count()) + " s)"
                 : text);
    unreported_ = 0;
    last_ = now;
    reported_once_ = true;
  }

 private:
  std::uint64_t unreported_ = 0;
  Clock::time_point last_;
  bool reported_once_ = false;
};

// accept() failures that mean "out of a resource for now": retry later, never give up.
bool isResourceShortage(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec.value() == ENFILE ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

asio::ip::address plainAddress(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address;
}

// gRPC's peer form: "ipv4:192.0.2.11:40512", "ipv6:[::1]:40512".
std::string grpcPeerName(const tcp::endpoint& endpoint) {
  const asio::ip::address address = plainAddress(endpoint.address());
  const std::string port = std::to_string(endpoint.port());
  return address.is_v4() ? "ipv4:" + address.to_string() + ":" + port
                         : "ipv6:[" + address.to_string() + "]:" + port;
}

// "host:port" or "[v6]:port" -> host and port (0: any free port).
Result<std::pair<std::string, std::string>> splitListenAddress(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return Error{"bad listen address '" + text + "' (expected ADDR:PORT)"};
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port = text.substr(colon + 1);
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoul(port) > 65535) {
    return Error{"bad port in listen address '" + text + "'"};
  }
  return std::pair{host.empty() ? std::string("0.0.0.0") : host, port};
}

}  // namespace

struct FrontAcceptor::Impl {
  struct Connection;

  explicit Impl(FrontAcceptorOptions options_in)
      : options(std::move(options_in)), counter(options.limits) {}

  void accept();
  void onAccept(const boost::system::error_code& ec, tcp::socket socket);
  void release(Connection& connection);
  template <class F>
  void count(F&& change) {
    std::lock_guard lock(mutex);
    change(stats);
  }

  const FrontAcceptorOptions options;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  asio::steady_timer retry{io};
  std::chrono::milliseconds backoff{0};                   // io thread; 0 after a successful accept
  ConnectionCounter counter;                              // io thread
  RateLimitedLog accept_log, refusal_log, handshake_log;  // io thread
  int port = 0;

  mutable std::mutex mutex;
  std::set<asio::ip::address> trusted_sources;  // guarded by mutex
  std::map<std::string, std::string> clients;   // upstream name -> gRPC peer; guarded by mutex
  FrontCounters stats;                          // guarded by mutex
  std::thread thread;                           // runs io; started once the port listens
};

// One client connection and, once the client has spoken, its connection to gRPC. Lives as long
// as an operation on it is pending (each handler holds a shared_ptr); close() is idempotent
// and gives the connection's admission back exactly once.
struct FrontAcceptor::Impl::Connection : std::enable_shared_from_this<Connection> {
  Connection(Impl& owner, tcp::socket socket, std::string source_address, bool is_trusted,
             std::string peer_name)
      : impl(owner),
        client(std::move(socket)),
        upstream(owner.io),
        deadline(owner.io),
        source(std::move(source_address)),
        trusted(is_trusted),
        peer(std::move(peer_name)) {}

  void start() {
    deadline.expires_after(impl.options.limits.handshake_timeout);
    deadline.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->onDeadline();
    });
    // Buffers only once the client has something to say: an idle connection costs a socket.
    client.async_wait(
        tcp::socket::wait_read, [self = shared_from_this()](const boost::system::error_code& ec) {
          if (ec) return self->close();
          self->to_upstream = std::make_unique_for_overwrite<std::uint8_t[]>(kBufferSize);
          self->to_client = std::make_unique_for_overwrite<std::uint8_t[]>(kBufferSize);
          self->route();
        });
  }

  // With a console: peeks at the ClientHello (leaving it in the socket) and hands a browser's
  // connection over whole, so that the console does the TLS handshake itself. Everything else
  // (gRPC, bytes that are not TLS, a ClientHello that does not parse) goes the old way.
  void route() {
    if (!impl.options.browser) return readFirst();
    const ssize_t n =
        ::recv(client.native_handle(), to_upstream.get(), kBufferSize, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      return close();
    }
    const std::size_t have = n < 0 ? 0 : static_cast<std::size_t>(n);
    switch (routeByAlpn(std::span<const std::uint8_t>(to_upstream.get(), have))) {
      case HelloRoute::kNeedMore:
        // The rest of the ClientHello is on its way (a browser's often takes two segments);
        // the handshake deadline bounds the wait. The pause doubles (5 ms to 250 ms), so a
        // client that stalls mid-hello costs a few dozen wakeups, not one every 5 ms.
        if (have >= kBufferSize) return readFirst();
        pause.expires_after(peek_pause);
        peek_pause = std::min(peek_pause * 2, std::chrono::milliseconds(250));
        pause.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
          if (!ec && !self->closed) self->route();
        });
        return;
      case HelloRoute::kBrowser:
        return handToConsole();
      case HelloRoute::kNotTls:
      case HelloRoute::kGrpc:
        return readFirst();
    }
  }

  void readFirst() {
    client.async_read_some(
        upstreamBuffer(),
        [self = shared_from_this()](const boost::system::error_code& read_error, std::size_t n) {
          self->onFirstBytes(read_error, n);
        });
  }

  // The console owns the connection from here on (its own limits and timeouts); the front
  // forgets it, so it no longer counts against the front's admission.
  void handToConsole() {
    const int fd = ::dup(client.native_handle());
    impl.count([](FrontCounters& s) { ++s.to_console; });
    const std::string who = peer;
    close();
    if (fd < 0) return;
    // Blocking I/O there: O_NONBLOCK belongs to the open file, which the dup shares.
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    impl.options.browser(fd, who);
  }

  asio::mutable_buffer upstreamBuffer() { return asio::buffer(to_upstream.get(), kBufferSize); }
  asio::mutable_buffer clientBuffer() { return asio::buffer(to_client.get(), kBufferSize); }

  // The client spoke: only now is the connection to gRPC opened.
  void onFirstBytes(const boost::system::error_code& ec, std::size_t n) {
    if (ec || !inspect(n)) return close();
    boost::system::error_code error;
    upstream.open(unix_stream(), error);
    // An empty path asks the kernel for a unique abstract name (autobind): that name is what
    // gRPC reports as the call's peer, and clientOf() maps it back to this client.
    if (!error) upstream.bind(unix_stream::endpoint(""), error);
    if (!error) {
      const std::string path = upstream.local_endpoint(error).path();
      if (!error && path.size() > 1 && path[0] == '\0') upstream_name = path.substr(1);
    }
    if (error || upstream_name.empty()) {
      impl.accept_log.note("admin port: cannot open a connection to the gRPC server for " + source +
                           ": " + (error ? error.message() : "no socket name"));
      return close();
    }
    {
      std::lock_guard lock(impl.mutex);
      impl.clients[upstream_name] = peer;
    }
    upstream.async_connect(
        unix_stream::endpoint(impl.options.upstream_path),
        [self = shared_from_this(), n](const boost::system::error_code& connect_error) {
          if (connect_error) return self->close();
          asio::async_write(self->upstream, asio::buffer(self->to_upstream.get(), n),
                            [self](const boost::system::error_code& write_error, std::size_t) {
                              if (write_error) return self->close();
                              self->pumpToUpstream();
                              self->pumpToClient();
                            });
        });
  }

  void pumpToUpstream() {
    client.async_read_some(
        upstreamBuffer(),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          if (ec || !self->inspect(n)) return self->close();
          asio::async_write(self->upstream, asio::buffer(self->to_upstream.get(), n),
                            [self](const boost::system::error_code& write_error, std::size_t) {
                              if (write_error) return self->close();
                              self->pumpToUpstream();
                            });
        });
  }

  void pumpToClient() {
    upstream.async_read_some(
        clientBuffer(),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          if (ec) return self->close();
          asio::async_write(self->client, asio::buffer(self->to_client.get(), n),
                            [self](const boost::system::error_code& write_error, std::size_t) {
                              if (write_error) return self->close();
                              self->pumpToClient();
                            });
        });
  }

  // Watches the handshake in the client's first `n` bytes of to_upstream; false: not TLS.
  bool inspect(std::size_t n) {
    if (watch.state() == TlsHandshakeWatch::State::kEstablished) return true;
    switch (watch.feed(std::span<const std::uint8_t>(to_upstream.get(), n))) {
      case TlsHandshakeWatch::State::kNotTls:
        impl.count([](FrontCounters& s) { ++s.not_tls; });
        impl.handshake_log.note("admin port: closed a connection from " + source +
                                ": it does not speak TLS");
        return false;
      case TlsHandshakeWatch::State::kEstablished:
        deadline.cancel();
        return true;
      case TlsHandshakeWatch::State::kHandshake:
        return true;
    }
    return true;
  }

  void onDeadline() {
    if (closed || watch.state() == TlsHandshakeWatch::State::kEstablished) return;
    impl.count([](FrontCounters& s) { ++s.handshake_timeouts; });
    impl.handshake_log.note("admin port: closed a connection from " + source +
                            ": no TLS handshake within " +
                            std::to_string(impl.options.limits.handshake_timeout.count()) + " ms");
    close();
  }

  void close() {
    if (closed) return;
    closed = true;
    boost::system::error_code ignored;
    client.close(ignored);
    upstream.close(ignored);
    deadline.cancel();
    pause.cancel();
    impl.release(*this);
  }

  Impl& impl;
  tcp::socket client;
  unix_stream::socket upstream;
  asio::steady_timer deadline;
  asio::steady_timer pause{impl.io};  // between peeks at an incomplete ClientHello
  std::chrono::milliseconds peek_pause{5};
  const std::string source;   // the client's address, the admission key
  const bool trusted;         // counted in the reserved pool
  const std::string peer;     // the client's address and port in gRPC's form
  std::string upstream_name;  // the abstract name of our end of the Unix socket, once open
  TlsHandshakeWatch watch;
  bool closed = false;
  std::unique_ptr<std::uint8_t[]> to_upstream;  // kBufferSize, once the client has spoken
  std::unique_ptr<std::uint8_t[]> to_client;    // kBufferSize, likewise
};

void FrontAcceptor::Impl::accept() {
  acceptor.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    onAccept(ec, std::move(socket));
  });
}

void FrontAcceptor::Impl::onAccept(const boost::system::error_code& ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
  if (ec) {
    if (!isResourceShortage(ec)) return accept();  // e.g. the client reset before accept
    // Out of descriptors or memory: the pending connections stay queued in the kernel until
    // some are freed; retry with a growing pause instead of spinning or giving up.
    backoff = backoff.count() == 0 ? kFirstBackoff : std::min(backoff * 2, kMaxBackoff);
    count([](FrontCounters& s) { ++s.accept_errors; });
    accept_log.note("admin port: accept failed: " + ec.message() + "; retrying in " +
                    std::to_string(backoff.count()) + " ms");
    retry.expires_after(backoff);
    retry.async_wait([this](const boost::system::error_code& wait_error) {
      if (!wait_error) accept();
    });
    return;
  }
  backoff = std::chrono::milliseconds(0);
  boost::system::error_code error;
  const tcp::endpoint remote = socket.remote_endpoint(error);
  if (error) return accept();  // already gone
  const asio::ip::address address = plainAddress(remote.address());
  bool trusted = address.is_loopback();
  if (!trusted) {
    std::lock_guard lock(mutex);
    trusted = trusted_sources.contains(address);
  }
  const std::string source = address.to_string();
  switch (counter.admit(source, trusted)) {
    case Admission::kAccepted: {
      count([](FrontCounters& s) { ++s.accepted; });
      socket.set_option(tcp::no_delay(true), error);
      std::make_shared<Connection>(*this, std::move(socket), source, trusted, grpcPeerName(remote))
          ->start();
      break;
    }
    case Admission::kSourceFull:
      count([](FrontCounters& s) { ++s.refused_source; });
      refusal_log.note("admin port: refused a connection from " + source + ": " +
                       std::to_string(counter.openFrom(source)) +
                       " connections from that address are open (the limit per address)");
      break;
    case Admission::kPoolFull:
      count([](FrontCounters& s) { ++s.refused_pool; });
      refusal_log.note("admin port: refused a connection from " + source + ": " +
                       std::to_string(counter.open(trusted)) + " connections from " +
                       (trusted ? "cluster members and loopback" : "non-member addresses") +
                       " are open (the limit for them)");
      break;
  }
  if (socket.is_open()) socket.close(error);  // refused
  // Counters for readers on other threads.
  {
    std::lock_guard lock(mutex);
    stats.open_trusted = counter.open(true);
    stats.open_untrusted = counter.open(false);
  }
  accept();
}

void FrontAcceptor::Impl::release(Connection& connection) {
  counter.release(connection.source, connection.trusted);
  std::lock_guard lock(mutex);
  if (!connection.upstream_name.empty()) clients.erase(connection.upstream_name);
  stats.open_trusted = counter.open(true);
  stats.open_untrusted = counter.open(false);
}

FrontAcceptor::FrontAcceptor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

FrontAcceptor::~FrontAcceptor() {
  asio::post(impl_->io, [impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->retry.cancel();
  });
  impl_->io.stop();
  impl_->thread.join();
}

Result<std::unique_ptr<FrontAcceptor>> FrontAcceptor::start(FrontAcceptorOptions options) {
  auto address = splitListenAddress(options.listen_address);
  if (!address) return address.error();
  auto impl = std::make_unique<Impl>(std::move(options));
  const std::string& listen = impl->options.listen_address;
  boost::system::error_code ec;
  tcp::resolver resolver(impl->io);
  const auto endpoints = resolver.resolve(
      address->first, address->second, tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return Error{"cannot listen on " + listen + ": " + (ec ? ec.message() : "no such address")};
  }
  const tcp::endpoint endpoint = *endpoints.begin();
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error{"cannot listen on " + listen + ": " + ec.message()};
  impl->port = impl->acceptor.local_endpoint().port();
  impl->accept();
  impl->thread = std::thread([io = &impl->io] { io->run(); });
  return std::unique_ptr<FrontAcceptor>(new FrontAcceptor(std::move(impl)));
}

int FrontAcceptor::port() const { return impl_->port; }

void FrontAcceptor::setTrustedSources(const std::set<std::string>& addresses) {
  std::set<asio::ip::address> parsed;
  for (const std::string& text : addresses) {
    boost::system::error_code ec;
    const asio::ip::address address = asio::ip::make_address(text, ec);
    if (!ec) parsed.insert(plainAddress(address));
  }
  std::lock_guard lock(impl_->mutex);
  impl_->trusted_sources = std::move(parsed);
}

std::optional<std::string> FrontAcceptor::clientOf(const std::string& grpc_peer) const {
  if (!grpc_peer.starts_with(kAbstractScheme)) return std::nullopt;
  std::lock_guard lock(impl_->mutex);
  const auto it = impl_->clients.find(grpc_peer.substr(kAbstractScheme.size()));
  if (it == impl_->clients.end()) return std::nullopt;
  return it->second;
}

FrontCounters FrontAcceptor::counters() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace pulse::crmd
