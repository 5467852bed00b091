#include "remote_nodes.h"

#include <algorithm>

#include "actions.h"
#include "common/crm_bool.h"
#include "policy-engine/xml_dates.h"

namespace pulse::pe {
namespace {

Node& nodeAt(WorkingSet& ws, int node) { return ws.nodes[static_cast<std::size_t>(node)]; }

Resource* connectionOf(WorkingSet& ws, int node) {
  int c = nodeAt(ws, node).connection;
  return c < 0 ? nullptr : &ws.resources[static_cast<std::size_t>(c)];
}

// Pacemaker's determine_remote_online_status for a remote node (not a guest): online while
// the connection is started, shutting down when it is to be stopped, offline when it failed
// or is stopped.
void determineRemoteOnline(WorkingSet& ws, int node) {
  Node& n = nodeAt(ws, node);
  const Resource* c = connectionOf(ws, node);
  if (c == nullptr) {
    n.online = false;
    return;
  }
  if (c->role == Role::Started) n.online = true;
  if (c->role == Role::Started && c->target_role && *c->target_role == Role::Stopped) {
    n.shutdown = true;
  }
  if (c->failed) {
    n.online = false;
  } else if (c->role == Role::Stopped) {
    n.online = false;
    n.requires_reset = false;
  }
}

}  // namespace

bool isRemoteConnection(const ResourceConfig& rc) {
  return rc.kind == ResourceConfig::Kind::Primitive && rc.cls == "ocf" &&
         rc.provider == "pacemaker" && rc.type == "remote";
}

std::vector<NodeConfig> impliedRemoteNodes(const Cib& cib) {
  std::vector<NodeConfig> out;
  for (const ResourceConfig& rc : cib.resources) {
    if (!isRemoteConnection(rc)) continue;
    bool listed = false;
    for (const NodeConfig& nc : cib.nodes) listed = listed || nc.uname == rc.id;
    for (const NodeConfig& nc : out) listed = listed || nc.uname == rc.id;
    if (listed) continue;
    NodeConfig nc;
    nc.id = rc.id;
    nc.uname = rc.id;
    nc.type = "remote";
    out.push_back(std::move(nc));
  }
  return out;
}

void linkRemoteConnections(WorkingSet& ws) {
  for (Resource& r : ws.resources) {
    if (r.config == nullptr || r.parent >= 0 || !isRemoteConnection(*r.config)) continue;
    int node = ws.findNode(r.id);
    if (node < 0 || !nodeAt(ws, node).remote) continue;
    Node& n = nodeAt(ws, node);
    n.connection = r.index;
    r.remote_node = node;
    // Connections move by migration unless told otherwise, so that the resources on the
    // remote node need not stop for it.
    if (!r.meta.count("allow-migrate")) r.allow_migrate = true;
    // reconnect_interval: after a failure the connection waits that long (as its
    // failure-timeout) before it is tried again.
    if (auto it = r.config->params.find("reconnect_interval"); it != r.config->params.end()) {
      r.remote_reconnect_ms = parseDurationMs(it->second).value_or(0);
      if (r.remote_reconnect_ms > 0) r.failure_timeout_s = r.remote_reconnect_ms / 1000;
    }
    // Start-up fencing, as for a member: unclean until its status is seen.
    n.unclean = ws.options.stonith_enabled && ws.options.startup_fencing;
    n.unseen = true;
  }
}

bool remoteConnectionUp(const WorkingSet& ws, int node) {
  int c = ws.nodes[static_cast<std::size_t>(node)].connection;
  return c >= 0 && ws.resources[static_cast<std::size_t>(c)].role == Role::Started;
}

void unpackRemoteNodeState(WorkingSet& ws, int node) {
  determineRemoteOnline(ws, node);
  Node& n = nodeAt(ws, node);
  if (!n.requires_reset) {
    n.unclean = false;
    n.unseen = false;
  }
  const Resource* c = connectionOf(ws, node);
  if (c != nullptr && !c->managed) n.maintenance = true;
}

void finishRemoteNodes(WorkingSet& ws, const std::vector<bool>& unpacked) {
  for (std::size_t i = 0; i < ws.nodes.size(); ++i) {
    Node& n = ws.nodes[i];
    if (!n.remote) continue;
    if (n.shutdown && n.connection >= 0) {
      ws.resources[static_cast<std::size_t>(n.connection)].next_role = Role::Stopped;
    }
    if (!unpacked[i]) determineRemoteOnline(ws, static_cast<int>(i));
  }
}

void keepOffRemoteNodes(WorkingSet& ws) {
  for (Resource& r : ws.resources) {
    if (r.kind != ResourceConfig::Kind::Primitive || (r.remote_node < 0 && !r.is_stonith)) {
      continue;
    }
    for (std::size_t i = 0; i < ws.nodes.size(); ++i) {
      if (ws.nodes[i].remote && r.allowed[i]) r.allowed[i] = -kInfinity;
    }
  }
}

void remoteConnectionAssigned(WorkingSet& ws, int rsc) {
  const Resource& c = ws.resources[static_cast<std::size_t>(rsc)];
  if (c.remote_node < 0) return;
  Node& n = nodeAt(ws, c.remote_node);
  if (c.assigned_to >= 0 && c.next_role != Role::Stopped) {
    n.online = true;
    if (n.unseen) n.unclean = false;  // no need to fence: the connection will be tried
  } else {
    n.shutdown = true;
  }
}

namespace {

// Whether the connection of remote node `node` cannot be recovered in this transition
// (Pacemaker's get_remote_node_state returning "failed"): it is not going to run anywhere
// and either the member it runs on is unclean or it failed.
bool connectionUnrecoverable(const WorkingSet& ws, int node) {
  const int index = ws.nodes[static_cast<std::size_t>(node)].connection;
  if (index < 0) return false;
  const Resource& c = ws.resources[static_cast<std::size_t>(index)];
  if (c.next_role != Role::Stopped && c.assigned_to >= 0) return false;
  const int host = c.running_on.empty() ? -1 : c.running_on.front();
  if (host >= 0 && ws.nodes[static_cast<std::size_t>(host)].unclean) return true;
  return c.failed;
}

// Whether Pacemaker would probe primitive `r` on remote node `node`: it has no history there,
// may be discovered there, and is neither a fencing device nor a connection.
bool wouldProbe(const WorkingSet& ws, const Resource& r, int node) {
  if (r.kind != ResourceConfig::Kind::Primitive || r.orphan || r.is_stonith || r.remote_node >= 0) {
    return false;
  }
  if (std::find(r.known_on.begin(), r.known_on.end(), node) != r.known_on.end()) return false;
  const std::size_t n = static_cast<std::size_t>(node);
  const Resource* top = &r;
  while (top->parent >= 0) top = &ws.resources[static_cast<std::size_t>(top->parent)];
  const bool exclusive = r.exclusive_discovery || top->exclusive_discovery;
  const Resource::Discovery mode =
      r.discovery.empty() ? Resource::Discovery::Always : r.discovery[n];
  if (exclusive && (!r.allowed[n] || mode != Resource::Discovery::Exclusive)) return false;
  return mode != Resource::Discovery::Never;
}

}  // namespace

void fenceUnrecoverableRemoteNodes(WorkingSet& ws, const ActionPlan& plan) {
  for (const PlannedAction& a : plan.actions) {
    if (a.rsc < 0 || a.node < 0 || a.pseudo || a.optional) continue;
    if (!ws.nodes[static_cast<std::size_t>(a.node)].remote) continue;
    if (a.task != "stop" && a.task != "migrate_to" && a.task != "migrate_from") continue;
    if (connectionUnrecoverable(ws, a.node)) {
      ws.fenceNode(a.node, "resources are active but connection is unrecoverable");
    }
  }
  for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
    const Node& node = ws.nodes[n];
    const int at = static_cast<int>(n);
    if (!node.remote || !node.online || node.unclean || !connectionUnrecoverable(ws, at)) continue;
    for (const Resource& r : ws.resources) {
      if (!wouldProbe(ws, r, at)) continue;
      ws.fenceNode(at, "resources are in unknown state and connection is unrecoverable");
      break;
    }
  }
}

}  // namespace pulse::pe
