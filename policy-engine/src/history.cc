// Operation history -> current state, following Pacemaker 2.1.5's unpack of
// lrm_rsc_op entries: ops are replayed in call-id order per node; the last
// result decides the role there; failures decide the recovery (on-fail).
#include "history.h"

#include <algorithm>
#include <limits>

#include "blocked_failures.h"
#include "config_changes.h"
#include "failure_policy.h"
#include "migration.h"
#include "policy-engine/xml_dates.h"
#include "remote_nodes.h"

namespace pulse::pe {
namespace {

// Replays one resource's history on one node.
class ResourceReplay {
 public:
  ResourceReplay(WorkingSet& ws, Resource& r, int node) : ws_(ws), r_(r), node_(node) {}

  void replay(std::vector<const OperationRecord*> ops) {
    std::stable_sort(ops.begin(), ops.end(),
                     [](const OperationRecord* a, const OperationRecord* b) {
                       auto key = [](const OperationRecord* o) {
                         return o->call_id < 0 ? std::numeric_limits<long long>::max() : o->call_id;
                       };
                       // A call recorded twice (its last result and its last
                       // failure) is ordered by when each result came.
                       if (key(a) == key(b) && a->call_id >= 0) {
                         return a->last_rc_change < b->last_rc_change;
                       }
                       return key(a) < key(b);
                     });
    Role saved = r_.role;
    r_.role = Role::Unknown;
    for (const OperationRecord* op : ops) unpackOp(*op);
    recordActiveRecurring(ops);
    processState();
    if (r_.target_role) {
      if (r_.next_role == Role::Unknown || *r_.target_role < r_.next_role) {
        r_.next_role = *r_.target_role;
      }
    }
    if (saved > r_.role) r_.role = saved;
  }

 private:
  Node& node() { return ws_.nodes[static_cast<std::size_t>(node_)]; }

  static bool isProbe(const OperationRecord& op) {
    return op.task == "monitor" && op.interval_ms == 0;
  }
  static bool maskableProbeFailure(const OperationRecord& op) {
    return isProbe(op) && (op.rc == kOcfNotInstalled || op.rc == kOcfInvalidParam ||
                           op.op_status == kExecNotInstalled);
  }
  // Pacemaker's calculate_active_ops + process_recurring: the recurring
  // operations recorded after the last start (or, without a start, after the
  // last probe that found the resource running) and not before a later
  // successful stop are still in force on this node.
  void recordActiveRecurring(const std::vector<const OperationRecord*>& ops) {
    if (!node().online) return;
    int start = -1, stop = -1, implied_by_monitor = -1, implied_by_role = -1;
    for (int i = 0; i < static_cast<int>(ops.size()); ++i) {
      const OperationRecord& op = *ops[static_cast<std::size_t>(i)];
      if (op.task == "stop" && op.op_status == kExecDone) {
        stop = i;
      } else if (op.task == "start" || op.task == "migrate_from") {
        start = i;
      } else if (implied_by_monitor <= stop && op.task == "monitor") {
        if (op.rc == kOcfOk || op.rc == kOcfRunningPromoted) implied_by_monitor = i;
      } else if (op.task == "promote" || op.task == "demote") {
        implied_by_role = i;
      }
    }
    if (start < 0) start = implied_by_role >= 0 ? implied_by_role : implied_by_monitor;
    for (int i = 0; i < static_cast<int>(ops.size()); ++i) {
      if ((start < stop && i <= stop) || i < start) continue;
      const OperationRecord& op = *ops[static_cast<std::size_t>(i)];
      if (op.interval_ms == 0 || op.op_status == kExecPending) continue;
      r_.active_recurring.push_back({node_, op.task, op.interval_ms});
    }
  }
  // Where a failure's ban applies: an anonymous clone's instances are
  // interchangeable, so the whole clone is kept off the node (uber_parent).
  Resource& banScope() {
    int clone = cloneOf(ws_, r_.index);
    if (clone >= 0 && !ws_.resources[static_cast<std::size_t>(clone)].unique) {
      return ws_.resources[static_cast<std::size_t>(clone)];
    }
    return r_;
  }
  void setActive() {
    if (r_.role < Role::Started) r_.role = Role::Started;
  }
  void recordFailed(const OperationRecord& op, int rc) {
    ws_.failed_actions.push_back({r_.id, op.task, node().name, op.interval_ms, rc});
  }
  // A remote connection with a reconnect interval keeps its recurring monitor's failure until
  // its remote node has been fenced: a monitor only reports changes, so clearing the failure
  // would hide that the node is still unreachable (should_ignore_failure_timeout).
  bool keepsRemoteMonitorFailure(const OperationRecord& op) const {
    if (r_.remote_reconnect_ms <= 0 || !ws_.options.stonith_enabled || op.interval_ms == 0 ||
        op.task != "monitor" || r_.remote_node < 0) {
      return false;
    }
    return !ws_.nodes[static_cast<std::size_t>(r_.remote_node)].remote_was_fenced;
  }
  // Pacemaker's check_operation_expiry: a failure older than failure-timeout
  // is forgotten once the fail-count has expired too; a failed start or
  // monitor recorded with other parameters than now gets its fail-count
  // cleared (and so no longer bans the node).
  bool expired(const OperationRecord& op) {
    bool is_expired = false;
    if (r_.failure_timeout_s > 0 && op.last_rc_change > 0 &&
        ws_.now >= op.last_rc_change + r_.failure_timeout_s && !keepsRemoteMonitorFailure(op)) {
      is_expired = failCount(ws_, r_, node_) <= 0;
    }
    if (!is_expired && op.is_last_failure && (op.task == "start" || op.task == "monitor")) {
      DigestCheck check = compareDigests(ws_, r_, op);
      if (check != DigestCheck::Unknown && check != DigestCheck::Match &&
          !ws_.failcountCleared(r_.index, node_)) {
        ws_.failcount_cleared.emplace_back(r_.index, node_);
      }
    }
    if (is_expired && op.interval_ms == 0 && op.task == "monitor") {
      switch (op.rc) {
        case kOcfOk:
        case kOcfNotRunning:
        case kOcfRunningPromoted:
        case kOcfDegraded:
        case kOcfDegradedPromoted:
          is_expired = false;  // probes that found a state do not expire
          break;
        default:
          break;
      }
    }
    return is_expired;
  }
  // A failed stop is recovered by fencing the node; where that cannot happen the resource is
  // left blocked (Pacemaker's check_recoverable).
  void checkRecoverable(const std::string& task) {
    if (task != "stop" || failedStopRecoverable(ws_, node_)) return;
    r_.managed = false;
    r_.blocked = true;
  }

  void unpackOp(const OperationRecord& op) {
    if (op.task == "notify" || op.task == "meta-data") return;
    int target_rc = op.has_target_rc ? op.target_rc : -1;
    int rc = op.rc;
    int status = op.op_status;
    bool is_expired = status != kExecNotInstalled && expired(op);
    int old_rc = rc;
    remap(op, target_rc, rc, status);
    bool maskable = maskableProbeFailure(op);
    if (is_expired && maskable && old_rc != target_rc) {
      if (r_.role <= Role::Stopped) r_.role = Role::Unknown;
      return;
    }
    if (is_expired && rc != target_rc) {
      if (op.interval_ms == 0) return;
      if (node().online && !node().unclean) return;
    }
    if (maskable) {
      updateState(op, target_rc);
      recordFailed(op, old_rc);
      addLocationScoreToAll(ws_, banScope(), node_, -kInfinity);
      return;
    }
    switch (status) {
      case kExecCancelled:
        return;
      case kExecPending:
        if (op.task == "start") {
          r_.start_pending = true;
          setActive();
          if (op.call_id < 0 && op.outlasts_recorded_ops) r_.unnumbered_start_on.push_back(node_);
        } else if (op.task == "promote") {
          r_.role = Role::Promoted;
        }
        if (r_.pending_task.empty() && (op.interval_ms != 0 || op.task != "monitor")) {
          r_.pending_task = op.task;
          r_.pending_node = node_;
        }
        return;
      case kExecDone:
        updateState(op, rc);
        return;
      case kExecNotInstalled:
        // A missing agent cannot be ignored: recover the resource elsewhere even with
        // on-fail=ignore (Pacemaker's "migrate" handling).
        if (failurePolicy(ws_, r_, op.task, op.interval_ms).on_fail == OnFail::Ignore &&
            severity(on_fail_) < severity(OnFail::Recover)) {
          on_fail_ = OnFail::Recover;
        }
        addLocationScoreToAll(ws_, banScope(), node_, -kInfinity);
        failure(op, rc);
        return;
      case kExecNoFenceDevice:
      case kExecNoSecrets:
        status = kExecErrorHard;
        break;
      default:
        break;
    }
    FailurePolicy policy = failurePolicy(ws_, r_, op.task, op.interval_ms);
    if (policy.on_fail == OnFail::Ignore ||
        (policy.on_fail == OnFail::RestartContainer && op.task == "stop")) {
      updateState(op, target_rc);
      r_.failure_ignored = true;
      recordFailed(op, rc);
      if (policy.on_fail == OnFail::RestartContainer &&
          severity(on_fail_) <= severity(OnFail::Recover)) {
        on_fail_ = OnFail::RestartContainer;
      }
      return;
    }
    failure(op, rc);
    if (status == kExecErrorHard) {
      addLocationScoreToAll(ws_, banScope(), node_, -kInfinity);
    } else if (status == kExecErrorFatal) {
      addLocationScoreToAll(ws_, banScope(), -1, -kInfinity);
    }
  }

  void remap(const OperationRecord& op, int target_rc, int& rc, int& status) {
    const RemappedResult m =
        remapResult(op, target_rc, rc, status, isProbe(op), maskableProbeFailure(op), r_.managed);
    rc = m.rc;
    status = m.status;
    if (m.role) r_.role = *m.role;
    if (m.role == Role::Stopped) r_.next_role = Role::Unknown;
    if (m.check_recoverable) checkRecoverable(op.task);
  }

  void updateState(const OperationRecord& op, int rc) {
    bool clear = false;
    const std::string& task = op.task;
    if (rc == kOcfNotInstalled || maskableProbeFailure(op)) {
      r_.role = Role::Stopped;
    } else if (rc == kOcfNotRunning) {
      clear = true;
    } else if (task == "monitor") {
      if (last_failure_ && opKey(r_.id, last_failure_->task, last_failure_->interval_ms) ==
                               opKey(r_.id, task, op.interval_ms)) {
        clear = true;
      }
      setActive();
    } else if (task == "start") {
      r_.role = Role::Started;
      clear = true;
    } else if (task == "stop") {
      r_.role = Role::Stopped;
      clear = true;
    } else if (task == "promote") {
      r_.role = Role::Promoted;
      clear = true;
    } else if (task == "demote") {
      if (on_fail_ == OnFail::Demote) clear = true;
      r_.role = Role::Unpromoted;
    } else if (task == "migrate_from") {
      r_.role = Role::Started;
      clear = true;
    } else if (task == "migrate_to") {
      unpackMigrateToSuccess(ws_, r_, node_, op);
    } else {
      setActive();
    }
    if (clear) {
      switch (on_fail_) {
        case OnFail::Block:
        case OnFail::Ignore:
        case OnFail::Demote:
        case OnFail::Recover:
        case OnFail::RestartContainer:
          on_fail_ = OnFail::Ignore;
          r_.next_role = Role::Unknown;
          break;
        case OnFail::ResetRemote:
          // Without a reconnect interval the connection may start again once its remote
          // node is fenced and stopped; with one, only once the failure has expired.
          if (r_.remote_reconnect_ms == 0) {
            on_fail_ = OnFail::Ignore;
            r_.next_role = Role::Unknown;
          }
          break;
        default:
          break;
      }
    }
  }

  void failure(const OperationRecord& op, int rc) {
    last_failure_ = &op;
    bool probe = isProbe(op);
    if (!(!ws_.options.symmetric && rc == kOcfNotInstalled)) recordFailed(op, rc);
    FailurePolicy policy = failurePolicy(ws_, r_, op.task, op.interval_ms);
    if (severity(on_fail_) < severity(policy.on_fail)) on_fail_ = policy.on_fail;
    if (op.task == "stop") {
      addLocationScore(r_, node_, -kInfinity);
    } else if (op.task == "migrate_to") {
      unpackMigrateToFailure(ws_, r_, node_, op);
    } else if (op.task == "promote") {
      r_.role = Role::Promoted;
    } else if (op.task == "demote" && policy.on_fail == OnFail::Block) {
      // A failed demote that blocks leaves the instance promoted, and never to run again
      // until cleaned up (Pacemaker's unpack_rsc_op_failure).
      r_.role = Role::Promoted;
      r_.next_role = Role::Stopped;
    } else if (op.task == "demote") {
      // Otherwise it counts as unpromoted (stopped when not running): staying promoted would
      // loop, and the recovery stops it before any promotion.
      r_.role = rc == kOcfNotRunning ? Role::Stopped : Role::Unpromoted;
    }
    if (probe && rc == kOcfNotInstalled) {
      r_.role = Role::Stopped;
    } else if (r_.role < Role::Started) {
      setActive();
    }
    if (policy.fail_role != Role::Started && r_.next_role < policy.fail_role) {
      r_.next_role = policy.fail_role;
    }
    if (policy.fail_role == Role::Stopped) {
      for (auto& s : banScope().allowed) s = -kInfinity;
    }
  }

  void addRunning() {
    if (std::find(r_.running_on.begin(), r_.running_on.end(), node_) != r_.running_on.end()) {
      return;
    }
    r_.running_on.push_back(node_);
    if (node().maintenance) r_.managed = false;
    if (!r_.managed) {
      addLocationScore(r_, node_, kInfinity);
      for (int p = r_.parent; p >= 0; p = ws_.resources[static_cast<std::size_t>(p)].parent) {
        if (!node().online) break;
        auto& pr = ws_.resources[static_cast<std::size_t>(p)].running_on;
        pr.push_back(node_);
      }
      return;
    }
    if (multiplyActive()) applyMultipleActive();
    if (r_.parent >= 0) {
      auto& pr = ws_.resources[static_cast<std::size_t>(r_.parent)].running_on;
      if (std::find(pr.begin(), pr.end(), node_) == pr.end()) pr.push_back(node_);
    }
  }

  // Active on more than one node: counting unclean nodes only when the resource needs
  // fencing (Pacemaker's pe__find_active_requires).
  bool multiplyActive() const {
    int count = 0;
    for (int n : r_.running_on) {
      if (r_.start_needs == Resource::Needs::Fencing ||
          !ws_.nodes[static_cast<std::size_t>(n)].unclean) {
        ++count;
      }
    }
    return count > 1;
  }

  // multiple-active=stop_only bans the resource everywhere; block leaves it (and, when the
  // group says so too, its whole group) alone. stop_start is the planner's default recovery.
  void applyMultipleActive() {
    if (r_.multiple_active == Resource::MultipleActive::StopOnly) {
      for (auto& s : r_.allowed) s = -kInfinity;
    } else if (r_.multiple_active == Resource::MultipleActive::Block) {
      r_.managed = false;
      r_.blocked = true;
      if (r_.parent < 0) return;
      Resource& group = ws_.resources[static_cast<std::size_t>(r_.parent)];
      if (group.kind != ResourceConfig::Kind::Group ||
          group.multiple_active != Resource::MultipleActive::Block) {
        return;
      }
      for (int member : group.children) {
        ws_.resources[static_cast<std::size_t>(member)].managed = false;
        ws_.resources[static_cast<std::size_t>(member)].blocked = true;
      }
    }
  }

  void processState() {
    if (r_.role != Role::Unknown) {
      if (std::find(r_.known_on.begin(), r_.known_on.end(), node_) == r_.known_on.end()) {
        r_.known_on.push_back(node_);
      }
    }
    // A managed resource believed active on a node that is down (and not in maintenance)
    // needs that node fenced before it may start elsewhere. On a guest node, whatever the
    // fencing settings, it has failed: the guest's container is recovered, which stops it.
    if (r_.role > Role::Stopped && !node().online && !node().maintenance && r_.managed &&
        node().guest) {
      r_.failed = true;
      r_.needs_stop = true;
      ws_.fenceNode(node_, r_.id + " is thought to be active there");
    } else if (r_.role > Role::Stopped && !node().online && !node().maintenance && r_.managed &&
               ws_.options.stonith_enabled) {
      const Resource* connection = node().connection >= 0
                                       ? &ws_.resources[static_cast<std::size_t>(node().connection)]
                                       : nullptr;
      if (node().remote && connection != nullptr && !connection->failed) {
        // Fencing a remote node is revoked if its connection can be re-established
        // elsewhere (remoteConnectionAssigned).
        node().unseen = true;
        ws_.fenceNode(node_, r_.id +
                                 " is active there (fencing will be revoked if remote "
                                 "connection can be re-established elsewhere)");
      } else {
        ws_.fenceNode(node_, r_.id + " is thought to be active there");
      }
    }
    OnFail on_fail = on_fail_;
    if (node().unclean) on_fail = OnFail::Ignore;
    switch (on_fail) {
      case OnFail::Ignore:
        break;
      case OnFail::Demote:
        r_.failed = true;
        break;
      case OnFail::Fence:
        ws_.fenceNode(node_, r_.id + " failed there");
        break;
      case OnFail::Standby:
        node().standby = true;
        break;
      case OnFail::Block:
        r_.managed = false;
        r_.blocked = true;
        break;
      case OnFail::Stop:
        r_.next_role = Role::Stopped;
        break;
      case OnFail::Recover:
        if (r_.role != Role::Stopped && r_.role != Role::Unknown) {
          r_.failed = true;
          r_.needs_stop = true;
        }
        break;
      case OnFail::RestartContainer:
        // The container (or, in none, the resource itself) is stopped here, then recovered.
        r_.failed = true;
        r_.needs_stop = true;
        if (r_.container >= 0) {
          ws_.resources[static_cast<std::size_t>(r_.container)].stop_required_on.push_back(node_);
        }
        break;
      case OnFail::ResetRemote:
        r_.failed = true;
        if (r_.role > Role::Stopped) r_.needs_stop = true;
        if (ws_.options.stonith_enabled && r_.remote_node >= 0 && r_.container < 0 &&
            !ws_.nodes[static_cast<std::size_t>(r_.remote_node)].remote_was_fenced) {
          ws_.fenceNode(r_.remote_node, "remote connection is unrecoverable");
        }
        // With a reconnect interval the connection stays down until the failure expires.
        if (r_.remote_reconnect_ms > 0) r_.next_role = Role::Stopped;
        break;
    }
    // A failed connection's remote node is fenced even if the connection could start again.
    if (r_.failed && r_.remote_node >= 0) {
      Node& remote = ws_.nodes[static_cast<std::size_t>(r_.remote_node)];
      if (remote.unclean) remote.unseen = false;
    }
    if (r_.role != Role::Stopped && r_.role != Role::Unknown) {
      addRunning();
      switch (on_fail) {
        case OnFail::Ignore:
          break;
        case OnFail::Demote:
        case OnFail::Block:
          r_.failed = true;
          break;
        default:
          r_.failed = true;
          r_.needs_stop = true;
          break;
      }
    } else if (r_.clone_name.find(':') != std::string::npos) {
      // A history entry under another instance number that shows nothing running no longer
      // names the instance (Pacemaker's process_rsc_state): its promotion score is then read
      // by the instance's own id, or by a later entry's name.
      r_.clone_name.clear();
    }
    // A stop on the source after a migration cut short leaves the copy on the target running.
    if (r_.role == Role::Stopped && r_.partial_migration_source == node_ &&
        r_.partial_migration_target >= 0 && !r_.running_on.empty()) {
      r_.role = Role::Started;
    }
  }

  WorkingSet& ws_;
  Resource& r_;
  int node_;
  OnFail on_fail_ = OnFail::Ignore;
  const OperationRecord* last_failure_ = nullptr;
};

// Replays one node's resource history.
void unpackNodeHistory(WorkingSet& ws, const NodeStateRecord& st, int node) {
  for (const ResourceHistory& rh : st.resources) {
    if (rh.ops.empty()) continue;
    int index = historyResource(ws, node, rh.id);
    if (index < 0 && ws.findResource(rh.id) < 0 && ws.findResource(stripInstance(rh.id)) < 0) {
      index = ws.addOrphan(rh);  // no longer configured
    }
    if (index < 0) {
      ws.warnings.push_back("history of unknown resource '" + rh.id + "' on " +
                            ws.nodes[static_cast<std::size_t>(node)].name + " ignored");
      continue;
    }
    ws.history_owner[{node, rh.id}] = index;
    Resource& r = ws.resources[static_cast<std::size_t>(index)];
    if (r.kind != ResourceConfig::Kind::Primitive) continue;
    // A lock recorded when the node shut down holds until shutdown-lock-limit passes.
    if (ws.options.shutdown_lock && rh.shutdown_lock != 0) {
      const std::int64_t limit = ws.options.shutdown_lock_limit_s;
      if (limit <= 0 || ws.now <= rh.shutdown_lock + limit) {
        r.lock_node = node;
        r.lock_time = rh.shutdown_lock;
      }
    }
    std::vector<const OperationRecord*> ops;
    ops.reserve(rh.ops.size());
    for (const OperationRecord& op : rh.ops) ops.push_back(&op);
    ResourceReplay(ws, r, node).replay(std::move(ops));
  }
  linkOrphanedFillers(ws, st);
}

}  // namespace

std::optional<Error> unpackHistory(WorkingSet& ws) {
  disregardBlockedFailureTimeouts(ws);
  // Members first; a remote node's history only once its connection's (on a member) shows
  // the connection running, or, with fencing, in a last pass (Pacemaker's
  // unpack_node_history passes).
  std::vector<std::pair<const NodeStateRecord*, int>> remote_states;
  for (const NodeStateRecord& st : ws.cib->node_states) {
    int node = ws.findNode(st.id);
    if (node < 0 && !st.uname.empty()) node = ws.findNode(st.uname);
    if (node < 0) continue;
    if (ws.nodes[static_cast<std::size_t>(node)].remote) {
      remote_states.emplace_back(&st, node);
      continue;
    }
    // Without fencing (or shutdown locks) an offline node's history is not read: what ran
    // there is not running anywhere now (Pacemaker's unpack_node_history).
    if (!ws.options.stonith_enabled && !ws.options.shutdown_lock &&
        !ws.nodes[static_cast<std::size_t>(node)].online) {
      continue;
    }
    unpackNodeHistory(ws, st, node);
  }
  std::vector<bool> unpacked(ws.nodes.size(), false);
  auto unpackRemote = [&](const NodeStateRecord& st, int node) {
    unpacked[static_cast<std::size_t>(node)] = true;
    unpackRemoteNodeState(ws, node);
    unpackNodeHistory(ws, st, node);
  };
  for (const auto& [st, node] : remote_states) {
    if (ws.nodes[static_cast<std::size_t>(node)].connection >= 0 &&
        (remoteConnectionUp(ws, node) || ws.options.shutdown_lock)) {
      unpackRemote(*st, node);
    }
  }
  if (ws.options.stonith_enabled) {
    for (const auto& [st, node] : remote_states) {
      if (!unpacked[static_cast<std::size_t>(node)]) unpackRemote(*st, node);
    }
  }
  finishRemoteNodes(ws, unpacked);
  return std::nullopt;
}

}  // namespace pulse::pe
