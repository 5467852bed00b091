// Stage 1: build the working set from the typed CIB (nodes, resources,
// defaults). The status history is read by history.cc.
#include "working_set.h"

#include <algorithm>

#include "common/crm_bool.h"
#include "history.h"
#include "node_health.h"
#include "policy-engine/xml_dates.h"
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
  if (auto* v = lookup(a, "no-quorum-policy")) {
    if (auto policy = cibconf::parseNoQuorumPolicy(*v)) {
      o.no_quorum_policy = *policy;
    } else {
      warnings.push_back("no-quorum-policy '" + *v + "' is not valid; using 'stop'");
    }
  }
  o.have_quorum = cib.have_quorum;
  o.placement_strategy = parsePlacementStrategy(a, warnings);
  readHealthOptions(a, o, warnings);
  return o;
}

void setupNodes(const Cib& cib, WorkingSet& ws) {
  for (const NodeConfig& nc : cib.nodes) {
    Node n;
    n.id = nc.id;
    n.name = nc.uname;
    n.attributes = nc.attributes;
    n.attributes["#uname"] = nc.uname;
    n.attributes["#id"] = nc.id;
    n.attributes["#kind"] = "cluster";
    n.capacity = parseCapacity(nc.utilization, "node " + nc.uname, ws.warnings);
    if (auto* v = lookup(nc.attributes, "standby")) n.standby = crmIsTrue(*v);
    if (auto* v = lookup(nc.attributes, "maintenance")) n.maintenance = crmIsTrue(*v);
    // A node never seen by the cluster is unclean when fencing is on
    // (startup-fencing), and merely offline otherwise.
    n.unclean = ws.options.stonith_enabled;
    int index = static_cast<int>(ws.nodes.size());
    ws.node_index.emplace(n.name, index);
    ws.node_index.emplace(n.id, index);
    ws.nodes.push_back(std::move(n));
  }
}

// The node_state attributes decide whether a node can run resources
// (Pacemaker's determine_online_status with and without fencing).
void applyNodeState(const NodeStateRecord& st, Node& node, const ClusterOptions& options) {
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
      node.unclean = true;  // peer is unexpectedly down
    }
    return;
  }
  node.online = in_cluster;
  if (node.shutdown) {
    node.online = crmd_online;
  } else if (!st.in_ccm) {
    node.unclean = true;  // peer has not been seen by the cluster
  } else if (join == "banned") {
    node.unclean = true;
  } else if (expected == "down") {
    if (in_cluster || crmd_online) {
      node.standby = true;
      node.pending = true;
    }
  } else if (!in_cluster) {
    node.unclean = true;  // peer is no longer part of the cluster
  } else if (!crmd_online) {
    node.unclean = true;  // peer process is no longer available
  } else if (join == "member") {
    // active
  } else if (join == "pending" || join == "down") {
    node.standby = true;
    node.pending = true;
  } else {
    node.unclean = true;
  }
  if (node.unclean) node.online = false;
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
    } else if (lower == "unpromoted" || lower == "slave" || lower == "promoted" ||
               lower == "master") {
      warnings.push_back("ignoring target-role '" + t + "' for " + r.id +
                         ": it only makes sense for promotable clones");
    } else {
      warnings.push_back("ignoring target-role '" + t + "' for " + r.id + ": not a role");
    }
  }
  if (auto* v = lookup(m, "ordered")) r.group_ordered = crmIsTrue(*v);
  if (auto* v = lookup(m, "collocated")) r.group_colocated = crmIsTrue(*v);
  r.next_role = r.target_role.value_or(Role::Unknown);
}

int addResource(const ResourceConfig& rc, int parent, const Cib& cib, WorkingSet& ws) {
  Resource r;
  r.kind = rc.kind;
  r.id = rc.id;
  r.config = &rc;
  r.parent = parent;
  r.index = static_cast<int>(ws.resources.size());
  r.is_stonith = rc.cls == "stonith";
  if (rc.kind == ResourceConfig::Kind::Primitive) r.agent = agentOf(rc);
  r.utilization = parseCapacity(rc.utilization, "resource " + rc.id, ws.warnings);
  // Own meta first, then the parent's, then rsc_defaults: the first value wins.
  r.meta = rc.meta;
  if (parent >= 0) {
    for (const auto& kv : ws.resources[static_cast<std::size_t>(parent)].meta) r.meta.insert(kv);
  }
  for (const auto& kv : cib.rsc_defaults) r.meta.insert(kv);
  applyMeta(r, ws.options, ws.warnings);
  if (r.is_stonith) ws.options.have_stonith_resource = true;
  int index = r.index;
  ws.resource_index.emplace(r.id, index);
  ws.resources.push_back(std::move(r));
  for (const ResourceConfig& member : rc.members) {
    int child = addResource(member, index, cib, ws);
    ws.resources[static_cast<std::size_t>(index)].children.push_back(child);
  }
  return index;
}

}  // namespace

Role parseRole(const std::string& text) {
  std::string s = text;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "stopped") return Role::Stopped;
  if (s == "started") return Role::Started;
  if (s == "unpromoted" || s == "slave") return Role::Unpromoted;
  if (s == "promoted" || s == "master") return Role::Promoted;
  return Role::Unknown;
}

std::string opKey(const std::string& rsc, const std::string& task, std::int64_t interval_ms) {
  return rsc + "_" + task + "_" + std::to_string(interval_ms);
}

Result<WorkingSet> buildWorkingSet(const Cib& cib, std::int64_t now) {
  WorkingSet ws;
  ws.cib = &cib;
  ws.now = now;
  ws.warnings = cib.warnings;
  ws.options = readOptions(cib, ws.warnings);
  setupNodes(cib, ws);
  for (const NodeStateRecord& st : cib.node_states) {
    int n = ws.findNode(st.id);
    if (n < 0 && !st.uname.empty()) n = ws.findNode(st.uname);
    if (n < 0) continue;  // status for a node no longer configured
    applyNodeState(st, ws.nodes[static_cast<std::size_t>(n)], ws.options);
  }
  for (Node& node : ws.nodes) collectFailures(node);
  assessNodeHealth(ws);
  for (const ResourceConfig& rc : cib.resources) {
    ws.top_level.push_back(addResource(rc, -1, cib, ws));
  }
  for (Resource& r : ws.resources) {
    r.allowed.assign(ws.nodes.size(), std::nullopt);
    if (ws.options.symmetric) {
      for (auto& s : r.allowed) s = 0;
    }
  }
  if (auto e = unpackHistory(ws)) return *e;
  return ws;
}

}  // namespace pulse::pe
