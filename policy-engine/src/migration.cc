#include "migration.h"

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
  const int migrate_to = newAction(plan, r, "migrate_to", current, runnable);
  const int migrate_from = newAction(plan, r, "migrate_from", r.assigned_to, runnable);
  PlannedAction& start_action = plan.actions[static_cast<std::size_t>(start)];
  start_action.migrate_runnable = true;
  start_action.pseudo = true;  // the migration starts it
  plan.actions[static_cast<std::size_t>(stop)].migrate_runnable = true;
  const std::string origin = "migration of " + r.id;
  addPlanEdge(plan, migrate_to, migrate_from, kOrderOptional | kOrderImpliesFirstMigratable,
              origin);
  addPlanEdge(plan, migrate_from, stop, kOrderOptional | kOrderImpliesFirstMigratable, origin);
  addPlanEdge(plan, migrate_from, start,
              kOrderOptional | kOrderImpliesFirstMigratable | kOrderPseudoLeft, origin);
}

}  // namespace pulse::pe
