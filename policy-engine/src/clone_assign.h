// Clone assignment after Pacemaker 2.1.5's pcmk__clone_allocate and
// distribute_children, and colocations with a clone as the primary
// (pcmk__clone_apply_coloc_score). The per-resource steps (assigning a
// primitive or group instance, applying one colocation) stay in assign.cc and
// are reached through AssignSteps.
#pragma once

#include <optional>
#include <vector>

#include "working_set.h"

namespace pulse::pe {

class AssignSteps {
 public:
  virtual ~AssignSteps() = default;
  // Assigns a resource of any kind, preferring `prefer` when it is as good as the best node.
  virtual int assign(int index, int prefer) = 0;
  // Applies colocation `c` of `dependent` with `primary` (a primitive, group or clone).
  virtual void applyColocScore(int dependent, int primary, const Colocation& c) = 0;
  // Merges the node scores of what is colocated with `index` (colocation `ci`) into its own.
  virtual void applyWithThis(int index, int ci) = 0;
  // Undoes an assignment (the resource and its members become provisional again).
  virtual void unassign(int index) = 0;
  // Merges `other`'s node scores (and what is colocated with it), scaled by
  // `factor`, into `target`'s (Pacemaker's pcmk__add_colocated_node_scores).
  virtual void mergeColocatedScores(int target, int other, const std::string& attr, float factor,
                                    bool only_active, bool nonnegative) = 0;
  // The same merge into a node table of the caller's rather than a resource's scores.
  virtual void mergeColocatedScoresInto(NodeScores& nodes, int other, const std::string& attr,
                                        float factor, bool only_active, bool nonnegative) = 0;
};

// Pacemaker's pcmk__cmp_instance: the order in which a clone's instances are assigned, and
// the last tie-break of their promotion order. Prefers, in turn: an active instance that is
// less multiply active, one not active on a node it may no longer run on, a higher priority,
// an active one, one whose current node can run resources, one whose clone is allowed on its
// current node, one that did not fail, one whose clone's colocations score its current node
// higher, then the lower instance number. Without the comparison of instances per current
// node (Pacemaker's node counts are all zero when promotion sorts).
class InstanceOrder {
 public:
  InstanceOrder(WorkingSet& ws, AssignSteps& steps, int clone);
  // Negative when `a` goes first, positive when `b` does, 0 when either may.
  int compare(int a, int b);

 private:
  bool allowedByClone(int node) const;
  // Pacemaker's cmp_instance_by_colocation, for an active instance: its current node's score
  // once the clone's colocations are applied to a table holding only that node. Computed once
  // per instance: a sort compares them many times.
  Score colocatedScoreOnCurrentNode(int instance);
  static int instanceNumber(const Resource& r);

  WorkingSet& ws_;
  AssignSteps& steps_;
  int clone_;
  std::vector<std::optional<Score>> colocated_;
};

// Assigns every instance of `clone` (Pacemaker's pcmk__clone_allocate).
void assignClone(WorkingSet& ws, AssignSteps& steps, int clone);

// Colocation `c` of `dependent` (a primitive or an instance) with clone `clone`.
void applyColocationWithClone(WorkingSet& ws, AssignSteps& steps, int dependent, int clone,
                              const Colocation& c);

// The instance of `clone` placed on the node of `instance` (its assigned node,
// or with `current` the node it runs on now); when `instance` has no such node
// yet, the first of its allowed nodes (best first) where an instance is placed.
// -1 when none (Pacemaker's find_compatible_child).
int compatibleInstance(const WorkingSet& ws, int instance, int clone, bool current);

// Where a resource is (current) or will be placed; -1 when nowhere.
int placedOn(const WorkingSet& ws, const Resource& r, bool current);

// Inserts colocation `coloc` into `list` in the order the assigner walks them.
void insertColocation(WorkingSet& ws, std::vector<int>& list, int coloc, bool by_primary);

}  // namespace pulse::pe
