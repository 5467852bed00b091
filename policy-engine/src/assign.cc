// Assignment of resources to nodes with colocations, after Pacemaker 2.1.5's
// pcmk__primitive_assign / pcmk__group_assign and the colocation helpers.
//
// Invariants: a resource is assigned at most once (provisional -> final);
// loops among colocations are broken by the `allocating`/`merging` marks,
// never by recursion depth.
#include "assign.h"

#include <algorithm>
#include <cmath>

#include "clone_assign.h"
#include "glib_order.h"
#include "remote_nodes.h"
#include "score_display.h"
#include "utilization.h"
#include "why.h"

namespace pulse::pe {
namespace {

constexpr Score kInfinityHack = static_cast<Score>(kInfinity * -100);

Resource& rsc(WorkingSet& ws, int i) { return ws.resources[static_cast<std::size_t>(i)]; }

bool isGroup(const Resource& r) { return r.kind == ResourceConfig::Kind::Group; }

bool nodeUsable(const WorkingSet& ws, int node, const NodeScores& scores) {
  auto& s = scores[static_cast<std::size_t>(node)];
  return s && *s >= 0 && ws.available(node);
}

bool anyNodeAvailable(const WorkingSet& ws, const NodeScores& scores) {
  for (std::size_t n = 0; n < scores.size(); ++n) {
    if (nodeUsable(ws, static_cast<int>(n), scores)) return true;
  }
  return false;
}

const std::string* nodeAttr(const WorkingSet& ws, int node, const std::string& attr) {
  const auto& attrs = ws.nodes[static_cast<std::size_t>(node)].attributes;
  auto it = attrs.find(attr.empty() ? "#uname" : attr);
  return it == attrs.end() ? nullptr : &it->second;
}

bool sameAttr(const WorkingSet& ws, int a, int b, const std::string& attr) {
  if (attr.empty() || attr == "#uname" || attr == "#id") return a == b;
  const std::string* x = nodeAttr(ws, a, attr);
  const std::string* y = nodeAttr(ws, b, attr);
  return x && y && *x == *y;
}

enum class Affects { Nothing, Location, Role };

Affects colocationAffects(const Resource& dependent, const Resource& primary, const Colocation& c) {
  if (primary.provisional) return Affects::Nothing;
  if (!dependent.provisional) return Affects::Nothing;
  if (c.score > 0 && c.dependent_role != Role::Unknown && c.dependent_role != dependent.next_role) {
    return Affects::Nothing;
  }
  if (c.score > 0 && c.primary_role != Role::Unknown && c.primary_role != primary.next_role) {
    return Affects::Nothing;
  }
  if (c.score < 0 && c.dependent_role != Role::Unknown && c.dependent_role == dependent.next_role) {
    return Affects::Nothing;
  }
  if (c.score < 0 && c.primary_role != Role::Unknown && c.primary_role == primary.next_role) {
    return Affects::Nothing;
  }
  return Affects::Location;
}

void applyColocToWeights(WorkingSet& ws, Resource& dependent, const Resource& primary,
                         const Colocation& c) {
  if (primary.assigned_to < 0 && c.score < 0) return;
  NodeScores work = dependent.allowed;
  for (std::size_t n = 0; n < work.size(); ++n) {
    if (!work[n]) continue;
    int node = static_cast<int>(n);
    if (primary.assigned_to < 0) {
      work[n] = addScores(-c.score, *work[n]);
    } else if (sameAttr(ws, node, primary.assigned_to, c.node_attribute)) {
      if (c.score < kInfinity) work[n] = addScores(c.score, *work[n]);
    } else if (c.score >= kInfinity) {
      work[n] = addScores(-c.score, *work[n]);
    }
  }
  if (c.score <= -kInfinity || c.score >= kInfinity || anyNodeAvailable(ws, work)) {
    if (ws.why != nullptr) noteColocation(ws, dependent, primary, c, work);
    dependent.allowed = std::move(work);
  }
}

class Assigner : public AssignSteps {
 public:
  explicit Assigner(WorkingSet& ws) : ws_(ws) {}

  int assign(int index) { return assign(index, -1); }

  int assign(int index, int prefer) override {
    Resource& r = rsc(ws_, index);
    if (isClone(r)) {
      assignClone(ws_, *this, index);
      return -1;
    }
    return isGroup(r) ? assignGroup(index, prefer) : assignPrimitive(index, prefer);
  }

  void applyColocScore(int dependent, int primary, const Colocation& c) override {
    applyColocScoreTo(dependent, primary, c);
  }

  void applyWithThis(int index, int ci) override {
    const Colocation c = ws_.colocations[static_cast<std::size_t>(ci)];
    if (!hasInfluence(c)) return;
    float factor = static_cast<float>(c.score) / static_cast<float>(kInfinity);
    NodeScores nodes = rsc(ws_, index).allowed;
    addColocatedNodeScores(c.dependent, nodes, true, c.node_attribute, factor, false, true,
                           isClone(rsc(ws_, index)));
    if (ws_.why != nullptr) {
      const std::string& other = rsc(ws_, c.dependent).id;
      const int group = rsc(ws_, c.dependent).parent;
      noteMerged(index, nodes, [&] {
        if (c.id == "group:internal_colocation" && group >= 0) {
          return "group " + rsc(ws_, group).id + ": merged preferences of " + other +
                 " and the members after it";
        }
        return "colocation " + c.id + " (score " + scoreText(c.score) +
               "): merged preferences of " + other + ", which runs with it";
      });
    }
    rsc(ws_, index).allowed = std::move(nodes);
  }

  void mergeColocatedScores(int target, int other, const std::string& attr, float factor,
                            bool only_active, bool nonnegative) override {
    NodeScores nodes = rsc(ws_, target).allowed;
    addColocatedNodeScores(other, nodes, true, attr, factor, false, only_active, nonnegative);
    if (ws_.why != nullptr) {
      noteMerged(target, nodes, [&] {
        return "merged preferences of " + rsc(ws_, other).id + ", colocated with it";
      });
    }
    rsc(ws_, target).allowed = std::move(nodes);
  }

  void mergeColocatedScoresInto(NodeScores& nodes, int other, const std::string& attr, float factor,
                                bool only_active, bool nonnegative) override {
    addColocatedNodeScores(other, nodes, true, attr, factor, false, only_active, nonnegative);
  }

  // Pacemaker's pcmk__unassign_resource.
  void unassign(int index) override {
    Resource& r = rsc(ws_, index);
    if (!r.provisional && r.assigned_to >= 0 && !isGroup(r)) {
      Node& node = ws_.nodes[static_cast<std::size_t>(r.assigned_to)];
      node.assigned_count--;
      releaseCapacity(node.capacity, r.utilization);
    }
    r.assigned_to = -1;
    r.provisional = true;
    std::vector<int> children = r.children;
    for (int c : children) unassign(c);
  }

  // Notes for `pcs resource why`: how merging colocated resources' scores (`merged`) changes
  // the resource's scores, node by node.
  template <typename Text>
  void noteMerged(int index, const NodeScores& merged, Text&& text) {
    const NodeScores& before = rsc(ws_, index).allowed;
    for (std::size_t n = 0; n < merged.size() && n < before.size(); ++n) {
      if (!merged[n] || !before[n] || *merged[n] == *before[n]) continue;
      const Score delta = *merged[n] <= -kInfinity || *merged[n] >= kInfinity
                              ? *merged[n]
                              : *merged[n] - *before[n];
      noteWhy(ws_, index, static_cast<int>(n), ReasonKind::Colocation, delta, text);
    }
  }

  // The resource's scores with its "this with" colocations merged in, as
  // Pacemaker weighs resources against each other before placing them.
  NodeScores colocatedScores(int index) {
    NodeScores scores;
    addColocatedNodeScores(index, scores, false, "", 1.0f, true, false);
    return scores;
  }

 private:
  // Colocation scores of `dependent` (and, transitively, of what is colocated
  // with it) merged into `nodes`, scaled by `factor`.
  // With `nonnegative` (a clone merging its dependents' scores) a merged
  // score never turns a node negative.
  void addColocatedNodeScores(int index, NodeScores& nodes, bool nodes_given,
                              const std::string& attr, float factor, bool this_with,
                              bool only_active, bool nonnegative = false) {
    Resource& r = rsc(ws_, index);
    if (r.merging) return;
    r.merging = true;
    NodeScores work;
    if (isGroup(r)) {
      if (r.children.empty()) {
        r.merging = false;
        return;
      }
      int member = nodes_given ? r.children.front() : r.children.back();
      work = nodes;
      addColocatedNodeScores(member, work, nodes_given, attr, factor, this_with, only_active,
                             nonnegative);
    } else if (!nodes_given) {
      work = r.allowed;
    } else {
      work = nodes;
      addScoresMatchingAttr(work, r, attr, factor, nonnegative);
    }
    if (anyNodeAvailable(ws_, work)) {
      float multiplier = factor < 0.0f ? -1.0f : 1.0f;
      std::vector<int> list;
      if (this_with) {
        list = r.this_with;
      } else if (isGroup(r)) {
        list = rsc(ws_, r.children.back()).with_this;
      } else {
        list = r.with_this;
      }
      for (int ci : list) {
        const Colocation& c = ws_.colocations[static_cast<std::size_t>(ci)];
        int other = this_with ? c.primary : c.dependent;
        if (!this_with && !hasInfluence(c)) continue;
        float f = multiplier * static_cast<float>(c.score) / static_cast<float>(kInfinity);
        addColocatedNodeScores(other, work, true, c.node_attribute, f, this_with, true,
                               nonnegative);
      }
    } else if (only_active) {
      r.merging = false;
      return;
    }
    if (nonnegative) {
      for (auto& s : work) {
        if (s && *s == kInfinityHack) s = 1;
      }
    }
    nodes = std::move(work);
    r.merging = false;
  }

  bool hasInfluence(const Colocation& c) const {
    return c.influence || rsc(ws_, c.primary).running_on.empty();
  }

  Score bestScoreMatchingAttr(const Resource& r, const std::string& attr, int node) {
    Score best = -kInfinity;
    for (std::size_t n = 0; n < r.allowed.size(); ++n) {
      if (!r.allowed[n]) continue;
      int other = static_cast<int>(n);
      if (*r.allowed[n] > best && ws_.available(other) && sameAttr(ws_, other, node, attr)) {
        best = *r.allowed[n];
      }
    }
    return best;
  }

  void addScoresMatchingAttr(NodeScores& nodes, const Resource& r, const std::string& attr,
                             float factor, bool only_positive) {
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      if (!nodes[n]) continue;
      Score score = bestScoreMatchingAttr(r, attr, static_cast<int>(n));
      if (factor < 0 && score < 0) continue;
      if (*nodes[n] == kInfinityHack) continue;
      float weight_f = factor * static_cast<float>(score);
      int weight = static_cast<int>(weight_f < 0 ? weight_f - 0.5f : weight_f + 0.5f);
      if (weight == 0 && score != 0) weight = factor > 0 ? 1 : (factor < 0 ? -1 : 0);
      Score updated = addScores(weight, *nodes[n]);
      if (only_positive && updated < 0 && *nodes[n] > 0) {
        nodes[n] = kInfinityHack;
        continue;
      }
      if (only_positive && updated < 0 && *nodes[n] == 0) continue;
      nodes[n] = updated;
    }
  }

  void applyColocScoreTo(int dependent, int primary, const Colocation& c) {
    Resource& p = rsc(ws_, primary);
    if (isClone(p)) {
      applyColocationWithClone(ws_, *this, dependent, primary, c);
      return;
    }
    if (isGroup(p)) {
      if (p.provisional || p.children.empty()) return;
      if (p.group_colocated) {
        int member = c.score >= kInfinity ? p.children.back() : p.children.front();
        applyColocScoreTo(dependent, member, c);
        return;
      }
      if (c.score >= kInfinity) return;  // mandatory colocation with a non-colocated group
      for (int member : p.children) applyColocScoreTo(dependent, member, c);
      return;
    }
    Resource& d = rsc(ws_, dependent);
    if (colocationAffects(d, p, c) == Affects::Location) applyColocToWeights(ws_, d, p, c);
  }

  void applyThisWith(int index, int ci) {
    const Colocation c = ws_.colocations[static_cast<std::size_t>(ci)];
    Resource& r = rsc(ws_, index);
    std::optional<NodeScores> archive;
    if (c.score < 0 && c.score > -kInfinity) archive = r.allowed;
    assign(c.primary);
    applyColocScoreTo(index, c.primary, c);
    Resource& again = rsc(ws_, index);
    if (archive && !anyNodeAvailable(ws_, again.allowed)) again.allowed = std::move(*archive);
  }

  bool finalize(Resource& r, int chosen, bool force) {
    if (!force && chosen >= 0) {
      auto& s = r.allowed[static_cast<std::size_t>(chosen)];
      if (!s || *s < 0 || !ws_.available(chosen)) {
        r.next_role = Role::Stopped;
        chosen = -1;
      }
    }
    r.provisional = false;
    r.assigned_to = -1;
    if (chosen < 0) {
      r.next_role = Role::Stopped;
      return false;
    }
    r.assigned_to = chosen;
    // Forced onto its current node, the copy is of the cluster's node, whose weight is 0.
    const auto& weight = r.allowed[static_cast<std::size_t>(chosen)];
    r.assigned_weight = !force && weight ? *weight : 0;
    Node& node = ws_.nodes[static_cast<std::size_t>(chosen)];
    node.assigned_count++;
    consumeCapacity(node.capacity, r.utilization);
    return true;
  }

  // Pacemaker's compare_nodes: score (unavailable nodes last), then for
  // "balanced" the most free capacity, then fewest resources assigned, then
  // the current node; "minimal" skips straight to the name, so resources
  // pack onto the first nodes by name.
  bool nodeBefore(const Resource& r, int current, int a, int b) const {
    auto weight = [&](int n) {
      return ws_.available(n) ? *r.allowed[static_cast<std::size_t>(n)] : -kInfinity;
    };
    Score wa = weight(a), wb = weight(b);
    if (wa != wb) return wa > wb;
    const Node& na = ws_.nodes[static_cast<std::size_t>(a)];
    const Node& nb = ws_.nodes[static_cast<std::size_t>(b)];
    const PlacementStrategy strategy = ws_.options.placement_strategy;
    if (strategy != PlacementStrategy::Minimal) {
      if (strategy == PlacementStrategy::Balanced) {
        int by_capacity = compareNodeCapacities(na.capacity, nb.capacity);
        if (by_capacity != 0) return by_capacity < 0;
      }
      if (na.assigned_count != nb.assigned_count) return na.assigned_count < nb.assigned_count;
      if (current >= 0 && (a == current) != (b == current)) return a == current;
    }
    return na.name < nb.name;
  }

  // Pacemaker's assign_best_node: `prefer` (a clone instance's current node)
  // wins when it is as good as the best node and available.
  bool assignBestNode(int index, int prefer) {
    // Capacity bans first; when nothing has room for the resource and what
    // is colocated with it, the node with most room left is preferred, unless
    // something else already is (pcmk__ban_insufficient_capacity).
    if (ws_.options.placement_strategy != PlacementStrategy::Default && node_table_.empty()) {
      node_table_ = nodeTableOrder(ws_);
    }
    const int most_room = banInsufficientCapacity(ws_, index, node_table_);
    if (prefer < 0) prefer = most_room;
    Resource& r = rsc(ws_, index);
    std::vector<int> nodes;
    int current = ws_.currentNode(r);
    if (ws_.options.placement_strategy == PlacementStrategy::Default) {
      // A total order (names break every tie): any sort gives Pacemaker's result.
      for (std::size_t n = 0; n < r.allowed.size(); ++n) {
        if (r.allowed[n]) nodes.push_back(static_cast<int>(n));
      }
      std::sort(nodes.begin(), nodes.end(),
                [&](int a, int b) { return nodeBefore(r, current, a, b); });
    } else {
      // Pacemaker sorts the allowed-node table's values (its iteration order,
      // reversed) with g_list_sort; capacity votes need not be transitive, so
      // the same input and algorithm are needed for the same choice.
      for (auto it = node_table_.rbegin(); it != node_table_.rend(); ++it) {
        if (r.allowed[static_cast<std::size_t>(*it)]) nodes.push_back(*it);
      }
      nodes = glibSorted(nodes, [&](int a, int b) {
        return nodeBefore(r, current, a, b) ? -1 : (nodeBefore(r, current, b, a) ? 1 : 0);
      });
    }
    auto weight = [&](int n) {
      return ws_.available(n) ? *r.allowed[static_cast<std::size_t>(n)] : -kInfinity;
    };
    int chosen = -1;
    if (prefer >= 0 && !nodes.empty() && r.allowed[static_cast<std::size_t>(prefer)]) {
      Score preferred = *r.allowed[static_cast<std::size_t>(prefer)];
      if (preferred >= weight(nodes.front()) && preferred >= 0 && ws_.available(prefer)) {
        chosen = prefer;
      }
    }
    // A unique clone's instances do not stay on their current node for a tie.
    bool unique_instance =
        r.parent >= 0 && isClone(rsc(ws_, r.parent)) && rsc(ws_, r.parent).unique;
    if (chosen < 0 && !nodes.empty()) {
      chosen = nodes.front();
      if (!unique_instance && *r.allowed[static_cast<std::size_t>(chosen)] > 0 &&
          ws_.available(chosen) && current >= 0 && ws_.available(current)) {
        Score best = *r.allowed[static_cast<std::size_t>(chosen)];
        for (std::size_t i = 1; i < nodes.size(); ++i) {
          if (*r.allowed[static_cast<std::size_t>(nodes[i])] != best) break;
          if (nodes[i] == current) chosen = current;
        }
      }
    }
    return finalize(r, chosen, false);
  }

  int assignPrimitive(int index, int prefer) {
    Resource& r0 = rsc(ws_, index);
    if (r0.parent >= 0 && !rsc(ws_, r0.parent).allocating) assign(r0.parent);
    Resource& r = rsc(ws_, index);
    if (!r.provisional) return r.assigned_to;
    if (r.allocating) return -1;
    r.allocating = true;
    std::vector<int> this_with = r.this_with;
    for (int ci : this_with) applyThisWith(index, ci);
    std::vector<int> with_this = rsc(ws_, index).with_this;
    for (int ci : with_this) applyWithThis(index, ci);
    Resource& rr = rsc(ws_, index);
    if (rr.next_role == Role::Stopped) {
      addLocationScore(rr, -1, -kInfinity);
    } else if (rr.next_role > rr.role && !ws_.options.have_quorum &&
               ws_.options.no_quorum_policy == NoQuorumPolicy::Freeze) {
      rr.next_role = rr.role;
    }
    showNodeWeights(ws_, index, "pcmk__primitive_assign");
    if (ws_.options.stonith_enabled && !ws_.options.have_stonith_resource && rr.managed) {
      rr.managed = false;
      rr.unmanaged_without_fencing = true;
    }
    if (!rr.managed) {
      rr.next_role = rr.role;
      finalize(rr, ws_.currentNode(rr), true);
    } else if (ws_.options.stop_all_resources) {
      finalize(rr, -1, true);
    } else {
      assignBestNode(index, prefer);
    }
    rr.allocating = false;
    if (rr.remote_node >= 0) remoteConnectionAssigned(ws_, index);
    return rr.assigned_to;
  }

  void expandGroupColocations(Resource& g) {
    if (g.children.empty()) return;
    int first = g.children.front();
    for (int ci : g.this_with) {
      insertColocation(ws_, rsc(ws_, first).this_with, ci, true);
    }
    bool any_unmanaged = !rsc(ws_, first).managed;
    for (std::size_t i = 1; i < g.children.size(); ++i) {
      int member = g.children[i];
      if (any_unmanaged) {
        for (int ci : g.this_with) {
          if (ws_.colocations[static_cast<std::size_t>(ci)].score == kInfinity) {
            insertColocation(ws_, rsc(ws_, member).this_with, ci, true);
          }
        }
      } else if (!rsc(ws_, member).managed) {
        any_unmanaged = true;
      }
    }
    g.this_with.clear();
    int last = g.children.back();
    for (int ci : g.with_this) {
      insertColocation(ws_, rsc(ws_, last).with_this, ci, false);
    }
    g.with_this.clear();
  }

  int assignGroup(int index, int prefer) {
    Resource& g = rsc(ws_, index);
    if (!g.provisional) return g.assigned_to;
    if (g.allocating) return -1;
    if (g.children.empty()) {
      g.provisional = false;
      return -1;
    }
    g.allocating = true;
    g.role = rsc(ws_, g.children.front()).role;
    expandGroupColocations(g);
    showNodeWeights(ws_, index, "pcmk__group_assign");
    int first_assigned = -1;
    std::vector<int> children = g.children;
    for (int member : children) {
      int node = assignPrimitive(member, prefer);
      if (first_assigned < 0) first_assigned = node;
    }
    Resource& gg = rsc(ws_, index);
    gg.next_role = rsc(ws_, gg.children.front()).next_role;
    gg.allocating = false;
    gg.provisional = false;
    gg.assigned_to = gg.group_colocated ? first_assigned : -1;
    return gg.assigned_to;
  }

  WorkingSet& ws_;
  std::vector<int> node_table_;  // nodeTableOrder(ws_), computed on first use
};

// Pacemaker's cmp_resources (pcmk__sort_resources), used when capacities
// count: higher priority first, then the higher score on the current node,
// then the higher score on the nodes taken in their placement order.
// Returns <0 when `a` goes first.
int compareForPlacement(WorkingSet& ws, Assigner& assigner, const std::vector<int>& nodes, int a,
                        int b) {
  const Resource& ra = rsc(ws, a);
  const Resource& rb = rsc(ws, b);
  if (ra.priority != rb.priority) return ra.priority > rb.priority ? -1 : 1;
  if (nodes.empty()) return 0;
  const NodeScores sa = assigner.colocatedScores(a);
  const NodeScores sb = assigner.colocatedScores(b);
  auto on = [](const NodeScores& s, int node) {
    return node < 0 || !s[static_cast<std::size_t>(node)] ? -kInfinity
                                                          : *s[static_cast<std::size_t>(node)];
  };
  Score wa = on(sa, ws.currentNode(rsc(ws, a)));
  Score wb = on(sb, ws.currentNode(rsc(ws, b)));
  if (wa != wb) return wa > wb ? -1 : 1;
  for (int node : nodes) {
    wa = on(sa, node);
    wb = on(sb, node);
    if (wa != wb) return wa > wb ? -1 : 1;
  }
  return 0;
}

}  // namespace

void assignResources(WorkingSet& ws) {
  std::vector<int> order = ws.top_level;
  Assigner assigner(ws);
  if (ws.options.placement_strategy == PlacementStrategy::Default) {
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return rsc(ws, a).priority > rsc(ws, b).priority; });
  } else {
    // All nodes by availability, capacity (balanced) and name, no resource
    // placed yet: the order in which resources' scores are compared.
    const std::vector<int> nodes = glibSorted(pacemakerNodeOrder(ws), [&](int a, int b) {
      Score wa = ws.available(a) ? 0 : -kInfinity;
      Score wb = ws.available(b) ? 0 : -kInfinity;
      if (wa != wb) return wa > wb ? -1 : 1;
      const Node& na = ws.nodes[static_cast<std::size_t>(a)];
      const Node& nb = ws.nodes[static_cast<std::size_t>(b)];
      if (ws.options.placement_strategy == PlacementStrategy::Balanced) {
        int by_capacity = compareNodeCapacities(na.capacity, nb.capacity);
        if (by_capacity != 0) return by_capacity < 0 ? -1 : 1;
      }
      return na.name.compare(nb.name) < 0 ? -1 : (na.name == nb.name ? 0 : 1);
    });
    // Resources start in priority order (a stable sort), as Pacemaker keeps them.
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return rsc(ws, a).priority > rsc(ws, b).priority; });
    order = glibSorted(
        order, [&](int a, int b) { return compareForPlacement(ws, assigner, nodes, a, b); });
    ws.placement_order = order;
  }
  // Remote connections first: where they go decides which remote nodes can run resources. A
  // connection caught in a partial migration prefers the migration's target (a tie goes there).
  for (int index : order) {
    const Resource& r = rsc(ws, index);
    if (r.remote_node >= 0) assigner.assign(index, r.partial_migration_target);
  }
  for (int index : order) assigner.assign(index);
}

}  // namespace pulse::pe
