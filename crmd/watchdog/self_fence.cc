#include "crmd/watchdog/self_fence.h"

#include <algorithm>
#include <string>

namespace pulse::crmd {

namespace {

Status positive(milliseconds value, const char* name) {
  if (value.count() <= 0) {
    return Error{std::string(name) + " must be positive, got " + std::to_string(value.count()) +
                 " ms"};
  }
  return {};
}

}  // namespace

Status validate(const membership::Timing& membership, const SelfFenceTiming& timing) {
  for (auto [value, name] : {std::pair{timing.pet_interval, "pet interval"},
                             std::pair{timing.watchdog_timeout, "watchdog timeout"},
                             std::pair{timing.membership_tick, "membership tick"},
                             std::pair{membership.heartbeat, "heartbeat interval"}}) {
    if (Status s = positive(value, name); !s.ok()) return s;
  }
  if (timing.network_delay.count() < 0 || timing.fence_action.count() < 0) {
    return Error{"network delay and fence action time must not be negative"};
  }
  if (timing.watchdog_timeout <= timing.pet_interval) {
    return Error{"watchdog timeout (" + std::to_string(timing.watchdog_timeout.count()) +
                 " ms) must be longer than the pet interval (" +
                 std::to_string(timing.pet_interval.count()) + " ms)"};
  }
  if (timing.network_delay >= membership.heartbeat) {
    return Error{"network delay must be below the heartbeat interval"};
  }
  return {};
}

milliseconds minimumWatchdogWait(const membership::Timing& membership,
                                 const SelfFenceTiming& timing) {
  const milliseconds t = membership.token, h = membership.heartbeat;
  const milliseconds s = membership.contactWindow();  // the window QuorumContact uses
  const milliseconds d = timing.network_delay, k = timing.membership_tick;
  const milliseconds symmetric = s + h + d - t;
  const milliseconds asymmetric = s + 2 * h + 2 * d - t;
  const milliseconds partial = 2 * d + k;
  const milliseconds wait = std::max({symmetric, asymmetric, partial}) + timing.watchdog_timeout +
                            timing.pet_interval + timing.fence_action;
  return std::max(wait, milliseconds{0});
}

bool WatchdogFeeder::shouldPet(TimePoint now, TimePoint last_contact) {
  if (lapsed_) return false;
  const bool fresh = last_contact != TimePoint::min() && now - last_contact < window_;
  if (fresh) {
    armed_ = true;
    return true;
  }
  if (!armed_) return true;
  lapsed_ = true;
  return false;
}

}  // namespace pulse::crmd
