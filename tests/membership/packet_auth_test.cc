#include "membership/packet_auth.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "membership/state_file.h"

namespace pulse::membership {
namespace {

ClusterKey testKey(std::uint8_t seed) {
  ClusterKey key(kClusterKeySize);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(seed + i * 7);
  return key;
}

PacketCodec codec(std::uint8_t seed = 1, std::string_view name = "web") {
  auto c = PacketCodec::create(testKey(seed), name);
  EXPECT_TRUE(c.ok());
  return std::move(c).value();
}

constexpr FrameSequence kSequence{7, 41};

std::vector<Message> samples() {
  return {Message{3, Heartbeat{7, 42, RingId{41, 1}, {}, false, false, {}}},
          Message{1, Propose{RingId{9, 1}, {1, 2, 5}}}, Message{2, Ack{RingId{9, 1}}},
          Message{4, Commit{RingId{~0ull, 4}, {4}}}};
}

std::optional<DropReason> reasonOf(const std::variant<OpenedFrame, DropReason>& r) {
  if (const auto* d = std::get_if<DropReason>(&r)) return *d;
  return std::nullopt;
}

TEST(PacketAuth, RoundTripsEveryMessage) {
  PacketCodec c = codec();
  for (const Message& m : samples()) {
    Bytes payload = encode(m);
    Bytes frame = c.seal(payload, kSequence);
    EXPECT_EQ(frame.size(), kFrameHeaderSize + payload.size() + kTagSize);
    auto opened = c.open(frame);
    ASSERT_TRUE(std::holds_alternative<OpenedFrame>(opened));
    EXPECT_EQ(std::get<OpenedFrame>(opened).message, m);
    EXPECT_EQ(std::get<OpenedFrame>(opened).payload, payload);
    EXPECT_EQ(std::get<OpenedFrame>(opened).sequence, kSequence);
  }
  EXPECT_EQ(c.counters().accepted, samples().size());
  EXPECT_EQ(c.counters().droppedTotal(), 0u);
}

// The sequence is what makes a resent frame recognisable: it must come back exactly, for any
// value, and be covered by the tag (a changed sequence is a forgery, not a new frame).
TEST(PacketAuth, SequenceRoundTripsAndIsAuthenticated) {
  PacketCodec c = codec();
  const Bytes payload = encode(samples()[0]);
  for (FrameSequence seq : {FrameSequence{0, 0}, FrameSequence{1, 1},
                            FrameSequence{1765000000000, 12345}, FrameSequence{~0ull, ~0ull}}) {
    const Bytes frame = c.seal(payload, seq);
    auto opened = c.open(frame);
    ASSERT_TRUE(std::holds_alternative<OpenedFrame>(opened));
    EXPECT_EQ(std::get<OpenedFrame>(opened).sequence, seq);
    // Another sequence on the same payload: another tag.
    Bytes moved = c.seal(payload, FrameSequence{seq.incarnation, seq.counter + 1});
    EXPECT_FALSE(std::equal(frame.end() - kTagSize, frame.end(), moved.end() - kTagSize));
    // The other frame's sequence with this frame's tag does not verify.
    Bytes spliced = frame;
    std::copy(moved.begin() + kSequenceOffset, moved.begin() + kFrameHeaderSize,
              spliced.begin() + kSequenceOffset);
    EXPECT_EQ(reasonOf(c.open(spliced)), DropReason::kBadTag);
  }
}

// Frames of version 1 had no sequence: a node of this version refuses them as a bad header
// rather than read a payload byte as a sequence.
TEST(PacketAuth, FramesOfTheVersionWithoutSequenceAreRefused) {
  PacketCodec c = codec();
  Bytes frame = c.seal(encode(samples()[0]), kSequence);
  frame[kFrameMagic.size()] = 1;
  EXPECT_EQ(reasonOf(c.open(frame)), DropReason::kBadHeader);
}

TEST(PacketAuth, FrameCounterHandsOutIncreasingSequencesOfItsIncarnation) {
  FrameCounter counter(1765000000001);
  EXPECT_EQ(counter.next(), (FrameSequence{1765000000001, 1}));
  EXPECT_EQ(counter.next(), (FrameSequence{1765000000001, 2}));
  EXPECT_EQ(counter.next(), (FrameSequence{1765000000001, 3}));
}

TEST(PacketAuth, RejectMovesAFrameFromAcceptedToItsReason) {
  PacketCodec c = codec();
  ASSERT_TRUE(std::holds_alternative<OpenedFrame>(c.open(c.seal(encode(samples()[0]), kSequence))));
  c.counters().reject(DropReason::kReplayed);
  EXPECT_EQ(c.counters().accepted, 0u);
  EXPECT_EQ(c.counters().droppedFor(DropReason::kReplayed), 1u);
  EXPECT_NE(c.counters().toString().find("replayed 1"), std::string::npos);
  EXPECT_NE(c.counters().toString().find("wrong_source 0"), std::string::npos);
}

TEST(PacketAuth, EveryFlippedBitIsRejected) {
  PacketCodec c = codec();
  for (const Message& m : samples()) {
    const Bytes frame = c.seal(encode(m), kSequence);
    for (std::size_t i = 0; i < frame.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        Bytes bad = frame;
        bad[i] ^= static_cast<std::uint8_t>(1u << bit);
        auto reason = reasonOf(c.open(bad));
        ASSERT_TRUE(reason.has_value()) << "byte " << i << " bit " << bit;
        if (i < kClusterIdOffset) {
          EXPECT_EQ(*reason, DropReason::kBadHeader);
        } else if (i < kSequenceOffset) {
          EXPECT_EQ(*reason, DropReason::kForeignCluster);
        } else {
          EXPECT_EQ(*reason, DropReason::kBadTag);
        }
      }
    }
  }
  EXPECT_EQ(c.counters().accepted, 0u);
}

TEST(PacketAuth, WrongKeyIsRejectedAsBadTag) {
  PacketCodec sender = codec(1);
  PacketCodec receiver = codec(2);
  EXPECT_EQ(reasonOf(receiver.open(sender.seal(encode(samples()[0]), kSequence))),
            DropReason::kBadTag);
  EXPECT_EQ(receiver.counters().droppedFor(DropReason::kBadTag), 1u);
}

TEST(PacketAuth, OtherClusterNameIsForeign) {
  PacketCodec sender = codec(1, "db");
  PacketCodec receiver = codec(1, "web");
  EXPECT_EQ(reasonOf(receiver.open(sender.seal(encode(samples()[0]), kSequence))),
            DropReason::kForeignCluster);
}

TEST(PacketAuth, EveryTruncationIsRejected) {
  PacketCodec c = codec();
  for (const Message& m : samples()) {
    const Bytes frame = c.seal(encode(m), kSequence);
    for (std::size_t n = 0; n < frame.size(); ++n) {
      auto reason = reasonOf(c.open(std::span<const std::uint8_t>(frame.data(), n)));
      ASSERT_TRUE(reason.has_value()) << "length " << n;
      if (n < kFrameHeaderSize + kTagSize) {
        EXPECT_EQ(*reason, DropReason::kTruncated) << "length " << n;
      } else {
        EXPECT_EQ(*reason, DropReason::kBadTag) << "length " << n;
      }
    }
  }
}

TEST(PacketAuth, OversizedAndAuthenticGarbageAreRejected) {
  PacketCodec c = codec();
  Bytes huge(kMaxFrameSize + 1, 0);
  EXPECT_EQ(reasonOf(c.open(huge)), DropReason::kOversized);
  // Correctly sealed, but not a message: the key holder is buggy or of another version.
  Bytes junk = {kWireVersion, 99, 1, 0, 0, 0};
  EXPECT_EQ(reasonOf(c.open(c.seal(junk, kSequence))), DropReason::kUndecodable);
  EXPECT_EQ(reasonOf(c.open(c.seal(Bytes{}, kSequence))), DropReason::kUndecodable);
  EXPECT_EQ(c.counters().droppedFor(DropReason::kOversized), 1u);
  EXPECT_EQ(c.counters().droppedFor(DropReason::kUndecodable), 2u);
}

TEST(PacketAuth, RandomGarbageIsNeverAcceptedAndAlwaysCounted) {
  PacketCodec c = codec();
  std::mt19937_64 rng(12345);
  const Bytes valid = c.seal(encode(samples()[1]), kSequence);
  constexpr int kRounds = 20000;
  for (int i = 0; i < kRounds; ++i) {
    Bytes bytes;
    if (i % 2 == 0) {
      // Pure noise, of any length up to past the limit.
      bytes.resize(rng() % (i % 100 == 0 ? 70000 : 200));
      for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    } else {
      // A valid header (so that the tag check is reached) followed by noise.
      bytes.assign(valid.begin(), valid.begin() + kFrameHeaderSize);
      bytes.resize(kFrameHeaderSize + rng() % 100);
      for (std::size_t j = kFrameHeaderSize; j < bytes.size(); ++j) {
        bytes[j] = static_cast<std::uint8_t>(rng());
      }
    }
    ASSERT_TRUE(reasonOf(c.open(bytes)).has_value());
  }
  EXPECT_EQ(c.counters().accepted, 0u);
  EXPECT_EQ(c.counters().droppedTotal(), static_cast<std::uint64_t>(kRounds));
  EXPECT_GT(c.counters().droppedFor(DropReason::kBadTag), 0u);
  EXPECT_GT(c.counters().droppedFor(DropReason::kTruncated), 0u);
  EXPECT_GT(c.counters().droppedFor(DropReason::kBadHeader), 0u);
  EXPECT_NE(c.counters().toString().find("bad_tag "), std::string::npos);
}

TEST(PacketAuth, RefusesShortKeys) {
  EXPECT_FALSE(PacketCodec::create(ClusterKey(kMinClusterKeySize - 1, 1), "web").ok());
  EXPECT_FALSE(PacketCodec::create(ClusterKey(kMaxClusterKeySize + 1, 1), "web").ok());
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "pulse_membership_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

using ClusterKeyFile = TempDir;

TEST_F(ClusterKeyFile, GeneratesDistinctKeysAndRoundTripsWithMode0600) {
  auto a = generateClusterKey();
  auto b = generateClusterKey();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), kClusterKeySize);
  EXPECT_NE(*a, *b);
  const std::string file = path("authkey");
  ::umask(022);
  ASSERT_TRUE(writeClusterKeyFile(file, *a).ok());
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  auto read = readClusterKeyFile(file);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(*read, *a);
  // Overwriting keeps the mode private.
  ASSERT_TRUE(writeClusterKeyFile(file, *b).ok());
  EXPECT_EQ(*readClusterKeyFile(file), *b);
}

TEST_F(ClusterKeyFile, RefusesGroupOrOtherAccessAndBadSizes) {
  const std::string file = path("authkey");
  ASSERT_TRUE(writeClusterKeyFile(file, testKey(3)).ok());
  for (mode_t mode : {0640u, 0604u, 0620u, 0602u}) {
    ASSERT_EQ(::chmod(file.c_str(), mode), 0);
    auto read = readClusterKeyFile(file);
    ASSERT_FALSE(read.ok()) << std::oct << mode;
    EXPECT_NE(read.error().message.find("chmod 600"), std::string::npos);
  }
  ASSERT_EQ(::chmod(file.c_str(), 0400), 0);
  EXPECT_TRUE(readClusterKeyFile(file).ok());
  EXPECT_FALSE(writeClusterKeyFile(path("short"), ClusterKey(8, 1)).ok());
  {
    std::ofstream out(path("short"));
    out << "tooshort";
  }
  ASSERT_EQ(::chmod(path("short").c_str(), 0600), 0);
  EXPECT_FALSE(readClusterKeyFile(path("short")).ok());
  EXPECT_FALSE(readClusterKeyFile(path("missing")).ok());
  EXPECT_FALSE(readClusterKeyFile(dir_).ok());
}

using StateFile = TempDir;

TEST_F(StateFile, MissingIsFirstStartAndStoreLoadRoundTrips) {
  const std::string file = path("state");
  auto first = loadPersistentState(file);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, PersistentState{});
  PersistentState state{~0ull, 17};
  ASSERT_TRUE(storePersistentState(file, state).ok());
  auto loaded = loadPersistentState(file);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(*loaded, state);
  EXPECT_FALSE(std::filesystem::exists(file + ".tmp"));
}

TEST_F(StateFile, CorruptFileIsAnError) {
  const std::string file = path("state");
  for (const char* text :
       {"", "pulse-membership-state 1\n", "pulse-membership-state 1\nmax_seq x\n",
        "pulse-membership-state 1\nmax_seq 1\nincarnation 2\nextra",
        "pulse-membership-state 2\nmax_seq 1\nincarnation 2\n"}) {
    {
      std::ofstream out(file, std::ios::trunc);
      out << text;
    }
    EXPECT_FALSE(loadPersistentState(file).ok()) << text;
  }
  EXPECT_TRUE(parsePersistentState(formatPersistentState({3, 4})).ok());
}

// A restart must come back with a larger incarnation, or its peers drop its frames as replays.
TEST(StartingState, IncarnationGrowsWithTheFileAndWithoutIt) {
  using std::chrono::milliseconds;
  using std::chrono::system_clock;
  const system_clock::time_point t0(milliseconds(1765000000000));
  // First start, or a lost file: the wall clock in ms.
  EXPECT_EQ(startingState({}, t0), (PersistentState{0, 1765000000000}));
  // The max_seq is kept as persisted.
  EXPECT_EQ(startingState({12, 3}, t0).max_seq, 12u);
  // With the file, whatever the clock: persisted + 1 (the node adds it) stays above.
  const PersistentState after_first{5, 1765000000001};
  for (auto wall : {t0 - std::chrono::hours(24), t0, t0 + milliseconds(1)}) {
    EXPECT_GE(startingState(after_first, wall).incarnation, after_first.incarnation);
  }
  // Without it, a start 1 ms later still goes above the previous run's incarnation (the node
  // runs with startingState().incarnation + 1).
  const std::uint64_t previous = startingState({}, t0).incarnation + 1;
  EXPECT_GT(startingState({}, t0 + milliseconds(1)).incarnation + 1, previous);
  // A clock before the epoch (broken RTC) does not wrap to a huge value.
  EXPECT_EQ(startingState({0, 9}, system_clock::time_point(milliseconds(-5))).incarnation, 9u);
}

}  // namespace
}  // namespace pulse::membership
