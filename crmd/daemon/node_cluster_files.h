// The cluster files in a node's state directory (node_daemon.h lists them), shared by the
// parts of NodeDaemon, private to pulse_crmd: where each one lives and how the installed
// cluster is read back. Invariant: a cluster is installed when its config parses, names this
// node, and its key file is readable and not too open; anything else is an Error naming the
// file, never a half-read cluster.
#pragma once

#include <optional>
#include <string>

#include "common/result.h"
#include "crmd/client/known_hosts.h"
#include "crmd/client/peer_credentials.h"
#include "membership/cluster_config.h"

namespace pulse::crmd {

// Every cluster file of the state directory `dir`.
struct ClusterPaths {
  explicit ClusterPaths(const std::string& dir)
      : config(dir + "/corosync.conf"),
        key(dir + "/authkey"),
        enabled(dir + "/cluster.enabled"),
        membership_state(dir + "/membership.state"),
        cluster_hosts(clusterHostsPath(dir)),
        peer_secret(peerSecretPath(dir)),
        peer_hashes(peerHashesPath(dir)),
        cib(dir + "/cib.xml"),
        pengine(dir + "/pengine"),
        legacy_cert(dir + "/cluster.crt"),
        legacy_cert_key(dir + "/cluster.key") {}
  std::string config, key, enabled, membership_state, cluster_hosts, peer_secret, peer_hashes, cib,
      pengine;
  // A cluster certificate that setup wrote up to this release and nothing ever used (each
  // node has its own, pinned, identity); destroy removes a leftover one.
  std::string legacy_cert, legacy_cert_key;
};

// The installed cluster: its config, the config's text and this node's id in it.
struct InstalledCluster {
  membership::ClusterConfig config;
  std::string text;
  membership::NodeId local_id = membership::kNoNode;
};

// The installed config with this node's id; nullopt when the node is in no cluster.
Result<std::optional<InstalledCluster>> loadInstalled(const ClusterPaths& paths,
                                                      const std::string& node_name);

}  // namespace pulse::crmd
