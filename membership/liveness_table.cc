#include "membership/liveness_table.h"

namespace pulse::membership {

LivenessTable::Heard LivenessTable::recordHeartbeat(NodeId node, std::uint64_t incarnation,
                                                    RingId ring, TimePoint at) {
  auto [it, inserted] = peers_.try_emplace(node);
  Peer& peer = it->second;
  if (!inserted && incarnation < peer.incarnation) return Heard::kStale;
  Heard heard = Heard::kKnown;
  if (inserted || incarnation > peer.incarnation) {
    heard = inserted ? Heard::kKnown : Heard::kNewIncarnation;
    peer.incarnation = incarnation;
    peer.reported_ring = RingId{};
    peer.last_heard = at;
  }
  if (at > peer.last_heard) peer.last_heard = at;
  if (ring > peer.reported_ring) peer.reported_ring = ring;
  return heard;
}

std::uint64_t LivenessTable::incarnation(NodeId node) const {
  auto it = peers_.find(node);
  return it == peers_.end() ? 0 : it->second.incarnation;
}

void LivenessTable::recordContact(NodeId node, TimePoint at) {
  auto it = peers_.find(node);
  // Only a heartbeat introduces a peer: it carries the incarnation.
  if (it != peers_.end() && at > it->second.last_heard) it->second.last_heard = at;
}

bool LivenessTable::isAlive(NodeId node, TimePoint now) const {
  auto it = peers_.find(node);
  return it != peers_.end() && now - it->second.last_heard < token_;
}

std::vector<NodeId> LivenessTable::alive(TimePoint now) const {
  std::vector<NodeId> out;
  for (const auto& [node, peer] : peers_) {
    if (now - peer.last_heard < token_) out.push_back(node);
  }
  return out;
}

TimePoint LivenessTable::lastHeard(NodeId node) const {
  auto it = peers_.find(node);
  return it == peers_.end() ? TimePoint::min() : it->second.last_heard;
}

RingId LivenessTable::reportedRing(NodeId node) const {
  auto it = peers_.find(node);
  return it == peers_.end() ? RingId{} : it->second.reported_ring;
}

}  // namespace pulse::membership
