// The gate in front of HostAuth's password check. Each check costs a PBKDF2 of
// kPasswordIterations (tens of milliseconds of CPU), and a wrong answer tells a guesser only
// "no", so the gate limits both what one source can try and what all sources together can
// make crmd compute:
//
//  * Per-source backoff: once a source (an IPv4 address, an IPv6 /64, see authSource()) has
//    failed `free_failures` times in a row, it is refused for `first_backoff`, and each further
//    failure refuses it for twice as long as the last, up to `max_backoff`. Calls refused
//    meanwhile cost nothing and do not lengthen the wait; the right password while refused is
//    refused too (the refusal does not depend on the password, so it tells nothing). A success
//    clears the source; so does `forget_after` without a failure once its wait is over.
//  * Concurrency: at most `max_concurrent` checks run at once, and at most one per source;
//    a call beyond that is refused at once (never queued), so a flood costs at most
//    `max_concurrent` cores.
//  * Memory: at most `max_sources` sources are remembered; when a new one arrives at the limit,
//    the one whose last failure is oldest is forgotten (never one with a check in progress).
//
// Time is an argument (steady clock), so tests drive it by hand. Thread-safe: one mutex guards
// the table; gRPC handler threads call admit() and finish() directly.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace pulse::crmd {

struct AuthLimits {
  int free_failures = 5;
  std::chrono::milliseconds first_backoff{1000};
  std::chrono::milliseconds max_backoff{std::chrono::minutes(5)};
  std::chrono::milliseconds forget_after{std::chrono::minutes(15)};
  int max_concurrent = 2;
  std::size_t max_sources = 4096;
};

class AuthLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  enum class Verdict {
    kAdmitted,  // check the password now, then call finish()
    kBackoff,   // the source failed too often: refused until `retry_after` has passed
    kBusy,      // too many checks in progress (here or for this source): retry shortly
  };
  struct Admission {
    Verdict verdict = Verdict::kAdmitted;
    std::chrono::milliseconds retry_after{0};  // kBackoff: how long the source must wait
  };

  explicit AuthLimiter(AuthLimits limits = {}) : limits_(limits) {}

  // Before a password check from `source`. kAdmitted takes a check slot, which the caller
  // must give back with finish() (exactly once).
  Admission admit(const std::string& source, TimePoint now);

  // After an admitted check: frees its slot and records the outcome. Returns the backoff that
  // this failure started (zero when it started none), for the log.
  std::chrono::milliseconds finish(const std::string& source, bool success, TimePoint now);

  // For tests and invariants: remembered sources and checks in progress.
  std::size_t sourceCount() const;
  int inProgress() const;

 private:
  struct Source {
    int failures = 0;           // in a row, since the last success
    TimePoint last_failure{};   // when `failures` last grew
    TimePoint blocked_until{};  // refused before this
    bool checking = false;      // a check from this source is running
  };

  // Forgets the oldest idle source when the table is full. Needs mutex_ held.
  void makeRoomLocked();

  const AuthLimits limits_;
  mutable std::mutex mutex_;
  std::map<std::string, Source> sources_;  // guarded by mutex_
  int in_progress_ = 0;                    // guarded by mutex_; equals the sources checking
};

// The source a gRPC peer string ("ipv4:10.0.0.5:41234", "ipv6:[2001:db8::7]:41234") is
// counted under: the IPv4 address; an IPv4-mapped IPv6 address as IPv4; the /64 of any other
// IPv6 address (one host usually holds a whole /64, so counting single addresses would let it
// pick a fresh one for every guess); anything else as given.
std::string authSource(std::string_view peer);

// "3 s", "2 min 5 s": a wait for an operator to read, rounded up to the second.
std::string waitText(std::chrono::milliseconds wait);

}  // namespace pulse::crmd
