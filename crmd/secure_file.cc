#include "crmd/secure_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pulse::crmd {
namespace {

std::string errnoText() { return std::strerror(errno); }

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
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // a leftover from a crash; O_EXCL below refuses to reuse it
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Error{"cannot create " + tmp + ": " + errnoText()};
  // The umask may have removed bits from `mode`; never adds any, so this only widens 0600
  // to exactly 0600 or a public file to its intended mode.
  bool ok = ::fchmod(fd, mode) == 0;
  size_t written = 0;
  while (ok && written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      ok = false;
    else
      written += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const std::string error = ok ? "" : errnoText();
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = ok ? errnoText() : error;
    ::unlink(tmp.c_str());
    return Error{"cannot write " + path + ": " + why};
  }
  return {};
}

Status ensureDirectory(const std::string& path) {
  if (path.empty()) return Error{"state directory: empty path"};
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error{"cannot create state directory " + path + ": " + errnoText()};
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Error{"state directory " + path + ": " + errnoText()};
  }
  if (!S_ISDIR(st.st_mode)) return Error{"state directory " + path + " is not a directory"};
  if (::access(path.c_str(), R_OK | W_OK | X_OK) != 0) {
    return Error{"state directory " + path + " is not readable and writable: " + errnoText()};
  }
  return {};
}

bool fileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace pulse::crmd
