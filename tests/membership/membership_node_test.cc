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

int acksIn(const Output& out) {
  int n = 0;
  for (const Outgoing& m : out.messages) {
    auto decoded = decode(m.bytes);
    if (decoded.ok() && std::holds_alternative<Ack>(decoded.value().body)) ++n;
  }
  return n;
}

Bytes heartbeatFrom(NodeId from) {
  return encode(Message{from, Heartbeat{1, 0, RingId{}, {}, false, false, {}}});
}

// Node 3 hears nodes 1 and 2. A Propose from 2 that leaves 1 out (2 has not heard 1 yet, as
// at a heal) gets no Ack while 3 hears 1; one that lists every node 3 hears is acked at once.
TEST(MembershipNode, AcksOnlyProposalsListingEveryNodeItHears) {
  MembershipNode node(3, Timing::fromToken(Duration{1000}), {}, at(0));
  for (NodeId from : {1u, 2u}) node.onMessage(from, heartbeatFrom(from), at(10));
  Output out = node.onMessage(2, encode(Message{2, Propose{RingId{5, 2}, {2, 3}}}), at(20));
  EXPECT_EQ(acksIn(out), 0) << "acked a view without node 1, which it hears";
  EXPECT_EQ(acksIn(node.onTick(at(30))), 0);
  out = node.onMessage(1, encode(Message{1, Propose{RingId{6, 1}, {1, 2, 3}}}), at(40));
  EXPECT_EQ(acksIn(out), 1) << "a Propose listing every node it hears is acked at once";
}

// The deferred Ack goes out when the left-out node is lost (a real failure: detection is not
// lengthened), or after Timing::defer() (a partial cut: the proposer never hears that node).
TEST(MembershipNode, DeferredAckGoesOutWhenTheNodeIsLostOrAfterTheDeferLimit) {
  const Timing timing = Timing::fromToken(Duration{1000});
  const Bytes propose = encode(Message{2, Propose{RingId{5, 2}, {2, 3}}});
  {
    MembershipNode node(3, timing, {}, at(0));
    node.onMessage(1, heartbeatFrom(1), at(10));  // last heard at 10 ms: lost at 1010 ms
    node.onMessage(2, heartbeatFrom(2), at(900));
    EXPECT_EQ(acksIn(node.onMessage(2, propose, at(1000))), 0);
    EXPECT_EQ(acksIn(node.onTick(at(1020))), 1) << "1 lost: the Ack goes out at the next tick";
  }
  {
    MembershipNode node(3, timing, {}, at(0));
    node.onMessage(1, heartbeatFrom(1), at(10));
    EXPECT_EQ(acksIn(node.onMessage(2, propose, at(20))), 0);
    int sent = 0;
    for (int ms = 30; ms < 20 + 2 * 250; ms += 10) {
      node.onMessage(1, heartbeatFrom(1), at(ms));  // 1 stays heard throughout
      sent += acksIn(node.onTick(at(ms)));
    }
    EXPECT_EQ(sent, 0) << "acked before the defer limit";
    EXPECT_EQ(acksIn(node.onTick(at(520))), 1) << "no Ack at the defer limit";
  }
}

// Gathering, the shell also wakes at nextLoss(): when a node's token runs out here (a deferred
// Ack is then due at once, not at the next tick), or at the defer limit if that comes first.
TEST(MembershipNode, WakesWhenTheLeftOutNodeIsLostOrAtTheDeferLimit) {
  const Timing timing = Timing::fromToken(Duration{1000});
  const Bytes propose = encode(Message{2, Propose{RingId{5, 2}, {2, 3}}});
  {
    MembershipNode node(3, timing, {}, at(0));
    node.onMessage(1, heartbeatFrom(1), at(10));  // lost here at 1010 ms
    node.onMessage(2, heartbeatFrom(2), at(900));
    EXPECT_EQ(acksIn(node.onMessage(2, propose, at(1003))), 0);  // 2 heard until 2003 ms
    EXPECT_EQ(node.nextLoss(at(1003)), at(1010));
    EXPECT_EQ(acksIn(node.onTick(at(1009))), 0) << "acked while node 1 is still heard";
    EXPECT_EQ(acksIn(node.onTick(at(1010))), 1) << "no Ack at the instant node 1 was lost";
    EXPECT_EQ(node.nextLoss(at(1010)), at(2003)) << "after the Ack: node 2's token";
  }
  {
    MembershipNode node(3, timing, {}, at(0));
    node.onMessage(1, heartbeatFrom(1), at(10));
    EXPECT_EQ(acksIn(node.onMessage(2, propose, at(20))), 0);
    node.onMessage(1, heartbeatFrom(1), at(400));
    node.onMessage(2, heartbeatFrom(2), at(400));  // both heard until 1400 ms
    EXPECT_EQ(node.nextLoss(at(400)), at(20 + 2 * 250)) << "the defer limit comes first";
  }
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
