// `pcs host auth` and `pcs host deauth`: output and exit codes as pcs's.
#pragma once

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

// Forgets the given nodes' tokens and pins (all nodes when `nodes` is empty).
int hostDeauthCommand(const std::string& state_dir, const std::vector<std::string>& nodes);

}  // namespace pulse::pcs
