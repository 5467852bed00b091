// Why the engine placed a resource where it did (ScheduleOptions::with_reasons): the
// contributions the deciding stages recorded while they decided, and the node scores the
// assignment ended with. `pcs resource why` and `crm_resource --why` print them.
//
// Recording never changes a decision: the stages add a note beside the score they apply, and
// only when a run asked for reasons (otherwise the log is absent and nothing is recorded).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pulse::pe {

enum class ReasonKind {
  Location,     // rsc_location (constraint id and score), shutdown lock
  Colocation,   // rsc_colocation with a resource placed (or not) somewhere
  Stickiness,   // resource-stickiness on the node it runs on
  FailCount,    // the fail count reached migration-threshold
  NodeState,    // offline, standby, maintenance, unclean, shutting down
  Health,       // node health (node-health-strategy, #health-* attributes)
  Ticket,       // rsc_ticket with a ticket not granted (or standby)
  Utilization,  // the node's remaining capacity is short of what the resource needs
  Quorum,       // the partition has no quorum (no-quorum-policy)
  TargetRole,   // target-role=Stopped (or Started/Unpromoted keeps it from promotion)
  Unmanaged,    // is-managed=false, maintenance, a frozen ticket, no fence device
  Dependency,   // a mandatory colocation or order with a resource that cannot run
  Promotion,    // a promotable clone instance without a promotion score
  CloneLimit,   // clone-node-max: the node already has as many instances as it may
  Cluster,      // cluster-wide: stop-all-resources
};
const char* reasonKindName(ReasonKind kind);

// One contribution. `score` is what it added to the node's score (0 when it does not score).
struct PlacementReason {
  ReasonKind kind = ReasonKind::Location;
  std::string resource;  // the resource it was recorded on: this one, its group or clone, or
                         // a member or instance of it
  std::string node;      // "" when it holds on every node
  std::int64_t score = 0;
  std::string text;  // "location constraint cli-ban-vip-on-node1 (score -INFINITY)"
};

// A node's final score for one primitive (absent: not allowed there at all).
struct NodeScore {
  std::string node;
  std::optional<std::int64_t> score;
  bool available = false;  // online, not standby/maintenance/unclean/shutting down
};

struct ResourceReasons {
  std::string resource;
  std::string parent;  // its group or clone, "" at the top level
  // Primitives (this one, or the members/instances of a group or clone): final node scores.
  struct Scores {
    std::string resource;
    std::string assigned;  // the node chosen, "" when it is to be stopped
    std::vector<NodeScore> nodes;
  };
  std::vector<Scores> scores;
  std::vector<PlacementReason> reasons;  // in the order the engine decided them
};

}  // namespace pulse::pe
