// The knob settings of the two generator profiles (declared in cluster_model.h).
#include "cluster_model.h"

namespace pulse::cibgen {
namespace {

// The differential profile's knobs come from their own stream, so that forcing knobs does not
// change the cluster a seed describes.
constexpr uint64_t kKnobStream = 0x6b6e6f6273ULL;

}  // namespace

Knobs differentialKnobs(uint64_t seed) {
  Rng rng(seed ^ kKnobStream);
  Knobs k;
  static const double kOffline[] = {0, 0.1, 0.25};
  static const double kStandby[] = {0, 0.1, 0.3};
  static const double kGrouped[] = {0, 0.3, 0.6};
  static const std::string kPolicy[] = {"stop", "freeze", "ignore"};
  static const std::string kStickiness[] = {"", "0", "1", "100", "INFINITY"};
  static const std::string kThreshold[] = {"", "1", "3", "INFINITY"};
  static const double kSometimes[] = {0, 0.15};
  static const double kFew[] = {0, 0.05, 0.15};
  static const double kPerResource[] = {0, 0.25, 0.6};
  static const double kRules[] = {0, 0.3, 1};
  static const double kRunning[] = {0.3, 0.6, 0.9};
  static const double kFailures[] = {0, 0.1, 0.25};
  static const double kRare[] = {0, 0.03, 0.1};
  static const double kUnprobed[] = {0, 0.3, 1};
  k.offline_node = rng.choose(kOffline, {4, 4, 2});
  k.standby_node = rng.choose(kStandby, {5, 3.5, 1.5});
  k.grouped = rng.choose(kGrouped, {3, 4, 3});
  k.max_group_size = rng.range(2, 4);
  k.symmetric_cluster = rng.chance(0.8);
  k.no_quorum_policy = rng.choose(kPolicy, {5, 2, 3});
  k.default_stickiness = rng.choose(kStickiness, {3.5, 1, 1, 3.5, 1});
  k.default_migration_threshold = rng.choose(kThreshold, {5, 2, 2, 1});
  k.own_stickiness = rng.choose(kSometimes, {1, 1});
  k.own_migration_threshold = rng.choose(kSometimes, {1, 1});
  k.own_priority = rng.choose(kSometimes, {1, 1});
  k.target_role_stopped = rng.choose(kFew, {1, 2, 1});
  k.locations_per_resource = rng.choose(kPerResource, {1, 2, 2});
  k.rule_locations = rng.choose(kRules, {2, 2, 1});
  k.colocations_per_resource = rng.choose(kPerResource, {1, 2, 1});
  k.orders_per_resource = rng.choose(kPerResource, {1, 2, 1});
  k.serialize_orders = rng.choose(kSometimes, {2, 1});
  k.running = rng.choose(kRunning, {1, 1, 2});
  k.running_on_standby = 0.2;
  k.split_group = rng.choose(kFew, {3, 1, 0});
  k.failed_monitor = rng.choose(kFailures, {1, 2, 1});
  k.recovered = rng.choose(kSometimes, {1, 1});
  k.failed_start = rng.choose(kRare, {2, 1, 1});
  k.stopped_history = rng.choose(kFailures, {1, 2, 1});
  k.not_installed = rng.choose(kRare, {3, 1, 0});
  k.unprobed = rng.choose(kUnprobed, {4, 3, 3});
  // Drawn after the tier1 knobs, so that those stay what they were for every seed; about a
  // quarter of the seeds leave all of these off.
  static const double kCloned[] = {0, 0.2, 0.45};
  static const double kHalf[] = {0, 0.5};
  static const double kUnclean[] = {0.5, 1};
  static const double kSets[] = {0, 0.08, 0.2};
  static const double kTickets[] = {0, 0.1, 0.25};
  if (rng.chance(0.75)) {
    k.cloned = rng.choose(kCloned, {1, 2, 1});
    k.promotable = rng.choose(kHalf, {1, 2});
    k.fencing = rng.chance(0.4);
    k.unclean_node = k.fencing ? rng.choose(kUnclean, {1, 1}) : 0;
    k.attribute_rules = rng.choose(kHalf, {1, 1});
    k.date_rules = rng.choose(kHalf, {1, 1});
    k.set_constraints = rng.choose(kSets, {1, 1, 1});
    k.tickets = rng.choose(kTickets, {1, 1, 1});
  }
  return k;
}

Knobs benchKnobs() {
  Knobs k;
  k.offline_node = 0.02;
  k.standby_node = 0.02;
  k.grouped = 0.2;
  k.max_group_size = 4;
  k.symmetric_cluster = true;
  k.no_quorum_policy = "stop";
  k.default_stickiness = "100";
  k.default_migration_threshold = "3";
  k.own_stickiness = 0.02;
  k.own_migration_threshold = 0.02;
  k.own_priority = 0.02;
  k.target_role_stopped = 0.01;
  k.locations_per_resource = 0.3;
  k.rule_locations = 0.3;
  k.colocations_per_resource = 0.05;
  k.orders_per_resource = 0.05;
  k.serialize_orders = 0.1;
  k.running = 0.95;
  k.running_on_standby = 0.05;
  k.split_group = 0;
  k.failed_monitor = 0.005;
  k.recovered = 0.005;
  k.failed_start = 0.0005;
  k.stopped_history = 0.002;
  k.not_installed = 0;
  k.unprobed = 0;
  // About 10% of the resources are clones (top-level units are drawn at 0.1), a third of those
  // promotable: clones multiply the instances the scheduler places.
  k.cloned = 0.1;
  k.promotable = 0.35;
  return k;
}

}  // namespace pulse::cibgen
