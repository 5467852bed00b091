// The output of the policy engine: what the cluster looks like now, what it
// will look like, and the actions (with their orderings) that get it there.
//
// Invariants of a Transition returned by schedule():
// - the ordering graph over `actions` is acyclic (edges point first -> then);
// - every non-pseudo action names an online node, except fencing (task "stonith", no
//   resource, key "stonith-<node>-<action>"), which names the node to fence;
// - a primitive is active on at most one node in `revised`.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "policy-engine/reasons.h"

namespace pulse::pe {

enum class Role { Unknown, Stopped, Started, Unpromoted, Promoted };
const char* roleName(Role role);

// One node as crm_mon lists it.
struct NodeView {
  std::string name;
  bool online = false;
  bool standby = false;
  bool maintenance = false;
  bool unclean = false;
  int health = 1;       // node-health: -1 red, 0 yellow, 1 green (or no health strategy)
  bool remote = false;  // a Pacemaker Remote node (crm_mon's RemoteOnline/RemoteOFFLINE)
  bool guest = false;   // a guest node (GuestOnline; not listed while offline)
};

// One resource as crm_mon lists it: a primitive, or a group with members.
struct ResourceView {
  std::string id;
  std::string agent;  // "ocf:heartbeat:IPaddr2"; empty for a group
  Role role = Role::Stopped;
  std::vector<std::string> nodes;  // where it is active (more than one: multiply active)
  bool failed = false;
  bool managed = true;
  bool blocked = false;
  bool disabled = false;  // target-role=Stopped
  // An operation in flight, as crm_mon shows it from a pending history entry (op-status -1):
  // `pending` replaces the role ("Starting", "Stopping", "Migrating", "Promoting", "Demoting"),
  // `pending_flag` is added to the flags ("Monitoring"), and `pending_node` is where the
  // operation runs (shown when the resource is active nowhere, e.g. a stop in flight).
  std::string pending;
  std::string pending_flag;
  std::string pending_node;
  std::vector<ResourceView> members;  // group members, in order; a clone's instances
  bool is_group = false;
  bool is_clone = false;
  bool unique = false;      // a globally-unique clone (instances listed one by one)
  bool promotable = false;  // a promotable clone (Promoted: / Unpromoted: lists)
  bool orphan = false;      // no longer configured, or a clone instance beyond clone-max
  std::string cloned;       // a clone's cloned resource; an instance's id without its number
  std::vector<std::string> all_nodes;  // a clone: the nodes it may run on (for "Stopped: [ ]")
};

struct ClusterView {
  std::vector<NodeView> nodes;
  std::vector<ResourceView> resources;
};

// One line of crm_simulate's "Transition Summary".
struct SummaryItem {
  std::string verb;      // Start Stop Move Migrate Recover Restart ..., or "Fence (reboot)"
  std::string resource;  // resource id (the node's name for a fence line)
  std::string details;   // text inside the parentheses, e.g. "node1 -> node2"
  std::string reason;    // e.g. "due to node availability", "blocked"; may be empty; for a
                         // fence line, why the node is fenced ("rsc1 failed there")
};

// One action of the transition graph.
struct Action {
  int id = 0;
  std::string key;       // Pacemaker's operation key: rsc_task_intervalms, or group pseudo keys
  std::string task;      // start stop monitor ... running stopped
  std::string resource;  // empty for node-level actions
  std::string node;      // empty for pseudo actions
  std::int64_t interval_ms = 0;
  bool pseudo = false;
  // What executing it takes (ScheduleOptions::with_execution), filled for every action of a
  // primitive on a node (has_agent),
  // so that an executor needs nothing else from the CIB: the agent, the parameters and meta
  // attributes as the engine read them (id-refs resolved, rule-guarded sets skipped, a
  // group's parameters added), the op's timeout (the op's, else op_defaults', else 20 s) and
  // the operation digest to record with its result, which is the one the engine compares
  // the recorded history against.
  bool has_agent = false;
  std::string rsc_class{}, provider{}, type{};
  std::map<std::string, std::string> params{};
  std::map<std::string, std::string> meta{};
  std::int64_t timeout_ms = 0;
  std::string op_digest{};
  // The rc of a healthy result: 8 (OCF_RUNNING_PROMOTED) for a recurring monitor of an
  // instance that runs Promoted, else 0 (Pacemaker's CRM_meta_op_target_rc).
  int expected_rc = 0;
  // Whether the controller records the action as pending (op-status -1) when it hands it to the
  // node (Pacemaker's record-pending, default true).
  bool record_pending = true;
  // Still run when the transition is aborted, once what it waits for is done (Pacemaker's
  // priority INFINITY): a clone's post-notifications, so that its instances hear what was done
  // even when that changed the CIB (a promotion score write aborts the transition).
  bool survives_abort = false;
};

struct Ordering {
  int first = 0;  // Action::id
  int then = 0;   // Action::id
};

// One line of crm_simulate -s: "<stage>: <resource> allocation score on <node>: <score>"
// (stage: Pacemaker's pcmk__group_assign, pcmk__clone_allocate or pcmk__primitive_assign), or
// "<instance> promotion score on <node>: <score>"; in the order Pacemaker prints them.
struct ScoreLine {
  std::string text;
};

struct Transition {
  std::int64_t now = 0;
  bool used_execution_date = false;
  std::string execution_date_text;
  ClusterView current;
  ClusterView revised;
  std::vector<SummaryItem> summary;
  std::vector<Action> actions;  // in an order consistent with `orderings`
  std::vector<Ordering> orderings;
  std::vector<ScoreLine> scores;
  std::vector<std::string> warnings;     // configuration problems that were tolerated
  std::vector<ResourceReasons> reasons;  // ScheduleOptions::with_reasons: one per resource
};

}  // namespace pulse::pe
