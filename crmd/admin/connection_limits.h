// Admission rules for the admin port (TCP 2224, front_acceptor.h): how many connections crmd
// holds from one source and in all, how long a client may take over its TLS handshake, and how
// those limits fit the process's descriptor limit. Pure (no I/O, no clock), so the counting is
// unit tested; the front acceptor is its shell.
//
// Why two pools: the port carries both the admin API (pcs, from anywhere) and peer replication
// (CIB writes, resource actions, from the members). Connections from cluster members and from
// loopback ("trusted" sources) are counted in a pool of their own, so a stranger who fills the
// general pool, from however many addresses, never takes the capacity replication needs.
// Being trusted here grants nothing but capacity: every call is still authenticated by its
// token.
//
// Thread-safety: plain values; ConnectionCounter is used by the front acceptor's one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>

namespace pulse::crmd {

struct ConnectionLimits {
  std::size_t per_source = 16;      // open connections from one untrusted address
  std::size_t total = 512;          // open connections from all untrusted addresses
  std::size_t per_member = 64;      // from one trusted address (a member, loopback)
  std::size_t members_total = 256;  // from all trusted addresses: reserved for them
  // From accept until the client has finished its TLS handshake (see TlsHandshakeWatch); gRPC
  // gets the same deadline for its own handshake (TLS and HTTP/2 settings).
  std::chrono::milliseconds handshake_timeout{5000};
};

// Descriptors one admitted connection costs crmd: the client's socket, the front acceptor's
// connection to the gRPC server's Unix socket and the gRPC server's end of it.
inline constexpr std::size_t kDescriptorsPerConnection = 3;
// Descriptors kept for everything else crmd opens (files, agents' pipes, the membership,
// the peer links' outgoing connections, gRPC's own).
inline constexpr std::size_t kDescriptorReserve = 256;

// `limits` with both pools scaled down (in proportion, never below 1) so that every admitted
// connection fits in `max_descriptors` with kDescriptorReserve to spare; unchanged when it fits.
ConnectionLimits fitToDescriptors(ConnectionLimits limits, std::size_t max_descriptors);

enum class Admission { kAccepted, kSourceFull, kPoolFull };

// Open connections by source address, in the two pools.
// Invariant: for each pool, the sum of its sources' counts equals its open() count, and no
// count exceeds its limit.
class ConnectionCounter {
 public:
  explicit ConnectionCounter(const ConnectionLimits& limits) : limits_(limits) {}

  // Counts the connection if both its source's and its pool's limits allow it.
  Admission admit(const std::string& source, bool trusted);
  // A connection admit() accepted has closed.
  void release(const std::string& source, bool trusted);

  std::size_t open(bool trusted) const { return trusted ? trusted_open_ : untrusted_open_; }
  std::size_t openFrom(const std::string& source) const;

 private:
  ConnectionLimits limits_;
  std::map<std::string, std::size_t> by_source_;  // only sources with open connections
  std::size_t trusted_open_ = 0;
  std::size_t untrusted_open_ = 0;
};

// Follows the TLS records a client sends, by their 5-byte headers only (type, version, length),
// until the handshake is over: the first record must be a handshake record (the ClientHello),
// and the handshake counts as done at the client's first application-data record (TLS 1.2
// sends it after its Finished; TLS 1.3's Finished is itself one). Bytes that are not TLS records
// end the connection at once.
class TlsHandshakeWatch {
 public:
  enum class State { kHandshake, kEstablished, kNotTls };

  // Consumes the next bytes the client sent; returns the state after them.
  State feed(std::span<const std::uint8_t> bytes);
  State state() const { return state_; }

 private:
  State state_ = State::kHandshake;
  bool first_record_ = true;
  std::uint8_t header_[5] = {};
  std::size_t header_have_ = 0;  // header bytes of the current record seen so far
  std::size_t body_left_ = 0;    // body bytes of the current record still to skip
};

}  // namespace pulse::crmd
