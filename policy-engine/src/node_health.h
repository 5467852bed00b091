// Node health (node-health-strategy), after Pacemaker 2.1.5's pe_health.c and
// pcmk__apply_node_health: #health-* node attributes ("red", "yellow",
// "green" or a score) add up to a node's health, which becomes a location
// score for every resource on that node.
#pragma once

#include <string>
#include <vector>

#include "working_set.h"

namespace pulse::pe {

// node-health-strategy and the node-health-red/yellow/green/base scores the
// strategy uses. An unknown strategy is a warning and means "none".
void readHealthOptions(const Attributes& cluster_options, ClusterOptions& options,
                       std::vector<std::string>& warnings);

// Sets Node::health (red, yellow or green) from the node attributes, for the
// status display ("online (health is RED)").
void assessNodeHealth(WorkingSet& ws);

// Adds each node's summed health to every resource's score on that node; a
// negative health spares resources with allow-unhealthy-nodes=true.
void applyNodeHealth(WorkingSet& ws);

}  // namespace pulse::pe
