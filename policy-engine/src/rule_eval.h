// Rules (location rules, and rules guarding attribute sets), and the
// resolution of attribute sets whose values depend on them.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "policy-engine/cib_model.h"

namespace pulse::pe {

// What a rule is evaluated against: "now", a node's attributes (none for
// cluster-wide sets), and the resource it is for (its agent and parameters
// for rsc_expression and value-source=param, its meta-attributes for
// value-source=meta). Absent parts make the expressions needing them false.
struct RuleContext {
  std::int64_t now = 0;
  const Attributes* node = nullptr;
  const ResourceConfig* rsc = nullptr;
  const Attributes* meta = nullptr;
  const Attributes* params = nullptr;  // the resource's parameters on this node, if not rsc's
};

// Whether the rule holds: its expressions, date expressions, resource
// expressions and sub-rules joined by its boolean-op (an empty rule holds).
bool ruleHolds(const Rule& rule, const RuleContext& ctx);

// Pacemaker's unpack_nvpair_blocks() and populate_hash(): the sets whose
// rules hold, the highest score first, of equal scores the later set first
// (`first_id` names a set that always comes first); the first value of a
// name wins.
Attributes resolveNvSets(const std::vector<NvSet>& sets, const RuleContext& ctx,
                         std::string_view first_id = {});

// Replaces the cluster options and node attributes read from sets with
// rules or scores by their values at `now` (rsc_defaults depend on the
// resource and are resolved per resource).
void resolveTimedAttributes(Cib& cib, std::int64_t now);

// The resource's parameters as rules on `node` see them (Pacemaker's
// pe_rsc_params()): its sets with rules resolved against the node.
Attributes paramsOnNode(const ResourceConfig& rsc, const Attributes& node, std::int64_t now);

}  // namespace pulse::pe
