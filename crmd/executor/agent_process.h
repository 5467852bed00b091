// Runs one OCF agent action to completion: the blocking half of the executor. Called on a
// worker thread (never the io_context thread); it touches no shared state, so any number may
// run at once.
//
// The agent runs through posix_spawn in a new session (setsid: its own process group, no
// controlling terminal), stdin from /dev/null, stdout/stderr into pipes, every other fd closed,
// default signal handlers and an empty signal mask, and the environment of
// buildOcfEnvironment() plus Pulse's helper programs (pulseToolEnvironment()).
//
// Timeout: when call.timeout expires the WHOLE process group gets SIGKILL at once (as
// Pacemaker's execd does; an agent that overran its timeout gets no grace, and a grace period
// would only lengthen a failover). The group leader is reaped only after that kill, so its pid
// (= the group id) cannot be reused by another process in between. A process the agent moved
// into another session (setsid, double-fork daemons) is out of reach by design: that is how a
// started service outlives its start action.
//
// Output: stdout and stderr are kept as text up to `output_limit` bytes each; the rest is read
// and dropped (counted), so a chatty agent can never block on a full pipe. Output is never
// parsed except to copy the last "ocf-exit-reason:" line of stderr into exit_reason. Once the
// agent has exited, only what is already in the pipes is read: a daemon that inherited the
// pipes cannot keep the operation open.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "crmd/executor/agent_metadata.h"
#include "crmd/executor/ocf.h"

namespace pulse::crmd {

// What an agent needs to run Pulse's crm_attribute, crm_master and crm_node instead of
// Pacemaker's (which cannot talk to Pulse): HA_SBIN_DIR (ocf-shellfuncs runs
// ${HA_SBIN_DIR}/crm_attribute) is the directory of the running executable (crmd's, where
// Pulse's programs are built and installed), or $PULSE_HA_SBIN_DIR when the daemon has it; the
// same directory goes first on PATH; PULSE_STATE_DIR is copied from the daemon's environment
// (crmd exports its state directory), so the programs find the local-admin file; HA_RSCTMP and
// HA_VARRUN are copied when the daemon has them (test nodes sharing one filesystem each get their
// own agent state folders). Returns `env`
// with these set (replacing entries of the same name).
std::vector<std::string> pulseToolEnvironment(std::vector<std::string> env);

// How an operation ended, apart from the agent's OCF code (Pacemaker's PCMK_EXEC_*).
enum class ExecStatus {
  kDone,          // the agent exited; `code` is its answer
  kTimedOut,      // killed at its timeout ("Timed Out")
  kNotInstalled,  // no agent file at the path (code kNotInstalled)
  kError,         // could not run, or died by a signal (code says which)
  kCancelled,     // a run killed by the executor: shutting down, or its monitor cancelled
};
std::string_view execStatusName(ExecStatus status);

struct CapturedOutput {
  std::string text;
  std::size_t dropped_bytes = 0;  // read past the limit and thrown away
};

struct AgentResult {
  ExecStatus status = ExecStatus::kError;
  OcfCode code = OcfCode::kUnknown;
  int exit_status = -1;  // the real exit status if the agent exited, else -1
  int signal = 0;        // the signal that ended the agent (SIGKILL after a timeout), else 0
  CapturedOutput out;
  CapturedOutput err;
  std::string exit_reason;  // text after the last "ocf-exit-reason:" on stderr, if any
  std::string message;      // one line for the log: what happened, naming path/timeout/status
  std::chrono::milliseconds runtime{0};
};

inline constexpr std::size_t kDefaultOutputLimit = 64 * 1024;

// Runs `call` and returns when the agent has exited or been killed. Never throws for
// anything the environment does (a missing agent, spawn failure, EINTR): it is all in the
// result. If `abort` becomes true, the process group is killed and the result is kCancelled
// (noticed within ~25 ms).
AgentResult runAgent(const AgentCall& call, std::size_t output_limit = kDefaultOutputLimit,
                     const std::atomic<bool>* abort = nullptr);

// A program run under the same rules as an agent (own session, timeout killing its process
// group, bounded output), for fence agents: they read `key=value` lines on stdin.
struct ProgramCall {
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;  // "NAME=value"; nothing else is inherited
  std::string stdin_text;        // empty: stdin is /dev/null
  std::chrono::milliseconds timeout{20000};
};
AgentResult runProgram(const ProgramCall& call, std::size_t output_limit = kDefaultOutputLimit,
                       const std::atomic<bool>* abort = nullptr);

// Runs `agent meta-data` (blocking, like runAgent) and parses what it prints: what
// `pcs resource create` needs to check parameters and fill in default operations. Error, naming
// the agent, if it is missing, does not answer ok within `timeout`, or prints no valid XML.
Result<AgentMetadata> fetchAgentMetadata(
    const std::string& ocf_root, const AgentName& agent,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

}  // namespace pulse::crmd
