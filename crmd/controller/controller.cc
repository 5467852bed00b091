// The DC's controller (controller.h): its events (becoming DC, CIB and membership changes,
// results, ticks, shutdown requests) and the loop each one ends in, step(): flush the queued
// status changes, dispatch the ready actions, probe, run the engine, fence. How a status change
// becomes a CIB write is controller_status_writes.cc's; fencing is controller_fencing.cc's.
// Invariant: the engine runs only on a CIB with no status change queued or in flight, no probe
// outstanding, no join answer awaited and no fencing awaited, so a transition is never built on
// a view about to change.
#include "crmd/controller/controller.h"

#include <algorithm>
#include <pugixml.hpp>
#include <string_view>
#include <utility>

#include "crmd/cib/cib_version.h"
#include "crmd/controller/controller_xml.h"
#include "policy-engine/policy_engine.h"
#include "policy-engine/xml_dates.h"

namespace pulse::crmd {
namespace {
using namespace ctlxml;

// Pacemaker's defaults: OCF_ERR_GENERIC and PCMK_EXEC_TIMEOUT for an action that never reported.
constexpr int kOcfUnknownError = 1;
constexpr int kExecTimeout = 2;

// cluster-recheck-interval in seconds (a Pacemaker duration; bare numbers are seconds).
WallSeconds recheckSeconds(const pugi::xml_node& cib) {
  const std::string value = clusterOption(cib, "cluster-recheck-interval", "");
  if (value.empty()) return Controller::kDefaultRecheckSeconds;
  const std::optional<std::int64_t> ms = pe::parseDurationMs(value);
  return ms && *ms >= 0 ? *ms / 1000 : Controller::kDefaultRecheckSeconds;
}

// Members the engine's view shows unclean, each with why: the resources that failed there.
std::map<std::string, std::string> failedMembers(const pe::ClusterView& view,
                                                 const std::vector<Member>& members) {
  std::map<std::string, std::string> out;
  for (const pe::NodeView& n : view.nodes) {
    if (!n.unclean || std::none_of(members.begin(), members.end(),
                                   [&](const Member& m) { return m.name == n.name; }))
      continue;
    std::string failed;
    const auto visit = [&](const auto& self, const std::vector<pe::ResourceView>& list) -> void {
      for (const pe::ResourceView& r : list) {
        self(self, r.members);
        if (r.failed && std::find(r.nodes.begin(), r.nodes.end(), n.name) != r.nodes.end())
          failed += (failed.empty() ? "" : ", ") + r.id;
      }
    };
    visit(visit, view.resources);
    out[n.name] = failed.empty() ? "a failure there calls for fencing" : failed + " failed there";
  }
  return out;
}

}  // namespace

ControllerOutput Controller::onBecameDc(CibRef cib, std::vector<Member> members,
                                        ControllerTime now) {
  if (!cib) {
    ControllerOutput refused;
    refused.log.push_back("cannot become DC without a usable CIB");
    return refused;
  }
  const std::int64_t watchdog_minimum_ms = watchdog_minimum_ms_;
  std::string self_id = std::move(self_id_);
  *this = Controller{};
  watchdog_minimum_ms_ = watchdog_minimum_ms;
  self_id_ = std::move(self_id);
  dc_ = true;
  now_ = now;
  cib_ = std::move(cib);
  stamp_ = cib_->stamp();
  members_ = std::move(members);
  ControllerOutput out;
  out.log.push_back("became DC on CIB " + toString(stamp_) + " with " +
                    std::to_string(members_.size()) + " members");
  queued_.push_back(Change{.members = members_});
  for (const Member& m : members_) queryJoin(m.name, out);
  reprobePending(out);
  step(out);
  return out;
}

void Controller::reprobePending(ControllerOutput& out) {
  for (const Member& m : members_) {
    const pugi::xml_node lrm = cib_->cib()
                                   .child("status")
                                   .find_child_by_attribute("node_state", "id", nodeIdOf(m).c_str())
                                   .child("lrm")
                                   .child("lrm_resources");
    for (const pugi::xml_node rsc : lrm.children("lrm_resource")) {
      const pugi::xml_node op = rsc.find_child([](const pugi::xml_node& o) {
        return o.attribute("op-status").as_int(0) == cib::kExecPending;
      });
      if (!op) continue;
      out.log.push_back(std::string(rsc.attribute("id").value()) + " has " +
                        op.attribute("operation").value() + " pending on " + m.name +
                        " from an earlier DC: probing it again");
      reprobe_[m.name].insert(rsc.attribute("id").value());
    }
  }
}

void Controller::queryJoin(const std::string& node, ControllerOutput& out) {
  joining_[node] = now_.monotonic + kJoinWaitSeconds;
  out.join_queries.push_back(node);
}

ControllerOutput Controller::onJoinAnswer(const std::string& node,
                                          const std::vector<std::string>& resources,
                                          ControllerTime now) {
  ControllerOutput out;
  if (!dc_ || joining_.erase(node) == 0) return out;
  now_ = now;
  if (!resources.empty()) {
    std::string names;
    for (const std::string& r : resources) names += " " + r;
    out.log.push_back(node +
                      " joined; probing again what it acted on since its last join:" + names);
    reprobe_[node].insert(resources.begin(), resources.end());
  }
  step(out);
  return out;
}

ControllerOutput Controller::onLostDc(ControllerTime now) {
  ControllerOutput out;
  if (!dc_) return out;
  out.log.push_back("no longer DC: dropping " + std::to_string(dispatched_.size()) +
                    " awaited results and " + std::to_string(queued_.size()) +
                    " queued status changes");
  const std::int64_t watchdog_minimum_ms = watchdog_minimum_ms_;
  std::string self_id = std::move(self_id_);
  *this = Controller{};
  watchdog_minimum_ms_ = watchdog_minimum_ms;
  self_id_ = std::move(self_id);
  now_ = now;
  return out;
}

ControllerOutput Controller::onCibChanged(CibRef cib, ControllerTime now) {
  ControllerOutput out;
  if (!dc_ || !cib || cib->stamp() <= stamp_) return out;  // not ours to act on, or old news
  now_ = now;
  cib_ = std::move(cib);
  stamp_ = cib_->stamp();
  const CibStamp stamp = stamp_;
  const std::string print = fingerprint(cib_->cib());
  if (in_flight_ && print == in_flight_->fingerprint) {
    in_flight_->seen = true;
  } else if (print != last_committed_fingerprint_) {
    // Someone else wrote (a configuration edit, a cleanup): the graph may be stale.
    if (in_flight_ && in_flight_->acknowledged && stamp.version >= in_flight_->acknowledged_version)
      in_flight_->seen = true;  // ours was confirmed and already superseded
    out.log.push_back("CIB changed to " + toString(stamp) + " by another writer");
    abortTransition("CIB changed", out);
  }
  if (in_flight_ && in_flight_->acknowledged && in_flight_->seen) commit(*in_flight_, out);
  step(out);
  return out;
}

ControllerOutput Controller::onMembersChanged(std::vector<Member> members, ControllerTime now) {
  ControllerOutput out;
  if (!dc_) return out;
  now_ = now;
  for (const Member& m : members)
    if (std::none_of(members_.begin(), members_.end(),
                     [&](const Member& old) { return old.name == m.name; }))
      queryJoin(m.name, out);
  members_ = std::move(members);
  for (auto it = joining_.begin(); it != joining_.end();) {
    const bool member = std::any_of(members_.begin(), members_.end(),
                                    [&](const Member& m) { return m.name == it->first; });
    if (member) {
      ++it;
      continue;
    }
    it = joining_.erase(it);
  }
  std::erase_if(reprobe_, [&](const auto& entry) {
    return std::none_of(members_.begin(), members_.end(),
                        [&](const Member& m) { return m.name == entry.first; });
  });
  out.log.push_back("membership changed: " + std::to_string(members_.size()) + " members");
  Change refresh{.members = members_};
  for (auto it = fenced_members_.begin(); it != fenced_members_.end();) {
    // Still the run that was fenced (a run back with another incarnation left in between).
    const bool still = std::any_of(members_.begin(), members_.end(), [&](const Member& m) {
      return nodeIdOf(m) == it->first && m.incarnation == it->second;
    });
    if (still) {
      ++it;
      continue;
    }
    refresh.fenced_left.insert(it->first);
    it = fenced_members_.erase(it);
  }
  queued_.push_back(std::move(refresh));
  abortTransition("membership changed", out);
  // Results from nodes that left will never arrive: count their actions as failed now.
  for (auto it = dispatched_.begin(); it != dispatched_.end();) {
    const bool gone = std::none_of(members_.begin(), members_.end(), [&](const Member& m) {
      return m.name == it->second.request.node;
    });
    if (!gone) {
      ++it;
      continue;
    }
    out.log.push_back(std::string(it->second.in_runner ? "action " : "probe ") +
                      it->second.action.key + " on " + it->second.request.node +
                      " lost: the node left");
    if (runner_ && it->second.in_runner) (void)runner_->complete(it->first, false, "node left");
    it = dispatched_.erase(it);
  }
  step(out);
  return out;
}

ControllerOutput Controller::onActionResult(int action_id, const std::string& node,
                                            const OcfResult& result, ControllerTime now) {
  ControllerOutput out;
  if (!dc_) return out;
  now_ = now;
  auto it = dispatched_.find(action_id);
  if (it == dispatched_.end() || it->second.request.node != node) {
    out.log.push_back("ignoring result rc=" + std::to_string(result.rc) + " of unknown action " +
                      std::to_string(action_id) + " from " + node);
    return out;
  }
  Dispatched d = std::move(it->second);
  dispatched_.erase(it);
  recordResult(std::move(d), result, out);
  step(out);
  return out;
}

ControllerOutput Controller::onTick(ControllerTime now) {
  ControllerOutput out;
  if (!dc_) return out;
  now_ = now;
  // Pacemaker's action timer: a result that has not come within the action's timeout plus
  // cluster-delay is recorded as timed out (the node's executor is gone or wedged).
  for (auto it = dispatched_.begin(); it != dispatched_.end();) {
    if (now.monotonic <= it->second.deadline) {
      ++it;
      continue;
    }
    Dispatched d = std::move(it->second);
    it = dispatched_.erase(it);
    out.log.push_back("action timer expired for " + d.action.key + " on " + d.request.node);
    recordResult(std::move(d),
                 OcfResult{.rc = kOcfUnknownError,
                           .exec_status = kExecTimeout,
                           .exit_reason = "no result within the action's timeout + cluster-delay",
                           .exec_ms = 0},
                 out);
  }
  // A member that never answers its join (an earlier release, a lost message): every resource
  // is probed on it again, which tells the same.
  for (auto it = joining_.begin(); it != joining_.end();) {
    if (now.monotonic <= it->second) {
      ++it;
      continue;
    }
    out.log.push_back("no join answer from " + it->first + " within " +
                      std::to_string(kJoinWaitSeconds) + " s: probing all its resources again");
    cib_->cib().child("configuration").child("resources").find_node([&](const pugi::xml_node& n) {
      if (std::string_view(n.name()) == "primitive")
        reprobe_[it->first].insert(n.attribute("id").value());
      return false;
    });
    it = joining_.erase(it);
  }
  flushWrites(out, /*retry_now=*/true);
  fence(out, /*tick=*/true);
  if (!runner_ && scheduled_on_ == stamp_ && recheck_seconds_ > 0 &&
      now.monotonic >= last_engine_run_ + recheck_seconds_) {
    out.log.push_back("cluster-recheck-interval passed: running the engine again");
    scheduled_on_.reset();
  }
  step(out);
  return out;
}

ControllerOutput Controller::requestShutdown(const std::string& node, ControllerTime now) {
  ControllerOutput out;
  if (!dc_) return out;
  now_ = now;
  auto member = std::find_if(members_.begin(), members_.end(),
                             [&](const Member& m) { return m.name == node; });
  if (member == members_.end()) {
    out.log.push_back("ignoring the shutdown of " + node + ": not a member");
    return out;
  }
  // A leaving node asks again until it sees its shutdown recorded: a repeat changes nothing
  // (it must not abort the transition that is moving the node's resources away).
  const std::string id = nodeIdOf(*member);
  const bool recorded =
      cib::nodeAttribute(cib_->cib(), id, "shutdown", cib::AttributeLifetime::kTransient)
          .has_value();
  const bool queued =
      std::any_of(queued_.begin(), queued_.end(),
                  [&](const Change& c) { return c.shutdown_node_id == id; }) ||
      (in_flight_ && std::any_of(in_flight_->changes.begin(), in_flight_->changes.end(),
                                 [&](const Change& c) { return c.shutdown_node_id == id; }));
  if (recorded || queued) return out;
  out.log.push_back(node + " is shutting down: moving its resources away");
  queued_.push_back(Change{.shutdown_node_id = id});
  abortTransition(node + " is shutting down", out);
  step(out);
  return out;
}

bool Controller::idle() const {
  const bool fencing = std::any_of(fencing_.begin(), fencing_.end(), [](const auto& f) {
    return f.second.state != Fencing::State::kNoMeans;
  });
  return !runner_ && queued_.empty() && !in_flight_ && dispatched_.empty() && !fencing &&
         joining_.empty() && reprobe_.empty() && scheduled_on_ == stamp_;
}

void Controller::step(ControllerOutput& out) {
  flushWrites(out, /*retry_now=*/false);
  if (runner_) dispatch(out);
  if (runner_ && runner_->finished()) {
    out.log.push_back(
        "transition " + std::to_string(transition_count_) +
        (runner_->aborted() ? " aborted (" + runner_->abortReason() + ")" : " complete") + ": " +
        std::to_string(runner_->completed()) + " actions done");
    runner_.reset();
  }
  probe(out);
  maybeSchedule(out);
  // After scheduling: a new transition may ask for fencing (graph_fencing_).
  fence(out, /*tick=*/false);
  // The pending entries of the actions just handed out go now, not with the next event (which
  // may well be their results).
  flushWrites(out, /*retry_now=*/false);
}

void Controller::abortTransition(const std::string& reason, ControllerOutput& out) {
  if (!runner_ || runner_->aborted()) return;
  out.log.push_back("aborting transition " + std::to_string(transition_count_) + ": " + reason);
  runner_->abort(reason);
}

void Controller::maybeSchedule(ControllerOutput& out) {
  if (!dc_ || runner_ || in_flight_ || !queued_.empty() || scheduled_on_ == stamp_) return;
  const bool probing = std::any_of(dispatched_.begin(), dispatched_.end(),
                                   [](const auto& d) { return !d.second.in_runner; });
  if (probing || !joining_.empty() || !reprobe_.empty() || waitingForFencing()) return;
  scheduled_on_ = stamp_;
  last_engine_run_ = now_.monotonic;
  recheck_seconds_ = recheckSeconds(cib_->cib());
  pe::ScheduleOptions options;
  options.now = now_.wall;
  options.with_execution = true;
  if (!self_id_.empty()) options.dc_id = self_id_;
  out.engine_input = cib_->text();
  Result<pe::Transition> transition = pe::schedule(cib_->doc(), cib_->source(), options);
  if (!transition) {
    out.log.push_back("policy engine refused CIB " + toString(stamp_) + ": " +
                      transition.error().message);
    return;
  }
  ++transition_count_;
  const std::size_t count = transition->actions.size();
  // A member the engine finds unclean had a failure whose on-fail is fence (the default for a
  // failed stop with stonith on): Pacemaker fences it first, and the stops there are implied
  // by the fencing. Running the graph instead would retry the failed stop at once, forever.
  failure_fencing_ = failedMembers(transition->current, members_);
  fence(out, /*tick=*/false);
  if (!failure_fencing_.empty()) {
    for (const auto& [node, why] : failure_fencing_)
      out.log.push_back("transition " + std::to_string(transition_count_) + " on CIB " +
                        toString(stamp_) + ": " + node + " must be fenced first (" + why +
                        "); its " + std::to_string(count) + " actions wait for the fencing");
    return;
  }
  Result<TransitionRunner> runner = TransitionRunner::create(std::move(*transition));
  if (!runner) {
    out.log.push_back("bad transition graph: " + runner.error().message);
    return;
  }
  out.log.push_back("transition " + std::to_string(transition_count_) + " on CIB " +
                    toString(stamp_) + ": " + std::to_string(count) + " actions");
  runner_ = std::move(*runner);
  dispatch(out);
  if (runner_->finished()) runner_.reset();  // nothing to do: idle until the CIB changes
}

void Controller::dispatch(ControllerOutput& out) {
  for (bool more = true; more && runner_;) {
    more = false;
    for (pe::Action& a : runner_->ready()) {
      auto member = std::find_if(members_.begin(), members_.end(),
                                 [&](const Member& m) { return m.name == a.node; });
      if (a.task == "stonith" && member == members_.end()) {
        // Fencing the transition asks for (e.g. startup fencing of a node never seen): the
        // controller's fencing carries it out; onFenceResult completes the action.
        out.log.push_back("transition asks to fence " + a.node);
        graph_fencing_[a.node] = a.id;
        continue;
      }
      if (member == members_.end() || !a.has_agent) {
        // Fencing and node-level actions are not executed yet; a failed action aborts.
        out.log.push_back("cannot execute " + a.key + " on " + a.node);
        (void)runner_->complete(a.id, false, "cannot execute " + a.key);
        more = true;
        continue;
      }
      // Everything comes with the engine's action: no second look at the CIB.
      ActionRequest req{.action_id = a.id,
                        .node = a.node,
                        .resource = primitiveId(a.resource),
                        .rsc_class = a.rsc_class,
                        .provider = a.provider,
                        .type = a.type,
                        .operation = a.task,
                        .interval_ms = a.interval_ms,
                        .timeout_ms = a.timeout_ms,
                        .params = a.params,
                        .meta = a.meta};
      // A probe expects "not running"; a recurring monitor what the engine expects of the role
      // (8 where the instance runs Promoted), and its history records that target.
      req.expected_rc =
          a.task == "monitor" && a.interval_ms == 0 ? cib::kOcfNotRunning : a.expected_rc;
      out.log.push_back("executing " + a.key + " on " + a.node);
      const std::int64_t deadline =
          now_.monotonic + (req.timeout_ms + 999) / 1000 + kClusterDelaySeconds;
      dispatched_[a.id] = Dispatched{req, a, nodeIdOf(*member), deadline, true};
      recordPending(dispatched_[a.id]);
      out.actions.push_back(std::move(req));
    }
  }
}

}  // namespace pulse::crmd
