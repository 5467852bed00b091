#include "resource_discovery.h"

namespace pulse::pe {
namespace {

using Discovery = Resource::Discovery;

Discovery discoveryOf(const std::string& mode) {
  if (mode == "exclusive") return Discovery::Exclusive;
  return mode == "never" ? Discovery::Never : Discovery::Always;
}

void markNodes(WorkingSet& ws, Resource& r, const std::vector<std::pair<int, Score>>& nodes,
               Discovery mode) {
  if (r.discovery.empty()) r.discovery.assign(ws.nodes.size(), Discovery::Always);
  for (const auto& [node, score] : nodes) {
    Discovery& slot = r.discovery[static_cast<std::size_t>(node)];
    if (slot < mode) slot = mode;
  }
  const std::vector<int> children = r.children;
  for (int child : children)
    markNodes(ws, ws.resources[static_cast<std::size_t>(child)], nodes, mode);
}

const Resource& topOf(const WorkingSet& ws, const Resource& r) {
  const Resource* at = &r;
  while (at->parent >= 0) at = &ws.resources[static_cast<std::size_t>(at->parent)];
  return *at;
}

}  // namespace

void markDiscovery(WorkingSet& ws, Resource& r, const std::vector<std::pair<int, Score>>& nodes,
                   const std::string& mode) {
  const Discovery d = discoveryOf(mode);
  if (d == Discovery::Always) return;
  if (d == Discovery::Exclusive) r.exclusive_discovery = true;
  markNodes(ws, r, nodes, d);
}

void applyExclusiveDiscovery(WorkingSet& ws) {
  for (Resource& r : ws.resources) {
    if (!r.exclusive_discovery && !topOf(ws, r).exclusive_discovery) continue;
    for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
      const bool exclusive = !r.discovery.empty() && r.discovery[n] == Discovery::Exclusive;
      if (r.allowed[n] && !exclusive) r.allowed[n] = -kInfinity;
    }
  }
}

}  // namespace pulse::pe
