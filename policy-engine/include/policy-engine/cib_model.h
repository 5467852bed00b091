// The typed CIB: Pacemaker's XML turned into plain values, nothing decided yet.
//
// unpackCib() is the only code that touches XML. Every element keeps its id
// and source line so later stages can name what was wrong.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
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

class CibSource;  // cib_source.h

using Attributes = std::map<std::string, std::string>;

// A node attribute expression (#uname, #id, any node attribute); a rule's
// date, resource and operation tests are kept beside these (Rule).
struct RuleExpression {
  std::string attribute;
  std::string operation;  // eq ne lt gt lte gte defined not_defined
  std::string value;
  std::string type;  // string integer number version; empty: integer/number for lt/gt
  // "param" or "meta": `value` names a parameter or meta-attribute of the
  // resource the rule is for, whose value is compared; empty: literal.
  std::string value_source;
};

// A <date_expression>: true while "now" is after `start` (gt), before `end`
// (lt), between them (in_range; `end` may come from a <duration>), or
// matches the cron-like <date_spec> fields ("1-5", "9-", "-3", "7").
struct DateExpression {
  std::string id;
  std::string operation;                   // in_range gt lt date_spec
  std::optional<std::int64_t> start, end;  // seconds since the epoch, UTC
  // <duration>: years months weeks days hours minutes seconds.
  Attributes duration;
  // <date_spec>: years months monthdays hours minutes seconds yeardays
  // weekyears weeks weekdays moon.
  Attributes date_spec;
  int line = 0;
};

// An <rsc_expression> (rsc_defaults rules): the resource's agent matches
// each part given (an absent provider must match a provider-less agent).
struct ResourceExpression {
  std::optional<std::string> cls, provider, type;
};

// An <op_expression> (op_defaults rules): the operation's name and, when
// given, its interval. Rules evaluated for no operation find it false.
struct OperationExpression {
  std::string name;
  std::optional<std::int64_t> interval_ms;
};

struct Rule {
  std::string id;
  Score score = 0;
  std::string score_attribute;
  std::string role;
  bool boolean_and = true;
  std::vector<RuleExpression> expressions;
  std::vector<DateExpression> dates;
  std::vector<ResourceExpression> resource_expressions;
  std::vector<OperationExpression> operation_expressions;
  std::vector<Rule> subrules;
  int line = 0;
};

// One attribute set (instance_attributes, meta_attributes,
// cluster_property_set) as written, kept for a container where some set has
// a rule or a score: its values then depend on "now" and on whom they are
// for, and are resolved when the scheduler runs (nvsets.h).
struct NvSet {
  std::string id;
  Score score = 0;
  std::vector<Rule> rules;  // any one holding applies the set; none: always
  Attributes values;        // in order of the nvpairs, the first of a name kept
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
  // A clone holds exactly one member (a primitive or a group) in `members`.
  enum class Kind { Primitive, Group, Clone };
  Kind kind = Kind::Primitive;
  std::string id;
  std::string cls, provider, type;
  Attributes params;             // instance_attributes
  Attributes meta;               // meta_attributes (rsc_defaults merged in later)
  std::vector<NvSet> meta_sets;  // when some meta_attributes have a rule or score
  // When some instance_attributes have a rule or score: their values may
  // differ by node (rules see the node's attributes), as location rules with
  // value-source=param see them; `params` holds the unconditional ones.
  std::vector<NvSet> param_sets;
  Attributes utilization;  // <utilization>: what the resource consumes of a node's capacity
  std::vector<OperationConfig> ops;
  std::vector<ResourceConfig> members;  // group members; a clone's one cloned resource
  int line = 0;
};

struct NodeConfig {
  std::string id;
  std::string uname;
  std::string type;
  Attributes attributes;              // instance_attributes (standby, ...)
  std::vector<NvSet> attribute_sets;  // when some instance_attributes have a rule or score
  Attributes utilization;
  int line = 0;
};

enum class OrderKind { Mandatory, Optional, Serialize };

// A <resource_set> in a constraint. Templates and tags named in it are
// already replaced by the resources they stand for, in Pacemaker's order.
struct ResourceSet {
  std::string id;
  std::vector<std::string> resources;
  // Unset differs from false: between ordered sets only an explicit
  // sequential="true" picks the set's end resource (Pacemaker's order_rsc_sets).
  std::optional<bool> sequential;
  bool require_all = true;
  std::string role;
  std::string action;               // rsc_order sets: start stop promote demote (empty: start)
  std::optional<OrderKind> kind;    // rsc_order sets may override the constraint's kind
  std::optional<bool> symmetrical;  // rsc_order sets
  std::optional<Score> score;       // rsc_location and rsc_colocation sets
  // rsc_colocation sets: "group" (each member with the one before it, the
  // default) or "listed" (each member with the one after it).
  std::string ordering;
  int line = 0;
};

struct LocationConstraint {
  std::string id;
  std::string rsc;
  std::string node;  // empty when rules are used
  Score score = 0;
  std::string role;
  std::vector<Rule> rules;
  // resource-discovery: "always" (probe everywhere), "never" (not on these nodes) or
  // "exclusive" (only on nodes of such constraints, and run nowhere else).
  std::string discovery = "always";
  int line = 0;
};

struct ColocationConstraint {
  std::string id;
  std::string rsc, with_rsc;
  Score score = 0;
  std::string rsc_role, with_rsc_role;
  std::string node_attribute;
  std::optional<bool> influence;  // unset: the dependent's `critical` meta-attribute decides
  int line = 0;
};

// An rsc_ticket for one resource (sets are expanded to one entry per resource).
struct TicketConstraint {
  enum class LossPolicy { Stop, Demote, Fence, Freeze };
  std::string id;
  std::string rsc;
  std::string rsc_role;
  std::string ticket;
  LossPolicy loss_policy = LossPolicy::Stop;
  int line = 0;
};

// A <ticket_state> of the status section.
struct TicketState {
  bool granted = false;
  bool standby = false;
  std::optional<std::int64_t> last_granted;
};

struct OrderConstraint {
  using Kind = OrderKind;
  std::string id;
  std::string first, then;  // empty when `sets` are used
  std::vector<ResourceSet> sets;
  std::string first_action, then_action;
  Kind kind = Kind::Mandatory;
  std::optional<bool> symmetrical;
  std::optional<bool> require_all;  // deprecated require-all (false = clone-min 1)
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
  std::string op_digest;
  bool is_last_failure = false;  // id ends in "_last_failure_0"
  std::string feature_set;
  std::string on_node;  // the node it ran on, when recorded
  std::int64_t last_rc_change = 0;
  // Its transition-magic names transition -1 or another controller than the fake one tools
  // record operations under: a pending operation (call-id -1) then stays newer than any
  // operation recorded afterwards (Pacemaker's pe__is_newer_op).
  bool outlasts_recorded_ops = false;
  // What few records carry, kept apart so that the million plain records of a large status
  // stay small (about 180 bytes instead of 410). Read-only once read, so copies share it.
  struct Rare {
    std::string restart_digest, secure_digest;
    std::optional<std::string> op_force_restart, op_secure_params;  // absent != empty
    std::string migrate_source, migrate_target;                     // migrate_to / migrate_from
    std::string exit_reason;
  };
  std::shared_ptr<const Rare> rare;  // null: every one of them empty or absent
  const Rare& extra() const {
    static const Rare kNone;
    return rare ? *rare : kNone;
  }
};

struct ResourceHistory {
  std::string id;
  std::string cls, provider, type;
  std::int64_t shutdown_lock = 0;  // when its node shut down with shutdown-lock (0: none)
  std::string container;           // the container a filler (or guest connection) ran in
  std::vector<OperationRecord> ops;
};

struct NodeStateRecord {
  std::string id;
  std::string uname;
  std::optional<std::string> in_ccm, crmd, join, expected;
  bool node_fenced = false;  // node_fenced: a remote node's record that it was fenced
  Attributes transient;      // transient_attributes: fail-count-*, last-failure-*, ...
  std::vector<ResourceHistory> resources;
  int line = 0;
};

struct Cib {
  std::string feature_set;  // crm_feature_set of <cib>
  Attributes cluster_options;
  std::vector<NvSet> option_sets;  // when some cluster_property_set has a rule or score
  Attributes rsc_defaults;
  std::vector<NvSet> rsc_default_sets;  // when some rsc_defaults set has a rule or score
  Attributes op_defaults;
  bool no_quorum_panic = false;  // no-quorum-panic: the partition had quorum once
  bool have_quorum = true;
  std::string dc_uuid;  // dc-uuid of <cib>: the node whose #is_dc is "true"
  std::optional<std::int64_t> execution_date;
  std::string execution_date_text;
  std::vector<NodeConfig> nodes;
  std::vector<ResourceConfig> resources;
  std::vector<LocationConstraint> locations;
  std::vector<ColocationConstraint> colocations;
  std::vector<OrderConstraint> orders;
  std::vector<TicketConstraint> tickets;
  std::map<std::string, TicketState> ticket_states;  // by ticket id
  std::vector<NodeStateRecord> node_states;
  std::vector<std::string> warnings;
};

// A status section at least this large is read one node_state at a time.
inline constexpr std::size_t kSplitStatusBytes = 4u << 20;

// Parses and checks a CIB. Errors name the element and its line.
// `split_status_bytes` is the size from which the status is split (tests
// and the fuzzer lower it to exercise that path on small inputs).
Result<Cib> unpackCib(std::string_view xml, std::size_t split_status_bytes = kSplitStatusBytes);
// The same read from `source` a piece at a time (cib_source.h): a status of at least
// `split_status_bytes` is never held whole, only the configuration and one node_state.
Result<Cib> unpackCib(CibSource& source, std::size_t split_status_bytes = kSplitStatusBytes);
// The same on a parsed document; `source` is the text it was parsed from (for line numbers).
Result<Cib> unpackCib(const pugi::xml_document& doc, std::string_view source);

}  // namespace pulse::pe
