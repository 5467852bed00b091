// Actions and their orderings: what each resource must do to get from its
// current role and node to its assigned ones, and the order constraints
// (implied and configured) between those actions, with Pacemaker's rules
// for how a required or unrunnable action affects the actions around it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config_changes.h"
#include "working_set.h"

namespace pulse::pe {

// Ordering flags, after Pacemaker's enum pe_ordering.
enum OrderFlag : std::uint32_t {
  kOrderNone = 0,
  kOrderOptional = 1u << 0,
  kOrderImpliesThen = 1u << 1,
  kOrderImpliesFirst = 1u << 2,
  kOrderRunnableLeft = 1u << 3,
  kOrderRestart = 1u << 4,
  kOrderSerializeOnly = 1u << 5,
  kOrderAsymmetrical = 1u << 6,
  kOrderImpliesThenPrinted = 1u << 7,
  kOrderImpliesFirstPrinted = 1u << 8,
  kOrderOneOrMore = 1u << 9,  // counts towards `then`'s required_runnable_before
  // Migration: `first` (a migrate action) cannot run unless `then` can run as part of the
  // migration, and is required when `then` is.
  kOrderImpliesFirstMigratable = 1u << 10,
  // `then` stops being part of a migration (and a pseudo action) when `first` cannot run.
  kOrderPseudoLeft = 1u << 11,
  // Only in force when `first` is not part of a migration.
  kOrderApplyFirstNonMigratable = 1u << 12,
  // `first` is required when `then` is and `then`'s resource is promoted now (a demote before
  // the stop of the same resource).
  kOrderPromotedImpliesFirst = 1u << 13,
  // Made by the cluster for a guest node's sake (fencing, the guest's connection), and so kept
  // in the graph even between a resource on the guest and the guest's container.
  kOrderPreserve = 1u << 14,
  // Left out of the graph (its effect on the actions' flags stays): an ordering, not preserved,
  // of an action on a guest node before an action of that guest's container, which would
  // make the container wait for what only its own recovery can settle (Pacemaker's
  // ordering_is_invalid).
  kOrderNotInGraph = 1u << 15,
};

struct PlannedAction {
  int id = 0;
  std::string key;
  std::string task;
  int rsc = -1;  // -1: no resource: fencing, or a pseudo-action such as "one-or-more:SET"
  int node = -1;
  std::int64_t interval_ms = 0;
  bool optional = true;
  bool runnable = true;
  bool pseudo = false;
  bool print_always = false;
  // A one-or-more pseudo-action (rsc -1; clone-min, or 1 for a set with
  // require-all="false"): runnable once this many of the actions ordered
  // before it with kOrderOneOrMore are runnable.
  int required_runnable_before = 0;
  bool migrate_runnable = false;  // part of a live migration that can still happen
  std::string reason;
  std::vector<int> before;  // edge indices where this action is `then`
  std::vector<int> after;   // edge indices where this action is `first`
};

// What asked for an ordering, e.g. "<rsc_order id=\"o1\"> (line 12)". One constraint or
// resource makes many orderings and edges (millions in a large cluster): copies share the
// text instead of each holding its own.
class Origin {
 public:
  Origin() = default;
  Origin(std::string text) : text_(std::make_shared<const std::string>(std::move(text))) {}
  Origin(const char* text) : Origin(std::string(text)) {}
  const std::string& text() const {
    static const std::string kNone;
    return text_ ? *text_ : kNone;
  }

 private:
  std::shared_ptr<const std::string> text_;
};

struct ActionEdge {
  int first = 0;
  int then = 0;
  std::uint32_t flags = 0;
  Origin origin;
};

struct ActionPlan {
  std::vector<PlannedAction> actions;
  std::vector<ActionEdge> edges;
  std::vector<std::vector<int>> by_resource;  // action ids per resource index
  std::vector<int> reloading;                 // resources reloaded in place
  std::vector<int> fencing;                   // fence actions (rsc -1, task "stonith")
  // Clone notifications' notify_* meta attributes, by action id: of each instance's notify
  // action and of the instance actions they describe (notifications.h).
  std::map<int, std::map<std::string, std::string>> notify_meta;
};

// Adds the ordering first -> then to the plan (nothing for an action with itself).
void addPlanEdge(ActionPlan& plan, int first, int then, std::uint32_t flags, Origin origin);

// Creates every action and ordering and settles their flags; `changes` (the definition
// check's result) makes starts and monitors required and adds reloads.
Result<ActionPlan> planActions(WorkingSet& ws, const ConfigChanges& changes);

// Whether an ordering between two executed actions binds in the graph (Pacemaker's
// should_add_input_to_graph for migrations): not when it only mattered for a migration that
// is off, or its `first` is part of a migration that makes it moot.
bool edgeInGraph(const ActionPlan& plan, const ActionEdge& edge);

// Whether the action is executed: required, runnable, and not an action of
// an unmanaged resource other than a monitor (those are left alone).
bool inGraph(const WorkingSet& ws, const PlannedAction& action);

// The first action of `rsc` with `task` on `node` (any node when node < 0).
const PlannedAction* findAction(const ActionPlan& plan, int rsc, const std::string& task, int node);

// Ids of the one-shot (interval 0) actions of `rsc` with `task`, on `node`
// or on any node when node < 0.
std::vector<int> actionsWithTask(const ActionPlan& plan, int rsc, const std::string& task,
                                 int node);

}  // namespace pulse::pe
