// Action creation, after Pacemaker 2.1.5's pcmk__primitive_create_actions and the group and
// clone pseudo-actions; the planner's pass (Planner::run) that then adds the recurring monitors
// (role_monitors.cc) and the internal and configured orderings (orderings.cc).
//
// The flags are then settled along the orderings (action_flags.cc).
#include "actions.h"

#include <algorithm>

#include "action_flags.h"
#include "clone_actions.h"
#include "common/crm_bool.h"
#include "fencing.h"
#include "guest_orderings.h"
#include "load_orderings.h"
#include "migration.h"
#include "notifications.h"
#include "planner.h"
#include "remote_nodes.h"
#include "remote_orderings.h"

namespace pulse::pe {

Result<ActionPlan> Planner::run() {
  plan_.by_resource.assign(ws_.resources.size(), {});
  for (int top : ws_.top_level) createActions(top);
  fenceUnrecoverableRemoteNodes(ws_, plan_);
  orderActionsOnGuestNodes(ws_, plan_);
  orderActionsOnRemoteNodes(ws_, plan_);
  planFencing(ws_, plan_, changes_.unfence);
  if (auto e = configOrderings()) return *e;
  for (int top : ws_.top_level) internalConstraints(top);
  // Interleaved instances that cannot pair are inhibited until none is left,
  // since each inhibited instance can leave another one without a partner.
  for (bool again = true; again;) {
    again = false;
    for (const ResourceOrdering& o : orderings_) {
      again = inhibitUnpairedInstances(ws_, plan_, refOf(o)) || again;
    }
  }
  // Interleaved orderings are bound instance to instance last, once every other ordering has
  // made the instance actions it names (an instance's promote before its clone's promoted, say):
  // Pacemaker binds them while it updates the flags, after all orderings are applied.
  for (const ResourceOrdering& o : orderings_) {
    if (!interleavedOrdering(ws_, refOf(o))) expand(o);
  }
  for (const ResourceOrdering& o : orderings_) {
    if (interleavedOrdering(ws_, refOf(o))) expand(o);
  }
  for (const CloneMinOrdering& o : clone_min_) addCloneMinOrdering(ws_, plan_, o);
  applyForced();
  settleActionFlags(ws_, plan_);
  applyReloads();
  addLoadOrderings(ws_, plan_);
  addNotifications(ws_, plan_);
  leaveGuestContainerOrderingsOutOfGraph(ws_, plan_);
  return std::move(plan_);
}

void Planner::updateRunnable(PlannedAction& a) {
  if (a.pseudo) return;
  if (a.node < 0) {
    a.runnable = false;
    return;
  }
  const Node& n = ws_.nodes[static_cast<std::size_t>(a.node)];
  Resource& r = rsc(a.rsc);
  // A guest node that is down without needing a reset (its container is stopped, say) may
  // come up with its container in this transition: its actions stay runnable.
  const bool down = !n.online && (!n.guest || n.requires_reset);
  if (down || n.pending) {
    a.runnable = false;
    // A managed resource's stop that cannot run on a node that is down: the node must be
    // fenced for the resource to be known stopped.
    if (down && !n.unclean && a.task == "stop" && r.managed) {
      ws_.fenceNode(a.node, "stop is unrunnable");
    }
    return;
  }
  if (a.task != "start" && a.task != "promote") {
    a.runnable = true;
    return;
  }
  if (ws_.options.have_quorum || r.start_needs == Resource::Needs::Nothing) {
    a.runnable = true;
    return;
  }
  switch (ws_.options.no_quorum_policy) {
    case NoQuorumPolicy::Demote:
      // Promotable instances keep running (demoted, see createPrimitiveActions).
      if (r.role == Role::Promoted || r.role == Role::Unpromoted) {
        a.runnable = true;
        break;
      }
      [[fallthrough]];
    case NoQuorumPolicy::Stop:
    case NoQuorumPolicy::Suicide:
      a.runnable = false;
      a.reason = "no quorum";
      break;
    case NoQuorumPolicy::Freeze:
      if (r.running_on.empty() || r.next_role > r.role) {
        a.runnable = false;
        a.reason = "quorum freeze";
      }
      break;
    case NoQuorumPolicy::Ignore:
      a.runnable = true;
      break;
  }
}

int Planner::customAction(int r, const std::string& task, std::int64_t interval, int node,
                          bool optional, bool pseudo) {
  ActionKey mk{r, node, interval, task};
  auto it = index_.find(mk);
  int id;
  if (it == index_.end()) {
    PlannedAction a;
    a.id = static_cast<int>(plan_.actions.size());
    a.key = opKey(rsc(r).id, task, interval);
    a.task = task;
    a.rsc = r;
    a.node = node;
    a.interval_ms = interval;
    a.optional = optional;
    a.pseudo = pseudo;
    id = a.id;
    plan_.actions.push_back(std::move(a));
    index_.emplace(std::move(mk), id);
    plan_.by_resource[static_cast<std::size_t>(r)].push_back(id);
  } else {
    id = it->second;
  }
  PlannedAction& a = act(id);
  if (a.node >= 0 && !a.pseudo && !rsc(r).managed && a.interval_ms == 0) {
    a.optional = true;
  } else if (!optional) {
    a.optional = false;
  }
  updateRunnable(a);
  return id;
}

void Planner::stopResource(int r, bool optional) {
  std::vector<int> running = rsc(r).running_on;
  for (int node : running) {
    bool stop_optional = optional;
    const std::vector<int>& required = rsc(r).stop_required_on;
    if (std::find(required.begin(), required.end(), node) != required.end()) stop_optional = false;
    if (rsc(r).partial_migration_target >= 0) {
      // A resumed migration keeps the target's copy; any other copy must stop.
      if (node == rsc(r).partial_migration_target && node == rsc(r).assigned_to) continue;
      stop_optional = false;
    }
    int id = customAction(r, "stop", 0, node, stop_optional);
    if (rsc(r).assigned_to < 0) act(id).reason = "node availability";
    if (!rsc(r).managed) act(id).runnable = false;
  }
}

// A promotable clone instance's promotion where it is placed, and its
// demotion where it runs promoted.
void Planner::promoteResource(int r, bool optional) {
  if (rsc(r).assigned_to < 0) return;
  int id = customAction(r, "promote", 0, rsc(r).assigned_to, true);
  if (!optional) act(id).optional = false;
}

void Planner::demoteResource(int r, bool optional) {
  std::vector<int> running = rsc(r).running_on;
  for (int node : running) {
    int id = customAction(r, "demote", 0, node, optional);
    if (!rsc(r).managed) act(id).runnable = false;
  }
}

void Planner::startResource(int r, int node, bool optional) {
  if (node < 0) return;
  int id = customAction(r, "start", 0, node, true);
  if (act(id).runnable && !optional) act(id).optional = false;
}

// Whether the definition check made the resource's start required (a changed definition).
bool Planner::startForced(int index) const {
  return std::any_of(changes_.forced.begin(), changes_.forced.end(), [&](const ForcedAction& f) {
    return f.rsc == index && f.task == "start" && f.interval_ms == 0;
  });
}

void Planner::createPrimitiveActions(int index) {
  Resource& r = rsc(index);
  if (r.next_role == Role::Unknown) {
    r.next_role = r.assigned_to < 0 ? Role::Stopped : Role::Started;
  }
  // no-quorum-policy=demote: promotable instances stay, demoted (effective_quorum_policy).
  if (!ws_.options.have_quorum && ws_.options.no_quorum_policy == NoQuorumPolicy::Demote &&
      (r.role == Role::Promoted || r.role == Role::Unpromoted) && r.next_role > Role::Unpromoted) {
    r.next_role = Role::Unpromoted;
  }
  int current = ws_.currentNode(r);
  int clean_active = 0;
  for (int n : r.running_on) {
    if (!ws_.nodes[static_cast<std::size_t>(n)].unclean) ++clean_active;
  }
  bool need_stop = false;
  bool moving = false;
  if (current >= 0 && r.assigned_to >= 0 && current != r.assigned_to &&
      r.next_role >= Role::Started) {
    moving = true;
    need_stop = true;
  }
  bool allow_migrate = moving && canMigrate(ws_, r, current);
  if (r.partial_migration_source >= 0 || r.partial_migration_target >= 0) {
    // A migration cut short resumes only from the same source to the same target; otherwise
    // both copies stop (Pacemaker's "can no longer migrate" recovery).
    const bool resumes = allow_migrate && r.running_on.size() == 2 &&
                         current == r.partial_migration_source &&
                         r.assigned_to == r.partial_migration_target;
    if (!resumes) {
      need_stop = true;
      r.partial_migration_source = r.partial_migration_target = -1;
      allow_migrate = false;
    }
  } else if (clean_active > 1) {
    need_stop = true;  // multiple-active: stop everywhere, start once
  }
  if (r.start_pending && r.assigned_to >= 0) {
    int id = customAction(index, "start", 0, r.assigned_to, true);
    act(id).print_always = true;
  }
  bool need_promote = false;
  if (!moving) {
    if (r.failed) {
      if (r.needs_stop) {
        need_stop = true;
      } else if (r.next_role == Role::Promoted) {
        need_promote = true;  // recovered by demotion, then promoted again
      }
    } else if (r.blocked) {
      need_stop = true;
    } else if (r.role == Role::Promoted && r.next_role == Role::Promoted && current >= 0 &&
               r.assigned_to >= 0 && startForced(index)) {
      // A resource staying promoted whose definition changed restarts fully, back up to
      // promoted (the changed definition's required action is already there when
      // pcmk__primitive_create_actions runs). One being demoted anyway is only demoted.
      need_stop = true;
    }
  }
  // Down to stopped on the current node(s), then back up to the current
  // role on the assigned node: optional unless a stop is needed.
  if (r.role != Role::Stopped && r.role != Role::Unknown) {
    if (r.role == Role::Promoted) demoteResource(index, !need_stop);
    stopResource(index, !need_stop);
    if (r.role <= r.next_role && !r.blocked) {
      startResource(index, r.assigned_to, !need_stop);
      if (r.role == Role::Promoted) promoteResource(index, !(need_stop || need_promote));
    } else if (moving && !r.blocked) {
      // A promoted instance moving to run unpromoted elsewhere (its node is leaving, another
      // instance takes the promotion): stopped here, it must start there before the role's
      // monitor can run, as Pacemaker's graph has it. The demotion below is the one above.
      startResource(index, r.assigned_to, false);
    } else if (r.role == Role::Promoted && current >= 0 && r.assigned_to >= 0 && !r.blocked &&
               !startForced(index)) {
      // A promoted resource staying where it is gets an optional start even when it is only
      // being demoted (Pacemaker's "Creating start action for promoted resource"): an ordering
      // that requires it (say, after a recovered "first") restarts the instance, which then
      // shows as "Restart ... (Promoted -> Unpromoted node)" rather than a demotion. One whose
      // definition changed is only demoted, as above (scheduler test bug-1572-2).
      startResource(index, r.assigned_to, true);
    }
  }
  // Then from the current role to the next one.
  if (r.role != r.next_role) {
    if (r.next_role == Role::Stopped) {
      if (r.role == Role::Promoted) demoteResource(index, false);
      stopResource(index, false);
    } else if (r.role <= Role::Stopped && r.next_role >= Role::Started) {
      startResource(index, r.assigned_to, false);
      if (r.next_role == Role::Promoted) promoteResource(index, false);
    } else if (r.role == Role::Unpromoted && r.next_role == Role::Promoted) {
      promoteResource(index, false);
    } else if (r.role == Role::Promoted && r.next_role == Role::Unpromoted) {
      demoteResource(index, false);
    } else if (r.role == Role::Promoted && r.next_role == Role::Started) {
      // A resource promoted that should merely run (not a promotable instance): Pacemaker's
      // role matrix goes Promoted -> Unpromoted -> Stopped -> Started, so demote, stop and
      // start again where it is placed.
      demoteResource(index, false);
      stopResource(index, false);
      startResource(index, r.assigned_to, false);
    }
  }
  createRecurring(index);
  if (allow_migrate) planMigration(ws_, plan_, index, current);
  blockStartUntilProbed(index);
}

// A resource active nowhere starts only once probed on every member where its state is
// unknown; a member still joining (pending) cannot run the probe, so the start cannot
// run either (the probe's ordering before the start, pcmk__probe_rsc_on_node).
void Planner::blockStartUntilProbed(int index) {
  const Resource& r = rsc(index);
  if (!r.running_on.empty() || r.orphan) return;
  auto probes = ws_.cib->cluster_options.find("enable-startup-probes");
  if (probes != ws_.cib->cluster_options.end() && !crmIsTrue(probes->second)) return;
  for (std::size_t n = 0; n < ws_.nodes.size(); ++n) {
    const Node& node = ws_.nodes[n];
    if (!node.online || node.unclean || !node.pending) continue;
    const int where = static_cast<int>(n);
    if (std::find(r.known_on.begin(), r.known_on.end(), where) != r.known_on.end()) continue;
    for (int id : actionsOf(index, "start")) act(id).runnable = false;
    return;
  }
}

// A clone: its instances' actions and the clone's pseudo-actions around them.
void Planner::createCloneActions(int index) {
  bool stopping = false, starting = false, active = false;
  // What is ordered before the clone's stop may still migrate unless an instance is moved or
  // restarted (stops and starts): Pacemaker's allow_dependent_migrations.
  bool allow_dependent_migrations = true;
  std::vector<int> children = rsc(index).children;
  for (int c : children) {
    createActions(c);
    bool child_stopping = false, child_starting = false;
    scanCloneInstance(ws_, plan_, c, child_stopping, child_starting, active);
    if (child_stopping && child_starting) allow_dependent_migrations = false;
    stopping = stopping || child_stopping;
    starting = starting || child_starting;
  }
  act(customAction(index, "start", 0, -1, !starting, true)).runnable = true;
  act(customAction(index, "running", 0, -1, !starting, true)).runnable = active || starting;
  PlannedAction& stop = act(customAction(index, "stop", 0, -1, !stopping, true));
  stop.runnable = true;
  stop.migrate_runnable = allow_dependent_migrations;
  act(customAction(index, "stopped", 0, -1, !stopping, true)).runnable = true;
  if (rsc(index).promotable) {
    for (const char* task : {"promote", "promoted", "demote", "demoted"}) {
      act(customAction(index, task, 0, -1, true, true)).runnable = true;
    }
  }
}

void Planner::createActions(int index) {
  Resource& r = rsc(index);
  if (isClone(r)) {
    createCloneActions(index);
    return;
  }
  if (!isGroup(r)) {
    createPrimitiveActions(index);
    return;
  }
  std::vector<int> children = r.children;
  for (int c : children) createPrimitiveActions(c);
  for (const char* task : {"start", "running", "stop", "stopped"}) {
    int id = customAction(index, task, 0, -1, true, true);
    act(id).runnable = true;
  }
  if (inPromotableClone(ws_, rsc(index))) {
    for (const char* task : {"promote", "promoted", "demote", "demoted"}) {
      act(customAction(index, task, 0, -1, true, true)).runnable = true;
    }
  }
}

// Definition changes: the start (or recurring monitor) must run again.
void Planner::applyForced() {
  for (const ForcedAction& f : changes_.forced) {
    for (int id : plan_.by_resource[static_cast<std::size_t>(f.rsc)]) {
      PlannedAction& a = act(id);
      if (a.task != f.task || a.interval_ms != f.interval_ms) continue;
      if (a.optional) {
        a.optional = false;
        if (a.task != "stop") a.reason = "resource definition change";
      }
    }
  }
}

// A reload replaces a restart unless the resource is stopped there anyway.
void Planner::applyReloads() {
  for (const auto& [r, node] : changes_.reloads) {
    bool stopping = false;
    for (int id : actionsOf(r, "stop", node)) stopping = stopping || !act(id).optional;
    if (stopping) continue;
    int id = customAction(r, "reload-agent", 0, node, false);
    act(id).reason = "resource definition change";
    plan_.reloading.push_back(r);
  }
}

void addPlanEdge(ActionPlan& plan, int first, int then, std::uint32_t flags, Origin origin) {
  if (first == then) return;
  // An ordering of the same two actions that shares a flag with one already there is dropped
  // whole (Pacemaker's order_actions filters such duplicates): an unordered group's "start the
  // group, then each member (implies then)" loses to the "implies first printed" ordering of
  // the same pair, so a member that keeps running is not restarted when another one starts.
  for (int existing : plan.actions[static_cast<std::size_t>(first)].after) {
    const ActionEdge& edge = plan.edges[static_cast<std::size_t>(existing)];
    if (edge.then == then && (edge.flags & flags) != 0) return;
  }
  int e = static_cast<int>(plan.edges.size());
  plan.edges.push_back({first, then, flags, std::move(origin)});
  plan.actions[static_cast<std::size_t>(first)].after.push_back(e);
  plan.actions[static_cast<std::size_t>(then)].before.push_back(e);
}

Result<ActionPlan> planActions(WorkingSet& ws, const ConfigChanges& changes) {
  return Planner(ws, changes).run();
}

bool edgeInGraph(const ActionPlan& plan, const ActionEdge& e) {
  const PlannedAction& first = plan.actions[static_cast<std::size_t>(e.first)];
  if (e.flags & kOrderNotInGraph) return false;
  if ((e.flags & kOrderImpliesFirstMigratable) && !first.runnable) return false;
  if ((e.flags & kOrderApplyFirstNonMigratable) && first.migrate_runnable) return false;
  if (e.flags == kOrderOptional && first.migrate_runnable && first.task == "stop") return false;
  return true;
}

bool inGraph(const WorkingSet& ws, const PlannedAction& a) {
  // Unfencing is decided and reported, but the controller cannot carry it out yet: it stays
  // out of the graph so that what waits for it still runs (as before it was modelled).
  if (a.rsc < 0 && isUnfencing(a)) return false;
  // A pseudo-action of no resource joins orderings: it is kept when required
  // or when a required action runs before it.
  if (a.rsc < 0 && a.pseudo) return a.runnable && (!a.optional || a.print_always);
  if (a.optional || !a.runnable) return false;
  if (a.rsc >= 0 && !ws.resources[static_cast<std::size_t>(a.rsc)].managed && a.task != "monitor") {
    return false;
  }
  return true;
}

std::vector<int> actionsWithTask(const ActionPlan& plan, int rsc, const std::string& task,
                                 int node) {
  std::vector<int> out;
  for (int id : plan.by_resource[static_cast<std::size_t>(rsc)]) {
    const PlannedAction& a = plan.actions[static_cast<std::size_t>(id)];
    if (a.task == task && a.interval_ms == 0 && (node < 0 || a.node == node)) out.push_back(id);
  }
  return out;
}

const PlannedAction* findAction(const ActionPlan& plan, int rsc, const std::string& task,
                                int node) {
  for (int id : plan.by_resource[static_cast<std::size_t>(rsc)]) {
    const PlannedAction& a = plan.actions[static_cast<std::size_t>(id)];
    if (a.task == task && a.interval_ms == 0 && (node < 0 || a.node == node)) return &a;
  }
  return nullptr;
}

}  // namespace pulse::pe
