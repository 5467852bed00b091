#include "cluster_features.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

namespace pulse::cibgen {
namespace {

// 2024-11-13 08:26:40 UTC, a day after the oldest operation (cib_writer's kBaseTime).
constexpr int64_t kExecutionDate = 1731486400;

int scaledCount(Rng& rng, double rate, int base) {
  const double x = rate * base;
  const double whole = std::floor(x);
  return static_cast<int>(whole) + (rng.chance(x - whole) ? 1 : 0);
}

std::string colocationScore(Rng& rng) {
  switch (rng.weighted({0.4, 0.15, 0.3, 0.15})) {
    case 0:
      return "INFINITY";
    case 1:
      return "-INFINITY";
    case 2:
      return std::to_string(rng.range(1, 40) * 25);
    default:
      return std::to_string(-rng.range(1, 40) * 25);
  }
}

const CloneModel* cloneOf(const ClusterModel& m, const std::string& unit_id) {
  for (const CloneModel& c : m.clones) {
    if (c.id == unit_id) return &c;
  }
  return nullptr;
}

// `count` distinct units, in the order of `rank` when given.
std::vector<size_t> pickUnits(Rng& rng, size_t total, int count, const std::vector<size_t>* rank) {
  std::vector<size_t> all(total);
  for (size_t i = 0; i < total; ++i) all[i] = i;
  rng.shuffle(all);
  all.resize(std::min(total, static_cast<size_t>(count)));
  if (rank != nullptr) {
    std::sort(all.begin(), all.end(), [&](size_t a, size_t b) { return (*rank)[a] < (*rank)[b]; });
  }
  return all;
}

}  // namespace

void buildClones(ClusterModel& m, Rng& rng) {
  if (m.knobs.cloned <= 0) return;
  const int node_count = static_cast<int>(m.nodes.size());
  for (size_t i = 0; i < m.primitives.size(); ++i) {
    PrimitiveModel& p = m.primitives[i];
    const bool group_head =
        p.group >= 0 && m.groups[p.group].members.front() == static_cast<int>(i);
    if ((p.group >= 0 && !group_head) || !rng.chance(m.knobs.cloned)) continue;
    CloneModel c;
    c.max_instances = node_count;
    if (group_head) {
      c.group = p.group;
      c.id = m.groups[p.group].id + "-clone";
      m.groups[p.group].clone = static_cast<int>(m.clones.size());
    } else {
      c.primitive = static_cast<int>(i);
      c.id = p.id + "-clone";
      p.clone = static_cast<int>(m.clones.size());
      c.promotable = rng.chance(m.knobs.promotable);
    }
    if (rng.chance(0.3)) {
      c.max_instances = rng.range(1, std::max(1, node_count - 1));
      c.clone_max = std::to_string(c.max_instances);
    }
    if (rng.chance(0.15)) c.clone_node_max = rng.chance(0.5) ? "1" : "2";
    if (rng.chance(0.4)) c.interleave = rng.chance(0.8) ? "true" : "false";
    if (c.promotable) {
      p.type = "Stateful";
      p.provider = "pacemaker";
      p.promoted_interval_s = 10;
      p.monitor_interval_s = 11;
      if (rng.chance(0.3)) c.promoted_max = std::to_string(rng.range(1, 2));
    }
    if (rng.chance(0.05)) c.meta.target_role = "Stopped";
    if (rng.chance(0.1)) c.meta.stickiness = rng.chance(0.5) ? "0" : "100";
    m.clones.push_back(std::move(c));
  }
}

void buildFencing(ClusterModel& m, Rng& rng) {
  if (!m.knobs.fencing) return;
  for (NodeModel& n : m.nodes) {
    if (!n.online) n.unclean = rng.chance(m.knobs.unclean_node);
  }
  PrimitiveModel fence;
  fence.id = "fencing";
  fence.agent_class = "stonith";
  fence.type = "fence_dummy";
  fence.monitor_interval_s = 60;
  m.primitives.push_back(std::move(fence));
}

void buildRuleContext(ClusterModel& m, Rng& rng) {
  if (m.knobs.attribute_rules > 0) {
    m.node_attributes = true;
    for (NodeModel& n : m.nodes) {
      n.site = rng.chance(0.5) ? "a" : "b";
      n.rack = rng.range(1, 4);
      n.gpu = rng.chance(0.3);
    }
  }
  if (m.knobs.date_rules > 0) m.execution_date = kExecutionDate;
}

void decorateRule(const ClusterModel& m, Rng& rng, LocationModel& loc) {
  if (!loc.rule) return;
  if (m.node_attributes && rng.chance(m.knobs.attribute_rules)) {
    switch (rng.below(3)) {
      case 0:
        loc.attribute = "site";
        loc.attr_op = rng.chance(0.7) ? "eq" : "ne";
        loc.attr_value = rng.chance(0.5) ? "a" : "b";
        break;
      case 1:
        loc.attribute = "rack";
        loc.attr_op = rng.chance(0.5) ? "gt" : "lte";
        loc.attr_value = std::to_string(rng.range(1, 3));
        break;
      default:
        loc.attribute = "gpu";
        loc.attr_op = rng.chance(0.6) ? "defined" : "not_defined";
        break;
    }
  }
  if (m.execution_date > 0 && rng.chance(m.knobs.date_rules)) {
    // Days away from the execution date, so the time zone of the reader cannot matter.
    static const std::string kDates[] = {"2024-01-01", "2024-11-10", "2024-11-16", "2025-06-01"};
    switch (rng.below(3)) {
      case 0:
        loc.date_op = "gt";
        loc.date_start = rng.pick(std::vector<std::string>(std::begin(kDates), std::end(kDates)));
        break;
      case 1:
        loc.date_op = "lt";
        loc.date_end = rng.pick(std::vector<std::string>(std::begin(kDates), std::end(kDates)));
        break;
      default: {
        const size_t a = rng.below(3);
        loc.date_op = "in_range";
        loc.date_start = kDates[a];
        loc.date_end = kDates[a + 1 + rng.below(3 - a)];
        break;
      }
    }
    loc.boolean_op = rng.chance(0.6) ? "and" : "or";
  }
}

bool isPromotable(const ClusterModel& m, const std::string& unit_id) {
  const CloneModel* c = cloneOf(m, unit_id);
  return c != nullptr && c->promotable;
}

void decorateColocation(const ClusterModel& m, Rng& rng, ColocationModel& col) {
  if (m.clones.empty()) return;
  if (isPromotable(m, col.with_rsc) && rng.chance(0.6)) {
    col.with_rsc_role = rng.chance(0.8) ? "Promoted" : "Unpromoted";
  }
  if (isPromotable(m, col.rsc) && rng.chance(0.4)) {
    col.rsc_role = rng.chance(0.8) ? "Promoted" : "Started";
  }
}

void decorateOrder(const ClusterModel& m, Rng& rng, OrderModel& order) {
  if (m.clones.empty() || order.kind == "Serialize") return;
  const bool starts = order.first_action.empty() || order.first_action == "start";
  if (!starts || (!order.then_action.empty() && order.then_action != "start")) return;
  if (isPromotable(m, order.first) && rng.chance(0.6)) {
    order.first_action = "promote";
    if (order.then_action.empty()) order.then_action = "start";
  }
  if (isPromotable(m, order.then) && rng.chance(0.4)) {
    order.then_action = "promote";
    if (order.first_action.empty()) order.first_action = "start";
  }
}

void buildSetConstraints(ClusterModel& m, Rng& rng, const std::vector<Unit>& units,
                         const std::vector<size_t>& rank) {
  if (m.knobs.set_constraints <= 0 || units.size() < 2) return;
  const int count =
      scaledCount(rng, m.knobs.set_constraints, static_cast<int>(m.primitives.size()));
  for (int k = 1; k <= count; ++k) {
    SetConstraintModel c;
    c.order = rng.chance(0.6);
    const int size = rng.range(2, std::min<int>(4, static_cast<int>(units.size())));
    // Order sets follow `rank`, like the plain orders' start edges: no cycle between them.
    const std::vector<size_t> picked =
        pickUnits(rng, units.size(), size, c.order ? &rank : nullptr);
    const size_t split = size >= 3 && rng.chance(0.5) ? rng.range(1, size - 1) : picked.size();
    c.id = std::string(c.order ? "ord-set" : "col-set") + std::to_string(k);
    for (size_t begin = 0; begin < picked.size(); begin = split) {
      const size_t end = begin < split ? split : picked.size();
      ResourceSetModel set;
      set.id = c.id + "-" + std::to_string(c.sets.size());
      for (size_t i = begin; i < end; ++i) set.resources.push_back(units[picked[i]].id);
      if (rng.chance(0.3)) set.sequential = rng.chance(0.8) ? "false" : "true";
      c.sets.push_back(std::move(set));
      if (end == picked.size()) break;
    }
    if (c.order) {
      static const std::string kKinds[] = {"", "Mandatory", "Optional"};
      c.kind = rng.choose(kKinds, {0.5, 0.25, 0.25});
    } else {
      c.score = colocationScore(rng);
    }
    m.set_constraints.push_back(std::move(c));
  }
}

void buildTickets(ClusterModel& m, Rng& rng, const std::vector<Unit>& units) {
  if (m.knobs.tickets <= 0) return;
  for (const char* id : {"ticketA", "ticketB"}) {
    TicketModel t;
    t.id = id;
    t.in_status = rng.chance(0.8);
    t.granted = t.in_status && rng.chance(0.6);
    t.standby = t.granted && rng.chance(0.1);
    m.tickets.push_back(std::move(t));
  }
  const int count = scaledCount(rng, m.knobs.tickets, static_cast<int>(m.primitives.size()));
  std::set<std::pair<size_t, size_t>> seen;
  for (int k = 0; k < count; ++k) {
    const size_t u = rng.below(units.size());
    const size_t t = rng.below(m.tickets.size());
    if (!seen.insert({u, t}).second) continue;
    RscTicketModel r;
    r.rsc = units[u].id;
    r.ticket = m.tickets[t].id;
    const bool promotable = isPromotable(m, r.rsc);
    if (promotable && rng.chance(0.5)) r.rsc_role = "Promoted";
    std::vector<std::string> policies = {"", "stop", "freeze"};
    if (r.rsc_role == "Promoted") policies.push_back("demote");
    if (m.knobs.fencing) policies.push_back("fence");
    r.loss_policy = rng.pick(policies);
    r.id = "tkt" + std::to_string(seen.size()) + "-" + r.rsc + "-" + r.ticket;
    m.rsc_tickets.push_back(std::move(r));
  }
}

void placeCloneInstances(const ClusterModel& m, Rng& rng, const CloneModel& clone, double running,
                         std::vector<char>& active) {
  const size_t nodes = m.nodes.size();
  std::vector<size_t> order(nodes);
  for (size_t n = 0; n < nodes; ++n) order[n] = n;
  rng.shuffle(order);
  std::vector<int> members;
  if (clone.primitive >= 0) {
    members.push_back(clone.primitive);
  } else {
    members = m.groups[clone.group].members;
  }
  int placed = 0;
  for (size_t n : order) {
    const NodeModel& node = m.nodes[n];
    if (!node.online && !node.unclean) continue;
    if (placed >= clone.max_instances || !rng.chance(running)) continue;
    ++placed;
    const int size = static_cast<int>(members.size());
    const int started = rng.chance(0.85) ? size : rng.range(1, size);
    for (int k = 0; k < started; ++k) active[members[k] * nodes + n] = 1;
  }
}

void promoteInstances(ClusterModel& m, Rng& rng) {
  const size_t nodes = m.nodes.size();
  m.promotion_score.assign(m.history.size(), -1);
  for (const CloneModel& c : m.clones) {
    if (!c.promotable) continue;
    const size_t r = static_cast<size_t>(c.primitive);
    std::vector<size_t> running;
    for (size_t n = 0; n < nodes; ++n) {
      if (m.history[r * nodes + n] == History::kRunning) running.push_back(n);
    }
    rng.shuffle(running);
    int promoted = c.promoted_max.empty() ? 1 : std::stoi(c.promoted_max);
    if (rng.chance(0.2)) promoted = 0;
    if (rng.chance(0.1)) ++promoted;  // more promoted than allowed: one is demoted
    for (size_t i = 0; i < running.size() && static_cast<int>(i) < promoted; ++i) {
      const size_t at = r * nodes + running[i];
      const bool failed = rng.chance(m.knobs.failed_monitor);
      m.history[at] = failed ? History::kPromotedFailed : History::kPromoted;
      if (failed) m.fail_count[at] = 1;
    }
    // The agent sets a promotion score where an instance runs, sometimes elsewhere too.
    static const int kScores[] = {1, 5, 10, 50, 100, 1000};
    for (size_t n = 0; n < nodes; ++n) {
      if (!m.nodes[n].online) continue;
      const size_t at = r * nodes + n;
      if (rng.chance(isActive(m.history[at]) ? 0.85 : 0.1)) {
        m.promotion_score[at] = rng.choose(kScores, {1, 1, 2, 1, 2, 1});
      }
    }
  }
}

}  // namespace pulse::cibgen
