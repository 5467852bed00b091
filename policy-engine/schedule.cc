// The pipeline: unpack -> working set -> scores -> assignment -> actions ->
// orderings (acyclic, via Boost.Graph) -> Transition (summary + views).
#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/topological_sort.hpp>
#include <iterator>

#include "actions.h"
#include "assign.h"
#include "config_changes.h"
#include "policy_engine.h"
#include "summary.h"

namespace pulse::pe {
namespace {

// Orders the kept actions so every ordering points forward; a cycle is an
// error naming the actions on it.
Result<std::vector<int>> topologicalOrder(const ActionPlan& plan, const std::vector<bool>& kept) {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  Graph g(plan.actions.size());
  for (const ActionEdge& e : plan.edges) {
    if (kept[static_cast<std::size_t>(e.first)] && kept[static_cast<std::size_t>(e.then)]) {
      boost::add_edge(static_cast<std::size_t>(e.first), static_cast<std::size_t>(e.then), g);
    }
  }
  std::vector<std::size_t> reversed;
  try {
    boost::topological_sort(g, std::back_inserter(reversed));
  } catch (const boost::not_a_dag&) {
    return Error{"the orderings form a cycle; check rsc_order constraints for a loop"};
  }
  std::vector<int> order;
  for (auto it = reversed.rbegin(); it != reversed.rend(); ++it) {
    if (kept[*it]) order.push_back(static_cast<int>(*it));
  }
  return order;
}

}  // namespace

const char* roleName(Role role) {
  switch (role) {
    case Role::Unknown:
      return "Unknown";
    case Role::Stopped:
      return "Stopped";
    case Role::Started:
      return "Started";
    case Role::Unpromoted:
      return "Unpromoted";
    case Role::Promoted:
      return "Promoted";
  }
  return "Unknown";
}

Result<Transition> schedule(std::string_view cib_xml, const ScheduleOptions& options) {
  auto cib = unpackCib(cib_xml);
  if (!cib) return cib.error();
  Transition t;
  if (options.now) {
    t.now = *options.now;
  } else if (cib->execution_date) {
    t.now = *cib->execution_date;
    t.used_execution_date = true;
    t.execution_date_text = cib->execution_date_text;
  } else if (options.fallback_now) {
    t.now = *options.fallback_now;
  }
  auto ws = buildWorkingSet(*cib, t.now);
  if (!ws) return ws.error();
  t.current = describeCluster(*ws, nullptr);
  if (auto e = applyNodeCriteria(*ws)) return *e;
  if (auto e = unpackColocations(*ws)) return *e;
  checkConfigChanges(*ws);
  assignResources(*ws);
  auto plan = planActions(*ws);
  if (!plan) return plan.error();
  t.summary = summarize(*ws, *plan);
  if (options.with_scores) t.scores = scoreLines(*ws);

  std::vector<bool> kept(plan->actions.size());
  for (const PlannedAction& a : plan->actions) {
    kept[static_cast<std::size_t>(a.id)] = inGraph(*ws, a);
  }
  auto order = topologicalOrder(*plan, kept);
  if (!order) {
    std::string cycle_error = order.error().message;
    return Error{cycle_error};
  }
  std::vector<int> renumber(plan->actions.size(), -1);
  for (int id : *order) {
    const PlannedAction& a = plan->actions[static_cast<std::size_t>(id)];
    Action out;
    out.id = static_cast<int>(t.actions.size());
    renumber[static_cast<std::size_t>(id)] = out.id;
    out.key = a.key;
    out.task = a.task;
    out.resource = ws->resources[static_cast<std::size_t>(a.rsc)].id;
    out.node = a.node >= 0 ? ws->nodes[static_cast<std::size_t>(a.node)].name : "";
    out.interval_ms = a.interval_ms;
    out.pseudo = a.pseudo;
    t.actions.push_back(std::move(out));
  }
  for (const ActionEdge& e : plan->edges) {
    int f = renumber[static_cast<std::size_t>(e.first)];
    int th = renumber[static_cast<std::size_t>(e.then)];
    if (f >= 0 && th >= 0) t.orderings.push_back({f, th});
  }
  std::sort(t.orderings.begin(), t.orderings.end(), [](const Ordering& a, const Ordering& b) {
    return std::tie(a.first, a.then) < std::tie(b.first, b.then);
  });
  t.orderings.erase(std::unique(t.orderings.begin(), t.orderings.end(),
                                [](const Ordering& a, const Ordering& b) {
                                  return a.first == b.first && a.then == b.then;
                                }),
                    t.orderings.end());
  t.revised = describeCluster(*ws, &*plan);
  t.warnings = ws->warnings;
  return t;
}

}  // namespace pulse::pe
