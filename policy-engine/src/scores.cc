// Node criteria: location constraints (with #uname-style rules),
// stickiness, and migration-threshold bans from fail-counts.
#include <algorithm>
#include <cstdlib>

#include "assign.h"
#include "history.h"
#include "node_health.h"

namespace pulse::pe {
namespace {

int compareValues(const std::string& a, const std::string& b, const std::string& type) {
  if (type == "integer" || type == "number" || type == "version") {
    double x = std::strtod(a.c_str(), nullptr);
    double y = std::strtod(b.c_str(), nullptr);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

bool evaluateExpression(const RuleExpression& ex, const Node& node) {
  auto it = node.attributes.find(ex.attribute);
  if (ex.operation == "defined") return it != node.attributes.end();
  if (ex.operation == "not_defined") return it == node.attributes.end();
  if (it == node.attributes.end()) return ex.operation == "ne";
  int c = compareValues(it->second, ex.value, ex.type);
  if (ex.operation == "eq") return c == 0;
  if (ex.operation == "ne") return c != 0;
  if (ex.operation == "lt") return c < 0;
  if (ex.operation == "gt") return c > 0;
  if (ex.operation == "lte") return c <= 0;
  if (ex.operation == "gte") return c >= 0;
  return false;
}

bool evaluateRule(const Rule& rule, const Node& node) {
  bool any = false;
  bool all = true;
  bool empty = true;
  for (const RuleExpression& ex : rule.expressions) {
    bool v = evaluateExpression(ex, node);
    any = any || v;
    all = all && v;
    empty = false;
  }
  for (const Rule& sub : rule.subrules) {
    bool v = evaluateRule(sub, node);
    any = any || v;
    all = all && v;
    empty = false;
  }
  if (empty) return true;
  return rule.boolean_and ? all : any;
}

}  // namespace

// Pacemaker's pcmk__group_apply_location: the group and its first member get
// the scores; later members of a colocated group only get the node allowed.
void applyLocation(WorkingSet& ws, Resource& r, const std::vector<std::pair<int, Score>>& scores) {
  for (const auto& [node, score] : scores) addLocationScore(r, node, score);
  if (r.kind != ResourceConfig::Kind::Group) return;
  bool reset = r.group_colocated;
  bool first = true;
  for (int child : r.children) {
    Resource& member = ws.resources[static_cast<std::size_t>(child)];
    for (const auto& [node, score] : scores) {
      addLocationScore(member, node, (reset && !first) ? 0 : score);
    }
    first = false;
  }
}

std::optional<Error> applyNodeCriteria(WorkingSet& ws) {
  applyNodeHealth(ws);  // before the constraints, as Pacemaker creates them first
  const Cib& cib = *ws.cib;
  for (const LocationConstraint& lc : cib.locations) {
    int index = ws.findResource(lc.rsc);
    if (index < 0) {
      return Error{"<rsc_location id=\"" + lc.id + "\"> (line " + std::to_string(lc.line) +
                   "): resource '" + lc.rsc + "' does not exist"};
    }
    Resource& r = ws.resources[static_cast<std::size_t>(index)];
    if (!lc.role.empty() && parseRole(lc.role) != Role::Started) {
      ws.warnings.push_back("location " + lc.id + ": role-specific locations are not supported");
      continue;
    }
    std::vector<std::pair<int, Score>> scores;
    if (!lc.node.empty()) {
      int node = ws.findNode(lc.node);
      if (node < 0) {
        ws.warnings.push_back("location " + lc.id + " names unknown node '" + lc.node + "'");
        continue;
      }
      scores.emplace_back(node, lc.score);
    } else {
      for (const Rule& rule : lc.rules) {
        if (!rule.role.empty() && parseRole(rule.role) != Role::Started) continue;
        for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
          if (!evaluateRule(rule, ws.nodes[n])) continue;
          Score score = rule.score;
          if (!rule.score_attribute.empty()) {
            auto it = ws.nodes[n].attributes.find(rule.score_attribute);
            if (it == ws.nodes[n].attributes.end()) continue;
            score = parseScore(it->second).value_or(0);
          }
          scores.emplace_back(static_cast<int>(n), score);
        }
      }
    }
    applyLocation(ws, r, scores);
  }
  // Stickiness: a managed primitive active on exactly one node prefers it.
  for (Resource& r : ws.resources) {
    if (r.kind != ResourceConfig::Kind::Primitive) continue;
    if (!r.managed || r.stickiness < 1 || r.running_on.size() != 1) continue;
    int node = r.running_on[0];
    if (!ws.options.symmetric && !r.allowed[static_cast<std::size_t>(node)]) continue;
    addLocationScore(r, node, r.stickiness);
  }
  // migration-threshold: a node where the fail-count reached it is banned.
  for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
    for (Resource& r : ws.resources) {
      if (r.kind != ResourceConfig::Kind::Primitive) continue;
      if (r.migration_threshold <= 0) continue;
      if (ws.failcountCleared(r.index, static_cast<int>(n))) continue;
      Score fc = failCount(ws, r, static_cast<int>(n));
      if (fc <= 0) continue;
      if (fc >= r.migration_threshold) addLocationScore(r, static_cast<int>(n), -kInfinity);
    }
  }
  return std::nullopt;
}

}  // namespace pulse::pe
