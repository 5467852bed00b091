// CIB replication messages (cib_types.h) on the wire: proto/peer.proto's PeerEnvelope. Decoding
// never trusts the sender: a missing body or ring is an Error, and a version counter that does
// not fit is refused rather than wrapped.
#pragma once

#include <utility>

#include "common/result.h"
#include "crmd/cib/cib_types.h"
#include "peer.pb.h"

namespace pulse::crmd {

peer::PeerEnvelope toEnvelope(NodeId from, const CibMessage& message);
Result<std::pair<NodeId, CibMessage>> fromEnvelope(const peer::PeerEnvelope& envelope);

peer::CibVersion toProto(const CibVersion& version);
peer::CibStamp toProto(const CibStamp& stamp);
Result<CibStamp> fromProto(const peer::CibStamp& stamp);

}  // namespace pulse::crmd
