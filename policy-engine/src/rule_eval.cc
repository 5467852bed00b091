#include "rule_eval.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "date_rules.h"

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

// Pacemaker's pe__eval_attr_expr(): a node attribute against a value.
bool expressionHolds(const RuleExpression& ex, const RuleContext& ctx) {
  const std::string* l = nullptr;
  if (ctx.node != nullptr) {
    auto it = ctx.node->find(ex.attribute);
    if (it != ctx.node->end()) l = &it->second;
  }
  if (ex.operation == "defined") return l != nullptr;
  if (ex.operation == "not_defined") return l == nullptr;
  const std::string* r = ex.value.empty() ? nullptr : &ex.value;
  if (r != nullptr && (ex.value_source == "param" || ex.value_source == "meta")) {
    const Attributes* table =
        ex.value_source == "meta"
            ? ctx.meta
            : (ctx.params ? ctx.params : (ctx.rsc ? &ctx.rsc->params : nullptr));
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

// Pacemaker's pe__eval_rsc_expr().
bool resourceExpressionHolds(const ResourceExpression& rx, const RuleContext& ctx) {
  if (ctx.rsc == nullptr) return false;
  if (rx.cls && *rx.cls != ctx.rsc->cls) return false;
  if (rx.provider.value_or("") != ctx.rsc->provider) return false;
  return !rx.type || *rx.type == ctx.rsc->type;
}

}  // namespace

bool ruleHolds(const Rule& rule, const RuleContext& ctx) {
  bool any = false;
  bool all = true;
  bool empty = true;
  for (const DateExpression& date : rule.dates) {
    bool v = dateExpressionHolds(date, ctx.now);
    any = any || v;
    all = all && v;
    empty = false;
  }
  for (const RuleExpression& ex : rule.expressions) {
    bool v = expressionHolds(ex, ctx);
    any = any || v;
    all = all && v;
    empty = false;
  }
  for (const ResourceExpression& rx : rule.resource_expressions) {
    bool v = resourceExpressionHolds(rx, ctx);
    any = any || v;
    all = all && v;
    empty = false;
  }
  // Pacemaker's pe__eval_op_expr(): only op_defaults are evaluated for an
  // operation, and those are not resolved by rules yet, so an op_expression
  // (an operation's name and interval) never holds here.
  if (!rule.operation_expressions.empty()) {
    all = false;
    empty = false;
  }
  for (const Rule& sub : rule.subrules) {
    bool v = ruleHolds(sub, ctx);
    any = any || v;
    all = all && v;
    empty = false;
  }
  if (empty) return true;
  return rule.boolean_and ? all : any;
}

Attributes resolveNvSets(const std::vector<NvSet>& sets, const RuleContext& ctx,
                         std::string_view first_id) {
  std::vector<const NvSet*> order;
  for (auto it = sets.rbegin(); it != sets.rend(); ++it) order.push_back(&*it);
  std::stable_sort(order.begin(), order.end(), [&](const NvSet* a, const NvSet* b) {
    bool a_first = !first_id.empty() && a->id == first_id;
    bool b_first = !first_id.empty() && b->id == first_id;
    if (a_first != b_first) return a_first;
    return a->score > b->score;
  });
  Attributes out;
  for (const NvSet* set : order) {
    bool applies = set->rules.empty();
    for (const Rule& rule : set->rules) applies = applies || ruleHolds(rule, ctx);
    if (!applies) continue;
    for (const auto& kv : set->values) out.insert(kv);
  }
  return out;
}

void resolveTimedAttributes(Cib& cib, std::int64_t now) {
  if (!cib.option_sets.empty()) {
    cib.cluster_options = resolveNvSets(cib.option_sets, {now}, "cib-bootstrap-options");
  }
  for (NodeConfig& node : cib.nodes) {
    if (!node.attribute_sets.empty()) node.attributes = resolveNvSets(node.attribute_sets, {now});
  }
}

Attributes paramsOnNode(const ResourceConfig& rsc, const Attributes& node, std::int64_t now) {
  if (rsc.param_sets.empty()) return rsc.params;
  return resolveNvSets(rsc.param_sets, {now, &node, &rsc, nullptr, nullptr});
}

}  // namespace pulse::pe
