#include "crmd/console/session_store.h"

#include <algorithm>

#include "crmd/client/crypto.h"

namespace pulse::crmd::console {

Result<NewSession> SessionStore::create(const std::string& user, TimePoint now) {
  auto id = randomBytes(32);
  if (!id) return Error{"session id: " + id.error().message};
  auto csrf = randomBytes(32);
  if (!csrf) return Error{"session CSRF token: " + csrf.error().message};
  NewSession fresh{toHex(*id), toHex(*csrf)};
  std::lock_guard lock(mutex_);
  dropExpiredLocked(now);
  while (!sessions_.empty() && sessions_.size() >= limits_.max_sessions) {
    auto oldest = std::min_element(
        sessions_.begin(), sessions_.end(),
        [](const auto& a, const auto& b) { return a.second.last_used < b.second.last_used; });
    sessions_.erase(oldest);
  }
  sessions_[sha256Hex(fresh.id)] = Session{user, fresh.csrf, now, now};
  return fresh;
}

std::optional<SessionInfo> SessionStore::check(const std::string& id, TimePoint now) {
  // Only well-formed ids are hashed and looked up: 64 lower-case hex digits.
  if (id.size() != 64 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return std::nullopt;
  }
  std::lock_guard lock(mutex_);
  dropExpiredLocked(now);
  auto it = sessions_.find(sha256Hex(id));
  if (it == sessions_.end()) return std::nullopt;
  it->second.last_used = now;
  return SessionInfo{it->second.user, it->second.csrf};
}

void SessionStore::end(const std::string& id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(sha256Hex(id));
}

std::size_t SessionStore::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void SessionStore::dropExpiredLocked(TimePoint now) {
  std::erase_if(sessions_, [&](const auto& entry) {
    const Session& s = entry.second;
    return now - s.last_used >= limits_.idle || now - s.created >= limits_.absolute;
  });
}

std::string cookieValue(const std::string& header, const std::string& name) {
  std::size_t at = 0;
  while (at < header.size()) {
    std::size_t end = header.find(';', at);
    if (end == std::string::npos) end = header.size();
    std::string pair = header.substr(at, end - at);
    const std::size_t first = pair.find_first_not_of(' ');
    pair = first == std::string::npos ? "" : pair.substr(first);
    const std::size_t eq = pair.find('=');
    if (eq != std::string::npos && pair.substr(0, eq) == name) {
      std::string value = pair.substr(eq + 1);
      while (!value.empty() && value.back() == ' ') value.pop_back();
      return value;
    }
    at = end + 1;
  }
  return "";
}

std::string sessionCookie(const std::string& id, std::chrono::seconds max_age) {
  return std::string(kSessionCookie) + "=" + id +
         "; Path=/; Max-Age=" + std::to_string(max_age.count()) +
         "; Secure; HttpOnly; SameSite=Strict";
}

}  // namespace pulse::crmd::console
