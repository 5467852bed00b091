#include "crmd/secure_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/atomic_file.h"

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
  return pulse::writeFileAtomically(path, content, mode);
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
