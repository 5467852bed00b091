// pcs cluster setup's plan: the cluster config from the command's arguments, and what each
// node gets besides the shared files. No connections are opened here except through the
// sessions the caller hands in.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "crmd/client/known_hosts.h"
#include "membership/cluster_config.h"
#include "pcs-cli/cluster_commands.h"
#include "pcs-cli/node_client.h"

namespace pulse::pcs {

// pcs's own entry for `node` (pcs host auth), else the cluster node's (cluster setup).
Result<KnownHost> knownHost(const PcsOptions& options, const std::string& node);

struct SetupPlan {
  membership::ClusterConfig config;
  std::vector<std::string> nodes;
};

// The cluster config from the setup arguments; node addresses default to the address each
// host was authenticated at.
Result<SetupPlan> planSetup(const PcsOptions& options, const std::vector<std::string>& args);

// What each node of a new cluster gets besides the shared files (crmd/client/known_hosts.h,
// crmd/replication/peer_auth.h): its cluster-hosts file, every node's address and pin with a token
// that node issued for it (so the operator's own tokens stay with the operator), and a peer secret
// of its own, with the hashes of everyone's.
struct NodeCredentials {
  std::map<std::string, std::string> cluster_hosts;  // node -> cluster-hosts file text
  std::map<std::string, std::string> peer_secrets;   // node -> its peer secret
  std::string peer_hashes;
};

Result<NodeCredentials> nodeCredentials(const PcsOptions& options, const SetupPlan& plan,
                                        std::vector<NodeSession>& sessions);

}  // namespace pulse::pcs
