// Runs alert agents (alerts.h) for the node's events, as Pacemaker's controller and execd do:
// each entry that wants the event gets its own agent process, run in its own session with the
// entry's environment and killed (its whole process group) at the entry's timeout. Agents run
// on worker threads and are never waited for: an event is never delayed by its alerts, and an
// agent's failure is only logged (Pacemaker does not retry alerts either).
//
// Bounds: at most kMaxRunningAlerts agents at once; an event arriving while that many run is
// logged and not alerted, so a hanging agent cannot make the daemon spawn without end.
//
// Thread-safety: send() and setAlerts() are called from one thread (the cluster worker); the
// destructor kills every running agent and joins the workers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "crmd/executor/alerts.h"

namespace pulse::crmd {

inline constexpr std::size_t kMaxRunningAlerts = 32;

class AlertRunner {
 public:
  using Log = std::function<void(const std::string&)>;  // called from worker threads too
  explicit AlertRunner(Log log);
  ~AlertRunner();
  AlertRunner(const AlertRunner&) = delete;
  AlertRunner& operator=(const AlertRunner&) = delete;

  // The configuration to use from now on (readAlerts of the newest CIB).
  void setAlerts(std::vector<AlertEntry> alerts);
  bool empty() const { return alerts_.empty(); }

  // Starts the agents of every entry that wants `event`. Returns how many started.
  std::size_t send(const AlertEvent& event);

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done = std::make_shared<std::atomic<bool>>(false);
  };
  void reap();

  Log log_;
  std::vector<AlertEntry> alerts_;
  std::uint64_t sequence_ = 0;
  std::list<Worker> workers_;
  std::atomic<bool> abort_{false};
};

}  // namespace pulse::crmd
