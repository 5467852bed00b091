// Recurring monitors, after Pacemaker 2.1.5's pcmk__create_recurring_actions: a monitor per
// configured interval where the resource will run, for the role it will run in, and the
// cancellation of a monitor of the role it is leaving.
#include <algorithm>

#include "common/crm_bool.h"
#include "planner.h"

namespace pulse::pe {

bool Planner::inMaintenance(const Resource& r) {
  if (ws_.options.maintenance_mode) return true;
  if (ws_.nodes[static_cast<std::size_t>(r.assigned_to)].maintenance) return true;
  auto m = r.meta.find("maintenance");
  return m != r.meta.end() && crmIsTrue(m->second);
}

void Planner::createRecurring(int index) {
  Resource& r = rsc(index);
  if (r.config == nullptr || r.assigned_to < 0 || r.next_role < Role::Started) return;
  // Blocked resources and those in maintenance are not monitored
  // (pcmk__create_recurring_actions).
  if (r.blocked || inMaintenance(r)) return;
  for (const OperationConfig& op : r.config->ops) {
    if (op.name != "monitor" || op.interval_ms <= 0) continue;
    // Two ops with one name and interval (say a monitor per role, both every 10 s) are a
    // configuration error: neither is scheduled (Pacemaker's is_op_dup).
    if (std::count_if(r.config->ops.begin(), r.config->ops.end(), [&](const auto& other) {
          return other.name == op.name && other.interval_ms == op.interval_ms;
        }) > 1)
      continue;
    const Role op_role = op.role.empty() ? Role::Unknown : parseRole(op.role);
    if (op_role == Role::Stopped) continue;
    auto enabled = op.attributes.find("enabled");
    if (enabled != op.attributes.end() && enabled->second == "false") continue;
    // A monitor is needed where the resource starts, and where it stays
    // unless the history shows this monitor already running there (as after
    // a probe found the resource active). Pacemaker's
    // active_recurring_should_be_optional; a changed definition is applyForced's.
    auto starts = actionsOf(index, "start", r.assigned_to);
    bool starting = !starts.empty() && !act(starts[0]).optional;
    bool kept = !starting && r.recurringActive(r.assigned_to, op.name, op.interval_ms);
    // A monitor configured for a role watches only an instance in that role; one without a
    // role watches every role but Promoted (recurring_op_for_active). A monitor of the other
    // role that runs there now is cancelled before the role changes.
    if ((op_role != Role::Unknown && op_role != r.next_role) ||
        (op_role == Role::Unknown && r.next_role == Role::Promoted)) {
      if (kept) cancelRecurring(index, op.interval_ms);
      continue;
    }
    int monitor = customAction(index, "monitor", op.interval_ms, r.assigned_to, kept);
    // A monitor runs after the start it watches, and cannot run if that start cannot.
    for (int start : starts) {
      addEdge(start, monitor, kOrderImpliesThen | kOrderRunnableLeft,
              "monitor after start of " + r.id);
    }
    // ... and after the promotion or demotion that puts the instance in its role.
    const char* change = r.next_role == Role::Promoted ? "promote"
                         : r.role == Role::Promoted    ? "demote"
                                                       : nullptr;
    if (change != nullptr) {
      for (int id : actionsOf(index, change, r.assigned_to)) {
        addEdge(id, monitor, kOrderOptional | kOrderRunnableLeft,
                "monitor after " + std::string(change) + " of " + r.id);
      }
    }
  }
}

// Cancels the recurring monitor `interval_ms` where the resource is assigned, before its
// promotion, demotion or stop there (Pacemaker's cancel ordering by the current role).
void Planner::cancelRecurring(int index, std::int64_t interval_ms) {
  const Resource& r = rsc(index);
  const int cancel = customAction(index, "cancel", interval_ms, r.assigned_to, false);
  const char* before = nullptr;
  if (r.role == Role::Promoted) {
    before = "demote";
  } else if (r.role == Role::Unpromoted || r.role == Role::Started) {
    before = r.next_role == Role::Promoted  ? "promote"
             : r.next_role == Role::Stopped ? "stop"
                                            : nullptr;
  }
  if (before == nullptr) return;
  for (int id : actionsOf(index, before, r.assigned_to)) {
    addEdge(cancel, id, kOrderRunnableLeft, "cancel before " + std::string(before));
  }
}

}  // namespace pulse::pe
