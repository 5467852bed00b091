// Runs one command as a child process and measures it: wall time on a steady clock and the
// child's own peak resident set size (wait4's ru_maxrss), with a timeout. For benchmarks only:
// it blocks SIGCHLD in the calling thread while the child runs, so use it from one thread.
#ifndef PULSE_BENCH_CHILD_PROCESS_H_
#define PULSE_BENCH_CHILD_PROCESS_H_

#include <chrono>
#include <string>
#include <vector>

namespace pulse::bench {

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0] is the program (searched in PATH if it has no '/')
  std::vector<std::string> env;   // extra NAME=VALUE entries on top of the inherited environment
  std::string stdout_path;        // where stdout goes ("/dev/null" if empty)
  std::string stderr_path;        // where stderr goes ("/dev/null" if empty)
  std::chrono::milliseconds timeout{600'000};
};

struct ChildResult {
  bool started = false;    // false: fork or exec failed (see error)
  bool timed_out = false;  // killed with SIGKILL after spec.timeout
  int exit_code = -1;      // exit status, or 128 + signal number if killed by a signal
  double seconds = 0;      // wall time from fork to reaping
  double peak_rss_mb = 0;  // ru_maxrss of the child, in MiB
  std::string error;
};

// Never throws; failures are reported in the result.
[[nodiscard]] ChildResult runChild(const ChildSpec& spec);

}  // namespace pulse::bench

#endif  // PULSE_BENCH_CHILD_PROCESS_H_
