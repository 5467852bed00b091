#include "crmd/admin/auth_limiter.h"

#include <arpa/inet.h>

#include <cassert>
#include <cstring>

namespace pulse::crmd {
namespace {

std::chrono::milliseconds roundUp(AuthLimiter::TimePoint::duration d) {
  return std::chrono::ceil<std::chrono::milliseconds>(d);
}

}  // namespace

AuthLimiter::Admission AuthLimiter::admit(const std::string& source, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = sources_.find(source);
  if (it != sources_.end() && !it->second.checking && now >= it->second.blocked_until &&
      now - it->second.last_failure >= limits_.forget_after) {
    sources_.erase(it);
    it = sources_.end();
  }
  if (it != sources_.end() && now < it->second.blocked_until) {
    return {Verdict::kBackoff, roundUp(it->second.blocked_until - now)};
  }
  if (in_progress_ >= limits_.max_concurrent || (it != sources_.end() && it->second.checking)) {
    return {Verdict::kBusy, {}};
  }
  if (it == sources_.end()) {
    makeRoomLocked();
    it = sources_.emplace(source, Source{}).first;
  }
  it->second.checking = true;
  ++in_progress_;
  return {Verdict::kAdmitted, {}};
}

std::chrono::milliseconds AuthLimiter::finish(const std::string& source, bool success,
                                              TimePoint now) {
  std::lock_guard lock(mutex_);
  const auto it = sources_.find(source);
  // admit() created the entry, and entries with a check in progress are never removed.
  assert(it != sources_.end() && it->second.checking);
  if (it == sources_.end() || !it->second.checking) return {};
  it->second.checking = false;
  --in_progress_;
  if (success) {
    sources_.erase(it);
    return {};
  }
  Source& s = it->second;
  ++s.failures;
  s.last_failure = now;
  if (s.failures < limits_.free_failures) return {};
  // Doubling from first_backoff; past 2^20 the cap has long been reached (and the shift
  // would overflow soon after).
  const int doublings = s.failures - limits_.free_failures;
  std::chrono::milliseconds backoff = limits_.max_backoff;
  if (doublings < 20)
    backoff = std::min(limits_.max_backoff, limits_.first_backoff * (1 << doublings));
  s.blocked_until = now + backoff;
  return backoff;
}

void AuthLimiter::makeRoomLocked() {
  if (sources_.size() < limits_.max_sources) return;
  auto oldest = sources_.end();
  for (auto it = sources_.begin(); it != sources_.end(); ++it) {
    if (it->second.checking) continue;
    if (oldest == sources_.end() || it->second.last_failure < oldest->second.last_failure) {
      oldest = it;
    }
  }
  // At most max_concurrent sources are checking, fewer than max_sources.
  if (oldest != sources_.end()) sources_.erase(oldest);
}

std::size_t AuthLimiter::sourceCount() const {
  std::lock_guard lock(mutex_);
  return sources_.size();
}

int AuthLimiter::inProgress() const {
  std::lock_guard lock(mutex_);
  return in_progress_;
}

std::string authSource(std::string_view peer) {
  if (peer.starts_with("ipv4:")) {
    const std::string_view rest = peer.substr(5);
    return std::string(rest.substr(0, rest.rfind(':')));
  }
  if (!peer.starts_with("ipv6:")) return std::string(peer);
  // "[addr]:port", or percent-encoded "%5Baddr%5D:port" as newer gRPC writes it; a zone
  // ("%eth0", "%25eth0") is dropped.
  std::string address(peer.substr(5));
  if (address.starts_with("%5B") || address.starts_with("%5b")) address.replace(0, 3, "[");
  if (!address.starts_with("[")) return std::string(peer);
  address = address.substr(1, address.find_first_of("]%", 1) - 1);
  in6_addr ip{};
  if (inet_pton(AF_INET6, address.c_str(), &ip) != 1) return std::string(peer);
  char text[INET6_ADDRSTRLEN] = "";
  if (IN6_IS_ADDR_V4MAPPED(&ip)) {
    in_addr v4{};
    std::memcpy(&v4, &ip.s6_addr[12], 4);
    inet_ntop(AF_INET, &v4, text, sizeof text);
    return text;
  }
  std::memset(&ip.s6_addr[8], 0, 8);
  inet_ntop(AF_INET6, &ip, text, sizeof text);
  return std::string(text) + "/64";
}

std::string waitText(std::chrono::milliseconds wait) {
  const long long seconds = std::max<long long>(1, (wait.count() + 999) / 1000);
  if (seconds < 60) return std::to_string(seconds) + " s";
  const std::string minutes = std::to_string(seconds / 60) + " min";
  return seconds % 60 == 0 ? minutes : minutes + " " + std::to_string(seconds % 60) + " s";
}

}  // namespace pulse::crmd
