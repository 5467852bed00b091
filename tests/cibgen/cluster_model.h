// The random cluster behind a generated CIB: configuration objects and, per resource and node,
// what the operation history says. Built once by buildModel(); cib_writer turns it into XML.
// Invariants (established by buildModel): ids are unique; constraints name existing units and
// nodes; at most one node has an active history kind for a resource that is not cloned (a clone
// instance is active on at most clone-max nodes, one per node); only online and unclean nodes
// have history; at least one node is online.
#ifndef PULSE_TESTS_CIBGEN_CLUSTER_MODEL_H_
#define PULSE_TESTS_CIBGEN_CLUSTER_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "cib_generator.h"
#include "random.h"

namespace pulse::cibgen {

struct NodeModel {
  int id = 0;  // 1-based, also the corosync node id
  std::string uname;
  bool online = true;
  bool standby = false;
  // Offline without having stopped its resources (in_ccm=false, expected=member, history of
  // active resources): Pacemaker fences it. Only when the cluster has fencing.
  bool unclean = false;
  // Node attributes for attribute rules (written only when the model uses them).
  std::string site;  // "a" | "b"
  int rack = 0;      // 1-4
  bool gpu = false;  // attribute "gpu" defined
};

// Resource meta attributes; empty strings are not written.
struct MetaModel {
  std::string target_role;
  std::string stickiness;
  std::string migration_threshold;
  std::string priority;
};

struct PrimitiveModel {
  std::string id;
  std::string agent_class = "ocf";  // ocf | stonith (the fence device)
  std::string provider;             // heartbeat | pacemaker; empty for stonith
  std::string type = "Dummy";       // Dummy, Stateful (promotable clones), fence_dummy
  int group = -1;                   // index into ClusterModel::groups, -1 for a top-level primitive
  int clone = -1;                   // index into ClusterModel::clones when cloned (directly)
  int monitor_interval_s = 10;      // the Unpromoted role's monitor for a promotable primitive
  int promoted_interval_s = 0;      // > 0: promotable, the Promoted role's monitor
  MetaModel meta;
};

struct GroupModel {
  std::string id;
  std::vector<int> members;  // primitive indexes, in group order
  int clone = -1;            // index into ClusterModel::clones when the group is cloned
  MetaModel meta;
};

// An anonymous clone of one primitive or one group; empty meta strings are not written.
struct CloneModel {
  std::string id;
  int primitive = -1;  // the cloned primitive, or
  int group = -1;      // the cloned group
  bool promotable = false;
  int max_instances = 0;  // clone-max as a number (node count when not written)
  std::string clone_max, clone_node_max, interleave, promoted_max;
  MetaModel meta;
};

struct LocationModel {
  std::string id;
  std::string rsc;
  std::string node;  // uname
  std::string score;
  bool rule = false;    // written as a rule on #uname
  bool negate = false;  // rule operation "ne" instead of "eq"
  // Instead of #uname, the rule tests a node attribute and/or a date (relative to the CIB's
  // execution-date); combined with boolean-op when both.
  std::string attribute;   // site | rack | gpu; empty: #uname
  std::string attr_op;     // eq, ne, gt, lte, defined, not_defined
  std::string attr_value;  // empty for defined/not_defined
  std::string date_op;     // empty: no date expression; gt | lt | in_range
  std::string date_start;  // ISO 8601
  std::string date_end;    // ISO 8601
  std::string boolean_op;  // and | or, when both expressions are present
};

struct ColocationModel {
  std::string id, rsc, with_rsc, score;
  std::string rsc_role, with_rsc_role;  // empty: omitted (promotable clones only)
};

struct OrderModel {
  std::string id, first, then;
  std::string kind;                       // empty: attribute omitted (Mandatory)
  std::string symmetrical;                // empty: omitted
  std::string first_action, then_action;  // empty: omitted
};

struct ResourceSetModel {
  std::string id;
  std::vector<std::string> resources;
  std::string sequential;  // empty: omitted (true)
};

// rsc_order or rsc_colocation made of resource sets.
struct SetConstraintModel {
  std::string id;
  bool order = true;  // rsc_order; false: rsc_colocation
  std::string kind;   // order kind, empty: omitted
  std::string score;  // colocation score
  std::vector<ResourceSetModel> sets;
};

struct TicketModel {
  std::string id;
  bool in_status = false;  // has a ticket_state
  bool granted = false;
  bool standby = false;
};

struct RscTicketModel {
  std::string id, rsc, ticket, loss_policy, rsc_role;  // empty strings: omitted
};

// What a node's operation history says about one resource.
enum class History : uint8_t {
  kNone,             // never probed
  kProbed,           // probe found it stopped (monitor_0 rc 7)
  kRunning,          // start rc 0 + recurring monitor rc 0
  kMonitorError,     // running, recurring monitor failed with rc 1 (FAILED)
  kMonitorStopped,   // running, recurring monitor found it stopped, rc 7 (FAILED)
  kRecovered,        // running again after an older monitor failure (fail-count stays)
  kStopped,          // ran here earlier, stopped cleanly
  kStartFailed,      // start failed here earlier, then stopped (fail-count INFINITY)
  kStartFailedLive,  // start failed and nothing stopped it yet (FAILED)
  kNotInstalled,     // probe returned rc 5
  kPromoted,         // promotable clone instance: promote rc 0 + Promoted monitor rc 8
  kPromotedFailed,   // promoted instance whose Promoted monitor failed with rc 1 (FAILED)
};

inline bool isActive(History h) {
  return h == History::kRunning || h == History::kMonitorError || h == History::kMonitorStopped ||
         h == History::kRecovered || h == History::kStartFailedLive || h == History::kPromoted ||
         h == History::kPromotedFailed;
}

struct ClusterModel {
  uint64_t seed = 0;
  std::string feature_set;
  Knobs knobs;
  bool have_quorum = true;
  std::vector<NodeModel> nodes;
  std::vector<PrimitiveModel> primitives;
  std::vector<GroupModel> groups;
  std::vector<CloneModel> clones;
  std::vector<LocationModel> locations;
  std::vector<ColocationModel> colocations;
  std::vector<OrderModel> orders;
  std::vector<SetConstraintModel> set_constraints;
  std::vector<TicketModel> tickets;
  std::vector<RscTicketModel> rsc_tickets;
  bool node_attributes = false;  // write NodeModel::site/rack/gpu
  int64_t execution_date = 0;    // > 0: written on <cib>
  // history[r * nodes.size() + n] for primitive r on node n.
  std::vector<History> history;
  // Fail-counts for stale or recovered failures; by the same index, 0 = none.
  std::vector<uint8_t> fail_count;
  // Promotion scores (transient attribute master-<rsc>) by the same index; -1 = none.
  std::vector<int> promotion_score;

  History at(size_t rsc, size_t node) const { return history[rsc * nodes.size() + node]; }
};

// Draws the whole model from options.seed. Never fails (sizes are clamped to >= 1).
[[nodiscard]] ClusterModel buildModel(const GeneratorOptions& options, const Knobs& knobs);

// The knobs of the differential profile for a seed (varied so that seeds explore different
// corners: asymmetric clusters, no quorum, heavy stickiness, many failures...).
[[nodiscard]] Knobs differentialKnobs(uint64_t seed);

// Fixed knobs of the bench profile: a big, mostly settled cluster.
[[nodiscard]] Knobs benchKnobs();

}  // namespace pulse::cibgen

#endif  // PULSE_TESTS_CIBGEN_CLUSTER_MODEL_H_
