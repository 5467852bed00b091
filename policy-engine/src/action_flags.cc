#include "action_flags.h"

#include <array>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pulse::pe {
namespace {

bool isGroup(const Resource& r) { return r.kind == ResourceConfig::Kind::Group; }

// Maps a group's task to the task of its members ("running" -> "start").
std::string_view memberTask(std::string_view task) {
  if (task == "running") return "start";
  if (task == "stopped") return "stop";
  if (task == "promoted") return "promote";
  if (task == "demoted") return "demote";
  return task;
}

class FlagSettler {
 public:
  FlagSettler(WorkingSet& ws, ActionPlan& plan) : ws_(ws), plan_(plan) {}

  // Flags a group action presents to orderings, from its members' actions.
  struct Flags {
    bool optional, runnable;
    bool migrate_runnable = false;
  };
  // A clone action is required when any instance's is, and runnable when
  // any instance's is (Pacemaker's summary_action_flags).
  //
  // Asked for every ordering a clone action is in (instances x orderings per clone), so the
  // answer is kept with the epoch it was computed at: it depends only on the flags of the
  // instances' actions, and while no flag has changed since (same epoch) asking again would
  // give the same answer and change nothing.
  Flags cloneFlagsOf(int id, int node) {
    const std::uint64_t key = cacheKey(id, node);
    if (auto it = clone_flags_.find(key); it != clone_flags_.end() && it->second.epoch == epoch_) {
      return it->second.flags;
    }
    Flags f{true, true};
    bool any_runnable = false;
    for (const InstanceAction& ia : instanceActions(id, node)) {
      Flags cf = ia.whole ? groupFlagsOf(ia.action, node) : flagsOf(ia.action);
      if (f.optional && !cf.optional) {
        f.optional = false;
        clearFlag(act(id).optional);
      }
      if (cf.runnable) any_runnable = true;
    }
    if (!any_runnable) {
      f.runnable = false;
      if (node < 0) clearFlag(act(id).runnable);
    }
    clone_flags_[key] = {epoch_, f};
    return f;
  }

  // With `node` (the node of the action on the other side of an ordering), a
  // clone action is required only when an instance action on that node is;
  // it stays runnable when any instance's is (action_flags_for_ordering).
  Flags flagsOf(int id, int node = -1) {
    PlannedAction& a = act(id);
    if (a.rsc >= 0 && isClone(rsc(a.rsc))) {
      Flags anywhere = cloneFlagsOf(id, -1);
      if (node < 0) return anywhere;
      Flags here = cloneFlagsOf(id, node);
      return {here.optional, anywhere.runnable};
    }
    if (a.rsc < 0 || !isGroup(rsc(a.rsc))) return {a.optional, a.runnable, a.migrate_runnable};
    return groupFlagsOf(id, -1);
  }

  // A group action's flags from its members' actions (on `node` when given:
  // a cloned group's instance asked about one node).
  Flags groupFlagsOf(int id, int node) {
    PlannedAction& a = act(id);
    Flags f{true, true};
    const std::string_view task = memberTask(a.task);
    for (int member : rsc(a.rsc).children) {
      const int member_action = firstOf(member, task, node >= 0 ? node : a.node);
      if (member_action >= 0) {
        const PlannedAction& m = act(member_action);
        if (f.optional && !m.optional) {
          f.optional = false;
          clearFlag(act(id).optional);
        }
        if (task != a.task && f.runnable && !m.runnable) {
          f.runnable = false;
          clearFlag(act(id).runnable);
        }
      } else if (task != "stop" && task != "demote") {
        f.runnable = false;
      }
    }
    return f;
  }

  enum class Flag { Optional, Runnable, MigrateRunnable };

  // Clears `flag` of `action` because of the action on the other side of an ordering, and
  // (when that is another resource's) says so in the action's reason, which the Transition
  // Summary prints ("due to required rsc5 running"): the first reason stays, but one for
  // losing a migration replaces it (Pacemaker's clear_action_flag_because, pe__action2reason).
  void clearBecause(PlannedAction& action, Flag flag, const PlannedAction& because) {
    bool* bit = flag == Flag::Optional   ? &action.optional
                : flag == Flag::Runnable ? &action.runnable
                                         : &action.migrate_runnable;
    if (!*bit) return;
    clearFlag(*bit);
    if (action.rsc == because.rsc) return;
    if (!action.reason.empty() && flag != Flag::MigrateRunnable) return;
    std::string text = flag == Flag::Optional ? "required" : "unrunnable";
    if (because.rsc >= 0) text += " " + rsc(because.rsc).id;
    action.reason = text + " " + because.task;
  }

  void handleRestart(PlannedAction& first, PlannedAction& then, bool filter_optional,
                     bool filter_runnable) {
    bool reason = false;
    if (filter_optional && !then.optional) reason = true;
    if (filter_runnable && !then.runnable && rsc(then.rsc).managed && first.rsc == then.rsc) {
      reason = true;
    }
    if (!reason) return;
    if (first.runnable) clearBecause(first, Flag::Optional, then);
    if (!then.optional) clearBecause(first, Flag::Optional, then);
    if (!then.migrate_runnable) clearBecause(first, Flag::MigrateRunnable, then);
    if (!first.optional && !first.runnable) clearBecause(then, Flag::Runnable, first);
  }

  void handleAsymmetric(PlannedAction& first, PlannedAction& then) {
    if (then.rsc < 0) return;
    Resource& r = rsc(then.rsc);
    if (r.role == Role::Stopped && then.task == "stop") return;
    if (r.role >= Role::Started && then.optional && then.node >= 0 && r.running_on.size() == 1 &&
        then.node == r.running_on[0] && then.task == "start") {
      return;
    }
    if (!first.runnable) {
      clearBecause(then, Flag::Optional, first);
      clearBecause(then, Flag::Runnable, first);
    }
  }

  void updateOne(PlannedAction& first, PlannedAction& then, Flags flags, bool filter_optional,
                 bool filter_runnable, std::uint32_t type) {
    bool then_optional = then.optional;
    bool first_optional = first.optional;
    if (type & kOrderAsymmetrical) handleAsymmetric(first, then);
    if ((type & kOrderImpliesFirst) && !then_optional) {
      if (filter_optional && !flags.optional && first_optional) {
        clearBecause(first, Flag::Optional, then);
      }
      if (flags.migrate_runnable && !then.migrate_runnable) {
        clearBecause(first, Flag::MigrateRunnable, then);
      }
    }
    if ((type & kOrderPromotedImpliesFirst) && then.rsc >= 0 &&
        rsc(then.rsc).role == Role::Promoted && filter_optional && !then.optional) {
      clearBecause(first, Flag::Optional, then);
      if (first.migrate_runnable && !then.migrate_runnable) {
        clearBecause(first, Flag::MigrateRunnable, then);
      }
    }
    if ((type & kOrderImpliesFirstMigratable) && filter_optional) {
      if (!(then.migrate_runnable && then.runnable)) clearBecause(first, Flag::Runnable, then);
      if (!then.optional) clearBecause(first, Flag::Optional, then);
    }
    if ((type & kOrderPseudoLeft) && filter_optional && !first.runnable) {
      clearBecause(then, Flag::MigrateRunnable, first);
      clearFlag(then.pseudo);
    }
    if ((type & kOrderRunnableLeft) && filter_runnable && then.runnable && !flags.runnable) {
      clearBecause(then, Flag::Runnable, first);
      clearBecause(then, Flag::MigrateRunnable, first);
    }
    // A required action that is part of a migration does not make `then` required.
    if ((type & kOrderImpliesThen) && filter_optional && then.optional && !flags.optional &&
        !first.migrate_runnable) {
      clearBecause(then, Flag::Optional, first);
    }
    if ((type & kOrderRestart) && then.rsc >= 0 && rsc(then.rsc).children.empty() &&
        first.rsc >= 0 && rsc(first.rsc).children.empty()) {
      handleRestart(first, then, filter_optional, filter_runnable);
    }
  }

  // Pacemaker's update_ordered_actions: on `then`, and when the resource
  // whose method runs is a group, on its members' actions of the same task.
  void updateOrdered(int invoking_rsc, int first, int then, Flags flags, bool filter_optional,
                     bool filter_runnable, std::uint32_t type) {
    updateOne(act(first), act(then), flags, filter_optional, filter_runnable, type);
    if (invoking_rsc >= 0 && isClone(rsc(invoking_rsc))) {
      // Pacemaker's pcmk__multi_update_actions: then each runnable instance action.
      int then_rsc = act(then).rsc;
      if (then_rsc < 0) return;
      for (const auto& [child, c] : sameTaskInstances(then)) {
        if (!flagsOf(c).runnable) continue;
        // A cloned group's instance passes the update on to its members.
        updateOrdered(child, first, c, flags, filter_optional, filter_runnable, type);
      }
      return;
    }
    if (invoking_rsc < 0 || !isGroup(rsc(invoking_rsc))) return;
    int then_rsc = act(then).rsc;
    if (then_rsc < 0) return;
    const std::string_view task = act(then).task;
    int node = act(then).node;
    for (int member : rsc(then_rsc).children) {
      const int m = firstOf(member, task, node);
      if (m < 0) continue;
      updateOne(act(first), act(m), flags, filter_optional, filter_runnable, type);
    }
  }

  // The node an action stands for in an ordering: its own, or for a group's
  // start the node the group is placed on.
  int orderingNode(int id) {
    const PlannedAction& a = act(id);
    if (a.rsc >= 0 && isGroup(rsc(a.rsc)) && a.task == "start") return rsc(a.rsc).assigned_to;
    return a.node;
  }

  void applyEdge(const ActionEdge& e) {
    Flags ff = flagsOf(e.first, orderingNode(e.then));
    Flags tf = flagsOf(e.then, orderingNode(e.first));
    PlannedAction& first = act(e.first);
    PlannedAction& then = act(e.then);
    std::uint32_t type = e.flags;
    if (type & kOrderImpliesThen) {
      if (then.rsc >= 0) {
        updateOrdered(then.rsc, e.first, e.then, {ff.optional, true}, true, false,
                      kOrderImpliesThen);
      } else if (!ff.optional && then.optional) {
        clearFlag(then.optional);
      }
    }
    if ((type & kOrderRestart) && then.rsc >= 0) {
      updateOrdered(then.rsc, e.first, e.then, ff, true, true, kOrderRestart);
    }
    if ((type & kOrderImpliesFirst) && first.rsc >= 0) {
      updateOrdered(first.rsc, e.first, e.then, ff, true, false, kOrderImpliesFirst);
    }
    if (type & kOrderRunnableLeft) {
      if (then.rsc >= 0) {
        updateOrdered(then.rsc, e.first, e.then, ff, false, true, kOrderRunnableLeft);
      } else if (!ff.runnable && then.runnable) {
        clearFlag(then.runnable);
      }
    }
    if ((type & kOrderPromotedImpliesFirst) && then.rsc >= 0) {
      updateOrdered(then.rsc, e.first, e.then, {ff.optional, true}, true, false,
                    kOrderPromotedImpliesFirst);
    }
    if ((type & kOrderImpliesFirstMigratable) && then.rsc >= 0) {
      updateOrdered(then.rsc, e.first, e.then, ff, true, false, kOrderImpliesFirstMigratable);
    }
    if ((type & kOrderPseudoLeft) && then.rsc >= 0) {
      updateOrdered(then.rsc, e.first, e.then, ff, true, false, kOrderPseudoLeft);
    }
    if ((type & kOrderAsymmetrical) && then.rsc >= 0) {
      updateOrdered(then.rsc, e.first, e.then, ff, false, true, kOrderAsymmetrical);
    }
    PlannedAction& f2 = act(e.first);
    PlannedAction& t2 = act(e.then);
    if (f2.runnable && (type & kOrderImpliesThenPrinted) && !ff.optional) t2.print_always = true;
    if ((type & kOrderImpliesFirstPrinted) && !tf.optional) f2.print_always = true;
    if ((type & (kOrderImpliesThen | kOrderImpliesFirst | kOrderRestart)) && f2.rsc >= 0 &&
        !rsc(f2.rsc).managed && rsc(f2.rsc).blocked && !f2.runnable && f2.task == "stop") {
      clearFlag(t2.runnable);
    }
  }

  // A one-or-more pseudo-action (clone-min, or a set with require-all="false";
  // Pacemaker's pe_order_one_or_more) is runnable while at least
  // required_runnable_before of the actions ordered before it can run.
  void settleRequiresAny(PlannedAction& a) {
    int runnable = 0;
    for (int e : a.before) {
      const ActionEdge& edge = plan_.edges[static_cast<std::size_t>(e)];
      if ((edge.flags & kOrderOneOrMore) && flagsOf(edge.first).runnable) ++runnable;
    }
    PlannedAction& again = act(a.id);
    const bool now_runnable = runnable >= again.required_runnable_before;
    if (again.runnable != now_runnable) {
      again.runnable = now_runnable;
      ++epoch_;
    }
  }

  // An unrunnable start (or promote) of the whole primary blocks what must be colocated with
  // it from reaching its colocated role (Pacemaker's pcmk__block_colocation_dependents): a
  // dependent colocated in the promoted role loses its promotion, any other its start; an
  // unrunnable promote matters only to colocations with the primary's promoted role.
  void blockColocationDependents(int id) {
    const PlannedAction& a = act(id);
    if (a.runnable || a.rsc < 0) return;
    const bool is_start = a.task == "start";
    if (!is_start && a.task != "promote") return;
    int top = a.rsc;
    while (rsc(top).parent >= 0) top = rsc(top).parent;
    for (int child : rsc(top).children) {
      const int same = firstOf(child, a.task);
      if (same < 0 || act(same).runnable) return;
    }
    // A group's colocations were handed to its members when it was assigned,
    // so (as in Pacemaker) an unrunnable group start blocks no dependents.
    if (isGroup(rsc(top))) return;
    std::vector<int> lists = rsc(top).with_this;
    for (int ci : lists) {
      const Colocation& c = ws_.colocations[static_cast<std::size_t>(ci)];
      if (c.score < kInfinity) continue;
      if (c.primary != top) continue;
      if (!is_start && c.primary_role != Role::Promoted) continue;
      markBlocked(c.dependent, c.dependent_role == Role::Promoted ? "promote" : "start",
                  rsc(a.rsc).id);
    }
  }

  void markBlocked(int r, const char* task, const std::string& because) {
    for (int id : actionsOf(r, task)) {
      if (act(id).runnable) {
        clearFlag(act(id).runnable);
        if (act(id).reason.empty()) act(id).reason = "colocation with " + because;
      }
    }
    for (int c : rsc(r).children) markBlocked(c, task, because);
  }

  void run() {
    for (int round = 0; round < 10000; ++round) {
      std::vector<std::array<bool, 4>> before;
      before.reserve(plan_.actions.size());
      for (const PlannedAction& a : plan_.actions) before.push_back(state(a));
      for (const ActionEdge& e : plan_.edges) applyEdge(e);
      for (PlannedAction& a : plan_.actions) {
        if (a.required_runnable_before > 0) settleRequiresAny(a);
      }
      for (std::size_t i = 0; i < plan_.actions.size(); ++i) {
        blockColocationDependents(static_cast<int>(i));
      }
      bool changed = false;
      for (std::size_t i = 0; i < plan_.actions.size(); ++i) {
        if (before[i] != state(plan_.actions[i])) {
          changed = true;
          break;
        }
      }
      if (!changed) return;
    }
  }

 private:
  // Every change of an action's optional, runnable, migrate_runnable or pseudo flag goes
  // through here (or bumps epoch_ itself), so that an answer kept with an older epoch is
  // never used after a flag changed.
  void clearFlag(bool& bit) {
    if (!bit) return;
    bit = false;
    ++epoch_;
  }

  std::uint64_t cacheKey(int id, int node) const {
    return static_cast<std::uint64_t>(static_cast<std::uint32_t>(id)) << 32 |
           static_cast<std::uint32_t>(node + 1);
  }

  // The actions of a clone action's instances that answer for it (cloneFlagsOf): for a
  // primitive instance its action of the member task (on `node` when given), for a cloned
  // group's instance its own action of the clone's task. Actions are neither added nor
  // removed while flags settle, so each list is found once.
  struct InstanceAction {
    int action;
    bool whole;  // a cloned group's instance
  };
  const std::vector<InstanceAction>& instanceActions(int id, int node) {
    auto [it, added] = instance_actions_.try_emplace(cacheKey(id, node));
    if (!added) return it->second;
    const std::string_view own_task = act(id).task;
    const std::string_view member_task = memberTask(own_task);
    for (int child : rsc(act(id).rsc).children) {
      const bool whole = !rsc(child).children.empty();
      const int child_action = firstOf(child, whole ? own_task : member_task, whole ? -1 : node);
      if (child_action >= 0) it->second.push_back({child_action, whole});
    }
    return it->second;
  }

  // For clone action `then`: each instance with an action of the same task on the same node
  // (any node for a clone action without one), as (instance, action), found once.
  const std::vector<std::pair<int, int>>& sameTaskInstances(int then) {
    auto [it, added] = same_task_instances_.try_emplace(then);
    if (!added) return it->second;
    const std::string_view task = act(then).task;
    for (int child : rsc(act(then).rsc).children) {
      const int c = firstOf(child, task, act(then).node);
      if (c >= 0) it->second.emplace_back(child, c);
    }
    return it->second;
  }

  static std::array<bool, 4> state(const PlannedAction& a) {
    return {a.optional, a.runnable, a.migrate_runnable, a.pseudo};
  }
  Resource& rsc(int i) { return ws_.resources[static_cast<std::size_t>(i)]; }
  PlannedAction& act(int i) { return plan_.actions[static_cast<std::size_t>(i)]; }
  std::vector<int> actionsOf(int r, const std::string& task, int node = -1) {
    return actionsWithTask(plan_, r, task, node);
  }
  // The first of actionsOf(r, task, node), or -1; without building the list, since the
  // flags of a clone's action are asked of each of its instances for every ordering.
  int firstOf(int r, std::string_view task, int node = -1) {
    for (int id : plan_.by_resource[static_cast<std::size_t>(r)]) {
      const PlannedAction& a = act(id);
      if (a.interval_ms == 0 && (node < 0 || a.node == node) && a.task == task) return id;
    }
    return -1;
  }

  WorkingSet& ws_;
  ActionPlan& plan_;
  std::uint64_t epoch_ = 0;  // changes each time a flag of some action changes
  struct KeptFlags {
    std::uint64_t epoch;
    Flags flags;
  };
  std::unordered_map<std::uint64_t, KeptFlags> clone_flags_;
  std::unordered_map<std::uint64_t, std::vector<InstanceAction>> instance_actions_;
  std::unordered_map<int, std::vector<std::pair<int, int>>> same_task_instances_;
};

}  // namespace

void settleActionFlags(WorkingSet& ws, ActionPlan& plan) { FlagSettler(ws, plan).run(); }

}  // namespace pulse::pe
