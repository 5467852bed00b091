// The random cluster behind a generated CIB: configuration objects and, per resource and node,
// what the operation history says. Built once by buildModel(); cib_writer turns it into XML.
// Invariants (established by buildModel): ids are unique; constraints name existing units and
// nodes; at most one node has an active history kind for a resource; only online nodes have
// history; at least one node is online.
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
  std::string provider;  // heartbeat | pacemaker (agent type is always Dummy)
  int group = -1;        // index into ClusterModel::groups, -1 for a top-level primitive
  int monitor_interval_s = 10;
  MetaModel meta;
};

struct GroupModel {
  std::string id;
  std::vector<int> members;  // primitive indexes, in group order
  MetaModel meta;
};

struct LocationModel {
  std::string id;
  std::string rsc;
  std::string node;  // uname
  std::string score;
  bool rule = false;    // written as a rule on #uname
  bool negate = false;  // rule operation "ne" instead of "eq"
};

struct ColocationModel {
  std::string id, rsc, with_rsc, score;
};

struct OrderModel {
  std::string id, first, then;
  std::string kind;                       // empty: attribute omitted (Mandatory)
  std::string symmetrical;                // empty: omitted
  std::string first_action, then_action;  // empty: omitted
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
};

inline bool isActive(History h) {
  return h == History::kRunning || h == History::kMonitorError || h == History::kMonitorStopped ||
         h == History::kRecovered || h == History::kStartFailedLive;
}

struct ClusterModel {
  uint64_t seed = 0;
  std::string feature_set;
  Knobs knobs;
  bool have_quorum = true;
  std::vector<NodeModel> nodes;
  std::vector<PrimitiveModel> primitives;
  std::vector<GroupModel> groups;
  std::vector<LocationModel> locations;
  std::vector<ColocationModel> colocations;
  std::vector<OrderModel> orders;
  // history[r * nodes.size() + n] for primitive r on node n.
  std::vector<History> history;
  // Fail-counts for stale or recovered failures; by the same index, 0 = none.
  std::vector<uint8_t> fail_count;

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
