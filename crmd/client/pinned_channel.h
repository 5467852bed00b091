// A TLS connection to another node's crmd whose certificate is pinned by SHA-256 (trust on
// first use, see known_hosts.h); pcs uses it for the admin API and crmd for its peers.
//
// How a connection is verified: a plain OpenSSL handshake first fetches the node's certificate
// (no verification) and compares its SHA-256 with the pin. The gRPC channel then trusts exactly
// that certificate as its only root, with the TLS target name fixed to crmd's certificate name,
// so a call succeeds only if the peer holds that certificate's key. Every step is bounded by
// `timeout`: an unreachable node is an Error, never a hang.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/result.h"

namespace grpc {
class Channel;
}

namespace pulse::crmd {

struct NodeAddress {
  std::string host;
  int port = 2224;
  std::string target() const;  // "host:port", "[v6]:port"
};

// ADDR, ADDR:PORT, [V6] or [V6]:PORT; the port defaults to 2224 (pcsd's).
Result<NodeAddress> parseNodeAddress(const std::string& text);

// The node's certificate (PEM), fetched without verification.
Result<std::string> fetchCertificate(const NodeAddress& address, std::chrono::seconds timeout);

// A channel that trusts only `cert` (PEM) as the node's identity.
std::shared_ptr<grpc::Channel> pinnedChannel(const NodeAddress& address, const std::string& cert);

// Fetches the certificate, checks it against `fingerprint` and opens the pinned channel.
Result<std::shared_ptr<grpc::Channel>> openPinnedChannel(const NodeAddress& address,
                                                         const std::string& fingerprint,
                                                         std::chrono::seconds timeout);

}  // namespace pulse::crmd
