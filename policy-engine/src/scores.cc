// Node criteria: location constraints (with #uname-style rules),
// stickiness, and migration-threshold bans from fail-counts.
#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "assign.h"
#include "date_rules.h"
#include "history.h"

namespace pulse::pe {
namespace {

// Pacemaker's compare_version(): dot-separated numbers, compared in turn.
int compareVersions(const std::string& a, const std::string& b) {
  const char* x = a.c_str();
  const char* y = b.c_str();
  while (*x != '\0' || *y != '\0') {
    long vx = std::strtol(x, const_cast<char**>(&x), 10);
    long vy = std::strtol(y, const_cast<char**>(&y), 10);
    if (vx != vy) return vx < vy ? -1 : 1;
    if (*x == '.') ++x;
    if (*y == '.') ++y;
    if ((*x != '\0' && !std::isdigit(static_cast<unsigned char>(*x))) ||
        (*y != '\0' && !std::isdigit(static_cast<unsigned char>(*y)))) {
      break;
    }
  }
  return 0;
}

// Pacemaker's compare_attr_expr_vals(): without a type, lt/gt/lte/gte
// compare numbers (integer unless a value has a '.'), the others strings
// (ignoring case); a value that does not parse falls back to a string.
int compareValues(const std::string* l, const std::string* r, std::string type,
                  const std::string& op) {
  if (l == nullptr || r == nullptr) {
    if (l == nullptr && r == nullptr) return 0;
    return r == nullptr ? 1 : -1;
  }
  if (type.empty()) {
    if (op == "lt" || op == "lte" || op == "gt" || op == "gte") {
      bool dot = l->find('.') != std::string::npos || r->find('.') != std::string::npos;
      type = dot ? "number" : "integer";
    } else {
      type = "string";
    }
  }
  // pcmk__scan_ll()/pcmk__scan_double(): a leading number is enough ("3.4" is
  // the integer 3); only text that does not start with one fails.
  if (type == "integer") {
    char *end_l = nullptr, *end_r = nullptr;
    long long x = std::strtoll(l->c_str(), &end_l, 10);
    long long y = std::strtoll(r->c_str(), &end_r, 10);
    if (end_l != l->c_str() && end_r != r->c_str()) return x < y ? -1 : (x > y ? 1 : 0);
  } else if (type == "number") {
    char *end_l = nullptr, *end_r = nullptr;
    double x = std::strtod(l->c_str(), &end_l);
    double y = std::strtod(r->c_str(), &end_r);
    if (end_l != l->c_str() && end_r != r->c_str()) return x < y ? -1 : (x > y ? 1 : 0);
  } else if (type == "version") {
    return compareVersions(*l, *r);
  }
  int c = strcasecmp(l->c_str(), r->c_str());
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Pacemaker's pe__eval_attr_expr() for a node and the resource the rule is for.
bool evaluateExpression(const RuleExpression& ex, const Node& node, const Resource* rsc) {
  auto it = node.attributes.find(ex.attribute);
  const std::string* l = it == node.attributes.end() ? nullptr : &it->second;
  if (ex.operation == "defined") return l != nullptr;
  if (ex.operation == "not_defined") return l == nullptr;
  const std::string* r = ex.value.empty() ? nullptr : &ex.value;
  if (r != nullptr && (ex.value_source == "param" || ex.value_source == "meta")) {
    const Attributes* table = nullptr;
    if (rsc != nullptr) {
      table =
          ex.value_source == "meta" ? &rsc->meta : (rsc->config ? &rsc->config->params : nullptr);
    }
    auto v = table ? table->find(ex.value) : Attributes::const_iterator();
    r = (table != nullptr && v != table->end()) ? &v->second : nullptr;
  }
  int c = compareValues(l, r, ex.type, ex.operation);
  if (ex.operation == "eq") return c == 0;
  if (ex.operation == "ne") return c != 0;
  if (l == nullptr || r == nullptr) return false;
  if (ex.operation == "lt") return c < 0;
  if (ex.operation == "gt") return c > 0;
  if (ex.operation == "lte") return c <= 0;
  if (ex.operation == "gte") return c >= 0;
  return false;
}

bool evaluateRule(const Rule& rule, const Node& node, std::int64_t now, const Resource* rsc) {
  bool any = false;
  bool all = true;
  bool empty = true;
  for (const DateExpression& date : rule.dates) {
    bool v = dateExpressionHolds(date, now);
    any = any || v;
    all = all && v;
    empty = false;
  }
  for (const RuleExpression& ex : rule.expressions) {
    bool v = evaluateExpression(ex, node, rsc);
    any = any || v;
    all = all && v;
    empty = false;
  }
  for (const Rule& sub : rule.subrules) {
    bool v = evaluateRule(sub, node, now, rsc);
    any = any || v;
    all = all && v;
    empty = false;
  }
  if (empty) return true;
  return rule.boolean_and ? all : any;
}

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

}  // namespace

std::optional<Error> applyNodeCriteria(WorkingSet& ws) {
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
          if (!evaluateRule(rule, ws.nodes[n], ws.now, &r)) continue;
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
