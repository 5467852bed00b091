#include "crmd/controller/transition_runner.h"

#include <algorithm>

namespace pulse::crmd {

bool isExpectedResult(const pe::Action& action, int ocf_rc) {
  constexpr int kOk = 0;
  constexpr int kNotRunning = 7;
  constexpr int kRunningPromoted = 8;
  if (action.task == "monitor" && action.interval_ms == 0) {
    return ocf_rc == kOk || ocf_rc == kNotRunning || ocf_rc == kRunningPromoted;
  }
  // A recurring monitor succeeds with the rc its role calls for: 8 for a Promoted instance,
  // 0 otherwise (a Promoted answer where Unpromoted was expected is a failure, as in Pacemaker).
  if (action.task == "monitor") return ocf_rc == action.expected_rc;
  return ocf_rc == kOk;
}

TransitionRunner::TransitionRunner(pe::Transition transition)
    : transition_(std::move(transition)) {}

Result<TransitionRunner> TransitionRunner::create(pe::Transition transition) {
  TransitionRunner runner(std::move(transition));
  const auto& actions = runner.transition_.actions;
  for (std::size_t i = 0; i < actions.size(); ++i) {
    if (!runner.index_.emplace(actions[i].id, i).second) {
      return Error{"transition: action id " + std::to_string(actions[i].id) + " appears twice"};
    }
    runner.before_[actions[i].id];
  }
  for (const pe::Ordering& o : runner.transition_.orderings) {
    if (!runner.index_.contains(o.first) || !runner.index_.contains(o.then)) {
      return Error{"transition: ordering " + std::to_string(o.first) + " -> " +
                   std::to_string(o.then) + " names an unknown action"};
    }
    runner.before_[o.then].push_back(o.first);
  }
  // Kahn's algorithm: every action must be reachable in some order, else there is a cycle and
  // the walk would stall forever.
  std::map<int, std::size_t> waiting;
  std::map<int, std::vector<int>> after;
  for (const auto& [id, firsts] : runner.before_) {
    waiting[id] = firsts.size();
    for (int first : firsts) after[first].push_back(id);
  }
  std::vector<int> free;
  for (const auto& [id, count] : waiting) {
    if (count == 0) free.push_back(id);
  }
  std::size_t seen = 0;
  while (!free.empty()) {
    const int id = free.back();
    free.pop_back();
    ++seen;
    for (int then : after[id]) {
      if (--waiting[then] == 0) free.push_back(then);
    }
  }
  if (seen != actions.size()) return Error{"transition: the orderings contain a cycle"};
  return runner;
}

std::vector<pe::Action> TransitionRunner::ready() {
  std::vector<pe::Action> out;
  // Completing a pseudo action can free others, so sweep until nothing changes; graphs are
  // small (hundreds of actions), and each sweep is linear.
  bool progress = true;
  while (progress) {
    progress = false;
    for (const pe::Action& action : transition_.actions) {
      if (handed_out_.contains(action.id)) continue;
      const auto& firsts = before_.at(action.id);
      const bool runnable = std::all_of(firsts.begin(), firsts.end(),
                                        [this](int first) { return completed_.contains(first); });
      // Once aborted, only pseudo actions and those that survive an abort go on (Pacemaker
      // skips a synapse whose priority is below the abort's; pseudo ones never are).
      if (!runnable || (aborted() && !action.pseudo && !action.survives_abort)) continue;
      handed_out_.insert(action.id);
      if (action.pseudo) {
        completed_.insert(action.id);
        progress = true;
      } else {
        in_flight_.insert(action.id);
        out.push_back(action);
      }
    }
  }
  return out;
}

Status TransitionRunner::complete(int action_id, bool succeeded, const std::string& reason) {
  if (in_flight_.erase(action_id) == 0) {
    return Error{"transition: action " + std::to_string(action_id) + " is not in flight"};
  }
  if (succeeded) {
    completed_.insert(action_id);
  } else if (!aborted()) {
    const pe::Action& action = transition_.actions[index_.at(action_id)];
    abort_reason_ = action.key + (action.node.empty() ? "" : " on " + action.node) + " failed" +
                    (reason.empty() ? "" : ": " + reason);
  }
  return {};
}

void TransitionRunner::abort(const std::string& reason) {
  if (!aborted()) abort_reason_ = reason.empty() ? "aborted" : reason;
}

bool TransitionRunner::finished() const {
  if (!in_flight_.empty()) return false;
  return aborted() || completed_.size() == transition_.actions.size();
}

}  // namespace pulse::crmd
