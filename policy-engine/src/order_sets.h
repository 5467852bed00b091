// Orderings between resources' actions: configured (rsc_order, with or
// without resource sets) and implied. Internal to the action planner.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actions.h"

namespace pulse::pe {

// "first_task of first_rsc before then_task of then_rsc". A resource of -1
// names, in its task, a pseudo-action of no resource: "one-or-more:SET",
// runnable as soon as one action ordered before it with kOrderOneOrMore is.
struct ResourceOrdering {
  int first_rsc;
  std::string first_task;
  int then_rsc;
  std::string then_task;
  std::uint32_t flags;
  Origin origin;
};

// Whether a constraint of `kind` with optional `symmetrical` orders the
// reverse actions too (Pacemaker's get_ordering_symmetry).
bool orderingIsSymmetric(OrderKind kind, const std::optional<bool>& symmetrical);

// Pacemaker's ordering_flags_for_kind(); symmetry 0 asymmetric, 1 symmetric,
// 2 the inverse half of a symmetric ordering.
std::uint32_t orderingFlags(OrderKind kind, const std::string& first_action, int symmetry);

// The orderings an rsc_order with resource sets stands for, after Pacemaker
// 2.1.5's unpack_order_set() (within each set) and order_rsc_sets() (between
// consecutive sets; require-all="false" goes through a one-or-more pseudo-action).
Result<std::vector<ResourceOrdering>> orderSetOrderings(const WorkingSet& ws,
                                                        const OrderConstraint& oc);

}  // namespace pulse::pe
