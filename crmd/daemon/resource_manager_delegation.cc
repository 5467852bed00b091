// Fencing across nodes (resource_manager_impl.h), Pacemaker's fencer rules in Pulse's shape:
//  * A node never fences itself with a device, nor runs one a location constraint of
//    -INFINITY keeps off it. When the DC is the target (`pcs stonith fence` of the DC, a failed
//    stop on the DC) or may not run the devices, it records the operation pending, naming a
//    member as its delegate, and sends that member the devices (FenceDelegate). When that
//    member cannot carry it out (its agent missing, the device failing there, no result in
//    time, it left), the next member that may is asked (FenceDelegation), as Pacemaker's fencer
//    moves to the next capable peer; a member's failure goes to the DC alone until none is
//    left. With no member that may (any more), the operation fails with the reason in the
//    history. The watchdog wait is not delegated: it runs on a survivor anyway, the target
//    being a node that left.
//  * Whoever runs an operation sends its completed history entry to every other member
//    (FenceResult). The DC that asked records it; a member that asked for `pcs stonith fence`
//    answers its caller; every node keeps a success until the target is back in the view.
//  * A DC fenced on request dies of it before it can record anything. The DC elected after it
//    finds the operation pending and the node lost: it records the member's result for both,
//    and the node as fenced, instead of fencing it a second time (Pacemaker's controller keeps
//    the fencing it heard of as a non-DC for its next DC term, the same way).
// Everything here runs on the io thread.

#include <algorithm>
#include <boost/asio/post.hpp>

#include "common/log.h"
#include "crmd/controller/fence_delegation.h"
#include "crmd/daemon/resource_manager_impl.h"

namespace pulse::crmd {
namespace asio = boost::asio;
namespace {

// A success is taken for a later request only when the target left the view no later than
// this after it was heard (a node that stayed up much longer was not fenced by it).
constexpr auto kFencedLeaveWindow = std::chrono::seconds(60);
// How long the DC waits for a delegated operation's result beyond the agents' own timeouts.
constexpr auto kDelegateSlack = std::chrono::seconds(30);

// The longest a request's devices may take, level after level.
std::chrono::milliseconds requestTimeout(const FenceRequest& request) {
  if (request.levels.empty()) return rm::fenceDeviceTimeout(request.device);
  std::chrono::milliseconds total{0};
  for (const FenceLevel& level : request.levels)
    for (const ActionRequest& device : level.devices) total += rm::fenceDeviceTimeout(device);
  return total;
}

std::string devicesOf(const FenceRequest& request) {
  if (request.levels.empty()) return request.device.resource;
  std::string out;
  for (const FenceLevel& level : request.levels)
    for (const ActionRequest& device : level.devices)
      out += (out.empty() ? "" : ",") + device.resource;
  return out;
}

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

peer::FenceEventSpec toSpec(const cib::FenceEvent& e) {
  peer::FenceEventSpec s;
  s.set_id(e.id);
  s.set_target(e.target);
  s.set_action(e.action);
  s.set_state(static_cast<int>(e.state));
  s.set_delegate(e.delegate);
  s.set_client(e.client);
  s.set_origin(e.origin);
  s.set_devices(e.devices);
  s.set_exit_reason(e.exit_reason);
  s.set_started(e.started);
  s.set_completed(e.completed);
  return s;
}

cib::FenceEvent fromSpec(const peer::FenceEventSpec& s) {
  const int state = std::clamp(s.state(), 0, 2);
  return cib::FenceEvent{.id = s.id(),
                         .target = s.target(),
                         .action = s.action(),
                         .state = static_cast<cib::FenceEvent::State>(state),
                         .delegate = s.delegate(),
                         .client = s.client(),
                         .origin = s.origin(),
                         .devices = s.devices(),
                         .exit_reason = s.exit_reason(),
                         .started = s.started(),
                         .completed = s.completed()};
}

}  // namespace

bool ResourceManager::Impl::requestFencing(const std::string& node, bool off,
                                           const std::string& origin, std::string& why) {
  ControllerOutput out = controller.requestFence(node, off, rm::controllerNow());
  if (out.fencing.empty()) {
    why = out.log.empty() ? "no fence device can fence " + node : out.log.back();
    carryOut(std::move(out));
    return false;
  }
  requested_fencing[node] = origin;  // its history entry names pcs and the node it ran on
  carryOut(std::move(out));
  requested_fencing.erase(node);
  return true;
}

bool ResourceManager::Impl::mustDelegate(const FenceRequest& request) const {
  if (request.watchdog_wait_ms > 0 || (request.levels.empty() && request.device.type.empty()))
    return false;
  return request.node == self_name ||
         (local_cib && !mayRunFenceDevices(local_cib->cib(), request, self_name));
}

void ResourceManager::Impl::delegateFencing(const FenceRequest& request) {
  delegated.insert_or_assign(request.node, Delegated{FenceDelegation(self_name, request), nullptr});
  delegateNext(request.node);
}

void ResourceManager::Impl::delegateNext(const std::string& target) {
  auto it = delegated.find(target);
  if (it == delegated.end()) return;
  Delegated& d = it->second;
  if (d.deadline) d.deadline->cancel();
  const FenceRequest request = d.delegation.request();
  const bool first = d.delegation.tried().empty();
  pugi::xml_node cib_root;
  if (local_cib) cib_root = local_cib->cib();
  const std::optional<Member> executor =
      d.delegation.next(members, local_cib ? &cib_root : nullptr);
  if (!executor) {
    const std::string why = d.delegation.failure();
    delegated.erase(it);
    if (first) recordFenceStart(request, devicesOf(request));
    // Posted: the first choice runs inside carryOut (the fencing it is carrying out), which
    // must not be re-entered. After a member failed, the pending entry names it; the members
    // waiting for the result hear the failure from this node (a member's own failure went
    // only to this node, which was still looking for another).
    asio::post(io, [weak = weak_from_this(), target, why, first] {
      auto self = weak.lock();
      if (!self || self->stopped) return;
      self->fenceDone(target, FenceOutcome{false, why}, /*heard=*/!first);
      if (first) return;
      for (const Member& m : self->members) {
        if (m.id == self->options.self) continue;
        peer::PeerEnvelope envelope;
        envelope.set_from(self->options.self);
        envelope.mutable_fence_refused()->set_target(target);
        envelope.mutable_fence_refused()->set_reason(why);
        self->options.send(m.id, std::move(envelope));
      }
    });
    return;
  }
  const std::string name = executor->name;
  if (first) {
    recordFenceStart(request, devicesOf(request), name);
  } else {
    // The same operation (its history entry's id), now carried out by the next member.
    cib::FenceEvent& pending = fence_events[target];
    pending.delegate = name;
    asio::post(io, [weak = weak_from_this(), event = pending] {
      auto self = weak.lock();
      if (self && !self->stopped && self->dc_active)
        self->carryOut(self->controller.recordFenceEvent(event, rm::controllerNow()));
    });
  }
  const cib::FenceEvent& event = fence_events[target];
  const std::string why = target == self_name ? "a node does not fence itself with a device"
                                              : self_name + " may not run " + devicesOf(request);
  logEvent("fencing: " + target + ": " + name + " carries it out with " + devicesOf(request) +
           " (" + why + (first ? "" : "; the members asked before could not") + ")");
  options.record("fencing", target + ": delegated to " + name + " (" + why + ")");
  peer::PeerEnvelope envelope;
  envelope.set_from(options.self);
  peer::FenceDelegate* m = envelope.mutable_fence_delegate();
  *m->mutable_event() = toSpec(event);
  m->set_target_id(request.node_id);
  *m->mutable_device() = rm::toSpec(request.device);
  for (const FenceLevel& level : request.levels) {
    peer::FenceLevelSpec* l = m->add_levels();
    l->set_index(level.index);
    l->set_unusable(level.unusable);
    for (const ActionRequest& device : level.devices) *l->add_devices() = rm::toSpec(device);
  }
  options.send(executor->id, std::move(envelope));
  auto timer = std::make_shared<asio::steady_timer>(io, requestTimeout(request) + kDelegateSlack);
  d.deadline = timer;
  timer->async_wait([weak = weak_from_this(), target, name](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->stopped) return;
    self->delegateFailed(target, name, "did not report the result in time");
  });
}

void ResourceManager::Impl::delegateFailed(const std::string& target, const std::string& executor,
                                           const std::string& why) {
  auto it = delegated.find(target);
  if (it == delegated.end() || it->second.delegation.executor() != executor) return;
  logEvent("fencing: " + target + ": " + executor + " could not carry it out: " + why);
  it->second.delegation.failed(why);
  delegateNext(target);
}

bool ResourceManager::Impl::adoptFencedElsewhere(const FenceRequest& request) {
  auto heard = fenced_elsewhere.find(request.node);
  if (heard == fenced_elsewhere.end()) return false;
  const bool member = std::any_of(members.begin(), members.end(),
                                  [&](const Member& m) { return m.name == request.node; });
  auto left = lost_at.find(request.node);
  if (member || left == lost_at.end() || left->second > heard->second.heard + kFencedLeaveWindow)
    return false;
  FencedElsewhere found = std::move(heard->second);
  fenced_elsewhere.erase(heard);
  fence_events[request.node] = found.event;
  const std::string message = "already fenced by " + found.event.delegate + ": " + found.message;
  logEvent("fencing: " + request.node + " was " + message + "; not fencing it again");
  asio::post(io, [weak = weak_from_this(), node = request.node, message] {
    if (auto self = weak.lock(); self && !self->stopped)
      self->fenceDone(node, FenceOutcome{true, message}, /*heard=*/true);
  });
  return true;
}

void ResourceManager::Impl::shareFenceResult(const cib::FenceEvent& event,
                                             const FenceOutcome& outcome, NodeId only) {
  if (outcome.ok)
    fenced_elsewhere[event.target] =
        FencedElsewhere{event, outcome.message, rm::SteadyClock::now()};
  for (const Member& m : members) {
    if (m.id == options.self || (only != membership::kNoNode && m.id != only)) continue;
    peer::PeerEnvelope envelope;
    envelope.set_from(options.self);
    peer::FenceResult* r = envelope.mutable_fence_result();
    *r->mutable_event() = toSpec(event);
    r->set_ok(outcome.ok);
    r->set_message(outcome.message);
    options.send(m.id, std::move(envelope));
  }
}

void ResourceManager::Impl::fencingOnView(const std::vector<Member>& before,
                                          const std::vector<Member>& after) {
  const auto in = [](const std::vector<Member>& list, const std::string& name) {
    return std::any_of(list.begin(), list.end(), [&](const Member& m) { return m.name == name; });
  };
  for (const Member& m : after)
    if (!in(before, m.name)) fenced_elsewhere.erase(m.name);
  for (const auto& [target, d] : delegated) {
    if (in(after, d.delegation.executor())) continue;
    // Posted: the view is still being taken in.
    asio::post(io, [weak = weak_from_this(), target, executor = d.delegation.executor()] {
      if (auto self = weak.lock(); self && !self->stopped)
        self->delegateFailed(target, executor, "left before reporting");
    });
  }
}

void ResourceManager::Impl::onFenceDelegate(NodeId from, const peer::FenceDelegate& m) {
  cib::FenceEvent event = fromSpec(m.event());
  const auto* asker = options.config.findNode(from);
  const std::string dc_name = asker ? rm::nameOf(*asker) : std::to_string(from);
  event.delegate = self_name;
  const auto refuse = [&](const std::string& why) {
    logEvent("fencing: refused to fence " + event.target + " for " + dc_name + ": " + why);
    event.state = cib::FenceEvent::State::kFailed;
    event.completed = nowSeconds();
    event.exit_reason = why;
    // To the DC only: it asks another member, or tells every member when none is left.
    shareFenceResult(event, FenceOutcome{false, why}, from);
  };
  if (event.target.empty() || event.target == self_name) {
    refuse("a node does not fence itself with a device");
    return;
  }
  if (fencing.contains(event.target) || delegated_to_me.contains(event.target)) {
    refuse(event.target + " is already being fenced by " + self_name);
    return;
  }
  FenceRequest request{.node = event.target,
                       .node_id = m.target_id(),
                       .device = rm::fromSpec(m.device()),
                       .watchdog_wait_ms = 0,
                       .levels = {}};
  for (const peer::FenceLevelSpec& l : m.levels()) {
    FenceLevel level{.index = l.index(), .devices = {}, .unusable = l.unusable()};
    for (const peer::ActionSpec& d : l.devices()) level.devices.push_back(rm::fromSpec(d));
    request.levels.push_back(std::move(level));
  }
  if (request.levels.empty() && request.device.type.empty()) {
    refuse("the request names no fence device");
    return;
  }
  logEvent("fencing: " + event.target + " on behalf of " + dc_name + " (it is the target)");
  delegated_to_me[event.target] = event;
  delegated_by[event.target] = from;
  startFencing(request);
}

void ResourceManager::Impl::onFenceResult(const peer::FenceResult& m) {
  const cib::FenceEvent event = fromSpec(m.event());
  const std::string& target = event.target;
  if (target.empty()) return;
  const FenceOutcome outcome{m.ok(), m.message()};
  if (auto d = delegated.find(target);
      d != delegated.end() && d->second.delegation.executor() == event.delegate) {
    // This DC's own request, carried out by the member: a failure sends it to the next member
    // (a success reaches it only when the target was not this node itself).
    if (!m.ok()) {
      delegateFailed(target, event.delegate, m.message());
      return;
    }
    if (d->second.deadline) d->second.deadline->cancel();
    delegated.erase(d);
    fence_events[target] = event;
    fenceDone(target, outcome, /*heard=*/true);
    return;
  }
  logEvent("fencing: " + event.delegate + " reports " + target +
           (m.ok() ? " fenced: " : " NOT fenced: ") + m.message());
  if (m.ok())
    fenced_elsewhere[target] = FencedElsewhere{event, m.message(), rm::SteadyClock::now()};
  // A DC that did not ask (the one that asked is gone) keeps the record.
  if (dc_active) carryOut(controller.recordFenceEvent(event, rm::controllerNow()));
  // The callers of `pcs stonith fence` waiting here for an operation this node is not running.
  if (!fencing.contains(target))
    answerFenceWaiters(target, m.ok() ? Result<std::string>(m.message())
                                      : Result<std::string>(Error{m.message()}));
}

void ResourceManager::Impl::onFenceAsk(NodeId from, const peer::FenceAsk& m) {
  const auto* asker = options.config.findNode(from);
  if (!asker) return;
  std::string why;
  if (!dc_active) {
    why = self_name + " is not the DC";
  } else if (m.target().empty()) {
    why = "no node to fence";
  } else if (requestFencing(m.target(), m.off(), rm::nameOf(*asker), why)) {
    logEvent("fencing: " + m.target() + " on request from " + rm::nameOf(*asker));
    return;
  }
  peer::PeerEnvelope envelope;
  envelope.set_from(options.self);
  envelope.mutable_fence_refused()->set_target(m.target());
  envelope.mutable_fence_refused()->set_reason(why);
  options.send(from, std::move(envelope));
}

void ResourceManager::Impl::onFenceRefused(const peer::FenceRefused& m) {
  if (dc_active || fencing.contains(m.target())) return;
  answerFenceWaiters(m.target(), Error{m.reason()});
}

void ResourceManager::Impl::answerFenceWaiters(const std::string& node,
                                               const Result<std::string>& answer) {
  auto it = fence_waiters.find(node);
  if (it == fence_waiters.end()) return;
  for (auto& promise : it->second) promise->set_value(answer);
  fence_waiters.erase(it);
}

}  // namespace pulse::crmd
