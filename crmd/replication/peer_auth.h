// Peer credentials: who may send node-to-node messages (proto/peer.proto), and as whom.
//
// `pcs cluster setup` gives every node a random secret of its own and, to every node, the
// SHA-256 of each node's secret. Files in the state directory (both mode 0600):
//   peer-secret   this node's secret (64 hex digits), presented as `authorization: Peer <s>`
//   peer-hashes   one line per cluster node: NODE SHA256-HEX
// A receiver learns the sender's node from the secret it presents, and refuses a message
// that claims to come from another node (`from`), or speaks for another node (a LeaveRequest
// or an ActionReport naming another node). A node holds only hashes of the others' secrets,
// so it cannot present theirs: node A cannot send peer messages claiming to be node B.
//
// Thread-safety: PeerAuthenticator is immutable after construction.
#pragma once

#include <map>
#include <string>

#include "common/result.h"
#include "crmd/client/peer_credentials.h"
#include "membership/cluster_config.h"
#include "peer.pb.h"

namespace pulse::crmd {

// Checks both (as above), then writes them.
Status writePeerCredentials(const std::string& state_dir, const std::string& node_name,
                            const std::string& secret, const std::string& hashes_text);

class PeerAuthenticator {
 public:
  // Reads both files; their absence (a cluster set up by an older pcs) is an Error saying
  // to run pcs cluster setup again.
  static Result<PeerAuthenticator> load(const std::string& state_dir,
                                        const membership::ClusterConfig& config);
  PeerAuthenticator(const membership::ClusterConfig& config, std::string own_secret,
                    const std::map<std::string, std::string>& hashes);

  // What this node presents to its peers.
  const std::string& ownSecret() const { return own_secret_; }

  // The sender's node id when `secret` belongs to a node of the cluster and `envelope` speaks
  // only for that node; else an Error saying which check failed.
  Result<membership::NodeId> authenticate(const std::string& secret,
                                          const peer::PeerEnvelope& envelope) const;

 private:
  struct Sender {
    membership::NodeId id;
    std::string name;
  };
  std::string own_secret_;
  std::map<std::string, Sender> by_hash_;  // SHA-256 hex of a node's secret -> that node
};

}  // namespace pulse::crmd
