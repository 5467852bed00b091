// The typed CIB: Pacemaker's XML turned into plain values, nothing decided yet.
//
// unpackCib() is the only code that touches XML. Every element keeps its id
// and source line so later stages can name what was wrong.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy-engine/result.h"
#include "policy-engine/score.h"

namespace pugi {
class xml_document;
}

namespace pulse::pe {

using Attributes = std::map<std::string, std::string>;

// One test inside a rule: a node attribute expression (#uname, #id, any node
// attribute), a date expression, or (in rsc_defaults / op_defaults) a test of
// the resource's agent or the operation.
struct RuleExpression {
  enum class Kind { Attribute, Date, Resource, Operation };
  Kind kind = Kind::Attribute;
  std::string attribute;
  std::string operation;  // eq ne lt gt lte gte defined not_defined; dates: in_range gt lt
  std::string value;
  std::string type;  // string integer number version; empty: chosen from the values
  std::optional<std::int64_t> start, end;  // date expressions, seconds since the epoch
  std::optional<std::string> rsc_class, rsc_provider, rsc_type;  // rsc_expression
  std::string op_name;                                           // op_expression
  std::optional<std::int64_t> op_interval_ms;
};

struct Rule {
  std::string id;
  Score score = 0;
  std::string score_attribute;
  std::string role;
  bool boolean_and = true;
  std::vector<RuleExpression> expressions;
  std::vector<Rule> subrules;
  int line = 0;
};

// A set of nvpairs guarded by rules: it applies only where one of its rules
// passes. Sets are applied highest score first; the first value of a name wins.
struct ConditionalSet {
  std::string id;
  Score score = 0;
  std::vector<Rule> rules;
  Attributes values;
};

struct OperationConfig {
  std::string id;
  std::string name;  // start stop monitor ...
  std::int64_t interval_ms = 0;
  std::string role;
  Attributes attributes;  // every XML attribute of <op> (timeout, on-fail, enabled, ...)
  Attributes meta;        // op meta_attributes
  Attributes params;      // op instance_attributes
  int line = 0;
};

struct ResourceConfig {
  enum class Kind { Primitive, Group };
  Kind kind = Kind::Primitive;
  std::string id;
  std::string cls, provider, type;
  Attributes params;  // instance_attributes
  Attributes meta;    // meta_attributes (rsc_defaults merged in later)
  std::vector<OperationConfig> ops;
  std::vector<ResourceConfig> members;  // group members
  int line = 0;
};

struct NodeConfig {
  std::string id;
  std::string uname;
  std::string type;
  Attributes attributes;  // instance_attributes (standby, ...)
  Attributes utilization;
  std::vector<ConditionalSet> conditional_attributes;  // rule-guarded instance_attributes
  int line = 0;
};

struct LocationConstraint {
  std::string id;
  std::string rsc;
  std::string node;  // empty when rules are used
  Score score = 0;
  std::string role;
  std::vector<Rule> rules;
  int line = 0;
};

struct ColocationConstraint {
  std::string id;
  std::string rsc, with_rsc;
  Score score = 0;
  std::string rsc_role, with_rsc_role;
  std::string node_attribute;
  int line = 0;
};

struct OrderConstraint {
  enum class Kind { Mandatory, Optional, Serialize };
  std::string id;
  std::string first, then;
  std::string first_action, then_action;
  Kind kind = Kind::Mandatory;
  std::optional<bool> symmetrical;
  int line = 0;
};

// One <lrm_rsc_op> as recorded in the status section.
// Kept small: a status section can hold a million of these.
struct OperationRecord {
  std::string task;  // operation
  std::int64_t interval_ms = 0;
  int call_id = 0;
  int rc = 0;
  int op_status = 0;
  int target_rc = 0;
  bool has_target_rc = false;
  std::string op_digest, restart_digest, secure_digest;
  std::optional<std::string> op_force_restart, op_secure_params;  // absent != empty
  bool is_last_failure = false;                                   // id ends in "_last_failure_0"
  std::string feature_set;
  std::string on_node;                         // the node it ran on, when recorded
  std::string migrate_source, migrate_target;  // migrate_to / migrate_from
  std::int64_t last_rc_change = 0;
  std::string exit_reason;
};

struct ResourceHistory {
  std::string id;
  std::string cls, provider, type;
  std::int64_t shutdown_lock = 0;  // when its node shut down with shutdown-lock (0: none)
  std::vector<OperationRecord> ops;
};

struct NodeStateRecord {
  std::string id;
  std::string uname;
  std::optional<std::string> in_ccm, crmd, join, expected;
  Attributes transient;  // transient_attributes: fail-count-*, last-failure-*, ...
  std::vector<ResourceHistory> resources;
  int line = 0;
};

struct Cib {
  std::string feature_set;  // crm_feature_set of <cib>
  Attributes cluster_options;
  Attributes rsc_defaults;
  Attributes op_defaults;
  std::vector<ConditionalSet> conditional_rsc_defaults;  // rule-guarded rsc_defaults sets
  std::string dc_uuid;                                   // the DC's node id (#is_dc)
  bool no_quorum_panic = false;  // no-quorum-panic: the partition had quorum once
  bool have_quorum = true;
  std::optional<std::int64_t> execution_date;
  std::string execution_date_text;
  std::vector<NodeConfig> nodes;
  std::vector<ResourceConfig> resources;
  std::vector<LocationConstraint> locations;
  std::vector<ColocationConstraint> colocations;
  std::vector<OrderConstraint> orders;
  std::vector<NodeStateRecord> node_states;
  std::vector<std::string> warnings;
};

// A status section at least this large is read one node_state at a time.
inline constexpr std::size_t kSplitStatusBytes = 4u << 20;

// Parses and checks a CIB. Errors name the element and its line.
// `split_status_bytes` is the size from which the status is split (tests
// and the fuzzer lower it to exercise that path on small inputs).
Result<Cib> unpackCib(std::string_view xml, std::size_t split_status_bytes = kSplitStatusBytes);
// The same on a parsed document; `source` is the text it was parsed from (for line numbers).
Result<Cib> unpackCib(const pugi::xml_document& doc, std::string_view source);

}  // namespace pulse::pe
