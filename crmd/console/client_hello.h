// Which server a connection on the admin port (TCP 2224) belongs to, from the TLS ClientHello
// the client sends first (in plaintext): gRPC clients (pcs, the peers) offer only "h2" in ALPN
// or no ALPN at all; browsers offer "http/1.1" (besides "h2"). The front acceptor peeks at the
// first bytes without consuming them, so whichever server takes the connection does the whole
// TLS handshake itself.
//
// Pure and total: any byte string gives an answer, never a crash or a read past the end.
#pragma once

#include <cstdint>
#include <span>

namespace pulse::crmd {

enum class HelloRoute {
  kNeedMore,  // the ClientHello's first record is not complete yet: peek again later
  kNotTls,    // the first byte is not a TLS handshake record
  kGrpc,      // no "http/1.1" offered (including no ALPN, and a ClientHello that does not parse)
  kBrowser,   // "http/1.1" is among the offered protocols
};

// The largest first record a ClientHello may take (a TLS record's body is at most 16 KiB);
// a caller that has peeked this much and still hears kNeedMore should route to gRPC.
inline constexpr std::size_t kMaxHelloBytes = 5 + 16384;

HelloRoute routeByAlpn(std::span<const std::uint8_t> bytes);

}  // namespace pulse::crmd
