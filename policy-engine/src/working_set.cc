// Stage 1: build the working set from the typed CIB (nodes, resources,
// defaults). The status history is read by history.cc.
#include "working_set.h"

#include <algorithm>

#include "common/crm_bool.h"
#include "container_fillers.h"
#include "fencing.h"
#include "glib_order.h"
#include "history.h"
#include "node_health.h"
#include "policy-engine/xml_dates.h"
#include "remote_nodes.h"
#include "rule_eval.h"
#include "utilization.h"

namespace pulse::pe {
namespace {

const std::string* lookup(const Attributes& a, const std::string& key) {
  auto it = a.find(key);
  return it == a.end() ? nullptr : &it->second;
}

ClusterOptions readOptions(const Cib& cib, std::vector<std::string>& warnings) {
  ClusterOptions o;
  const Attributes& a = cib.cluster_options;
  if (auto* v = lookup(a, "symmetric-cluster")) o.symmetric = crmIsTrue(*v);
  if (auto* v = lookup(a, "stonith-enabled")) o.stonith_enabled = crmIsTrue(*v);
  // The DC sets have-watchdog when its node runs a watchdog: self-fencing counts as a way to
  // fence, so resources may start without a fence device (Pacemaker's unpack_config).
  if (auto* v = lookup(a, "have-watchdog"); v != nullptr && crmIsTrue(*v)) {
    o.have_stonith_resource = true;
  }
  if (auto* v = lookup(a, "stop-all-resources")) o.stop_all_resources = crmIsTrue(*v);
  if (auto* v = lookup(a, "start-failure-is-fatal")) o.start_failure_is_fatal = crmIsTrue(*v);
  if (auto* v = lookup(a, "maintenance-mode")) o.maintenance_mode = crmIsTrue(*v);
  if (auto* v = lookup(a, "is-managed-default")) o.default_managed = crmIsTrue(*v);
  if (auto* v = lookup(a, "default-resource-stickiness")) {
    o.default_stickiness = parseScore(*v).value_or(0);
  }
  if (auto* v = lookup(a, "startup-fencing")) o.startup_fencing = crmIsTrue(*v);
  if (auto* v = lookup(a, "shutdown-lock")) o.shutdown_lock = crmIsTrue(*v);
  if (auto* v = lookup(a, "shutdown-lock-limit")) {
    o.shutdown_lock_limit_s = parseDurationMs(*v).value_or(0) / 1000;
  }
  if (auto* v = lookup(a, "no-quorum-policy")) {
    if (auto policy = cibconf::parseNoQuorumPolicy(*v)) {
      o.no_quorum_policy = *policy;
    } else {
      warnings.push_back("no-quorum-policy '" + *v + "' is not valid; using 'stop'");
    }
  }
  o.have_quorum = cib.have_quorum;
  // Suicide needs fencing, and a partition that never had quorum has nothing to lose.
  if (o.no_quorum_policy == NoQuorumPolicy::Suicide &&
      (!o.stonith_enabled || (!cib.no_quorum_panic && !o.have_quorum))) {
    o.no_quorum_policy = NoQuorumPolicy::Stop;
  }
  o.placement_strategy = parsePlacementStrategy(a, warnings);
  readHealthOptions(a, o, warnings);
  return o;
}

void setupNodes(const Cib& cib, WorkingSet& ws) {
  // Pacemaker keeps its node list sorted by name (pe_create_node inserts with
  // pe__cmp_node_name), and every walk over the nodes -- placement ties, the node list
  // crm_simulate prints -- follows that order rather than the CIB's.
  const std::vector<NodeConfig> implied = impliedRemoteNodes(cib);
  std::vector<const NodeConfig*> sorted;
  for (const NodeConfig& nc : cib.nodes) sorted.push_back(&nc);
  for (const NodeConfig& nc : implied) sorted.push_back(&nc);
  std::stable_sort(sorted.begin(), sorted.end(), [](const NodeConfig* a, const NodeConfig* b) {
    return numericStrcasecmp(a->uname, b->uname) < 0;
  });
  for (const NodeConfig* config : sorted) {
    const NodeConfig& nc = *config;
    Node n;
    n.id = nc.id;
    n.name = nc.uname;
    n.attributes = nc.attributes;  // rule-guarded sets already resolved at "now"
    n.attributes["#uname"] = nc.uname;
    n.attributes["#id"] = nc.id;
    n.remote = nc.type == "remote" || nc.type == "guest";
    n.guest = nc.type == "guest";
    n.attributes["#kind"] = n.guest ? "container" : (n.remote ? "remote" : "cluster");
    // Pacemaker's add_node_attrs(): #is_dc, and #cluster-name / #site-name
    // (site-name, else the cluster's name) unless the node sets them.
    n.attributes["#is_dc"] = (!cib.dc_uuid.empty() && nc.id == cib.dc_uuid) ? "true" : "false";
    if (auto* name = lookup(cib.cluster_options, "cluster-name")) {
      n.attributes.emplace("#cluster-name", *name);
      if (!lookup(n.attributes, "#site-name")) {
        auto* site = lookup(n.attributes, "site-name");
        n.attributes["#site-name"] = site ? *site : *name;
      }
    } else if (auto* site = lookup(n.attributes, "site-name");
               site && !lookup(n.attributes, "#site-name")) {
      n.attributes["#site-name"] = *site;
    }
    n.capacity = parseCapacity(nc.utilization, "node " + nc.uname, ws.warnings);
    if (auto* v = lookup(nc.attributes, "standby")) n.standby = crmIsTrue(*v);
    if (auto* v = lookup(nc.attributes, "maintenance")) n.maintenance = crmIsTrue(*v);
    // A node never seen by the cluster is unclean when fencing is on
    // (startup-fencing), and merely offline otherwise.
    // A remote node is, once linked to its connection (linkRemoteConnections).
    n.unclean = !n.remote && ws.options.stonith_enabled && ws.options.startup_fencing;
    int index = static_cast<int>(ws.nodes.size());
    ws.node_index.emplace(n.name, index);
    ws.node_index.emplace(n.id, index);
    ws.nodes.push_back(std::move(n));
  }
}

// The node_state attributes decide whether a node can run resources
// (Pacemaker's determine_online_status with and without fencing).
void applyNodeState(const NodeStateRecord& st, WorkingSet& ws, int index) {
  Node& node = ws.nodes[static_cast<std::size_t>(index)];
  const ClusterOptions& options = ws.options;
  auto fence = [&](const char* reason) { ws.fenceNode(index, reason); };
  for (const auto& [k, v] : st.transient) node.attributes[k] = v;
  if (auto* v = lookup(st.transient, "standby")) node.standby = node.standby || crmIsTrue(*v);
  if (auto* v = lookup(st.transient, "maintenance")) node.maintenance = crmIsTrue(*v);
  if (auto* v = lookup(st.transient, "shutdown")) node.shutdown = !v->empty() && *v != "0";
  bool in_cluster = st.in_ccm && crmIsTrue(*st.in_ccm);
  bool crmd_online = st.crmd && (*st.crmd == "online");
  std::string join = st.join.value_or("");
  std::string expected = st.expected.value_or("down");
  node.expected_up = expected == "member";
  node.unclean = false;
  if (!options.stonith_enabled) {
    if (!in_cluster) {
      node.online = false;
    } else if (crmd_online) {
      node.online = join == "member";
    } else if (!node.expected_up) {
      node.online = false;
    } else {
      fence("peer is unexpectedly down");
    }
    return;
  }
  node.online = in_cluster;
  if (node.shutdown) {
    node.online = crmd_online;
  } else if (!st.in_ccm) {
    fence("peer has not been seen by the cluster");
  } else if (join == "banned") {
    fence("peer failed Pacemaker membership criteria");
  } else if (expected == "down") {
    if (in_cluster || crmd_online) {
      node.standby = true;
      node.pending = true;
    }
  } else if (!in_cluster) {
    fence("peer is no longer part of the cluster");
  } else if (!crmd_online) {
    fence("peer process is no longer available");
  } else if (join == "member") {
    // active
  } else if (join == "pending" || join == "down") {
    node.standby = true;
    node.pending = true;
  } else {
    fence("peer was in an unknown state");
  }
  if (node.unclean) node.online = false;
  // Without quorum, no-quorum-policy=suicide fences every member of this partition.
  if (!options.have_quorum && node.online && options.no_quorum_policy == NoQuorumPolicy::Suicide) {
    fence("cluster does not have quorum");
  }
}

// A remote node's own attributes (its online state comes from its connection, later).
void applyRemoteAttributes(const NodeStateRecord& st, Node& node) {
  node.remote_was_fenced = st.node_fenced;
  for (const auto& [k, v] : st.transient) node.attributes[k] = v;
  auto* shutdown = lookup(node.attributes, "shutdown");
  node.shutdown = shutdown != nullptr && !shutdown->empty() && *shutdown != "0";
  if (auto* v = lookup(node.attributes, "standby")) node.standby = crmIsTrue(*v);
  if (auto* v = lookup(node.attributes, "maintenance")) node.maintenance = crmIsTrue(*v);
}

// Fail-counts and last failures per resource, from the node's attributes.
void collectFailures(Node& node) {
  static constexpr std::string_view kCount = "fail-count-";
  static constexpr std::string_view kLast = "last-failure-";
  auto rscOf = [](std::string_view name, std::size_t prefix) {
    std::string_view rest = name.substr(prefix);
    return rest.substr(0, rest.find('#'));
  };
  for (auto it = node.attributes.lower_bound(std::string(kCount));
       it != node.attributes.end() && it->first.compare(0, kCount.size(), kCount) == 0; ++it) {
    Node::Failures& f = node.failures[std::string(rscOf(it->first, kCount.size()))];
    f.count = addScores(f.count, parseScore(it->second).value_or(0));
  }
  for (auto it = node.attributes.lower_bound(std::string(kLast));
       it != node.attributes.end() && it->first.compare(0, kLast.size(), kLast) == 0; ++it) {
    Node::Failures& f = node.failures[std::string(rscOf(it->first, kLast.size()))];
    f.last_failure =
        std::max<std::int64_t>(f.last_failure, parseEpochSeconds(it->second).value_or(0));
  }
}

std::string agentOf(const ResourceConfig& rc) {
  if (rc.provider.empty()) return rc.cls + ":" + rc.type;
  return rc.cls + ":" + rc.provider + ":" + rc.type;
}

// Clone meta-attributes reach the instances, so "promotable" is in their meta too.
bool isPromotable(const Attributes& meta) {
  auto it = meta.find("promotable");
  return it != meta.end() && crmIsTrue(it->second);
}

void applyMeta(Resource& r, const ClusterOptions& options, std::vector<std::string>& warnings) {
  const Attributes& m = r.meta;
  if (auto* v = lookup(m, "priority")) r.priority = parseScore(*v).value_or(0);
  r.stickiness = options.default_stickiness;
  if (auto* v = lookup(m, "resource-stickiness")) r.stickiness = parseScore(*v).value_or(0);
  if (auto* v = lookup(m, "migration-threshold")) {
    r.migration_threshold = parseScore(*v).value_or(kInfinity);
  }
  if (auto* v = lookup(m, "failure-timeout")) {
    r.failure_timeout_s = parseDurationMs(*v).value_or(0) / 1000;
  }
  r.managed = options.default_managed && !options.maintenance_mode;
  if (auto* v = lookup(m, "is-managed")) r.managed = crmIsTrue(*v) && !options.maintenance_mode;
  if (auto* v = lookup(m, "maintenance")) {
    if (crmIsTrue(*v)) r.managed = false;
  }
  if (auto* v = lookup(m, "target-role")) {
    std::string t = *v;
    std::string lower = t;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (lower == "started" || lower == "default") {
      // no explicit target
    } else if (lower == "stopped") {
      r.target_role = Role::Stopped;
    } else if ((lower == "unpromoted" || lower == "slave") && isPromotable(m)) {
      r.target_role = Role::Unpromoted;
    } else if ((lower == "promoted" || lower == "master") && isPromotable(m)) {
      // What happens anyway: left as the default so promotion scores decide (get_target_role).
    } else if (lower == "unpromoted" || lower == "slave" || lower == "promoted" ||
               lower == "master") {
      warnings.push_back("ignoring target-role '" + t + "' for " + r.id +
                         ": it only makes sense for promotable clones");
    } else {
      warnings.push_back("ignoring target-role '" + t + "' for " + r.id + ": not a role");
    }
  }
  // requires: fence devices need quorum; other resources need fencing when it is enabled,
  // quorum unless its loss is ignored (Pacemaker's unpack_requires).
  r.start_needs = Resource::Needs::Quorum;
  if (!r.is_stonith && options.stonith_enabled) {
    r.start_needs = Resource::Needs::Fencing;
  } else if (!r.is_stonith && options.no_quorum_policy == NoQuorumPolicy::Ignore) {
    r.start_needs = Resource::Needs::Nothing;
  }
  if (auto* v = lookup(m, "requires")) {
    if (*v == "nothing") {
      r.start_needs = Resource::Needs::Nothing;
    } else if (*v == "quorum") {
      r.start_needs = Resource::Needs::Quorum;
    } else if ((*v == "fencing" || *v == "unfencing") && !r.is_stonith) {
      r.start_needs = options.stonith_enabled ? Resource::Needs::Fencing : Resource::Needs::Quorum;
      r.needs_unfencing = *v == "unfencing" && options.stonith_enabled;
    }
  }
  if (auto* v = lookup(m, "allow-migrate")) r.allow_migrate = crmIsTrue(*v);
  if (auto* v = lookup(m, "multiple-active")) {
    if (*v == "stop_only") {
      r.multiple_active = Resource::MultipleActive::StopOnly;
    } else if (*v == "block") {
      r.multiple_active = Resource::MultipleActive::Block;
    } else if (*v == "stop_unexpected") {
      r.multiple_active = Resource::MultipleActive::StopUnexpected;
    } else if (*v != "stop_start") {
      warnings.push_back("multiple-active '" + *v + "' for " + r.id +
                         " is not valid; using 'stop_start'");
    }
  }
  if (auto* v = lookup(m, "ordered")) r.group_ordered = crmIsTrue(*v);
  if (auto* v = lookup(m, "collocated")) r.group_colocated = crmIsTrue(*v);
  r.next_role = r.target_role.value_or(Role::Unknown);
}

// Pacemaker's clone_unpack: instance limits, with clone-max defaulting to the node count.
void readCloneMeta(Resource& c, const WorkingSet& ws) {
  auto number = [&](const char* key, const char* legacy, int fallback) {
    const std::string* v = lookup(c.meta, key);
    if (v == nullptr && legacy != nullptr) v = lookup(c.meta, legacy);
    if (v == nullptr) return fallback;
    auto parsed = parseScore(*v);
    return parsed ? static_cast<int>(std::max<Score>(0, std::min<Score>(*parsed, 1000000))) : 0;
  };
  c.clone_max = number("clone-max", nullptr, std::max<int>(1, static_cast<int>(ws.nodes.size())));
  c.clone_node_max = number("clone-node-max", nullptr, 1);
  c.clone_min = number("clone-min", nullptr, 0);
  if (auto* v = lookup(c.meta, "globally-unique")) c.unique = crmIsTrue(*v);
  // Only OCF and fencing agents support unique instances: others are forced anonymous.
  auto supportsUnique = [](const ResourceConfig& p) {
    return p.cls == "ocf" || p.cls == "stonith";
  };
  const ResourceConfig& cloned = c.config->members.front();
  const bool asked_unique = c.unique;
  if (cloned.kind == ResourceConfig::Kind::Primitive && !supportsUnique(cloned)) c.unique = false;
  for (const ResourceConfig& m : cloned.members) {
    if (!supportsUnique(m)) c.unique = false;
  }
  // Forced anonymous, it gets at most one instance per node (Pacemaker's pe__force_anon).
  if (asked_unique && !c.unique) {
    c.clone_max = std::min(c.clone_max, static_cast<int>(ws.nodes.size()));
  }
  if (auto* v = lookup(c.meta, "interleave")) c.interleave = crmIsTrue(*v);
  if (auto* v = lookup(c.meta, "ordered")) c.clone_ordered = crmIsTrue(*v);
  c.group_ordered = true;  // "ordered" means something else for a clone
  if (!c.unique && c.clone_node_max > 1) c.clone_node_max = 1;  // anonymous: one per node
  if (auto* v = lookup(c.meta, "promotable")) c.promotable = crmIsTrue(*v);
  c.promoted_max = number("promoted-max", "master-max", 1);
  c.promoted_node_max = number("promoted-node-max", "master-node-max", 1);
}

// rsc_defaults under what the resource sets itself (the first value wins);
// with rules (rsc_expression, dates) they depend on the resource.
void addResourceDefaults(const Cib& cib, const ResourceConfig& rc, std::int64_t now,
                         Attributes& meta) {
  if (cib.rsc_default_sets.empty()) {
    for (const auto& kv : cib.rsc_defaults) meta.insert(kv);
    return;
  }
  for (const auto& kv : resolveNvSets(cib.rsc_default_sets, {now, nullptr, &rc, nullptr})) {
    meta.insert(kv);
  }
}

int addResource(const ResourceConfig& rc, int parent, const Cib& cib, WorkingSet& ws,
                const std::string& suffix = "") {
  Resource r;
  r.kind = rc.kind;
  r.id = rc.id + suffix;
  r.history_id = r.id;
  r.config = &rc;
  r.parent = parent;
  r.index = static_cast<int>(ws.resources.size());
  r.is_stonith = rc.cls == "stonith";
  if (rc.kind == ResourceConfig::Kind::Primitive) r.agent = agentOf(rc);
  r.utilization = parseCapacity(rc.utilization, "resource " + rc.id, ws.warnings);
  // Own meta first, then the parent's, then rsc_defaults: the first value wins.
  r.meta =
      rc.meta_sets.empty() ? rc.meta : resolveNvSets(rc.meta_sets, {ws.now, nullptr, &rc, nullptr});
  if (parent >= 0) {
    for (const auto& kv : ws.resources[static_cast<std::size_t>(parent)].meta) r.meta.insert(kv);
  }
  addResourceDefaults(cib, rc, ws.now, r.meta);
  // Clones are slightly sticky by default so instances are not shuffled for nothing.
  if (rc.kind == ResourceConfig::Kind::Clone) r.meta.emplace("resource-stickiness", "1");
  applyMeta(r, ws.options, ws.warnings);
  r.allowed.assign(ws.nodes.size(), std::nullopt);
  if (ws.options.symmetric) {
    for (auto& s : r.allowed) s = 0;
  }
  if (r.is_stonith) ws.options.have_stonith_resource = true;
  int index = r.index;
  if (!suffix.empty()) {
    // An instance: its history and fail-counts go by the bare id when anonymous.
    int clone = cloneOf(ws, parent);
    if (!ws.resources[static_cast<std::size_t>(clone)].unique) r.history_id = rc.id;
  }
  ws.resource_index.emplace(r.id, index);
  ws.resources.push_back(std::move(r));
  if (rc.kind == ResourceConfig::Kind::Clone) {
    Resource& c = ws.resources[static_cast<std::size_t>(index)];
    readCloneMeta(c, ws);
    // Constraints naming the cloned resource (or a member of a cloned group) mean the clone.
    ws.resource_index.emplace(rc.members.front().id, index);
    for (const ResourceConfig& m : rc.members.front().members)
      ws.resource_index.emplace(m.id, index);
    // Pacemaker keeps one instance even at clone-max 0, so that orphans find their parent.
    int count = std::max(c.clone_max, 1);
    for (int i = 0; i < count; ++i) addCloneInstance(ws, index);
    return index;
  }
  for (const ResourceConfig& member : rc.members) {
    int child = addResource(member, index, cib, ws, suffix);
    ws.resources[static_cast<std::size_t>(index)].children.push_back(child);
  }
  return index;
}

}  // namespace

bool isClone(const Resource& r) { return r.kind == ResourceConfig::Kind::Clone; }

int cloneOf(const WorkingSet& ws, int rsc) {
  for (int at = rsc; at >= 0; at = ws.resources[static_cast<std::size_t>(at)].parent) {
    if (isClone(ws.resources[static_cast<std::size_t>(at)])) return at;
  }
  return -1;
}

bool inPromotableClone(const WorkingSet& ws, const Resource& r) {
  int clone = cloneOf(ws, r.index);
  return clone >= 0 && ws.resources[static_cast<std::size_t>(clone)].promotable;
}

bool isCloneInstance(const WorkingSet& ws, const Resource& r) {
  return r.parent >= 0 && isClone(ws.resources[static_cast<std::size_t>(r.parent)]);
}

int addCloneInstance(WorkingSet& ws, int clone) {
  const Resource& c = ws.resources[static_cast<std::size_t>(clone)];
  int number = static_cast<int>(c.children.size());
  bool orphan = number >= c.clone_max;
  const ResourceConfig& cloned = c.config->members.front();
  int child = addResource(cloned, clone, *ws.cib, ws, ":" + std::to_string(number));
  ws.resources[static_cast<std::size_t>(clone)].children.push_back(child);
  if (orphan) {
    ws.resources[static_cast<std::size_t>(child)].orphan = true;
    for (int m : ws.resources[static_cast<std::size_t>(child)].children) {
      ws.resources[static_cast<std::size_t>(m)].orphan = true;
    }
  }
  return child;
}

Role parseRole(const std::string& text) {
  std::string s = text;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "stopped") return Role::Stopped;
  if (s == "started") return Role::Started;
  if (s == "unpromoted" || s == "slave") return Role::Unpromoted;
  if (s == "promoted" || s == "master") return Role::Promoted;
  return Role::Unknown;
}

void WorkingSet::requestFencing(int node, const std::string& reason, bool unfence) {
  for (FenceRequest& f : fence_requests) {
    if (f.node != node || f.unfence != unfence) continue;
    if (f.reason.empty()) f.reason = reason;
    return;
  }
  fence_requests.push_back({node, reason, unfence});
}

void WorkingSet::fenceNode(int node, const std::string& reason) {
  Node& n = nodes[static_cast<std::size_t>(node)];
  const int container = guestContainer(node);
  if (container >= 0) {
    // A guest node is "fenced" by recovering its container (a fence pseudo-action marks that
    // in the transition, fencing.cc). The node stays clean, so that it may run resources again
    // once the container and its connection are back; an unmanaged container is left alone.
    Resource& c = resources[static_cast<std::size_t>(container)];
    if (c.failed || !c.managed) return;
    n.requires_reset = true;
    c.failed = true;
    c.needs_stop = true;
    return;
  }
  if (n.remote && n.connection >= 0) {
    // A guest whose container no longer exists (a dangling orphaned connection): it was
    // fenced already; only its connection is left to clean up.
    Resource& c = resources[static_cast<std::size_t>(n.connection)];
    if (c.container < 0 && c.orphan_container_filler) {
      c.failed = true;
      c.needs_stop = true;
      return;
    }
  }
  if (n.remote) {
    // Not through an unmanaged connection; otherwise asked for even if already unclean (as
    // from start-up fencing), and kept unclean (Pacemaker's remote_requires_reset).
    if (n.connection >= 0 && !resources[static_cast<std::size_t>(n.connection)].managed) return;
    n.requires_reset = true;
    n.unclean = true;
    requestFencing(node, reason);
    return;
  }
  if (n.unclean) return;
  n.unclean = true;
  requestFencing(node, reason);
}

int WorkingSet::addOrphan(const ResourceHistory& history) {
  ResourceConfig& rc = orphan_configs.emplace_back();
  rc.id = history.id;
  rc.cls = history.cls;
  rc.provider = history.provider;
  rc.type = history.type;
  Resource r;
  r.id = rc.id;
  r.config = &rc;
  r.orphan = true;
  r.orphan_container_filler = !history.container.empty();
  r.index = static_cast<int>(resources.size());
  r.is_stonith = rc.cls == "stonith";
  r.history_id = r.id;
  r.agent = agentOf(rc);
  addResourceDefaults(*cib, rc, now, r.meta);
  applyMeta(r, options, warnings);
  auto stop = cib->cluster_options.find("stop-orphan-resources");
  if (stop != cib->cluster_options.end() && !crmIsTrue(stop->second)) {
    r.managed = false;
  }
  r.allowed.assign(nodes.size(), -kInfinity);
  const int index = r.index;
  resource_index.emplace(r.id, index);
  resources.push_back(std::move(r));
  top_level.push_back(index);
  linkOrphanConnection(*this, index);
  return index;
}

bool WorkingSet::canFence(int node) const {
  if (const int container = guestContainer(node); container >= 0) {
    // A guest node is fenced by stopping its container: possible while each node the
    // container is active on is up or can itself be fenced.
    for (int host : resources[static_cast<std::size_t>(container)].running_on) {
      if (!nodes[static_cast<std::size_t>(host)].online && !canFence(host)) return false;
    }
    return true;
  }
  if (!options.stonith_enabled || !options.have_stonith_resource) return false;
  if (options.have_quorum || options.no_quorum_policy == NoQuorumPolicy::Ignore) return true;
  return nodes[static_cast<std::size_t>(node)].online;
}

int WorkingSet::guestContainer(int node) const {
  const Node& n = nodes[static_cast<std::size_t>(node)];
  if (!n.guest || n.connection < 0) return -1;
  return resources[static_cast<std::size_t>(n.connection)].container;
}

std::string opKey(const std::string& rsc, const std::string& task, std::int64_t interval_ms) {
  return rsc + "_" + task + "_" + std::to_string(interval_ms);
}

Result<WorkingSet> buildWorkingSet(const Cib& cib, std::int64_t now, bool sanitized) {
  WorkingSet ws;
  ws.cib = &cib;
  ws.now = now;
  ws.sanitized = sanitized;
  ws.warnings = cib.warnings;
  ws.options = readOptions(cib, ws.warnings);
  setupNodes(cib, ws);
  for (const NodeStateRecord& st : cib.node_states) {
    int n = ws.findNode(st.id);
    if (n < 0 && !st.uname.empty()) n = ws.findNode(st.uname);
    if (n < 0) continue;  // status for a node no longer configured
    if (ws.nodes[static_cast<std::size_t>(n)].remote) {
      applyRemoteAttributes(st, ws.nodes[static_cast<std::size_t>(n)]);
    } else {
      applyNodeState(st, ws, n);
    }
  }
  for (Node& node : ws.nodes) collectFailures(node);
  assessNodeHealth(ws);
  for (const ResourceConfig& rc : cib.resources) {
    ws.top_level.push_back(addResource(rc, -1, cib, ws));
  }
  // Guest connections come after the configured resources, as Pacemaker appends them.
  for (ResourceConfig& rc : guestConnectionConfigs(cib)) {
    const ResourceConfig& kept = ws.guest_connection_configs.emplace_back(std::move(rc));
    ws.top_level.push_back(addResource(kept, -1, cib, ws));
  }
  linkRemoteConnections(ws);
  linkContainerFillers(ws);
  applyUnfencingDefault(ws);
  if (auto e = unpackHistory(ws)) return *e;
  // A promotable clone's running instances are unpromoted unless promoted.
  for (Resource& r : ws.resources) {
    if (r.role == Role::Started && inPromotableClone(ws, r)) r.role = Role::Unpromoted;
  }
  return ws;
}

}  // namespace pulse::pe
