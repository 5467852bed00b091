// `pcs host auth` and `pcs host deauth`: output and exit codes as pcs's.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace pulse::pcs {

struct HostAuthTarget {
  std::string node;
  std::string address;  // addr= value, else the node name
};

// Authenticates every target (continuing past failures), prints "NODE: Authorized" per
// success and "Error: Unable to authenticate NODE: ..." per failure; stores tokens and pins
// in the known-hosts file. Returns the exit code (1 when any node failed).
int hostAuthCommand(const std::string& state_dir, const std::vector<HostAuthTarget>& targets,
                    const std::string& username, const std::string& password);

// Revokes the given nodes' tokens on the nodes (all known nodes when `nodes` is empty), then
// forgets the tokens and pins locally; a node that cannot be reached within `timeout` only
// loses its local entry, with a warning.
int hostDeauthCommand(const std::string& state_dir, const std::vector<std::string>& nodes,
                      std::chrono::seconds timeout);

}  // namespace pulse::pcs
