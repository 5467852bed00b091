#include "membership/types.h"

#include <algorithm>

namespace pulse::membership {

std::string toString(const RingId& ring) {
  return std::to_string(ring.seq) + "." + std::to_string(ring.representative);
}

bool View::contains(NodeId node) const {
  return std::binary_search(members.begin(), members.end(), node);
}

std::string toString(const View& view) {
  std::string out = "ring " + toString(view.ring_id) + " {";
  for (std::size_t i = 0; i < view.members.size(); ++i) {
    out += (i ? "," : "") + std::to_string(view.members[i]);
  }
  return out + "}";
}

}  // namespace pulse::membership
