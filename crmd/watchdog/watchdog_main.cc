// pulse-watchdog: a software watchdog (the kernel softdog's role, sbd's watchdog) that crmd
// feeds through a pipe on standard input.
//
//   pulse-watchdog --timeout=MS [--command=CMD]
//
// Bytes on stdin: 'p' pets (the deadline becomes now + timeout), 'V' disarms (as the magic
// close of /dev/watchdog: a later end of file is a clean stop). Other bytes are ignored. When
// the deadline passes, or stdin reaches end of file without a disarm (crmd died, kill -9
// included), it runs CMD with /bin/sh -c and exits with status 3. Exit 0: disarmed and closed.
// Exit 2: bad usage, nothing armed.
//
// The default command is a real self-fence: sbd's reboot, 'b' written to /proc/sysrq-trigger.
// So that no test can arm it by accident, the default is refused (exit 2) when PULSE_TEST is
// set in the environment, or when this process's network namespace is not the one of PID 1
// (a test node in a namespace would reboot the whole host), or when that cannot be checked.
// Tests pass --command (resource-agents/fence/pulse_self_fence_netns).
//
// It runs in a process group of its own (setpgid), so that a signal to crmd's group does not
// take the watchdog with it.
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr const char* kDefaultCommand = "echo b > /proc/sysrq-trigger";
constexpr int kExitUsage = 2;
constexpr int kExitFenced = 3;

using Clock = std::chrono::steady_clock;

void say(const std::string& text) {
  std::fprintf(stderr, "pulse-watchdog[%d]: %s\n", static_cast<int>(getpid()), text.c_str());
}

// Empty when the default command may be armed; otherwise why not.
std::string defaultRefusal() {
  if (std::getenv("PULSE_TEST") != nullptr) return "PULSE_TEST is set";
  struct stat own {};
  struct stat init {};
  if (stat("/proc/self/ns/net", &own) != 0 || stat("/proc/1/ns/net", &init) != 0) {
    return std::string("cannot compare network namespaces: ") + std::strerror(errno);
  }
  if (own.st_dev != init.st_dev || own.st_ino != init.st_ino) {
    return "this is not the host's network namespace";
  }
  return {};
}

int fence(const std::string& command, const std::string& why) {
  say("self-fencing (" + why + "): " + command);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid < 0) {
    say(std::string("cannot fork the self-fence command: ") + std::strerror(errno));
    return kExitFenced;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  say("self-fence command exited with status " +
      std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)));
  return kExitFenced;
}

bool parseMs(const std::string& text, long& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtol(text.c_str(), &end, 10);
  return errno == 0 && end != text.c_str() && *end == '\0' && out > 0 && out <= 3600000;
}

}  // namespace

int main(int argc, char** argv) {
  long timeout_ms = 0;
  std::string command;
  bool have_command = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--timeout=", 0) == 0) {
      if (!parseMs(arg.substr(10), timeout_ms)) {
        say("--timeout must be a number of milliseconds in 1..3600000, got '" + arg.substr(10) +
            "'");
        return kExitUsage;
      }
    } else if (arg.rfind("--command=", 0) == 0) {
      command = arg.substr(10);
      have_command = true;
      if (command.empty()) {
        say("--command is empty");
        return kExitUsage;
      }
    } else {
      say("unknown argument '" + arg + "'; usage: pulse-watchdog --timeout=MS [--command=CMD]");
      return kExitUsage;
    }
  }
  if (timeout_ms == 0) {
    say("--timeout=MS is required");
    return kExitUsage;
  }
  if (!have_command) {
    if (std::string why = defaultRefusal(); !why.empty()) {
      say("refusing to arm the default self-fence (a host reboot): " + why + "; pass --command");
      return kExitUsage;
    }
    command = kDefaultCommand;
  }
  setpgid(0, 0);
  const auto timeout = std::chrono::milliseconds(timeout_ms);
  auto deadline = Clock::now() + timeout;
  bool disarmed = false;
  say("armed: timeout " + std::to_string(timeout_ms) + " ms");
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 && !disarmed) {
      return fence(command, "not fed for " + std::to_string(timeout_ms) + " ms");
    }
    pollfd pfd{STDIN_FILENO, POLLIN, 0};
    const int ready = poll(&pfd, 1, disarmed ? -1 : static_cast<int>(left) + 1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return fence(command, std::string("poll failed: ") + std::strerror(errno));
    }
    if (ready == 0) continue;
    char buffer[64];
    const ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return fence(command, std::string("read failed: ") + std::strerror(errno));
    }
    if (n == 0) {
      if (disarmed) {
        say("disarmed and closed");
        return 0;
      }
      return fence(command, "the feeder closed the pipe without disarming (crmd died?)");
    }
    for (ssize_t i = 0; i < n; ++i) {
      if (buffer[i] == 'p') {
        deadline = Clock::now() + timeout;
        disarmed = false;
      } else if (buffer[i] == 'V') {
        disarmed = true;
      }
    }
  }
}
