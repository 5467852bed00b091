// crm_simulate-compatible text: cluster status blocks, the Transition
// Summary (same line grammar and column widths), executed actions, scores,
// and the transition graph as XML.
#pragma once

#include <string>

#include "transition.h"

namespace pulse::pe {

std::string formatClusterView(const ClusterView& view);
std::string formatSummary(const Transition& t);
std::string formatExecutedActions(const Transition& t);
std::string formatScores(const Transition& t);
std::string formatGraphXml(const Transition& t);

}  // namespace pulse::pe
