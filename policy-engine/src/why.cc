// Why resources are placed as they are; see why.h and policy-engine/reasons.h.
#include "why.h"

#include <algorithm>

#include "history.h"
#include "policy-engine/score.h"

namespace pulse::pe {

const char* reasonKindName(ReasonKind kind) {
  switch (kind) {
    case ReasonKind::Location:
      return "location";
    case ReasonKind::Colocation:
      return "colocation";
    case ReasonKind::Stickiness:
      return "stickiness";
    case ReasonKind::FailCount:
      return "fail-count";
    case ReasonKind::NodeState:
      return "node-state";
    case ReasonKind::Health:
      return "health";
    case ReasonKind::Ticket:
      return "ticket";
    case ReasonKind::Utilization:
      return "utilization";
    case ReasonKind::Quorum:
      return "quorum";
    case ReasonKind::TargetRole:
      return "target-role";
    case ReasonKind::Unmanaged:
      return "unmanaged";
    case ReasonKind::Dependency:
      return "dependency";
    case ReasonKind::Promotion:
      return "promotion";
    case ReasonKind::CloneLimit:
      return "clone-limit";
    case ReasonKind::Cluster:
      return "cluster";
  }
  return "location";
}

namespace {

const Resource& rsc(const WorkingSet& ws, int i) {
  return ws.resources[static_cast<std::size_t>(i)];
}

void addDescendants(const WorkingSet& ws, int index, std::vector<int>& out) {
  for (int child : rsc(ws, index).children) {
    out.push_back(child);
    addDescendants(ws, child, out);
  }
}

// The resource, its group or clone (and that clone's group), and its members or instances: a
// score given to any of them may be what placed this one.
std::vector<int> family(const WorkingSet& ws, int index) {
  std::vector<int> out;
  for (int p = rsc(ws, index).parent; p >= 0; p = rsc(ws, p).parent) out.push_back(p);
  std::reverse(out.begin(), out.end());
  out.push_back(index);
  addDescendants(ws, index, out);
  return out;
}

// Whether a resource will run somewhere after this transition (any member or instance does).
bool placed(const WorkingSet& ws, int index) {
  const Resource& r = rsc(ws, index);
  if (r.kind == ResourceConfig::Kind::Primitive) return r.assigned_to >= 0;
  return std::any_of(r.children.begin(), r.children.end(),
                     [&](int child) { return placed(ws, child); });
}

// Why a node cannot run resources; "" when it can.
std::string nodeState(const Node& n) {
  if (n.unclean) return "unclean (it must be fenced first)";
  if (!n.online) return n.pending ? "pending (joining the cluster)" : "offline";
  if (n.shutdown) return "shutting down";
  if (n.maintenance) return "in maintenance mode";
  if (n.standby) return "in standby";
  return "";
}

const char* quorumEffect(NoQuorumPolicy policy) {
  switch (policy) {
    case NoQuorumPolicy::Stop:
      return "no-quorum-policy=stop: resources that need quorum are stopped and none start";
    case NoQuorumPolicy::Freeze:
      return "no-quorum-policy=freeze: resources stay where they run, none start";
    case NoQuorumPolicy::Demote:
      return "no-quorum-policy=demote: promoted instances are demoted, other resources stop";
    case NoQuorumPolicy::Suicide:
      return "no-quorum-policy=suicide: the nodes of this partition fence themselves";
    case NoQuorumPolicy::Ignore:
      break;
  }
  return "";
}

// What holds for every resource: the cluster's options and the nodes' state.
std::vector<PlacementReason> clusterReasons(const WorkingSet& ws) {
  std::vector<PlacementReason> out;
  const ClusterOptions& o = ws.options;
  if (!o.have_quorum && o.no_quorum_policy != NoQuorumPolicy::Ignore) {
    out.push_back(
        {ReasonKind::Quorum, "", "", 0,
         std::string("the partition has no quorum (") + quorumEffect(o.no_quorum_policy) + ")"});
  }
  if (o.stop_all_resources) {
    out.push_back({ReasonKind::Cluster, "", "", -kInfinity,
                   "stop-all-resources=true: every resource is stopped"});
  }
  if (o.maintenance_mode) {
    out.push_back({ReasonKind::Unmanaged, "", "", 0,
                   "maintenance-mode=true: the cluster leaves every resource as it is"});
  }
  if (o.stonith_enabled && !o.have_stonith_resource) {
    out.push_back({ReasonKind::Unmanaged, "", "", 0,
                   "stonith-enabled=true but no fence device is configured: no resource is "
                   "started (configure one, or set stonith-enabled=false)"});
  }
  for (const Node& n : ws.nodes) {
    if (std::string state = nodeState(n); !state.empty()) {
      out.push_back({ReasonKind::NodeState, "", n.name, -kInfinity, "node is " + state});
    }
  }
  return out;
}

// What the resource's own settings say (target-role, is-managed, a block after a failure).
void ownReasons(const WorkingSet& ws, const Resource& r, std::vector<PlacementReason>& out) {
  if (r.target_role == Role::Stopped) {
    out.push_back({ReasonKind::TargetRole, r.id, "", -kInfinity,
                   "target-role=Stopped on " + r.id + " (pcs resource enable " + r.id + ")"});
  } else if (r.target_role == Role::Unpromoted && inPromotableClone(ws, r)) {
    out.push_back({ReasonKind::TargetRole, r.id, "", 0,
                   "target-role=Unpromoted on " + r.id + ": it is not promoted"});
  }
  if (r.kind != ResourceConfig::Kind::Primitive) return;
  if (r.blocked) {
    out.push_back({ReasonKind::Unmanaged, r.id, "", 0,
                   r.id + " is blocked (a failure with on-fail=block, or a stop that failed "
                          "and cannot be recovered by fencing): it stays as it is"});
  } else if (!r.managed && !ws.options.maintenance_mode && !r.frozen_by_ticket &&
             !(ws.options.stonith_enabled && !ws.options.have_stonith_resource)) {
    // (Without a fence device the assignment unmanages every resource: said once, above.)
    out.push_back({ReasonKind::Unmanaged, r.id, "", 0,
                   r.id + " is not managed (is-managed=false): the cluster leaves it as it is"});
  }
}

// Mandatory colocations and orders with a resource that will not run anywhere.
void dependencyReasons(const WorkingSet& ws, const std::vector<int>& fam,
                       std::vector<PlacementReason>& out) {
  auto member = [&](int index) { return std::find(fam.begin(), fam.end(), index) != fam.end(); };
  for (const Colocation& c : ws.colocations) {
    if (c.score < kInfinity || !member(c.dependent) || member(c.primary)) continue;
    if (placed(ws, c.primary)) continue;
    // The assignment's notes already name it node by node.
    const std::string named = "colocation " + c.id + " ";
    if (std::any_of(out.begin(), out.end(), [&](const PlacementReason& r) {
          return r.kind == ReasonKind::Colocation && r.text.starts_with(named);
        })) {
      continue;
    }
    const Resource& p = rsc(ws, c.primary);
    out.push_back({ReasonKind::Dependency, rsc(ws, c.dependent).id, "", -kInfinity,
                   "colocation " + c.id + " with " + p.id + " (score " + scoreText(c.score) +
                       "): " + p.id + " will not run anywhere"});
  }
  for (const OrderConstraint& oc : ws.cib->orders) {
    if (oc.kind != OrderKind::Mandatory || oc.first.empty() || oc.then.empty()) continue;
    const int first = ws.findResource(oc.first);
    const int then = ws.findResource(oc.then);
    if (first < 0 || then < 0 || !member(then) || member(first) || placed(ws, first)) continue;
    const std::string first_action = oc.first_action.empty() ? "start" : oc.first_action;
    const std::string then_action = oc.then_action.empty() ? first_action : oc.then_action;
    out.push_back({ReasonKind::Dependency, oc.then, "", 0,
                   "order " + oc.id + " (" + first_action + " " + oc.first + " then " +
                       then_action + " " + oc.then + ", Mandatory): " + oc.first +
                       " will not run anywhere"});
  }
}

// Clone instances kept off a node because it already has clone-node-max of them.
void cloneLimitReasons(const WorkingSet& ws, const std::vector<int>& fam,
                       std::vector<PlacementReason>& out) {
  for (int index : fam) {
    const Resource& r = rsc(ws, index);
    if (r.kind != ResourceConfig::Kind::Primitive || r.parent < 0) continue;
    const Resource& clone = rsc(ws, r.parent);
    if (!isClone(clone)) continue;
    for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
      if (r.assigned_to == static_cast<int>(n)) continue;
      std::string there;
      int count = 0;
      for (int sibling : clone.children) {
        if (rsc(ws, sibling).assigned_to != static_cast<int>(n)) continue;
        ++count;
        there += (there.empty() ? "" : ", ") + rsc(ws, sibling).id;
      }
      if (count == 0 || count < clone.clone_node_max) continue;
      out.push_back({ReasonKind::CloneLimit, r.id, ws.nodes[n].name, 0,
                     "clone-node-max " + std::to_string(clone.clone_node_max) + " of " + clone.id +
                         " reached there (" + there + ")"});
    }
  }
}

// An instance of a promotable clone placed but not promoted, with no promotion score there.
void promotionReasons(const WorkingSet& ws, const std::vector<int>& fam,
                      std::vector<PlacementReason>& out) {
  for (int index : fam) {
    const Resource& r = rsc(ws, index);
    if (r.kind != ResourceConfig::Kind::Primitive || r.assigned_to < 0 ||
        r.next_role == Role::Promoted || !inPromotableClone(ws, r)) {
      continue;
    }
    const Node& node = ws.nodes[static_cast<std::size_t>(r.assigned_to)];
    const std::string bare = stripInstance(r.id);
    bool scored = false;
    for (const std::string& name : {r.id, r.clone_name, bare}) {
      if (!name.empty() && node.attributes.count("master-" + name) > 0) scored = true;
    }
    if (scored) continue;
    out.push_back({ReasonKind::Promotion, r.id, node.name, 0,
                   "no promotion score for " + bare + " (node attribute master-" + bare +
                       ", which the agent sets with crm_master): not promoted there"});
  }
}

}  // namespace

std::vector<ResourceReasons> explainPlacement(const WorkingSet& ws) {
  std::vector<std::vector<std::size_t>> notes_of(ws.resources.size());
  const std::vector<WhyLog::Note>& notes = ws.why->notes;
  for (std::size_t i = 0; i < notes.size(); ++i) {
    notes_of[static_cast<std::size_t>(notes[i].rsc)].push_back(i);
  }
  const std::vector<PlacementReason> cluster = clusterReasons(ws);
  std::vector<ResourceReasons> all;
  all.reserve(ws.resources.size());
  for (const Resource& r : ws.resources) {
    ResourceReasons out;
    out.resource = r.id;
    if (r.parent >= 0) out.parent = rsc(ws, r.parent).id;
    const std::vector<int> fam = family(ws, r.index);
    out.reasons = cluster;
    for (int index : fam) ownReasons(ws, rsc(ws, index), out.reasons);
    // The notes, in the order the engine made them.
    std::vector<std::size_t> mine;
    for (int index : fam) {
      const auto& list = notes_of[static_cast<std::size_t>(index)];
      mine.insert(mine.end(), list.begin(), list.end());
    }
    std::sort(mine.begin(), mine.end());
    for (std::size_t i : mine) {
      const WhyLog::Note& n = notes[i];
      out.reasons.push_back({n.kind, rsc(ws, n.rsc).id,
                             n.node < 0 ? "" : ws.nodes[static_cast<std::size_t>(n.node)].name,
                             n.score, n.text});
    }
    dependencyReasons(ws, fam, out.reasons);
    promotionReasons(ws, fam, out.reasons);
    cloneLimitReasons(ws, fam, out.reasons);
    for (int index : fam) {
      const Resource& p = rsc(ws, index);
      // Ancestors are groups or clones: the primitives are this one or its members/instances.
      if (p.kind != ResourceConfig::Kind::Primitive) continue;
      ResourceReasons::Scores scores;
      scores.resource = p.id;
      if (p.assigned_to >= 0)
        scores.assigned = ws.nodes[static_cast<std::size_t>(p.assigned_to)].name;
      for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
        NodeScore s;
        s.node = ws.nodes[n].name;
        if (n < p.allowed.size() && p.allowed[n]) s.score = *p.allowed[n];
        s.available = ws.available(static_cast<int>(n));
        scores.nodes.push_back(std::move(s));
      }
      out.scores.push_back(std::move(scores));
    }
    all.push_back(std::move(out));
  }
  return all;
}

void noteColocation(WorkingSet& ws, const Resource& dependent, const Resource& primary,
                    const Colocation& c, const NodeScores& work) {
  for (std::size_t n = 0; n < work.size(); ++n) {
    if (!work[n] || !dependent.allowed[n] || *work[n] == *dependent.allowed[n]) continue;
    const Score delta = *work[n] <= -kInfinity || *work[n] >= kInfinity
                            ? *work[n]
                            : *work[n] - *dependent.allowed[n];
    noteWhy(ws, dependent.index, static_cast<int>(n), ReasonKind::Colocation, delta, [&] {
      const std::string where =
          primary.assigned_to < 0
              ? "not placed anywhere"
              : "placed on " + ws.nodes[static_cast<std::size_t>(primary.assigned_to)].name;
      const std::string role =
          c.primary_role == Role::Unknown ? "" : std::string(" (") + roleName(c.primary_role) + ")";
      // A group's members run together, each with the one before it.
      if (c.id == "group:internal_colocation" && dependent.parent >= 0) {
        return "group " + ws.resources[static_cast<std::size_t>(dependent.parent)].id +
               " keeps it with " + primary.id + " (" + where + ")";
      }
      return "colocation " + c.id + " with " + primary.id + role + " (score " + scoreText(c.score) +
             "): " + primary.id + " is " + where;
    });
  }
}

}  // namespace pulse::pe
