#include "crmd/executor/alert_runner.h"

#include <system_error>

#include "crmd/executor/agent_process.h"

namespace pulse::crmd {

AlertRunner::AlertRunner(Log log) : log_(std::move(log)) {}

AlertRunner::~AlertRunner() {
  abort_ = true;  // runProgram kills each agent's process group within ~100 ms
  for (Worker& w : workers_) w.thread.join();
}

void AlertRunner::setAlerts(std::vector<AlertEntry> alerts) { alerts_ = std::move(alerts); }

void AlertRunner::reap() {
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
}

std::size_t AlertRunner::send(const AlertEvent& event) {
  reap();
  std::size_t started = 0;
  const auto now = std::chrono::system_clock::now();
  for (const AlertEntry& entry : alerts_) {
    if (!entry.wants(event.kind, event.attribute_name)) continue;
    const std::string what = std::string(alertKindName(event.kind)) + " alert via " + entry.id +
                             (entry.recipient.empty() ? "" : " to " + entry.recipient);
    if (workers_.size() >= kMaxRunningAlerts) {
      log_("alerts: not sending " + what + ": " + std::to_string(workers_.size()) +
           " alert agents still run");
      continue;
    }
    ProgramCall call{
        entry.path, {}, alertEnvironment(entry, event, now, ++sequence_), "", entry.timeout};
    Worker worker;
    auto done = worker.done;
    const std::atomic<bool>* abort = &abort_;  // outlives the worker: joined in ~AlertRunner
    try {
      worker.thread = std::thread([call = std::move(call), done, abort, what, log = log_] {
        const AgentResult r = runProgram(call, 4096, abort);
        if (r.status != ExecStatus::kDone || r.exit_status != 0) {
          log("alerts: " + what + " failed: " +
              (r.message.empty() ? "exit status " + std::to_string(r.exit_status) : r.message));
        }
        done->store(true);
      });
    } catch (const std::system_error& e) {
      log_("alerts: not sending " + what + ": cannot start a thread: " + e.what());
      continue;
    }
    log_("alerts: sending " + what);
    workers_.push_back(std::move(worker));
    ++started;
  }
  return started;
}

}  // namespace pulse::crmd
