// Clone assignment: instances keep their current nodes first, then the rest
// are spread over the allowed nodes within clone-max and clone-node-max
// (Pacemaker 2.1.5's pcmk__clone_allocate, distribute_children,
// allocate_instance, and pcmk__clone_apply_coloc_score).
//
// Invariant: every instance leaves assignClone() assigned (to a node or to
// none); per-node instance counts live here, not on the nodes.
#include "clone_assign.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "promotable.h"
#include "score_display.h"
#include "utilization.h"
#include "why.h"

namespace pulse::pe {
namespace {

Resource& rsc(WorkingSet& ws, int i) { return ws.resources[static_cast<std::size_t>(i)]; }
const Resource& rsc(const WorkingSet& ws, int i) {
  return ws.resources[static_cast<std::size_t>(i)];
}

bool failedAnywhere(const WorkingSet& ws, const Resource& r) {
  if (r.failed) return true;
  for (int c : r.children) {
    if (failedAnywhere(ws, rsc(ws, c))) return true;
  }
  return false;
}

bool blockedAnywhere(const WorkingSet& ws, const Resource& r) {
  if (r.blocked) return true;
  for (int c : r.children) {
    if (blockedAnywhere(ws, rsc(ws, c))) return true;
  }
  return false;
}

// Pacemaker's common_update_score: sets (not adds) a node's score on a
// resource and its members, where the node is allowed at all.
void setScore(WorkingSet& ws, int index, int node, Score score) {
  auto& slot = rsc(ws, index).allowed[static_cast<std::size_t>(node)];
  if (slot) slot = score;
  std::vector<int> children = rsc(ws, index).children;
  for (int c : children) setScore(ws, c, node, score);
}

}  // namespace

InstanceOrder::InstanceOrder(WorkingSet& ws, AssignSteps& steps, int clone)
    : ws_(ws), steps_(steps), clone_(clone), colocated_(ws.resources.size()) {}

bool InstanceOrder::allowedByClone(int node) const {
  return rsc(ws_, clone_).allowed[static_cast<std::size_t>(node)].has_value();
}

Score InstanceOrder::colocatedScoreOnCurrentNode(int instance) {
  auto& cached = colocated_[static_cast<std::size_t>(instance)];
  if (cached) return *cached;
  const int current = rsc(ws_, instance).running_on.front();
  NodeScores table(ws_.nodes.size());
  table[static_cast<std::size_t>(current)] = 0;
  const std::vector<int> this_with = rsc(ws_, clone_).this_with;
  for (int ci : this_with) {
    const Colocation& c = ws_.colocations[static_cast<std::size_t>(ci)];
    steps_.mergeColocatedScoresInto(table, c.primary, c.node_attribute,
                                    static_cast<float>(c.score) / kInfinity, false, false);
  }
  const std::vector<int> with_this = rsc(ws_, clone_).with_this;
  for (int ci : with_this) {
    const Colocation& c = ws_.colocations[static_cast<std::size_t>(ci)];
    if (!c.influence) continue;  // the instance is active
    steps_.mergeColocatedScoresInto(table, c.dependent, c.node_attribute,
                                    static_cast<float>(c.score) / kInfinity, false, true);
  }
  cached = *table[static_cast<std::size_t>(current)];
  return *cached;
}

int InstanceOrder::compare(int a, int b) {
  const Resource& x = rsc(ws_, a);
  const Resource& y = rsc(ws_, b);
  auto allowedOn = [](const Resource& r, int node) {
    if (node < 0) return true;
    const auto& s = r.allowed[static_cast<std::size_t>(node)];
    return s && *s >= 0;
  };
  const std::size_t nx = x.running_on.size(), ny = y.running_on.size();
  int node_x = x.running_on.empty() ? -1 : x.running_on.front();
  int node_y = y.running_on.empty() ? -1 : y.running_on.front();
  if (nx > 0 && ny > 0 && nx != ny) return nx < ny ? -1 : 1;
  const bool can_x = allowedOn(x, node_x), can_y = allowedOn(y, node_y);
  if (can_x != can_y) return can_x ? -1 : 1;
  if (!can_x) node_x = -1;
  if (!can_y) node_y = -1;
  if (x.priority != y.priority) return x.priority > y.priority ? -1 : 1;
  if (node_x < 0 && node_y < 0) return 0;
  if (node_x < 0 || node_y < 0) return node_x >= 0 ? -1 : 1;
  const bool up_x = ws_.available(node_x), up_y = ws_.available(node_y);
  if (up_x != up_y) return up_x ? -1 : 1;
  const bool top_x = allowedByClone(node_x), top_y = allowedByClone(node_y);
  if (!top_x && !top_y) return 0;
  if (top_x != top_y) return top_x ? -1 : 1;
  const bool failed_x = failedAnywhere(ws_, x), failed_y = failedAnywhere(ws_, y);
  if (failed_x != failed_y) return failed_x ? 1 : -1;
  const Score cx = colocatedScoreOnCurrentNode(a), cy = colocatedScoreOnCurrentNode(b);
  if (cx != cy) return cx > cy ? -1 : 1;
  return instanceNumber(x) - instanceNumber(y);
}

int InstanceOrder::instanceNumber(const Resource& r) {
  const auto colon = r.id.rfind(':');
  if (colon == std::string::npos) return 0;
  return std::atoi(r.id.c_str() + colon + 1);
}

namespace {

class CloneAssigner {
 public:
  CloneAssigner(WorkingSet& ws, AssignSteps& steps, int clone)
      : ws_(ws), steps_(steps), clone_(clone), count_(ws.nodes.size(), 0) {}

  void run() {
    Resource& c = rsc(ws_, clone_);
    if (!c.provisional || c.allocating) return;
    c.allocating = true;
    std::vector<int> this_with = c.this_with;
    for (int ci : this_with) {
      steps_.assign(ws_.colocations[static_cast<std::size_t>(ci)].primary, -1);
    }
    std::vector<int> with_this = rsc(ws_, clone_).with_this;
    for (int ci : with_this) steps_.applyWithThis(clone_, ci);
    if (rsc(ws_, clone_).promotable) addPromotionScores(ws_, clone_);
    showNodeWeights(ws_, clone_, "pcmk__clone_allocate");
    std::vector<int> children = sortedInstances();
    rsc(ws_, clone_).instance_order = children;
    distribute(children);
    if (rsc(ws_, clone_).promotable) setInstanceRoles(ws_, steps_, clone_);
    Resource& done = rsc(ws_, clone_);
    done.provisional = false;
    done.allocating = false;
  }

 private:
  bool allowedByClone(int node) const {
    const auto& s = rsc(ws_, clone_).allowed[static_cast<std::size_t>(node)];
    return s.has_value();
  }

  // Pacemaker's pcmk__cmp_instance, without the comparison of instances per current node.
  std::vector<int> sortedInstances() {
    std::vector<int> children = rsc(ws_, clone_).children;
    InstanceOrder order(ws_, steps_, clone_);
    std::stable_sort(children.begin(), children.end(),
                     [&](int a, int b) { return order.compare(a, b) < 0; });
    return children;
  }

  // Pacemaker's append_parent_colocation: the clone's colocations apply to
  // each instance (only the mandatory or negative ones unless every node
  // cannot get an instance anyway).
  void inheritColocations(int instance, bool all) {
    std::vector<int> this_with = rsc(ws_, clone_).this_with;
    for (int ci : this_with) {
      const Colocation& c = ws_.colocations[static_cast<std::size_t>(ci)];
      if (all || c.score < 0 || c.score == kInfinity) {
        insertColocation(ws_, rsc(ws_, instance).this_with, ci, true);
      }
    }
    std::vector<int> with_this = rsc(ws_, clone_).with_this;
    for (int ci : with_this) {
      const Colocation& c = ws_.colocations[static_cast<std::size_t>(ci)];
      if (!c.influence && !rsc(ws_, c.primary).running_on.empty()) continue;
      if (all || c.score < 0) insertColocation(ws_, rsc(ws_, instance).with_this, ci, false);
    }
  }

  // Pacemaker's can_run_instance over every allowed node.
  void banUnusableNodes(int instance, int limit) {
    for (std::size_t n = 0; n < ws_.nodes.size(); ++n) {
      if (!rsc(ws_, instance).allowed[n]) continue;
      int node = static_cast<int>(n);
      const auto& top = rsc(ws_, clone_).allowed[n];
      bool usable = ws_.available(node) && !rsc(ws_, instance).orphan && top && *top >= 0 &&
                    count_[n] < limit;
      if (!usable) setScore(ws_, instance, node, -kInfinity);
    }
  }

  // The node scores of `instance` and of its members (a cloned group's), in that order.
  std::vector<NodeScores> nodeTables(int instance) const {
    std::vector<NodeScores> tables{rsc(ws_, instance).allowed};
    for (int m : rsc(ws_, instance).children) tables.push_back(rsc(ws_, m).allowed);
    return tables;
  }

  void restoreNodeTables(int instance, std::vector<NodeScores>& tables) {
    rsc(ws_, instance).allowed = std::move(tables.front());
    const std::vector<int>& members = rsc(ws_, instance).children;
    for (std::size_t i = 0; i < members.size() && i + 1 < tables.size(); ++i) {
      rsc(ws_, members[i]).allowed = std::move(tables[i + 1]);
    }
  }

  bool assignInstance(int instance, int prefer, bool all_coloc, int limit) {
    Resource& r = rsc(ws_, instance);
    if (!r.provisional) return placedOn(ws_, r, false) >= 0;
    if (r.allocating) return false;
    inheritColocations(instance, all_coloc);
    if (prefer >= 0) {
      const auto& s = rsc(ws_, instance).allowed[static_cast<std::size_t>(prefer)];
      if (!s || *s < 0) return false;
    }
    banUnusableNodes(instance, limit);
    std::vector<NodeScores> backup = nodeTables(instance);
    int chosen = steps_.assign(instance, prefer);
    if (chosen >= 0 && prefer >= 0 && chosen != prefer) {
      // Pacemaker 2.1.5 restores only the instance's own table and unassigns only a
      // primitive here (pcmk__unassign_resource is not recursive; both fixed upstream in
      // 2.1.7): a cloned group's instance stays where its first member went, counted nowhere,
      // so a node can get two instances. Pulse undoes the whole instance, its members' scores
      // included, and places it again with the others (README, Known differences).
      if (ws_.pacemaker_defects && rsc(ws_, instance).kind == ResourceConfig::Kind::Group) {
        rsc(ws_, instance).allowed = std::move(backup.front());
        return false;
      }
      restoreNodeTables(instance, backup);
      steps_.unassign(instance);
      return false;
    }
    if (chosen < 0) return false;
    if (allowedByClone(chosen)) ++count_[static_cast<std::size_t>(chosen)];
    return true;
  }

  // An instance (and its members) banned from every node and stopped, not assigned.
  void leaveUnassigned(int instance) {
    Resource& r = rsc(ws_, instance);
    addLocationScore(r, -1, -kInfinity);
    r.next_role = Role::Stopped;
    std::vector<int> members = r.children;
    for (int m : members) leaveUnassigned(m);
  }

  void distribute(const std::vector<int>& children) {
    const Resource& c = rsc(ws_, clone_);
    const int max = c.clone_max;
    const int per_node = c.clone_node_max;
    int available = 0;
    for (std::size_t n = 0; n < ws_.nodes.size(); ++n) {
      if (c.allowed[n] && ws_.available(static_cast<int>(n))) ++available;
    }
    const bool all_coloc = max < available;
    int loop_max = available > 0 ? max / available : 0;
    if (loop_max < 1) loop_max = 1;
    int assigned = 0;
    // First keep instances where they run, up to the even share per node.
    for (int child : children) {
      if (assigned >= max) break;
      const Resource& r = rsc(ws_, child);
      // Only the instance's own failure counts here (a cloned group's member
      // failing does not mark the group), as in Pacemaker.
      if (r.running_on.empty() || !r.provisional || r.failed) continue;
      int node = r.running_on.front();
      if (!ws_.available(node)) continue;
      if (allowedByClone(node) && count_[static_cast<std::size_t>(node)] >= loop_max) continue;
      if (assignInstance(child, node, all_coloc, per_node)) ++assigned;
    }
    for (int child : children) {
      if (!rsc(ws_, child).provisional) continue;
      if (assigned >= max) {
        // Over the limit: banned everywhere but left unassigned (provisional), as Pacemaker
        // leaves it, so that a colocation with this instance changes nothing (an assigned
        // instance placed nowhere would push its dependents away from every node).
        leaveUnassigned(child);
        continue;
      }
      if (assignInstance(child, -1, all_coloc, per_node)) {
        ++assigned;
      } else if (rsc(ws_, child).provisional) {
        steps_.assign(child, -1);  // nowhere to go: settle it as stopped
      }
    }
  }

  WorkingSet& ws_;
  AssignSteps& steps_;
  int clone_;
  std::vector<int> count_;  // instances assigned per node (Pacemaker's node->count)
};

// Pacemaker's copies_per_node for a clone: its clone-node-max as configured (1 when unset),
// before anonymous clones are held to one instance per node.
int copiesPerNode(const Resource& clone) {
  auto it = clone.meta.find("clone-node-max");
  if (it == clone.meta.end()) return 1;
  const long long n = std::strtoll(it->second.c_str(), nullptr, 10);
  return static_cast<int>(std::clamp<long long>(n, 0, kInfinity));
}

// Whether colocation `c` with clone `primary` pairs instances node by node: its dependent is
// an interleaved clone allowing as many instances per node as `primary`.
bool interleavedWith(WorkingSet& ws, const Resource& primary, const Colocation& c) {
  const Resource& dependent = rsc(ws, c.dependent);
  if (!isClone(dependent) || !dependent.interleave) return false;
  if (copiesPerNode(dependent) == copiesPerNode(primary)) return true;
  const std::string warning = "cannot interleave " + dependent.id + " with " + primary.id +
                              " (colocation " + c.id +
                              "): they allow different numbers of instances per node";
  if (std::find(ws.warnings.begin(), ws.warnings.end(), warning) == ws.warnings.end()) {
    ws.warnings.push_back(warning);
  }
  return false;
}

bool instanceOn(const WorkingSet& ws, int instance, int node, bool current) {
  if (blockedAnywhere(ws, rsc(ws, instance))) return false;  // only instances that have not failed
  return placedOn(ws, rsc(ws, instance), current) == node;
}

}  // namespace

int placedOn(const WorkingSet& ws, const Resource& r, bool current) {
  if (current) {
    if (r.kind == ResourceConfig::Kind::Group && !r.children.empty()) {
      return placedOn(ws, rsc(ws, r.children.front()), true);
    }
    return r.running_on.empty() ? -1 : r.running_on.front();
  }
  return r.provisional ? -1 : r.assigned_to;
}

int compatibleInstance(const WorkingSet& ws, int instance, int clone, bool current) {
  const Resource& me = rsc(ws, instance);
  const std::vector<int>& others = rsc(ws, clone).children;
  auto onNode = [&](int node) {
    for (int other : others) {
      if (instanceOn(ws, other, node, current)) return other;
    }
    return -1;
  };
  int here = placedOn(ws, me, current);
  if (here >= 0) return onNode(here);
  std::vector<int> nodes;
  for (std::size_t n = 0; n < me.allowed.size(); ++n) {
    if (me.allowed[n]) nodes.push_back(static_cast<int>(n));
  }
  // Pacemaker's pcmk__sort_nodes without a current node: score (unavailable nodes last);
  // unless placement-strategy=minimal, the most free capacity (balanced), then the fewest
  // resources assigned so far; then the name.
  auto weight = [&](int n) {
    return ws.available(n) ? *me.allowed[static_cast<std::size_t>(n)] : -kInfinity;
  };
  std::stable_sort(nodes.begin(), nodes.end(), [&](int a, int b) {
    if (weight(a) != weight(b)) return weight(a) > weight(b);
    const Node& na = ws.nodes[static_cast<std::size_t>(a)];
    const Node& nb = ws.nodes[static_cast<std::size_t>(b)];
    const PlacementStrategy strategy = ws.options.placement_strategy;
    if (strategy != PlacementStrategy::Minimal) {
      if (strategy == PlacementStrategy::Balanced) {
        const int by_capacity = compareNodeCapacities(na.capacity, nb.capacity);
        if (by_capacity != 0) return by_capacity < 0;
      }
      if (na.assigned_count != nb.assigned_count) return na.assigned_count < nb.assigned_count;
    }
    return na.name < nb.name;
  });
  for (int n : nodes) {
    int other = onNode(n);
    if (other >= 0) return other;
  }
  return -1;
}

void assignClone(WorkingSet& ws, AssignSteps& steps, int clone) {
  CloneAssigner(ws, steps, clone).run();
}

void applyColocationWithClone(WorkingSet& ws, AssignSteps& steps, int dependent, int clone,
                              const Colocation& c) {
  const Resource& primary = rsc(ws, clone);
  // Not placed yet (a colocation loop reached it while it was being placed): no instance
  // says where the dependent may go, so the colocation changes nothing, even a mandatory one.
  if (primary.provisional) return;
  if (primary.promotable && c.primary_role != Role::Unknown) {
    // With a role of a promotable clone: where instances will be in that role.
    if (!primary.provisional && rsc(ws, dependent).provisional) {
      applyColocationWithPromotable(ws, dependent, clone, c);
    }
    return;
  }
  if (interleavedWith(ws, primary, c)) {
    // Interleaved clones: each instance goes with the instance on its own node.
    int partner = compatibleInstance(ws, dependent, clone, false);
    if (partner >= 0) {
      steps.applyColocScore(dependent, partner, c);
    } else if (c.score >= kInfinity) {
      for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
        setScore(ws, dependent, static_cast<int>(n), -kInfinity);
      }
    }
    return;
  }
  if (c.score >= kInfinity) {
    // Mandatory: only nodes where an instance will run remain.
    std::vector<bool> affected(ws.nodes.size(), false);
    for (int child : primary.children) {
      int node = placedOn(ws, rsc(ws, child), false);
      if (node >= 0 && !blockedAnywhere(ws, rsc(ws, child))) {
        affected[static_cast<std::size_t>(node)] = true;
      }
    }
    Resource& d = rsc(ws, dependent);
    for (std::size_t n = 0; n < d.allowed.size(); ++n) {
      if (!d.allowed[n] || affected[n]) continue;
      d.allowed[n] = -kInfinity;
      noteWhy(ws, dependent, static_cast<int>(n), ReasonKind::Colocation, -kInfinity, [&] {
        return "colocation " + c.id + " with " + primary.id + " (score " + scoreText(c.score) +
               "): no instance of " + primary.id + " will run there";
      });
    }
    return;
  }
  // In the order Pacemaker's list of instances has once they are assigned: a colocation that
  // would leave no node available is rolled back instance by instance.
  std::vector<int> children =
      primary.instance_order.empty() ? primary.children : primary.instance_order;
  for (int child : children) steps.applyColocScore(dependent, child, c);
}

}  // namespace pulse::pe
