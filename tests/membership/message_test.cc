#include "membership/message.h"

#include <gtest/gtest.h>

#include <random>

namespace pulse::membership {
namespace {

std::vector<Message> samples() {
  return {
      Message{3, Heartbeat{7, 42, RingId{41, 1}, {}, false, false, {}}},
      Message{1, Heartbeat{1, 0, RingId{}, {}, false, false, {}}},
      Message{1, Propose{RingId{9, 1}, {1, 2, 5}}},
      Message{2, Ack{RingId{9, 1}}},
      Message{4, Commit{RingId{~0ull, 4}, {4}}},
      Message{2, NodeInfo{RingId{9, 1}, 3, true, false, {}, std::nullopt}},
      Message{5, NodeInfo{RingId{~0ull, 7}, ~0u, false, true, {}, std::nullopt}},
      Message{1, NodeInfo{RingId{9, 1}, 3, true, false, VoteSet{0, {1, 2, 3, 4, 5}},
                          VoteSet{1, {1, 2, 3}}}},
      Message{2, NodeInfo{RingId{9, 1}, 3, true, false, VoteSet{~0ull, {2}}, std::nullopt}},
      Message{2, Heartbeat{3, 9, RingId{9, 1}, {1, 3, 5}, false, false, {}}},
      Message{3, Heartbeat{4, 9, RingId{9, 1}, {1, 4}, true, true, {2, 5}}},
  };
}

TEST(MessageCodec, NodeInfoWithTwoFullVoteSetsFits) {
  std::vector<NodeId> all;
  for (NodeId n = 1; n <= kMaxMembers; ++n) all.push_back(n);
  const Bytes bytes =
      encode(Message{2, NodeInfo{RingId{9, 1}, 3, true, false, VoteSet{7, all}, VoteSet{8, all}}});
  EXPECT_EQ(bytes.size(), kMaxMessageSize);
  auto decoded = decode(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(std::get<NodeInfo>(decoded->body).pending->nodes.size(), kMaxMembers);
  // Flag bit 2 set without the set behind it is truncated.
  Bytes cut = encode(Message{2, NodeInfo{RingId{9, 1}, 3, true, false, {}, std::nullopt}});
  cut.back() |= 0x4;
  EXPECT_FALSE(decode(cut).ok());
}

TEST(MessageCodec, RoundTripsEveryType) {
  for (const Message& m : samples()) {
    Bytes bytes = encode(m);
    EXPECT_EQ(bytes[0], kWireVersion);
    auto decoded = decode(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded.value(), m);
  }
}

TEST(MessageCodec, HeartbeatLayoutIsFixed) {
  // version, type, sender, incarnation, max_seq, ring seq, ring rep, heard count (0), flags,
  // lost count (0).
  EXPECT_EQ(encode(samples()[0]).size(), 1u + 1 + 4 + 8 + 8 + 8 + 4 + 2 + 1 + 2);
}

TEST(MessageCodec, HeartbeatHeardListFollowsTheRingAndMustBeSorted) {
  const Bytes bytes =
      encode(Message{2, Heartbeat{3, 9, RingId{9, 1}, {1, 3, 5}, false, false, {}}});
  ASSERT_EQ(bytes.size(), 1u + 1 + 4 + 8 + 8 + 8 + 4 + 2 + 3 * 4 + 1 + 2);
  Bytes unsorted = bytes;
  std::swap(unsorted[unsorted.size() - 11], unsorted[unsorted.size() - 7]);  // 1, 5, 3
  auto decoded = decode(unsorted);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("heartbeat heard list"), std::string::npos);
  Bytes cut = bytes;
  cut.pop_back();
  EXPECT_FALSE(decode(cut).ok());
}

TEST(MessageCodec, HeartbeatFlagsAndLostListAreChecked) {
  const Bytes bytes = encode(Message{3, Heartbeat{4, 9, RingId{9, 1}, {}, true, false, {2, 5}}});
  // ... heard count (0), flags (gather), lost count 2, lost 2 and 5.
  ASSERT_EQ(bytes.size(), 1u + 1 + 4 + 8 + 8 + 8 + 4 + 2 + 1 + 2 + 2 * 4);
  EXPECT_EQ(bytes[36], 0x1);
  Bytes unknown = bytes;
  unknown[36] = 0x4;
  auto decoded = decode(unknown);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("unknown flags"), std::string::npos);
  Bytes unsorted = bytes;
  std::swap(unsorted[unsorted.size() - 8], unsorted[unsorted.size() - 4]);  // 5, 2
  decoded = decode(unsorted);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("heartbeat lost list"), std::string::npos);
  Bytes cut = bytes;
  cut.resize(36);  // an old-format heartbeat, without flags: upgrade all nodes together
  EXPECT_FALSE(decode(cut).ok());
}

TEST(MessageCodec, NodeInfoLayoutIsFixed) {
  // version, type, sender, ring seq, ring rep, expected_votes, flags.
  const Bytes bytes = encode(Message{2, NodeInfo{RingId{9, 1}, 3, true, true, {}, std::nullopt}});
  ASSERT_EQ(bytes.size(), 1u + 1 + 4 + 8 + 4 + 4 + 1);
  EXPECT_EQ(bytes[1], 5);        // type
  EXPECT_EQ(bytes[18], 3);       // expected_votes, little-endian
  EXPECT_EQ(bytes.back(), 0x3);  // quorate | waiting_for_all
  EXPECT_LE(bytes.size(), kMaxMessageSize);
}

TEST(MessageCodec, RejectsNodeInfoWithUnknownFlagsOrNoExpectedVotes) {
  const Bytes good = encode(Message{2, NodeInfo{RingId{9, 1}, 3, false, false, {}, std::nullopt}});
  for (std::uint8_t flags : {0x4, 0x80, 0xff}) {
    Bytes bad = good;
    bad.back() = flags;
    EXPECT_FALSE(decode(bad).ok()) << "flags " << int{flags};
  }
  Bytes zero = good;
  zero[18] = zero[19] = zero[20] = zero[21] = 0;
  EXPECT_FALSE(decode(zero).ok());
  for (std::uint8_t flags : {0x0, 0x1, 0x2, 0x3}) {
    Bytes ok = good;
    ok.back() = flags;
    auto decoded = decode(ok);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    const auto& info = std::get<NodeInfo>(decoded->body);
    EXPECT_EQ(info.quorate, (flags & 1) != 0);
    EXPECT_EQ(info.waiting_for_all, (flags & 2) != 0);
  }
}

TEST(MessageCodec, EveryTruncationIsAnError) {
  for (const Message& m : samples()) {
    Bytes bytes = encode(m);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      Bytes cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
      EXPECT_FALSE(decode(cut).ok()) << "length " << n;
    }
  }
}

TEST(MessageCodec, RejectsTrailingBytesVersionTypeAndSenderZero) {
  Bytes bytes = encode(samples()[3]);
  Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(decode(longer).ok());
  Bytes bad_version = bytes;
  bad_version[0] = 2;
  EXPECT_FALSE(decode(bad_version).ok());
  Bytes bad_type = bytes;
  bad_type[1] = 99;
  EXPECT_FALSE(decode(bad_type).ok());
  Bytes zero_sender = bytes;
  zero_sender[2] = zero_sender[3] = zero_sender[4] = zero_sender[5] = 0;
  EXPECT_FALSE(decode(zero_sender).ok());
}

TEST(MessageCodec, RejectsBadMemberLists) {
  auto check = [](std::vector<NodeId> members, NodeId sender) {
    return decode(encode(Message{sender, Commit{RingId{5, sender}, std::move(members)}})).ok();
  };
  EXPECT_TRUE(check({1, 2, 3}, 1));
  EXPECT_FALSE(check({2, 1, 3}, 1));  // unsorted
  EXPECT_FALSE(check({1, 1, 3}, 1));  // duplicate
  EXPECT_FALSE(check({0, 1}, 1));     // node 0
  EXPECT_FALSE(check({2, 3}, 1));     // sender not a member
  EXPECT_FALSE(check({}, 1));         // empty
  // Representative differs from the sender.
  EXPECT_FALSE(decode(encode(Message{1, Propose{RingId{5, 2}, {1, 2}}})).ok());
}

TEST(MessageCodec, RejectsOversizedInputAndCounts) {
  EXPECT_FALSE(decode(Bytes(kMaxMessageSize + 1, 0)).ok());
  std::vector<NodeId> many(kMaxMembers + 1);
  for (std::size_t i = 0; i < many.size(); ++i) many[i] = static_cast<NodeId>(i + 1);
  EXPECT_FALSE(decode(encode(Message{1, Propose{RingId{1, 1}, many}})).ok());
  // A count claiming more members than there are bytes.
  Bytes bytes = encode(Message{1, Propose{RingId{1, 1}, {1}}});
  bytes[18] = 0xff;
  EXPECT_FALSE(decode(bytes).ok());
}

TEST(MessageCodec, GarbageNeverCrashes) {
  std::mt19937_64 rng(12345);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    Bytes bytes(rng() % 64);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    if (i % 2 == 0 && bytes.size() > 2) {
      bytes[0] = kWireVersion;  // get past the version check half of the time
      bytes[1] = static_cast<std::uint8_t>(1 + rng() % 4);
    }
    auto decoded = decode(bytes);
    if (decoded.ok()) {
      ++accepted;
      EXPECT_EQ(encode(decoded.value()), bytes);  // whatever decodes re-encodes identically
    }
  }
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace pulse::membership
