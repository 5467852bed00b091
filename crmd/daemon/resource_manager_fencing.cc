// ResourceManager's fencing on the DC (resource_manager_impl.h): a fence device's agent run on
// its own thread (bounded by pcmk_reboot_timeout, aborted by stop()), or, for a node fenced by
// its own watchdog, the wait of stonith-watchdog-timeout counted from the node's loss.
// Invariants: at most one operation per target at a time; its outcome is posted to the io
// thread and goes to whichever controller is running when it ends, and to every waiting
// `pcs stonith fence`. A target with a fencing topology is fenced level by level on one thread
// (startTopologyFencing).

#include <algorithm>
#include <boost/asio/post.hpp>

#include "common/log.h"
#include "crmd/daemon/resource_manager_impl.h"

namespace pulse::crmd {
namespace asio = boost::asio;
namespace {

std::int64_t fenceTimeoutMs(const ActionRequest& device) {
  auto it = device.params.find("pcmk_reboot_timeout");
  if (it != device.params.end()) {
    try {
      const long long seconds = std::stoll(it->second);
      if (seconds > 0) return seconds * 1000;
    } catch (const std::exception&) {
    }
  }
  return std::chrono::milliseconds(kDefaultFenceTimeout).count();
}

// One device of a topology level, ready to run: its agent's path, or why it cannot run.
struct PreparedDevice {
  std::string name;
  std::string path;
  std::string error;
  std::map<std::string, std::string> params;
  std::chrono::milliseconds timeout{0};
};

}  // namespace

void ResourceManager::Impl::startFencing(const FenceRequest& request) {
  if (!fencing.insert(request.node).second) return;  // already under way
  fence_actions[request.node] =
      request.device.operation.empty() ? "reboot" : request.device.operation;
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
  const auto timeout = std::chrono::milliseconds(fenceTimeoutMs(request.device));
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
                                       std::chrono::milliseconds(fenceTimeoutMs(device))});
    }
    std::string names;
    for (const std::string& d : p.devices) names += (names.empty() ? "" : ",") + d;
    described += (described.empty() ? "" : ", ") + std::string("level ") +
                 std::to_string(level.index) + " (" + (names.empty() ? "unusable" : names) + ")";
  }
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

void ResourceManager::Impl::fenceDone(const std::string& node, const FenceOutcome& outcome) {
  fencing.erase(node);
  ++(outcome.ok ? fencing_ok : fencing_failed);
  logEvent(std::string("fencing: ") + node + (outcome.ok ? " fenced: " : " NOT fenced: ") +
           outcome.message);
  options.record("fencing", node + (outcome.ok ? " fenced: " : " NOT fenced: ") + outcome.message);
  if (auto action = fence_actions.find(node); action != fence_actions.end()) {
    alertFencing(node, action->second, outcome);
    fence_actions.erase(action);
  }
  if (auto it = fence_waiters.find(node); it != fence_waiters.end()) {
    for (auto& promise : it->second) {
      promise->set_value(outcome.ok ? Result<std::string>(outcome.message)
                                    : Result<std::string>(Error{outcome.message}));
    }
    fence_waiters.erase(it);
  }
  if (dc_active)
    carryOut(controller.onFenceResult(node, outcome.ok, outcome.message, rm::controllerNow()));
}

}  // namespace pulse::crmd
