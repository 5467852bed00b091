// The admin port's front acceptor (front_acceptor.h) on loopback, in front of an echo server on
// a Unix socket standing in for gRPC: bytes pass both ways, the client is named, connections
// are capped per source, the handshake deadline closes idle and slow clients but not
// established ones, non-TLS is refused, and accept() recovers after running out of
// descriptors.
#include "crmd/admin/front_acceptor.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "temp_dir.h"

namespace pulse::crmd {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// gRPC's stand-in: echoes every connection's bytes back and records each client's socket name.
class EchoUpstream {
 public:
  explicit EchoUpstream(std::string path) : path_(std::move(path)) {
    listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(listen_fd_, 64) != 0) {
      ADD_FAILURE() << "cannot listen on " << path_ << ": " << std::strerror(errno);
    }
    acceptor_ = std::thread([this] { acceptLoop(); });
  }
  ~EchoUpstream() {
    shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    close(listen_fd_);
    for (std::thread& t : echoes_) t.join();
  }
  const std::string& path() const { return path_; }
  std::vector<std::string> clientNames() const {
    std::lock_guard lock(mutex_);
    return names_;
  }

 private:
  void acceptLoop() {
    for (;;) {
      sockaddr_un peer{};
      socklen_t len = sizeof peer;
      const int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == EMFILE) continue;
        return;  // shut down
      }
      {
        std::lock_guard lock(mutex_);
        // An abstract name: a NUL, then the kernel's chosen name.
        if (len > sizeof(sa_family_t) + 1 && peer.sun_path[0] == '\0') {
          names_.emplace_back(peer.sun_path + 1, len - sizeof(sa_family_t) - 1);
        }
      }
      echoes_.emplace_back([fd] {
        char buffer[4096];
        for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) {
          if (write(fd, buffer, static_cast<size_t>(n)) != n) break;
        }
        close(fd);
      });
    }
  }

  std::string path_;
  int listen_fd_ = -1;
  std::thread acceptor_;
  std::vector<std::thread> echoes_;  // acceptor thread, then the destructor
  mutable std::mutex mutex_;
  std::vector<std::string> names_;  // guarded by mutex_
};

// A TLS record header plus `length` filler bytes.
std::string record(char type, std::size_t length) {
  std::string out{type, 3, 3, static_cast<char>(length >> 8), static_cast<char>(length & 0xff)};
  out.append(length, 'x');
  return out;
}

const std::string kHello = record(22, 100);
const std::string kHandshakeDone = kHello + record(23, 20);

int connectTo(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  return fd;
}

void sendAll(int fd, const std::string& bytes) {
  ASSERT_EQ(send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
}

// Up to `n` bytes within `timeout`; fewer when the server closed the connection first.
std::string receive(int fd, std::size_t n, std::chrono::milliseconds timeout = 5s) {
  std::string out;
  const auto deadline = Clock::now() + timeout;
  while (out.size() < n && Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (poll(&p, 1, static_cast<int>(left.count()) + 1) <= 0) continue;
    char buffer[4096];
    const ssize_t got = recv(fd, buffer, std::min(sizeof buffer, n - out.size()), 0);
    if (got <= 0) break;
    out.append(buffer, static_cast<size_t>(got));
  }
  return out;
}

// Seconds until the server closes `fd` (reads and drops anything it sends); -1 after `timeout`.
double secondsUntilClosed(int fd, std::chrono::milliseconds timeout = 5s) {
  const auto start = Clock::now();
  while (Clock::now() - start < timeout) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buffer[256];
    if (recv(fd, buffer, sizeof buffer, 0) <= 0) {
      return std::chrono::duration<double>(Clock::now() - start).count();
    }
  }
  return -1;
}

int localPort(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

// A minimal ClientHello record offering the ALPN protocols `alpn_wire` (length-prefixed).
std::string helloOffering(const std::string& alpn_wire) {
  auto be16 = [](std::size_t n) {
    return std::string{static_cast<char>(n >> 8), static_cast<char>(n & 0xff)};
  };
  const std::string alpn = be16(alpn_wire.size()) + alpn_wire;
  const std::string extensions = be16(16) + be16(alpn.size()) + alpn;
  std::string body = std::string("\x03\x03", 2) + std::string(32, 'r') + std::string(1, '\0') +
                     be16(2) + std::string("\x13\x01", 2) + std::string("\x01\x00", 2) +
                     be16(extensions.size()) + extensions;
  const std::string handshake =
      std::string(1, '\x01') + std::string(1, '\0') + be16(body.size()) + body;
  return std::string("\x16\x03\x01", 3) + be16(handshake.size()) + handshake;
}

class FrontAcceptorTest : public ::testing::Test {
 protected:
  void start(ConnectionLimits limits,
             std::function<void(int fd, const std::string& peer)> browser = {}) {
    auto front = FrontAcceptor::start({"127.0.0.1:0", upstream_.path(), limits, browser});
    ASSERT_TRUE(front.ok()) << front.error().message;
    front_ = std::move(*front);
  }
  TempDir dir_;
  EchoUpstream upstream_{dir_.path() + "/admin.sock"};
  std::unique_ptr<FrontAcceptor> front_;
};

TEST_F(FrontAcceptorTest, PassesBytesBothWaysAndNamesTheClientToTheServer) {
  start({});
  const int fd = connectTo(front_->port());
  sendAll(fd, kHandshakeDone);
  EXPECT_EQ(receive(fd, kHandshakeDone.size()), kHandshakeDone);
  const std::vector<std::string> names = upstream_.clientNames();
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(front_->clientOf("unix-abstract:" + names[0]),
            "ipv4:127.0.0.1:" + std::to_string(localPort(fd)));
  EXPECT_EQ(front_->clientOf("ipv4:127.0.0.1:1"), std::nullopt);
  close(fd);
}

TEST_F(FrontAcceptorTest, AnIdleConnectionIsClosedAtTheHandshakeDeadlineAndCostsTheServerNothing) {
  ConnectionLimits limits;
  limits.handshake_timeout = 300ms;
  start(limits);
  const int fd = connectTo(front_->port());
  const double closed = secondsUntilClosed(fd);
  EXPECT_GE(closed, 0.25);
  EXPECT_LT(closed, 2.0);
  EXPECT_TRUE(upstream_.clientNames().empty());
  EXPECT_EQ(front_->counters().handshake_timeouts, 1u);
  close(fd);
}

TEST_F(FrontAcceptorTest, AHandshakeSentSlowlyIsClosedAtTheDeadline) {
  ConnectionLimits limits;
  limits.handshake_timeout = 300ms;
  start(limits);
  const int fd = connectTo(front_->port());
  const auto started = Clock::now();
  for (std::size_t i = 0; i < kHello.size() && Clock::now() - started < 3s; ++i) {
    if (send(fd, kHello.data() + i, 1, MSG_NOSIGNAL) != 1) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_LT(Clock::now() - started, 2s);  // the sends failed long before the hello's end
  EXPECT_EQ(front_->counters().handshake_timeouts, 1u);
  close(fd);
}

TEST_F(FrontAcceptorTest, AnEstablishedConnectionOutlivesTheDeadline) {
  ConnectionLimits limits;
  limits.handshake_timeout = 300ms;
  start(limits);
  const int fd = connectTo(front_->port());
  sendAll(fd, kHandshakeDone);
  EXPECT_EQ(receive(fd, kHandshakeDone.size()), kHandshakeDone);
  std::this_thread::sleep_for(600ms);
  sendAll(fd, record(23, 10));
  EXPECT_EQ(receive(fd, 15), record(23, 10));
  EXPECT_EQ(front_->counters().handshake_timeouts, 0u);
  close(fd);
}

TEST_F(FrontAcceptorTest, BytesThatAreNotTlsAreRefusedAtOnce) {
  start({});
  const int fd = connectTo(front_->port());
  sendAll(fd, "GET / HTTP/1.1\r\n\r\n");
  const double closed = secondsUntilClosed(fd);
  EXPECT_GE(closed, 0);
  EXPECT_LT(closed, 1.0);
  EXPECT_EQ(front_->counters().not_tls, 1u);
  close(fd);
}

TEST_F(FrontAcceptorTest, ConnectionsFromOneAddressAreCappedUntilOneCloses) {
  ConnectionLimits limits;
  limits.per_member = 3;  // loopback counts as a member
  start(limits);
  std::vector<int> open;
  for (int i = 0; i < 3; ++i) open.push_back(connectTo(front_->port()));
  const int refused = connectTo(front_->port());
  const double closed = secondsUntilClosed(refused);
  EXPECT_GE(closed, 0);
  EXPECT_LT(closed, 1.0);
  EXPECT_EQ(front_->counters().refused_source, 1u);
  for (int fd : open) EXPECT_EQ(secondsUntilClosed(fd, 200ms), -1);  // still open
  close(open.back());
  open.pop_back();
  // The front sees the close and gives the place back; the next connection is served.
  const auto deadline = Clock::now() + 2s;
  while (front_->counters().open_trusted > 2 && Clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  const int next = connectTo(front_->port());
  sendAll(next, kHandshakeDone);
  EXPECT_EQ(receive(next, kHandshakeDone.size()), kHandshakeDone);
  close(next);
  close(refused);
  for (int fd : open) close(fd);
}

TEST_F(FrontAcceptorTest, AcceptRecoversAfterRunningOutOfDescriptors) {
  start({});
  // The client's socket exists before the limit drops, so that only the server side lacks one.
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit none = saved;
  none.rlim_cur = 0;  // no new descriptor for anyone in this process
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &none), 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(front_->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int connected = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  const auto deadline = Clock::now() + 3s;
  while (front_->counters().accept_errors == 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  const std::uint64_t errors = front_->counters().accept_errors;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_EQ(connected, 0);
  EXPECT_GE(errors, 1u);
  sendAll(fd, kHandshakeDone);
  EXPECT_EQ(receive(fd, kHandshakeDone.size()), kHandshakeDone);
  close(fd);
}

}  // namespace
}  // namespace pulse::crmd

namespace pulse::crmd {
namespace {

// The web console's share of the port: a browser's connection (ALPN http/1.1) is handed over
// with its ClientHello still unread, so the console can do the whole handshake; a gRPC client's
// (h2 only) goes to gRPC exactly as before.
TEST_F(FrontAcceptorTest, ABrowsersConnectionIsHandedOverWholeAndGrpcsGoesOnAsBefore) {
  std::mutex mutex;
  std::vector<std::pair<int, std::string>> handed;
  start({}, [&](int fd, const std::string& peer) {
    std::lock_guard lock(mutex);
    handed.emplace_back(fd, peer);
  });
  const std::string browser_hello = helloOffering(std::string("\x02h2\x08http/1.1", 12));
  const int browser = connectTo(front_->port());
  sendAll(browser, browser_hello);
  const auto deadline = Clock::now() + 5s;
  while (Clock::now() < deadline) {
    std::lock_guard lock(mutex);
    if (!handed.empty()) break;
  }
  {
    std::lock_guard lock(mutex);
    ASSERT_EQ(handed.size(), 1u);
    EXPECT_EQ(handed[0].second, "ipv4:127.0.0.1:" + std::to_string(localPort(browser)));
    EXPECT_EQ(receive(handed[0].first, browser_hello.size()), browser_hello);  // not consumed
    close(handed[0].first);
  }
  EXPECT_EQ(front_->counters().to_console, 1u);
  EXPECT_TRUE(upstream_.clientNames().empty());

  const std::string grpc_hello = helloOffering(std::string("\x02h2", 3));
  const int grpc = connectTo(front_->port());
  sendAll(grpc, grpc_hello);
  EXPECT_EQ(receive(grpc, grpc_hello.size()), grpc_hello);  // through to the echoing "gRPC"
  EXPECT_EQ(upstream_.clientNames().size(), 1u);
  EXPECT_EQ(front_->counters().to_console, 1u);
  close(browser);
  close(grpc);
}

TEST_F(FrontAcceptorTest, AHelloThatStallsHalfWayIsClosedAtTheDeadlineAndNeverHandedOver) {
  ConnectionLimits limits;
  limits.handshake_timeout = 300ms;
  std::atomic<int> handed{0};
  start(limits, [&](int fd, const std::string&) {
    ++handed;
    close(fd);
  });
  const std::string hello = helloOffering(std::string("\x08http/1.1", 9));
  const int fd = connectTo(front_->port());
  sendAll(fd, hello.substr(0, hello.size() / 2));
  const double closed = secondsUntilClosed(fd);
  EXPECT_GE(closed, 0.25);
  EXPECT_LT(closed, 2.0);
  EXPECT_EQ(handed.load(), 0);
  EXPECT_EQ(front_->counters().handshake_timeouts, 1u);
  close(fd);
}

}  // namespace
}  // namespace pulse::crmd
