#include "crmd/replication/peer_auth.h"

#include <sstream>

#include "crmd/client/crypto.h"
#include "crmd/client/secure_file.h"

namespace pulse::crmd {
Status writePeerCredentials(const std::string& state_dir, const std::string& node_name,
                            const std::string& secret, const std::string& hashes_text) {
  if (Status s = checkPeerCredentials(node_name, secret, hashes_text); !s) return s;
  if (Status s = writeFileAtomic(peerSecretPath(state_dir), secret + "\n", 0600); !s) return s;
  return writeFileAtomic(peerHashesPath(state_dir), hashes_text, 0600);
}

Result<PeerAuthenticator> PeerAuthenticator::load(const std::string& state_dir,
                                                  const membership::ClusterConfig& config) {
  const std::string secret_path = peerSecretPath(state_dir);
  const std::string hashes_path = peerHashesPath(state_dir);
  if (!fileExists(secret_path) || !fileExists(hashes_path)) {
    return Error{"no peer credentials (" + secret_path +
                 "): the cluster was set up by an older pcs; run pcs cluster setup again"};
  }
  auto secret = readFile(secret_path);
  if (!secret) return secret.error();
  const std::string own = secret->substr(0, secret->find('\n'));
  if (!isPeerSecret(own)) return Error{secret_path + ": not 64 hex digits"};
  auto text = readFile(hashes_path);
  if (!text) return text.error();
  auto hashes = parsePeerHashes(*text, hashes_path);
  if (!hashes) return hashes.error();
  return PeerAuthenticator(config, own, *hashes);
}

PeerAuthenticator::PeerAuthenticator(const membership::ClusterConfig& config,
                                     std::string own_secret,
                                     const std::map<std::string, std::string>& hashes)
    : own_secret_(std::move(own_secret)) {
  for (const membership::ClusterNode& node : config.nodes) {
    const auto it = hashes.find(node.name);
    if (it != hashes.end()) by_hash_[it->second] = Sender{node.id, node.name};
  }
}

Result<membership::NodeId> PeerAuthenticator::authenticate(
    const std::string& secret, const peer::PeerEnvelope& envelope) const {
  // As for tokens (auth_store.cc): looking up the hash leaks nothing about a secret.
  const auto it = by_hash_.find(sha256Hex(secret));
  if (it == by_hash_.end()) return Error{"invalid peer credential"};
  const Sender& sender = it->second;
  const std::string as = "peer credential of " + sender.name;
  if (envelope.from() != sender.id) {
    return Error{as + " used for a message from node " + std::to_string(envelope.from())};
  }
  if (envelope.has_leave() && envelope.leave().node() != sender.name) {
    return Error{as + " used for a leave request of another node"};
  }
  if (envelope.has_report() && envelope.report().action().node() != sender.name) {
    return Error{as + " used to report an action of another node"};
  }
  if (envelope.has_fence_result() && envelope.fence_result().event().delegate() != sender.name) {
    return Error{as + " used to report a fencing carried out by another node"};
  }
  return sender.id;
}

}  // namespace pulse::crmd
