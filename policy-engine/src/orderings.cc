// Orderings between actions: the configured rsc_order constraints, the internal orderings of
// primitives, groups and clones (Pacemaker 2.1.5's *_internal_constraints), and their expansion
// from resources to the actions the planner created.
#include "clone_actions.h"
#include "container_fillers.h"
#include "migration.h"
#include "planner.h"

namespace pulse::pe {
namespace {

std::string invertTask(const std::string& task) {
  if (task == "start") return "stop";
  if (task == "stop") return "start";
  if (task == "promote") return "demote";
  if (task == "demote") return "promote";
  return "";
}

}  // namespace

std::optional<Error> Planner::configOrderings() {
  for (const OrderConstraint& oc : ws_.cib->orders) {
    auto where = "<rsc_order id=\"" + oc.id + "\"> (line " + std::to_string(oc.line) + ")";
    origin_ = where;
    int first = ws_.findResource(oc.first);
    int then = ws_.findResource(oc.then);
    if (!oc.sets.empty()) {
      auto set_orderings = orderSetOrderings(ws_, oc);
      if (!set_orderings) return set_orderings.error();
      orderings_.insert(orderings_.end(), set_orderings->begin(), set_orderings->end());
      continue;
    }
    if (first < 0) return Error{where + ": resource '" + oc.first + "' does not exist"};
    if (then < 0) return Error{where + ": resource '" + oc.then + "' does not exist"};
    // Pacemaker orders one resource's actions among themselves (demote before promote, say);
    // only an action after itself is a loop.
    if (first == then && oc.first_action == oc.then_action) {
      return Error{where + ": an action cannot be ordered after itself"};
    }
    bool symmetric;
    if (oc.symmetrical.has_value()) {
      symmetric = *oc.symmetrical && oc.kind != OrderConstraint::Kind::Serialize;
    } else {
      symmetric = oc.kind != OrderConstraint::Kind::Serialize;
    }
    auto flagsFor = [&](const std::string& first_action, int symmetry) {
      std::uint32_t flags = kOrderOptional;
      if (oc.kind == OrderConstraint::Kind::Serialize) flags |= kOrderSerializeOnly;
      if (oc.kind == OrderConstraint::Kind::Mandatory) {
        if (symmetry == 0) {
          flags |= kOrderAsymmetrical;
        } else if (symmetry == 1) {
          flags |= kOrderImpliesThen;
          if (first_action == "start" || first_action == "promote") flags |= kOrderRunnableLeft;
        } else {
          flags |= kOrderImpliesFirst;
        }
      }
      return flags;
    };
    // Legacy restart-type=restart makes an optional ordering restart `then`.
    auto rt = rsc(then).meta.find("restart-type");
    bool restart_type = oc.kind == OrderConstraint::Kind::Optional && rt != rsc(then).meta.end() &&
                        rt->second == "restart";
    std::uint32_t flags = flagsFor(oc.first_action, symmetric ? 1 : 0) |
                          (restart_type ? std::uint32_t{kOrderImpliesThen} : 0u);
    int minimum = minimumFirstInstances(ws_, first, oc);
    if (minimum > 0) {
      clone_min_.push_back({oc.id, first, oc.first_action, then, oc.then_action, flags, minimum});
    } else {
      order(first, oc.first_action, then, oc.then_action, flags);
    }
    if (symmetric) {
      std::string inv_first = invertTask(oc.first_action);
      std::string inv_then = invertTask(oc.then_action);
      if (!inv_first.empty() && !inv_then.empty()) {
        order(then, inv_then, first, inv_first,
              flagsFor(inv_first, 2) | (restart_type ? std::uint32_t{kOrderImpliesFirst} : 0u));
      }
    }
  }
  return std::nullopt;
}

// Pacemaker's clone_internal_constraints: the clone starts when its
// instances start (one after another when ordered) and stops likewise.
void Planner::cloneConstraints(int index) {
  origin_ = "the clone " + rsc(index).id;
  order(index, "stopped", index, "start", kOrderOptional);
  order(index, "start", index, "running", kOrderRunnableLeft);
  order(index, "stop", index, "stopped", kOrderRunnableLeft);
  int last = -1;
  std::vector<int> children = rsc(index).children;
  for (int child : children) {
    internalConstraints(child);
    origin_ = "the clone " + rsc(index).id;
    order(index, "start", child, "start", kOrderRunnableLeft | kOrderImpliesFirstPrinted);
    order(child, "start", index, "running", kOrderImpliesThenPrinted);
    if (rsc(index).clone_ordered && last >= 0) order(last, "start", child, "start", kOrderOptional);
    order(index, "stop", child, "stop", kOrderImpliesFirstPrinted);
    order(child, "stop", index, "stopped", kOrderImpliesThenPrinted);
    if (rsc(index).clone_ordered && last >= 0) order(child, "stop", last, "stop", kOrderOptional);
    if (rsc(index).promotable) {
      order(index, "promote", child, "promote", kOrderRunnableLeft | kOrderImpliesFirstPrinted);
      order(child, "promote", index, "promoted", kOrderImpliesThenPrinted);
      order(index, "demote", child, "demote", kOrderImpliesFirstPrinted);
      order(child, "demote", index, "demoted", kOrderImpliesThenPrinted);
    }
    last = child;
  }
  if (rsc(index).promotable) {
    // Pacemaker's promotable ordering: demote, stop, start, then promote.
    order(index, "demoted", index, "stop", kOrderOptional);
    order(index, "running", index, "promote", kOrderRunnableLeft);
    order(index, "promote", index, "promoted", kOrderRunnableLeft);
    order(index, "demote", index, "demoted", kOrderRunnableLeft);
    order(index, "demoted", index, "promote", kOrderOptional);
  }
}

void Planner::internalConstraints(int index) {
  Resource& r = rsc(index);
  if (isClone(r)) {
    cloneConstraints(index);
    return;
  }
  origin_ = isGroup(r) ? "the group " + r.id : "stop before start of " + r.id;
  if (!isGroup(r)) {
    if (r.managed)
      order(index, "stop", index, "start", kOrderOptional | kOrderImpliesThen | kOrderRestart);
    // A filler, or a guest node's connection, starts after its container and stops before it.
    if (r.container >= 0 && fillerRemoteConnection(ws_, r) < 0) {
      order(r.container, "start", index, "start", kOrderImpliesThen | kOrderRunnableLeft);
      order(index, "stop", r.container, "stop", kOrderImpliesFirst);
    }
    // A promotable instance, or any resource promoted now (one that is promoted where it
    // should not be, say): demote before stop, start before promote.
    if (inPromotableClone(ws_, r) || r.role > Role::Unpromoted) {
      order(index, "demote", index, "stop", kOrderPromotedImpliesFirst);
      order(index, "start", index, "promote", kOrderRunnableLeft);
    }
    if (inPromotableClone(ws_, r)) order(index, "demote", index, "promote", kOrderOptional);
    return;
  }
  order(index, "stop", index, "stopped", kOrderRunnableLeft);
  order(index, "stopped", index, "start", kOrderOptional);
  order(index, "start", index, "running", kOrderRunnableLeft);
  if (inPromotableClone(ws_, r)) {
    order(index, "demote", index, "demoted", kOrderRunnableLeft);
    order(index, "demoted", index, "promote", kOrderOptional);
    order(index, "promote", index, "promoted", kOrderRunnableLeft);
  }
  int previous = -1;
  int last_active = -1;
  std::vector<int> children = r.children;
  for (int member : children) {
    internalConstraints(member);
    origin_ = "the group " + r.id;
    std::uint32_t down = kOrderImpliesFirstPrinted;
    std::uint32_t post_down = kOrderImpliesThenPrinted;
    if (previous < 0 && r.group_ordered) {
      down |= kOrderOptional;
      post_down = kOrderImpliesThen;
    }
    order(index, "stop", member, "stop", down);
    order(member, "stop", index, "stopped", post_down);
    if (inPromotableClone(ws_, r)) {
      // A cloned group of a promotable clone is promoted and demoted member by member.
      order(member, "promote", index, "promoted",
            kOrderRunnableLeft | kOrderImpliesThen | kOrderImpliesThenPrinted);
      order(index, "promote", member, "promote", kOrderImpliesFirstPrinted);
      order(member, "demote", index, "demoted", kOrderImpliesThen | kOrderImpliesThenPrinted);
      order(index, "demote", member, "demote", kOrderImpliesFirstPrinted);
      if (previous >= 0 && r.group_ordered) {
        order(previous, "promote", member, "promote", kOrderOptional);
        order(member, "demote", previous, "demote", kOrderOptional);
      }
    }
    order(index, "start", member, "start", kOrderImpliesFirstPrinted);
    order(member, "start", index, "running",
          kOrderRunnableLeft | kOrderImpliesThen | kOrderImpliesThenPrinted);
    if (!r.group_ordered) {
      order(index, "start", member, "start",
            kOrderImpliesThen | kOrderRunnableLeft | kOrderImpliesFirstPrinted);
    } else if (previous < 0) {
      order(index, "start", member, "start", kOrderNone);
    } else {
      order(previous, "start", member, "start", kOrderImpliesThen | kOrderRunnableLeft);
      order(member, "stop", previous, "stop", kOrderOptional | kOrderRestart);
    }
    if (!rsc(member).running_on.empty()) {
      if (r.group_ordered && previous >= 0 && rsc(previous).running_on.empty() &&
          last_active >= 0 && !rsc(last_active).running_on.empty()) {
        order(member, "stop", last_active, "stop", kOrderOptional);
      }
      last_active = member;
    }
    previous = member;
  }
}

// A pseudo-action of no resource (Pacemaker's get_pseudo_op): optional and
// runnable until the orderings into it say otherwise.
int Planner::pseudoAction(const std::string& name) {
  ActionKey mk{kPseudoResource, -1, 0, name};
  auto it = index_.find(mk);
  if (it != index_.end()) return it->second;
  PlannedAction a;
  a.id = static_cast<int>(plan_.actions.size());
  a.key = name;
  a.task = name;
  a.pseudo = true;
  // A set with require-all="false": runnable once one of its members can act.
  if (name.rfind("one-or-more:", 0) == 0) a.required_runnable_before = 1;
  plan_.actions.push_back(std::move(a));
  index_.emplace(std::move(mk), plan_.actions.back().id);
  return plan_.actions.back().id;
}

void Planner::expand(const ResourceOrdering& o) {
  if (o.first_rsc < 0 || o.then_rsc < 0) {
    expandWithPseudo(o);
    return;
  }
  std::string first_task = o.first_task;
  // An ordering after a group or clone waits for all of it ("running"/"stopped").
  if (o.first_rsc != o.then_rsc && (isGroup(rsc(o.first_rsc)) || isClone(rsc(o.first_rsc))) &&
      rsc(o.then_rsc).parent != o.first_rsc) {
    if (first_task == "start") first_task = "running";
    if (first_task == "stop") first_task = "stopped";
    if (first_task == "promote") first_task = "promoted";
    if (first_task == "demote") first_task = "demoted";
  }
  if (expandInterleavedOrdering(ws_, plan_, refOf(o), first_task)) return;
  std::vector<int> firsts = actionsOf(o.first_rsc, first_task);
  if (firsts.empty()) {
    if (o.first_rsc == o.then_rsc) return;
    Role state = rsc(o.first_rsc).role;
    if (state == Role::Stopped && first_task == "stop") return;
    int id = customAction(o.first_rsc, first_task, 0, -1, true);
    firsts.push_back(id);
  }
  std::vector<int> thens = actionsOf(o.then_rsc, o.then_task);
  if (thens.empty()) return;
  for (int f : firsts) {
    for (int t : thens) addEdge(f, t, o.flags, o.origin);
  }
  orderMigrationEquivalents(o, first_task);
}

// pcmk__order_migration_equivalents: an ordering between two unrelated resources holds
// for their migrations too (a migrating resource's start is a pseudo action that comes
// last, so its migrate_to is what must wait).
void Planner::orderMigrationEquivalents(const ResourceOrdering& o, const std::string& first_task) {
  const Resource& first = rsc(o.first_rsc);
  const Resource& then = rsc(o.then_rsc);
  if (o.first_rsc == o.then_rsc || first.parent == o.then_rsc || then.parent == o.first_rsc) {
    return;
  }
  const bool first_migratable = first.allow_migrate;
  const bool then_migratable = then.allow_migrate;
  auto link = [&](const std::string& first_action, std::uint32_t flags) {
    for (int f : actionsOf(o.first_rsc, first_action)) {
      for (int t : actionsOf(o.then_rsc, "migrate_to")) addEdge(f, t, flags, o.origin);
    }
  };
  const std::uint32_t unless_migrating = first_migratable ? kOrderApplyFirstNonMigratable : 0u;
  if (first_task == "start" && o.then_task == "start") {
    if (first_migratable && then_migratable) link("migrate_from", kOrderOptional);
    if (then_migratable) link("start", kOrderOptional | unless_migrating);
  } else if (then_migratable && first_task == "stop" && o.then_task == "stop") {
    link("stop", kOrderOptional | unless_migrating);
  }
}

// An ordering into or out of a pseudo-action. Unlike an ordering between
// resources, a group's start before it stays the group's own start action
// (Pacemaker remaps to running/stopped only between two resources' actions).
void Planner::expandWithPseudo(const ResourceOrdering& o) {
  std::vector<int> firsts, thens;
  if (o.first_rsc < 0) {
    firsts.push_back(pseudoAction(o.first_task));
  } else {
    const std::string& task = o.first_task;
    firsts = actionsOf(o.first_rsc, task);
    if (firsts.empty()) {
      if (rsc(o.first_rsc).role == Role::Stopped && task == "stop") return;
      firsts.push_back(customAction(o.first_rsc, task, 0, -1, true));
    }
  }
  if (o.then_rsc < 0) {
    thens.push_back(pseudoAction(o.then_task));
  } else {
    thens = actionsOf(o.then_rsc, o.then_task);
  }
  for (int f : firsts) {
    for (int t : thens) addEdge(f, t, o.flags, o.origin);
  }
}

}  // namespace pulse::pe
