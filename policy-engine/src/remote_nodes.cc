#include "remote_nodes.h"

#include <algorithm>
#include <set>

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
  const Resource* container =
      c->container >= 0 ? &ws.resources[static_cast<std::size_t>(c->container)] : nullptr;
  const int host = container != nullptr && c->running_on.size() == 1 ? c->running_on[0] : -1;
  if (c->role == Role::Started) n.online = true;
  if (c->role == Role::Started && c->target_role && *c->target_role == Role::Stopped) {
    n.shutdown = true;
  }
  if (container != nullptr && container->failed) {
    n.online = false;
    n.requires_reset = true;
  } else if (c->failed) {
    n.online = false;
  } else if (c->role == Role::Stopped ||
             (container != nullptr && container->role == Role::Stopped)) {
    n.online = false;
    n.requires_reset = false;
  } else if (host >= 0 && !nodeAt(ws, host).online && nodeAt(ws, host).unclean) {
    n.online = false;
    n.requires_reset = true;
  }
}

}  // namespace

bool isRemoteConnection(const ResourceConfig& rc) {
  return rc.kind == ResourceConfig::Kind::Primitive && rc.cls == "ocf" &&
         rc.provider == "pacemaker" && rc.type == "remote";
}

namespace {

// Primitives whose remote-node meta-attribute makes them the container of a guest node.
std::vector<const ResourceConfig*> guestContainers(const Cib& cib) {
  std::vector<const ResourceConfig*> out;
  auto consider = [&](const ResourceConfig& rc) {
    auto it = rc.meta.find("remote-node");
    if (rc.kind == ResourceConfig::Kind::Primitive && it != rc.meta.end() && !it->second.empty())
      out.push_back(&rc);
  };
  for (const ResourceConfig& rc : cib.resources) {
    consider(rc);
    if (rc.kind == ResourceConfig::Kind::Group) {
      for (const ResourceConfig& member : rc.members) consider(member);
    }
  }
  return out;
}

}  // namespace

std::vector<NodeConfig> impliedRemoteNodes(const Cib& cib) {
  std::vector<NodeConfig> out;
  auto add = [&](const std::string& name, const char* type) {
    bool listed = false;
    for (const NodeConfig& nc : cib.nodes) listed = listed || nc.uname == name;
    for (const NodeConfig& nc : out) listed = listed || nc.uname == name;
    if (listed) return;
    NodeConfig nc;
    nc.id = name;
    nc.uname = name;
    nc.type = type;
    out.push_back(std::move(nc));
  };
  for (const ResourceConfig& rc : cib.resources) {
    if (isRemoteConnection(rc)) add(rc.id, "remote");
  }
  for (const ResourceConfig* container : guestContainers(cib)) {
    add(container->meta.at("remote-node"), "guest");
  }
  // A connection no longer configured but still in the history (an orphan) keeps its remote
  // node until it has stopped (Pacemaker's create_fake_resource).
  std::set<std::string> configured;
  for (const ResourceConfig& rc : cib.resources) {
    configured.insert(rc.id);
    for (const ResourceConfig& member : rc.members) configured.insert(member.id);
  }
  for (const NodeStateRecord& st : cib.node_states) {
    for (const ResourceHistory& rh : st.resources) {
      if (rh.cls == "ocf" && rh.provider == "pacemaker" && rh.type == "remote" &&
          !configured.count(rh.id)) {
        add(rh.id, "remote");
      }
    }
  }
  return out;
}

std::vector<ResourceConfig> guestConnectionConfigs(const Cib& cib) {
  std::vector<ResourceConfig> out;
  for (const ResourceConfig* container : guestContainers(cib)) {
    const Attributes& meta = container->meta;
    ResourceConfig rc;
    rc.kind = ResourceConfig::Kind::Primitive;
    rc.id = meta.at("remote-node");
    rc.cls = "ocf";
    rc.provider = "pacemaker";
    rc.type = "remote";
    rc.line = container->line;
    rc.meta["internal_rsc"] = "true";
    rc.meta["container"] = container->id;
    if (auto it = meta.find("remote-allow-migrate"); it != meta.end()) {
      rc.meta["allow-migrate"] = it->second;
    }
    if (auto it = meta.find("is-managed"); it != meta.end()) rc.meta["is-managed"] = it->second;
    if (auto it = meta.find("remote-addr"); it != meta.end()) rc.params["server"] = it->second;
    if (auto it = meta.find("remote-port"); it != meta.end()) rc.params["port"] = it->second;
    auto op = [&](const std::string& name, const std::string& interval, std::int64_t ms,
                  const std::string& timeout) {
      OperationConfig oc;
      oc.id = rc.id + "-" + name + "-interval-" + interval;
      oc.name = name;
      oc.interval_ms = ms;
      oc.attributes = {{"id", oc.id}, {"name", name}, {"interval", interval}, {"timeout", timeout}};
      rc.ops.push_back(std::move(oc));
    };
    op("monitor", "30s", 30000, "30s");
    auto timeout = meta.find("remote-connect-timeout");
    op("start", "0", 0, timeout != meta.end() ? timeout->second : "60s");
    out.push_back(std::move(rc));
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
    if (auto it = r.config->meta.find("container"); it != r.config->meta.end()) {
      // A guest: "fenced" by recovering its container, so no start-up fencing. Even in an
      // asymmetric cluster its connection may go anywhere: its container decides where.
      r.container = ws.findResource(it->second);
      for (auto& slot : r.allowed) {
        if (!slot) slot = 0;
      }
      continue;
    }
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

void linkOrphanConnection(WorkingSet& ws, int rsc) {
  Resource& r = ws.resources[static_cast<std::size_t>(rsc)];
  if (r.config == nullptr || !isRemoteConnection(*r.config)) return;
  const int node = ws.findNode(r.id);
  if (node < 0 || !nodeAt(ws, node).remote || nodeAt(ws, node).connection >= 0) return;
  Node& n = nodeAt(ws, node);
  n.connection = r.index;
  r.remote_node = node;
  if (!r.meta.count("allow-migrate")) r.allow_migrate = true;
  n.unclean = ws.options.stonith_enabled && ws.options.startup_fencing;
  n.unseen = true;
  // The orphaned connection is to stop, so its node is shutting down.
  n.shutdown = true;
}

void linkOrphanedFillers(WorkingSet& ws, const NodeStateRecord& st) {
  for (const ResourceHistory& rh : st.resources) {
    if (rh.container.empty()) continue;
    const int index = ws.findResource(rh.id);
    const int container = ws.findResource(rh.container);
    if (index < 0 || container < 0) continue;
    Resource& r = ws.resources[static_cast<std::size_t>(index)];
    if (!r.orphan_container_filler || r.container >= 0) continue;
    r.container = container;
    if (r.remote_node >= 0) {
      Node& guest = ws.nodes[static_cast<std::size_t>(r.remote_node)];
      guest.guest = true;
      guest.attributes["#kind"] = "container";
    }
  }
}

bool remoteConnectionUp(const WorkingSet& ws, int node) {
  int c = ws.nodes[static_cast<std::size_t>(node)].connection;
  if (c < 0) return false;
  const Resource& r = ws.resources[static_cast<std::size_t>(c)];
  if (r.role != Role::Started) return false;
  // A guest's history also waits for its container to be known up.
  return r.container < 0 ||
         ws.resources[static_cast<std::size_t>(r.container)].role == Role::Started;
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
  auto avoid = [&](Resource& r) {
    for (std::size_t i = 0; i < ws.nodes.size(); ++i) {
      if (ws.nodes[i].remote && r.allowed[i]) r.allowed[i] = -kInfinity;
    }
  };
  for (Resource& r : ws.resources) {
    if (r.kind != ResourceConfig::Kind::Primitive || (r.remote_node < 0 && !r.is_stonith)) {
      continue;
    }
    avoid(r);
    // Guests are not nested: a guest's container runs on members only.
    if (r.container >= 0) avoid(ws.resources[static_cast<std::size_t>(r.container)]);
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

RemoteConnectionState remoteConnectionState(const WorkingSet& ws, int node) {
  const Node& remote = ws.nodes[static_cast<std::size_t>(node)];
  const Resource& c = ws.resources[static_cast<std::size_t>(remote.connection)];
  const int host = ws.currentNode(c);
  if (c.next_role == Role::Stopped || c.assigned_to < 0) {
    // Not going to run anywhere.
    if (host >= 0 && ws.nodes[static_cast<std::size_t>(host)].unclean) {
      return RemoteConnectionState::Failed;  // on a failed member, not recoverable elsewhere
    }
    if (!c.failed) return RemoteConnectionState::Stopped;
    // A failed connection waiting for its reconnect interval, its node fenced already: whether
    // it can reconnect is known only once it tries.
    auto shutdown = remote.attributes.find("shutdown");
    const bool shutdown_requested =
        shutdown != remote.attributes.end() && !shutdown->second.empty() && shutdown->second != "0";
    if (c.next_role == Role::Stopped && c.remote_reconnect_ms > 0 && remote.remote_was_fenced &&
        !shutdown_requested) {
      return RemoteConnectionState::Unknown;
    }
    return RemoteConnectionState::Failed;
  }
  if (host < 0) return RemoteConnectionState::Unknown;  // recoverable, not running yet
  const Node& member = ws.nodes[static_cast<std::size_t>(host)];
  if (member.unclean || !member.online) return RemoteConnectionState::Resting;
  if (c.running_on.size() > 1 && c.partial_migration_source >= 0 &&
      c.partial_migration_target >= 0) {
    return RemoteConnectionState::Resting;  // wait for the migration to complete
  }
  return RemoteConnectionState::Alive;
}

namespace {

// Whether the connection of remote node `node` cannot be recovered in this transition
// (Pacemaker's pcmk__is_failed_remote_node).
bool connectionUnrecoverable(const WorkingSet& ws, int node) {
  return ws.nodes[static_cast<std::size_t>(node)].connection >= 0 &&
         remoteConnectionState(ws, node) == RemoteConnectionState::Failed;
}

// Whether Pacemaker would probe primitive `r` on remote node `node`: it has no history there,
// may be discovered there, and is neither a fencing device nor a connection.
bool wouldProbe(const WorkingSet& ws, const Resource& r, int node) {
  if (r.kind != ResourceConfig::Kind::Primitive || r.orphan || r.is_stonith || r.remote_node >= 0) {
    return false;
  }
  // An anonymous clone is probed once per node: any instance known there will do.
  const int clone = cloneOf(ws, r.index);
  const bool anonymous = clone >= 0 && !ws.resources[static_cast<std::size_t>(clone)].unique;
  for (const Resource& other : ws.resources) {
    if (&other != &r && !(anonymous && other.config == r.config)) continue;
    if (std::find(other.known_on.begin(), other.known_on.end(), node) != other.known_on.end()) {
      return false;
    }
  }
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
    // Guests are fenced by their container's recovery (guest_orderings.h).
    if (!ws.nodes[static_cast<std::size_t>(a.node)].remote || ws.guestContainer(a.node) >= 0) {
      continue;
    }
    if (a.task != "stop" && a.task != "migrate_to" && a.task != "migrate_from") continue;
    if (connectionUnrecoverable(ws, a.node)) {
      ws.fenceNode(a.node, "resources are active but connection is unrecoverable");
    }
  }
  for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
    const Node& node = ws.nodes[n];
    const int at = static_cast<int>(n);
    if (!node.remote || ws.guestContainer(at) >= 0 || !node.online || node.unclean ||
        !connectionUnrecoverable(ws, at)) {
      continue;
    }
    for (const Resource& r : ws.resources) {
      if (!wouldProbe(ws, r, at)) continue;
      ws.fenceNode(at, "resources are in unknown state and connection is unrecoverable");
      break;
    }
  }
}

}  // namespace pulse::pe
