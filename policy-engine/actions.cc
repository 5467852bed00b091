// Action creation and ordering, after Pacemaker 2.1.5's
// pcmk__primitive_create_actions, group pseudo-actions, internal and
// configured orderings, and pcmk__update_ordered_actions.
//
// Flags only ever move one way (optional -> required, runnable ->
// unrunnable), so settling them is a fixpoint that does not depend on the
// order edges are visited in.
#include <algorithm>
#include <unordered_map>

#include "actions.h"

namespace pulse::pe {
namespace {

bool isGroup(const Resource& r) { return r.kind == ResourceConfig::Kind::Group; }

struct ResourceOrdering {
  int first_rsc;
  std::string first_task;
  int then_rsc;
  std::string then_task;
  std::uint32_t flags;
};

// Maps a group's task to the task of its members ("running" -> "start").
std::string memberTask(const std::string& task) {
  if (task == "running") return "start";
  if (task == "stopped") return "stop";
  if (task == "promoted") return "promote";
  if (task == "demoted") return "demote";
  return task;
}

std::string invertTask(const std::string& task) {
  if (task == "start") return "stop";
  if (task == "stop") return "start";
  if (task == "promote") return "demote";
  if (task == "demote") return "promote";
  return "";
}

class Planner {
 public:
  explicit Planner(WorkingSet& ws) : ws_(ws) {}

  Result<ActionPlan> run() {
    for (int top : ws_.top_level) createActions(top);
    if (auto e = configOrderings()) return *e;
    for (int top : ws_.top_level) internalConstraints(top);
    for (const ResourceOrdering& o : orderings_) expand(o);
    applyForced();
    settle();
    applyReloads();
    plan_.by_resource.assign(ws_.resources.size(), {});
    for (const PlannedAction& a : plan_.actions) {
      if (a.rsc >= 0) plan_.by_resource[static_cast<std::size_t>(a.rsc)].push_back(a.id);
    }
    return std::move(plan_);
  }

 private:
  Resource& rsc(int i) { return ws_.resources[static_cast<std::size_t>(i)]; }
  PlannedAction& act(int i) { return plan_.actions[static_cast<std::size_t>(i)]; }

  std::string mapKey(int r, const std::string& task, std::int64_t interval, int node) {
    return std::to_string(r) + "|" + task + "|" + std::to_string(interval) + "|" +
           std::to_string(node);
  }

  void updateRunnable(PlannedAction& a) {
    if (a.pseudo) return;
    if (a.node < 0) {
      a.runnable = false;
      return;
    }
    const Node& n = ws_.nodes[static_cast<std::size_t>(a.node)];
    if (!n.online || n.pending) {
      a.runnable = false;
      return;
    }
    if (a.task != "start" && a.task != "promote") {
      a.runnable = true;
      return;
    }
    if (ws_.options.have_quorum) {
      a.runnable = true;
      return;
    }
    Resource& r = rsc(a.rsc);
    switch (ws_.options.no_quorum_policy) {
      case NoQuorumPolicy::Stop:
      case NoQuorumPolicy::Suicide:
      case NoQuorumPolicy::Demote:
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

  int customAction(int r, const std::string& task, std::int64_t interval, int node,
                   bool optional, bool pseudo = false) {
    std::string mk = mapKey(r, task, interval, node);
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
      index_.emplace(mk, id);
      by_rsc_[r].push_back(id);
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

  std::vector<int> actionsOf(int r, const std::string& task, int node = -1) {
    std::vector<int> out;
    auto it = by_rsc_.find(r);
    if (it == by_rsc_.end()) return out;
    for (int id : it->second) {
      const PlannedAction& a = act(id);
      if (a.task == task && a.interval_ms == 0 && (node < 0 || a.node == node)) out.push_back(id);
    }
    return out;
  }

  void stopResource(int r, bool optional) {
    std::vector<int> running = rsc(r).running_on;
    for (int node : running) {
      int id = customAction(r, "stop", 0, node, optional);
      if (rsc(r).assigned_to < 0) act(id).reason = "node availability";
      if (!rsc(r).managed) act(id).runnable = false;
    }
  }

  void startResource(int r, int node, bool optional) {
    if (node < 0) return;
    int id = customAction(r, "start", 0, node, true);
    if (act(id).runnable && !optional) act(id).optional = false;
  }

  void createPrimitiveActions(int index) {
    Resource& r = rsc(index);
    if (r.next_role == Role::Unknown) {
      r.next_role = r.assigned_to < 0 ? Role::Stopped : Role::Started;
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
    if (clean_active > 1) need_stop = true;  // multiple-active: stop everywhere, start once
    if (r.start_pending && r.assigned_to >= 0) {
      int id = customAction(index, "start", 0, r.assigned_to, true);
      act(id).print_always = true;
    }
    if (!moving) {
      if (r.failed) {
        if (r.needs_stop) need_stop = true;
      } else if (r.blocked) {
        need_stop = true;
      }
    }
    // Down to stopped on the current node(s), then back up to the current
    // role on the assigned node: optional unless a stop is needed.
    if (r.role != Role::Stopped && r.role != Role::Unknown) {
      stopResource(index, !need_stop);
      if (r.role <= r.next_role && !r.blocked) startResource(index, r.assigned_to, !need_stop);
    }
    // Then from the current role to the next one.
    if (r.role != r.next_role) {
      if (r.next_role == Role::Stopped) {
        stopResource(index, false);
      } else if (r.role <= Role::Stopped && r.next_role >= Role::Started) {
        startResource(index, r.assigned_to, false);
      }
    }
    createRecurring(index);
  }

  void createRecurring(int index) {
    Resource& r = rsc(index);
    if (r.config == nullptr || r.assigned_to < 0 || r.next_role < Role::Started) return;
    for (const OperationConfig& op : r.config->ops) {
      if (op.name != "monitor" || op.interval_ms <= 0) continue;
      if (!op.role.empty() && parseRole(op.role) != Role::Started) continue;
      auto enabled = op.attributes.find("enabled");
      if (enabled != op.attributes.end() && enabled->second == "false") continue;
      // A monitor is needed where the resource starts; where it stays, the
      // running one is kept (history is not yet checked for it).
      auto starts = actionsOf(index, "start", r.assigned_to);
      bool starting = !starts.empty() && !act(starts[0]).optional;
      customAction(index, "monitor", op.interval_ms, r.assigned_to, !starting);
    }
  }

  void createActions(int index) {
    Resource& r = rsc(index);
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
  }

  // Definition changes: the start (or recurring monitor) must run again.
  void applyForced() {
    for (const ForcedAction& f : ws_.forced) {
      auto it = by_rsc_.find(f.rsc);
      if (it == by_rsc_.end()) continue;
      for (int id : it->second) {
        PlannedAction& a = act(id);
        if (a.task != f.task || a.interval_ms != f.interval_ms) continue;
        if (a.optional) {
          a.optional = false;
          a.reason = "resource definition change";
        }
      }
    }
  }

  // A reload replaces a restart unless the resource is stopped there anyway.
  void applyReloads() {
    for (const auto& [r, node] : ws_.reloads) {
      bool stopping = false;
      for (int id : actionsOf(r, "stop", node)) stopping = stopping || !act(id).optional;
      if (stopping) continue;
      int id = customAction(r, "reload-agent", 0, node, false);
      act(id).reason = "resource definition change";
      plan_.reloading.push_back(r);
    }
  }

  void order(int first_rsc, const std::string& first_task, int then_rsc,
             const std::string& then_task, std::uint32_t flags) {
    orderings_.push_back({first_rsc, first_task, then_rsc, then_task, flags});
  }

  std::optional<Error> configOrderings() {
    for (const OrderConstraint& oc : ws_.cib->orders) {
      auto where = "<rsc_order id=\"" + oc.id + "\"> (line " + std::to_string(oc.line) + ")";
      int first = ws_.findResource(oc.first);
      int then = ws_.findResource(oc.then);
      if (first < 0) return Error{where + ": resource '" + oc.first + "' does not exist"};
      if (then < 0) return Error{where + ": resource '" + oc.then + "' does not exist"};
      if (first == then) return Error{where + ": a resource cannot be ordered after itself"};
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
      order(first, oc.first_action, then, oc.then_action,
            flagsFor(oc.first_action, symmetric ? 1 : 0) | (restart_type ? std::uint32_t{kOrderImpliesThen} : 0u));
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

  void internalConstraints(int index) {
    Resource& r = rsc(index);
    if (!isGroup(r)) {
      if (r.managed) order(index, "stop", index, "start", kOrderOptional | kOrderImpliesThen | kOrderRestart);
      return;
    }
    order(index, "stop", index, "stopped", kOrderRunnableLeft);
    order(index, "stopped", index, "start", kOrderOptional);
    order(index, "start", index, "running", kOrderRunnableLeft);
    int previous = -1;
    int last_active = -1;
    std::vector<int> children = r.children;
    for (int member : children) {
      internalConstraints(member);
      std::uint32_t down = kOrderImpliesFirstPrinted;
      std::uint32_t post_down = kOrderImpliesThenPrinted;
      if (previous < 0 && r.group_ordered) {
        down |= kOrderOptional;
        post_down = kOrderImpliesThen;
      }
      order(index, "stop", member, "stop", down);
      order(member, "stop", index, "stopped", post_down);
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

  void addEdge(int first, int then, std::uint32_t flags) {
    if (first == then) return;
    int e = static_cast<int>(plan_.edges.size());
    plan_.edges.push_back({first, then, flags});
    act(first).after.push_back(e);
    act(then).before.push_back(e);
  }

  void expand(const ResourceOrdering& o) {
    std::string first_task = o.first_task;
    // An ordering after a group waits for the whole group ("running"/"stopped").
    if (o.first_rsc != o.then_rsc && isGroup(rsc(o.first_rsc)) &&
        rsc(o.then_rsc).parent != o.first_rsc) {
      if (first_task == "start") first_task = "running";
      if (first_task == "stop") first_task = "stopped";
    }
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
      for (int t : thens) addEdge(f, t, o.flags);
    }
  }

  // Flags a group action presents to orderings, from its members' actions.
  struct Flags {
    bool optional, runnable;
  };
  Flags flagsOf(int id) {
    PlannedAction& a = act(id);
    if (a.rsc < 0 || !isGroup(rsc(a.rsc))) return {a.optional, a.runnable};
    Flags f{true, true};
    std::string task = memberTask(a.task);
    std::vector<int> children = rsc(a.rsc).children;
    for (int member : children) {
      std::vector<int> member_actions = actionsOf(member, task, a.node);
      if (!member_actions.empty()) {
        const PlannedAction& m = act(member_actions.front());
        if (f.optional && !m.optional) {
          f.optional = false;
          act(id).optional = false;
        }
        if (task != a.task && f.runnable && !m.runnable) {
          f.runnable = false;
          act(id).runnable = false;
        }
      } else if (task != "stop" && task != "demote") {
        f.runnable = false;
      }
    }
    return f;
  }

  void handleRestart(PlannedAction& first, PlannedAction& then, bool filter_optional,
                     bool filter_runnable) {
    bool reason = false;
    if (filter_optional && !then.optional) reason = true;
    if (filter_runnable && !then.runnable && rsc(then.rsc).managed && first.rsc == then.rsc) {
      reason = true;
    }
    if (!reason) return;
    if (first.runnable) first.optional = false;
    if (!then.optional) first.optional = false;
    if (!first.optional && !first.runnable) then.runnable = false;
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
      then.optional = false;
      then.runnable = false;
    }
  }

  void updateOne(PlannedAction& first, PlannedAction& then, Flags flags, bool filter_optional,
                 bool filter_runnable, std::uint32_t type) {
    bool then_optional = then.optional;
    bool first_optional = first.optional;
    if (type & kOrderAsymmetrical) handleAsymmetric(first, then);
    if ((type & kOrderImpliesFirst) && !then_optional) {
      if (filter_optional && !flags.optional && first_optional) first.optional = false;
    }
    if ((type & kOrderRunnableLeft) && filter_runnable && then.runnable && !flags.runnable) {
      then.runnable = false;
    }
    if ((type & kOrderImpliesThen) && filter_optional && then.optional && !flags.optional) {
      then.optional = false;
    }
    if ((type & kOrderRestart) && then.rsc >= 0 && !isGroup(rsc(then.rsc)) && first.rsc >= 0 &&
        !isGroup(rsc(first.rsc))) {
      handleRestart(first, then, filter_optional, filter_runnable);
    }
  }

  // Pacemaker's update_ordered_actions: on `then`, and when the resource
  // whose method runs is a group, on its members' actions of the same task.
  void updateOrdered(int invoking_rsc, int first, int then, Flags flags, bool filter_optional,
                     bool filter_runnable, std::uint32_t type) {
    updateOne(act(first), act(then), flags, filter_optional, filter_runnable, type);
    if (invoking_rsc < 0 || !isGroup(rsc(invoking_rsc))) return;
    int then_rsc = act(then).rsc;
    if (then_rsc < 0) return;
    std::vector<int> children = rsc(then_rsc).children;
    std::string task = act(then).task;
    int node = act(then).node;
    for (int member : children) {
      std::vector<int> ms = actionsOf(member, task, node);
      if (ms.empty()) continue;
      updateOne(act(first), act(ms.front()), flags, filter_optional, filter_runnable, type);
    }
  }

  void applyEdge(const ActionEdge& e) {
    Flags ff = flagsOf(e.first);
    Flags tf = flagsOf(e.then);
    PlannedAction& first = act(e.first);
    PlannedAction& then = act(e.then);
    std::uint32_t type = e.flags;
    if (type & kOrderImpliesThen) {
      if (then.rsc >= 0) {
        updateOrdered(then.rsc, e.first, e.then, {ff.optional, true}, true, false,
                      kOrderImpliesThen);
      } else if (!ff.optional && then.optional) {
        then.optional = false;
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
        then.runnable = false;
      }
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
      t2.runnable = false;
    }
  }

  // An unrunnable start blocks the starts of what must be colocated with it.
  void blockColocationDependents(int id) {
    const PlannedAction& a = act(id);
    if (a.runnable || a.task != "start" || a.rsc < 0) return;
    int top = a.rsc;
    while (rsc(top).parent >= 0) top = rsc(top).parent;
    for (int child : rsc(top).children) {
      auto starts = actionsOf(child, "start");
      if (starts.empty() || act(starts.front()).runnable) return;
    }
    // A group's colocations were handed to its members when it was assigned,
    // so (as in Pacemaker) an unrunnable group start blocks no dependents.
    if (isGroup(rsc(top))) return;
    std::vector<int> lists = rsc(top).with_this;
    for (int ci : lists) {
      const Colocation& c = ws_.colocations[static_cast<std::size_t>(ci)];
      if (c.score < kInfinity) continue;
      if (c.primary != top) continue;
      markBlocked(c.dependent, rsc(a.rsc).id);
    }
  }

  void markBlocked(int r, const std::string& because) {
    for (int id : actionsOf(r, "start")) {
      if (act(id).runnable) {
        act(id).runnable = false;
        act(id).reason = "colocation with " + because;
      }
    }
    std::vector<int> children = rsc(r).children;
    for (int c : children) markBlocked(c, because);
  }

  void settle() {
    for (int round = 0; round < 10000; ++round) {
      std::vector<std::pair<bool, bool>> before;
      before.reserve(plan_.actions.size());
      for (const PlannedAction& a : plan_.actions) before.emplace_back(a.optional, a.runnable);
      for (const ActionEdge& e : plan_.edges) applyEdge(e);
      for (std::size_t i = 0; i < plan_.actions.size(); ++i) {
        blockColocationDependents(static_cast<int>(i));
      }
      bool changed = false;
      for (std::size_t i = 0; i < plan_.actions.size(); ++i) {
        if (before[i] != std::make_pair(plan_.actions[i].optional, plan_.actions[i].runnable)) {
          changed = true;
          break;
        }
      }
      if (!changed) return;
    }
  }

  WorkingSet& ws_;
  ActionPlan plan_;
  std::unordered_map<std::string, int> index_;
  std::unordered_map<int, std::vector<int>> by_rsc_;
  std::vector<ResourceOrdering> orderings_;
};

}  // namespace

Result<ActionPlan> planActions(WorkingSet& ws) { return Planner(ws).run(); }

bool inGraph(const WorkingSet& ws, const PlannedAction& a) {
  if (a.optional || !a.runnable) return false;
  if (a.rsc >= 0 && !ws.resources[static_cast<std::size_t>(a.rsc)].managed && a.task != "monitor") {
    return false;
  }
  return true;
}

const PlannedAction* findAction(const ActionPlan& plan, const WorkingSet& ws, int rsc,
                                const std::string& task, int node) {
  (void)ws;
  for (int id : plan.by_resource[static_cast<std::size_t>(rsc)]) {
    const PlannedAction& a = plan.actions[static_cast<std::size_t>(id)];
    if (a.task == task && a.interval_ms == 0 && (node < 0 || a.node == node)) return &a;
  }
  return nullptr;
}

}  // namespace pulse::pe
