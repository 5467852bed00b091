// Clone notifications (a clone with notify=true; Pacemaker's pe_notif.c): around each of the
// clone's stops, starts, demotions and promotions that happen, every instance that runs before
// it is told ahead ("pre") and every instance that runs after it is told afterwards ("post"),
// through its agent's `notify` action, with the OCF_RESKEY_CRM_meta_notify_* variables that say
// what happens where: notify_type, notify_operation, and the instances (and their nodes) that
// start, stop, promote, demote, are active, inactive, promoted and unpromoted.
//
// Runs once the plan's flags are settled: only actions that happen count, and the
// notifications it adds are required and runnable as they are created (no flag pass follows).
#pragma once

#include "actions.h"
#include "working_set.h"

namespace pulse::pe {

// Adds each notify-enabled clone's notification pseudo-actions (CLONE_pre_notify_start_0,
// CLONE_confirmed-pre_notify_start_0, CLONE_post_notify_running_0,
// CLONE_confirmed-post_notify_running_0 ...), its instances' notify actions between them, their
// orderings, and the notify_* variables of the notify actions and of the instance actions they
// describe (plan.notify_meta).
void addNotifications(const WorkingSet& ws, ActionPlan& plan);

}  // namespace pulse::pe
