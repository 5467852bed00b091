#include "membership/quorum_contact.h"

#include <algorithm>
#include <functional>

namespace pulse::membership {

void QuorumContact::recordHeartbeat(NodeId peer, const std::vector<NodeId>& heard, TimePoint at) {
  if (peer == self_) return;
  Peer& p = peers_[peer];
  // A reordered (older) heartbeat must not override what a newer one said.
  if (at < p.last_heard) return;
  p.last_heard = at;
  p.lists_self = std::binary_search(heard.begin(), heard.end(), self_);
}

std::vector<NodeId> QuorumContact::heardList(TimePoint now, const std::optional<View>& view) const {
  std::vector<NodeId> out;
  for (const auto& [id, peer] : peers_) {
    if (now - peer.last_heard >= window_) continue;
    if (view && !view->contains(id)) continue;
    out.push_back(id);
  }
  return out;  // std::map iterates in id order
}

std::optional<TimePoint> QuorumContact::lastContact(std::uint32_t quorum, TimePoint now) const {
  if (quorum == 0) return std::nullopt;
  const std::size_t needed = quorum - 1;  // this node's own vote counts
  if (needed == 0) return now;
  std::vector<TimePoint> support;
  for (const auto& [id, peer] : peers_) {
    if (peer.lists_self) support.push_back(peer.last_heard);
  }
  if (support.size() < needed) return std::nullopt;
  std::nth_element(support.begin(), support.begin() + static_cast<std::ptrdiff_t>(needed - 1),
                   support.end(), std::greater<>());
  return support[needed - 1];
}

bool QuorumContact::fresh(std::uint32_t quorum, TimePoint now) const {
  auto last = lastContact(quorum, now);
  // A clock that stepped backwards counts as fresh, as in LivenessTable.
  return last && now - *last < window_;
}

}  // namespace pulse::membership
