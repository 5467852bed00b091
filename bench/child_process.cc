#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

extern char** environ;

namespace pulse::bench {
namespace {

using Clock = std::chrono::steady_clock;

// The inherited environment with `extra` entries added or replacing ones of the same name.
std::vector<std::string> mergedEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const std::string& x : extra) replaced = replaced || x.rfind(name + "=", 0) == 0;
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// In the child: only async-signal-safe calls, then exec. Reports errno through `report`.
[[noreturn]] void execChild(const ChildSpec& spec, char* const* argv, char* const* envp,
                            const sigset_t& old_mask, int report) {
  sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  const char* out = spec.stdout_path.empty() ? "/dev/null" : spec.stdout_path.c_str();
  const char* err = spec.stderr_path.empty() ? "/dev/null" : spec.stderr_path.c_str();
  const int in_fd = open("/dev/null", O_RDONLY);
  const int out_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err_fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in_fd >= 0 && out_fd >= 0 && err_fd >= 0 && dup2(in_fd, 0) >= 0 && dup2(out_fd, 1) >= 0 &&
      dup2(err_fd, 2) >= 0) {
    execvpe(argv[0], argv, envp);
  }
  const int code = errno;
  (void)!write(report, &code, sizeof code);
  _exit(127);
}

}  // namespace

ChildResult runChild(const ChildSpec& spec) {
  ChildResult result;
  if (spec.argv.empty()) {
    result.error = "empty command";
    return result;
  }
  std::vector<std::string> args = spec.argv;
  std::vector<std::string> env = mergedEnvironment(spec.env);
  std::vector<char*> argv = pointers(args);
  std::vector<char*> envp = pointers(env);

  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  sigset_t chld, old_mask;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &old_mask);

  const Clock::time_point start = Clock::now();
  const pid_t pid = fork();
  if (pid == 0) execChild(spec, argv.data(), envp.data(), old_mask, report[1]);
  close(report[1]);
  if (pid < 0) {
    result.error = std::string("fork: ") + std::strerror(errno);
    close(report[0]);
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    return result;
  }

  const Clock::time_point deadline = start + spec.timeout;
  int status = 0;
  rusage usage{};
  for (;;) {
    const pid_t done = wait4(pid, &status, WNOHANG, &usage);
    if (done == pid) break;
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) {
      kill(pid, SIGKILL);
      while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
      }
      result.timed_out = true;
      break;
    }
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    timespec wait{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    sigtimedwait(&chld, nullptr, &wait);  // wakes on SIGCHLD or at the deadline
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  sigprocmask(SIG_SETMASK, &old_mask, nullptr);

  int exec_errno = 0;
  if (read(report[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
    result.error = "cannot run " + spec.argv[0] + ": " + std::strerror(exec_errno);
    close(report[0]);
    return result;
  }
  close(report[0]);
  result.started = true;
  result.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

}  // namespace pulse::bench
