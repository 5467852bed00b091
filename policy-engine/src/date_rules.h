// Date expressions of rules, evaluated against the scheduler's "now".
#pragma once

#include <cstdint>

#include "policy-engine/cib_model.h"

namespace pulse::pe {

// Whether `now` (seconds since the epoch; calendar fields are taken in UTC)
// satisfies the expression, after Pacemaker 2.1.5's pe__eval_date_expr():
// gt is strictly after start, lt strictly before end, in_range includes both
// ends; a date_spec field that is absent or not a range constrains nothing.
bool dateExpressionHolds(const DateExpression& ex, std::int64_t now);

}  // namespace pulse::pe
