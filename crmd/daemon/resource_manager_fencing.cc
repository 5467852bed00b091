// ResourceManager's fencing on the DC (resource_manager_impl.h): a fence device's agent run on
// its own thread (bounded by pcmk_reboot_timeout, aborted by stop()), or, for a node fenced by
// its own watchdog, the wait of stonith-watchdog-timeout counted from the node's loss. The DC
// never runs a device against itself: that request goes to a member
// (resource_manager_delegation.cc), which runs it here too.
// Invariants: at most one operation per target at a time; its outcome is posted to the io
// thread and goes to whichever controller is running when it ends, and to every waiting
// `pcs stonith fence`. A target with a fencing topology is fenced level by level on one thread
// (startTopologyFencing).

#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "common/log.h"
#include "crmd/daemon/resource_manager_impl.h"

namespace pulse::crmd {
namespace asio = boost::asio;
namespace {

// One device of a topology level, ready to run: its agent's path, or why it cannot run.
struct PreparedDevice {
  std::string name;
  std::string path;
  std::string error;
  std::map<std::string, std::string> params;
  std::chrono::milliseconds timeout{0};
};

}  // namespace

std::chrono::milliseconds rm::fenceDeviceTimeout(const ActionRequest& device) {
  auto it = device.params.find("pcmk_reboot_timeout");
  if (it != device.params.end()) {
    try {
      const long long seconds = std::stoll(it->second);
      if (seconds > 0) return std::chrono::seconds(seconds);
    } catch (const std::exception&) {
    }
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(kDefaultFenceTimeout);
}

void ResourceManager::Impl::startFencing(const FenceRequest& request) {
  if (!fencing.insert(request.node).second) return;  // already under way
  const bool for_dc = delegated_to_me.contains(request.node);
  if (!for_dc && adoptFencedElsewhere(request)) return;
  if (!for_dc && mustDelegate(request)) {
    delegateFencing(request);
    return;
  }
  if (!request.levels.empty()) {
    startTopologyFencing(request);
    return;
  }
  if (request.device.type.empty()) {
    auto wait = std::chrono::milliseconds(request.watchdog_wait_ms);
    if (auto it = lost_at.find(request.node); it != lost_at.end()) {
      wait -= std::chrono::duration_cast<std::chrono::milliseconds>(rm::SteadyClock::now() -
                                                                    it->second);
    }
    wait = std::max(wait, std::chrono::milliseconds(0));
    recordFenceStart(request, "watchdog");
    logEvent("fencing: " + request.node + " is self-fenced by its watchdog; waiting " +
             std::to_string(wait.count()) + " ms (stonith-watchdog-timeout " +
             std::to_string(request.watchdog_wait_ms) + " ms after the loss)");
    auto timer = std::make_shared<asio::steady_timer>(io, wait);
    timer->async_wait([weak = weak_from_this(), timer, node = request.node,
                       ms = request.watchdog_wait_ms](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->stopped) return;
      self->fenceDone(node, FenceOutcome{true, "watchdog: " + node + " self-fenced within " +
                                                   std::to_string(ms) + " ms"});
    });
    return;
  }
  recordFenceStart(request, request.device.resource);
  auto path = findFenceAgent(options.fence_agent_dirs, request.device.type);
  if (!path) {
    asio::post(io, [weak = weak_from_this(), node = request.node, why = path.error().message] {
      if (auto self = weak.lock(); self && !self->stopped)
        self->fenceDone(node, FenceOutcome{false, why});
    });
    return;
  }
  const std::string action = request.device.operation.empty() ? "reboot" : request.device.operation;
  logEvent("fencing: " + request.node + " with " + request.device.resource + " (" + *path +
           " action=" + action + ")");
  options.record("fencing", request.node + ": " + action + " with " + request.device.resource);
  const std::string input = fenceAgentInput(request.device.params, request.node, action);
  const auto timeout = rm::fenceDeviceTimeout(request.device);
  fence_threads.emplace_back([weak = weak_from_this(), abort = abort_fencing, path = *path, input,
                              timeout, node = request.node, device = request.device.resource] {
    FenceOutcome outcome = runFenceAgent(path, input, timeout, abort.get());
    outcome.message = device + ": " + outcome.message;
    if (abort->load()) return;
    if (auto self = weak.lock()) {
      asio::post(self->io, [self, node, outcome] {
        if (!self->stopped) self->fenceDone(node, outcome);
      });
    }
  });
}

// The target's fencing topology, level by level on one thread (fenceByLevels); a device whose
// agent cannot be found fails its level like a device whose agent fails.
void ResourceManager::Impl::startTopologyFencing(const FenceRequest& request) {
  const std::string action = request.device.operation.empty() ? "reboot" : request.device.operation;
  std::vector<FenceLevelPlan> plan;
  std::vector<std::vector<PreparedDevice>> prepared;
  std::string described;
  for (const FenceLevel& level : request.levels) {
    FenceLevelPlan& p = plan.emplace_back(FenceLevelPlan{level.index, {}, level.unusable});
    std::vector<PreparedDevice>& devices = prepared.emplace_back();
    for (const ActionRequest& device : level.devices) {
      p.devices.push_back(device.resource);
      auto path = findFenceAgent(options.fence_agent_dirs, device.type);
      devices.push_back(PreparedDevice{device.resource, path ? *path : "",
                                       path ? "" : path.error().message, device.params,
                                       rm::fenceDeviceTimeout(device)});
    }
    std::string names;
    for (const std::string& d : p.devices) names += (names.empty() ? "" : ",") + d;
    described += (described.empty() ? "" : ", ") + std::string("level ") +
                 std::to_string(level.index) + " (" + (names.empty() ? "unusable" : names) + ")";
  }
  std::string devices;
  for (const FenceLevelPlan& p : plan)
    for (const std::string& d : p.devices) devices += (devices.empty() ? "" : ",") + d;
  recordFenceStart(request, devices);
  logEvent("fencing: " + request.node + " (action=" + action +
           ") by its fencing topology: " + described);
  options.record("fencing", request.node + ": " + action + " by fencing topology: " + described);
  fence_threads.emplace_back([weak = weak_from_this(), abort = abort_fencing, plan,
                              prepared = std::move(prepared), action, node = request.node] {
    FenceOutcome outcome = fenceByLevels(
        plan, action,
        [&](std::size_t l, std::size_t d, const std::string& act) {
          const PreparedDevice& device = prepared[l][d];
          if (!device.error.empty()) return FenceOutcome{false, device.name + ": " + device.error};
          FenceOutcome o = runFenceAgent(device.path, fenceAgentInput(device.params, node, act),
                                         device.timeout, abort.get());
          o.message = device.name + ": " + o.message;
          return o;
        },
        abort.get());
    if (abort->load()) return;
    if (auto self = weak.lock()) {
      asio::post(self->io, [self, node, outcome] {
        if (!self->stopped) self->fenceDone(node, outcome);
      });
    }
  });
}

void ResourceManager::Impl::recordFenceStart(const FenceRequest& request,
                                             const std::string& devices,
                                             const std::string& delegate) {
  // Run for a DC that delegated it: that DC recorded the start, naming this node.
  if (delegated_to_me.contains(request.node)) return;
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  cib::FenceEvent event{
      .id = request.node + "-" + std::to_string(now_ms),
      .target = request.node,
      .action = request.device.operation.empty() ? "reboot" : request.device.operation,
      .state = cib::FenceEvent::State::kPending,
      .delegate = delegate.empty() ? self_name : delegate,
      // Pacemaker's names: the controller's own requests, or the command line's.
      .client = requested_fencing.contains(request.node)
                    ? "pcs"
                    : "pacemaker-controld." + std::to_string(::getpid()),
      .origin =
          requested_fencing.contains(request.node) ? requested_fencing.at(request.node) : self_name,
      .devices = devices,
      .exit_reason = "",
      .started = now_ms / 1000,
      .completed = 0,
  };
  fence_events[request.node] = event;
  // Posted: this runs inside carryOut (the fencing it is carrying out), which must not be
  // re-entered.
  asio::post(io, [weak = weak_from_this(), event] {
    auto self = weak.lock();
    if (self && !self->stopped && self->dc_active)
      self->carryOut(self->controller.recordFenceEvent(event, rm::controllerNow()));
  });
}

void ResourceManager::Impl::failOrphanedFencing(const pugi::xml_node& copy) {
  for (cib::FenceEvent event : cib::readFenceHistory(copy)) {
    if (event.state != cib::FenceEvent::State::kPending) continue;
    if (auto mine = fence_events.find(event.target);
        mine != fence_events.end() && mine->second.id == event.id)
      continue;
    // Carried out by a member for the DC that died of it: the member's result is the record.
    if (auto heard = fenced_elsewhere.find(event.target);
        heard != fenced_elsewhere.end() && heard->second.event.id == event.id) {
      carryOut(controller.recordFenceEvent(heard->second.event, rm::controllerNow()));
      continue;
    }
    event.state = cib::FenceEvent::State::kFailed;
    event.completed = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    event.exit_reason = "the node carrying it out (" + event.delegate + ") left";
    carryOut(controller.recordFenceEvent(event, rm::controllerNow()));
  }
}

void ResourceManager::Impl::fenceDone(const std::string& node, const FenceOutcome& outcome,
                                      bool heard) {
  fencing.erase(node);
  std::optional<cib::FenceEvent> completed;
  // Run here for the DC that asked: a failure goes to that DC alone, which asks the next
  // member (or tells everyone when none is left), so nobody waiting hears it as final.
  NodeId asked_by = membership::kNoNode;
  if (auto mine = delegated_to_me.find(node); mine != delegated_to_me.end()) {
    completed = mine->second;
    delegated_to_me.erase(mine);
    if (auto by = delegated_by.find(node); by != delegated_by.end()) {
      if (!outcome.ok) asked_by = by->second;
      delegated_by.erase(by);
    }
  } else if (auto pending = fence_events.find(node); pending != fence_events.end()) {
    completed = pending->second;
    fence_events.erase(pending);
  }
  if (completed) {
    if (completed->state == cib::FenceEvent::State::kPending) {
      completed->state =
          outcome.ok ? cib::FenceEvent::State::kDone : cib::FenceEvent::State::kFailed;
      completed->completed = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
      if (!outcome.ok) completed->exit_reason = outcome.message;
    }
    if (dc_active) carryOut(controller.recordFenceEvent(*completed, rm::controllerNow()));
    if (!heard && completed->delegate == self_name) shareFenceResult(*completed, outcome, asked_by);
  }
  if (!heard) ++(outcome.ok ? fencing_ok : fencing_failed);
  logEvent(std::string("fencing: ") + node + (outcome.ok ? " fenced: " : " NOT fenced: ") +
           outcome.message);
  options.record("fencing", node + (outcome.ok ? " fenced: " : " NOT fenced: ") + outcome.message);
  // The fencing alert goes out on every node once the result is in the history (alertsOnCib).
  if (asked_by != membership::kNoNode) return;
  answerFenceWaiters(node, outcome.ok ? Result<std::string>(outcome.message)
                                      : Result<std::string>(Error{outcome.message}));
  if (dc_active)
    carryOut(controller.onFenceResult(node, outcome.ok, outcome.message, rm::controllerNow()));
}

}  // namespace pulse::crmd
