// CIB replication messages survive the wire unchanged, and a malformed envelope is an error.
#include "crmd/replication/cib_wire.h"

#include <gtest/gtest.h>

#include <limits>

namespace pulse::crmd {
namespace {

const RingId kRing{7, 2};
const StoredCib kCib{CibVersion{0, 12, 3}, RingId{6, 1}, "<cib/>"};

TEST(CibWire, EveryMessageRoundTrips) {
  const std::vector<CibMessage> messages = {SyncQuery{kRing}, SyncReply{kRing, kCib},
                                            Replace{kRing, kCib}, ReplaceAck{kRing, stampOf(kCib)}};
  for (const CibMessage& message : messages) {
    auto decoded = fromEnvelope(toEnvelope(2, message));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->first, 2u);
    EXPECT_EQ(toString(decoded->second), toString(message));
  }
}

TEST(CibWire, MalformedEnvelopesAreErrors) {
  peer::PeerEnvelope no_body = toEnvelope(2, SyncQuery{kRing});
  no_body.clear_body();
  EXPECT_FALSE(fromEnvelope(no_body).ok());
  peer::PeerEnvelope no_sender = toEnvelope(2, SyncQuery{kRing});
  no_sender.set_from(0);
  EXPECT_FALSE(fromEnvelope(no_sender).ok());
  peer::PeerEnvelope no_ring = toEnvelope(2, SyncQuery{kRing});
  no_ring.clear_ring();
  EXPECT_FALSE(fromEnvelope(no_ring).ok());
  peer::PeerEnvelope huge = toEnvelope(2, Replace{kRing, kCib});
  huge.mutable_replace()->mutable_version()->set_epoch(std::numeric_limits<std::uint64_t>::max());
  EXPECT_FALSE(fromEnvelope(huge).ok());
}

}  // namespace
}  // namespace pulse::crmd
