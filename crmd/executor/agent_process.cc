#include "crmd/executor/agent_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "crmd/executor/service_agents.h"

namespace pulse::crmd {

std::string_view execStatusName(ExecStatus status) {
  switch (status) {
    case ExecStatus::kDone:
      return "complete";
    case ExecStatus::kTimedOut:
      return "Timed Out";
    case ExecStatus::kNotInstalled:
      return "not installed";
    case ExecStatus::kError:
      return "error";
    case ExecStatus::kCancelled:
      return "Cancelled";
  }
  return "error";
}

namespace {

std::string daemonEnv(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// Computed once: neither the executable nor the daemon's environment changes while it runs.
const std::string& helperDirectory() {
  static const std::string dir = [] {
    std::string configured = daemonEnv("PULSE_HA_SBIN_DIR");
    if (!configured.empty()) return configured;
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("/usr/sbin") : exe.parent_path().string();
  }();
  return dir;
}

void setEnv(std::vector<std::string>& env, const std::string& name, const std::string& value) {
  const std::string prefix = name + "=";
  for (std::string& entry : env) {
    if (entry.starts_with(prefix)) {
      entry = prefix + value;
      return;
    }
  }
  env.push_back(prefix + value);
}

}  // namespace

std::vector<std::string> pulseToolEnvironment(std::vector<std::string> env) {
  const std::string& dir = helperDirectory();
  setEnv(env, "HA_SBIN_DIR", dir);
  std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const std::string& entry : env) {
    if (entry.starts_with("PATH=")) path = entry.substr(5);
  }
  setEnv(env, "PATH", dir + ":" + path);
  if (const std::string state = daemonEnv("PULSE_STATE_DIR"); !state.empty()) {
    setEnv(env, "PULSE_STATE_DIR", state);
  }
  // Where agents keep their state files (ocf-shellfuncs' default /run/resource-agents). Passed
  // on when crmd was given one: test nodes that share a filesystem need one each, or Dummy
  // would find its state file, and seem to run, on every node.
  if (const std::string rsctmp = daemonEnv("HA_RSCTMP"); !rsctmp.empty()) {
    setEnv(env, "HA_RSCTMP", rsctmp);
  }
  // The same for HA_VARRUN (ocf-shellfuncs' default /var/run), where ocf:pacemaker:Stateful
  // keeps the role it runs in.
  if (const std::string varrun = daemonEnv("HA_VARRUN"); !varrun.empty()) {
    setEnv(env, "HA_VARRUN", varrun);
  }
  return env;
}

namespace {

using Clock = std::chrono::steady_clock;

// Closes on scope exit; -1 means "none".
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Reads what is available now (the fd is non-blocking). Returns false at EOF or on error.
bool drain(int fd, CapturedOutput& into, std::size_t limit) {
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      const std::size_t room = limit > into.text.size() ? limit - into.text.size() : 0;
      const std::size_t keep = std::min(room, static_cast<std::size_t>(n));
      into.text.append(buf, keep);
      into.dropped_bytes += static_cast<std::size_t>(n) - keep;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
}

std::string lastExitReason(const std::string& err) {
  std::string reason;
  std::size_t pos = 0;
  while (pos < err.size()) {
    std::size_t end = err.find('\n', pos);
    if (end == std::string::npos) end = err.size();
    std::string_view line(err.data() + pos, end - pos);
    if (line.starts_with(kOcfExitReasonPrefix)) {
      reason = std::string(line.substr(kOcfExitReasonPrefix.size()));
    }
    pos = end + 1;
  }
  return reason;
}

// A pidfd makes poll() wake the moment the agent exits; without one (kernel < 5.3) the loop
// falls back to polling waitpid every 20 ms.
int openPidFd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

pid_t waitBlocking(pid_t pid, int& wstatus) {
  pid_t r;
  do r = ::waitpid(pid, &wstatus, 0);
  while (r < 0 && errno == EINTR);
  return r;
}

// stdin_r < 0: stdin from /dev/null.
Result<pid_t> spawnAgent(const std::string& path, const std::vector<std::string>& args,
                         const std::vector<std::string>& env, int stdin_r, int out_w, int err_w) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  if (stdin_r >= 0) {
    posix_spawn_file_actions_adddup2(&actions, stdin_r, 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, out_w, 1);
  posix_spawn_file_actions_adddup2(&actions, err_w, 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  sigdelset(&all, SIGKILL);
  sigdelset(&all, SIGSTOP);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv{const_cast<char*>(path.c_str())};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, path.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Error{"cannot run " + path + ": " + std::strerror(rc)};
  return pid;
}

// Fills status/code/message for a process that ended by itself.
void interpretWaitStatus(int wstatus, AgentResult& r) {
  if (WIFEXITED(wstatus)) {
    r.exit_status = WEXITSTATUS(wstatus);
    r.code = ocfCodeFromExitStatus(r.exit_status);
    r.status = ExecStatus::kDone;
    r.message =
        "exited " + std::to_string(r.exit_status) + " (" + std::string(ocfCodeName(r.code)) + ")";
  } else {
    r.signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
    r.code = OcfCode::kUnknown;
    r.status = ExecStatus::kError;
    r.message = "killed by signal " + std::to_string(r.signal);
  }
}

}  // namespace

AgentResult runAgent(const AgentCall& call, std::size_t output_limit,
                     const std::atomic<bool>* abort) {
  AgentResult r;
  const auto started = Clock::now();
  const std::string path = agentPath(call.ocf_root, call.agent);
  const auto finish = [&](AgentResult& res) -> AgentResult {
    res.runtime = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    res.exit_reason = lastExitReason(res.err.text);
    return std::move(res);
  };

  if (auto name_ok = checkAgentName(call.agent); !name_ok) {
    r.status = ExecStatus::kError;
    r.code = OcfCode::kInvalidArgument;
    r.message = name_ok.error().message;
    return finish(r);
  }
  if (isServiceClass(call.agent.standard)) return runServiceAgent(call, output_limit, abort);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    r.status = ExecStatus::kNotInstalled;
    r.code = OcfCode::kNotInstalled;
    r.message =
        "agent " + call.agent.spec() + " not found at " + path + ": " + std::strerror(errno);
    return finish(r);
  }
  if (!S_ISREG(st.st_mode) || ::access(path.c_str(), X_OK) != 0) {
    r.status = ExecStatus::kError;
    r.code = OcfCode::kInsufficientPrivileges;
    r.message = "agent " + path + " is not an executable file";
    return finish(r);
  }
  auto env = buildOcfEnvironment(call);
  if (!env) {
    r.status = ExecStatus::kError;
    r.code = OcfCode::kInvalidArgument;
    r.message = env.error().message;
    return finish(r);
  }
  return runProgram(
      ProgramCall{path, {call.action}, pulseToolEnvironment(std::move(*env)), "", call.timeout},
      output_limit, abort);
}

AgentResult runProgram(const ProgramCall& call, std::size_t output_limit,
                       const std::atomic<bool>* abort) {
  AgentResult r;
  const auto started = Clock::now();
  const auto finish = [&](AgentResult& res) -> AgentResult {
    res.runtime = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    res.exit_reason = lastExitReason(res.err.text);
    return std::move(res);
  };
  // What the program reads is written up front into an anonymous file: no writer thread, and
  // a program that never reads cannot block on a full pipe.
  Fd stdin_r(call.stdin_text.empty() ? -1 : ::memfd_create("pulse-stdin", MFD_CLOEXEC));
  if (!call.stdin_text.empty()) {
    if (stdin_r.get() < 0 ||
        ::write(stdin_r.get(), call.stdin_text.data(), call.stdin_text.size()) !=
            static_cast<ssize_t>(call.stdin_text.size()) ||
        ::lseek(stdin_r.get(), 0, SEEK_SET) != 0) {
      r.message =
          std::string("cannot prepare the input of ") + call.path + ": " + std::strerror(errno);
      return finish(r);
    }
  }

  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    r.message = std::string("pipe: ") + std::strerror(errno);
    return finish(r);
  }
  Fd out_r(out_pipe[0]), out_w(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    r.message = std::string("pipe: ") + std::strerror(errno);
    return finish(r);
  }
  Fd err_r(err_pipe[0]), err_w(err_pipe[1]);

  auto pid = spawnAgent(call.path, call.args, call.env, stdin_r.get(), out_w.get(), err_w.get());
  out_w.reset();  // our copies of the write ends would hide EOF
  err_w.reset();
  if (!pid) {
    r.status = ExecStatus::kError;
    r.message = pid.error().message;
    return finish(r);
  }
  ::fcntl(out_r.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(err_r.get(), F_SETFL, O_NONBLOCK);
  Fd pidfd(openPidFd(*pid));

  const auto deadline = started + call.timeout;
  bool out_open = true, err_open = true;
  int wstatus = 0;
  for (;;) {
    if (::waitpid(*pid, &wstatus, WNOHANG) == *pid) {
      drain(out_r.get(), r.out, output_limit);
      drain(err_r.get(), r.err, output_limit);
      interpretWaitStatus(wstatus, r);
      return finish(r);
    }
    const bool aborted = abort != nullptr && abort->load();
    const auto now = Clock::now();
    if (aborted || now >= deadline) {
      // The leader is not reaped yet, so -pid still names only this agent's group.
      ::kill(-*pid, SIGKILL);
      waitBlocking(*pid, wstatus);
      drain(out_r.get(), r.out, output_limit);
      drain(err_r.get(), r.err, output_limit);
      r.signal = SIGKILL;
      r.code = OcfCode::kUnknown;
      r.status = aborted ? ExecStatus::kCancelled : ExecStatus::kTimedOut;
      r.message = aborted ? "cancelled, process group " + std::to_string(*pid) + " killed"
                          : "timed out after " + std::to_string(call.timeout.count()) +
                                " ms, process group " + std::to_string(*pid) + " killed";
      return finish(r);
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) +
                std::chrono::milliseconds(1);
    if (pidfd.get() < 0) wait = std::min(wait, std::chrono::milliseconds(20));
    if (abort != nullptr) wait = std::min(wait, std::chrono::milliseconds(25));
    pollfd fds[3] = {{out_open ? out_r.get() : -1, POLLIN, 0},
                     {err_open ? err_r.get() : -1, POLLIN, 0},
                     {pidfd.get(), POLLIN, 0}};
    if (::poll(fds, 3, static_cast<int>(wait.count())) < 0 && errno != EINTR) {
      ::usleep(10000);  // poll cannot fail on valid fds; never spin if it does
    }
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      out_open = drain(out_r.get(), r.out, output_limit);
    }
    if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      err_open = drain(err_r.get(), r.err, output_limit);
    }
  }
}

Result<AgentMetadata> fetchAgentMetadata(const std::string& ocf_root, const AgentName& agent,
                                         std::chrono::milliseconds timeout) {
  AgentCall call;
  call.ocf_root = ocf_root;
  call.resource = agent.type;  // meta-data describes the agent, not an instance of it
  call.agent = agent;
  call.action = "meta-data";
  call.timeout = timeout;
  const AgentResult r = runAgent(call);
  if (r.status != ExecStatus::kDone || r.code != OcfCode::kOk) {
    return Error{"meta-data of " + agent.spec() + " failed: " + r.message};
  }
  auto md = parseAgentMetadata(r.out.text);
  if (!md) return Error{"meta-data of " + agent.spec() + ": " + md.error().message};
  return md;
}

}  // namespace pulse::crmd
