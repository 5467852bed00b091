#include "tickets.h"

#include "why.h"

namespace pulse::pe {
namespace {

using Loss = TicketConstraint::LossPolicy;

class TicketApplier {
 public:
  TicketApplier(WorkingSet& ws, const TicketState& state, Role role, Loss loss)
      : ws_(ws), state_(state), role_(role), loss_(loss) {}

  // constraints_for_ticket(): down to the primitives.
  void apply(int index) {
    Resource& r = ws_.resources[static_cast<std::size_t>(index)];
    if (!r.children.empty()) {
      std::vector<int> children = r.children;
      for (int child : children) apply(child);
      return;
    }
    bool running = !r.running_on.empty();
    if (!state_.granted && running) {
      switch (loss_) {
        case Loss::Stop:
          ban(r);
          break;
        case Loss::Demote:
          // Only promotion is lost for a promoted-role ticket (promotable clones).
          if (role_ != Role::Promoted) ban(r);
          break;
        case Loss::Fence:
          if (!roleMatches(r)) return;
          ban(r);
          for (int node : r.running_on) ws_.fenceNode(node, "deadman ticket was lost");
          break;
        case Loss::Freeze:
          if (!roleMatches(r)) return;
          // A second frozen ticket finds it unmanaged already: still frozen by a ticket.
          r.frozen_by_ticket = r.frozen_by_ticket || (r.managed && !r.blocked);
          r.managed = false;
          r.blocked = true;
          break;
      }
    } else if (!state_.granted || state_.standby) {
      if (role_ != Role::Promoted || loss_ == Loss::Stop) ban(r);
    }
  }

 private:
  bool roleMatches(const Resource& r) const { return role_ == Role::Unknown || role_ == r.role; }
  void ban(Resource& r) { addLocationScore(r, -1, -kInfinity); }

  WorkingSet& ws_;
  const TicketState& state_;
  Role role_;
  Loss loss_;
};

const char* lossPolicyName(Loss loss) {
  switch (loss) {
    case Loss::Stop:
      return "stop";
    case Loss::Demote:
      return "demote";
    case Loss::Fence:
      return "fence";
    case Loss::Freeze:
      return "freeze";
  }
  return "stop";
}

// For pcs resource why: the ticket a resource (and what it contains) lacks, and what its
// loss-policy makes of that (TicketApplier decides it per primitive; this says it once).
void noteTicket(WorkingSet& ws, const TicketConstraint& tc, const TicketState& state, Role role,
                Loss loss, int index) {
  const bool promoted_only = role == Role::Promoted && loss != Loss::Stop;
  const bool bans = !promoted_only && (state.granted || loss != Loss::Freeze);
  noteWhy(ws, index, -1, bans ? ReasonKind::Ticket : ReasonKind::Unmanaged, bans ? -kInfinity : 0,
          [&] {
            std::string text = "ticket " + tc.ticket + " " +
                               (state.granted ? "is in standby" : "is not granted") +
                               " (rsc_ticket " + tc.id;
            if (role != Role::Unknown) text += std::string(" for role ") + roleName(role);
            text += std::string(", loss-policy=") + lossPolicyName(loss) + "): ";
            if (promoted_only) return text + "it is not promoted";
            if (!bans) return text + "frozen where it runs, not started elsewhere";
            if (loss == Loss::Fence && !state.granted) {
              return text + "banned from every node (the nodes it runs on are fenced)";
            }
            return text + "banned from every node";
          });
}

}  // namespace

std::optional<Error> applyTickets(WorkingSet& ws) {
  static const TicketState kNeverGranted;
  for (const TicketConstraint& tc : ws.cib->tickets) {
    int index = ws.findResource(tc.rsc);
    if (index < 0) {
      return Error{"<rsc_ticket id=\"" + tc.id + "\"> (line " + std::to_string(tc.line) +
                   "): resource '" + tc.rsc + "' does not exist"};
    }
    Role role = tc.rsc_role.empty() ? Role::Unknown : parseRole(tc.rsc_role);
    if (role == Role::Started) role = Role::Unknown;
    Loss loss = tc.loss_policy;
    if (loss == Loss::Fence && !ws.options.stonith_enabled) {
      ws.warnings.push_back("rsc_ticket " + tc.id + ": loss-policy 'fence' needs fencing " +
                            "(stonith-enabled); using 'stop'");
      loss = Loss::Stop;
    }
    auto it = ws.cib->ticket_states.find(tc.ticket);
    const TicketState& state = it == ws.cib->ticket_states.end() ? kNeverGranted : it->second;
    if (!state.granted || state.standby) noteTicket(ws, tc, state, role, loss, index);
    if (state.granted && !state.standby) continue;
    TicketApplier(ws, state, role, loss).apply(index);
  }
  return std::nullopt;
}

bool lacksPromotionTicket(const WorkingSet& ws, int rsc) {
  for (const TicketConstraint& tc : ws.cib->tickets) {
    if (tc.rsc_role.empty() || parseRole(tc.rsc_role) != Role::Promoted) continue;
    if (ws.findResource(tc.rsc) != rsc) continue;
    auto it = ws.cib->ticket_states.find(tc.ticket);
    if (it == ws.cib->ticket_states.end() || !it->second.granted || it->second.standby) return true;
  }
  return false;
}

}  // namespace pulse::pe
