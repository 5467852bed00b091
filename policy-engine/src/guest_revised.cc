#include "guest_revised.h"

#include <algorithm>

#include "failure_policy.h"

namespace pulse::pe {
namespace {

// Whether the transition "fences" guest node `node` (a pseudo fence action).
bool guestFenced(const WorkingSet& ws, const ActionPlan& plan, int node) {
  if (ws.guestContainer(node) < 0) return false;
  return std::any_of(plan.fencing.begin(), plan.fencing.end(), [&](int id) {
    const PlannedAction& f = plan.actions[static_cast<std::size_t>(id)];
    return f.node == node && f.pseudo;
  });
}

// A guest is up after the transition exactly when its connection will run.
bool upAfter(const WorkingSet& ws, int node) {
  const Node& n = ws.nodes[static_cast<std::size_t>(node)];
  return n.online && !n.shutdown;
}

// The failed operations still recorded for `r` on `node`.
std::vector<const FailedAction*> failuresOn(const WorkingSet& ws, const Resource& r, int node) {
  std::vector<const FailedAction*> out;
  const std::string& name = ws.nodes[static_cast<std::size_t>(node)].name;
  for (const FailedAction& f : ws.failed_actions) {
    if (f.node == name && (f.resource == r.id || f.resource == r.history_id)) out.push_back(&f);
  }
  return out;
}

}  // namespace

std::vector<int> leftOnFencedGuests(const WorkingSet& ws, const ActionPlan& plan,
                                    const Resource& r) {
  std::vector<int> out;
  const std::vector<int>& mine = plan.by_resource[static_cast<std::size_t>(r.index)];
  for (int id : mine) {
    const PlannedAction& a = plan.actions[static_cast<std::size_t>(id)];
    if (a.task != "stop" || !a.pseudo || a.node < 0 || !inGraph(ws, a)) continue;
    if (!guestFenced(ws, plan, a.node)) continue;
    const bool restarted = std::any_of(mine.begin(), mine.end(), [&](int other) {
      const PlannedAction& s = plan.actions[static_cast<std::size_t>(other)];
      return s.task == "start" && s.node == a.node && inGraph(ws, s);
    });
    if (restarted) continue;
    // A guest down after the transition has its history read only with fencing enabled
    // (the last pass of Pacemaker's unpack_node_history); a clone instance there is inactive.
    if (!upAfter(ws, a.node) && (!ws.options.stonith_enabled || cloneOf(ws, r.index) >= 0)) {
      continue;
    }
    if (std::find(out.begin(), out.end(), a.node) == out.end()) out.push_back(a.node);
  }
  return out;
}

bool failedWhereLeft(const WorkingSet& ws, const Resource& r, int guest) {
  return !upAfter(ws, guest) || (r.failed && !failuresOn(ws, r, guest).empty());
}

bool containerFailsAgain(const WorkingSet& ws, const ActionPlan& plan, int rsc) {
  for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
    const int guest = static_cast<int>(n);
    if (ws.guestContainer(guest) != rsc) continue;
    for (const Resource& r : ws.resources) {
      if (r.kind != ResourceConfig::Kind::Primitive) continue;
      const std::vector<int> left = leftOnFencedGuests(ws, plan, r);
      if (std::find(left.begin(), left.end(), guest) == left.end()) continue;
      if (!upAfter(ws, guest)) return true;
      if (!r.failed) continue;
      for (const FailedAction* f : failuresOn(ws, r, guest)) {
        if (failurePolicy(ws, r, f->task, f->interval_ms).on_fail == OnFail::Fence) return true;
      }
    }
  }
  return false;
}

}  // namespace pulse::pe
