// What this node says about itself in the admin API's replies: ClusterStatus's membership and
// quorum, and CibGet's copy of the CIB with its DC. One place, so that the gRPC calls
// (admin_server.cc) and the local status socket (status_socket.h) answer the same.
//
// Pure: the caller reads the ClusterControl (cluster_control.h) and passes what it read.
#pragma once

#include <optional>
#include <string>

#include "admin.pb.h"
#include "crmd/admin/cluster_control.h"

namespace pulse::crmd {

// ClusterStatus's reply from one snapshot; `node_name` and `version` are crmd's own.
void fillClusterStatus(const ClusterSnapshot& snapshot, const std::string& node_name,
                       const std::string& version, admin::ClusterStatusReply& reply);

// The name of node `id` among `snapshot`'s members ("" for no node, the number when the
// configuration does not name it).
std::string memberName(const ClusterSnapshot& snapshot, std::optional<NodeId> id);

// CibGet's reply from one read of the CIB; `members` names its DC.
void fillCibGet(const CibSnapshot& cib, const ClusterSnapshot& members, admin::CibGetReply& reply);

}  // namespace pulse::crmd
