#include "pcs-cli/local_status.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crmd/cib/cib_acl.h"
#include "crmd/client/local_admin.h"
#include "pcs-cli/node_client.h"

namespace pulse::pcs {
namespace {

// A CIB is at most a few MB; a length beyond this is not a status reply.
constexpr std::uint32_t kMaxReply = 256u << 20;

// Reads exactly `n` bytes; false on EOF, error or the socket's receive timeout.
bool readAll(int fd, char* out, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = read(fd, out + got, n - got);
    if (r > 0) {
      got += static_cast<std::size_t>(r);
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<admin::LocalStatusReply> readLocalStatus(const std::string& state_dir,
                                                       std::chrono::milliseconds timeout) {
  // The socket answers with the whole CIB; a user the ACLs may restrict reads through the admin
  // API, where crmd applies them.
  if (crmd::aclRequired(cibUser())) return std::nullopt;
  const std::string path = crmd::localStatusPath(state_dir);
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) return std::nullopt;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  const timeval limit{static_cast<time_t>(timeout.count() / 1000),
                      static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  std::optional<admin::LocalStatusReply> reply;
  unsigned char head[4];
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 &&
      readAll(fd, reinterpret_cast<char*>(head), sizeof head)) {
    const std::uint32_t n =
        head[0] | (head[1] << 8) | (head[2] << 16) | (static_cast<std::uint32_t>(head[3]) << 24);
    std::string body(n <= kMaxReply ? n : 0, '\0');
    admin::LocalStatusReply parsed;
    if (n <= kMaxReply && readAll(fd, body.data(), body.size()) && parsed.ParseFromString(body)) {
      reply = std::move(parsed);
    }
  }
  close(fd);
  return reply;
}

}  // namespace pulse::pcs
