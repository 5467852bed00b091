// The executor: runs OCF resource-agent operations for crmd (pacemaker-execd's role).
//
// Operations on one resource are serialised: at most one runs at a time, the others wait in
// FIFO order (Pacemaker does the same; an agent is never asked to monitor while it starts). A
// recurring monitor (action "monitor", interval > 0) is run again `interval` after each run
// completes, and its callback is called for the first result and then only when the result
// (exec status + OCF code) changes.
//
// Threads: each running operation has its own worker thread that spawns the agent and waits
// for it (runAgent() in agent_process.h: poll on the output pipes and a pidfd, bounded by the
// operation's timeout). A thread per running operation, not a shared pool, because an agent
// may legitimately take minutes and a fixed pool would let slow agents delay unrelated
// resources; the count is bounded by the number of resources, since each has at most one
// running operation. The worker touches nothing but its own copy of the operation and hands
// the result back with boost::asio::post, so all executor state lives on the io_context thread.
//
// Thread-safety contract: an Executor is NOT thread-safe. Construct it, call every method and
// destroy it on the thread that runs its io_context (or before that thread starts). Callbacks
// are always called on that thread, never from inside execute() or cancel(), and may call back
// into the executor. Destroying the executor kills every running agent's process group, joins
// the workers (briefly blocking) and drops every pending callback uncalled. The io_context must
// outlive the executor. While an agent runs, the executor holds work on the io_context, so
// io_context::run() does not return with a result still to come.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "crmd/executor/agent_process.h"
#include "crmd/executor/fail_counts.h"
#include "crmd/executor/ocf.h"

namespace pulse::crmd {

// One operation, as the transition graph asks for it.
struct Operation {
  std::string resource;
  AgentName agent;
  std::string action;  // start, stop, monitor, promote, demote, notify, meta-data, ...
  std::chrono::milliseconds interval{0};  // > 0 only for a recurring monitor
  std::chrono::milliseconds timeout{20000};
  std::map<std::string, std::string> params;  // instance attributes
  std::map<std::string, std::string> meta;    // meta and op attributes (CRM_meta_*)
  std::optional<OcfCode> expected;            // target rc; decides what is a failure
};

struct OperationResult {
  std::string resource;
  std::string action;
  std::chrono::milliseconds interval{0};
  AgentResult agent;
  bool failure = false;  // counted in the fail counts (see isFailure())

  // Pacemaker's operation key, "<rsc>_<action>_<interval ms>".
  std::string key() const;
};

class Executor {
 public:
  struct Options {
    std::string ocf_root{kDefaultOcfRoot};
    std::size_t output_limit = kDefaultOutputLimit;  // per stream
  };
  using Callback = std::function<void(const OperationResult&)>;

  Executor(boost::asio::io_context& io, Options options);
  explicit Executor(boost::asio::io_context& io) : Executor(io, Options{}) {}
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Queues `op` behind any operation already queued or running on the same resource.
  // `done` is called once with the result, or, for a recurring monitor, with the first result
  // and every change until cancel(). A recurring monitor with the same (resource, action,
  // interval) as a scheduled one replaces it. Error, and nothing queued, for an empty
  // resource or action, an action that is not a plain word, a timeout <= 0, a recurring
  // action other than monitor, or a parameter/meta name that cannot be an environment name.
  Status execute(Operation op, Callback done);

  // Stops the recurring operation (resource, action, interval): nothing is queued for it
  // again and its callback is never called again; a run in progress is killed (its process
  // group, within ~100 ms), so that what waits behind it on the resource runs. Returns false
  // if no such recurring operation is scheduled.
  bool cancel(const std::string& resource, const std::string& action,
              std::chrono::milliseconds interval);
  // cancel() for every recurring operation of `resource` (before a stop). Returns how many.
  std::size_t cancelAll(const std::string& resource);

  // True while an operation of `resource` runs or waits.
  bool busy(const std::string& resource) const;

  const FailCounts& failCounts() const;
  void clearFailCounts(const std::string& resource);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with posted completions, which hold it weakly
};

}  // namespace pulse::crmd
