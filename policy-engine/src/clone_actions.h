// Clone-specific parts of action planning (actions.cc's Planner calls these):
// what the clone's pseudo-actions must know about its instances, orderings
// between interleaved clones bound instance by instance, and clone-min.
#pragma once

#include <cstdint>
#include <string>

#include "actions.h"

namespace pulse::pe {

// Whether any leaf of instance `index` has a required stop, a required
// runnable start, or runs now (Pacemaker's clone_update_pseudo_status).
void scanCloneInstance(const WorkingSet& ws, const ActionPlan& plan, int index, bool& stopping,
                       bool& starting, bool& active);

// One configured ordering between resources, as the planner expands it.
struct ResourceOrderingRef {
  int first_rsc;
  const std::string& first_task;
  int then_rsc;
  const std::string& then_task;
  std::uint32_t flags;
  const Origin& origin;
};

// Whether an ordering binds the instances of two interleaved clones one by one: the clone
// after decides for starts and promotes, the clone before for stops and demotes.
bool interleavedOrdering(WorkingSet& ws, const ResourceOrderingRef& o);

// Inhibits the instances of an interleaved `then` clone left without a
// partner instance of `first` on their node; true when any was inhibited now.
bool inhibitUnpairedInstances(WorkingSet& ws, ActionPlan& plan, const ResourceOrderingRef& o);

// Binds an ordering between interleaved clones instance by instance
// (multi_update_interleave_actions); false when the clones do not interleave.
// `first_task` is the clone-level task ("running", "stopped", ...).
bool expandInterleavedOrdering(WorkingSet& ws, ActionPlan& plan, const ResourceOrderingRef& o,
                               const std::string& first_task);

// Pacemaker's get_minimum_first_instances: clone-min of a clone ordered
// first, or 1 for the deprecated require-all="false"; 0 otherwise.
int minimumFirstInstances(const WorkingSet& ws, int first, const OrderConstraint& oc);

struct CloneMinOrdering {
  std::string id;
  int first;
  std::string first_task;
  int then;
  std::string then_task;
  std::uint32_t flags;
  int minimum;
};

// Pacemaker's clone_min_ordering: a pseudo-action runnable once enough
// instances of `first` can act, and `then` after it.
void addCloneMinOrdering(WorkingSet& ws, ActionPlan& plan, const CloneMinOrdering& o);

}  // namespace pulse::pe
