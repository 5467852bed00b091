// `pcs stonith list` and `pcs stonith fence NODE [--off]`, and the fence agents this node has
// (what `pcs stonith create` checks a new device against). The CIB-editing stonith commands
// (create, delete, config, status) run through cibCommand() like `pcs resource`.
//
// Fence agents are executables named fence_* in the fence agent directories:
// $PULSE_FENCE_AGENT_DIRS (colon-separated) when set, else /usr/sbin where the fence-agents
// packages put them. Their meta-data comes from `action=metadata` on the agent's standard input
// (the fence-agents protocol Pacemaker's fencer uses), killed after 5 s. Exit codes: 0, or 1 with
// "Error: ..." on stderr.
#pragma once

#include <string>
#include <vector>

#include "pcs-cli/cib_edit.h"

namespace pulse::pcs {

struct PcsOptions;

std::vector<std::string> fenceAgentDirs();

// The installed fence agent `type` (e.g. "fence_xvm") as class "stonith", with its meta-data;
// empty when it is missing or prints no valid meta-data (create then refuses it).
std::vector<KnownAgent> fenceAgentsNamed(const std::string& type);

// `pcs stonith list [FILTER]`: "fence_xvm - Fence agent for virtual machines", sorted.
int stonithList(const std::vector<std::string>& args);

// `pcs stonith fence NODE [--off]`: the DC fences NODE (a member when NODE is the DC); prints
// "Node: NODE fenced". Asked of the DC, or of this node when NODE is the DC (it relays).
int stonithFence(const PcsOptions& options, const std::string& node, bool off);

}  // namespace pulse::pcs
