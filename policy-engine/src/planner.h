// The action planner behind planActions (actions.h): one pass over the working set that
// creates every resource's actions (actions.cc), their recurring monitors (role_monitors.cc)
// and the orderings between them (orderings.cc), then settles the flags (action_flags.cc).
// Internal to those files: the rest of the engine calls planActions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "actions.h"
#include "clone_actions.h"
#include "config_changes.h"
#include "order_sets.h"
#include "working_set.h"

namespace pulse::pe {

inline bool isGroup(const Resource& r) { return r.kind == ResourceConfig::Kind::Group; }

class Planner {
 public:
  Planner(WorkingSet& ws, const ConfigChanges& changes) : ws_(ws), changes_(changes) {}

  Result<ActionPlan> run();

 private:
  Resource& rsc(int i) { return ws_.resources[static_cast<std::size_t>(i)]; }
  PlannedAction& act(int i) { return plan_.actions[static_cast<std::size_t>(i)]; }

  // What customAction() and pseudoAction() find an action by: one per resource, task,
  // interval and node (pseudo-actions of no resource by name, as kPseudoResource).
  static constexpr int kPseudoResource = -2;
  struct ActionKey {
    int r;
    int node;
    std::int64_t interval;
    std::string task;
    bool operator==(const ActionKey&) const = default;
  };
  struct ActionKeyHash {
    std::size_t operator()(const ActionKey& k) const {
      std::size_t h = std::hash<std::string>()(k.task);
      h = h * 31 + static_cast<std::size_t>(k.r);
      h = h * 31 + static_cast<std::size_t>(k.node);
      return h * 31 + static_cast<std::size_t>(k.interval);
    }
  };

  std::vector<int> actionsOf(int r, const std::string& task, int node = -1) {
    return actionsWithTask(plan_, r, task, node);
  }

  void addEdge(int first, int then, std::uint32_t flags, Origin origin) {
    addPlanEdge(plan_, first, then, flags, std::move(origin));
  }

  static ResourceOrderingRef refOf(const ResourceOrdering& o) {
    return {o.first_rsc, o.first_task, o.then_rsc, o.then_task, o.flags, o.origin};
  }

  void order(int first_rsc, const std::string& first_task, int then_rsc,
             const std::string& then_task, std::uint32_t flags) {
    orderings_.push_back({first_rsc, first_task, then_rsc, then_task, flags, origin_});
  }

  // Actions (actions.cc).
  void updateRunnable(PlannedAction& a);
  int customAction(int r, const std::string& task, std::int64_t interval, int node, bool optional,
                   bool pseudo = false);
  void stopResource(int r, bool optional);
  void promoteResource(int r, bool optional);
  void demoteResource(int r, bool optional);
  void startResource(int r, int node, bool optional);
  void createPrimitiveActions(int index);
  bool startForced(int index) const;
  void blockStartUntilProbed(int index);
  void createCloneActions(int index);
  void createActions(int index);
  void applyForced();
  void applyReloads();

  // Recurring monitors (role_monitors.cc).
  bool inMaintenance(const Resource& r);
  void createRecurring(int index);
  void cancelRecurring(int index, std::int64_t interval_ms);

  // Orderings (orderings.cc).
  std::optional<Error> configOrderings();
  void cloneConstraints(int index);
  void internalConstraints(int index);
  int pseudoAction(const std::string& name);
  void expand(const ResourceOrdering& o);
  void orderMigrationEquivalents(const ResourceOrdering& o, const std::string& first_task);
  void expandWithPseudo(const ResourceOrdering& o);

  WorkingSet& ws_;
  const ConfigChanges& changes_;
  ActionPlan plan_;
  std::unordered_map<ActionKey, int, ActionKeyHash> index_;
  std::vector<ResourceOrdering> orderings_;
  std::vector<CloneMinOrdering> clone_min_;
  Origin origin_;  // names the constraint behind the orderings being added
};

}  // namespace pulse::pe
