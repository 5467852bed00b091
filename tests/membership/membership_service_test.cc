// Loopback integration test of the I/O shell: three MembershipServices on 127.0.0.1 (ports
// chosen by the kernel), one io_context run by the test thread, real time with token = 200 ms.
// Bounds are generous multiples of the protocol's timeouts so that a loaded machine does not
// make the test flaky; every wait is bounded, so the test always ends.
#include "membership/membership_service.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <filesystem>
#include <functional>

#include "membership/state_file.h"

namespace pulse::membership {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kToken{200};
constexpr milliseconds kConsensus{240};  // 1.2 x token

class LoopbackIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "pulse_loopback_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    config_.cluster_name = "loop";
    config_.token = kToken;
    config_.consensus = kConsensus;
    for (NodeId id : {1u, 2u, 3u}) {
      config_.nodes.push_back(ClusterNode{id, "n" + std::to_string(id), "127.0.0.1", 1});
    }
    key_ = testKey();
  }
  void TearDown() override {
    services_.clear();
    std::filesystem::remove_all(dir_);
  }

  static ClusterKey testKey() {
    auto key = generateClusterKey();
    EXPECT_TRUE(key.ok());
    return *key;
  }

  // Creates node `id` bound to 127.0.0.1:0 and points it (and the others) at each other.
  void addService(NodeId id) {
    ServiceOptions options;
    options.self = id;
    options.config = config_;
    options.key = key_;
    options.state_path = dir_ + "/state" + std::to_string(id);
    options.port = 0;
    options.log = [this, id](const std::string& line) { logs_[id].push_back(line); };
    auto service = MembershipService::create(io_, options);
    ASSERT_TRUE(service.ok()) << service.error().message;
    (*service)->onViewChanged([this, id](const ViewChanged& v) { views_[id].push_back(v); });
    services_[id] = std::move(service).value();
    for (auto& [a, sa] : services_) {
      for (auto& [b, sb] : services_) {
        if (a != b) {
          ASSERT_TRUE(sa->setPeerEndpoint(b, "127.0.0.1", sb->localPort()).ok());
        }
      }
    }
    services_[id]->start();
  }

  // Runs the io_context until `done` or `limit` passes; returns the time it took.
  std::optional<milliseconds> runUntil(const std::function<bool()>& done, milliseconds limit) {
    const auto start = Clock::now();
    while (!done()) {
      if (Clock::now() - start > limit) return std::nullopt;
      io_.run_for(milliseconds(5));
    }
    return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  }

  bool allHave(const std::vector<NodeId>& nodes, const std::vector<NodeId>& members) {
    std::optional<RingId> ring;
    for (NodeId n : nodes) {
      const auto& view = services_[n]->view();
      if (!view || view->members != members) return false;
      if (ring && *ring != view->ring_id) return false;
      ring = view->ring_id;
    }
    return true;
  }

  boost::asio::io_context io_;
  std::string dir_;
  ClusterConfig config_;
  ClusterKey key_;
  std::map<NodeId, std::unique_ptr<MembershipService>> services_;
  std::map<NodeId, std::vector<ViewChanged>> views_;
  std::map<NodeId, std::vector<std::string>> logs_;
};

TEST_F(LoopbackIntegration, FormsViewSurvivesForgeryLosesAndRegainsANode) {
  for (NodeId id : {1u, 2u, 3u}) addService(id);

  // 1. All three agree on one view, quorate.
  const milliseconds form_bound = 2 * kToken + kConsensus;  // 640 ms
  auto formed = runUntil([&] { return allHave({1, 2, 3}, {1, 2, 3}); }, 5 * form_bound);
  ASSERT_TRUE(formed.has_value()) << "no common 3-member view";
  std::cout << "[ timing ] 3-member view after " << formed->count() << " ms (design bound "
            << form_bound.count() << " ms)\n";
  EXPECT_LE(*formed, 3 * form_bound);
  const RingId first_ring = services_[1]->view()->ring_id;
  const std::uint64_t first_incarnation3 = services_[3]->persistentState().incarnation;
  for (NodeId id : {1u, 2u, 3u}) {
    ASSERT_FALSE(views_[id].empty());
    EXPECT_EQ(views_[id].back().view, *services_[id]->view());
    EXPECT_TRUE(views_[id].back().quorum.quorate) << "node " << id;
    EXPECT_EQ(services_[id]->quorum().total_votes, 3u);
    // The ring seq in use is durable.
    auto state = loadPersistentState(dir_ + "/state" + std::to_string(id));
    ASSERT_TRUE(state.ok());
    EXPECT_GE(state->max_seq, first_ring.seq);
    EXPECT_EQ(state->incarnation, services_[id]->persistentState().incarnation);
    // Every view names each member's incarnation (the DC tells a restarted crmd by it).
    for (NodeId member : {1u, 2u, 3u}) {
      EXPECT_EQ(views_[id].back().incarnations.at(member),
                services_[member]->persistentState().incarnation)
          << "node " << id << " on " << member;
    }
  }

  // 2. A forged packet (right cluster name, random key) claiming a newer ring changes nothing.
  {
    auto forger = PacketCodec::create(testKey(), config_.cluster_name);
    ASSERT_TRUE(forger.ok());
    Bytes frame = forger->seal(encode(Message{2, Commit{RingId{first_ring.seq + 100, 2}, {1, 2}}}),
                               FrameSequence{~0ull, 1});
    boost::asio::ip::udp::socket raw(io_, boost::asio::ip::udp::v4());
    raw.send_to(boost::asio::buffer(frame),
                boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                               services_[1]->localPort()));
    const std::size_t views_before = views_[1].size();
    auto counted =
        runUntil([&] { return services_[1]->stats().packets.droppedFor(DropReason::kBadTag) >= 1; },
                 milliseconds(2000));
    ASSERT_TRUE(counted.has_value());
    runUntil([] { return false; }, kToken);  // let anything it might have caused happen
    EXPECT_EQ(services_[1]->stats().packets.droppedFor(DropReason::kBadTag), 1u);
    EXPECT_EQ(services_[1]->view()->ring_id, first_ring);
    EXPECT_EQ(views_[1].size(), views_before);
    EXPECT_TRUE(allHave({1, 2, 3}, {1, 2, 3}));
  }

  // 3. Node 3 stops: the other two install {1, 2}, still quorate (2 of 3 votes).
  services_[3]->stop();
  const milliseconds loss_bound = kToken + kConsensus;  // 440 ms
  auto lost = runUntil([&] { return allHave({1, 2}, {1, 2}); }, 5 * (loss_bound + kToken));
  ASSERT_TRUE(lost.has_value()) << "no common 2-member view";
  std::cout << "[ timing ] 2-member view " << lost->count() << " ms after the stop (design bound "
            << loss_bound.count() << " ms + margin)\n";
  EXPECT_LE(*lost, 3 * (loss_bound + kToken));
  const RingId second_ring = services_[1]->view()->ring_id;
  EXPECT_GT(second_ring, first_ring);
  for (NodeId id : {1u, 2u}) {
    EXPECT_TRUE(views_[id].back().quorum.quorate);
    EXPECT_EQ(views_[id].back().quorum.total_votes, 2u);
  }

  // 4. Node 3 restarts from its state file (new incarnation, new port) and rejoins.
  services_.erase(3);
  addService(3);
  EXPECT_GT(services_[3]->persistentState().incarnation, first_incarnation3);
  auto rejoined = runUntil([&] { return allHave({1, 2, 3}, {1, 2, 3}); }, 5 * form_bound);
  ASSERT_TRUE(rejoined.has_value()) << "node 3 did not rejoin";
  std::cout << "[ timing ] rejoined after " << rejoined->count() << " ms\n";
  EXPECT_GT(services_[1]->view()->ring_id, second_ring);
  for (NodeId id : {1u, 2u}) {
    EXPECT_EQ(views_[id].back().incarnations.at(3), services_[3]->persistentState().incarnation)
        << "node " << id << " must see node 3's new run";
  }
  for (NodeId id : {1u, 2u, 3u}) {
    EXPECT_EQ(services_[id]->stats().persist_errors, 0u);
    EXPECT_EQ(services_[id]->stats().packets.droppedFor(DropReason::kUndecodable), 0u);
    EXPECT_GT(services_[id]->stats().sent, 0u);
  }
}

// The attack of a captured frame resent: frames sealed with the cluster key and a sequence that
// node 2 already used (what a capture of its traffic holds) are dropped and counted as replays,
// while node 2 runs and after it stopped; a frame from another address is dropped as
// wrong_source without advancing node 2's window.
TEST_F(LoopbackIntegration, ReplayedFramesAreDroppedCountedAndLogged) {
  for (NodeId id : {1u, 2u, 3u}) addService(id);
  const milliseconds form_bound = 2 * kToken + kConsensus;
  ASSERT_TRUE(runUntil([&] { return allHave({1, 2, 3}, {1, 2, 3}); }, 5 * form_bound));
  const RingId ring = services_[1]->view()->ring_id;
  const std::uint64_t incarnation2 = services_[2]->persistentState().incarnation;
  auto sealer = PacketCodec::create(key_, config_.cluster_name);
  ASSERT_TRUE(sealer.ok());
  // Node 2's own messages of this run, at counters it has used by now.
  const Message heartbeat{2, Heartbeat{incarnation2, ring.seq, ring, {1, 2, 3}, false, false, {}}};
  const Message info{2, NodeInfo{ring, 3, true, false, {}, std::nullopt}};
  const Message ack{2, Ack{ring}};
  namespace ip = boost::asio::ip;
  ip::udp::socket attacker(io_, ip::udp::endpoint(ip::make_address("127.0.0.1"), 0));
  std::uint64_t sent_to_1 = 0;
  auto replay = [&](const Message& m, std::uint64_t counter) {
    Bytes frame = sealer->seal(encode(m), FrameSequence{incarnation2, counter});
    attacker.send_to(boost::asio::buffer(frame),
                     ip::udp::endpoint(ip::make_address("127.0.0.1"), services_[1]->localPort()));
    ++sent_to_1;
  };
  auto replayed = [&](NodeId id) {
    return services_[id]->stats().packets.droppedFor(DropReason::kReplayed);
  };

  // 1. While node 2 runs: replays change nothing.
  const std::size_t views_before = views_[1].size();
  replay(heartbeat, 1);
  replay(info, 2);
  replay(ack, 3);
  ASSERT_TRUE(runUntil([&] { return replayed(1) >= sent_to_1; }, milliseconds(2000)));
  // 2. A fresh-looking sequence from the wrong address: dropped, and the window not moved (or
  // node 2's next genuine frames would be taken for replays and node 2 lost).
  {
    ip::udp::socket elsewhere(io_, ip::udp::endpoint(ip::make_address("127.0.0.2"), 0));
    Bytes frame = sealer->seal(encode(heartbeat), FrameSequence{incarnation2, ~0ull});
    elsewhere.send_to(boost::asio::buffer(frame),
                      ip::udp::endpoint(ip::make_address("127.0.0.1"), services_[1]->localPort()));
  }
  ASSERT_TRUE(runUntil(
      [&] { return services_[1]->stats().packets.droppedFor(DropReason::kWrongSource) == 1; },
      milliseconds(2000)));
  runUntil([] { return false; }, 2 * kToken);
  EXPECT_EQ(views_[1].size(), views_before);
  EXPECT_TRUE(allHave({1, 2, 3}, {1, 2, 3}));
  EXPECT_EQ(replayed(1), sent_to_1);

  // 3. Node 2 stops; its heartbeat resent every 20 ms does not keep it in the view.
  services_[2]->stop();
  const auto stopped = Clock::now();
  std::optional<milliseconds> lost;
  // The same captured frames over and over (counters node 2 has used: step 1 showed it).
  for (std::uint64_t i = 0; !lost && Clock::now() - stopped < 10 * kToken; ++i) {
    replay(heartbeat, 1 + i % 3);
    io_.run_for(milliseconds(20));
    if (allHave({1, 3}, {1, 3})) {
      lost = std::chrono::duration_cast<milliseconds>(Clock::now() - stopped);
    }
  }
  ASSERT_TRUE(lost.has_value()) << "node 2 kept in the view by its replayed heartbeats";
  const milliseconds loss_bound = kToken + kConsensus;
  std::cout << "[ timing ] 2-member view " << lost->count()
            << " ms after the stop, under replay (design bound " << loss_bound.count() << " ms)\n";
  EXPECT_LE(*lost, 3 * (loss_bound + kToken));
  ASSERT_TRUE(runUntil([&] { return replayed(1) >= sent_to_1; }, milliseconds(2000)));
  EXPECT_EQ(replayed(1), sent_to_1);
  EXPECT_EQ(views_[1].size(), views_before + 1);  // only the view without node 2
  // Rate-limited log: the first replay at once, then at most one line per interval.
  std::size_t replay_lines = 0;
  for (const std::string& line : logs_[1]) {
    if (line.find("replayed frame(s)") != std::string::npos) ++replay_lines;
  }
  EXPECT_GE(replay_lines, 1u);
  EXPECT_LE(replay_lines, 2u) << sent_to_1 << " replays";
  ASSERT_FALSE(logs_[1].empty());
  EXPECT_NE(logs_[1].front().find("claiming node 2 from 127.0.0.1"), std::string::npos)
      << logs_[1].front();
}

// NodeInfo frames between real services: `corosync-quorumtool -e 5` on node 1 reaches nodes 2
// and 3 through node 1's authenticated NodeInfo, and their onQuorumChanged fires.
TEST_F(LoopbackIntegration, NodeInfoCarriesRaisedExpectedVotesToTheOtherMembers) {
  for (NodeId id : {1u, 2u, 3u}) addService(id);
  std::map<NodeId, std::vector<QuorumStatus>> changes;
  for (NodeId id : {1u, 2u, 3u}) {
    services_[id]->onQuorumChanged(
        [&changes, id](const QuorumStatus& status) { changes[id].push_back(status); });
  }
  const milliseconds form_bound = 2 * kToken + kConsensus;
  ASSERT_TRUE(runUntil([&] { return allHave({1, 2, 3}, {1, 2, 3}); }, 5 * form_bound));
  for (NodeId id : {1u, 2u, 3u}) EXPECT_TRUE(services_[id]->quorum().quorate);

  EXPECT_FALSE(services_[1]->setExpectedVotes(2).ok());  // below the 3 votes present
  ASSERT_TRUE(services_[1]->setExpectedVotes(5).ok());
  EXPECT_EQ(services_[1]->quorum().expected_votes, 5u);
  auto spread = runUntil(
      [&] {
        return services_[2]->quorum().expected_votes == 5 &&
               services_[3]->quorum().expected_votes == 5;
      },
      milliseconds(3000));
  ASSERT_TRUE(spread.has_value()) << "expected votes did not reach nodes 2 and 3";
  for (NodeId id : {1u, 2u, 3u}) {
    const QuorumStatus status = services_[id]->quorum();
    EXPECT_TRUE(status.quorate) << "node " << id;
    EXPECT_EQ(status.quorum, 3u);
    ASSERT_FALSE(changes[id].empty());
    EXPECT_EQ(changes[id].back(), status);
    EXPECT_EQ(services_[id]->stats().packets.droppedFor(DropReason::kUndecodable), 0u);
  }
}

TEST_F(LoopbackIntegration, CreateRejectsBadOptions) {
  ServiceOptions options;
  options.config = config_;
  options.key = key_;
  options.state_path = dir_ + "/state";
  options.port = 0;
  options.self = 9;
  EXPECT_FALSE(MembershipService::create(io_, options).ok());  // not in the node list
  options.self = 1;
  options.key.resize(8);
  EXPECT_FALSE(MembershipService::create(io_, options).ok());  // short key
  options.key = key_;
  options.state_path = dir_ + "/no/such/dir/state";
  EXPECT_FALSE(MembershipService::create(io_, options).ok());  // state not storable
}

}  // namespace
}  // namespace pulse::membership
