// The file operations that state on disk goes through (the CIB store first of all), as one small
// interface, so that tests can make a write fail, an fsync fail or the disk be full at an exact
// step and check that nothing acknowledged is lost.
//
// Every operation returns 0 or the errno value of its failure: the caller builds the message
// (which step, which path), and a fault injected by a test reads exactly like the real one.
//
// PosixFileIo is the real thing. FaultyFileIo wraps another FileIo and fails chosen calls:
// the Nth call of one operation from now, or every call of it until heal() ("the disk is full").
//
// Thread-safety: PosixFileIo has no state. FaultyFileIo guards its schedule with a mutex, so a
// test thread may arm a fault while a worker thread writes.
#pragma once

#include <sys/types.h>

#include <array>
#include <mutex>
#include <string>
#include <string_view>

namespace pulse {

enum class FileOp {
  kCreate,   // create a new file, exclusively, never through a symlink, with an exact mode
  kWrite,    // write all of a buffer
  kSync,     // fsync a file
  kClose,    // close it
  kRename,   // rename over the target (the commit point of an atomic replacement)
  kSyncDir,  // fsync a directory, making a rename in it durable
  kRemove,   // unlink
  kRead,     // read a whole file
};
inline constexpr std::size_t kFileOpCount = 8;

std::string_view toString(FileOp op);

class FileIo {
 public:
  virtual ~FileIo() = default;
  // Creates `path` (O_EXCL, O_NOFOLLOW) with exactly `mode`, umask notwithstanding; sets `fd`.
  virtual int create(const std::string& path, mode_t mode, int& fd) = 0;
  // Writes all of `data` (retrying short writes and EINTR).
  virtual int write(int fd, std::string_view data) = 0;
  virtual int sync(int fd) = 0;
  virtual int close(int fd) = 0;
  virtual int rename(const std::string& from, const std::string& to) = 0;
  virtual int syncDirectory(const std::string& dir) = 0;
  virtual int remove(const std::string& path) = 0;
  // The whole content of `path` into `out`; ENOENT when it does not exist.
  virtual int read(const std::string& path, std::string& out) = 0;
};

class PosixFileIo final : public FileIo {
 public:
  int create(const std::string& path, mode_t mode, int& fd) override;
  int write(int fd, std::string_view data) override;
  int sync(int fd) override;
  int close(int fd) override;
  int rename(const std::string& from, const std::string& to) override;
  int syncDirectory(const std::string& dir) override;
  int remove(const std::string& path) override;
  int read(const std::string& path, std::string& out) override;
};

// The process-wide real file system.
FileIo& posixFileIo();

class FaultyFileIo final : public FileIo {
 public:
  explicit FaultyFileIo(FileIo& real = posixFileIo()) : real_(real) {}

  // The `nth` call of `op` from now (1: the next one) fails with `error`, once; the calls
  // before and after it go through. A failed write writes half its data first (a short write
  // that then hits the error, as a filling disk does).
  void failNth(FileOp op, int nth, int error);
  // Every call of `op` fails with `error` until heal().
  void failAlways(FileOp op, int error);
  void heal();
  // How many calls of `op` were made (failed ones included).
  int calls(FileOp op) const;

  int create(const std::string& path, mode_t mode, int& fd) override;
  int write(int fd, std::string_view data) override;
  int sync(int fd) override;
  int close(int fd) override;
  int rename(const std::string& from, const std::string& to) override;
  int syncDirectory(const std::string& dir) override;
  int remove(const std::string& path) override;
  int read(const std::string& path, std::string& out) override;

 private:
  struct Fault {
    int countdown = 0;  // > 0: fail when it reaches 0
    int error = 0;
    bool always = false;
  };
  // Counts the call and returns the errno it must fail with, or 0.
  int injected(FileOp op);

  FileIo& real_;
  mutable std::mutex mutex_;
  std::array<Fault, kFileOpCount> faults_{};
  std::array<int, kFileOpCount> calls_{};
};

}  // namespace pulse
