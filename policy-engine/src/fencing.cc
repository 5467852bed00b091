#include "fencing.h"

#include <algorithm>
#include <optional>

#include "remote_nodes.h"

namespace pulse::pe {
namespace {

std::string stonithAction(const WorkingSet& ws) {
  auto it = ws.cib->cluster_options.find("stonith-action");
  if (it == ws.cib->cluster_options.end()) return "reboot";
  return it->second == "poweroff" ? "off" : it->second;
}

bool anyManaged(const WorkingSet& ws) {
  return std::any_of(ws.resources.begin(), ws.resources.end(), [](const Resource& r) {
    return r.kind == ResourceConfig::Kind::Primitive && r.managed;
  });
}

bool knownOn(const Resource& r, int node) {
  return std::find(r.known_on.begin(), r.known_on.end(), node) != r.known_on.end();
}

// The resource's stops there become pseudo actions implied by the fencing; its starts wait
// for the fencing when they require it, or when the resource's state there is unknown.
// On a guest node the implied stops always wait for the fencing: it is the container's stop.
void orderAgainstFencing(WorkingSet& ws, ActionPlan& plan, int fence, int node) {
  const Node& target = ws.nodes[static_cast<std::size_t>(node)];
  const std::string origin = "fencing of " + target.name;
  for (Resource& r : ws.resources) {
    if (r.kind != ResourceConfig::Kind::Primitive) continue;
    const bool implied_after = r.start_needs == Resource::Needs::Fencing || target.guest;
    std::vector<int> ids = plan.by_resource[static_cast<std::size_t>(r.index)];
    for (int id : ids) {
      PlannedAction& a = plan.actions[static_cast<std::size_t>(id)];
      if (a.interval_ms != 0) continue;
      if (a.task == "stop" && a.node == node) {
        a.pseudo = true;
        a.runnable = true;
        if (implied_after) {
          addPlanEdge(plan, fence, id, kOrderPreserve, origin);
          if (r.parent >= 0) {
            for (int pid : actionsWithTask(plan, r.parent, "stop", -1)) {
              addPlanEdge(plan, fence, pid, kOrderPreserve, origin);
            }
          }
        }
      } else if (a.task == "demote" && a.node == node && target.guest) {
        // A demote that would never complete on a guest whose container is recovered.
        a.pseudo = true;
        a.runnable = true;
        addPlanEdge(plan, fence, id, kOrderOptional | kOrderPreserve, origin);
      } else if (a.task == "start" || a.task == "promote") {
        if (r.start_needs == Resource::Needs::Fencing) {
          addPlanEdge(plan, fence, id, kOrderOptional, origin);
        } else if (r.start_needs == Resource::Needs::Quorum && a.task == "start" &&
                   r.allowed[static_cast<std::size_t>(node)].has_value() && !knownOn(r, node)) {
          addPlanEdge(plan, fence, id, kOrderOptional | kOrderRunnableLeft, origin);
        }
      }
    }
  }
}

// Unfencing is in use when some resource provides it (meta provides=unfencing).
bool unfencingEnabled(const WorkingSet& ws) {
  auto provides = [](const Attributes& meta) {
    auto it = meta.find("provides");
    return it != meta.end() && it->second == "unfencing";
  };
  if (provides(ws.cib->rsc_defaults)) return true;
  return std::any_of(ws.resources.begin(), ws.resources.end(), [&](const Resource& r) {
    return r.config != nullptr && provides(r.config->meta);
  });
}

// #node-unfenced: absent or "0" until the node has been unfenced.
bool unfenced(const Node& node) {
  auto it = node.attributes.find("#node-unfenced");
  return it != node.attributes.end() && it->second != "0";
}

bool canUnfence(const Node& node) { return node.online && !node.unclean && !node.shutdown; }

// pcmk__order_vs_unfence: fence devices (and resources that require unfencing) probe and
// start on a node only once it was unfenced; a node never unfenced must be. Probes come
// first (node by node, for every resource whose state there is unknown), then starts.
void requestUnfencing(WorkingSet& ws, const ActionPlan& plan) {
  auto needs = [&](const Resource& r) {
    return r.kind == ResourceConfig::Kind::Primitive && !r.orphan &&
           (r.is_stonith || r.needs_unfencing);
  };
  for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
    const Node& node = ws.nodes[n];
    if (!node.online || node.unclean) continue;  // no probes there
    for (const Resource& r : ws.resources) {
      if (!needs(r) || knownOn(r, static_cast<int>(n))) continue;
      if (!unfenced(node) && canUnfence(node)) {
        ws.requestFencing(static_cast<int>(n), "required by " + r.id + " monitor", true);
      }
    }
  }
  for (const Resource& r : ws.resources) {
    if (!needs(r)) continue;
    for (int id : actionsWithTask(plan, r.index, "start", -1)) {
      const Node& node =
          ws.nodes[static_cast<std::size_t>(plan.actions[static_cast<std::size_t>(id)].node)];
      if (!unfenced(node) && canUnfence(node)) {
        ws.requestFencing(plan.actions[static_cast<std::size_t>(id)].node,
                          "required by " + r.id + " start", true);
      }
    }
  }
}

int newFenceAction(ActionPlan& plan, const std::string& key, int node, const std::string& reason) {
  PlannedAction a;
  a.id = static_cast<int>(plan.actions.size());
  a.key = key;
  a.task = "stonith";
  a.node = node;
  a.optional = false;
  a.runnable = true;
  a.reason = reason;
  const int id = a.id;
  plan.actions.push_back(std::move(a));
  plan.fencing.push_back(id);
  return id;
}

// Pacemaker's pcmk__fence_guest: a guest node needing a reset is "fenced" by its container's
// recovery. A pseudo fence action ("reboot" when the container starts again, "off" otherwise)
// follows the container's stop (or, when that stop is implied by its host's fencing, that
// fencing), so that what ran on the guest counts as stopped once the container is down.
void fenceGuest(WorkingSet& ws, ActionPlan& plan, int node) {
  const int container = ws.guestContainer(node);
  // Copied, not pointed to: newFenceAction() appends to plan.actions, which may move them.
  const PlannedAction* found_stop = findAction(plan, container, "stop", -1);
  const std::optional<PlannedAction> stop =
      found_stop != nullptr ? std::optional<PlannedAction>(*found_stop) : std::nullopt;
  const bool restarts = findAction(plan, container, "start", -1) != nullptr;
  const std::string& name = ws.nodes[static_cast<std::size_t>(node)].name;
  const std::string reason = "guest is unclean";
  ws.requestFencing(node, reason);
  const int id =
      newFenceAction(plan, "stonith-" + name + (restarts ? "-reboot" : "-off"), node, reason);
  plan.actions[static_cast<std::size_t>(id)].pseudo = true;
  const std::string origin = "fencing of guest " + name;
  int host_fence = -1;
  if (stop && stop->pseudo) {
    for (int f : plan.fencing) {
      const PlannedAction& a = plan.actions[static_cast<std::size_t>(f)];
      if (a.node == stop->node && !isUnfencing(a)) host_fence = f;
    }
  }
  if (host_fence >= 0) {
    addPlanEdge(plan, host_fence, id, kOrderRunnableLeft | kOrderImpliesThen, origin);
  } else if (stop) {
    addPlanEdge(plan, stop->id, id, kOrderRunnableLeft | kOrderImpliesThen, origin);
  } else {
    // No stop of the container: it is thought stopped already (its history may just have
    // been cleaned), so the guest is down once its connection is.
    const int connection = ws.nodes[static_cast<std::size_t>(node)].connection;
    if (const PlannedAction* c = findAction(plan, connection, "stop", -1)) {
      addPlanEdge(plan, c->id, id, kOrderOptional, origin);
    }
  }
  orderAgainstFencing(ws, plan, id, node);
}

}  // namespace

void applyUnfencingDefault(WorkingSet& ws) {
  if (!ws.options.stonith_enabled || !unfencingEnabled(ws)) return;
  for (Resource& r : ws.resources) {
    if (r.kind != ResourceConfig::Kind::Primitive || r.is_stonith || r.meta.count("requires") ||
        (r.config != nullptr && isRemoteConnection(*r.config))) {
      continue;
    }
    r.needs_unfencing = true;
    r.start_needs = Resource::Needs::Fencing;
  }
}

std::string fenceKey(const WorkingSet& ws, int node) {
  return "stonith-" + ws.nodes[static_cast<std::size_t>(node)].name + "-" + stonithAction(ws);
}

void planFencing(WorkingSet& ws, ActionPlan& plan,
                 const std::vector<std::pair<int, std::string>>& unfence) {
  if (unfencingEnabled(ws)) {
    const std::size_t before = ws.fence_requests.size();
    for (const auto& [node, reason] : unfence) {
      if (canUnfence(ws.nodes[static_cast<std::size_t>(node)])) {
        ws.requestFencing(node, reason, true);
      }
    }
    requestUnfencing(ws, plan);
    for (std::size_t i = before; i < ws.fence_requests.size(); ++i) {
      const WorkingSet::FenceRequest f = ws.fence_requests[i];
      const int id =
          newFenceAction(plan, "stonith-" + ws.nodes[static_cast<std::size_t>(f.node)].name + "-on",
                         f.node, f.reason);
      // The resources that needed the unfencing start after it, and start again there when
      // they already run (Pacemaker orders the unfencing before each start, implying it).
      for (const Resource& r : ws.resources) {
        if (!r.is_stonith && !r.needs_unfencing) continue;
        for (int start : actionsWithTask(plan, r.index, "start", f.node)) {
          addPlanEdge(plan, id, start, kOrderImpliesThen,
                      "unfencing of " + ws.nodes[static_cast<std::size_t>(f.node)].name);
        }
      }
    }
  }
  // Nothing is fenced until there are resources to manage.
  if (!anyManaged(ws)) return;
  for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
    const int node = static_cast<int>(n);
    if (ws.guestContainer(node) >= 0) {
      if (ws.nodes[n].requires_reset && ws.canFence(node)) fenceGuest(ws, plan, node);
      continue;
    }
    if (!ws.nodes[n].unclean || !ws.canFence(node)) continue;
    ws.requestFencing(node, "node is unclean");
    std::string reason;
    for (const WorkingSet::FenceRequest& f : ws.fence_requests) {
      if (f.node == node && !f.unfence) reason = f.reason;
    }
    const int id = newFenceAction(plan, fenceKey(ws, node), node, reason);
    orderAgainstFencing(ws, plan, id, node);
  }
}

std::vector<const PlannedAction*> fenceActionsToReport(const WorkingSet& ws,
                                                       const ActionPlan& plan) {
  std::vector<const PlannedAction*> out;
  for (auto it = ws.fence_requests.rbegin(); it != ws.fence_requests.rend(); ++it) {
    for (int id : plan.fencing) {
      const PlannedAction& a = plan.actions[static_cast<std::size_t>(id)];
      if (a.node == it->node && isUnfencing(a) == it->unfence) out.push_back(&a);
    }
  }
  return out;
}

}  // namespace pulse::pe
