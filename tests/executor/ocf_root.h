// Test fixture pieces for the executor: a temporary OCF_ROOT whose resource.d/pulse is the
// repository's resource-agents/ folder and whose heartbeat/pacemaker providers and lib/ are
// the system's (Debian's resource-agents and pacemaker packages), plus an io_context loop that
// runs until a condition holds or a deadline passes.
#pragma once

#include <signal.h>
#include <sys/stat.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "tests/crmd/temp_dir.h"

namespace pulse::crmd {

class OcfRoot {
 public:
  OcfRoot() {
    namespace fs = std::filesystem;
    const fs::path root = dir_.path();
    fs::create_directories(root / "resource.d");
    fs::create_symlink(PULSE_RESOURCE_AGENTS_DIR, root / "resource.d" / "pulse");
    for (const char* provider : {"heartbeat", "pacemaker"}) {
      const fs::path system = fs::path("/usr/lib/ocf/resource.d") / provider;
      if (fs::exists(system)) fs::create_directory_symlink(system, root / "resource.d" / provider);
    }
    if (fs::exists("/usr/lib/ocf/lib"))
      fs::create_directory_symlink("/usr/lib/ocf/lib", root / "lib");
    fs::create_directories(root / "resource.d" / "local");
    fs::create_directories(root / "work");
  }
  const std::string& path() const { return dir_.path(); }
  // A scratch directory for state files, pid files and the like.
  std::string work(const std::string& name) const { return dir_.path() + "/work/" + name; }

  // Writes an agent ocf:local:<name> with the given shell body.
  std::string addLocalAgent(const std::string& name, const std::string& body, int mode = 0755) {
    const std::string file = dir_.path() + "/resource.d/local/" + name;
    std::ofstream(file) << "#!/bin/sh\n" << body << "\n";
    ::chmod(file.c_str(), static_cast<mode_t>(mode));
    return file;
  }

  static bool hasSystemAgent(const std::string& provider, const std::string& type) {
    return std::filesystem::exists("/usr/lib/ocf/resource.d/" + provider + "/" + type);
  }

 private:
  TempDir dir_;
};

// Alive and not a zombie waiting for its (new) parent to reap it.
inline bool processAlive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'Z';
}

inline pid_t readPid(const std::string& file) {
  std::ifstream in(file);
  long pid = -1;
  in >> pid;
  return static_cast<pid_t>(pid);
}

// Runs `io` until `done()` holds or `limit` passes; returns done().
inline bool runUntil(boost::asio::io_context& io, const std::function<bool()>& done,
                     std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  if (io.stopped()) io.restart();  // it stops whenever it runs out of work
  auto guard = boost::asio::make_work_guard(io);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(5));
  }
  return done();
}

}  // namespace pulse::crmd
