#include "common/atomic_file.h"

#include <cerrno>
#include <cstring>

namespace pulse {
namespace {

Error sysError(const std::string& what, const std::string& path, int error) {
  return Error{what + " " + path + ": " + std::strerror(error)};
}

}  // namespace

std::string directoryOf(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status writeFileAtomically(const std::string& path, std::string_view contents, mode_t mode) {
  return writeFileAtomically(posixFileIo(), path, contents, mode);
}

Status writeFileAtomically(FileIo& io, const std::string& path, std::string_view contents,
                           mode_t mode) {
  const std::string tmp = path + ".tmp";
  // O_EXCL would make a stale temporary from a crash block every later write; remove it first.
  io.remove(tmp);
  int fd = -1;
  if (const int error = io.create(tmp, mode, fd)) return sysError("cannot create", tmp, error);
  // Until the rename, `path` is untouched: every failure removes the temporary and leaves the
  // old content in force.
  auto fail = [&](const char* what, int error) {
    io.close(fd);
    io.remove(tmp);
    return sysError(what, tmp, error);
  };
  if (const int error = io.write(fd, contents)) return fail("cannot write", error);
  if (const int error = io.sync(fd)) return fail("cannot fsync", error);
  if (const int error = io.close(fd)) {
    io.remove(tmp);
    return sysError("cannot close", tmp, error);
  }
  if (const int error = io.rename(tmp, path)) {
    io.remove(tmp);
    return sysError("cannot rename to", path, error);
  }
  // The rename is durable only once the directory entry is.
  const std::string dir = directoryOf(path);
  if (const int error = io.syncDirectory(dir))
    return sysError("cannot fsync directory", dir, error);
  return {};
}

}  // namespace pulse
