// Live migration, after Pacemaker 2.1.5's pcmk_sched_migration.c: a resource with
// allow-migrate that moves is migrated (migrate_to on the old node, migrate_from on the
// new one, then the old node's stop; the start becomes a pseudo action) as long as every
// action the migration relies on stays runnable as part of it. The orderings below let
// action_flags.cc turn the migration back into a stop and start when it cannot happen.
#pragma once

#include "actions.h"

namespace pulse::pe {

// Pacemaker's unpack_migrate_to_success, for a successful migrate_to replayed on `source`:
// unless later operations settled it, the resource counts as active on the migration
// target too (a migration cut short), as gone from the source when the target's
// migrate_from succeeded, or as failed when neither node can tell.
void unpackMigrateToSuccess(WorkingSet& ws, Resource& r, int source, const OperationRecord& op);

// Pacemaker's unpack_migrate_to_failure, for a failed migrate_to replayed on `source`: the
// resource counts as active on the source and, unless newer history on the migration target
// says otherwise, on the target too (listed first, as Pacemaker records it there first).
void unpackMigrateToFailure(WorkingSet& ws, Resource& r, int source, const OperationRecord& op);

// pcmk__rsc_can_migrate: allowed, managed, not failed, no start pending, and both nodes clean.
bool canMigrate(const WorkingSet& ws, const Resource& r, int current);

// Adds migrate_to/migrate_from for `rsc` (whose stop on `current` and start on its assigned
// node exist) and the orderings that tie them to that stop and start.
void planMigration(WorkingSet& ws, ActionPlan& plan, int rsc, int current);

}  // namespace pulse::pe
