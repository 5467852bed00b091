#include "crmd/watchdog/watchdog_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "crmd/watchdog/self_fence.h"

namespace pulse::crmd {

namespace {

void logLine(const std::string& text) {
  // crmd's log format is one line per event on stderr (log.h); this module stays free of it so
  // that the watchdog tests link without the daemon.
  std::string line = "watchdog: " + text + "\n";
  [[maybe_unused]] auto n = write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace

Result<std::unique_ptr<WatchdogProcess>> WatchdogProcess::start(WatchdogOptions options) {
  if (options.pet_interval.count() <= 0 || options.timeout <= options.pet_interval) {
    return Error{"watchdog timeout (" + std::to_string(options.timeout.count()) +
                 " ms) must be longer than the pet interval (" +
                 std::to_string(options.pet_interval.count()) + " ms)"};
  }
  if (!options.contact) return Error{"watchdog: no quorum contact source"};
  if (access(options.watchdog_path.c_str(), X_OK) != 0) {
    return Error{"watchdog executable '" + options.watchdog_path + "': " + std::strerror(errno)};
  }
  std::vector<std::string> args{options.watchdog_path,
                                "--timeout=" + std::to_string(options.timeout.count())};
  if (options.command) args.push_back("--command=" + *options.command);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // Writing to the pipe of a watchdog that has already fenced and exited must be an error
  // value (EPIPE), not a signal that kills the feeder's process. crmd ignores SIGPIPE anyway.
  signal(SIGPIPE, SIG_IGN);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + std::strerror(errno)};
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return Error{std::string("fork: ") + std::strerror(errno)};
  }
  if (pid == 0) {
    setpgid(0, 0);  // a signal to crmd's process group must not reach the watchdog
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);  // crmd blocks SIGTERM for its sigwait
    dup2(fds[0], STDIN_FILENO);                // dup2 clears O_CLOEXEC on the copy
    execv(argv[0], argv.data());
    _exit(127);
  }
  setpgid(pid, pid);  // also from the parent: no window in which the child shares our group
  close(fds[0]);
  // A watchdog that refuses to arm (bad arguments, the default command in a test) exits at
  // once: give it a moment, so that crmd reports it instead of running unprotected.
  for (int i = 0; i < 20; ++i) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      close(fds[1]);
      return Error{"pulse-watchdog refused to arm (exit status " +
                   std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                   "); see its message above"};
    }
    usleep(5000);
  }
  std::unique_ptr<WatchdogProcess> process(new WatchdogProcess(std::move(options), pid, fds[1]));
  process->feeder_ = std::thread([p = process.get()] { p->feed(); });
  return process;
}

WatchdogProcess::WatchdogProcess(WatchdogOptions options, int pid, int fd)
    : options_(std::move(options)), pid_(pid), fd_(fd) {}

WatchdogProcess::~WatchdogProcess() { disarm(); }

void WatchdogProcess::feed() {
  std::optional<WatchdogFeeder> policy;
  bool told = false;
  while (!stopping_.load()) {
    const auto now = std::chrono::steady_clock::now();
    bool pet = true;
    if (auto reading = options_.contact()) {
      if (!policy) policy.emplace(reading->window);
      pet = policy->shouldPet(now, reading->last);
    } else {
      policy.reset();  // the cluster is not running here: nothing to protect, start over
    }
    if (pet) {
      const char byte = 'p';
      if (write(fd_, &byte, 1) != 1 && !told) {
        logLine(std::string("cannot pet pulse-watchdog: ") + std::strerror(errno));
        told = true;
      }
    } else if (!told) {
      logLine("quorum contact lost: no more pets; self-fence in " +
              std::to_string(options_.timeout.count()) + " ms");
      told = true;
    }
    std::this_thread::sleep_for(options_.pet_interval);
  }
}

void WatchdogProcess::disarm() {
  if (fd_ < 0) return;
  stopping_.store(true);
  if (feeder_.joinable()) feeder_.join();
  const char byte = 'V';
  [[maybe_unused]] auto n = write(fd_, &byte, 1);
  close(fd_);
  fd_ = -1;
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace pulse::crmd
