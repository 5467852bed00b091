// The node's side of transition execution (pacemaker-execd as the controller drives it): runs
// the actions a DC hands this node with the Executor, answers for fence devices (class
// "stonith": they are only "registered" here, as fenced does; fencing itself runs on the DC),
// and remembers which resources it has started, so that it can stop them all when the node
// loses quorum (no-quorum-policy=stop without a DC to ask).
//
// Every result is reported through the callback given to the constructor: once per action,
// and again each time a recurring monitor's result changes (monitor_change).
//
// Invariants:
//  * Before a stop runs, every recurring operation of the resource is cancelled, so a monitor
//    never reports a stopped resource as failed.
//  * A resource acted on stays in every JoinQuery answer from the action until a probe of it
//    runs after an answer named it (joinAnswer): a result the cluster may not have recorded is
//    always probed again by some DC term.
//  * `active` holds a resource from a successful start/promote (or a probe or monitor that found
//    it running) until a successful stop (or a probe that found it stopped); stopAll() stops
//    exactly those.
//
// Thread-safety: none; lives on the cluster io_context like the Executor it owns.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crmd/controller/controller.h"
#include "crmd/executor/executor.h"

namespace pulse::crmd {

// One result as the DC needs it.
struct LocalResult {
  ActionRequest request;
  OcfResult result;
  bool monitor_change = false;  // a recurring monitor's later report, not the action's answer
  std::uint64_t session = 0;    // the DC term that asked (0: this node's own stop)
};

// The line the node's event journal keeps for a result (event_journal.h): every one-off action,
// and a recurring monitor only when its result changes (a monitor every few seconds would push
// everything else out of the journal); nullopt for the others.
std::optional<std::string> journalText(const LocalResult& r);

class LocalExecutor {
 public:
  using Report = std::function<void(const LocalResult&)>;
  LocalExecutor(boost::asio::io_context& io, Executor::Options options, Report report);

  void execute(const ActionRequest& request, std::uint64_t session);
  // Which active resources the node must stop itself: false for a resource the cluster does not
  // manage (maintenance mode, is-managed=false), which is left running as it is.
  using Managed = std::function<bool(const std::string& resource)>;
  // Stops every active resource that is `managed` (recurring operations first). Returns how
  // many stops started.
  std::size_t stopAll(const std::string& why, const Managed& managed);
  // The active resources that are `managed`.
  std::size_t activeCount(const Managed& managed) const;
  bool anyActive() const { return !active_.empty(); }
  // The answer to a DC's JoinQuery (peer.proto): the resources acted on since the previous
  // answer (a one-off action other than a probe handed to the executor, or a recurring monitor
  // whose result changed) and those of the previous answer not probed since. Their results may have
  // been lost with an earlier DC's term; the DC probes them again. Sorted, each once.
  std::vector<std::string> joinAnswer();

 private:
  void finish(const ActionRequest& request, std::uint64_t session, const OperationResult& result,
              bool change);
  void track(const ActionRequest& request, int rc, bool done);

  boost::asio::io_context& io_;
  Executor executor_;
  Report report_;
  std::map<std::string, ActionRequest> active_;  // resource -> the action that started it
  std::set<std::string> fence_devices_;          // stonith resources "started" here
  std::set<std::string> touched_;                // acted on since the last joinAnswer()
  std::set<std::string> unprobed_;               // named by the last joinAnswer(), not probed since
};

// Pacemaker's PCMK_EXEC_* for an executor status.
int execStatusCode(ExecStatus status);

}  // namespace pulse::crmd
