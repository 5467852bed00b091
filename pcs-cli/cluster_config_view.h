// `pcs cluster config [show] [--output-format text|cmd|json] [--corosync_conf PATH]`: the
// cluster config file shown as pcs 0.11 shows corosync.conf. Pure: these format a parsed
// config; cluster_commands.cc reads the file.
//
// What pcs shows, and so what these show: the cluster name, transport and nodes (name, link 0
// address, nodeid), then the options pcs lets `cluster setup` set — transport (ip_version),
// crypto, totem (sorted by name) and quorum (sorted; expected_votes, two_node and
// auto_tie_breaker_node are managed by pcs and never shown). Pulse has no cluster UUID, so cmd
// ends with --no-cluster-uuid and json says null, as pcs does for a corosync.conf without one.
#pragma once

#include <string>

#include "common/result.h"
#include "membership/cluster_config.h"

namespace pulse::pcs {

// `token_set`: whether the file states a token (parsing fills in the default otherwise, and
// pcs shows only what the file says).
std::string clusterConfigText(const membership::ClusterConfig& config, bool token_set);
std::string clusterConfigCmd(const membership::ClusterConfig& config, bool token_set);
std::string clusterConfigJson(const membership::ClusterConfig& config, bool token_set);

// pcs refuses a config with a nameless node: every view needs the names.
Status checkNodeNames(const membership::ClusterConfig& config);

}  // namespace pulse::pcs
