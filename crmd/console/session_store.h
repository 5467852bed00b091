// The console's login sessions: what the browser's cookie stands for once the hacluster
// password was right. A session id is 32 random bytes (64 hex digits, 256 bits) and is kept
// only as its SHA-256: the table is looked up by that hash, so a lookup's timing tells nothing
// about the ids that exist (a guess would have to match a hash). Each session has its own CSRF
// token (another 32 random bytes) that every request that changes something must carry in the
// X-CSRF-Token header.
//
// Expiry: a session ends `idle` after its last use or `absolute` after login, whichever comes
// first; logout ends it at once. At most `max_sessions` live at once: a login beyond that
// ends the session used least recently.
//
// Time is an argument (steady clock) so tests drive it; randomness comes from OpenSSL's
// RAND_bytes through crmd/client/crypto.h. Thread-safe: one mutex guards the table.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"

namespace pulse::crmd::console {

struct SessionLimits {
  std::chrono::seconds idle{std::chrono::minutes(30)};
  std::chrono::seconds absolute{std::chrono::hours(12)};
  std::size_t max_sessions = 256;
};

struct NewSession {
  std::string id;    // for the cookie; never stored
  std::string csrf;  // for the page, which sends it back as X-CSRF-Token
};

struct SessionInfo {
  std::string user;
  std::string csrf;
};

class SessionStore {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  explicit SessionStore(SessionLimits limits = {}) : limits_(limits) {}

  // A fresh session for `user`; an Error only when the system has no randomness to give.
  Result<NewSession> create(const std::string& user, TimePoint now);
  // The session `id` names, when it is live at `now` (its idle clock restarts); nullopt for an
  // unknown, expired or malformed id.
  std::optional<SessionInfo> check(const std::string& id, TimePoint now);
  // Ends the session; unknown ids are ignored.
  void end(const std::string& id);
  std::size_t size() const;

 private:
  struct Session {
    std::string user;
    std::string csrf;
    TimePoint created;
    TimePoint last_used;
  };
  void dropExpiredLocked(TimePoint now);

  const SessionLimits limits_;
  mutable std::mutex mutex_;
  std::map<std::string, Session> sessions_;  // by SHA-256 hex of the id; guarded by mutex_
};

// The value of cookie `name` in a Cookie header ("a=1; pulse_session=abc"); "" when absent.
std::string cookieValue(const std::string& header, const std::string& name);

// The Set-Cookie value for a session id: Secure, HttpOnly, SameSite=Strict, Path=/, and a
// Max-Age of `max_age` seconds (0 clears the cookie).
std::string sessionCookie(const std::string& id, std::chrono::seconds max_age);

inline constexpr char kSessionCookie[] = "pulse_session";

}  // namespace pulse::crmd::console
