// Action creation and ordering, after Pacemaker 2.1.5's
// pcmk__primitive_create_actions, group pseudo-actions, and the internal and
// configured orderings.
//
// The flags are then settled along the orderings (action_flags.cc).
#include "actions.h"

#include <algorithm>
#include <unordered_map>

#include "action_flags.h"
#include "clone_actions.h"
#include "common/crm_bool.h"
#include "fencing.h"
#include "load_orderings.h"
#include "migration.h"
#include "notifications.h"
#include "order_sets.h"

namespace pulse::pe {
namespace {

bool isGroup(const Resource& r) { return r.kind == ResourceConfig::Kind::Group; }

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
    planFencing(ws_, plan_);
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
    for (const ResourceOrdering& o : orderings_) expand(o);
    for (const CloneMinOrdering& o : clone_min_) addCloneMinOrdering(ws_, plan_, o);
    applyForced();
    settleActionFlags(ws_, plan_);
    applyReloads();
    addLoadOrderings(ws_, plan_);
    addNotifications(ws_, plan_);
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
    Resource& r = rsc(a.rsc);
    if (!n.online || n.pending) {
      a.runnable = false;
      // A managed resource's stop that cannot run on a node that is down: the node must be
      // fenced for the resource to be known stopped.
      if (!n.online && !n.unclean && a.task == "stop" && r.managed) {
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

  // A promotable clone instance's promotion where it is placed, and its
  // demotion where it runs promoted.
  void promoteResource(int r, bool optional) {
    if (rsc(r).assigned_to < 0) return;
    int id = customAction(r, "promote", 0, rsc(r).assigned_to, true);
    if (!optional) act(id).optional = false;
  }
  void demoteResource(int r, bool optional) {
    std::vector<int> running = rsc(r).running_on;
    for (int node : running) {
      int id = customAction(r, "demote", 0, node, optional);
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
    // no-quorum-policy=demote: promotable instances stay, demoted (effective_quorum_policy).
    if (!ws_.options.have_quorum && ws_.options.no_quorum_policy == NoQuorumPolicy::Demote &&
        (r.role == Role::Promoted || r.role == Role::Unpromoted) &&
        r.next_role > Role::Unpromoted) {
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
      if (r.role == Role::Promoted) demoteResource(index, !need_stop);
      stopResource(index, !need_stop);
      if (r.role <= r.next_role && !r.blocked) {
        startResource(index, r.assigned_to, !need_stop);
        if (r.role == Role::Promoted) promoteResource(index, !need_stop);
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
      }
    }
    createRecurring(index);
    if (moving && canMigrate(ws_, r, current)) planMigration(ws_, plan_, index, current);
    blockStartUntilProbed(index);
  }

  // A resource active nowhere starts only once probed on every member where its state is
  // unknown; a member still joining (pending) cannot run the probe, so the start cannot
  // run either (the probe's ordering before the start, pcmk__probe_rsc_on_node).
  void blockStartUntilProbed(int index) {
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
  void cancelRecurring(int index, std::int64_t interval_ms) {
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

  // A clone: its instances' actions and the clone's pseudo-actions around them.
  void createCloneActions(int index) {
    bool stopping = false, starting = false, active = false;
    std::vector<int> children = rsc(index).children;
    for (int c : children) {
      createActions(c);
      scanCloneInstance(ws_, plan_, c, stopping, starting, active);
    }
    act(customAction(index, "start", 0, -1, !starting, true)).runnable = true;
    act(customAction(index, "running", 0, -1, !starting, true)).runnable = active || starting;
    act(customAction(index, "stop", 0, -1, !stopping, true)).runnable = true;
    act(customAction(index, "stopped", 0, -1, !stopping, true)).runnable = true;
    if (rsc(index).promotable) {
      for (const char* task : {"promote", "promoted", "demote", "demoted"}) {
        act(customAction(index, task, 0, -1, true, true)).runnable = true;
      }
    }
  }

  void createActions(int index) {
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
  void applyForced() {
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
      if (!oc.sets.empty()) {
        auto set_orderings = orderSetOrderings(ws_, oc);
        if (!set_orderings) return set_orderings.error();
        orderings_.insert(orderings_.end(), set_orderings->begin(), set_orderings->end());
        continue;
      }
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
  void cloneConstraints(int index) {
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
      if (rsc(index).clone_ordered && last >= 0)
        order(last, "start", child, "start", kOrderOptional);
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

  void internalConstraints(int index) {
    Resource& r = rsc(index);
    if (isClone(r)) {
      cloneConstraints(index);
      return;
    }
    origin_ = isGroup(r) ? "the group " + r.id : "stop before start of " + r.id;
    if (!isGroup(r)) {
      if (r.managed)
        order(index, "stop", index, "start", kOrderOptional | kOrderImpliesThen | kOrderRestart);
      if (inPromotableClone(ws_, r)) {
        order(index, "demote", index, "stop", kOrderOptional);
        order(index, "start", index, "promote", kOrderRunnableLeft);
        order(index, "demote", index, "promote", kOrderOptional);
      }
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

  void addEdge(int first, int then, std::uint32_t flags, const std::string& origin) {
    addPlanEdge(plan_, first, then, flags, origin);
  }

  static ResourceOrderingRef refOf(const ResourceOrdering& o) {
    return {o.first_rsc, o.first_task, o.then_rsc, o.then_task, o.flags, o.origin};
  }

  // A pseudo-action of no resource (Pacemaker's get_pseudo_op): optional and
  // runnable until the orderings into it say otherwise.
  int pseudoAction(const std::string& name) {
    std::string mk = "pseudo|" + name;
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
    index_.emplace(mk, plan_.actions.back().id);
    return plan_.actions.back().id;
  }

  void expand(const ResourceOrdering& o) {
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
  void orderMigrationEquivalents(const ResourceOrdering& o, const std::string& first_task) {
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
  void expandWithPseudo(const ResourceOrdering& o) {
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

  WorkingSet& ws_;
  const ConfigChanges& changes_;
  ActionPlan plan_;
  std::unordered_map<std::string, int> index_;
  std::vector<ResourceOrdering> orderings_;
  std::vector<CloneMinOrdering> clone_min_;
  std::string origin_;  // names the constraint behind the orderings being added
};

}  // namespace

void addPlanEdge(ActionPlan& plan, int first, int then, std::uint32_t flags,
                 const std::string& origin) {
  if (first == then) return;
  int e = static_cast<int>(plan.edges.size());
  plan.edges.push_back({first, then, flags, origin});
  plan.actions[static_cast<std::size_t>(first)].after.push_back(e);
  plan.actions[static_cast<std::size_t>(then)].before.push_back(e);
}

Result<ActionPlan> planActions(WorkingSet& ws, const ConfigChanges& changes) {
  return Planner(ws, changes).run();
}

bool edgeInGraph(const ActionPlan& plan, const ActionEdge& e) {
  const PlannedAction& first = plan.actions[static_cast<std::size_t>(e.first)];
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
