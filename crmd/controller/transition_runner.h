// The DC's walk through one transition graph (pacemaker-controld's te_* role), as a pure
// state machine: it hands out the actions whose predecessors have all completed, as many at
// once as the graph allows, and takes their results. No I/O and no clock; crmd sends the
// actions to the nodes' executors and feeds the results back.
//
// Pacemaker's rule for a failed action: the transition is aborted. No further action is handed
// out, the actions already in flight are waited for (their results still matter: they go into
// the CIB status), and then the transition is over; the DC runs the policy engine again on
// the new status.
//
// Invariants:
//  * an action is handed out at most once, and only after every action ordered before it has
//    completed successfully;
//  * pseudo actions (group "running"/"stopped" markers and the like) run nowhere: they complete
//    as soon as they are ready;
//  * once aborted, ready() hands out nothing; finished() becomes true when nothing is in flight.
//
// Thread-safety: none; the DC's io_context owns it.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "policy-engine/transition.h"

namespace pulse::crmd {

// Which OCF exit codes count as success for an action: a probe (monitor, interval 0) finds the
// resource running (0), stopped (7) or promoted (8) and all three are information, not
// failure; a recurring monitor expects action.expected_rc (8 for a Promoted instance); a stop of
// an already stopped resource returns 0; everything else expects 0.
bool isExpectedResult(const pe::Action& action, int ocf_rc);

class TransitionRunner {
 public:
  // Fails when an ordering names an action that is not in the transition, or the orderings
  // have a cycle (the engine never produces one, but a stored graph may be damaged).
  static Result<TransitionRunner> create(pe::Transition transition);

  // The actions that became runnable since the last call, now counted as in flight. Pseudo
  // actions never appear: they complete inside this call, possibly making others ready. After
  // an abort only pseudo actions and those marked survives_abort (post-notifications) go on.
  std::vector<pe::Action> ready();

  // The result of an action handed out by ready(). An unexpected result aborts the transition
  // (`reason` says why, for the log). An id that is not in flight is an Error.
  Status complete(int action_id, bool succeeded, const std::string& reason = "");

  // Stop handing out actions (a new CIB change or a node loss makes this graph stale), but
  // those that survive an abort.
  void abort(const std::string& reason);

  bool aborted() const { return !abort_reason_.empty(); }
  const std::string& abortReason() const { return abort_reason_; }
  // Nothing in flight and nothing more will be handed out: every action completed, or the
  // transition was aborted and the in-flight ones have reported.
  bool finished() const;
  std::size_t inFlight() const { return in_flight_.size(); }
  std::size_t completed() const { return completed_.size(); }
  const pe::Transition& transition() const { return transition_; }

 private:
  explicit TransitionRunner(pe::Transition transition);

  pe::Transition transition_;
  std::map<int, std::size_t> index_;        // action id -> position in transition_.actions
  std::map<int, std::vector<int>> before_;  // action id -> ids ordered before it
  std::set<int> in_flight_;
  std::set<int> completed_;  // completed successfully
  std::set<int> handed_out_;
  std::string abort_reason_;
};

}  // namespace pulse::crmd
