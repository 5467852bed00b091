#include "crmd/replication/cib_wire.h"

#include <limits>
#include <type_traits>

namespace pulse::crmd {

peer::CibVersion toProto(const CibVersion& v) {
  peer::CibVersion out;
  out.set_admin_epoch(static_cast<std::uint64_t>(v.admin_epoch));
  out.set_epoch(static_cast<std::uint64_t>(v.epoch));
  out.set_num_updates(static_cast<std::uint64_t>(v.num_updates));
  return out;
}

namespace {

peer::RingId toProto(const RingId& ring) {
  peer::RingId out;
  out.set_seq(ring.seq);
  out.set_representative(ring.representative);
  return out;
}

RingId fromProto(const peer::RingId& ring) { return RingId{ring.seq(), ring.representative()}; }

Result<CibVersion> fromProto(const peer::CibVersion& v) {
  constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max();
  if (v.admin_epoch() > kMax || v.epoch() > kMax || v.num_updates() > kMax) {
    return Error{"CIB version counter out of range"};
  }
  return CibVersion{static_cast<std::int64_t>(v.admin_epoch()),
                    static_cast<std::int64_t>(v.epoch()),
                    static_cast<std::int64_t>(v.num_updates())};
}

peer::StoredCib toProto(const StoredCib& cib) {
  peer::StoredCib out;
  *out.mutable_version() = crmd::toProto(cib.version);
  *out.mutable_sealed_in() = toProto(cib.sealed_in);
  out.set_xml(cib.xml);
  return out;
}

Result<StoredCib> fromProto(const peer::StoredCib& cib) {
  auto version = fromProto(cib.version());
  if (!version) return version.error();
  return StoredCib{*version, fromProto(cib.sealed_in()), cib.xml()};
}

}  // namespace

peer::CibStamp toProto(const CibStamp& stamp) {
  peer::CibStamp out;
  *out.mutable_sealed_in() = toProto(stamp.sealed_in);
  *out.mutable_version() = toProto(stamp.version);
  return out;
}

Result<CibStamp> fromProto(const peer::CibStamp& stamp) {
  auto version = fromProto(stamp.version());
  if (!version) return version.error();
  return CibStamp{fromProto(stamp.sealed_in()), *version};
}

peer::PeerEnvelope toEnvelope(NodeId from, const CibMessage& message) {
  peer::PeerEnvelope out;
  out.set_from(from);
  std::visit(
      [&out](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        *out.mutable_ring() = toProto(m.ring);
        if constexpr (std::is_same_v<M, SyncQuery>) {
          out.set_sync_query(true);
        } else if constexpr (std::is_same_v<M, SyncReply>) {
          *out.mutable_sync_reply() = toProto(m.cib);
        } else if constexpr (std::is_same_v<M, Replace>) {
          *out.mutable_replace() = toProto(m.cib);
        } else {
          *out.mutable_replace_ack() = toProto(m.stamp);
        }
      },
      message);
  return out;
}

Result<std::pair<NodeId, CibMessage>> fromEnvelope(const peer::PeerEnvelope& envelope) {
  if (envelope.from() == membership::kNoNode) return Error{"CIB message without a sender"};
  if (!envelope.has_ring()) return Error{"CIB message without a ring id"};
  const RingId ring = fromProto(envelope.ring());
  const NodeId from = envelope.from();
  switch (envelope.body_case()) {
    case peer::PeerEnvelope::kSyncQuery:
      return std::pair<NodeId, CibMessage>(from, SyncQuery{ring});
    case peer::PeerEnvelope::kSyncReply: {
      auto cib = fromProto(envelope.sync_reply());
      if (!cib) return cib.error();
      return std::pair<NodeId, CibMessage>(from, SyncReply{ring, std::move(*cib)});
    }
    case peer::PeerEnvelope::kReplace: {
      auto cib = fromProto(envelope.replace());
      if (!cib) return cib.error();
      return std::pair<NodeId, CibMessage>(from, Replace{ring, std::move(*cib)});
    }
    case peer::PeerEnvelope::kReplaceAck: {
      auto stamp = fromProto(envelope.replace_ack());
      if (!stamp) return stamp.error();
      return std::pair<NodeId, CibMessage>(from, ReplaceAck{ring, *stamp});
    }
    case peer::PeerEnvelope::kExecute:
    case peer::PeerEnvelope::kReport:
    case peer::PeerEnvelope::kLeave:
    case peer::PeerEnvelope::kJoinQuery:
    case peer::PeerEnvelope::kJoinAnswer:
    case peer::PeerEnvelope::kFenceDelegate:
    case peer::PeerEnvelope::kFenceResult:
    case peer::PeerEnvelope::kFenceAsk:
    case peer::PeerEnvelope::kFenceRefused:
      return Error{"a resource message is not a CIB message"};
    case peer::PeerEnvelope::BODY_NOT_SET:
      break;
  }
  return Error{"CIB message without a body"};
}

}  // namespace pulse::crmd
