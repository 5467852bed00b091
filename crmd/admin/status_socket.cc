#include "crmd/admin/status_socket.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "admin.pb.h"
#include "common/log.h"
#include "crmd/admin/status_reply.h"

namespace pulse::crmd {
namespace {

std::string systemError(const std::string& what) { return what + ": " + std::strerror(errno); }

// The peer may read the status: root, or crmd's own user (a crmd run unprivileged in tests).
bool trustedPeer(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
  return cred.uid == 0 || cred.uid == geteuid();
}

}  // namespace

Result<std::unique_ptr<StatusSocket>> StatusSocket::start(const std::string& path,
                                                          std::string node_name,
                                                          std::string version,
                                                          const ClusterControl& cluster) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) {
    return Error{"the state directory's path is too long for the status socket " + path};
  }
  std::error_code removed;
  std::filesystem::remove(path, removed);  // a previous run's
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Error{systemError("status socket")};
  // Mode 0600 before anyone may connect: bind, restrict, then listen.
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      chmod(path.c_str(), 0600) != 0 || listen(fd, 16) != 0) {
    Error e{systemError("cannot listen on " + path)};
    close(fd);
    return e;
  }
  const int stop = eventfd(0, EFD_CLOEXEC);
  if (stop < 0) {
    close(fd);
    return Error{systemError("status socket eventfd")};
  }
  return std::unique_ptr<StatusSocket>(
      new StatusSocket(path, std::move(node_name), std::move(version), cluster, fd, stop));
}

StatusSocket::StatusSocket(std::string path, std::string node_name, std::string version,
                           const ClusterControl& cluster, int listen_fd, int stop_fd)
    : path_(std::move(path)),
      node_name_(std::move(node_name)),
      version_(std::move(version)),
      cluster_(cluster),
      listen_fd_(listen_fd),
      stop_fd_(stop_fd),
      thread_([this] { run(); }) {}

StatusSocket::~StatusSocket() {
  const std::uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof one) != sizeof one) {
    logEvent(systemError("status socket: cannot stop its thread"));
  }
  thread_.join();
  close(listen_fd_);
  close(stop_fd_);
  std::error_code removed;
  std::filesystem::remove(path_, removed);
}

std::string StatusSocket::answer() const {
  admin::LocalStatusReply reply;
  const ClusterSnapshot snapshot = cluster_.snapshot();
  fillClusterStatus(snapshot, node_name_, version_, *reply.mutable_status());
  if (auto cib = cluster_.readCib(); cib) {
    fillCibGet(*cib, snapshot, *reply.mutable_cib());
  } else {
    reply.set_cib_error(cib.error().message);
  }
  std::string body = reply.SerializeAsString();
  const auto n = static_cast<std::uint32_t>(body.size());
  std::string out{static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                  static_cast<char>((n >> 16) & 0xff), static_cast<char>((n >> 24) & 0xff)};
  return out + body;
}

void StatusSocket::run() {
  pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      logEvent(systemError("status socket: poll"));
      return;
    }
    if (fds[1].revents != 0) return;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;  // the client left already, or descriptors ran out: next one
    if (trustedPeer(fd)) serve(fd);
    close(fd);
  }
}

void StatusSocket::serve(int fd) const {
  const timeval slice{0, 200'000};  // one send() waits at most this long
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &slice, sizeof slice);
  const std::string out = answer();
  const auto deadline = std::chrono::steady_clock::now() + kSendLimit;
  std::size_t sent = 0;
  while (sent < out.size() && std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      return;  // the client went away
    }
  }
}

}  // namespace pulse::crmd
