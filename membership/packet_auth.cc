#include "membership/packet_auth.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "membership/state_file.h"

namespace pulse::membership {

std::string_view toString(DropReason reason) {
  switch (reason) {
    case DropReason::kTruncated:
      return "truncated";
    case DropReason::kOversized:
      return "oversized";
    case DropReason::kBadHeader:
      return "bad_header";
    case DropReason::kForeignCluster:
      return "foreign_cluster";
    case DropReason::kBadTag:
      return "bad_tag";
    case DropReason::kUndecodable:
      return "undecodable";
    case DropReason::kUnknownPeer:
      return "unknown_peer";
    case DropReason::kWrongSource:
      return "wrong_source";
    case DropReason::kReplayed:
      return "replayed";
    case DropReason::kCount:
      break;
  }
  return "unknown";
}

std::uint64_t PacketCounters::droppedTotal() const {
  std::uint64_t total = 0;
  for (std::uint64_t n : dropped) total += n;
  return total;
}

std::string PacketCounters::toString() const {
  std::string out = "accepted " + std::to_string(accepted);
  for (std::size_t i = 0; i < kDropReasonCount; ++i) {
    out += ' ';
    out += pulse::membership::toString(static_cast<DropReason>(i));
    out += ' ';
    out += std::to_string(dropped[i]);
  }
  return out;
}

std::array<std::uint8_t, kClusterIdSize> clusterId(std::string_view cluster_name) {
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(cluster_name.data()), cluster_name.size(),
         digest.data());
  std::array<std::uint8_t, kClusterIdSize> id{};
  std::copy_n(digest.begin(), kClusterIdSize, id.begin());
  return id;
}

Result<PacketCodec> PacketCodec::create(ClusterKey key, std::string_view cluster_name) {
  if (key.size() < kMinClusterKeySize || key.size() > kMaxClusterKeySize) {
    return Error{"cluster key: " + std::to_string(key.size()) + " bytes; expected " +
                 std::to_string(kMinClusterKeySize) + " to " + std::to_string(kMaxClusterKeySize)};
  }
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr;
  EVP_MAC_free(mac);
  std::shared_ptr<void> keyed(ctx, [](void* c) { EVP_MAC_CTX_free(static_cast<EVP_MAC_CTX*>(c)); });
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                               OSSL_PARAM_construct_end()};
  if (ctx == nullptr || EVP_MAC_init(ctx, key.data(), key.size(), params) != 1) {
    return Error{"cluster key: OpenSSL cannot set up HMAC-SHA256"};
  }
  return PacketCodec(cluster_name, std::move(keyed));
}

PacketCodec::PacketCodec(std::string_view cluster_name, std::shared_ptr<void> keyed_mac)
    : keyed_mac_(std::move(keyed_mac)), cluster_id_(clusterId(cluster_name)) {}

std::array<std::uint8_t, kTagSize> PacketCodec::tag(std::span<const std::uint8_t> data) const {
  std::array<std::uint8_t, kTagSize> out{};
  // Fails only on allocation failure; the all-zero tag left then verifies nothing a real key
  // produced by accident.
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(static_cast<const EVP_MAC_CTX*>(keyed_mac_.get()));
  if (ctx == nullptr) return out;
  std::size_t len = 0;
  if (EVP_MAC_update(ctx, data.data(), data.size()) != 1 ||
      EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1) {
    out.fill(0);
  }
  EVP_MAC_CTX_free(ctx);
  return out;
}

namespace {

void putU64(Bytes& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

std::uint64_t getU64(std::span<const std::uint8_t> in) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= static_cast<std::uint64_t>(in[i]) << (8 * i);
  return value;
}

}  // namespace

Bytes PacketCodec::seal(std::span<const std::uint8_t> payload, FrameSequence sequence) const {
  Bytes frame;
  frame.reserve(kFrameHeaderSize + payload.size() + kTagSize);
  frame.insert(frame.end(), kFrameMagic.begin(), kFrameMagic.end());
  frame.push_back(kFrameVersion);
  frame.insert(frame.end(), cluster_id_.begin(), cluster_id_.end());
  putU64(frame, sequence.incarnation);
  putU64(frame, sequence.counter);
  frame.insert(frame.end(), payload.begin(), payload.end());
  auto t = tag(frame);
  frame.insert(frame.end(), t.begin(), t.end());
  return frame;
}

std::variant<OpenedFrame, DropReason> PacketCodec::open(std::span<const std::uint8_t> frame) {
  auto drop = [this](DropReason r) -> std::variant<OpenedFrame, DropReason> {
    counters_.count(r);
    return r;
  };
  if (frame.size() > kMaxFrameSize) return drop(DropReason::kOversized);
  if (frame.size() < kFrameHeaderSize + kTagSize) return drop(DropReason::kTruncated);
  if (!std::equal(kFrameMagic.begin(), kFrameMagic.end(), frame.begin()) ||
      frame[kFrameMagic.size()] != kFrameVersion) {
    return drop(DropReason::kBadHeader);
  }
  if (!std::equal(cluster_id_.begin(), cluster_id_.end(), frame.begin() + kClusterIdOffset)) {
    return drop(DropReason::kForeignCluster);
  }
  const std::size_t signed_size = frame.size() - kTagSize;
  auto expected = tag(frame.first(signed_size));
  // Constant time: a timing side channel must not reveal how many tag bytes were right.
  if (CRYPTO_memcmp(expected.data(), frame.data() + signed_size, kTagSize) != 0) {
    return drop(DropReason::kBadTag);
  }
  Bytes payload(frame.begin() + static_cast<std::ptrdiff_t>(kFrameHeaderSize),
                frame.begin() + static_cast<std::ptrdiff_t>(signed_size));
  auto message = decode(payload);
  if (!message) return drop(DropReason::kUndecodable);
  ++counters_.accepted;
  const FrameSequence sequence{getU64(frame.subspan(kSequenceOffset, 8)),
                               getU64(frame.subspan(kSequenceOffset + 8, 8))};
  return OpenedFrame{std::move(message).value(), std::move(payload), sequence};
}

Result<ClusterKey> generateClusterKey() {
  ClusterKey key(kClusterKeySize);
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return Error{"cluster key: the random generator failed (not seeded?)"};
  }
  return key;
}

Status writeClusterKeyFile(const std::string& path, const ClusterKey& key) {
  if (key.size() < kMinClusterKeySize || key.size() > kMaxClusterKeySize) {
    return Error{"cluster key: " + std::to_string(key.size()) + " bytes is not a valid key"};
  }
  return writeFileAtomically(
      path, std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), 0600);
}

Result<ClusterKey> readClusterKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open key file " + path + ": " + std::strerror(errno)};
  struct stat st {};
  auto fail = [&](std::string message) -> Result<ClusterKey> {
    ::close(fd);
    return Error{"key file " + path + ": " + std::move(message)};
  };
  // fstat on the opened descriptor: the checks apply to the file actually read.
  if (::fstat(fd, &st) != 0) return fail(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return fail("not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail(std::string("mode ") + mode +
                " gives group or other access; the key must be private (chmod 600)");
  }
  if (st.st_size < static_cast<off_t>(kMinClusterKeySize) ||
      st.st_size > static_cast<off_t>(kMaxClusterKeySize)) {
    return fail(std::to_string(st.st_size) + " bytes; expected " +
                std::to_string(kMinClusterKeySize) + " to " + std::to_string(kMaxClusterKeySize));
  }
  ClusterKey key(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < key.size()) {
    ssize_t n = ::read(fd, key.data() + done, key.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(std::strerror(errno));
    if (n == 0) return fail("shorter than its size");
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return key;
}

}  // namespace pulse::membership
