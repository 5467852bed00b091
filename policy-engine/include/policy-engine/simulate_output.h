// crm_simulate-compatible text: cluster status blocks, the Transition
// Summary (same line grammar and column widths), executed actions, scores,
// and the transition graph as XML.
#pragma once

#include <string>

#include "policy-engine/transition.h"

namespace pulse::pe {

// The node list and the full list of resources in crm_mon's layout. `indent` goes before each
// section heading ("* Node List:"); crm_simulate nests them under its own headings with "  ",
// crm_mon and pcs status print them at the margin with "" (then without the "* ").
// `inactive` (crm_mon -r, pcs status): every resource under "Full List of Resources"; false:
// crm_mon's "Active Resources", those active somewhere, clones without their "Stopped:" list.
std::string formatClusterView(const ClusterView& view, const std::string& indent = "  ",
                              bool inactive = true);
std::string formatSummary(const Transition& t);
std::string formatExecutedActions(const Transition& t);
// crm_simulate -s: each assignment stage's node weights in the order Pacemaker shows them.
std::string formatScores(const Transition& t);
std::string formatGraphXml(const Transition& t);

}  // namespace pulse::pe
