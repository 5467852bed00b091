#include "rules.h"

#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace pulse::pe {
namespace {

int sign(int v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

// strtoll as pcmk__scan_ll uses it: leading digits are enough, overflow fails.
bool scanInteger(const std::string& text, long long& out) {
  errno = 0;
  char* end = nullptr;
  out = std::strtoll(text.c_str(), &end, 10);
  return errno == 0 && end != text.c_str();
}

bool scanNumber(const std::string& text, double& out) {
  errno = 0;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return errno == 0 && end != text.c_str();
}

// Dotted versions compared piece by piece as numbers ("1.10" > "1.9").
int compareVersions(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    long x = 0, y = 0;
    if (i < a.size()) x = std::strtol(a.c_str() + i, nullptr, 10);
    if (j < b.size()) y = std::strtol(b.c_str() + j, nullptr, 10);
    if (x != y) return x < y ? -1 : 1;
    i = a.find('.', i);
    i = i == std::string::npos ? a.size() : i + 1;
    j = b.find('.', j);
    j = j == std::string::npos ? b.size() : j + 1;
  }
  return 0;
}

bool isOrdering(const std::string& op) {
  return op == "lt" || op == "lte" || op == "gt" || op == "gte";
}

bool evaluateAttribute(const RuleExpression& ex, const RuleSubject& subject) {
  const std::string* value = nullptr;
  if (subject.node != nullptr) {
    auto it = subject.node->find(ex.attribute);
    if (it != subject.node->end()) value = &it->second;
  }
  if (ex.operation == "defined") return value != nullptr;
  if (ex.operation == "not_defined") return value == nullptr;
  // An undefined attribute is below any value: only "ne" holds.
  if (value == nullptr) return ex.operation == "ne";
  int c = compareRuleValues(*value, ex.value, ex.type, ex.operation);
  if (ex.operation == "eq") return c == 0;
  if (ex.operation == "ne") return c != 0;
  if (ex.operation == "lt") return c < 0;
  if (ex.operation == "gt") return c > 0;
  if (ex.operation == "lte") return c <= 0;
  if (ex.operation == "gte") return c >= 0;
  return false;
}

bool evaluateDate(const RuleExpression& ex, std::int64_t now) {
  if (ex.operation == "gt") return ex.start && now > *ex.start;
  if (ex.operation == "lt") return ex.end && now < *ex.end;
  // in_range: within [start, end], either bound optional.
  if (ex.start && now < *ex.start) return false;
  if (ex.end && now > *ex.end) return false;
  return ex.start || ex.end;
}

bool evaluateResource(const RuleExpression& ex, const RuleSubject& subject) {
  if (subject.rsc == nullptr) return false;
  const ResourceConfig& r = *subject.rsc;
  if (ex.rsc_class && *ex.rsc_class != r.cls) return false;
  // A provider test needs both sides present or both absent.
  if (ex.rsc_provider.has_value() != !r.provider.empty()) return false;
  if (ex.rsc_provider && *ex.rsc_provider != r.provider) return false;
  if (ex.rsc_type && *ex.rsc_type != r.type) return false;
  return true;
}

bool evaluateOperation(const RuleExpression& ex, const RuleSubject& subject) {
  if (subject.op_name == nullptr) return false;
  if (ex.op_interval_ms && *ex.op_interval_ms != subject.op_interval_ms) return false;
  return ex.op_name == *subject.op_name;
}

bool evaluateExpression(const RuleExpression& ex, const RuleSubject& subject) {
  switch (ex.kind) {
    case RuleExpression::Kind::Attribute:
      return evaluateAttribute(ex, subject);
    case RuleExpression::Kind::Date:
      return evaluateDate(ex, subject.now);
    case RuleExpression::Kind::Resource:
      return evaluateResource(ex, subject);
    case RuleExpression::Kind::Operation:
      return evaluateOperation(ex, subject);
  }
  return false;
}

}  // namespace

int compareRuleValues(const std::string& left, const std::string& right, const std::string& type,
                      const std::string& operation) {
  std::string t = type;
  if (t.empty()) {
    if (isOrdering(operation)) {
      bool dotted = left.find('.') != std::string::npos || right.find('.') != std::string::npos;
      t = dotted ? "number" : "integer";
    } else {
      t = "string";
    }
  }
  if (t == "integer") {
    long long x = 0, y = 0;
    if (scanInteger(left, x) && scanInteger(right, y)) return x < y ? -1 : (x > y ? 1 : 0);
  } else if (t == "number") {
    double x = 0, y = 0;
    if (scanNumber(left, x) && scanNumber(right, y)) return x < y ? -1 : (x > y ? 1 : 0);
  } else if (t == "version") {
    return compareVersions(left, right);
  }
  return sign(strcasecmp(left.c_str(), right.c_str()));
}

bool evaluateRule(const Rule& rule, const RuleSubject& subject) {
  // An "and" rule passes unless a test fails, an "or" rule fails unless one passes (so an
  // empty rule passes only as "and").
  for (const RuleExpression& ex : rule.expressions) {
    bool v = evaluateExpression(ex, subject);
    if (v && !rule.boolean_and) return true;
    if (!v && rule.boolean_and) return false;
  }
  for (const Rule& sub : rule.subrules) {
    bool v = evaluateRule(sub, subject);
    if (v && !rule.boolean_and) return true;
    if (!v && rule.boolean_and) return false;
  }
  return rule.boolean_and;
}

bool conditionalSetApplies(const ConditionalSet& set, const RuleSubject& subject) {
  if (set.rules.empty()) return true;
  return std::any_of(set.rules.begin(), set.rules.end(),
                     [&](const Rule& r) { return evaluateRule(r, subject); });
}

void applyConditionalSets(const std::vector<ConditionalSet>& sets, const RuleSubject& subject,
                          Attributes& out, bool higher_than_zero) {
  std::vector<const ConditionalSet*> order;
  for (const ConditionalSet& s : sets) {
    if ((s.score > 0) == higher_than_zero) order.push_back(&s);
  }
  std::stable_sort(
      order.begin(), order.end(),
      [](const ConditionalSet* a, const ConditionalSet* b) { return a->score > b->score; });
  for (const ConditionalSet* s : order) {
    if (!conditionalSetApplies(*s, subject)) continue;
    for (const auto& kv : s->values) out.insert(kv);
  }
}

}  // namespace pulse::pe
