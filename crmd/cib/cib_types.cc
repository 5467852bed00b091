#include "crmd/cib/cib_types.h"

#include <type_traits>

namespace pulse::crmd {

std::string toString(const CibStamp& stamp) {
  return toString(stamp.version) + " (ring " + membership::toString(stamp.sealed_in) + ")";
}

std::string toString(const CibMessage& message) {
  return std::visit(
      [](const auto& m) -> std::string {
        using M = std::decay_t<decltype(m)>;
        const std::string ring = membership::toString(m.ring);
        if constexpr (std::is_same_v<M, SyncQuery>) {
          return "SyncQuery(" + ring + ")";
        } else if constexpr (std::is_same_v<M, SyncReply>) {
          return "SyncReply(" + ring + ", " + toString(stampOf(m.cib)) + ")";
        } else if constexpr (std::is_same_v<M, Replace>) {
          return "Replace(" + ring + ", " + toString(stampOf(m.cib)) + ")";
        } else {
          return "ReplaceAck(" + ring + ", " + toString(m.stamp) + ")";
        }
      },
      message);
}

}  // namespace pulse::crmd
