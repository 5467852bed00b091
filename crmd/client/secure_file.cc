#include "crmd/client/secure_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/atomic_file.h"

namespace pulse::crmd {
namespace {

std::string errnoText() { return std::strerror(errno); }

// Closes the descriptor on every way out.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

std::string modeText(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

}  // namespace

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot read " + path + ": " + errnoText()};
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return Error{"cannot read " + path + ": " + errnoText()};
  return out.str();
}

Status writeFileAtomic(const std::string& path, const std::string& content, mode_t mode) {
  return pulse::writeFileAtomically(path, content, mode);
}

Result<std::string> readSecretFile(const std::string& path) {
  const Descriptor fd{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)};
  if (fd.fd < 0) {
    if (errno == ELOOP) {
      return Error{path + " is a symbolic link; it holds secrets, so it must be a plain file"};
    }
    return Error{"cannot read " + path + ": " + errnoText()};
  }
  // The checks apply to the descriptor that is read, not to whatever the path names later.
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) return Error{path + ": " + errnoText()};
  if (!S_ISREG(st.st_mode)) return Error{path + ": not a regular file"};
  if (st.st_uid != ::geteuid() && st.st_uid != 0) {
    return Error{path + ": owned by uid " + std::to_string(st.st_uid) + ", not by this user (uid " +
                 std::to_string(::geteuid()) + "); it holds secrets"};
  }
  if ((st.st_mode & 077) != 0) {
    return Error{path + ": mode " + modeText(st.st_mode) +
                 " gives group or others access; it holds secrets, so it must be private (chmod "
                 "600 " +
                 path + ")"};
  }
  std::string content;
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd.fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{path + ": " + errnoText()};
    if (n == 0) return content;
    content.append(buffer, static_cast<std::size_t>(n));
  }
}

Status ensureDirectory(const std::string& path, std::string* note, const std::string& what) {
  if (path.empty()) return Error{what + ": empty path"};
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error{"cannot create " + what + " " + path + ": " + errnoText()};
  }
  // Followed if it is a link (/var/lib/pulse on another disk); the checks apply to the
  // directory itself, through the descriptor.
  const Descriptor fd{::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (fd.fd < 0) {
    if (errno == ENOTDIR) return Error{what + " " + path + " is not a directory"};
    return Error{what + " " + path + ": " + errnoText()};
  }
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) return Error{what + " " + path + ": " + errnoText()};
  if (st.st_uid != ::geteuid() && st.st_uid != 0) {
    return Error{what + " " + path + " is owned by uid " + std::to_string(st.st_uid) +
                 ", not by this user (uid " + std::to_string(::geteuid()) + ")"};
  }
  if ((st.st_mode & 077) != 0) {
    if (::fchmod(fd.fd, 0700) != 0) {
      return Error{what + " " + path + " has mode " + modeText(st.st_mode) +
                   " and cannot be restricted to 0700: " + errnoText()};
    }
    if (note != nullptr) {
      *note = what + " " + path + " had mode " + modeText(st.st_mode) + "; restricted to 0700";
    }
  }
  if (::access(path.c_str(), R_OK | W_OK | X_OK) != 0) {
    return Error{what + " " + path + " is not readable and writable: " + errnoText()};
  }
  return {};
}

bool fileExists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace pulse::crmd
