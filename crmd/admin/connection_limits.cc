#include "crmd/admin/connection_limits.h"

#include <algorithm>
#include <cassert>

namespace pulse::crmd {
namespace {

constexpr std::uint8_t kChangeCipherSpec = 20;
constexpr std::uint8_t kAlert = 21;
constexpr std::uint8_t kHandshake = 22;
constexpr std::uint8_t kApplicationData = 23;
// The largest record any TLS version allows (TLS 1.2's ciphertext: 2^14 + 2048).
constexpr std::size_t kMaxRecordLength = (1u << 14) + 2048;

}  // namespace

ConnectionLimits fitToDescriptors(ConnectionLimits limits, std::size_t max_descriptors) {
  const std::size_t wanted = (limits.total + limits.members_total) * kDescriptorsPerConnection;
  const std::size_t available =
      max_descriptors > kDescriptorReserve ? max_descriptors - kDescriptorReserve : 0;
  if (wanted <= available) return limits;
  auto scale = [&](std::size_t value) {
    return std::max<std::size_t>(1, value * available / wanted);
  };
  limits.total = scale(limits.total);
  limits.members_total = scale(limits.members_total);
  limits.per_source = std::min(limits.per_source, limits.total);
  limits.per_member = std::min(limits.per_member, limits.members_total);
  return limits;
}

Admission ConnectionCounter::admit(const std::string& source, bool trusted) {
  std::size_t& pool = trusted ? trusted_open_ : untrusted_open_;
  const std::size_t pool_limit = trusted ? limits_.members_total : limits_.total;
  const std::size_t source_limit = trusted ? limits_.per_member : limits_.per_source;
  const auto it = by_source_.find(source);
  if (it != by_source_.end() && it->second >= source_limit) return Admission::kSourceFull;
  if (pool >= pool_limit) return Admission::kPoolFull;
  ++by_source_[source];
  ++pool;
  return Admission::kAccepted;
}

void ConnectionCounter::release(const std::string& source, bool trusted) {
  const auto it = by_source_.find(source);
  assert(it != by_source_.end() && it->second > 0);
  if (it == by_source_.end()) return;
  if (--it->second == 0) by_source_.erase(it);
  std::size_t& pool = trusted ? trusted_open_ : untrusted_open_;
  assert(pool > 0);
  if (pool > 0) --pool;
}

std::size_t ConnectionCounter::openFrom(const std::string& source) const {
  const auto it = by_source_.find(source);
  return it == by_source_.end() ? 0 : it->second;
}

TlsHandshakeWatch::State TlsHandshakeWatch::feed(std::span<const std::uint8_t> bytes) {
  while (!bytes.empty() && state_ == State::kHandshake) {
    if (body_left_ > 0) {
      const std::size_t skip = std::min(body_left_, bytes.size());
      body_left_ -= skip;
      bytes = bytes.subspan(skip);
      continue;
    }
    const std::size_t take = std::min(sizeof header_ - header_have_, bytes.size());
    std::copy_n(bytes.begin(), take, header_ + header_have_);
    header_have_ += take;
    bytes = bytes.subspan(take);
    if (header_have_ < sizeof header_) break;
    header_have_ = 0;
    const std::uint8_t type = header_[0];
    const std::size_t length = (std::size_t{header_[3]} << 8) | header_[4];
    const bool known_type = type == kChangeCipherSpec || type == kAlert || type == kHandshake ||
                            type == kApplicationData;
    // Record-layer versions are 3.0 (SSL 3, seen in some ClientHellos) up to 3.4.
    const bool tls_version = header_[1] == 3 && header_[2] <= 4;
    if (!known_type || !tls_version || length == 0 || length > kMaxRecordLength ||
        (first_record_ && type != kHandshake)) {
      state_ = State::kNotTls;
      break;
    }
    first_record_ = false;
    if (type == kApplicationData) {
      state_ = State::kEstablished;
      break;
    }
    body_left_ = length;
  }
  return state_;
}

}  // namespace pulse::crmd
