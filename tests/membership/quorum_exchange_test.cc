// QuorumExchange: votequorum plus the nodeinfo exchange. Unit tests of the component, then the
// user-visible scenario (a fresh node joining a partition that last_man_standing shrank) both
// with hand-delivered messages, with and without nodeinfo, and through the simulator.
#include "membership/quorum_exchange.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "simulator.h"

namespace pulse::membership {
namespace {

using std::chrono::milliseconds;

constexpr Timing kTiming{Duration{1000}, Duration{1200}, Duration{250}};

TimePoint at(std::int64_t ms) { return TimePoint{} + milliseconds(ms); }

QuorumConfig nodes(std::uint32_t count) {
  QuorumConfig config;
  for (NodeId id = 1; id <= count; ++id) config.nodes.push_back({id, 1});
  return config;
}

QuorumConfig lastManStanding(std::uint32_t count) {
  QuorumConfig config = nodes(count);
  config.wait_for_all = true;
  config.last_man_standing = true;
  return config;
}

QuorumExchange make(NodeId self, const QuorumConfig& config) {
  auto exchange = QuorumExchange::create(self, config, kTiming);
  EXPECT_TRUE(exchange.ok()) << exchange.error().message;
  return std::move(exchange).value();
}

// The NodeInfo messages of an update, by recipient; every one must decode and carry `sender`.
std::map<NodeId, NodeInfo> sent(const QuorumUpdate& update, NodeId sender) {
  std::map<NodeId, NodeInfo> out;
  for (const Outgoing& m : update.messages) {
    auto decoded = decode(m.bytes);
    EXPECT_TRUE(decoded.ok());
    if (!decoded.ok()) continue;
    EXPECT_EQ(decoded->sender, sender);
    EXPECT_NE(m.to, kNoNode);
    const auto* info = std::get_if<NodeInfo>(&decoded->body);
    EXPECT_NE(info, nullptr);
    if (info != nullptr) out[m.to] = *info;
  }
  return out;
}

std::set<NodeId> recipients(const QuorumUpdate& update) {
  std::set<NodeId> out;
  for (const Outgoing& m : update.messages) out.insert(m.to);
  return out;
}

TEST(QuorumExchangeTest, AnnouncesItsStateToTheOtherMembersAtEveryView) {
  QuorumExchange ex = make(1, nodes(3));
  EXPECT_FALSE(ex.announcement().has_value());
  EXPECT_TRUE(ex.onTick(at(0)).messages.empty());  // nothing before a view

  const View view{RingId{5, 1}, {1, 2, 3}};
  const QuorumUpdate update = ex.onViewInstalled(view, at(0));
  EXPECT_TRUE(update.changed);
  EXPECT_TRUE(update.status.quorate);
  const auto infos = sent(update, 1);
  ASSERT_EQ(infos.size(), 2u);
  for (NodeId to : {2u, 3u}) {
    ASSERT_TRUE(infos.count(to));
    EXPECT_EQ(infos.at(to), (NodeInfo{view.ring_id, 3, true, false}));
  }
  EXPECT_TRUE(ex.checkInvariants().ok());

  // A smaller view: only its other member hears.
  EXPECT_EQ(recipients(ex.onViewInstalled(View{RingId{6, 1}, {1, 3}}, at(10))),
            std::set<NodeId>{3});
}

TEST(QuorumExchangeTest, AppliesOnlyInfoAboutTheCurrentRingFromItsMembers) {
  // Node 4 restarted fresh (expected 5, waiting for all) into {1, 2, 3, 4}.
  QuorumExchange ex = make(4, lastManStanding(5));
  const View view{RingId{7, 1}, {1, 2, 3, 4}};
  QuorumUpdate update = ex.onViewInstalled(view, at(0));
  EXPECT_FALSE(update.status.quorate);
  EXPECT_EQ(update.status.expected_votes, 5u);
  const QuorumStatus waiting = update.status;
  const NodeInfo quorate{view.ring_id, 4, true, false};

  auto unchanged = [&](const QuorumUpdate& u) {
    EXPECT_FALSE(u.changed);
    EXPECT_TRUE(u.messages.empty());
    EXPECT_EQ(u.status, waiting);
  };
  unchanged(ex.onNodeInfo(5, quorate, at(1)));  // not a member of the view
  unchanged(ex.onNodeInfo(9, quorate, at(1)));  // not in the config
  unchanged(ex.onNodeInfo(4, quorate, at(1)));  // itself
  unchanged(ex.onNodeInfo(1, NodeInfo{RingId{6, 1}, 4, true, false}, at(1)));  // older ring
  unchanged(ex.onNodeInfo(1, NodeInfo{RingId{8, 1}, 4, true, false}, at(1)));  // newer ring
  unchanged(ex.onMessage(2, Message{3, quorate}, at(1)));                      // forged sender
  unchanged(ex.onMessage(2, Message{2, Ack{view.ring_id}}, at(1)));            // not nodeinfo
  // Node 1's info is now for ring (8, 1): its older info for the current ring is stale.
  unchanged(ex.onNodeInfo(1, quorate, at(1)));
  EXPECT_EQ(ex.ignoredInfos(), 5u);
  EXPECT_TRUE(ex.checkInvariants().ok());

  // A quorate member about the current ring: node 4 adopts and stops waiting, and says so.
  update = ex.onNodeInfo(2, quorate, at(2));
  EXPECT_TRUE(update.changed);
  EXPECT_TRUE(update.status.quorate);
  EXPECT_EQ(update.status.expected_votes, 4u);
  EXPECT_FALSE(ex.votequorum().waitingForAll());
  const auto infos = sent(update, 4);
  EXPECT_EQ(infos.size(), 3u);
  for (const auto& [to, info] : infos) EXPECT_EQ(info, (NodeInfo{view.ring_id, 4, true, false}));
  EXPECT_TRUE(ex.checkInvariants().ok());
}

TEST(QuorumExchangeTest, InfoForARingNotYetInstalledCountsWhenItIs) {
  QuorumExchange ex = make(4, lastManStanding(5));
  const View view{RingId{7, 1}, {1, 2, 3, 4}};
  // Node 1 installed the view first and announced it before node 4 got the Commit.
  EXPECT_FALSE(ex.onNodeInfo(1, NodeInfo{view.ring_id, 4, true, false}, at(0)).changed);
  EXPECT_TRUE(ex.onNodeInfo(5, NodeInfo{RingId{3, 5}, 5, true, false}, at(0)).messages.empty());
  const QuorumUpdate update = ex.onViewInstalled(view, at(1));
  EXPECT_TRUE(update.status.quorate);
  EXPECT_EQ(update.status.expected_votes, 4u);
  EXPECT_TRUE(ex.checkInvariants().ok());  // node 5's info for the older ring was dropped
}

TEST(QuorumExchangeTest, ResendsEveryHeartbeatUntilAllMembersAreHeardThenEveryToken) {
  QuorumExchange ex = make(1, nodes(3));
  const View view{RingId{5, 1}, {1, 2, 3}};
  ex.onViewInstalled(view, at(0));
  EXPECT_TRUE(ex.onTick(at(249)).messages.empty());
  EXPECT_EQ(recipients(ex.onTick(at(250))), (std::set<NodeId>{2, 3}));
  EXPECT_TRUE(ex.onTick(at(499)).messages.empty());
  const NodeInfo info{view.ring_id, 3, true, false};
  EXPECT_TRUE(ex.onNodeInfo(2, info, at(300)).messages.empty());
  EXPECT_FALSE(ex.heardAllMembers());
  EXPECT_EQ(ex.onTick(at(500)).messages.size(), 2u);  // still missing node 3
  EXPECT_TRUE(ex.onNodeInfo(3, info, at(600)).messages.empty());
  EXPECT_TRUE(ex.heardAllMembers());
  EXPECT_TRUE(ex.onTick(at(750)).messages.empty());
  EXPECT_TRUE(ex.onTick(at(1599)).messages.empty());
  EXPECT_EQ(ex.onTick(at(1600)).messages.size(), 2u);  // the slow refresh
  EXPECT_TRUE(ex.onTick(at(2599)).messages.empty());
  EXPECT_EQ(ex.onTick(at(2600)).messages.size(), 2u);
}

TEST(QuorumExchangeTest, AnnouncesLastManStandingAndSetExpectedVotesAtOnce) {
  QuorumExchange ex = make(1, lastManStanding(5));
  ex.onViewInstalled(View{RingId{1, 1}, {1, 2, 3, 4, 5}}, at(0));
  const View shrunk{RingId{2, 1}, {1, 2, 3}};
  QuorumUpdate update = ex.onViewInstalled(shrunk, at(1000));
  EXPECT_TRUE(update.status.quorate);
  EXPECT_EQ(update.status.expected_votes, 5u);
  // The window (10 s) expires: expected votes shrink to 3, announced at once.
  update = ex.onTick(at(11000));
  EXPECT_TRUE(update.changed);
  EXPECT_EQ(update.status.expected_votes, 3u);
  auto infos = sent(update, 1);
  ASSERT_EQ(infos.size(), 2u);
  EXPECT_EQ(infos.at(2), (NodeInfo{shrunk.ring_id, 3, true, false}));

  auto raised = ex.setExpectedVotes(4, at(11001));
  ASSERT_TRUE(raised.ok()) << raised.error().message;
  EXPECT_TRUE(raised->changed);
  EXPECT_EQ(raised->status.expected_votes, 4u);
  infos = sent(*raised, 1);
  ASSERT_EQ(infos.size(), 2u);
  EXPECT_EQ(infos.at(3).expected_votes, 4u);
  EXPECT_FALSE(ex.setExpectedVotes(2, at(11002)).ok());  // below the 3 votes present
  EXPECT_EQ(ex.status().expected_votes, 4u);
  EXPECT_TRUE(ex.checkInvariants().ok());
}

// The scenario nodeinfo exists for. Five nodes, last_man_standing + wait_for_all. A partition
// leaves {1, 2, 3} quorate; after the window their expected votes shrink to 3. Node 4 restarts
// with a fresh state (expected 5, waiting for all) and joins them in {1, 2, 3, 4}.
//  - With nodeinfo, node 4 adopts its quorate peers' expected votes (4 once they count it)
//    and its wait ends: all four members agree the view is quorate.
//  - Without nodeinfo (what Pulse did before), node 4 keeps waiting for all 5 votes and calls
//    the view inquorate while 1, 2 and 3 call the same view quorate: crmd on node 4 would
//    refuse to run resources in a cluster that has quorum.
class NodeInfoScenario : public ::testing::TestWithParam<bool> {
 protected:
  // Delivers queued messages until none is left, to up nodes only; drops them all when
  // nodeinfo is off. Messages from or to nodes outside `group` are cut (the partition).
  void deliver(const std::set<NodeId>& group) {
    while (!queue_.empty()) {
      auto [from, out] = queue_.front();
      queue_.erase(queue_.begin());
      if (!GetParam() || !group.count(from) || !group.count(out.to)) continue;
      auto decoded = decode(out.bytes);
      ASSERT_TRUE(decoded.ok());
      post(out.to, node(out.to).onMessage(from, *decoded, now_));
    }
  }
  void post(NodeId from, const QuorumUpdate& update) {
    for (const Outgoing& m : update.messages) queue_.push_back({from, m});
    EXPECT_TRUE(node(from).checkInvariants().ok());
  }
  void install(const std::set<NodeId>& group, RingId ring) {
    const View view{ring, std::vector<NodeId>(group.begin(), group.end())};
    for (NodeId n : group) post(n, node(n).onViewInstalled(view, now_));
    deliver(group);
  }
  QuorumExchange& node(NodeId n) { return nodes_.at(n); }
  void restart(NodeId n) { nodes_.insert_or_assign(n, make(n, lastManStanding(5))); }

  std::map<NodeId, QuorumExchange> nodes_;
  std::vector<std::pair<NodeId, Outgoing>> queue_;
  TimePoint now_ = at(0);
};

TEST_P(NodeInfoScenario, FreshNodeJoiningAShrunkPartition) {
  const bool nodeinfo = GetParam();
  for (NodeId n = 1; n <= 5; ++n) restart(n);
  install({1, 2, 3, 4, 5}, RingId{1, 1});
  for (NodeId n = 1; n <= 5; ++n) EXPECT_TRUE(node(n).status().quorate);

  now_ = at(1000);
  install({1, 2, 3}, RingId{2, 1});
  install({4, 5}, RingId{2, 4});
  now_ = at(11000);  // the last_man_standing window has passed
  for (NodeId n = 1; n <= 5; ++n) post(n, node(n).onTick(now_));
  deliver({1, 2, 3});
  for (NodeId n : {1u, 2u, 3u}) {
    EXPECT_TRUE(node(n).status().quorate);
    EXPECT_EQ(node(n).status().expected_votes, 3u);
  }
  for (NodeId n : {4u, 5u}) EXPECT_FALSE(node(n).status().quorate);

  now_ = at(12000);
  restart(4);
  install({1, 2, 3, 4}, RingId{3, 1});
  for (NodeId n : {1u, 2u, 3u}) {
    EXPECT_TRUE(node(n).status().quorate) << "node " << n;
    EXPECT_EQ(node(n).status().expected_votes, 4u);
  }
  const QuorumStatus fresh = node(4).status();
  EXPECT_EQ(fresh.quorate, nodeinfo);
  EXPECT_EQ(fresh.expected_votes, nodeinfo ? 4u : 5u);
  EXPECT_EQ(node(4).votequorum().waitingForAll(), !nodeinfo);
  EXPECT_FALSE(node(5).status().quorate);
}

INSTANTIATE_TEST_SUITE_P(WithAndWithout, NodeInfoScenario, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "WithNodeInfo" : "WithoutNodeInfo";
                         });

// The same through the simulator: real membership rounds, NodeInfo over the simulated network,
// with message loss in the last phase; the split-brain check runs throughout.
TEST(NodeInfoThroughSimulator, FreshNodeJoiningAShrunkPartitionBecomesQuorate) {
  QuorumConfig config;
  config.wait_for_all = true;
  config.last_man_standing = true;
  config.last_man_standing_window = milliseconds(2000);
  sim::Simulator s(5, Timing::fromToken(Duration{1000}), 7, config);
  auto runChecked = [&s](Duration d) {
    for (Duration t{0}; t < d; t += Duration{100}) {
      s.runFor(Duration{100});
      s.checkQuorum();
    }
  };
  runChecked(Duration{5000});
  ASSERT_TRUE(s.allAgreeOnFullView());
  for (NodeId n = 1; n <= 5; ++n) EXPECT_TRUE(s.quorum(n)->status().quorate) << "node " << n;

  s.partition({0, 0, 0, 1, 1});
  runChecked(Duration{8000});
  for (NodeId n : {1u, 2u, 3u}) {
    ASSERT_TRUE(s.node(n)->view().has_value());
    EXPECT_EQ(s.node(n)->view()->members, (std::vector<NodeId>{1, 2, 3}));
    EXPECT_TRUE(s.quorum(n)->status().quorate);
    EXPECT_EQ(s.quorum(n)->status().expected_votes, 3u) << "node " << n;
  }

  s.crash(4);
  s.restart(4);
  s.setLoss(0.2);
  s.partition({0, 0, 0, 0, 1});
  runChecked(Duration{10000});
  for (NodeId n : {1u, 2u, 3u, 4u}) {
    ASSERT_TRUE(s.node(n)->view().has_value());
    EXPECT_EQ(s.node(n)->view()->members, (std::vector<NodeId>{1, 2, 3, 4})) << "node " << n;
    EXPECT_TRUE(s.quorum(n)->status().quorate) << "node " << n;
    EXPECT_EQ(s.quorum(n)->status().expected_votes, 4u) << "node " << n;
  }
  EXPECT_FALSE(s.quorum(4)->votequorum().waitingForAll());
  EXPECT_FALSE(s.quorum(5)->status().quorate);
  EXPECT_GT(s.stats().nodeinfo_delivered, 0u);
  for (const std::string& f : s.failures()) ADD_FAILURE() << f;
}

}  // namespace
}  // namespace pulse::membership
