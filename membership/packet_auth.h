// Authenticated framing of membership messages on the wire (corosync's crypto_hash role).
//
// Frame, version 2 (sizes in bytes, integers little-endian):
//   magic "PLSM" (4) | frame version (1) | cluster id (8)
//   | incarnation (8) | counter (8) | payload | tag (32)
// payload is one core message (message.h); tag = HMAC-SHA256(cluster key, everything before
// it). The cluster id is the first 8 bytes of SHA-256(cluster_name): not a secret, it only
// lets a node tell "another cluster shares this port" from "forged or corrupted". Only the
// tag authenticates; a frame is accepted only if the tag verifies (compared in constant time)
// and the payload decodes, so the authenticated sender field of the message is trustworthy
// as far as the key is (every key holder is a cluster member).
//
// Replay protection. (incarnation, counter) is the frame's FrameSequence, inside the MAC: the
// sender's incarnation (persisted, grows at every start; see startingState() in
// state_file.h) and a counter that starts at 1 and grows by one at every frame it seals in that
// incarnation. The receiver (the service, with a ReplayWindow, replay_window.h) accepts a frame
// only if its sequence is greater than every sequence it accepted from that sender, ordered by
// incarnation, then counter; anything else is dropped and counted as kReplayed. So a captured
// frame (heartbeat, proposal, commit, NodeInfo...) is accepted at most once by a running node,
// and never after a newer one: a dead node cannot be kept alive by resending its heartbeats.
// Residual: a receiver that restarted has forgotten what it accepted; until it hears the
// sender itself again, it accepts captured frames of the sender (each once, in increasing
// order), so a capture can keep a dead sender alive there at most as long as it lasts.
// A reordered datagram is dropped like a replayed one (strictly increasing, no window of
// late arrivals); the protocol retransmits what matters, as for a lost datagram.
//
// Version 1 (until this change) had no sequence fields and no replay protection. Frames of
// either version are dropped by a node of the other as kBadHeader: upgrade all nodes together.
//
// The cluster key is random bytes (generateClusterKey(), from OpenSSL's CSPRNG) kept in a file
// that only its owner may read (corosync's authkey).
//
// HMAC, SHA-256, RAND_bytes and CRYPTO_memcmp come from OpenSSL's libcrypto: a well-kept,
// widely reviewed implementation, rather than our own crypto.
//
// Thread-safety: PacketCodec::seal() is const and safe to share; open() updates counters and
// belongs to one thread (the io_context's).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "membership/message.h"
#include "membership/result.h"

namespace pulse::membership {

using ClusterKey = Bytes;

inline constexpr std::size_t kClusterKeySize = 32;       // what generateClusterKey() makes
inline constexpr std::size_t kMinClusterKeySize = 32;    // HMAC-SHA256 wants >= 256 bits
inline constexpr std::size_t kMaxClusterKeySize = 4096;  // corosync's authkey limit
inline constexpr std::array<std::uint8_t, 4> kFrameMagic = {'P', 'L', 'S', 'M'};
inline constexpr std::uint8_t kFrameVersion = 2;
inline constexpr std::size_t kClusterIdSize = 8;
inline constexpr std::size_t kClusterIdOffset = kFrameMagic.size() + 1;
inline constexpr std::size_t kSequenceOffset = kClusterIdOffset + kClusterIdSize;
inline constexpr std::size_t kSequenceSize = 8 + 8;  // incarnation, counter
inline constexpr std::size_t kFrameHeaderSize = kSequenceOffset + kSequenceSize;
inline constexpr std::size_t kTagSize = 32;
// The largest frame a node sends or accepts: a maximal core message in a frame; well under
// 64 KiB, the largest UDP datagram.
inline constexpr std::size_t kMaxFrameSize = kFrameHeaderSize + kMaxMessageSize + kTagSize;
static_assert(kMaxFrameSize <= 64 * 1024);

// Why a received packet was dropped. kUnknownPeer, kWrongSource and kReplayed are decided by the
// service (it knows the node list, the addresses and what it accepted), the others by
// PacketCodec::open().
enum class DropReason : std::uint8_t {
  kTruncated,       // shorter than header + tag
  kOversized,       // longer than kMaxFrameSize
  kBadHeader,       // wrong magic or frame version
  kForeignCluster,  // cluster id of another cluster name
  kBadTag,          // HMAC does not verify: forged, corrupted, or another key
  kUndecodable,     // authentic, but the payload is not a valid message (version skew?)
  kUnknownPeer,     // sender is not in the node list, or is this node itself
  kWrongSource,     // authentic, but the source address is not the sender's configured one
  kReplayed,        // authentic, but not newer than a frame already accepted from the sender
  kCount,
};
inline constexpr std::size_t kDropReasonCount = static_cast<std::size_t>(DropReason::kCount);

std::string_view toString(DropReason reason);

// Packet counters, for `pcs cluster cmap`-style statistics (stats.pulse.rx.*). Every received
// datagram is counted once: accepted (it reached the core or QuorumExchange) or dropped for
// one reason. `dropped` only grows; `accepted` too, but for reject().
struct PacketCounters {
  std::uint64_t accepted = 0;
  std::array<std::uint64_t, kDropReasonCount> dropped{};

  std::uint64_t droppedFor(DropReason r) const { return dropped[static_cast<std::size_t>(r)]; }
  std::uint64_t droppedTotal() const;
  void count(DropReason r) { ++dropped[static_cast<std::size_t>(r)]; }
  // A frame open() accepted and a later check (the service's) dropped: moved from accepted.
  void reject(DropReason r) {
    --accepted;
    count(r);
  }
  // "accepted 12 truncated 0 oversized 0 ...", one line.
  std::string toString() const;
};

// Where a frame stands in its sender's stream: ordered by incarnation, then counter.
struct FrameSequence {
  std::uint64_t incarnation = 0;
  std::uint64_t counter = 0;
  friend auto operator<=>(const FrameSequence&, const FrameSequence&) = default;
};

// A frame that passed open(): the decoded message, its payload bytes (what the core's
// onMessage() takes) and its authenticated sequence (for the receiver's ReplayWindow).
struct OpenedFrame {
  Message message;
  Bytes payload;
  FrameSequence sequence;
};

// The cluster id for `cluster_name` (first bytes of its SHA-256).
std::array<std::uint8_t, kClusterIdSize> clusterId(std::string_view cluster_name);

class PacketCodec {
 public:
  // Fails when the key is shorter than kMinClusterKeySize or longer than kMaxClusterKeySize.
  static Result<PacketCodec> create(ClusterKey key, std::string_view cluster_name);

  // The frame carrying `payload` (encoded core message, at most kMaxMessageSize bytes) at
  // `sequence` in the sender's stream. The sender must never seal two frames with the same
  // sequence, or one of them will be dropped as replayed (FrameCounter does it right).
  Bytes seal(std::span<const std::uint8_t> payload, FrameSequence sequence) const;

  // Checks size, header, cluster id, tag, then decodes; counts the outcome. Never throws and
  // never reads outside `frame`. Whether the sequence is new is the caller's check
  // (ReplayWindow): open() knows neither the senders nor what was accepted before.
  std::variant<OpenedFrame, DropReason> open(std::span<const std::uint8_t> frame);

  const PacketCounters& counters() const { return counters_; }
  PacketCounters& counters() { return counters_; }

 private:
  PacketCodec(std::string_view cluster_name, std::shared_ptr<void> keyed_mac);
  std::array<std::uint8_t, kTagSize> tag(std::span<const std::uint8_t> data) const;

  // An HMAC-SHA256 context already keyed with the cluster key (an EVP_MAC_CTX, kept opaque here),
  // copied for each frame: OpenSSL 3 looks the algorithm up and hashes the key again on every
  // one-shot HMAC() call, which was most of the per-packet cost. Shared by copies; only read.
  std::shared_ptr<void> keyed_mac_;
  std::array<std::uint8_t, kClusterIdSize> cluster_id_;
  PacketCounters counters_;
};

// The sending side of the sequence: one per running node (incarnation), handing out counters
// 1, 2, 3... A u64 counter does not wrap in practice (millions of frames a second for
// hundreds of thousands of years).
class FrameCounter {
 public:
  explicit FrameCounter(std::uint64_t incarnation) : next_{incarnation, 1} {}
  FrameSequence next() { return FrameSequence{next_.incarnation, next_.counter++}; }

 private:
  FrameSequence next_;
};

// kClusterKeySize bytes from OpenSSL's CSPRNG (RAND_bytes); an error if it is not seeded.
Result<ClusterKey> generateClusterKey();

// Writes the key atomically with mode 0600 (see writeFileAtomically()).
Status writeClusterKeyFile(const std::string& path, const ClusterKey& key);

// Reads a key file written by writeClusterKeyFile() (raw bytes). Refused: not a regular file, a
// symlink, readable or writable by group or other (a leaked key lets anyone forge membership),
// or a size outside [kMinClusterKeySize, kMaxClusterKeySize].
Result<ClusterKey> readClusterKeyFile(const std::string& path);

}  // namespace pulse::membership
