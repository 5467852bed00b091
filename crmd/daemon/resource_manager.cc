#include "crmd/daemon/resource_manager.h"

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <pugixml.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "common/invariants.h"
#include "common/log.h"
#include "common/wall_clock.h"
#include "crmd/cib/cib_status.h"
#include "crmd/controller/controller.h"
#include "crmd/daemon/local_executor.h"
#include "crmd/daemon/pe_input_store.h"
#include "crmd/executor/fence_runner.h"
#include "policy-engine/cib_config.h"

namespace pulse::crmd {
namespace asio = boost::asio;
namespace {

using SteadyClock = std::chrono::steady_clock;

// The controller's action timers and write retries need no finer grain.
constexpr std::chrono::seconds kTick{1};
// How long a leaving node with nothing running waits for the DC to record its shutdown.
constexpr std::chrono::seconds kIdleLeaveWait{2};
// How often a leaving node asks again for its shutdown to be recorded (a DC change loses it).
constexpr std::chrono::seconds kLeaveResend{1};
// Results kept while no DC is known (a partition without quorum); the oldest go first.
constexpr std::size_t kMaxOutbox = 256;

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

// `confirmed` with crm_config's have-watchdog set to `value`, or nothing when it already is.
// Reads the shared copy in place and copies it (no parse) only to change it.
std::optional<std::string> withHaveWatchdog(const ParsedCib& confirmed, bool value) {
  const char* text = value ? "true" : "false";
  const pugi::xml_node current =
      confirmed.cib()
          .child("configuration")
          .child("crm_config")
          .find_child_by_attribute("cluster_property_set", "id", "cib-bootstrap-options")
          .find_child_by_attribute("nvpair", "name", "have-watchdog");
  if (current && std::string_view(current.attribute("value").value()) == text) return std::nullopt;
  pugi::xml_document doc;
  doc.reset(confirmed.doc());
  pugi::xml_node config = doc.child("cib").child("configuration");
  pugi::xml_node crm_config = config.child("crm_config");
  if (!crm_config) crm_config = config.prepend_child("crm_config");
  pugi::xml_node set =
      crm_config.find_child_by_attribute("cluster_property_set", "id", "cib-bootstrap-options");
  if (!set) {
    set = crm_config.append_child("cluster_property_set");
    set.append_attribute("id") = "cib-bootstrap-options";
  }
  pugi::xml_node nv = set.find_child_by_attribute("nvpair", "name", "have-watchdog");
  if (!nv) {
    nv = set.append_child("nvpair");
    nv.append_attribute("id") = "cib-bootstrap-options-have-watchdog";
    nv.append_attribute("name") = "have-watchdog";
    nv.append_attribute("value");
  }
  nv.attribute("value") = text;
  std::ostringstream out;
  doc.save(out, "  ");
  return out.str();
}

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

struct ResourceManager::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io_context, CibService& cib_service, ResourceManagerOptions opts)
      : io(io_context),
        cib(cib_service),
        options(std::move(opts)),
        tick_timer(io_context),
        local(std::make_unique<LocalExecutor>(io_context, options.executor,
                                              [this](const LocalResult& r) { onLocalResult(r); })) {
    if (const auto* node = options.config.findNode(options.self)) self_name = nameOf(*node);
    controller.setWatchdogMinimumMs(options.watchdog_minimum.count());
  }

  // ---- every node ------------------------------------------------------------------------

  // What this node stops by itself (leaving, quorum lost): the resources the newest CIB it
  // holds says the cluster manages; without a CIB, all of them.
  LocalExecutor::Managed managed() const {
    return [cib = local_cib](const std::string& rsc) {
      return !cib || pe::cibconf::resourceManaged(cib->cib(), rsc);
    };
  }
  static bool everything(const std::string&) { return true; }
  void countActive() {
    if (!local) return;
    active_count.store(local->activeCount(managed()));
    running_count.store(local->activeCount(everything));
  }

  void onView(const membership::View& view, bool now_quorate,
              const std::map<NodeId, std::uint64_t>& incarnations) {
    std::vector<Member> next;
    for (NodeId id : view.members) {
      const auto* node = options.config.findNode(id);
      if (!node) continue;
      auto incarnation = incarnations.find(id);
      next.push_back(
          Member{id, nameOf(*node), incarnation == incarnations.end() ? 0 : incarnation->second});
    }
    for (const Member& m : members) {
      const bool stayed =
          std::any_of(next.begin(), next.end(), [&](const Member& n) { return n.id == m.id; });
      if (!stayed) {
        lost_at[m.name] = SteadyClock::now();
        resync.erase(m.name);
      }
    }
    // The members that just came back get the DC's copy; the DC says when they hold it.
    for (const Member& n : next) {
      const bool was_in = std::any_of(members.begin(), members.end(),
                                      [&](const Member& m) { return m.id == n.id; });
      if (!was_in && n.id != options.self && !members.empty()) resync.insert(n.name);
    }
    members = std::move(next);
    const bool was_quorate = quorate;
    quorate = now_quorate && view.contains(options.self);
    if (was_quorate && !quorate) {
      const pe::NoQuorumPolicy nqp =
          local_cib ? pe::cibconf::noQuorumPolicy(local_cib->cib()) : pe::NoQuorumPolicy::Stop;
      const std::string policy = pe::cibconf::noQuorumPolicyName(nqp);
      if (nqp == pe::NoQuorumPolicy::Ignore || nqp == pe::NoQuorumPolicy::Freeze) {
        logEvent("resources: quorum lost; no-quorum-policy=" + policy + " keeps " +
                 std::to_string(local->activeCount(everything)) + " resources running");
      } else {
        logEvent("resources: quorum lost; stopping " +
                 std::to_string(local->activeCount(managed())) +
                 " resources (no-quorum-policy=" + policy + ")");
        local->stopAll("quorum lost", managed());
      }
    }
  }

  void onCib(const CibEvent& event) {
    if (event.local) local_cib = event.local;
    if (leaving && !shutdown_recorded.load()) {
      if (local_cib && cib::nodeAttribute(local_cib->cib(), std::to_string(options.self),
                                          "shutdown", cib::AttributeLifetime::kTransient)) {
        shutdown_recorded.store(true);
      }
    }
    if (event.dc != dc) {
      dc_announced = false;
      const auto* node = event.dc ? options.config.findNode(*event.dc) : nullptr;
      options.record("dc", !event.dc ? std::string("no DC in this partition")
                           : node    ? "DC is " + nameOf(*node)
                                     : "DC is node " + std::to_string(*event.dc));
    }
    dc = event.dc;
    if (event.dc_ready && event.confirmed) {
      confirmed_stamp = event.confirmed->stamp();
      // A confirmed copy is durable on every member: the nodes that came back hold it now.
      if (!resync.empty()) {
        std::string names;
        for (const std::string& n : resync) names += " " + n;
        options.record("cib", "resynchronised" + names + " to CIB version " +
                                  toString(event.confirmed->version()));
        resync.clear();
      }
      recordWatchdog(*event.confirmed);
      if (!dc_active) {
        dc_active = true;
        // Once per DC term as the membership sees it, not at every resync of the same DC.
        if (!dc_announced) {
          options.record("dc", "this node is the DC now (CIB version " +
                                   toString(event.confirmed->version()) + " on every member)");
          dc_announced = true;
        }
        session = std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32);
        dc_members = members;
        carryOut(controller.onBecameDc(event.confirmed, members, controllerNow()));
      } else {
        carryOut(controller.onCibChanged(event.confirmed, controllerNow()));
        // A DC left alone by a view change (the survivor of a two-node cluster) finishes the
        // view's CIB sync inside the view change: no event shows it not ready in between, so
        // no new term (onBecameDc) brings it the new members. Tell it here, or the lost
        // node's resources are never recovered.
        if (members != dc_members) {
          dc_members = members;
          carryOut(controller.onMembersChanged(members, controllerNow()));
        }
      }
    } else if (!event.dc_ready && dc_active) {
      dc_active = false;
      carryOut(controller.onLostDc(controllerNow()));
    }
    flushOutbox();
  }

  // The DC says whether it runs a watchdog, once per term (a configuration write, like
  // Pacemaker's controller recording have-watchdog).
  void recordWatchdog(const ParsedCib& confirmed) {
    if (watchdog_write_pending) return;
    auto xml = withHaveWatchdog(confirmed, options.watchdog_armed);
    if (!xml) return;
    watchdog_write_pending = true;
    cib.submit(CibChange{CibChange::Kind::kConfiguration, confirmed.stamp(), std::move(*xml)},
               [weak = weak_from_this()](WriteReply reply) {
                 auto self = weak.lock();
                 if (!self) return;
                 self->watchdog_write_pending = false;
                 if (reply.result) {
                   logEvent("resources: recorded have-watchdog=" +
                            std::string(self->options.watchdog_armed ? "true" : "false"));
                 }
               });
  }

  void onExecute(const peer::ExecuteAction& m) {
    const ActionRequest request = fromSpec(m.action());
    if (request.node != self_name) {
      logEvent("resources: dropped an action for " + request.node + " sent to " + self_name);
      return;
    }
    if (local) local->execute(request, m.session());
  }

  void onLocalResult(const LocalResult& r) {
    countActive();
    if (auto text = journalText(r)) options.record("action", *text);
    peer::ActionReport report;
    report.set_session(r.session);
    *report.mutable_action() = toSpec(r.request);
    report.set_rc(r.result.rc);
    report.set_exec_status(r.result.exec_status);
    report.set_exit_reason(r.result.exit_reason);
    report.set_exec_ms(r.result.exec_ms);
    report.set_monitor_change(r.monitor_change);
    outbox.push_back(std::move(report));
    if (outbox.size() > kMaxOutbox) outbox.pop_front();
    flushOutbox();
  }

  // Reports go to the DC known now; without one they wait (a stop during a quorum loss is
  // reported to the DC of the partition this node rejoins).
  void flushOutbox() {
    // A DC still synchronising would drop them (it has no controller yet).
    if (!dc || (*dc == options.self && !dc_active)) return;
    while (!outbox.empty()) {
      peer::ActionReport report = std::move(outbox.front());
      outbox.pop_front();
      if (*dc == options.self) {
        onReport(report);
      } else {
        peer::PeerEnvelope envelope;
        envelope.set_from(options.self);
        *envelope.mutable_report() = std::move(report);
        options.send(*dc, std::move(envelope));
      }
    }
  }

  // ---- the DC ------------------------------------------------------------------------------

  void onReport(const peer::ActionReport& report) {
    if (!dc_active) return;  // lost with the old DC term; the new one probes
    const ActionRequest request = fromSpec(report.action());
    const OcfResult result{report.rc(), report.exec_status(), report.exit_reason(),
                           report.exec_ms()};
    if (report.session() == session && !report.monitor_change() && request.action_id >= 0) {
      carryOut(controller.onActionResult(request.action_id, request.node, result, controllerNow()));
    } else {
      carryOut(controller.onMonitorResult(request, result, controllerNow()));
    }
  }

  void carryOut(ControllerOutput out) {
    checkAfterEvent(controller, "controller");
    for (const std::string& line : out.log) logEvent("controller: " + line);
    if (out.engine_input) {
      ++transitions;
      saveEngineInput(*out.engine_input);
    }
    for (StatusWrite& write : out.writes) {
      const std::uint64_t token = write.token;
      cib.submit(std::move(write.change), [weak = weak_from_this(), token](WriteReply reply) {
        // Posted: the reply may come from inside submit(), in the middle of this loop.
        if (auto self = weak.lock())
          asio::post(self->io, [self, token, reply = std::move(reply)] {
            if (!self->stopped && self->dc_active)
              self->carryOut(self->controller.onWriteReply(token, reply, controllerNow()));
          });
      });
    }
    for (const ActionRequest& action : out.actions) dispatch(action);
    for (const FenceRequest& request : out.fencing) startFencing(request);
    std::lock_guard lock(idle_mutex);
    idle_on =
        dc_active && controller.idle() ? std::optional<CibStamp>(confirmed_stamp) : std::nullopt;
  }

  // Pacemaker's pe-input-N: every CIB the engine decided on, to replay with pe-simulate -x.
  void saveEngineInput(const std::string& cib_xml) {
    if (!engine_inputs) {
      auto store = EngineInputStore::open(options.state_dir + "/pengine");
      if (!store) {
        logEvent("controller: cannot keep engine inputs: " + store.error().message);
        return;
      }
      engine_inputs.emplace(std::move(*store));
    }
    const std::uint64_t next = engine_inputs->nextSequence();
    auto path = engine_inputs->save(cib_xml);
    if (!path) {
      logEvent("controller: cannot save the engine input: " + path.error().message);
    } else if (engine_inputs->nextSequence() == next && !path->empty()) {
      logEvent("controller: engine input unchanged since " + *path + ": not saved again");
    } else if (!path->empty()) {
      logEvent("controller: engine input saved as " + *path);
    }
  }

  void dispatch(const ActionRequest& action) {
    if (action.node == self_name) {
      if (local) local->execute(action, session);
      return;
    }
    const auto* node = options.config.findNodeByName(action.node);
    if (node == nullptr) {
      logEvent("controller: no node named " + action.node + " for " + action.resource);
      return;
    }
    peer::PeerEnvelope envelope;
    envelope.set_from(options.self);
    envelope.mutable_execute()->set_session(session);
    *envelope.mutable_execute()->mutable_action() = toSpec(action);
    options.send(node->id, std::move(envelope));
  }

  void startFencing(const FenceRequest& request) {
    if (!fencing.insert(request.node).second) return;  // already under way
    if (request.device.type.empty()) {
      auto wait = std::chrono::milliseconds(request.watchdog_wait_ms);
      if (auto it = lost_at.find(request.node); it != lost_at.end()) {
        wait -=
            std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - it->second);
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
    const std::string action =
        request.device.operation.empty() ? "reboot" : request.device.operation;
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

  void fenceDone(const std::string& node, const FenceOutcome& outcome) {
    fencing.erase(node);
    ++(outcome.ok ? fencing_ok : fencing_failed);
    logEvent(std::string("fencing: ") + node + (outcome.ok ? " fenced: " : " NOT fenced: ") +
             outcome.message);
    options.record("fencing",
                   node + (outcome.ok ? " fenced: " : " NOT fenced: ") + outcome.message);
    if (auto it = fence_waiters.find(node); it != fence_waiters.end()) {
      for (auto& promise : it->second) {
        promise->set_value(outcome.ok ? Result<std::string>(outcome.message)
                                      : Result<std::string>(Error{outcome.message}));
      }
      fence_waiters.erase(it);
    }
    if (dc_active)
      carryOut(controller.onFenceResult(node, outcome.ok, outcome.message, controllerNow()));
  }

  void scheduleTick() {
    tick_timer.expires_after(kTick);
    tick_timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->stopped) return;
      if (self->dc_active) self->carryOut(self->controller.onTick(controllerNow()));
      self->flushOutbox();
      self->scheduleTick();
    });
  }

  asio::io_context& io;
  CibService& cib;
  ResourceManagerOptions options;
  std::string self_name;
  asio::steady_timer tick_timer;
  std::unique_ptr<LocalExecutor> local;                                         // reset by stop()
  std::atomic<std::uint64_t> transitions{0}, fencing_ok{0}, fencing_failed{0};  // counters()
  std::atomic<std::size_t> active_count{0};   // active resources the cluster manages
  std::atomic<std::size_t> running_count{0};  // all active ones, unmanaged too
  Controller controller;
  bool dc_active = false;
  std::uint64_t session = 0;
  bool watchdog_write_pending = false;
  bool leaving = false;                           // this node asked the DC to let it leave
  std::atomic<bool> shutdown_recorded{false};     // ...and its shutdown attribute is in the CIB
  std::optional<EngineInputStore> engine_inputs;  // opened at the first schedule
  std::optional<NodeId> dc;
  std::vector<Member> members;
  std::vector<Member> dc_members;  // the members the controller last heard of, while DC
  bool quorate = false;
  CibRef local_cib;  // this node's newest copy (shared, parsed once by the CIB service)
  std::map<std::string, SteadyClock::time_point> lost_at;  // node name -> when it left the view
  std::set<std::string> resync;  // members back in the view that the DC has not confirmed yet
  bool dc_announced = false;     // "this node is the DC now" recorded since `dc` last changed
  std::deque<peer::ActionReport> outbox;
  std::set<std::string> fencing;  // targets with a fencing operation under way
  std::map<std::string, std::vector<std::shared_ptr<std::promise<Result<std::string>>>>>
      fence_waiters;
  std::shared_ptr<std::atomic<bool>> abort_fencing = std::make_shared<std::atomic<bool>>(false);
  std::vector<std::thread> fence_threads;
  CibStamp confirmed_stamp{};  // the newest confirmed CIB the controller was given
  mutable std::mutex idle_mutex;
  std::optional<CibStamp> idle_on;  // guarded by idle_mutex
  bool stopped = false;
};

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
      impl->carryOut(impl->controller.requestShutdown(envelope.leave().node(), controllerNow()));
    }
  });
}

std::future<Result<std::string>> ResourceManager::fence(const std::string& node, bool off) {
  auto promise = std::make_shared<std::promise<Result<std::string>>>();
  auto future = promise->get_future();
  asio::post(impl_->io, [impl = impl_, promise, node, off] {
    if (impl->stopped || !impl->dc_active) {
      promise->set_value(Error{"this node is not the DC; ask the DC to fence " + node});
      return;
    }
    ControllerOutput out = impl->controller.requestFence(node, off, controllerNow());
    if (out.fencing.empty()) {
      std::string why = out.log.empty() ? "no fence device can fence " + node : out.log.back();
      promise->set_value(Error{why});
      impl->carryOut(std::move(out));
      return;
    }
    impl->fence_waiters[node].push_back(promise);
    impl->carryOut(std::move(out));
  });
  return future;
}

bool ResourceManager::stopResources(std::chrono::milliseconds wait) {
  const auto deadline = SteadyClock::now() + wait;
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
      impl.carryOut(impl.controller.requestShutdown(impl.self_name, controllerNow()));
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
  const auto stoppedBy = [&](SteadyClock::time_point until, bool need_record) {
    const auto idle_until = SteadyClock::now() + kIdleLeaveWait;
    auto resend_at = SteadyClock::now() + kLeaveResend;
    while (impl_->active_count.load() > 0 || (need_record && !impl_->shutdown_recorded.load())) {
      const auto now = SteadyClock::now();
      if (now >= until) return false;
      if (impl_->running_count.load() == 0 && now >= idle_until) return true;
      if (need_record && now >= resend_at) {
        if (!run(ask_dc)) return false;
        resend_at = SteadyClock::now() + kLeaveResend;
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
  impl_->tick_timer.cancel();
  impl_->abort_fencing->store(true);
  for (auto& [node, waiters] : impl_->fence_waiters) {
    for (auto& promise : waiters) promise->set_value(Error{"the cluster stopped on this node"});
  }
  impl_->fence_waiters.clear();
}

}  // namespace pulse::crmd
