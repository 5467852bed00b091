// ResourceManager on every node (resource_manager_impl.h): the view and quorum, the CIB events
// (who is DC, this node's newest copy, the DC's term starting and ending), the actions a DC
// sends to this node's executor and the outbox of their results.
// Invariants: a node that loses quorum stops what the cluster manages there unless
// no-quorum-policy is ignore or freeze; results wait in the outbox (at most kMaxOutbox, the
// oldest dropped first) until a DC that can take them is known.

#include <algorithm>
#include <random>

#include "common/log.h"
#include "crmd/cib/cib_status.h"
#include "crmd/daemon/resource_manager_impl.h"
#include "policy-engine/cib_config.h"

namespace pulse::crmd {
namespace {
// Results kept while no DC is known (a partition without quorum); the oldest go first.
constexpr std::size_t kMaxOutbox = 256;
}  // namespace

LocalExecutor::Managed ResourceManager::Impl::managed() const {
  return [cib = local_cib](const std::string& rsc) {
    return !cib || pe::cibconf::resourceManaged(cib->cib(), rsc);
  };
}

void ResourceManager::Impl::countActive() {
  if (!local) return;
  active_count.store(local->activeCount(managed()));
  running_count.store(local->activeCount(everything));
}

void ResourceManager::Impl::onView(const membership::View& view, bool now_quorate,
                                   const std::map<NodeId, std::uint64_t>& incarnations) {
  std::vector<Member> next;
  for (NodeId id : view.members) {
    const auto* node = options.config.findNode(id);
    if (!node) continue;
    auto incarnation = incarnations.find(id);
    next.push_back(
        Member{id, rm::nameOf(*node), incarnation == incarnations.end() ? 0 : incarnation->second});
  }
  for (const Member& m : members) {
    const bool stayed =
        std::any_of(next.begin(), next.end(), [&](const Member& n) { return n.id == m.id; });
    if (!stayed) {
      lost_at[m.name] = rm::SteadyClock::now();
      resync.erase(m.name);
    }
  }
  // The members that just came back get the DC's copy; the DC says when they hold it.
  for (const Member& n : next) {
    const bool was_in =
        std::any_of(members.begin(), members.end(), [&](const Member& m) { return m.id == n.id; });
    if (!was_in && n.id != options.self && !members.empty()) resync.insert(n.name);
  }
  alertMembers(members, next);
  fencingOnView(members, next);
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
      logEvent("resources: quorum lost; stopping " + std::to_string(local->activeCount(managed())) +
               " resources (no-quorum-policy=" + policy + ")");
      local->stopAll("quorum lost", managed());
    }
  }
}

void ResourceManager::Impl::onCib(const CibEvent& event) {
  if (event.local) local_cib = event.local;
  if (leaving && !shutdown_recorded.load()) {
    if (local_cib && cib::nodeAttribute(local_cib->cib(), std::to_string(options.self), "shutdown",
                                        cib::AttributeLifetime::kTransient)) {
      shutdown_recorded.store(true);
    }
  }
  if (event.dc != dc) {
    dc_announced = false;
    const auto* node = event.dc ? options.config.findNode(*event.dc) : nullptr;
    options.record("dc", !event.dc ? std::string("no DC in this partition")
                         : node    ? "DC is " + rm::nameOf(*node)
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
      carryOut(controller.onBecameDc(event.confirmed, members, rm::controllerNow()));
      failOrphanedFencing(event.confirmed->cib());
    } else {
      carryOut(controller.onCibChanged(event.confirmed, rm::controllerNow()));
      // A DC left alone by a view change (the survivor of a two-node cluster) finishes the
      // view's CIB sync inside the view change: no event shows it not ready in between, so
      // no new term (onBecameDc) brings it the new members. Tell it here, or the lost
      // node's resources are never recovered.
      if (members != dc_members) {
        dc_members = members;
        carryOut(controller.onMembersChanged(members, rm::controllerNow()));
      }
    }
  } else if (!event.dc_ready && dc_active) {
    dc_active = false;
    carryOut(controller.onLostDc(rm::controllerNow()));
  }
  alertsOnCib(local_cib);
  flushOutbox();
}

void ResourceManager::Impl::onExecute(const peer::ExecuteAction& m) {
  const ActionRequest request = rm::fromSpec(m.action());
  if (request.node != self_name) {
    logEvent("resources: dropped an action for " + request.node + " sent to " + self_name);
    return;
  }
  if (local) local->execute(request, m.session());
}

void ResourceManager::Impl::onLocalResult(const LocalResult& r) {
  countActive();
  if (auto text = journalText(r)) options.record("action", *text);
  alertResult(r);
  peer::ActionReport report;
  report.set_session(r.session);
  *report.mutable_action() = rm::toSpec(r.request);
  report.set_rc(r.result.rc);
  report.set_exec_status(r.result.exec_status);
  report.set_exit_reason(r.result.exit_reason);
  report.set_exec_ms(r.result.exec_ms);
  report.set_monitor_change(r.monitor_change);
  outbox.push_back(std::move(report));
  if (outbox.size() > kMaxOutbox) outbox.pop_front();
  flushOutbox();
}

void ResourceManager::Impl::onJoinQuery(NodeId from, const peer::JoinQuery& query) {
  flushOutbox();
  peer::PeerEnvelope envelope;
  envelope.set_from(options.self);
  envelope.mutable_join_answer()->set_session(query.session());
  if (local)
    for (const std::string& rsc : local->joinAnswer())
      envelope.mutable_join_answer()->add_resources(rsc);
  options.send(from, std::move(envelope));
}

void ResourceManager::Impl::flushOutbox() {
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

}  // namespace pulse::crmd
