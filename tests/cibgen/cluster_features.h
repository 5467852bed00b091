// The model's features beyond tier1 (clones, promotable clones, fencing and unclean nodes,
// attribute and date rules, resource sets, tickets), drawn by ModelBuilder (cluster_model.cc).
//
// Every draw here comes from the caller's feature stream, never from the model stream, and each
// function draws nothing when its knob is off: a seed whose knobs leave these features off
// describes the same cluster as before they existed.
#ifndef PULSE_TESTS_CIBGEN_CLUSTER_FEATURES_H_
#define PULSE_TESTS_CIBGEN_CLUSTER_FEATURES_H_

#include <string>
#include <vector>

#include "cluster_model.h"
#include "random.h"

namespace pulse::cibgen {

// A top-level resource: a clone, a group or a primitive outside any group.
struct Unit {
  std::string id;
  int group = -1;
  int primitive = -1;
  int clone = -1;  // >= 0: the clone wrapping `group` or `primitive`; `id` is the clone's
};

// Wraps some top-level primitives and groups in anonymous clones, some primitive clones
// promotable (agent Stateful with Promoted/Unpromoted monitors). Before the units are collected.
void buildClones(ClusterModel& m, Rng& rng);

// With fencing: a fence device (top level, no constraints) and unclean offline nodes.
void buildFencing(ClusterModel& m, Rng& rng);

// Node attributes for attribute rules and the execution date for date rules.
void buildRuleContext(ClusterModel& m, Rng& rng);

// Turns a #uname rule location into an attribute and/or date rule (per the knobs).
void decorateRule(const ClusterModel& m, Rng& rng, LocationModel& loc);

// Roles on colocations with promotable clones; promote actions on orders.
void decorateColocation(const ClusterModel& m, Rng& rng, ColocationModel& col);
void decorateOrder(const ClusterModel& m, Rng& rng, OrderModel& order);

// Resource-set orders (following `rank`, so no cycle with the plain orders) and colocations.
void buildSetConstraints(ClusterModel& m, Rng& rng, const std::vector<Unit>& units,
                         const std::vector<size_t>& rank);

// Tickets, their state in the status section, and rsc_ticket constraints.
void buildTickets(ClusterModel& m, Rng& rng, const std::vector<Unit>& units);

// True if the unit is (or is the clone of) a promotable primitive.
bool isPromotable(const ClusterModel& m, const std::string& unit_id);

// Instances of a clone: marks active[r * nodes + n] for the nodes running one (at most
// clone-max of them, online or unclean).
void placeCloneInstances(const ClusterModel& m, Rng& rng, const CloneModel& clone, double running,
                         std::vector<char>& active);

// Promotes some active instances of promotable clones and writes promotion scores.
void promoteInstances(ClusterModel& m, Rng& rng);

}  // namespace pulse::cibgen

#endif  // PULSE_TESTS_CIBGEN_CLUSTER_FEATURES_H_
