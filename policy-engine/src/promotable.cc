// Promotion of promotable clone instances (Pacemaker 2.1.5's
// pcmk_sched_promotable.c): promotion scores come from the node attributes
// master-<rsc> the resource agents set; the highest priorities are promoted.
#include "promotable.h"

#include <algorithm>
#include <map>

#include "history.h"
#include "score_display.h"
#include "tickets.h"

namespace pulse::pe {
namespace {

Resource& rsc(WorkingSet& ws, int i) { return ws.resources[static_cast<std::size_t>(i)]; }

bool allowedOn(const Resource& r, int node) {
  const auto& s = r.allowed[static_cast<std::size_t>(node)];
  return s && *s >= 0;
}

bool contains(const std::vector<int>& v, int x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Per primitive configuration of an anonymous clone and per node: the first instance (in
// instance order) active there, and whether any instance is known there. Built once per clone,
// so that scoring every instance on every node does not rescan every instance (which made
// promotion quadratic in the instances, times the nodes).
class InstanceIndex {
 public:
  InstanceIndex(WorkingSet& ws, int clone) : nodes_(ws.nodes.size()) {
    for (int instance : rsc(ws, clone).children) {
      for (int m : rsc(ws, instance).children.empty() ? std::vector<int>{instance}
                                                      : rsc(ws, instance).children) {
        const Resource& member = rsc(ws, m);
        PerConfig& pc = by_config_[member.config];
        if (pc.active.empty()) {
          pc.active.assign(nodes_, -1);
          pc.known.assign(nodes_, 0);
        }
        for (int n : member.running_on) {
          int& first_active = pc.active[static_cast<std::size_t>(n)];
          if (first_active < 0) first_active = m;
        }
        for (int n : member.known_on) pc.known[static_cast<std::size_t>(n)] = 1;
      }
    }
  }

  int active(const Resource& r, int node) const {
    return find(r).active[static_cast<std::size_t>(node)];
  }
  bool known(const Resource& r, int node) const {
    return find(r).known[static_cast<std::size_t>(node)] != 0;
  }

 private:
  struct PerConfig {
    std::vector<int> active;
    std::vector<char> known;
  };
  const PerConfig& find(const Resource& r) const { return by_config_.at(r.config); }

  std::size_t nodes_;
  std::map<const void*, PerConfig> by_config_;
};

// Pacemaker's promotion_score_applies: an anonymous instance's score on a node
// counts when that instance is the one active there, or none is and the
// resource was probed there; otherwise when the instance is known there (or
// nowhere yet, as at cluster start).
bool scoreApplies(WorkingSet& ws, int clone, const InstanceIndex& index, const Resource& r,
                  int node) {
  if (!rsc(ws, clone).unique) {
    const int active = index.active(r, node);
    if (active == r.index || (active < 0 && index.known(r, node))) return allowedOn(r, node);
  }
  if (r.running_on.empty() && r.known_on.empty()) return allowedOn(r, node);
  if (contains(r.known_on, node) || contains(r.running_on, node)) return allowedOn(r, node);
  return false;
}

// Pacemaker's promotion_score: master-<name> on the node, by the name the
// history knows the instance by, then by its id, then by the bare id; a
// cloned group's instance sums its members' scores. `found` says whether any
// attribute was set.
Score promotionScore(WorkingSet& ws, int clone, const InstanceIndex& instances, int index, int node,
                     bool& found) {
  const Resource& r = rsc(ws, index);
  if (!r.children.empty()) {
    Score sum = 0;
    for (int m : r.children) {
      sum = addScores(sum, promotionScore(ws, clone, instances, m, node, found));
    }
    return sum;
  }
  if (!scoreApplies(ws, clone, instances, r, node)) return 0;
  const Attributes& attrs = ws.nodes[static_cast<std::size_t>(node)].attributes;
  // By the name the history knows the instance by, else its id; an anonymous
  // instance without history falls back to the bare id.
  std::vector<std::string> names{r.clone_name.empty() ? r.id : r.clone_name};
  if (!rsc(ws, clone).unique && stripInstance(r.id) != r.id) names.push_back(stripInstance(r.id));
  for (const std::string& name : names) {
    auto it = attrs.find("master-" + name);
    if (it == attrs.end()) continue;
    found = true;
    return parseScore(it->second).value_or(0);
  }
  return 0;
}

void setNextRole(WorkingSet& ws, int index, Role role) {
  rsc(ws, index).next_role = role;
  std::vector<int> children = rsc(ws, index).children;
  for (int c : children) setNextRole(ws, c, role);
}

Role nextRoleOf(WorkingSet& ws, int index) {
  const Resource& r = rsc(ws, index);
  return r.children.empty() ? r.next_role : rsc(ws, r.children.front()).next_role;
}

Role currentRoleOf(WorkingSet& ws, int index) {
  const Resource& r = rsc(ws, index);
  return r.children.empty() ? r.role : rsc(ws, r.children.front()).role;
}

bool managed(WorkingSet& ws, int index) {
  const Resource& r = rsc(ws, index);
  if (!r.managed) return false;
  for (int c : r.children) {
    if (!rsc(ws, c).managed) return false;
  }
  return true;
}

bool sameNodeBy(const WorkingSet& ws, int a, int b, const std::string& attribute) {
  const std::string attr = attribute.empty() ? "#id" : attribute;
  const Attributes& x = ws.nodes[static_cast<std::size_t>(a)].attributes;
  const Attributes& y = ws.nodes[static_cast<std::size_t>(b)].attributes;
  auto i = x.find(attr), j = y.find(attr);
  if (i == x.end() || j == y.end()) return i == x.end() && j == y.end();
  return i->second == j->second;
}

// Pacemaker's pcmk__apply_coloc_to_priority: colocation `c` of promotable instance `instance`
// with primitive `primary` weighs the instance's promotion when both are placed on the same
// node (by the colocation's node attribute).
void applyColocToPriority(WorkingSet& ws, int instance, int primary, const Colocation& c) {
  Resource& d = rsc(ws, instance);
  const Resource& p = rsc(ws, primary);
  if (d.provisional || d.assigned_to < 0 || p.provisional || p.assigned_to < 0) return;
  if (!sameNodeBy(ws, d.assigned_to, p.assigned_to, c.node_attribute)) {
    if (c.score >= kInfinity && c.dependent_role == Role::Promoted) {
      d.priority = static_cast<int>(-kInfinity);
    }
    return;
  }
  if (c.primary_role != Role::Unknown && c.primary_role != p.next_role) return;
  Score score = c.dependent_role == Role::Unpromoted ? -c.score : c.score;
  d.priority = static_cast<int>(addScores(score, d.priority));
}

// Pacemaker's colocate_with_group: a colocated group counts by its first member (its last
// for a mandatory colocation).
void applyColocWithGroupToPriority(WorkingSet& ws, int instance, int group, const Colocation& c) {
  const Resource& g = rsc(ws, group);
  if (g.provisional || g.children.empty()) return;
  applyColocToPriority(ws, instance, c.score >= kInfinity ? g.children.back() : g.children.front(),
                       c);
}

void applyColocWithMemberToPriority(WorkingSet& ws, int instance, int primary,
                                    const Colocation& c) {
  if (rsc(ws, primary).kind == ResourceConfig::Kind::Group) {
    applyColocWithGroupToPriority(ws, instance, primary, c);
  } else {
    applyColocToPriority(ws, instance, primary, c);
  }
}

// Colocation `c` of promotable instance `instance` with clone `clone`, for its promotion
// (Pacemaker's pcmk__clone_apply_coloc_score once the instance is placed): with a role of a
// promotable clone, an instance in that role on the same node; with an interleaved clone, the
// partner instance on the same node; otherwise, unless mandatory (which only limited the
// placement), every instance of the clone on the same node counts.
void applyColocWithCloneToPriority(WorkingSet& ws, int instance, int clone, const Colocation& c) {
  const Resource& p = rsc(ws, clone);
  if (p.provisional) return;
  if (p.promotable && c.primary_role != Role::Unknown && c.dependent_role == Role::Promoted) {
    Resource& d = rsc(ws, instance);
    int here = d.provisional ? -1 : d.assigned_to;
    bool partner = false;
    for (int other : p.children) {
      const Resource& o = rsc(ws, other);
      if (here >= 0 && !o.provisional && o.assigned_to == here &&
          nextRoleOf(ws, other) == c.primary_role) {
        partner = true;
      }
    }
    if (partner) {
      d.priority = static_cast<int>(addScores(d.priority, c.score));
    } else if (c.score >= kInfinity) {
      d.priority = static_cast<int>(-kInfinity);
    }
    return;
  }
  if (rsc(ws, c.dependent).interleave) {
    const int partner = compatibleInstance(ws, instance, clone, false);
    if (partner >= 0) applyColocWithMemberToPriority(ws, instance, partner, c);
    return;
  }
  if (c.score >= kInfinity) return;
  const std::vector<int> children = p.children;
  for (int child : children) applyColocWithMemberToPriority(ws, instance, child, c);
}

// Colocations of an instance in a role (inherited from its clone) weigh its promotion
// (Pacemaker's set_instance_priority applying each of the instance's colocations).
void applyRoleColocations(WorkingSet& ws, int instance) {
  std::vector<int> this_with = rsc(ws, instance).this_with;
  for (int ci : this_with) {
    const Colocation c = ws.colocations[static_cast<std::size_t>(ci)];
    if (c.dependent_role < Role::Unpromoted) continue;
    if (isClone(rsc(ws, c.primary))) {
      applyColocWithCloneToPriority(ws, instance, c.primary, c);
    } else {
      applyColocWithMemberToPriority(ws, instance, c.primary, c);
    }
  }
}

// Pacemaker's sort_promotable_instances: the instances' priorities join the
// clone's node scores, with those of what is colocated with the promoted
// role, and each instance's sort index becomes its node's merged score.
void mergePromotionPreferences(WorkingSet& ws, AssignSteps& steps, int clone,
                               std::vector<int>& children) {
  // The clone is being merged into: colocations leading back to it add nothing (Pacemaker
  // sets pe_rsc_merging on it here), or its own scores would count twice.
  rsc(ws, clone).merging = true;
  for (int instance : children) {
    const Resource& r = rsc(ws, instance);
    int node = r.provisional ? -1 : r.assigned_to;
    if (r.sort_index < 0 || node < 0) continue;
    auto& slot = rsc(ws, clone).allowed[static_cast<std::size_t>(node)];
    if (slot) slot = addScores(r.sort_index, *slot);
  }
  std::vector<int> this_with = rsc(ws, clone).this_with;
  for (int ci : this_with) {
    const Colocation c = ws.colocations[static_cast<std::size_t>(ci)];
    if (c.dependent_role != Role::Promoted) continue;
    float factor = static_cast<float>(c.score) / static_cast<float>(kInfinity);
    steps.mergeColocatedScores(clone, c.primary, c.node_attribute, factor, c.score < kInfinity,
                               false);
  }
  std::vector<int> with_this = rsc(ws, clone).with_this;
  for (int ci : with_this) {
    const Colocation c = ws.colocations[static_cast<std::size_t>(ci)];
    if (c.primary_role != Role::Promoted) continue;
    if (!c.influence && !rsc(ws, c.primary).running_on.empty()) continue;
    float factor = static_cast<float>(c.score) / static_cast<float>(kInfinity);
    steps.mergeColocatedScores(clone, c.dependent, c.node_attribute, factor, true, true);
  }
  if (lacksPromotionTicket(ws, clone)) {
    for (auto& slot : rsc(ws, clone).allowed) {
      if (slot) slot = -kInfinity;  // merged with -INFINITY
    }
  }
  for (int instance : children) {
    Resource& r = rsc(ws, instance);
    int node = r.provisional ? -1 : r.assigned_to;
    if (!managed(ws, instance) && nextRoleOf(ws, instance) == Role::Promoted) {
      r.sort_index = static_cast<int>(kInfinity);
    } else if (node >= 0 && r.sort_index >= 0) {
      const auto& slot = rsc(ws, clone).allowed[static_cast<std::size_t>(node)];
      if (slot) r.sort_index = static_cast<int>(*slot);
    }
  }
  // Pacemaker's cmp_promotable_instance, while the clone is still being merged into: the
  // highest promotion order first; among equals the higher current role (an instance that
  // runs counts as unpromoted), then the order of assignment, with the promotion priorities
  // as the instances' priorities.
  InstanceOrder order(ws, steps, clone);
  auto role = [&](int instance) {
    Role r = currentRoleOf(ws, instance);
    return r == Role::Started ? Role::Unpromoted : r;
  };
  std::stable_sort(children.begin(), children.end(), [&](int a, int b) {
    const Resource& x = rsc(ws, a);
    const Resource& y = rsc(ws, b);
    if (x.sort_index != y.sort_index) return x.sort_index > y.sort_index;
    if (role(a) != role(b)) return role(a) > role(b);
    return order.compare(a, b) < 0;
  });
  rsc(ws, clone).merging = false;
}

// Pacemaker's node_to_be_promoted_on for a cloned group's instance: every member must be
// able to be promoted too, so a member that will not run (or is unmanaged and not promoted
// now) keeps the whole instance unpromoted.
bool membersCanBePromoted(WorkingSet& ws, int instance) {
  for (int m : rsc(ws, instance).children) {
    const Resource& member = rsc(ws, m);
    if (member.provisional || member.assigned_to < 0) return false;
    if (!member.managed && member.role != Role::Promoted) return false;
    if (!ws.available(member.assigned_to)) return false;
  }
  return true;
}

// The weight of the node `instance` is assigned to (Pacemaker's location of the instance:
// a group's is its first member's on that node).
Score assignedWeight(WorkingSet& ws, int instance, int node) {
  const Resource& r = rsc(ws, instance);
  if (r.children.empty()) return r.assigned_weight;
  for (int member : r.children) {
    const Resource& m = rsc(ws, member);
    if (!m.provisional && m.assigned_to == node) return m.assigned_weight;
  }
  return 0;
}

}  // namespace

void addPromotionScores(WorkingSet& ws, int clone) {
  const InstanceIndex instances(ws, clone);
  std::vector<int> children = rsc(ws, clone).children;
  for (int instance : children) {
    for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
      int node = static_cast<int>(n);
      if (!rsc(ws, instance).allowed[n] || !ws.available(node)) continue;
      bool found = false;
      Score score = promotionScore(ws, clone, instances, instance, node, found);
      Resource& r = rsc(ws, instance);
      if (score > 0) r.allowed[n] = addScores(*r.allowed[n], score);
      if (score > r.priority) r.priority = static_cast<int>(score);
    }
  }
}

void setInstanceRoles(WorkingSet& ws, AssignSteps& steps, int clone) {
  const InstanceIndex instances(ws, clone);
  std::vector<int> children = rsc(ws, clone).instance_order.empty() ? rsc(ws, clone).children
                                                                    : rsc(ws, clone).instance_order;
  for (int instance : children) {
    Resource& r = rsc(ws, instance);
    int chosen = r.provisional ? -1 : r.assigned_to;
    if (chosen < 0) continue;
    Role next = nextRoleOf(ws, instance);
    Score priority = r.priority;
    if (next == Role::Unknown || next == Role::Started) {
      bool found = false;
      priority = promotionScore(ws, clone, instances, instance, chosen, found);
      if (!found) priority = -1;
    } else if (next == Role::Unpromoted || next == Role::Stopped) {
      priority = -kInfinity;
    }
    for (const auto& pl : ws.promoted_locations) {
      if ((pl.rsc == instance || pl.rsc == clone) && pl.node == chosen) {
        priority = addScores(priority, pl.score);
      }
    }
    rsc(ws, instance).priority = static_cast<int>(priority);
    applyRoleColocations(ws, instance);
    Resource& again = rsc(ws, instance);
    again.sort_index = next == Role::Promoted ? static_cast<int>(kInfinity) : again.priority;
  }
  mergePromotionPreferences(ws, steps, clone, children);
  rsc(ws, clone).instance_order = children;
  std::vector<int> count(ws.nodes.size(), 0);
  int promoted = 0;
  const Resource& c = rsc(ws, clone);
  const int promoted_max = c.promoted_max, promoted_node_max = c.promoted_node_max;
  for (int instance : children) {
    showPromotionScore(ws, instance);
    const Resource& r = rsc(ws, instance);
    int node = r.provisional ? -1 : r.assigned_to;
    bool promote = node >= 0 && r.sort_index >= 0 && promoted < promoted_max &&
                   membersCanBePromoted(ws, instance);
    if (promote && !managed(ws, instance)) {
      promote = currentRoleOf(ws, instance) == Role::Promoted;  // left as it is
    } else if (promote) {
      promote = r.priority >= 0 && ws.available(node) && allowedOn(rsc(ws, clone), node) &&
                count[static_cast<std::size_t>(node)] < promoted_node_max;
    }
    if (promote && currentRoleOf(ws, instance) < Role::Promoted && !ws.options.have_quorum &&
        ws.options.no_quorum_policy == NoQuorumPolicy::Freeze) {
      promote = false;
    }
    if (!promote) {
      setNextRole(ws, instance, node >= 0 ? Role::Unpromoted : Role::Stopped);
      continue;
    }
    ++count[static_cast<std::size_t>(node)];
    ++promoted;
    setNextRole(ws, instance, Role::Promoted);
  }
  // The priorities were borrowed for promotion; instances go back to the clone's.
  for (int instance : children) rsc(ws, instance).priority = rsc(ws, clone).priority;
}

void applyColocationWithPromotable(WorkingSet& ws, int dependent, int clone, const Colocation& c) {
  // Per node where an instance in the role will be: the weight that instance was assigned
  // with; the last instance on a node counts (Pacemaker prepends to its list).
  std::vector<std::optional<Score>> affected(ws.nodes.size());
  Resource& d = rsc(ws, dependent);
  for (int instance : rsc(ws, clone).children) {
    const Resource& i = rsc(ws, instance);
    int node = i.provisional ? -1 : i.assigned_to;
    if (node < 0 || nextRoleOf(ws, instance) != c.primary_role) continue;
    affected[static_cast<std::size_t>(node)] = assignedWeight(ws, instance, node);
    if (c.score >= kInfinity) continue;
    for (std::size_t n = 0; n < d.allowed.size(); ++n) {
      if (!d.allowed[n]) continue;
      const std::string attr = c.node_attribute.empty() ? "#uname" : c.node_attribute;
      auto a = ws.nodes[n].attributes.find(attr);
      auto b = ws.nodes[static_cast<std::size_t>(node)].attributes.find(attr);
      bool same = (a == ws.nodes[n].attributes.end() &&
                   b == ws.nodes[static_cast<std::size_t>(node)].attributes.end()) ||
                  (a != ws.nodes[n].attributes.end() &&
                   b != ws.nodes[static_cast<std::size_t>(node)].attributes.end() &&
                   a->second == b->second);
      if (same) d.allowed[n] = addScores(*d.allowed[n], c.score);
    }
  }
  if (c.score >= kInfinity &&
      (c.dependent_role != Role::Promoted || c.primary_role != Role::Promoted)) {
    // Pacemaker's node_list_exclude with merged scores: nodes without such an instance are
    // banned, the others gain the instance's weight, and a node the dependent did not know
    // yet (asymmetric clusters) becomes known as banned.
    for (std::size_t n = 0; n < d.allowed.size(); ++n) {
      if (!d.allowed[n]) {
        if (affected[n]) d.allowed[n] = -kInfinity;
      } else if (!affected[n]) {
        d.allowed[n] = -kInfinity;
      } else {
        d.allowed[n] = addScores(*d.allowed[n], *affected[n]);
      }
    }
  }
}

}  // namespace pulse::pe
