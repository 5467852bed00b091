// A fresh directory under $TMPDIR for one test, removed with everything in it afterwards.
#pragma once

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace pulse::crmd {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pulse-crmd-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline mode_t fileMode(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 07777;  // never a valid mode: makes EXPECTs fail
  return st.st_mode & 0777;
}

}  // namespace pulse::crmd
