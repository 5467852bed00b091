#include "migration.h"

#include <algorithm>

namespace pulse::pe {
namespace {

int newAction(ActionPlan& plan, const Resource& r, const std::string& task, int node,
              bool runnable) {
  PlannedAction a;
  a.id = static_cast<int>(plan.actions.size());
  a.key = opKey(r.id, task, 0);
  a.task = task;
  a.rsc = r.index;
  a.node = node;
  a.optional = true;  // required once the stop or start it replaces is
  a.runnable = runnable;
  a.migrate_runnable = true;
  const int id = a.id;
  plan.actions.push_back(std::move(a));
  plan.by_resource[static_cast<std::size_t>(r.index)].push_back(id);
  return id;
}

}  // namespace

bool canMigrate(const WorkingSet& ws, const Resource& r, int current) {
  if (!r.allow_migrate || !r.managed || r.failed || r.start_pending) return false;
  if (current < 0 || ws.nodes[static_cast<std::size_t>(current)].unclean) return false;
  return r.assigned_to >= 0 && !ws.nodes[static_cast<std::size_t>(r.assigned_to)].unclean;
}

void planMigration(WorkingSet& ws, ActionPlan& plan, int rsc, int current) {
  const Resource& r = ws.resources[static_cast<std::size_t>(rsc)];
  std::vector<int> starts = actionsWithTask(plan, rsc, "start", r.assigned_to);
  std::vector<int> stops = actionsWithTask(plan, rsc, "stop", current);
  if (starts.empty() || stops.empty()) return;
  const int start = starts.front();
  const int stop = stops.front();
  const bool runnable = plan.actions[static_cast<std::size_t>(start)].runnable;
  // A partial migration resumes with migrate_from alone: its migrate_to already ran.
  const bool resumed = r.partial_migration_target >= 0;
  const int migrate_to = resumed ? -1 : newAction(plan, r, "migrate_to", current, runnable);
  const int migrate_from = newAction(plan, r, "migrate_from", r.assigned_to, runnable);
  PlannedAction& start_action = plan.actions[static_cast<std::size_t>(start)];
  start_action.migrate_runnable = true;
  start_action.pseudo = true;  // the migration starts it
  plan.actions[static_cast<std::size_t>(stop)].migrate_runnable = true;
  const std::string origin = "migration of " + r.id;
  if (migrate_to >= 0) {
    addPlanEdge(plan, migrate_to, migrate_from, kOrderOptional | kOrderImpliesFirstMigratable,
                origin);
  }
  addPlanEdge(plan, migrate_from, stop, kOrderOptional | kOrderImpliesFirstMigratable, origin);
  addPlanEdge(plan, migrate_from, start,
              kOrderOptional | kOrderImpliesFirstMigratable | kOrderPseudoLeft, origin);
}

}  // namespace pulse::pe

namespace pulse::pe {
namespace {

constexpr int kPendingRc = 193;  // an operation still in flight (PCMK_OCF_UNKNOWN)

const ResourceHistory* historyOn(const WorkingSet& ws, const std::string& rsc, int node) {
  for (const NodeStateRecord& st : ws.cib->node_states) {
    int n = ws.findNode(st.id);
    if (n < 0 && !st.uname.empty()) n = ws.findNode(st.uname);
    if (n != node) continue;
    for (const ResourceHistory& rh : st.resources) {
      if (rh.id == rsc) return &rh;
    }
  }
  return nullptr;
}

// pe__is_newer_op: call ids order operations on one node; across nodes the last result
// changes do. 1 when `a` is newer, -1 when older, 0 when it cannot be told.
int newerOp(const OperationRecord& a, const OperationRecord& b, bool same_node_default) {
  bool same_node = same_node_default;
  if (!a.on_node.empty() && !b.on_node.empty()) same_node = a.on_node == b.on_node;
  if (a.call_id == -1 && b.call_id == -1) return 0;
  if (same_node && a.call_id >= 0 && a.call_id < b.call_id) return -1;
  if (same_node && b.call_id >= 0 && a.call_id > b.call_id) return 1;
  if (a.call_id >= 0 && b.call_id >= 0 && (!same_node || a.call_id == b.call_id)) {
    // An operation without last-rc-change (0 here) is neither older nor newer by it.
    if (a.last_rc_change > 0 && a.last_rc_change < b.last_rc_change) return -1;
    if (b.last_rc_change > 0 && a.last_rc_change > b.last_rc_change) return 1;
    return 0;
  }
  if (b.call_id == -1) return -1;
  if (a.call_id == -1) return 1;
  return 0;
}

// Some start, stop or migration on `node` newer than `op`.
bool nonMonitorAfter(const WorkingSet& ws, const std::string& rsc, int node,
                     const OperationRecord& op, bool same_node) {
  const ResourceHistory* rh = historyOn(ws, rsc, node);
  if (rh == nullptr) return false;
  for (const OperationRecord& other : rh->ops) {
    if (&other == &op) continue;
    if (other.task != "start" && other.task != "stop" && other.task != "migrate_to" &&
        other.task != "migrate_from") {
      continue;
    }
    if (newerOp(other, op, same_node) > 0) return true;
  }
  return false;
}

// A newer probe or monitor on `node` found the resource not running.
bool monitorNotRunningAfter(const WorkingSet& ws, const std::string& rsc, int node,
                            const OperationRecord& op, bool same_node) {
  const ResourceHistory* rh = historyOn(ws, rsc, node);
  if (rh == nullptr) return false;
  for (const OperationRecord& other : rh->ops) {
    if (other.task == "monitor" && other.rc == 7 && newerOp(other, op, same_node) > 0) {
      return true;
    }
  }
  return false;
}

const OperationRecord* migrateFromOn(const WorkingSet& ws, const std::string& rsc, int target,
                                     const std::string& source) {
  const ResourceHistory* rh = historyOn(ws, rsc, target);
  if (rh == nullptr) return nullptr;
  for (const OperationRecord& op : rh->ops) {
    if (op.task == "migrate_from" &&
        (op.extra().migrate_source.empty() || op.extra().migrate_source == source)) {
      return &op;
    }
  }
  return nullptr;
}

void addActive(WorkingSet& ws, Resource& r, int node) {
  auto add = [node](std::vector<int>& on) {
    if (std::find(on.begin(), on.end(), node) == on.end()) on.push_back(node);
  };
  add(r.running_on);
  if (r.parent >= 0) add(ws.resources[static_cast<std::size_t>(r.parent)].running_on);
}

// Pacemaker's unknown_on_node: no history of the resource on `node` but pending operations.
bool unknownOn(const WorkingSet& ws, const std::string& rsc, int node) {
  const ResourceHistory* rh = historyOn(ws, rsc, node);
  if (rh == nullptr) return true;
  return std::none_of(rh->ops.begin(), rh->ops.end(),
                      [](const OperationRecord& op) { return op.rc != kPendingRc; });
}

}  // namespace

void unpackMigrateToFailure(WorkingSet& ws, Resource& r, int source, const OperationRecord& op) {
  const OperationRecord::Rare& m = op.extra();
  const int target = m.migrate_target.empty() ? -1 : ws.findNode(m.migrate_target);
  if (target < 0 || m.migrate_source.empty() || ws.findNode(m.migrate_source) != source) return;
  // A failed migration leaves the resource active where it was, whatever the agent did.
  r.role = Role::Started;
  const OperationRecord* migrate_from =
      migrateFromOn(ws, r.id, target, ws.nodes[static_cast<std::size_t>(source)].name);
  if (migrate_from != nullptr && migrate_from->rc != 0) migrate_from = nullptr;
  const OperationRecord& compared = migrate_from != nullptr ? *migrate_from : op;
  const bool same_node = migrate_from != nullptr;
  const bool target_newer_state = nonMonitorAfter(ws, r.id, target, compared, same_node) ||
                                  monitorNotRunningAfter(ws, r.id, target, compared, same_node);
  // Unless the target's history says otherwise since, the agent may have started it there.
  if (!unknownOn(ws, r.id, target) && !target_newer_state &&
      ws.nodes[static_cast<std::size_t>(target)].online) {
    addActive(ws, r, target);
  }
}

void unpackMigrateToSuccess(WorkingSet& ws, Resource& r, int source, const OperationRecord& op) {
  const OperationRecord::Rare& m = op.extra();
  const int target = m.migrate_target.empty() ? -1 : ws.findNode(m.migrate_target);
  if (target < 0 || (!m.migrate_source.empty() && ws.findNode(m.migrate_source) != source)) {
    if (r.role < Role::Started) r.role = Role::Started;
    return;
  }
  const bool source_newer_op = nonMonitorAfter(ws, r.id, source, op, true);
  const OperationRecord* migrate_from =
      migrateFromOn(ws, r.id, target, ws.nodes[static_cast<std::size_t>(source)].name);
  if (source_newer_op && migrate_from != nullptr) return;
  const OperationRecord& compared = migrate_from != nullptr ? *migrate_from : op;
  const bool same_node = migrate_from != nullptr;
  const bool target_newer_state = nonMonitorAfter(ws, r.id, target, compared, same_node) ||
                                  monitorNotRunningAfter(ws, r.id, target, compared, same_node);
  if (source_newer_op && target_newer_state) return;
  r.role = Role::Started;
  const Node& target_node = ws.nodes[static_cast<std::size_t>(target)];
  if (migrate_from != nullptr && migrate_from->rc == 0 && migrate_from->op_status == 0) {
    // Both halves succeeded: the source's copy is a leftover (dangling) to stop.
    r.role = Role::Stopped;
  } else if (migrate_from != nullptr && migrate_from->op_status != -1) {
    // migrate_from failed: active on the target if nothing newer says otherwise.
    if (!target_newer_state && target_node.online) {
      addActive(ws, r, target);
      r.failed = true;
    } else {
      r.failed = true;
      r.needs_stop = true;
      r.allow_migrate = false;
    }
  } else if (!target_newer_state && target_node.online) {
    // migrate_from pending or its record erased: the target may run it.
    addActive(ws, r, target);
    if (ws.nodes[static_cast<std::size_t>(source)].online) {
      r.partial_migration_source = source;
      r.partial_migration_target = target;
    }
  } else if (!source_newer_op) {
    r.failed = true;
    r.needs_stop = true;
    r.allow_migrate = false;
  }
}

}  // namespace pulse::pe
