// ResourceManager's public calls (resource_manager.h), each posted onto the cluster io thread,
// and the helpers its parts share (resource_manager_impl.h). Invariant: a public call touches
// Impl state only on the io thread, or through its atomics and idle_mutex.
#include "crmd/daemon/resource_manager.h"

#include <boost/asio/post.hpp>
#include <chrono>
#include <functional>
#include <thread>

#include "common/log.h"
#include "common/wall_clock.h"
#include "crmd/daemon/resource_manager_impl.h"

namespace pulse::crmd {
namespace asio = boost::asio;
namespace {

// How long a leaving node with nothing running waits for the DC to record its shutdown.
constexpr std::chrono::seconds kIdleLeaveWait{2};
// How often a leaving node asks again for its shutdown to be recorded (a DC change loses it).
constexpr std::chrono::seconds kLeaveResend{1};

}  // namespace

namespace rm {

// Both clocks at once: the wall clock (test offset hook included, common/wall_clock.h) for what
// the controller records, steady_clock for its timers.
ControllerTime controllerNow() {
  const auto steady =
      std::chrono::duration_cast<std::chrono::seconds>(SteadyClock::now().time_since_epoch());
  return ControllerTime{wallClockSeconds(), steady.count()};
}

std::string nameOf(const membership::ClusterNode& node) {
  return node.name.empty() ? node.address : node.name;
}

peer::ActionSpec toSpec(const ActionRequest& r) {
  peer::ActionSpec s;
  s.set_action_id(r.action_id);
  s.set_node(r.node);
  s.set_resource(r.resource);
  s.set_rsc_class(r.rsc_class);
  s.set_provider(r.provider);
  s.set_type(r.type);
  s.set_operation(r.operation);
  s.set_interval_ms(r.interval_ms);
  s.set_timeout_ms(r.timeout_ms);
  s.mutable_params()->insert(r.params.begin(), r.params.end());
  s.mutable_meta()->insert(r.meta.begin(), r.meta.end());
  s.set_expected_rc(r.expected_rc);
  return s;
}

ActionRequest fromSpec(const peer::ActionSpec& s) {
  ActionRequest r;
  r.action_id = s.action_id();
  r.node = s.node();
  r.resource = s.resource();
  r.rsc_class = s.rsc_class();
  r.provider = s.provider();
  r.type = s.type();
  r.operation = s.operation();
  r.interval_ms = s.interval_ms();
  r.timeout_ms = s.timeout_ms();
  r.params = {s.params().begin(), s.params().end()};
  r.meta = {s.meta().begin(), s.meta().end()};
  r.expected_rc = s.expected_rc();
  return r;
}

}  // namespace rm

ResourceManager::Impl::Impl(asio::io_context& io_context, CibService& cib_service,
                            ResourceManagerOptions opts)
    : io(io_context),
      cib(cib_service),
      options(std::move(opts)),
      tick_timer(io_context),
      local(std::make_unique<LocalExecutor>(io_context, options.executor,
                                            [this](const LocalResult& r) { onLocalResult(r); })),
      alerts(std::make_unique<AlertRunner>([](const std::string& line) { logEvent(line); })) {
  if (const auto* node = options.config.findNode(options.self)) self_name = rm::nameOf(*node);
  controller.setWatchdogMinimumMs(options.watchdog_minimum.count());
  controller.setSelfId(std::to_string(options.self));
}

ResourceManager::ResourceManager(asio::io_context& io, CibService& cib,
                                 ResourceManagerOptions options)
    : impl_(std::make_shared<Impl>(io, cib, std::move(options))) {
  cib.setListener([weak = std::weak_ptr<Impl>(impl_)](const CibEvent& event) {
    // Posted: the event is raised inside the CIB service's own processing.
    if (auto impl = weak.lock())
      asio::post(impl->io, [impl, event] {
        if (!impl->stopped) impl->onCib(event);
      });
  });
  impl_->scheduleTick();
}

ResourceManager::~ResourceManager() {
  impl_->abort_fencing->store(true);
  for (std::thread& t : impl_->fence_threads) {
    if (t.joinable()) t.join();
  }
}

void ResourceManager::onView(const membership::View& view, bool quorate,
                             const std::map<NodeId, std::uint64_t>& incarnations) {
  impl_->onView(view, quorate, incarnations);
}

void ResourceManager::deliver(const peer::PeerEnvelope& envelope) {
  asio::post(impl_->io, [impl = impl_, envelope] {
    if (impl->stopped) return;
    if (envelope.has_execute()) impl->onExecute(envelope.execute());
    if (envelope.has_report()) impl->onReport(envelope.report());
    if (envelope.has_leave() && impl->dc_active) {
      impl->carryOut(
          impl->controller.requestShutdown(envelope.leave().node(), rm::controllerNow()));
    }
    if (envelope.has_join_query()) impl->onJoinQuery(envelope.from(), envelope.join_query());
    if (envelope.has_join_answer()) impl->onJoinAnswer(envelope.from(), envelope.join_answer());
    if (envelope.has_fence_delegate())
      impl->onFenceDelegate(envelope.from(), envelope.fence_delegate());
    if (envelope.has_fence_result()) impl->onFenceResult(envelope.fence_result());
    if (envelope.has_fence_ask()) impl->onFenceAsk(envelope.from(), envelope.fence_ask());
    if (envelope.has_fence_refused()) impl->onFenceRefused(envelope.fence_refused());
  });
}

std::future<Result<std::string>> ResourceManager::fence(const std::string& node, bool off) {
  auto promise = std::make_shared<std::promise<Result<std::string>>>();
  auto future = promise->get_future();
  asio::post(impl_->io, [impl = impl_, promise, node, off] {
    if (impl->stopped) {
      promise->set_value(Error{"the cluster stopped on this node"});
      return;
    }
    if (!impl->dc_active) {
      // A member relays the request to the DC and waits for the result every member hears
      // (FenceResult), as Pacemaker's fencer waits for the operation its client started.
      if (!impl->dc || *impl->dc == impl->options.self) {
        promise->set_value(Error{"no DC is known to this node; cannot fence " + node});
        return;
      }
      impl->fence_waiters[node].push_back(promise);
      peer::PeerEnvelope envelope;
      envelope.set_from(impl->options.self);
      envelope.mutable_fence_ask()->set_target(node);
      envelope.mutable_fence_ask()->set_off(off);
      impl->options.send(*impl->dc, std::move(envelope));
      return;
    }
    std::string why;
    if (!impl->requestFencing(node, off, impl->self_name, why)) {
      promise->set_value(Error{why});
      return;
    }
    impl->fence_waiters[node].push_back(promise);
  });
  return future;
}

bool ResourceManager::stopResources(std::chrono::milliseconds wait) {
  const auto deadline = rm::SteadyClock::now() + wait;
  // Runs `on_io` on the io thread and waits for it; everything it touches is owned by the
  // handler, so a handler that runs after the wait gave up is still harmless.
  const auto run = [&](std::function<void(Impl&)> on_io) {
    auto done = std::make_shared<std::promise<void>>();
    auto future = done->get_future();
    asio::post(impl_->io, [impl = impl_, done, on_io = std::move(on_io)] {
      on_io(*impl);
      impl->countActive();
      done->set_value();
    });
    return future.wait_until(deadline) == std::future_status::ready;
  };
  // First the controlled way: the DC moves this node's resources away (and will not fence it
  // when it leaves). Without a DC, or if that takes too long, the node stops them itself.
  // A request is lost when the DC's term ends before it is recorded (its queued status changes
  // are dropped), so it is made again every kLeaveResend until the record is seen.
  auto asked_dc = std::make_shared<std::atomic<bool>>(false);
  const auto ask_dc = [asked_dc](Impl& impl) {
    if (impl.shutdown_recorded.load()) return;
    if (!impl.dc || (*impl.dc == impl.options.self && !impl.dc_active)) return;
    asked_dc->store(true);
    impl.leaving = true;
    if (*impl.dc == impl.options.self) {
      impl.carryOut(impl.controller.requestShutdown(impl.self_name, rm::controllerNow()));
      return;
    }
    peer::PeerEnvelope envelope;
    envelope.set_from(impl.options.self);
    envelope.mutable_leave()->set_node(impl.self_name);
    impl.options.send(*impl.dc, std::move(envelope));
  };
  if (!run(ask_dc)) return false;
  // Stopped, and (when the DC was asked) the DC recorded the shutdown: leaving before that
  // would look like a loss, and the node would be fenced.
  // A node with nothing running at all waits for the record at most kIdleLeaveWait: a DC that
  // is gone (it left just before) must not hold up a node that has nothing to hand over. One
  // that keeps unmanaged resources running (maintenance) waits on: fencing would kill them.
  const auto stoppedBy = [&](rm::SteadyClock::time_point until, bool need_record) {
    const auto idle_until = rm::SteadyClock::now() + kIdleLeaveWait;
    auto resend_at = rm::SteadyClock::now() + kLeaveResend;
    while (impl_->active_count.load() > 0 || (need_record && !impl_->shutdown_recorded.load())) {
      const auto now = rm::SteadyClock::now();
      if (now >= until) return false;
      if (impl_->running_count.load() == 0 && now >= idle_until) return true;
      if (need_record && now >= resend_at) {
        if (!run(ask_dc)) return false;
        resend_at = rm::SteadyClock::now() + kLeaveResend;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  };
  if (asked_dc->load() && stoppedBy(deadline - wait / 4, true)) return true;
  if (!run([](Impl& impl) {
        if (impl.local) impl.local->stopAll("the cluster is stopping on this node", impl.managed());
      })) {
    return false;
  }
  return stoppedBy(deadline, false);
}

bool ResourceManager::transitionIdleOn(const CibStamp& stamp) const {
  std::lock_guard lock(impl_->idle_mutex);
  return impl_->idle_on && *impl_->idle_on == stamp;
}

std::string ResourceManager::localCibVersion() const {
  return impl_->local_cib ? toString(impl_->local_cib->version()) : std::string("none");
}

ResourceManager::Counters ResourceManager::counters() const {
  return {impl_->transitions.load(), impl_->fencing_ok.load(), impl_->fencing_failed.load()};
}

void ResourceManager::stop() {
  impl_->stopped = true;
  impl_->local.reset();
  impl_->alerts.reset();
  impl_->tick_timer.cancel();
  impl_->abort_fencing->store(true);
  for (auto& [node, waiters] : impl_->fence_waiters) {
    for (auto& promise : waiters) promise->set_value(Error{"the cluster stopped on this node"});
  }
  impl_->fence_waiters.clear();
}

}  // namespace pulse::crmd
