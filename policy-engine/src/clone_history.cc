// Matching a node's operation history to clone instances, after Pacemaker
// 2.1.5's unpack_find_resource and find_anonymous_clone: an anonymous clone's
// history (under the bare id or any "rsc:N") goes to the instance already
// active on that node, else to one active nowhere, else to a new orphan.
#include "history.h"

namespace pulse::pe {
namespace {

// A resource's own history when requires=fencing: recovered by fencing the node.
bool needsFencing(const WorkingSet& ws, const Resource& r) {
  auto it = r.meta.find("requires");
  if (it != r.meta.end()) return it->second == "fencing" || it->second == "unfencing";
  return ws.options.stonith_enabled && !r.is_stonith;
}

}  // namespace

std::string stripInstance(const std::string& id) {
  std::size_t colon = id.rfind(':');
  if (colon == std::string::npos || colon + 1 == id.size()) return id;
  for (std::size_t i = colon + 1; i < id.size(); ++i) {
    if (id[i] < '0' || id[i] > '9') return id;
  }
  return id.substr(0, colon);
}

namespace {

// The resource of `instance` (an instance or a cloned group's instance) whose
// configuration is `base`, or -1.
int memberNamed(const WorkingSet& ws, int instance, const std::string& base) {
  const Resource& i = ws.resources[static_cast<std::size_t>(instance)];
  if (i.config->id == base) return instance;
  for (int m : i.children) {
    if (ws.resources[static_cast<std::size_t>(m)].config->id == base) return m;
  }
  return -1;
}

// Pacemaker's find_anonymous_clone: the instance already active on `node`,
// else the first one active nowhere, else a new (orphan) instance.
int findAnonymousInstance(WorkingSet& ws, int clone, int node, const std::string& base) {
  int found = -1, inactive = -1;
  bool skip_inactive = false;
  std::vector<int> children = ws.resources[static_cast<std::size_t>(clone)].children;
  for (int child : children) {
    if (found >= 0) break;
    const Resource& c = ws.resources[static_cast<std::size_t>(child)];
    if (!c.running_on.empty()) {
      if (c.running_on.front() != node) continue;
      found = memberNamed(ws, child, base);
      if (found >= 0 && !ws.resources[static_cast<std::size_t>(found)].running_on.empty()) {
        skip_inactive = true;  // a second history for the same instance: an orphan
        found = -1;
      }
    } else if (!skip_inactive && inactive < 0 && !c.blocked) {
      inactive = memberNamed(ws, child, base);
      if (inactive >= 0) {
        int pending = ws.resources[static_cast<std::size_t>(inactive)].pending_node;
        if (pending >= 0 && pending != node) inactive = -1;
      }
    }
  }
  if (found < 0 && !skip_inactive) found = inactive;
  const Node& n = ws.nodes[static_cast<std::size_t>(node)];
  // An instance that needs no fencing, active on a node that is down or unclean, is treated
  // as an orphan so that its number stays free for a clean node; not on a guest node, and not
  // for a clone with an instance for every node (pe__is_universal_clone).
  const bool universal =
      ws.resources[static_cast<std::size_t>(clone)].clone_max == static_cast<int>(ws.nodes.size());
  if (found >= 0 && !needsFencing(ws, ws.resources[static_cast<std::size_t>(found)]) &&
      (!n.online || n.unclean) && !n.guest && !universal) {
    found = -1;
  }
  if (found < 0) found = memberNamed(ws, addCloneInstance(ws, clone), base);
  return found;
}

}  // namespace

int historyResource(WorkingSet& ws, int node, const std::string& id) {
  int index = ws.findResource(id);
  std::string base = stripInstance(id);
  int clone = -1;
  if (index >= 0) {
    clone = cloneOf(ws, index);
  } else if (base != id) {
    int by_base = ws.findResource(base);
    if (by_base >= 0 && isClone(ws.resources[static_cast<std::size_t>(by_base)])) clone = by_base;
  }
  if (clone < 0) return index;
  if (index == clone && ws.resources[static_cast<std::size_t>(clone)].id == id) return -1;
  if (!ws.resources[static_cast<std::size_t>(clone)].unique) {
    int found = findAnonymousInstance(ws, clone, node, base);
    // Pacemaker's clone_name: the id the history knows this instance by.
    if (found >= 0 && ws.resources[static_cast<std::size_t>(found)].id != id) {
      ws.resources[static_cast<std::size_t>(found)].clone_name = id;
    }
    return found;
  }
  if (index >= 0 && index != clone) return index;
  // A unique instance beyond clone-max: instances are added up to its number, as orphans.
  if (base == id) return -1;
  for (int guard = 0; guard < 10000 && ws.findResource(id) < 0; ++guard) {
    addCloneInstance(ws, clone);
  }
  return ws.findResource(id) >= 0 && cloneOf(ws, ws.findResource(id)) == clone ? ws.findResource(id)
                                                                               : -1;
}

}  // namespace pulse::pe
