// The pipeline: unpack -> working set -> scores -> assignment -> actions ->
// orderings (acyclic, via Boost.Graph) -> Transition (summary + views).
#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/topological_sort.hpp>
#include <iterator>

#include "actions.h"
#include "assign.h"
#include "config_changes.h"
#include "policy-engine/policy_engine.h"
#include "rule_eval.h"
#include "summary.h"
#include "tickets.h"
#include "why.h"

namespace pulse::pe {
namespace {

// Names the actions on one cycle among the kept orderings, with the
// constraint behind each step, so the operator can find the loop.
std::string describeCycle(const WorkingSet& ws, const ActionPlan& plan,
                          const std::vector<bool>& kept) {
  auto name = [&](int id) {
    const PlannedAction& a = plan.actions[static_cast<std::size_t>(id)];
    std::string text = a.key;
    if (a.node >= 0) text += " on " + ws.nodes[static_cast<std::size_t>(a.node)].name;
    return text;
  };
  const std::size_t n = plan.actions.size();
  std::vector<int> state(n, 0);      // 0 new, 1 on the DFS stack, 2 done
  std::vector<int> via_edge(n, -1);  // edge that reached the action
  for (std::size_t root = 0; root < n; ++root) {
    if (!kept[root] || state[root] != 0) continue;
    // Iterative DFS: (action, next index into its `after` edges).
    std::vector<std::pair<int, std::size_t>> stack{{static_cast<int>(root), 0}};
    state[root] = 1;
    while (!stack.empty()) {
      auto& [id, next] = stack.back();
      const auto& after = plan.actions[static_cast<std::size_t>(id)].after;
      if (next == after.size()) {
        state[static_cast<std::size_t>(id)] = 2;
        stack.pop_back();
        continue;
      }
      int e = after[next++];
      int to = plan.edges[static_cast<std::size_t>(e)].then;
      if (!kept[static_cast<std::size_t>(to)] ||
          !edgeInGraph(plan, plan.edges[static_cast<std::size_t>(e)]))
        continue;
      if (state[static_cast<std::size_t>(to)] == 1) {
        // Walk back from `id` to `to` along the edges that reached each action.
        std::vector<int> edges{e};
        for (int at = id; at != to;) {
          int back = via_edge[static_cast<std::size_t>(at)];
          edges.push_back(back);
          at = plan.edges[static_cast<std::size_t>(back)].first;
        }
        std::string text = name(to);
        for (auto it = edges.rbegin(); it != edges.rend(); ++it) {
          const ActionEdge& edge = plan.edges[static_cast<std::size_t>(*it)];
          text += " -> " + name(edge.then) + " (" + edge.origin.text() + ")";
        }
        return text;
      }
      if (state[static_cast<std::size_t>(to)] == 0) {
        state[static_cast<std::size_t>(to)] = 1;
        via_edge[static_cast<std::size_t>(to)] = e;
        stack.emplace_back(to, 0);
      }
    }
  }
  return "(not found)";
}

// Orders the kept actions so every ordering points forward; a cycle is an
// error naming the actions and constraints on it.
Result<std::vector<int>> topologicalOrder(const WorkingSet& ws, const ActionPlan& plan,
                                          const std::vector<bool>& kept) {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  Graph g(plan.actions.size());
  for (const ActionEdge& e : plan.edges) {
    if (kept[static_cast<std::size_t>(e.first)] && kept[static_cast<std::size_t>(e.then)] &&
        edgeInGraph(plan, e)) {
      boost::add_edge(static_cast<std::size_t>(e.first), static_cast<std::size_t>(e.then), g);
    }
  }
  std::vector<std::size_t> reversed;
  try {
    boost::topological_sort(g, std::back_inserter(reversed));
  } catch (const boost::not_a_dag&) {
    return Error{"ordering cycle: " + describeCycle(ws, plan, kept)};
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

namespace {

// Action::has_agent and what goes with it, for an action of a primitive on a node.
void fillExecution(const WorkingSet& ws, const PlannedAction& a, Action& out) {
  if (a.rsc < 0) return;
  const Resource& r = ws.resources[static_cast<std::size_t>(a.rsc)];
  if (a.pseudo || a.node < 0 || r.config == nullptr ||
      r.config->kind != ResourceConfig::Kind::Primitive)
    return;
  OpDigestInput in = opDigestInput(ws, r, a.task, a.interval_ms);
  out.has_agent = true;
  out.rsc_class = r.config->cls;
  out.provider = r.config->provider;
  out.type = r.config->type;
  out.meta = r.config->meta;
  out.timeout_ms = std::stoll(in.op_meta["timeout"]);
  out.op_digest = computeOpDigests(in, std::nullopt, std::nullopt).all;
  out.params = std::move(in.params);
  out.record_pending = recordPending(ws, r, a.task, a.interval_ms);
  constexpr int kOcfRunningPromoted = 8;
  if (a.task == "monitor" && a.interval_ms > 0 && r.next_role == Role::Promoted)
    out.expected_rc = kOcfRunningPromoted;
}

Result<Transition> scheduleUnpacked(Result<Cib> cib, const ScheduleOptions& options) {
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
  if (cib->dc_uuid.empty() && options.dc_id) cib->dc_uuid = *options.dc_id;
  resolveTimedAttributes(*cib, t.now);
  auto ws = buildWorkingSet(*cib, t.now, options.sanitized);
  if (!ws) return ws.error();
  ws->show_scores = options.with_scores;
  ws->pacemaker_defects = options.pacemaker_defects;
  WhyLog why;
  if (options.with_reasons) ws->why = &why;
  t.current = describeCluster(*ws, nullptr);
  if (auto e = applyTickets(*ws)) return *e;
  if (auto e = applyNodeCriteria(*ws)) return *e;
  if (auto e = unpackColocations(*ws)) return *e;
  const ConfigChanges changes = checkConfigChanges(*ws);
  assignResources(*ws);
  auto plan = planActions(*ws, changes);
  if (!plan) return plan.error();
  t.summary = summarize(*ws, *plan);
  t.scores = std::move(ws->score_lines);
  if (options.with_reasons) t.reasons = explainPlacement(*ws);

  std::vector<bool> kept(plan->actions.size());
  for (const PlannedAction& a : plan->actions) {
    kept[static_cast<std::size_t>(a.id)] = inGraph(*ws, a);
  }
  auto order = topologicalOrder(*ws, *plan, kept);
  if (!order) return order.error();
  std::vector<int> renumber(plan->actions.size(), -1);
  for (int id : *order) {
    const PlannedAction& a = plan->actions[static_cast<std::size_t>(id)];
    Action out;
    out.id = static_cast<int>(t.actions.size());
    renumber[static_cast<std::size_t>(id)] = out.id;
    out.key = a.key;
    out.task = a.task;
    // Cluster pseudo-actions (load_stopped_<node>) belong to no resource.
    out.resource = a.rsc >= 0 ? ws->resources[static_cast<std::size_t>(a.rsc)].id : "";
    out.node = a.node >= 0 ? ws->nodes[static_cast<std::size_t>(a.node)].name : "";
    out.interval_ms = a.interval_ms;
    out.pseudo = a.pseudo;
    if (options.with_execution) {
      fillExecution(*ws, a, out);
      // A clone notification's notify_* variables (notifications.h), as action meta.
      if (auto n = plan->notify_meta.find(id); out.has_agent && n != plan->notify_meta.end()) {
        out.meta.insert(n->second.begin(), n->second.end());
        out.survives_abort = a.task == "notify" && n->second.at("notify_type") == "post";
      }
    }
    t.actions.push_back(std::move(out));
  }
  for (const ActionEdge& e : plan->edges) {
    if (!edgeInGraph(*plan, e)) continue;
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

}  // namespace

Result<Transition> schedule(std::string_view cib_xml, const ScheduleOptions& options) {
  return scheduleUnpacked(unpackCib(cib_xml), options);
}

Result<Transition> schedule(CibSource& source, const ScheduleOptions& options) {
  return scheduleUnpacked(unpackCib(source), options);
}

Result<Transition> schedule(const pugi::xml_document& cib_doc, std::string_view source,
                            const ScheduleOptions& options) {
  return scheduleUnpacked(unpackCib(cib_doc, source), options);
}

}  // namespace pulse::pe
