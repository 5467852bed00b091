// `pcs resource agents [STANDARD[:PROVIDER]]`, `pcs resource standards` and `pcs resource
// describe AGENT`: what this node can run, from the files under $OCF_ROOT/resource.d, the init
// scripts, systemd's units and the agents' own meta-data. Read-only;
// they need no CIB and no cluster. Exit 0, or 1 with "Error: ..." on stderr.
#pragma once

#include <string>
#include <vector>

namespace pulse::pcs {

// Executable files under resource.d/*/, sorted: full names ("ocf:heartbeat:IPaddr2") without
// a filter or with "ocf", bare types with "ocf:PROVIDER" (as pcs lists them).
// lsb, systemd or service: the init scripts, systemd's service units, or both ("No agents
// found for X" when there are none, as pcs says it).
int resourceAgents(const std::string& ocf_root, const std::vector<std::string>& args);
// `pcs resource standards`: the classes this node can run (systemd only where it runs).
int resourceStandards(const std::vector<std::string>& args);

// The agent's short description, parameters (required, unique, default) and the operations
// `resource create` would add (defaultOperations()).
int resourceDescribe(const std::string& ocf_root, const std::vector<std::string>& args);

}  // namespace pulse::pcs
