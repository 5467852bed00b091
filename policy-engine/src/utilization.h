// Node capacity and resource utilization (placement-strategy), after
// Pacemaker 2.1.5's pcmk_sched_utilization.c: nodes offer amounts of named
// resources (<utilization> of a node), resources consume them, and with any
// strategy but "default" a resource may only go where what it and everything
// colocated with it still needs fits.
#pragma once

#include <string>
#include <vector>

#include "working_set.h"

namespace pulse::pe {

// placement-strategy from the cluster options; an unknown value is a warning
// and means "default" (as Pacemaker's option check does).
PlacementStrategy parsePlacementStrategy(const Attributes& cluster_options,
                                         std::vector<std::string>& warnings);

// A <utilization> set as numbers. A value that is not an integer counts as 0
// and is reported in `warnings` naming `owner`.
Capacity parseCapacity(const Attributes& nvpairs, const std::string& owner,
                       std::vector<std::string>& warnings);

// Negative when `a` has more free capacity than `b`, positive when `b` has,
// 0 when even: one vote per utilization name either node has.
int compareNodeCapacities(const Capacity& a, const Capacity& b);

// Takes what `used` consumes off a node's remaining capacity. Names the node
// lacks are recorded as 0 left (so the node still ranks as having none).
void consumeCapacity(Capacity& node, const Capacity& used);

// Gives back what `used` consumed (a resource unassigned again, as
// Pacemaker's pcmk__release_node_capacity).
void releaseCapacity(Capacity& node, const Capacity& used);

// Whether every amount in `required` fits in the node's remaining capacity.
bool haveEnoughCapacity(const Capacity& node, const Capacity& required);

// Nodes as Pacemaker lists them (by name, digit runs as numbers).
std::vector<int> pacemakerNodeOrder(const WorkingSet& ws);

// Nodes in the order Pacemaker walks a resource's allowed-node table (a hash
// table keyed by node id, filled in pacemakerNodeOrder). Where capacities tie
// or compare in a circle, this order decides.
std::vector<int> nodeTableOrder(const WorkingSet& ws);

// Before a primitive is placed (strategy other than "default"): bans it from
// every available node without room for it and the not yet placed resources
// colocated with it; when no node has room for them all, bans only the nodes
// without room for the resource alone and returns the allowed node with the
// most free capacity (which the resource then prefers). Returns -1 otherwise.
// `node_table` is nodeTableOrder(ws), the order in which ties are settled.
int banInsufficientCapacity(WorkingSet& ws, int rsc, const std::vector<int>& node_table);

}  // namespace pulse::pe
