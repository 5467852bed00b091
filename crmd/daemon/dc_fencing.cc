#include "crmd/daemon/dc_fencing.h"

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <set>
#include <thread>

#include "common/log.h"

namespace pulse::crmd {
namespace asio = boost::asio;
namespace {

using SteadyClock = std::chrono::steady_clock;

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

}  // namespace

struct DcFencing::State : std::enable_shared_from_this<State> {
  State(asio::io_context& io_context, std::vector<std::string> dirs, Done on_done)
      : io(io_context), agent_dirs(std::move(dirs)), done(std::move(on_done)) {}

  void finish(const std::string& node, const FenceOutcome& outcome) {
    if (stopped) return;
    under_way.erase(node);
    logEvent(std::string("fencing: ") + node + (outcome.ok ? " fenced: " : " NOT fenced: ") +
             outcome.message);
    if (auto it = waiters.find(node); it != waiters.end()) {
      for (auto& promise : it->second) {
        promise->set_value(outcome.ok ? Result<std::string>(outcome.message)
                                      : Result<std::string>(Error{outcome.message}));
      }
      waiters.erase(it);
    }
    done(node, outcome);
  }

  // Hands `outcome` to finish() on the io thread, unless the fencing stopped meanwhile.
  void post(const std::string& node, FenceOutcome outcome) {
    asio::post(io, [weak = weak_from_this(), node, outcome = std::move(outcome)] {
      if (auto self = weak.lock()) self->finish(node, outcome);
    });
  }

  asio::io_context& io;
  const std::vector<std::string> agent_dirs;
  const Done done;
  std::set<std::string> under_way;
  std::map<std::string, std::vector<std::shared_ptr<std::promise<Result<std::string>>>>> waiters;
  std::shared_ptr<std::atomic<bool>> abort = std::make_shared<std::atomic<bool>>(false);
  std::vector<std::thread> threads;
  bool stopped = false;
};

DcFencing::DcFencing(asio::io_context& io, std::vector<std::string> agent_dirs, Done done)
    : state_(std::make_shared<State>(io, std::move(agent_dirs), std::move(done))) {}

DcFencing::~DcFencing() {
  state_->stopped = true;
  state_->abort->store(true);
  for (std::thread& t : state_->threads) {
    if (t.joinable()) t.join();
  }
}

void DcFencing::start(const FenceRequest& request,
                      std::optional<SteadyClock::time_point> lost_at) {
  State& s = *state_;
  if (s.stopped || !s.under_way.insert(request.node).second) return;
  if (request.device.type.empty()) {
    auto wait = std::chrono::milliseconds(request.watchdog_wait_ms);
    if (lost_at) {
      wait -= std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - *lost_at);
    }
    wait = std::max(wait, std::chrono::milliseconds(0));
    logEvent("fencing: " + request.node + " is self-fenced by its watchdog; waiting " +
             std::to_string(wait.count()) + " ms (stonith-watchdog-timeout " +
             std::to_string(request.watchdog_wait_ms) + " ms after the loss)");
    auto timer = std::make_shared<asio::steady_timer>(s.io, wait);
    timer->async_wait([weak = std::weak_ptr<State>(state_), timer, node = request.node,
                       ms = request.watchdog_wait_ms](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      self->finish(node, FenceOutcome{true, "watchdog: " + node + " self-fenced within " +
                                                std::to_string(ms) + " ms"});
    });
    return;
  }
  auto path = findFenceAgent(s.agent_dirs, request.device.type);
  if (!path) {
    s.post(request.node, FenceOutcome{false, path.error().message});
    return;
  }
  const std::string action =
      request.device.operation.empty() ? "reboot" : request.device.operation;
  logEvent("fencing: " + request.node + " with " + request.device.resource + " (" + *path +
           " action=" + action + ")");
  const std::string input = fenceAgentInput(request.device.params, request.node, action);
  const auto timeout = std::chrono::milliseconds(fenceTimeoutMs(request.device));
  s.threads.emplace_back([weak = std::weak_ptr<State>(state_), abort = s.abort, path = *path,
                          input, timeout, node = request.node,
                          device = request.device.resource] {
    FenceOutcome outcome = runFenceAgent(path, input, timeout, abort.get());
    outcome.message = device + ": " + outcome.message;
    if (abort->load()) return;
    if (auto self = weak.lock()) self->post(node, std::move(outcome));
  });
}

void DcFencing::addWaiter(const std::string& node,
                          std::shared_ptr<std::promise<Result<std::string>>> promise) {
  state_->waiters[node].push_back(std::move(promise));
}

void DcFencing::stop() {
  state_->stopped = true;
  state_->abort->store(true);
  for (auto& [node, waiters] : state_->waiters) {
    for (auto& promise : waiters) promise->set_value(Error{"the cluster stopped on this node"});
  }
  state_->waiters.clear();
}

}  // namespace pulse::crmd
