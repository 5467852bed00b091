#include "container_fillers.h"

namespace pulse::pe {

void linkContainerFillers(WorkingSet& ws) {
  for (Resource& r : ws.resources) {
    if (r.kind != ResourceConfig::Kind::Primitive || r.container >= 0 || r.remote_node >= 0) {
      continue;
    }
    auto it = r.meta.find("container");
    if (it == r.meta.end() || it->second == r.id) continue;
    // An unknown container is ignored, as Pacemaker only logs it.
    r.container = ws.findResource(it->second);
  }
}

int fillerRemoteConnection(const WorkingSet& ws, const Resource& filler) {
  if (filler.container < 0 || filler.remote_node >= 0) return -1;
  const Resource& container = ws.resources[static_cast<std::size_t>(filler.container)];
  if (container.remote_node >= 0) return container.index;
  for (const Resource& r : ws.resources) {
    if (r.remote_node >= 0 && r.container == container.index) return r.index;
  }
  return -1;
}

void keepFillersOnTheirRemoteNodes(WorkingSet& ws) {
  for (Resource& r : ws.resources) {
    const int connection = fillerRemoteConnection(ws, r);
    if (connection < 0) continue;
    for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
      if (ws.nodes[n].connection != connection && r.allowed[n]) r.allowed[n] = -kInfinity;
    }
  }
}

}  // namespace pulse::pe
