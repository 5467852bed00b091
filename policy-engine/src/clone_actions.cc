// Clone-specific action planning: the instance scan behind the clone's
// pseudo-actions, interleaved orderings bound instance by instance, and
// clone-min orderings (Pacemaker 2.1.5's clone_update_pseudo_status,
// multi_update_interleave_actions and clone_min_ordering).
#include "clone_actions.h"

#include "clone_assign.h"

namespace pulse::pe {
namespace {

Resource& rsc(WorkingSet& ws, int i) { return ws.resources[static_cast<std::size_t>(i)]; }
PlannedAction& act(ActionPlan& plan, int i) { return plan.actions[static_cast<std::size_t>(i)]; }

// An instance that cannot pair with an instance of the clone it is
// interleaved after is not started (Pacemaker assigns it nowhere).
void inhibit(WorkingSet& ws, ActionPlan& plan, int index) {
  std::vector<int> children = rsc(ws, index).children;
  for (int c : children) inhibit(ws, plan, c);
  if (!children.empty()) return;
  Resource& r = rsc(ws, index);
  r.assigned_to = -1;
  r.next_role = Role::Stopped;
  for (int p = r.parent; p >= 0 && !isClone(rsc(ws, p)); p = rsc(ws, p).parent) {
    rsc(ws, p).assigned_to = -1;
  }
  for (int id : plan.by_resource[static_cast<std::size_t>(index)]) {
    PlannedAction& a = act(plan, id);
    if (a.task == "stop") {
      a.optional = false;
    } else {
      a.runnable = false;
    }
  }
}

// Whose interleave decides: the clone after for starts, the clone before for stops.
// An ordering with a resource-less side (a set's one-or-more pseudo action, rsc -1) is never
// interleaved.
bool interleaved(WorkingSet& ws, const ResourceOrderingRef& o) {
  if (o.first_rsc < 0 || o.then_rsc < 0) return false;
  const Resource& first = rsc(ws, o.first_rsc);
  const Resource& then = rsc(ws, o.then_rsc);
  if (o.first_rsc == o.then_rsc || !isClone(first) || !isClone(then)) return false;
  bool by_first = o.then_task == "stop" || o.then_task == "demote";
  return (by_first ? first : then).interleave;
}

}  // namespace

bool interleavedOrdering(WorkingSet& ws, const ResourceOrderingRef& o) {
  return interleaved(ws, o);
}

void scanCloneInstance(const WorkingSet& ws, const ActionPlan& plan, int index, bool& stopping,
                       bool& starting, bool& active) {
  const Resource& r = ws.resources[static_cast<std::size_t>(index)];
  if (!r.children.empty()) {
    for (int c : r.children) scanCloneInstance(ws, plan, c, stopping, starting, active);
    return;
  }
  if (!r.running_on.empty()) active = true;
  for (int id : plan.by_resource[static_cast<std::size_t>(index)]) {
    const PlannedAction& a = plan.actions[static_cast<std::size_t>(id)];
    if (a.optional || !(a.pseudo || a.runnable)) continue;
    if (a.task == "stop") stopping = true;
    if (a.task == "start" && a.runnable) starting = true;
  }
}

bool inhibitUnpairedInstances(WorkingSet& ws, ActionPlan& plan, const ResourceOrderingRef& o) {
  if (!interleaved(ws, o) || !(o.flags & (kOrderRunnableLeft | kOrderImpliesThen))) return false;
  if (o.first_task != "start" && o.first_task != "promote") return false;
  bool any = false;
  std::vector<int> children = rsc(ws, o.then_rsc).children;
  for (int then_child : children) {
    if (placedOn(ws, rsc(ws, then_child), false) < 0) continue;
    if (compatibleInstance(ws, then_child, o.first_rsc, false) >= 0) continue;
    inhibit(ws, plan, then_child);
    any = true;
  }
  return any;
}

bool expandInterleavedOrdering(WorkingSet& ws, ActionPlan& plan, const ResourceOrderingRef& o,
                               const std::string& first_task) {
  if (!interleaved(ws, o)) return false;
  bool current = first_task == "stopped" || first_task == "demoted";
  std::string child_task = first_task == "running"    ? "start"
                           : first_task == "stopped"  ? "stop"
                           : first_task == "promoted" ? "promote"
                           : first_task == "demoted"  ? "demote"
                                                      : first_task;
  std::vector<int> children = rsc(ws, o.then_rsc).children;
  for (int then_child : children) {
    int first_child = compatibleInstance(ws, then_child, o.first_rsc, current);
    if (first_child < 0) {
      if (!current && (o.flags & (kOrderRunnableLeft | kOrderImpliesThen))) {
        inhibit(ws, plan, then_child);
      }
      continue;
    }
    auto firsts = actionsWithTask(plan, first_child, child_task, -1);
    auto thens = actionsWithTask(plan, then_child, o.then_task, -1);
    if (firsts.empty() || thens.empty()) continue;
    addPlanEdge(plan, firsts.front(), thens.front(), o.flags, o.origin);
  }
  return true;
}

int minimumFirstInstances(const WorkingSet& ws, int first, const OrderConstraint& oc) {
  const Resource& r = ws.resources[static_cast<std::size_t>(first)];
  if (!isClone(r)) return 0;
  if (r.meta.count("clone-min")) return r.clone_min;
  return oc.require_all.has_value() && !*oc.require_all ? 1 : 0;
}

void addCloneMinOrdering(WorkingSet& ws, ActionPlan& plan, const CloneMinOrdering& o) {
  PlannedAction a;
  a.id = static_cast<int>(plan.actions.size());
  a.key = "clone-one-or-more:" + o.id;
  a.task = a.key;
  a.pseudo = true;
  a.required_runnable_before = o.minimum;
  int met = a.id;
  plan.actions.push_back(std::move(a));
  const Origin origin("<rsc_order id=\"" + o.id + "\"> (clone-min)");
  std::vector<int> children = rsc(ws, o.first).children;
  for (int child : children) {
    for (int f : actionsWithTask(plan, child, o.first_task, -1)) {
      addPlanEdge(plan, f, met, kOrderOneOrMore | kOrderImpliesThenPrinted, origin);
    }
  }
  for (int t : actionsWithTask(plan, o.then, o.then_task, -1)) {
    addPlanEdge(plan, met, t, o.flags | kOrderRunnableLeft, origin);
  }
}

}  // namespace pulse::pe
