// The scheduler's working state for one run: nodes and resources with what
// the status section says about them, their scores, and their assignment.
// Internal to the policy engine; built by buildWorkingSet() and consumed by
// the later stages in order (scores -> assignment -> actions -> orderings).
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "policy-engine/cib_config.h"
#include "policy-engine/cib_model.h"
#include "policy-engine/transition.h"

namespace pulse::pe {

// ResetRemote: a remote connection's failure, which fences its node (with fencing) and
// recovers the connection (Pacemaker's action_fail_reset_remote, for connections only).
enum class OnFail {
  Ignore,
  Demote,
  Recover,
  Stop,
  Block,
  Standby,
  Fence,
  RestartContainer,
  ResetRemote
};

// placement-strategy: whether node capacities count, and how nodes of equal
// score are ranked (balanced: most free capacity first).
enum class PlacementStrategy { Default, Utilization, Minimal, Balanced };

// node-health-strategy; MigrateOnRed is Pacemaker's "no red".
enum class HealthStrategy { None, MigrateOnRed, OnlyGreen, Progressive, Custom };

// Utilization amounts by name (cpu=2, memory=512): a node's remaining
// capacity or what a resource consumes. A node lacking a name has none of it.
using Capacity = std::map<std::string, std::int64_t, std::less<>>;

struct ClusterOptions {
  bool symmetric = true;
  NoQuorumPolicy no_quorum_policy = NoQuorumPolicy::Stop;
  bool stonith_enabled = true;
  bool stop_all_resources = false;
  bool start_failure_is_fatal = true;
  bool maintenance_mode = false;
  bool have_quorum = true;
  bool have_stonith_resource = false;
  Score default_stickiness = 0;
  bool default_managed = true;
  bool startup_fencing = true;
  bool shutdown_lock = false;
  std::int64_t shutdown_lock_limit_s = 0;  // 0: locks never expire
  PlacementStrategy placement_strategy = PlacementStrategy::Default;
  HealthStrategy health_strategy = HealthStrategy::None;
  // What "red", "yellow" and "green" in a #health-* attribute score, and the
  // base every node starts from under the progressive strategy.
  Score health_red = 0, health_yellow = 0, health_green = 0, health_base = 0;
};

struct Node {
  std::string id;
  std::string name;  // uname
  bool online = false;
  bool standby = false;
  bool pending = false;
  bool unclean = false;
  bool shutdown = false;
  bool maintenance = false;
  bool expected_up = false;
  Attributes attributes;  // node attributes incl. #uname, #id and transient ones
  // fail-count-<rsc>[#op] summed and last-failure-<rsc>[#op] maximised, per
  // resource id (read once from the transient attributes).
  struct Failures {
    Score count = 0;
    std::int64_t last_failure = 0;
  };
  std::map<std::string, Failures, std::less<>> failures;
  int assigned_count = 0;  // resources assigned so far (tie-break, like num_resources)
  Capacity capacity;       // <utilization> less what assigned resources consume
  int health = 1;          // from #health-* attributes: -1 red, 0 yellow, 1 green
  // A Pacemaker Remote node: not a member, reached through its connection resource (an
  // ocf:pacemaker:remote primitive named like the node), online while that runs.
  bool remote = false;
  int connection = -1;  // the connection resource, -1 when none is configured
  bool unseen = false;  // no status seen yet (fencing it may be revoked, see remote_nodes.cc)
  bool remote_was_fenced = false;  // its status says it was fenced (node_fenced)
  bool requires_reset = false;     // a remote node that must be fenced stays unclean
  // A guest node: a remote node whose connection runs inside a resource of the cluster (the
  // "container", a VM say, whose remote-node meta-attribute names the node).
  bool guest = false;
};

struct Colocation;
struct WhyLog;  // why.h

// A node score table: absent entries mean the node is not allowed at all
// (matters in asymmetric clusters).
using NodeScores = std::vector<std::optional<Score>>;

struct Resource {
  ResourceConfig::Kind kind = ResourceConfig::Kind::Primitive;
  std::string id;
  std::string agent;  // class:provider:type
  const ResourceConfig* config = nullptr;
  int index = 0;
  int parent = -1;
  std::vector<int> children;
  Attributes meta;

  // Meta-attributes, defaults applied.
  int priority = 0;
  Score stickiness = 0;
  Score migration_threshold = kInfinity;
  std::int64_t failure_timeout_s = 0;
  std::optional<Role> target_role;
  bool managed = true;
  bool group_ordered = true;
  bool group_colocated = true;
  bool is_stonith = false;
  // Unmanaged and blocked only by a lost ticket's loss-policy=freeze: the
  // configuration still manages it, so crm_mon shows it plainly.
  bool frozen_by_ticket = false;
  // Left alone by the scheduler only because fencing is enabled with no device to carry it
  // out: the configuration still manages it, so crm_mon shows it plainly after the transition.
  bool unmanaged_without_fencing = false;

  // Clones (kind Clone) and their instances. An instance's id carries its
  // number ("rsc:2"); history_id is how the status section and the
  // fail-count attributes name it: the bare id for an anonymous clone.
  std::string history_id;
  std::string clone_name;  // the id the status section last named this instance by, if different
  int clone_max = 0;
  int clone_node_max = 1;
  int clone_min = 0;
  bool unique = false;
  bool interleave = false;
  bool promotable = false;  // instances are promoted (promoted-max of them) or unpromoted
  int promoted_max = 1;
  int promoted_node_max = 1;
  int sort_index = 0;  // promotion order among a promotable clone's instances
  // A clone's instances in the order Pacemaker leaves its list of children once they are
  // assigned (by pcmk__cmp_instance) and, for a promotable clone, sorted for promotion: the
  // order in which later steps visit them. Empty until the clone is assigned.
  std::vector<int> instance_order;
  bool clone_ordered = false;
  // Known only from the status history (Pacemaker's pe_rsc_orphan): no longer
  // configured, or a clone instance beyond clone-max.
  bool orphan = false;
  // shutdown-lock: the node this resource stays on while that node is shut down.
  int lock_node = -1;
  std::int64_t lock_time = 0;
  bool allow_migrate = false;            // allow-migrate: moves by migrate_to/migrate_from
  int remote_node = -1;                  // for a Pacemaker Remote connection: the node it connects
  std::int64_t remote_reconnect_ms = 0;  // its reconnect_interval parameter
  int container = -1;  // a guest node's connection: the resource the guest runs in
  // An orphan whose history names the container it ran in (pe_rsc_orphan_container_filler):
  // linked to that container once its node's history is read, if the container exists.
  bool orphan_container_filler = false;
  // resource-discovery per node (index): the strongest mode a location constraint gave it
  // (empty: "always" everywhere). An exclusive resource runs only on its exclusive nodes.
  enum class Discovery : std::uint8_t { Always, Never, Exclusive };
  std::vector<Discovery> discovery;
  bool exclusive_discovery = false;
  // A migration cut short (migrate_to done, migrate_from not recorded, both nodes online):
  // the resource counts as active on both. When it is still placed on the target it is
  // resumed (migrate_from there, stop on the source); otherwise both copies are stopped.
  int partial_migration_source = -1;
  int partial_migration_target = -1;
  // multiple-active: what to do when found active on more than one node.
  enum class MultipleActive { StopStart, StopOnly, Block, StopUnexpected };
  MultipleActive multiple_active = MultipleActive::StopStart;
  // What a start (or promote) needs (the "requires" meta-attribute): nothing, quorum, or
  // quorum and the fencing of any node where the resource might still be active.
  enum class Needs { Nothing, Quorum, Fencing };
  Needs start_needs = Needs::Quorum;
  bool needs_unfencing = false;  // requires=unfencing (or its default with unfencing in use)
  Capacity utilization;          // what the resource consumes on its node
  // Nodes where this resource must stop whatever its placement: a container whose filler
  // failed there (on-fail=restart-container).
  std::vector<int> stop_required_on;

  // From the status section.
  Role role = Role::Stopped;
  Role next_role = Role::Unknown;
  std::vector<int> running_on;   // node indices, in discovery order
  bool failed = false;           // pe_rsc_failed
  bool failure_ignored = false;  // a failure was ignored (on-fail=ignore): no threshold
  bool needs_stop = false;       // pe_rsc_stop: recover by stopping first
  bool blocked = false;          // pe_rsc_block
  bool start_pending = false;
  // Nodes where a start is pending that has no call id yet (call-id -1) and outlasts the
  // operations recorded after it (OperationRecord::outlasts_recorded_ops): what the
  // transition does there stays behind it in the history as crm_simulate records it, so the
  // resource still shows as active there afterwards (summary.cc).
  std::vector<int> unnumbered_start_on;
  std::string pending_task;
  int pending_node = -1;
  std::vector<int> known_on;
  // Recurring operations the history shows in force since the last start on
  // an online node (Pacemaker's process_recurring): these keep running, so
  // the engine need not schedule them again there.
  struct ActiveRecurring {
    int node = -1;
    std::string task;
    std::int64_t interval_ms = 0;
  };
  std::vector<ActiveRecurring> active_recurring;
  bool recurringActive(int node, const std::string& task, std::int64_t interval_ms) const {
    for (const ActiveRecurring& a : active_recurring) {
      if (a.node == node && a.interval_ms == interval_ms && a.task == task) return true;
    }
    return false;
  }

  // Scheduling state.
  NodeScores allowed;
  bool provisional = true;
  bool allocating = false;
  bool merging = false;
  int assigned_to = -1;
  // The score of assigned_to when it was chosen: Pacemaker's allocated_to is a copy of the
  // allowed-node entry, and a mandatory colocation with a promotable clone adds it to the
  // dependent's score there (node_list_exclude merging scores).
  Score assigned_weight = 0;
  std::vector<int> this_with;  // colocations where this is the dependent (rsc_cons)
  std::vector<int> with_this;  // colocations where this is the primary (rsc_cons_lhs)
};

struct Colocation {
  std::string id;
  int dependent = -1;
  int primary = -1;
  Score score = 0;
  Role dependent_role = Role::Unknown;
  Role primary_role = Role::Unknown;
  std::string node_attribute;
  bool influence = true;
};

// One failed operation to list as crm_mon's "Failed Resource Actions".
struct FailedAction {
  std::string resource, task, node;
  std::int64_t interval_ms = 0;
  int rc = 0;
};

// An action the configuration check requires before assignment (Pacemaker
// creates these unattached; they bind to whatever node the action lands on).
struct ForcedAction {
  int rsc = -1;
  std::string task;  // "start", a recurring "monitor", or "stop" (restart, no reload)
  std::int64_t interval_ms = 0;
};

struct WorkingSet {
  const Cib* cib = nullptr;
  std::int64_t now = 0;
  bool sanitized = false;  // private parameters may be masked (ScheduleOptions::sanitized)
  WhyLog* why = nullptr;   // notes of why resources go where they do, when asked (why.h)
  ClusterOptions options;
  std::vector<Node> nodes;
  std::vector<Resource> resources;  // parents before their children
  // Configurations made up for orphans from their history's agent (stable addresses).
  std::deque<ResourceConfig> orphan_configs;
  // The connections of guest nodes, which Pacemaker makes up from remote-node meta-attributes.
  std::deque<ResourceConfig> guest_connection_configs;
  std::vector<int> top_level;  // indices of top-level resources, config order
  // Top-level resources in the order they were placed when capacities count
  // (Pacemaker re-sorts its resource list then, and lists the transition in it).
  std::vector<int> placement_order;
  std::vector<Colocation> colocations;
  // Looked up for every history entry and constraint: hashed, never iterated.
  std::unordered_map<std::string, int> resource_index;
  std::unordered_map<std::string, int> node_index;  // by uname and by id
  std::vector<FailedAction> failed_actions;
  std::vector<std::pair<int, int>> failcount_cleared;  // (resource, node) being cleared
  bool failcountCleared(int rsc, int node) const {
    for (const auto& [r, n] : failcount_cleared) {
      if (r == rsc && n == node) return true;
    }
    return false;
  }
  std::vector<std::string> warnings;
  // crm_simulate -s: the assignment stages record what Pacemaker would print here, only
  // when show_scores is set (score_display.h).
  bool show_scores = false;
  std::vector<ScoreLine> score_lines;
  // ScheduleOptions::pacemaker_defects: reproduce the Pacemaker 2.1.5 defects README lists
  // under "Known differences" (the differential test's evidence), never for a live cluster.
  bool pacemaker_defects = false;
  // Location scores for the promoted role only (rsc_location role="Promoted"):
  // they weigh which instances are promoted, not where instances run.
  struct PromotedLocation {
    int rsc;
    int node;
    Score score;
  };
  std::vector<PromotedLocation> promoted_locations;
  // (node, lrm_resource id) -> the resource that history belongs to, for
  // histories that do not name a resource directly (anonymous clone instances).
  struct HistoryKeyHash {
    std::size_t operator()(const std::pair<int, std::string>& k) const {
      return std::hash<std::string>()(k.second) * 31u + static_cast<std::size_t>(k.first);
    }
  };
  std::unordered_map<std::pair<int, std::string>, int, HistoryKeyHash> history_owner;
  int historyOwner(int node, const std::string& id) const {
    auto it = history_owner.find({node, id});
    return it == history_owner.end() ? findResource(id) : it->second;
  }
  // Fence operations in the order they were first asked for (Pacemaker's pe_fence_op), each
  // with the first reason given. Which are carried out is decided with the actions
  // (fencing.cc): an unclean node is fenced when it can be.
  struct FenceRequest {
    int node = -1;
    std::string reason;
    bool unfence = false;  // "on": let the node use shared storage again
  };
  std::vector<FenceRequest> fence_requests;
  void requestFencing(int node, const std::string& reason, bool unfence = false);
  // Pacemaker's pe_fence_node: a clean node becomes unclean, with a fence operation giving
  // the reason; a node already unclean keeps its first reason. A guest node instead stays
  // clean and needs a reset: its container is marked failed, to be recovered.
  void fenceNode(int node, const std::string& reason);
  // pe_can_fence: fencing is enabled, some device (or the watchdog) can do it, and the
  // partition has quorum, ignores its loss, or the node is still a member; a guest node
  // while the nodes its container is active on are up or can be fenced.
  bool canFence(int node) const;
  // The container of guest node `node` (the resource it runs in), or -1: not a guest, or its
  // connection or container is not configured.
  int guestContainer(int node) const;
  // A resource found in the history but not in the configuration (Pacemaker's
  // process_orphan_resource): stopped wherever it runs unless stop-orphan-resources is
  // false, which leaves it unmanaged. Returns its index.
  int addOrphan(const ResourceHistory& history);

  int findNode(const std::string& name_or_id) const {
    auto it = node_index.find(name_or_id);
    return it == node_index.end() ? -1 : it->second;
  }
  int findResource(const std::string& id) const {
    auto it = resource_index.find(id);
    return it == resource_index.end() ? -1 : it->second;
  }
  bool available(int node) const {
    const Node& n = nodes[static_cast<std::size_t>(node)];
    return n.online && !n.shutdown && !n.unclean && !n.standby && !n.maintenance;
  }
  // Where the resource is active (Pacemaker's pe__find_active_on): the first node it runs
  // on, except that a resource that does not need fencing prefers the first clean member.
  // A partially migrated resource is active on its migration source.
  int currentNode(const Resource& r) const {
    if (r.running_on.empty()) return -1;
    if (r.partial_migration_source >= 0 &&
        std::find(r.running_on.begin(), r.running_on.end(), r.partial_migration_source) !=
            r.running_on.end()) {
      return r.partial_migration_source;
    }
    if (r.start_needs != Resource::Needs::Fencing) {
      for (int n : r.running_on) {
        const Node& node = nodes[static_cast<std::size_t>(n)];
        if (node.online && !node.unclean) return n;
      }
    }
    return r.running_on[0];
  }
};

Role parseRole(const std::string& text);

// Stage 1: typed CIB -> working set (nodes, resources, history, failures).
// `sanitized`: see ScheduleOptions::sanitized.
Result<WorkingSet> buildWorkingSet(const Cib& cib, std::int64_t now, bool sanitized = false);

bool isClone(const Resource& r);
bool isCloneInstance(const WorkingSet& ws, const Resource& r);
// Whether `r` belongs to a promotable clone (an instance or a member of one).
bool inPromotableClone(const WorkingSet& ws, const Resource& r);
// The clone a resource belongs to (itself, its parent or its grandparent), or -1.
int cloneOf(const WorkingSet& ws, int rsc);

// Adds one more instance to clone `clone` (numbered after the existing ones);
// an orphan when the clone already has clone-max instances.
int addCloneInstance(WorkingSet& ws, int clone);

// Pacemaker's op key, e.g. "rsc1_monitor_10000".
std::string opKey(const std::string& rsc, const std::string& task, std::int64_t interval_ms);

}  // namespace pulse::pe

namespace pulse::pe {

// Pacemaker's resource_location(): adds `score` to the resource's score on
// `node` (every node when node < 0), allowing the node if it was absent.
inline void addLocationScore(Resource& r, int node, Score score) {
  auto apply = [&](std::optional<Score>& slot) { slot = addScores(slot.value_or(0), score); };
  if (node < 0) {
    for (auto& slot : r.allowed) apply(slot);
  } else {
    apply(r.allowed[static_cast<std::size_t>(node)]);
  }
}

// resource_location() as Pacemaker applies it to a collective resource: the score goes to the
// resource and to each of its descendants (a clone's instances, a group's members), so that
// the instances themselves avoid a node their clone is banned from.
inline void addLocationScoreToAll(WorkingSet& ws, Resource& r, int node, Score score) {
  addLocationScore(r, node, score);
  std::vector<int> children = r.children;
  for (int c : children) {
    addLocationScoreToAll(ws, ws.resources[static_cast<std::size_t>(c)], node, score);
  }
}

}  // namespace pulse::pe
