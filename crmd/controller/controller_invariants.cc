// Controller::checkInvariants(): the invariants listed in controller.h that can be read off the
// state between two inputs. Tests call it after every input (tests/controller), and debug and
// sanitizer builds of crmd after every event (common/invariants.h).
#include <set>
#include <utility>

#include "crmd/controller/controller.h"

namespace pulse::crmd {

Status Controller::checkInvariants() const {
  const auto fail = [&](const std::string& invariant, const std::string& detail) {
    return Status(Error{"controller invariant \"" + invariant + "\" broken: " + detail});
  };
  // Nothing happens unless this node is DC.
  if (!dc_ && (!queued_.empty() || in_flight_ || runner_ || !dispatched_.empty() ||
               !fencing_.empty() || !graph_fencing_.empty())) {
    return fail("nothing happens unless DC",
                "not DC, yet " + std::to_string(queued_.size()) + " queued changes, " +
                    std::to_string(dispatched_.size()) + " awaited results, " +
                    std::to_string(fencing_.size()) + " fencing entries" +
                    (in_flight_ ? ", a write in flight" : "") + (runner_ ? ", a transition" : ""));
  }
  // A fence action of the transition is awaited only while that transition runs.
  if (!graph_fencing_.empty() && !runner_) {
    return fail("graph fencing belongs to the running transition",
                std::to_string(graph_fencing_.size()) + " fence actions awaited, no transition");
  }
  if (in_flight_) {
    // At most one status write in flight, and it carries at least one change.
    if (in_flight_->changes.empty()) {
      return fail("a write carries the queued changes",
                  "write " + std::to_string(in_flight_->token) + " in flight carries none");
    }
    if (in_flight_->token >= next_token_) {
      return fail("one write in flight",
                  "in-flight token " + std::to_string(in_flight_->token) + " was never handed out");
    }
    // The next write waits until the previous one is acknowledged and confirmed; once both,
    // it is committed at once and no longer in flight.
    if (in_flight_->acknowledged && in_flight_->seen) {
      return fail("a write acknowledged and confirmed is committed",
                  "write " + std::to_string(in_flight_->token) + " is both and still in flight");
    }
  }
  // The engine ran on the CIB the running transition came from, never on a newer one.
  if (runner_ && !scheduled_on_) {
    return fail("the engine runs on a confirmed CIB", "a transition without a scheduled stamp");
  }
  if (scheduled_on_ && stamp_ < *scheduled_on_) {
    return fail("the engine runs on a confirmed CIB", "scheduled on " + toString(*scheduled_on_) +
                                                          ", newer than the confirmed " +
                                                          toString(stamp_));
  }
  // Probes carry ids from kFirstProbeId up, are not part of a transition, and are never
  // outstanding twice; transition actions are awaited only while their transition runs.
  std::set<std::pair<std::string, std::string>> probes;
  for (const auto& [id, d] : dispatched_) {
    const bool probe_id = id >= kFirstProbeId;
    if (probe_id == d.in_runner) {
      return fail("probes are not part of any transition",
                  "action " + std::to_string(id) + " (" + d.request.resource + " on " +
                      d.request.node + ") " + (d.in_runner ? "is" : "is not") +
                      " in the transition");
    }
    if (probe_id && id >= next_probe_id_) {
      return fail("probes carry ids from kFirstProbeId up",
                  "probe " + std::to_string(id) + " was never handed out");
    }
    if (!probe_id && !runner_) {
      return fail("actions complete in the runner",
                  "action " + std::to_string(id) + " is awaited with no transition running");
    }
    if (!d.in_runner && !probes.emplace(d.request.node, d.request.resource).second) {
      return fail("a probe is never outstanding twice",
                  d.request.resource + " on " + d.request.node + " is probed twice");
    }
  }
  return {};
}

}  // namespace pulse::crmd
