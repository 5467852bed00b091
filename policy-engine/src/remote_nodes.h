// Pacemaker Remote nodes: nodes that are not cluster members but run resources through a
// connection resource (an ocf:pacemaker:remote primitive whose id is the node's name), run
// by some member. A remote node is online while its connection runs, and will be online
// after the transition if the connection is placed; resources there follow it.
#pragma once

#include <vector>

#include "working_set.h"

namespace pulse::pe {

// Whether the configuration is a remote connection (ocf:pacemaker:remote).
bool isRemoteConnection(const ResourceConfig& rc);

// The remote nodes the top-level connection resources define, and the guest nodes the
// remote-node meta-attributes of primitives (top-level or in a group) define (type "guest"),
// that the <nodes> section does not list yet (Pacemaker's unpack_remote_nodes).
std::vector<NodeConfig> impliedRemoteNodes(const Cib& cib);

// The connection resource of each guest node, as Pacemaker makes it up: an
// ocf:pacemaker:remote primitive named like the node, reaching remote-addr (default the
// node's name) at remote-port, monitored every 30 s, with its container in meta "container".
std::vector<ResourceConfig> guestConnectionConfigs(const Cib& cib);

// Links each remote node to its connection resource once the resources exist; a remote
// node with a connection is fenced at start-up like a member (link_rsc2remotenode).
void linkRemoteConnections(WorkingSet& ws);

// An orphaned connection (history of a remote connection no longer configured) still links
// its remote node, which is shutting down since the connection stops (create_fake_resource).
void linkOrphanConnection(WorkingSet& ws, int rsc);

// Once a node's history (`st`) is read, an orphaned filler goes with the container its
// history names, when that exists (Pacemaker's handle_orphaned_container_fillers): an
// orphaned connection so linked makes its node a guest of that container.
void linkOrphanedFillers(WorkingSet& ws, const NodeStateRecord& st);

// Whether a remote node's history can be read yet: its connection is known to be running
// (in the history read so far).
bool remoteConnectionUp(const WorkingSet& ws, int node);

// A remote node's state once its history is about to be read (Pacemaker's
// determine_remote_online_status and unpack_handle_remote_attrs).
void unpackRemoteNodeState(WorkingSet& ws, int node);

// After all histories: a remote node asked to shut down stops its connection, and those whose
// history was never read get their state from their connection.
void finishRemoteNodes(WorkingSet& ws, const std::vector<bool>& unpacked);

// Connections and fencing devices never run on remote nodes (rsc_avoids_remote_nodes).
void keepOffRemoteNodes(WorkingSet& ws);

// A connection was placed (or not): its node will be online, or shut down
// (remote_connection_assigned).
void remoteConnectionAssigned(WorkingSet& ws, int rsc);

// The state of a remote node's connection for this transition (Pacemaker's
// get_remote_node_state), which decides how actions there are ordered against it.
enum class RemoteConnectionState {
  Unknown,  // it will run but does not run now, or may reconnect once its node is fenced
  Alive,    // it runs on a clean member and stays or moves there
  Resting,  // it will run, but its member is down (or it is migrating): wait for it
  Failed,   // it will not run and failed (or its member is unclean): only fencing helps
  Stopped,  // it will not run, cleanly stopped
};

// The state of the connection of remote node `node` (which must have one).
RemoteConnectionState remoteConnectionState(const WorkingSet& ws, int node);

struct ActionPlan;

// A remote node whose connection cannot be recovered (it will not run, and the member it ran
// on is unclean, or it failed) is fenced when resources must stop there or their state there
// is unknown: there is no other way to stop or learn them (Pacemaker's
// apply_remote_ordering and its probes). Called once the resource actions exist.
void fenceUnrecoverableRemoteNodes(WorkingSet& ws, const ActionPlan& plan);

}  // namespace pulse::pe
