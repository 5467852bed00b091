// Rule evaluation, after Pacemaker 2.1.5's rules.c: node attribute tests with
// typed comparisons, date ranges, and the resource/operation tests of
// rsc_defaults and op_defaults.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "policy-engine/cib_model.h"

namespace pulse::pe {

// What a rule is evaluated against; a test whose subject is absent fails
// (an attribute test sees the attribute as undefined).
struct RuleSubject {
  const Attributes* node = nullptr;      // node attributes incl. #uname, #id, #is_dc
  std::int64_t now = 0;                  // seconds since the epoch, for date expressions
  const ResourceConfig* rsc = nullptr;   // rsc_expression
  const std::string* op_name = nullptr;  // op_expression
  std::int64_t op_interval_ms = 0;
};

// Pacemaker's compare_attr_expr_vals: -1, 0 or 1. Without a type, lt/lte/gt/gte
// compare as numbers (as integers unless either value has a '.'), eq/ne as
// strings; a value that does not parse as the type makes it a string comparison,
// which ignores case.
int compareRuleValues(const std::string& left, const std::string& right, const std::string& type,
                      const std::string& operation);

bool evaluateRule(const Rule& rule, const RuleSubject& subject);

// Whether any of the set's rules passes (Pacemaker's pe_eval_rules).
bool conditionalSetApplies(const ConditionalSet& set, const RuleSubject& subject);

// Adds to `out` the values of the sets that apply (the first value of a name wins), taking
// the sets of positive score (higher_than_zero) or the others, highest score first. The
// unconditional sets have score 0: positive sets go before them, the others after.
void applyConditionalSets(const std::vector<ConditionalSet>& sets, const RuleSubject& subject,
                          Attributes& out, bool higher_than_zero);

}  // namespace pulse::pe
