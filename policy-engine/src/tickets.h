// Ticket constraints (rsc_ticket): a resource that depends on a ticket may
// run only while the ticket is granted and not in standby.
#pragma once

#include <optional>

#include "working_set.h"

namespace pulse::pe {

// Bans, freezes or marks for fencing what depends on a ticket that is not
// granted or is in standby (Pacemaker 2.1.5's rsc_ticket_new and
// constraints_for_ticket). Runs after the status is read and before the
// location scores and stickiness, as in Pacemaker.
std::optional<Error> applyTickets(WorkingSet& ws);

// Whether `rsc` depends, in the promoted role, on a ticket that is not
// granted or is in standby: then none of its instances may be promoted
// (Pacemaker's pcmk__require_promotion_tickets).
bool lacksPromotionTicket(const WorkingSet& ws, int rsc);

}  // namespace pulse::pe
