#include "common/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "common/test_faults.h"

namespace pulse {

std::string_view toString(FileOp op) {
  switch (op) {
    case FileOp::kCreate:
      return "create";
    case FileOp::kWrite:
      return "write";
    case FileOp::kSync:
      return "fsync";
    case FileOp::kClose:
      return "close";
    case FileOp::kRename:
      return "rename";
    case FileOp::kSyncDir:
      return "fsync directory";
    case FileOp::kRemove:
      return "remove";
    case FileOp::kRead:
      return "read";
  }
  return "?";
}

int PosixFileIo::create(const std::string& path, mode_t mode, int& fd) {
  fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return errno;
  // The umask may have cleared bits of `mode`, never added any; fchmod makes it exact.
  if (::fchmod(fd, mode) != 0) {
    const int error = errno;
    ::close(fd);
    ::unlink(path.c_str());
    fd = -1;
    return error;
  }
  return 0;
}

int PosixFileIo::write(int fd, std::string_view data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

namespace {

// The fault lab's slow disk (common/test_faults.h); nothing without its test hook.
void waitForSlowDisk() {
  const std::int64_t ms = currentTestFaults().fsync_delay_ms;
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace

int PosixFileIo::sync(int fd) {
  waitForSlowDisk();
  return ::fsync(fd) == 0 ? 0 : errno;
}

int PosixFileIo::close(int fd) { return ::close(fd) == 0 ? 0 : errno; }

int PosixFileIo::rename(const std::string& from, const std::string& to) {
  return ::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}

int PosixFileIo::syncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  waitForSlowDisk();
  const int rc = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return rc;
}

int PosixFileIo::remove(const std::string& path) { return ::unlink(path.c_str()) == 0 ? 0 : errno; }

int PosixFileIo::read(const std::string& path, std::string& out) {
  out.clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return errno;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return error;
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return 0;
}

FileIo& posixFileIo() {
  static PosixFileIo io;
  return io;
}

void FaultyFileIo::failNth(FileOp op, int nth, int error) {
  std::lock_guard lock(mutex_);
  faults_[static_cast<std::size_t>(op)] = Fault{nth, error, false};
}

void FaultyFileIo::failAlways(FileOp op, int error) {
  std::lock_guard lock(mutex_);
  faults_[static_cast<std::size_t>(op)] = Fault{0, error, true};
}

void FaultyFileIo::heal() {
  std::lock_guard lock(mutex_);
  faults_.fill(Fault{});
}

int FaultyFileIo::calls(FileOp op) const {
  std::lock_guard lock(mutex_);
  return calls_[static_cast<std::size_t>(op)];
}

int FaultyFileIo::injected(FileOp op) {
  std::lock_guard lock(mutex_);
  const auto i = static_cast<std::size_t>(op);
  ++calls_[i];
  Fault& f = faults_[i];
  if (f.always) return f.error;
  if (f.countdown > 0 && --f.countdown == 0) return f.error;
  return 0;
}

int FaultyFileIo::create(const std::string& path, mode_t mode, int& fd) {
  if (const int error = injected(FileOp::kCreate)) {
    fd = -1;
    return error;
  }
  return real_.create(path, mode, fd);
}

int FaultyFileIo::write(int fd, std::string_view data) {
  if (const int error = injected(FileOp::kWrite)) {
    real_.write(fd, data.substr(0, data.size() / 2));
    return error;
  }
  return real_.write(fd, data);
}

int FaultyFileIo::sync(int fd) {
  if (const int error = injected(FileOp::kSync)) return error;
  return real_.sync(fd);
}

int FaultyFileIo::close(int fd) {
  // A failed close still releases the descriptor (close(2)), so the real one always runs.
  const int error = injected(FileOp::kClose);
  const int rc = real_.close(fd);
  return error != 0 ? error : rc;
}

int FaultyFileIo::rename(const std::string& from, const std::string& to) {
  if (const int error = injected(FileOp::kRename)) return error;
  return real_.rename(from, to);
}

int FaultyFileIo::syncDirectory(const std::string& dir) {
  if (const int error = injected(FileOp::kSyncDir)) return error;
  return real_.syncDirectory(dir);
}

int FaultyFileIo::remove(const std::string& path) {
  if (const int error = injected(FileOp::kRemove)) return error;
  return real_.remove(path);
}

int FaultyFileIo::read(const std::string& path, std::string& out) {
  if (const int error = injected(FileOp::kRead)) return error;
  return real_.read(path, out);
}

}  // namespace pulse
