// MembershipNode driven by hand: a manual clock and direct delivery, no simulator.
#include "membership/membership_node.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "schedule.h"

namespace pulse::membership {
namespace {

TimePoint at(int ms) { return TimePoint{} + Duration{ms}; }

// A lossless, instant network between `nodes`, with a partition switch.
class Cluster {
 public:
  explicit Cluster(std::vector<NodeId> ids) {
    for (NodeId id : ids) nodes_.emplace(id, MembershipNode(id, timing_, {}, now_));
  }

  void run(int ms) {
    for (int i = 0; i < ms / 10; ++i) {
      now_ += Duration{10};
      for (auto& [id, node] : nodes_) queue(id, node.onTick(now_));
      while (!wire_.empty()) {
        auto [from, to, bytes] = wire_.front();
        wire_.pop_front();
        if (nodes_.contains(to) && !cut(from, to))
          queue(to, nodes_.at(to).onMessage(from, bytes, now_));
      }
    }
  }

  void queue(NodeId from, const Output& out) {
    for (const Outgoing& m : out.messages) {
      for (const auto& [id, node] : nodes_) {
        if (id != from && (m.to == kNoNode || m.to == id)) wire_.push_back({from, id, m.bytes});
      }
    }
  }

  bool cut(NodeId a, NodeId b) const { return isolated_ && (a == *isolated_ || b == *isolated_); }

  Timing timing_ = Timing::fromToken(Duration{1000});
  TimePoint now_{};
  std::map<NodeId, MembershipNode> nodes_;
  std::deque<std::tuple<NodeId, NodeId, Bytes>> wire_;
  std::optional<NodeId> isolated_;
};

TEST(MembershipNode, ThreeNodesFormOneView) {
  Cluster c({1, 2, 3});
  c.run(1000);
  for (auto& [id, node] : c.nodes_) {
    ASSERT_TRUE(node.view().has_value()) << "node " << id;
    EXPECT_EQ(node.view()->members, (std::vector<NodeId>{1, 2, 3}));
    EXPECT_EQ(node.view()->ring_id.representative, 1u);
    EXPECT_EQ(node.view(), c.nodes_.at(1).view());
  }
}

TEST(MembershipNode, LostNodeLeavesAfterTokenAndRejoinsWithLargerRing) {
  Cluster c({1, 2, 3});
  c.run(1000);
  const RingId first = c.nodes_.at(1).view()->ring_id;
  c.isolated_ = 1;
  c.run(500);  // less than the token: nothing changes yet
  EXPECT_EQ(c.nodes_.at(2).view()->ring_id, first);
  c.run(1000);
  EXPECT_EQ(c.nodes_.at(2).view()->members, (std::vector<NodeId>{2, 3}));
  EXPECT_EQ(c.nodes_.at(2).view()->ring_id.representative, 2u);
  EXPECT_EQ(c.nodes_.at(1).view()->members, std::vector<NodeId>{1});
  c.isolated_.reset();
  c.run(1000);
  const auto& healed = c.nodes_.at(3).view();
  EXPECT_EQ(healed->members, (std::vector<NodeId>{1, 2, 3}));
  EXPECT_GT(healed->ring_id, first);
  EXPECT_EQ(c.nodes_.at(1).view(), healed);
}

TEST(MembershipNode, RestartKeepsMaxSeqAndBumpsIncarnation) {
  MembershipNode node(4, Timing{}, PersistentState{41, 6}, at(0));
  EXPECT_EQ(node.persistentState(), (PersistentState{41, 7}));
  // A Commit at or below the persisted seq is refused: the node may have installed it before.
  Output out = node.onMessage(1, encode(Message{1, Commit{RingId{41, 1}, {1, 4}}}), at(1));
  EXPECT_TRUE(out.installed.empty());
  out = node.onMessage(1, encode(Message{1, Commit{RingId{42, 1}, {1, 4}}}), at(2));
  ASSERT_EQ(out.installed.size(), 1u);
  EXPECT_EQ(node.persistentState().max_seq, 42u);
  EXPECT_TRUE(out.persist);
}

TEST(MembershipNode, DropsGarbageAndForgedSenders) {
  MembershipNode node(2, Timing{}, {}, at(0));
  EXPECT_TRUE(node.onMessage(1, Bytes{1, 2, 3}, at(1)).messages.empty());
  Output out = node.onMessage(3, encode(Message{1, Commit{RingId{5, 1}, {1, 2}}}), at(2));
  EXPECT_TRUE(out.installed.empty());
  EXPECT_EQ(node.droppedMessages(), 2u);
  EXPECT_FALSE(node.view().has_value());
}

TEST(MembershipNode, DispatchSendsAndBroadcasts) {
  struct Recorder : Transport {
    void send(NodeId to, const Bytes&) override { log += "send" + std::to_string(to) + " "; }
    void broadcast(const Bytes&) override { log += "broadcast "; }
    std::string log;
  } recorder;
  Output out;
  out.messages = {Outgoing{kNoNode, {}}, Outgoing{3, {}}};
  dispatch(out, recorder);
  EXPECT_EQ(recorder.log, "broadcast send3 ");
}

TEST(ScheduleReplay, SameSeedSameRun) {
  const Timing timing = Timing::fromToken(Duration{1000});
  for (std::uint64_t seed : {3u, 6u, 7u}) {
    auto a = sim::runSchedule(sim::makeSchedule(seed, 6), timing);
    auto b = sim::runSchedule(sim::makeSchedule(seed, 6), timing);
    EXPECT_EQ(a.stats.delivered, b.stats.delivered);
    EXPECT_EQ(a.stats.views_installed, b.stats.views_installed);
    EXPECT_EQ(a.convergence, b.convergence);
    EXPECT_EQ(sim::makeSchedule(seed, 6).describe(), sim::makeSchedule(seed, 6).describe());
  }
}

}  // namespace
}  // namespace pulse::membership
