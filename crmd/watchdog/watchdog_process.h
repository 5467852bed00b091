// crmd's side of watchdog self-fencing: starts pulse-watchdog (watchdog_main.cc) as a child in
// its own process group, with a pipe on its standard input, and feeds it from a feeder thread
// every pet interval as self_fence.h's WatchdogFeeder decides.
//
// The feeder reads the membership's quorum contact (an atomic the membership's io thread keeps
// current at every message and tick), so a stalled membership thread stops the pets as surely
// as a lost network does: its evidence ages past the window. While the cluster is not running
// on this node (not started, stopped by pcs, or starting/stopping) the contact source answers
// nullopt: the node runs nothing then, so it is fed and the policy starts over.
//
// Invariants: the pipe's write end is owned by this object only (O_CLOEXEC: no agent inherits
// it, or a crmd crash would leave the pipe open and the watchdog fed by nobody but also never
// told); disarm() writes 'V' before closing, so only a crmd that dies (kill -9 included)
// leaves the watchdog to fence. Thread-safe: start/disarm from one thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/result.h"

namespace pulse::crmd {

struct QuorumContactReading {
  std::chrono::steady_clock::time_point last;  // MembershipService::lastQuorumContact()
  std::chrono::milliseconds window{0};         // fresh while now - last < window
};

struct WatchdogOptions {
  std::string watchdog_path;                    // the pulse-watchdog executable
  std::chrono::milliseconds timeout{0};         // W, > pet_interval
  std::chrono::milliseconds pet_interval{100};  // P
  std::optional<std::string> command;           // unset: pulse-watchdog's default (a reboot)
  // Called from the feeder thread; nullopt while the cluster is not running here.
  std::function<std::optional<QuorumContactReading>()> contact;
};

class WatchdogProcess {
 public:
  // Starts pulse-watchdog and the feeder; sets SIGPIPE to ignored for the whole process. An Error
  // says why (bad timing, exec failure, or the watchdog refused to arm: it exited at once, e.g. the
  // default command in a test).
  static Result<std::unique_ptr<WatchdogProcess>> start(WatchdogOptions options);
  ~WatchdogProcess();  // disarm()
  WatchdogProcess(const WatchdogProcess&) = delete;
  WatchdogProcess& operator=(const WatchdogProcess&) = delete;

  // Clean stop: the feeder stops, 'V' is written, the pipe closed and the child reaped.
  void disarm();

  int pid() const { return pid_; }

 private:
  WatchdogProcess(WatchdogOptions options, int pid, int fd);
  void feed();

  WatchdogOptions options_;
  int pid_;
  int fd_;  // write end of the pipe; -1 once closed
  std::atomic<bool> stopping_{false};
  std::thread feeder_;
};

}  // namespace pulse::crmd
