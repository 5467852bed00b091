// Random Pacemaker 2.1.5 CIBs for differential testing and benchmarks.
//
// generateCib() turns a seed and a size into a complete CIB (configuration + status) that
// Pacemaker's crm_simulate loads without errors or warnings: primitives, groups, location
// constraints (node and `#uname` rules), colocation, ordering (Mandatory/Optional/Serialize),
// stickiness, standby and offline nodes, target-role, migration-threshold, fail-counts and failed
// operations, quorum policy and asymmetric clusters; and, per the feature knobs (see Knobs),
// anonymous clones of primitives and groups, promotable clones (promotion scores, role
// colocations, promote orderings, promoted and failed-promoted history), fencing with a fence
// device and unclean nodes, node-attribute and date rules (with execution-date on <cib>),
// resource sets in orders and colocations, and tickets (rsc_ticket and ticket state).
//
// Guarantees: the same options give the same bytes on every platform; every id in the
// configuration is unique and every constraint names an existing resource and node; explicit
// orderings (ordered sets included) are acyclic (start edges follow one random permutation of
// the resources, stop edges go the opposite way), colocation cycles may occur; at most one node
// runs a primitive that is not cloned, a clone instance runs on at most clone-max nodes; op-digest
// values match what Pacemaker computes for a parameterless agent, so nothing restarts "due to
// resource definition change".
//
// The bench profile also records a probe (monitor_0, rc 7) on every online node for every
// resource, as a real cluster does; 100 nodes x 10,000 resources is about 600 MB, so use
// writeCibFile() (streaming) for big sizes. Functions are reentrant; no global state.
#ifndef PULSE_TESTS_CIBGEN_CIB_GENERATOR_H_
#define PULSE_TESTS_CIBGEN_CIB_GENERATOR_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace pulse::cibgen {

enum class Profile {
  kDifferential,  // small and varied: the knobs themselves are drawn from the seed
  kBench,         // big and realistic: mostly steady state, probes everywhere
};

// Probabilities are per element (per node, per resource, per resource-and-node pair); counts
// "per resource" are multiplied by the number of primitives.
struct Knobs {
  double offline_node = 0.1;
  double standby_node = 0.1;
  double grouped = 0.3;  // fraction of primitives that are members of a group
  int max_group_size = 4;
  bool symmetric_cluster = true;
  std::string no_quorum_policy = "stop";    // stop | freeze | ignore
  std::string default_stickiness;           // empty: no rsc_defaults entry
  std::string default_migration_threshold;  // empty: no rsc_defaults entry
  double own_stickiness = 0.1;
  double own_migration_threshold = 0.1;
  double own_priority = 0.1;
  double target_role_stopped = 0.08;
  double locations_per_resource = 0.4;
  double rule_locations = 0.3;  // fraction of location constraints written as #uname rules
  double colocations_per_resource = 0.25;
  double orders_per_resource = 0.25;
  // Share of orders with kind=Serialize. Pacemaker 2.1.5 sometimes leaves a Serialize input on
  // an unrunnable start, so crm_simulate -S cannot finish its own transition ("Transition
  // failed: terminated"); the Transition Summary is still well defined.
  double serialize_orders = 0.15;
  double running = 0.7;             // resources active somewhere before the transition
  double running_on_standby = 0.1;  // ...of those, on a standby node when one exists
  double split_group = 0.05;        // a group member running away from the rest of its group
  double failed_monitor = 0.08;     // running resource whose recurring monitor failed
  double recovered = 0.05;          // running resource with an old, recovered monitor failure
  double failed_start = 0.03;       // per resource and node: an earlier start failed there
  double stopped_history = 0.1;     // per resource and node: ran there before, stopped cleanly
  double not_installed = 0.01;      // per resource and node: probe said "not installed" (rc 5)
  double unprobed = 0.2;            // per resource and node: no history at all
  // Features beyond tier1. Off by default, so knobs written before them keep their CIBs.
  double cloned = 0;           // fraction of top-level units wrapped in an anonymous clone
  double promotable = 0;       // fraction of primitive clones that are promotable
  bool fencing = false;        // stonith-enabled=true and a fence device
  double unclean_node = 0;     // with fencing: share of offline nodes that are unclean
  double attribute_rules = 0;  // share of rule locations on node attributes instead of #uname
  double date_rules = 0;       // share of rule locations with a date expression
  double set_constraints = 0;  // per resource: orders/colocations made of resource sets
  double tickets = 0;          // per resource: rsc_ticket constraints
};

struct GeneratorOptions {
  uint64_t seed = 1;
  int nodes = 3;       // at least 1; at least one node is always online
  int resources = 10;  // primitives, at least 1
  Profile profile = Profile::kDifferential;
  // Knobs to use instead of the profile's (for the differential profile they are drawn from the
  // seed; for the bench profile they are fixed).
  std::optional<Knobs> knobs;
  // crm_feature_set of the CIB and of every recorded operation. Pacemaker 2.1.5 itself writes
  // 3.16.1; crm_simulate 2.1.5 refuses to inject results into a CIB with a newer feature set
  // ("Discarding update with feature set ... greater than our own"), so -S would abort.
  std::string feature_set = "3.16.1";
};

// The knobs generateCib() will use for these options.
[[nodiscard]] Knobs effectiveKnobs(const GeneratorOptions& options);

// Writes the CIB to `out`. Returns false only if the stream fails.
bool writeCib(const GeneratorOptions& options, std::ostream& out);

// Writes the CIB to `path` with large buffered writes. On failure returns false and sets
// `*error` (if given) to a message naming the file and the cause.
bool writeCibFile(const GeneratorOptions& options, const std::string& path,
                  std::string* error = nullptr);

// The whole CIB as a string (convenient for small sizes and tests).
[[nodiscard]] std::string generateCib(const GeneratorOptions& options);

// "differential" / "bench"; nullopt for anything else.
[[nodiscard]] std::optional<Profile> parseProfile(const std::string& name);

}  // namespace pulse::cibgen

#endif  // PULSE_TESTS_CIBGEN_CIB_GENERATOR_H_
