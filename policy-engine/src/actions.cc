// Action creation and ordering, after Pacemaker 2.1.5's
// pcmk__primitive_create_actions, group pseudo-actions, and the internal and
// configured orderings.
//
// The flags are then settled along the orderings (action_flags.cc).
#include "actions.h"

#include <algorithm>
#include <unordered_map>

#include "action_flags.h"
#include "common/crm_bool.h"
#include "load_orderings.h"

namespace pulse::pe {
namespace {

bool isGroup(const Resource& r) { return r.kind == ResourceConfig::Kind::Group; }

struct ResourceOrdering {
  int first_rsc;
  std::string first_task;
  int then_rsc;
  std::string then_task;
  std::uint32_t flags;
  std::string origin;
};

std::string invertTask(const std::string& task) {
  if (task == "start") return "stop";
  if (task == "stop") return "start";
  if (task == "promote") return "demote";
  if (task == "demote") return "promote";
  return "";
}

class Planner {
 public:
  Planner(WorkingSet& ws, const ConfigChanges& changes) : ws_(ws), changes_(changes) {}

  Result<ActionPlan> run() {
    plan_.by_resource.assign(ws_.resources.size(), {});
    for (int top : ws_.top_level) createActions(top);
    if (auto e = configOrderings()) return *e;
    for (int top : ws_.top_level) internalConstraints(top);
    for (const ResourceOrdering& o : orderings_) expand(o);
    applyForced();
    settleActionFlags(ws_, plan_);
    applyReloads();
    addLoadOrderings(ws_, plan_);
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

  int customAction(int r, const std::string& task, std::int64_t interval, int node, bool optional,
                   bool pseudo = false) {
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

  std::vector<int> actionsOf(int r, const std::string& task, int node = -1) {
    return actionsWithTask(plan_, r, task, node);
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

  bool inMaintenance(const Resource& r) {
    if (ws_.options.maintenance_mode) return true;
    if (ws_.nodes[static_cast<std::size_t>(r.assigned_to)].maintenance) return true;
    auto m = r.meta.find("maintenance");
    return m != r.meta.end() && crmIsTrue(m->second);
  }

  void createRecurring(int index) {
    Resource& r = rsc(index);
    if (r.config == nullptr || r.assigned_to < 0 || r.next_role < Role::Started) return;
    // Blocked resources and those in maintenance are not monitored
    // (pcmk__create_recurring_actions).
    if (r.blocked || inMaintenance(r)) return;
    for (const OperationConfig& op : r.config->ops) {
      if (op.name != "monitor" || op.interval_ms <= 0) continue;
      if (!op.role.empty() && parseRole(op.role) != Role::Started) continue;
      auto enabled = op.attributes.find("enabled");
      if (enabled != op.attributes.end() && enabled->second == "false") continue;
      // A monitor is needed where the resource starts, and where it stays
      // unless the history shows this monitor already running there (as after
      // a probe found the resource active). Pacemaker's
      // active_recurring_should_be_optional; a changed definition is applyForced's.
      auto starts = actionsOf(index, "start", r.assigned_to);
      bool starting = !starts.empty() && !act(starts[0]).optional;
      bool kept = !starting && r.recurringActive(r.assigned_to, op.name, op.interval_ms);
      int monitor = customAction(index, "monitor", op.interval_ms, r.assigned_to, kept);
      // A monitor runs after the start it watches, and cannot run if that start cannot.
      for (int start : starts) {
        addEdge(start, monitor, kOrderImpliesThen | kOrderRunnableLeft,
                "monitor after start of " + r.id);
      }
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
    for (const ForcedAction& f : changes_.forced) {
      for (int id : plan_.by_resource[static_cast<std::size_t>(f.rsc)]) {
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
    for (const auto& [r, node] : changes_.reloads) {
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
    orderings_.push_back({first_rsc, first_task, then_rsc, then_task, flags, origin_});
  }

  std::optional<Error> configOrderings() {
    for (const OrderConstraint& oc : ws_.cib->orders) {
      auto where = "<rsc_order id=\"" + oc.id + "\"> (line " + std::to_string(oc.line) + ")";
      origin_ = where;
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
      bool restart_type = oc.kind == OrderConstraint::Kind::Optional &&
                          rt != rsc(then).meta.end() && rt->second == "restart";
      order(first, oc.first_action, then, oc.then_action,
            flagsFor(oc.first_action, symmetric ? 1 : 0) |
                (restart_type ? std::uint32_t{kOrderImpliesThen} : 0u));
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
    origin_ = isGroup(r) ? "the group " + r.id : "stop before start of " + r.id;
    if (!isGroup(r)) {
      if (r.managed)
        order(index, "stop", index, "start", kOrderOptional | kOrderImpliesThen | kOrderRestart);
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
      origin_ = "the group " + r.id;
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

  void addEdge(int first, int then, std::uint32_t flags, const std::string& origin) {
    if (first == then) return;
    int e = static_cast<int>(plan_.edges.size());
    plan_.edges.push_back({first, then, flags, origin});
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
      for (int t : thens) addEdge(f, t, o.flags, o.origin);
    }
  }

  WorkingSet& ws_;
  const ConfigChanges& changes_;
  ActionPlan plan_;
  std::unordered_map<std::string, int> index_;
  std::vector<ResourceOrdering> orderings_;
  std::string origin_;  // names the constraint behind the orderings being added
};

}  // namespace

Result<ActionPlan> planActions(WorkingSet& ws, const ConfigChanges& changes) {
  return Planner(ws, changes).run();
}

bool inGraph(const WorkingSet& ws, const PlannedAction& a) {
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
