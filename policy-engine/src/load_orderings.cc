// Capacity orderings; see load_orderings.h.
#include "load_orderings.h"

#include <algorithm>

namespace pulse::pe {
namespace {

class LoadOrderings {
 public:
  LoadOrderings(const WorkingSet& ws, ActionPlan& plan)
      : ws_(ws), plan_(plan), load_stopped_(ws.nodes.size(), -1) {}

  void run() {
    // Nodes by name, as Pacemaker lists a resource's allowed nodes here.
    std::vector<int> by_name(ws_.nodes.size());
    for (std::size_t n = 0; n < by_name.size(); ++n) by_name[n] = static_cast<int>(n);
    std::sort(by_name.begin(), by_name.end(), [&](int a, int b) {
      return ws_.nodes[static_cast<std::size_t>(a)].name <
             ws_.nodes[static_cast<std::size_t>(b)].name;
    });
    for (const Resource& r : ws_.resources) {
      if (r.kind != ResourceConfig::Kind::Primitive || r.utilization.empty()) continue;
      for (int node : r.running_on) {
        const int load = loadStopped(node);
        for (int stop : actionsWithTask(plan_, r.index, "stop", node)) {
          addEdge(stop, load, "capacity freed on " + nodeName(node) + " by " + r.id);
        }
      }
      for (int node : by_name) {
        if (!r.allowed[static_cast<std::size_t>(node)]) continue;
        const int load = loadStopped(node);
        for (int start : actionsWithTask(plan_, r.index, "start", node)) {
          addEdge(load, start, "capacity needed on " + nodeName(node) + " by " + r.id);
        }
      }
    }
  }

 private:
  const std::string& nodeName(int node) const {
    return ws_.nodes[static_cast<std::size_t>(node)].name;
  }

  // The node's load_stopped pseudo-action, created required on first use.
  int loadStopped(int node) {
    int& id = load_stopped_[static_cast<std::size_t>(node)];
    if (id >= 0) return id;
    PlannedAction a;
    a.id = static_cast<int>(plan_.actions.size());
    a.key = "load_stopped_" + nodeName(node);
    a.task = a.key;  // node -1: pseudo-actions run nowhere, the key names the node
    a.optional = false;
    a.runnable = true;
    a.pseudo = true;
    id = a.id;
    plan_.actions.push_back(std::move(a));
    return id;
  }

  void addEdge(int first, int then, Origin origin) {
    const int e = static_cast<int>(plan_.edges.size());
    plan_.edges.push_back({first, then, kOrderNone, std::move(origin)});
    plan_.actions[static_cast<std::size_t>(first)].after.push_back(e);
    plan_.actions[static_cast<std::size_t>(then)].before.push_back(e);
  }

  const WorkingSet& ws_;
  ActionPlan& plan_;
  std::vector<int> load_stopped_;  // action id per node, -1 until needed
};

}  // namespace

void addLoadOrderings(const WorkingSet& ws, ActionPlan& plan) {
  if (ws.options.placement_strategy == PlacementStrategy::Default) return;
  LoadOrderings(ws, plan).run();
}

}  // namespace pulse::pe
