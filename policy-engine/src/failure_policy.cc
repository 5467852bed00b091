// On-fail policies and fail-counts (failure_policy.h, history.h).
#include "failure_policy.h"

#include <algorithm>

#include "history.h"

namespace pulse::pe {
namespace {

const OperationConfig* findOpConfig(const Resource& r, const std::string& task,
                                    std::int64_t interval_ms) {
  if (r.config == nullptr) return nullptr;
  for (const OperationConfig& op : r.config->ops) {
    if (op.name == task && op.interval_ms == interval_ms) return &op;
  }
  return nullptr;
}

}  // namespace

int severity(OnFail f) {
  switch (f) {
    case OnFail::Ignore:
      return 0;
    case OnFail::Demote:
      return 1;
    case OnFail::Recover:
      return 2;
    case OnFail::ResetRemote:
      return 3;
    case OnFail::RestartContainer:
      return 4;
    case OnFail::Block:
      return 5;
    case OnFail::Stop:
      return 6;
    case OnFail::Standby:
      return 7;
    case OnFail::Fence:
      return 8;
  }
  return 0;
}

FailurePolicy failurePolicy(const WorkingSet& ws, const Resource& r, const std::string& task,
                            std::int64_t interval_ms) {
  FailurePolicy p;
  std::string value;
  if (const OperationConfig* op = findOpConfig(r, task, interval_ms)) {
    if (auto it = op->attributes.find("on-fail"); it != op->attributes.end()) {
      value = it->second;
    } else if (auto m = op->meta.find("on-fail"); m != op->meta.end()) {
      value = m->second;
    }
  }
  if (value.empty()) {
    if (auto it = ws.cib->op_defaults.find("on-fail"); it != ws.cib->op_defaults.end()) {
      value = it->second;
    }
  }
  if (value == "fence" && !ws.options.stonith_enabled) value = "stop";
  // restart-container means nothing for a resource in no container: the default applies.
  if (value == "restart-container" && r.container < 0) value.clear();
  // A remote connection's failures (other than of its start or probe) reset the connection,
  // fencing the remote node when fencing is on; an unmanaged connection is merely stopped.
  const bool connection_default = (value.empty() || !r.managed) && r.remote_node >= 0 &&
                                  r.container < 0 && !(task == "monitor" && interval_ms == 0) &&
                                  task != "start";
  if (value.empty() && r.container >= 0) {
    // A failure inside a container (a filler's, or a guest connection's) restarts it.
    p.on_fail = OnFail::RestartContainer;
  } else if (connection_default && !r.managed) {
    p.on_fail = OnFail::Stop;
    p.fail_role = Role::Stopped;
  } else if (connection_default) {
    p.on_fail = OnFail::ResetRemote;
    if (r.remote_reconnect_ms > 0) p.fail_role = Role::Stopped;
  } else if (value == "block") {
    p.on_fail = OnFail::Block;
  } else if (value == "fence") {
    p.on_fail = OnFail::Fence;
  } else if (value == "standby") {
    p.on_fail = OnFail::Standby;
  } else if (value == "ignore" || value == "nothing") {
    p.on_fail = OnFail::Ignore;
  } else if (value == "stop") {
    p.on_fail = OnFail::Stop;
    p.fail_role = Role::Stopped;
  } else if (value == "restart") {
    p.on_fail = OnFail::Recover;
  } else if (value == "restart-container") {
    p.on_fail = OnFail::RestartContainer;
  } else if (value == "demote") {
    p.on_fail = OnFail::Demote;
  } else if (task == "stop") {
    p.on_fail = ws.options.stonith_enabled ? OnFail::Fence : OnFail::Block;
  } else {
    p.on_fail = OnFail::Recover;
  }
  // Pacemaker's pcmk__role_after_failure: unless the failure stops it, an instance whose
  // promote failed is meant to be unpromoted, so it is demoted rather than left promoted
  // (with on-fail=demote and no other instance to promote, it would otherwise stay "promoted"
  // after its agent refused, and what is colocated with the promoted role would follow it).
  if (p.fail_role == Role::Started && task == "promote") p.fail_role = Role::Unpromoted;
  return p;
}

bool failedStopRecoverable(const WorkingSet& ws, int node) {
  // A guest node whose container is unknown has nothing to stop.
  if (ws.nodes[static_cast<std::size_t>(node)].guest && ws.guestContainer(node) < 0) return true;
  return ws.canFence(node);
}

Score failCount(const WorkingSet& ws, const Resource& r, int node) {
  const auto& failures = ws.nodes[static_cast<std::size_t>(node)].failures;
  if (failures.empty()) return 0;
  Node::Failures f;
  bool found = false;
  // An anonymous instance also owns fail-counts recorded under any instance
  // number ("fail-count-rsc:1"), as Pacemaker's fail-count pattern allows.
  const bool anonymous = r.history_id != r.id;
  for (auto it = failures.lower_bound(r.history_id);
       it != failures.end() && it->first.compare(0, r.history_id.size(), r.history_id) == 0; ++it) {
    if (it->first.size() != r.history_id.size() &&
        !(anonymous && stripInstance(it->first) == r.history_id)) {
      continue;
    }
    f.count = addScores(f.count, it->second.count);
    f.last_failure = std::max(f.last_failure, it->second.last_failure);
    found = true;
  }
  if (!found) return 0;
  if (f.count > 0 && r.failure_timeout_s > 0 && f.last_failure > 0 &&
      ws.now >= f.last_failure + r.failure_timeout_s) {
    return 0;
  }
  return f.count;
}

RemappedResult remapResult(const OperationRecord& op, int target_rc, int rc, int status, bool probe,
                           bool maskable_probe_failure, bool managed) {
  RemappedResult m{rc, status, std::nullopt, false};
  if (op.task == "monitor") {
    if (m.rc == kOcfDegraded) m.rc = kOcfOk;
    if (m.rc == kOcfDegradedPromoted) m.rc = kOcfRunningPromoted;
  }
  if (maskable_probe_failure) {
    m.status = kExecDone;
    m.rc = kOcfNotRunning;
  }
  if (m.status != kExecDone && m.status != kExecError) return m;
  m.status = kExecDone;
  if (target_rc < 0 || target_rc != m.rc) m.status = kExecError;
  switch (m.rc) {
    case kOcfOk:
      if (probe && target_rc == kOcfNotRunning) m.status = kExecDone;
      break;
    case kOcfNotRunning:
      if (probe || target_rc == m.rc || !managed) {
        m.status = kExecDone;
        m.role = Role::Stopped;
      }
      break;
    case kOcfRunningPromoted:
      if (probe && m.rc != target_rc) m.status = kExecDone;
      m.role = Role::Promoted;
      break;
    case kOcfDegradedPromoted:
    case kOcfFailedPromoted:
      m.role = Role::Promoted;
      m.status = kExecError;
      break;
    case kOcfNotConfigured:
      m.status = kExecErrorFatal;
      break;
    case kOcfUnimplemented:
      if (op.interval_ms == 0) {
        m.check_recoverable = true;
        m.status = kExecErrorHard;
      } else {
        m.status = kExecNotSupported;
      }
      break;
    case kOcfNotInstalled:
    case kOcfInvalidParam:
    case kOcfInsufficientPriv:
      m.check_recoverable = true;
      m.status = kExecErrorHard;
      break;
    default:
      if (m.status == kExecDone) m.status = kExecError;
      break;
  }
  return m;
}

}  // namespace pulse::pe
