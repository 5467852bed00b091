// Outgoing calls to the other nodes' crmd (proto/peer.proto): one sender thread per peer with a
// small queue, so a slow or dead peer never blocks the daemon's io_context or the other peers.
//
// Delivery is best effort on purpose: the replication core resends whatever matters until it
// is answered, and a peer that stays silent is removed by the membership. So a message is
// dropped when the peer cannot be reached within the timeout, or when its queue is full (the
// oldest goes first: newer messages supersede older ones of the same ring).
//
// Peers are found through the cluster hosts (`pcs cluster setup` distributed them): the address
// and the pinned certificate fingerprint of the node's name. Calls carry
// `authorization: Peer <token>`, this node's own peer secret (peer_auth.h).
//
// Thread-safety: send() may be called from any thread; the destructor stops and joins the
// sender threads (at most one call timeout).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "crmd/cib/cib_types.h"
#include "peer.pb.h"

namespace pulse::crmd {

class PeerLinks {
 public:
  // `peers`: node id -> node name (as in the cluster hosts), every member but this node.
  PeerLinks(std::string known_hosts_path, std::string token, std::map<NodeId, std::string> peers,
            std::chrono::milliseconds timeout = std::chrono::milliseconds(1000),
            std::size_t max_queued = 32);
  ~PeerLinks();
  PeerLinks(const PeerLinks&) = delete;
  PeerLinks& operator=(const PeerLinks&) = delete;

  void send(NodeId to, peer::PeerEnvelope envelope);

 private:
  struct Link;
  std::map<NodeId, std::unique_ptr<Link>> links_;
};

}  // namespace pulse::crmd
