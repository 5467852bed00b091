#include "membership/state_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pulse::membership {
namespace {

constexpr std::string_view kHeader = "pulse-membership-state 1";

Error sysError(const std::string& what, const std::string& path) {
  return Error{what + " " + path + ": " + std::strerror(errno)};
}

std::string directoryOf(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Reads "key N\n" at the front of `text`, advancing it.
bool takeField(std::string_view& text, std::string_view key, std::uint64_t& value) {
  if (text.substr(0, key.size()) != key || text.size() <= key.size() || text[key.size()] != ' ') {
    return false;
  }
  text.remove_prefix(key.size() + 1);
  auto end = text.find('\n');
  if (end == std::string_view::npos || end == 0) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, value);
  if (ec != std::errc() || ptr != text.data() + end) return false;
  text.remove_prefix(end + 1);
  return true;
}

}  // namespace

Status writeFileAtomically(const std::string& path, std::string_view contents, mode_t mode) {
  const std::string tmp = path + ".tmp";
  // O_EXCL would make a stale temporary from a crash block every later write; unlink it first.
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return sysError("cannot create", tmp);
  auto fail = [&](const char* what) {
    Error e = sysError(what, tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  };
  // The umask may have cleared bits of `mode`, never added any; fchmod makes it exact.
  if (::fchmod(fd, mode) != 0) return fail("cannot chmod");
  std::size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("cannot write");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("cannot fsync");
  if (::close(fd) != 0) {
    Error e = sysError("cannot close", tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = sysError("cannot rename to", path);
    ::unlink(tmp.c_str());
    return e;
  }
  // The rename is durable only once the directory entry is.
  const std::string dir = directoryOf(path);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return sysError("cannot open directory", dir);
  int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) return sysError("cannot fsync directory", dir);
  return {};
}

std::string formatPersistentState(const PersistentState& state) {
  std::ostringstream out;
  out << kHeader << "\nmax_seq " << state.max_seq << "\nincarnation " << state.incarnation << "\n";
  return out.str();
}

Result<PersistentState> parsePersistentState(std::string_view text) {
  if (text.substr(0, kHeader.size()) != kHeader || text.size() <= kHeader.size() ||
      text[kHeader.size()] != '\n') {
    return Error{"membership state: missing header '" + std::string(kHeader) + "'"};
  }
  text.remove_prefix(kHeader.size() + 1);
  PersistentState state;
  if (!takeField(text, "max_seq", state.max_seq)) {
    return Error{"membership state: bad or missing max_seq"};
  }
  if (!takeField(text, "incarnation", state.incarnation)) {
    return Error{"membership state: bad or missing incarnation"};
  }
  if (!text.empty()) return Error{"membership state: trailing data"};
  return state;
}

Result<PersistentState> loadPersistentState(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return PersistentState{};
    return sysError("cannot stat", path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return sysError("cannot open", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error{"cannot read " + path};
  auto state = parsePersistentState(text.str());
  if (!state) return Error{path + ": " + state.error().message};
  return state;
}

Status storePersistentState(const std::string& path, const PersistentState& state) {
  return writeFileAtomically(path, formatPersistentState(state), 0644);
}

}  // namespace pulse::membership
