// The DC's fencing operations (stonithd's role on the DC), apart from the resource shell that
// asks for them (resource_manager.h): a fence agent run on a thread of its own per target, or
// the wait until a lost node's watchdog has certainly self-fenced it. The outcome comes back
// through `done`, on the io thread, and to every `pcs stonith fence` waiting for that target.
//
// Invariants:
//  * At most one operation per target runs at a time: start() ignores a target already under
//    way, and the target is free again just before `done` hears its outcome.
//  * Every waiter hears exactly once: the outcome, or at stop() that the cluster stopped.
//  * After stop() (or destruction) `done` is never called again; agent threads still running
//    are told to abort, and the destructor joins them.
//
// Threading: every method runs on `io`'s thread, except that the destructor may run after the
// io_context stopped.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crmd/controller/controller.h"
#include "crmd/executor/fence_runner.h"

namespace pulse::crmd {

class DcFencing {
 public:
  using Done = std::function<void(const std::string& node, const FenceOutcome& outcome)>;

  DcFencing(boost::asio::io_context& io, std::vector<std::string> agent_dirs, Done done);
  ~DcFencing();
  DcFencing(const DcFencing&) = delete;
  DcFencing& operator=(const DcFencing&) = delete;

  // Fences request.node with request.device, or (no device) waits out the watchdog: the wait
  // counts from `lost_at`, when the node left the view, if it did.
  void start(const FenceRequest& request,
             std::optional<std::chrono::steady_clock::time_point> lost_at);
  // `promise` gets the outcome of the next operation on `node` to finish.
  void addWaiter(const std::string& node,
                 std::shared_ptr<std::promise<Result<std::string>>> promise);
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace pulse::crmd
