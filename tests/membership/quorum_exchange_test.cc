// QuorumExchange: votequorum plus the nodeinfo exchange. Unit tests of the component, then the
// user-visible scenario (a fresh node joining a partition that last_man_standing shrank) both
// with hand-delivered messages, with and without nodeinfo, and through the simulator.
#include "membership/quorum_exchange.h"

#include <gtest/gtest.h>

#include <algorithm>
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
    EXPECT_EQ(infos.at(to),
              (NodeInfo{view.ring_id, 3, true, false, VoteSet{0, {1, 2, 3}}, std::nullopt}));
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
  const NodeInfo quorate{view.ring_id, 4, true, false, {}, std::nullopt};

  auto unchanged = [&](const QuorumUpdate& u) {
    EXPECT_FALSE(u.changed);
    EXPECT_TRUE(u.messages.empty());
    EXPECT_EQ(u.status, waiting);
  };
  unchanged(ex.onNodeInfo(5, quorate, at(1)));  // not a member of the view
  unchanged(ex.onNodeInfo(9, quorate, at(1)));  // not in the config
  unchanged(ex.onNodeInfo(4, quorate, at(1)));  // itself
  unchanged(ex.onNodeInfo(1, NodeInfo{RingId{6, 1}, 4, true, false, {}, std::nullopt},
                          at(1)));  // older ring
  unchanged(ex.onNodeInfo(1, NodeInfo{RingId{8, 1}, 4, true, false, {}, std::nullopt},
                          at(1)));                                   // newer ring
  unchanged(ex.onMessage(2, Message{3, quorate}, at(1)));            // forged sender
  unchanged(ex.onMessage(2, Message{2, Ack{view.ring_id}}, at(1)));  // not nodeinfo
  // Node 1's info is now for ring (8, 1): its older info for the current ring is stale.
  unchanged(ex.onNodeInfo(1, quorate, at(1)));
  EXPECT_EQ(ex.ignoredInfos(), 5u);
  EXPECT_TRUE(ex.checkInvariants().ok());

  // A quorate member about the current ring: node 4 adopts its expected votes and stops
  // waiting, and says so; but with last_man_standing it is quorate only once every member's
  // info for the view is in (the sync barrier: node 1 may hold a newer vote set).
  update = ex.onNodeInfo(2, quorate, at(2));
  EXPECT_TRUE(update.changed);
  EXPECT_FALSE(update.status.quorate);
  EXPECT_EQ(update.status.expected_votes, 4u);
  EXPECT_FALSE(ex.votequorum().waitingForAll());
  const auto infos = sent(update, 4);
  EXPECT_EQ(infos.size(), 3u);
  const VoteSet all{0, {1, 2, 3, 4, 5}};
  for (const auto& [to, info] : infos) {
    EXPECT_EQ(info, (NodeInfo{view.ring_id, 4, false, false, all, std::nullopt}));
  }
  EXPECT_FALSE(ex.onNodeInfo(3, quorate, at(3)).status.quorate);  // node 1 still missing
  EXPECT_TRUE(ex.checkInvariants().ok());

  // Node 1 has moved on to ring (8, 1); once node 4 installs it and hears 2 and 3 again, the
  // view is quorate.
  const View next{RingId{8, 1}, {1, 2, 3, 4}};
  update = ex.onViewInstalled(next, at(4));
  EXPECT_FALSE(update.status.quorate);
  const NodeInfo quorate_next{next.ring_id, 4, true, false, {}, std::nullopt};
  ex.onNodeInfo(2, quorate_next, at(5));
  update = ex.onNodeInfo(3, quorate_next, at(5));
  EXPECT_TRUE(update.status.quorate);
  EXPECT_EQ(update.status.expected_votes, 4u);
  EXPECT_TRUE(ex.checkInvariants().ok());
}

TEST(QuorumExchangeTest, InfoForARingNotYetInstalledCountsWhenItIs) {
  QuorumExchange ex = make(4, lastManStanding(5));
  const View view{RingId{7, 1}, {1, 2, 3, 4}};
  // Node 1 installed the view first and announced it before node 4 got the Commit.
  EXPECT_FALSE(
      ex.onNodeInfo(1, NodeInfo{view.ring_id, 4, true, false, {}, std::nullopt}, at(0)).changed);
  EXPECT_TRUE(ex.onNodeInfo(5, NodeInfo{RingId{3, 5}, 5, true, false, {}, std::nullopt}, at(0))
                  .messages.empty());
  QuorumUpdate update = ex.onViewInstalled(view, at(1));
  EXPECT_EQ(update.status.expected_votes, 4u);
  EXPECT_FALSE(update.status.quorate);  // 2 and 3 not heard yet (last_man_standing barrier)
  ex.onNodeInfo(2, NodeInfo{view.ring_id, 4, true, false, {}, std::nullopt}, at(2));
  update = ex.onNodeInfo(3, NodeInfo{view.ring_id, 4, true, false, {}, std::nullopt}, at(2));
  EXPECT_TRUE(update.status.quorate);
  EXPECT_EQ(update.status.expected_votes, 4u);
  EXPECT_TRUE(ex.checkInvariants().ok());  // node 5's info for the older ring was dropped
}

TEST(QuorumExchangeTest, ResendsEveryHeartbeatUntilAllMembersAreHeardThenSlowly) {
  QuorumExchange ex = make(1, nodes(3));
  const View view{RingId{5, 1}, {1, 2, 3}};
  ex.onViewInstalled(view, at(0));
  EXPECT_TRUE(ex.onTick(at(249)).messages.empty());
  EXPECT_EQ(recipients(ex.onTick(at(250))), (std::set<NodeId>{2, 3}));
  EXPECT_TRUE(ex.onTick(at(499)).messages.empty());
  const NodeInfo info{view.ring_id, 3, true, false, {}, std::nullopt};
  EXPECT_TRUE(ex.onNodeInfo(2, info, at(300)).messages.empty());
  EXPECT_FALSE(ex.heardAllMembers());
  EXPECT_EQ(ex.onTick(at(500)).messages.size(), 2u);  // still missing node 3
  EXPECT_TRUE(ex.onNodeInfo(3, info, at(600)).messages.empty());
  EXPECT_TRUE(ex.heardAllMembers());
  EXPECT_TRUE(ex.onTick(at(750)).messages.empty());
  // The slow refresh: every kSteadyResendTokens tokens once every member is heard.
  EXPECT_TRUE(ex.onTick(at(5599)).messages.empty());
  EXPECT_EQ(ex.onTick(at(5600)).messages.size(), 2u);
  EXPECT_TRUE(ex.onTick(at(10599)).messages.empty());
  EXPECT_EQ(ex.onTick(at(10600)).messages.size(), 2u);
}

TEST(QuorumExchangeTest, AnnouncesLastManStandingAndSetExpectedVotesAtOnce) {
  QuorumExchange ex = make(1, lastManStanding(5));
  const VoteSet all{0, {1, 2, 3, 4, 5}};
  auto hear = [&ex, &all](const View& v, TimePoint now) {
    QuorumUpdate u;
    for (NodeId n : v.members) {
      if (n != 1) u = ex.onNodeInfo(n, NodeInfo{v.ring_id, 5, true, false, all, std::nullopt}, now);
    }
    return u;
  };
  const View full{RingId{1, 1}, {1, 2, 3, 4, 5}};
  ex.onViewInstalled(full, at(0));
  EXPECT_TRUE(hear(full, at(0)).status.quorate);
  const View shrunk{RingId{2, 1}, {1, 2, 3}};
  QuorumUpdate update = ex.onViewInstalled(shrunk, at(1000));
  EXPECT_FALSE(update.status.quorate);  // nodes left: not before 2 and 3 are heard
  update = hear(shrunk, at(1000));
  EXPECT_TRUE(update.status.quorate);
  EXPECT_EQ(update.status.expected_votes, 5u);
  // The window (10 s) expires: expected votes shrink to 3, and the vote set starts moving to
  // {1, 2, 3} (it completes once 2 and 3 announce the same move); announced at once.
  update = ex.onTick(at(11000));
  EXPECT_TRUE(update.changed);
  EXPECT_EQ(update.status.expected_votes, 3u);
  auto infos = sent(update, 1);
  ASSERT_EQ(infos.size(), 2u);
  EXPECT_EQ(infos.at(2), (NodeInfo{shrunk.ring_id, 3, true, false, all, VoteSet{1, {1, 2, 3}}}));

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

// Hand-delivered scenarios over five nodes with last_man_standing + wait_for_all (window
// 10 s). Messages are delivered within the group given (the partition) and dropped otherwise.
class NodeInfoScenario : public ::testing::Test {
 protected:
  void SetUp() override {
    for (NodeId n = 1; n <= 5; ++n) restart(n);
  }
  // Delivers queued messages until none is left, to up nodes only. Messages from or to nodes
  // outside `group` are cut (the partition).
  void deliver(const std::set<NodeId>& group) {
    while (!queue_.empty()) {
      auto [from, out] = queue_.front();
      queue_.erase(queue_.begin());
      if (!group.count(from) || !group.count(out.to) || !nodes_.count(out.to)) continue;
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
  // Ticks every up node at `now_` and delivers within `group`.
  void tick(const std::set<NodeId>& group) {
    for (auto& [n, ex] : nodes_) post(n, ex.onTick(now_));
    deliver(group);
  }
  QuorumExchange& node(NodeId n) { return nodes_.at(n); }
  void restart(NodeId n) { nodes_.insert_or_assign(n, make(n, lastManStanding(5))); }
  void crash(NodeId n) { nodes_.erase(n); }
  bool quorate(NodeId n) { return nodes_.count(n) && node(n).status().quorate; }
  // The simulator's safety check: no two up nodes quorate in disjoint views.
  void expectNoSplitBrain() {
    for (auto& [a, x] : nodes_) {
      for (auto& [b, y] : nodes_) {
        if (a >= b || !x.status().quorate || !y.status().quorate) continue;
        const auto& m = x.view()->members;
        const bool shared =
            std::any_of(m.begin(), m.end(), [&y](NodeId id) { return y.view()->contains(id); });
        EXPECT_TRUE(shared) << "nodes " << a << " and " << b << " are quorate in disjoint views";
      }
    }
  }
  // {1, 2, 3} stays quorate through the window: expected votes and the vote set shrink to 3.
  void shrinkToOneTwoThree() {
    install({1, 2, 3, 4, 5}, RingId{1, 1});
    for (NodeId n = 1; n <= 5; ++n) EXPECT_TRUE(node(n).status().quorate);
    now_ = at(1000);
    install({1, 2, 3}, RingId{2, 1});
    install({4, 5}, RingId{2, 4});
    now_ = at(11000);  // the last_man_standing window has passed
    tick({1, 2, 3});
    for (NodeId n : {1u, 2u, 3u}) {
      EXPECT_TRUE(node(n).status().quorate);
      EXPECT_EQ(node(n).status().expected_votes, 3u);
      EXPECT_EQ(node(n).votequorum().voteSet(), (VoteSet{1, {1, 2, 3}}));
      EXPECT_FALSE(node(n).votequorum().pendingVoteSet().has_value());
    }
    for (NodeId n : {4u, 5u}) EXPECT_FALSE(node(n).status().quorate);
    expectNoSplitBrain();
  }

  std::map<NodeId, QuorumExchange> nodes_;
  std::vector<std::pair<NodeId, Outgoing>> queue_;
  TimePoint now_ = at(0);
};

// The scenario nodeinfo exists for. Node 4 restarts with a fresh state (expected 5, waiting for
// all) and joins the shrunk {1, 2, 3} in {1, 2, 3, 4}: it adopts its quorate peers' vote set
// and expected votes (4 once they count it) and its wait ends, so all four members agree the
// view is quorate. (Without nodeinfo node 4 would keep waiting for all 5 votes while 1, 2 and 3
// call the same view quorate.)
TEST_F(NodeInfoScenario, FreshNodeJoiningAShrunkPartition) {
  shrinkToOneTwoThree();
  now_ = at(12000);
  restart(4);
  install({1, 2, 3, 4}, RingId{3, 1});
  for (NodeId n : {1u, 2u, 3u, 4u}) {
    EXPECT_TRUE(node(n).status().quorate) << "node " << n;
    EXPECT_EQ(node(n).status().expected_votes, 4u) << "node " << n;
    // The view grew the vote set to cover node 4.
    EXPECT_EQ(node(n).votequorum().voteSet(), (VoteSet{2, {1, 2, 3, 4}})) << "node " << n;
  }
  EXPECT_FALSE(node(4).votequorum().waitingForAll());
  EXPECT_FALSE(node(5).status().quorate);
  expectNoSplitBrain();
}

// A plain join keeps quorum even before the newcomer's info arrives (the sync barrier exempts
// a view that only grew from a quorate one), while a view that lost a node waits for its info.
TEST_F(NodeInfoScenario, PlainJoinKeepsQuorumBeforeTheNewcomerIsHeard) {
  shrinkToOneTwoThree();
  now_ = at(12000);
  restart(4);
  const View joined{RingId{3, 1}, {1, 2, 3, 4}};
  for (NodeId n : {1u, 2u, 3u}) {
    EXPECT_TRUE(node(n).onViewInstalled(joined, now_).status.quorate) << "node " << n;
  }
  queue_.clear();
  const View left{RingId{4, 1}, {1, 2, 3}};  // node 4 left again
  EXPECT_FALSE(node(1).onViewInstalled(left, now_).status.quorate);
  const NodeInfo info{left.ring_id, 4, true, false, VoteSet{1, {1, 2, 3}}, std::nullopt};
  EXPECT_FALSE(node(1).onNodeInfo(2, info, now_).status.quorate);  // node 3 not heard yet
  const QuorumStatus status = node(1).onNodeInfo(3, info, now_).status;
  EXPECT_TRUE(status.quorate);
  EXPECT_EQ(status.expected_votes, 4u);
}

// Simulation seed 4654 (5 nodes, last_man_standing + wait_for_all), by hand. After {1, 2, 3}
// shrank to expected 3 the cluster splits into {1, 4}, {2} and {3, 5}. By vote count alone
// nodes 1 and 3 each hold expected 3 (quorum 2) with 2 votes present, so both pairs were
// quorate, and nodeinfo then passed node 1's verdict on to node 4, which kept it after node 1
// crashed. With vote sets, each pair holds only one of {1, 2, 3}: no one is quorate.
TEST_F(NodeInfoScenario, Seed4654SplitOfAShrunkPartitionLeavesNoPairQuorate) {
  shrinkToOneTwoThree();
  now_ = at(12000);
  install({1, 4}, RingId{3, 1});
  install({2}, RingId{3, 2});
  install({3, 5}, RingId{3, 3});
  for (NodeId n = 1; n <= 5; ++n) EXPECT_FALSE(quorate(n)) << "node " << n;
  // The outsiders learned the newer vote set from their shrunk peer.
  EXPECT_EQ(node(4).votequorum().voteSet(), (VoteSet{1, {1, 2, 3}}));
  EXPECT_EQ(node(5).votequorum().voteSet(), (VoteSet{1, {1, 2, 3}}));
  expectNoSplitBrain();

  now_ = at(13000);
  crash(1);
  install({4}, RingId{4, 4});
  now_ = at(30000);
  tick({3, 5});
  for (NodeId n = 2; n <= 5; ++n) EXPECT_FALSE(quorate(n)) << "node " << n;
  expectNoSplitBrain();

  // {2, 3} is a majority of the vote set again: quorate (last_man_standing's promise), while
  // {4, 5} is not.
  now_ = at(31000);
  install({2, 3}, RingId{5, 2});
  install({4, 5}, RingId{5, 4});
  EXPECT_TRUE(quorate(2));
  EXPECT_TRUE(quorate(3));
  EXPECT_FALSE(quorate(4));
  EXPECT_FALSE(quorate(5));
  expectNoSplitBrain();
}

// The companion split that "highest expected votes" alone does not prevent: {1, 2, 3} shrank,
// then {2, 3} and {1, 4, 5} part. {1, 4, 5} holds 3 of 5 votes, a quorum of the highest
// expected votes (5, nodes 4 and 5), but only one node of the vote set {1, 2, 3}, whose
// majority {2, 3} is quorate on the other side.
TEST_F(NodeInfoScenario, MinorityOfAShrunkSetWithTheOutsidersIsNotQuorate) {
  shrinkToOneTwoThree();
  now_ = at(12000);
  install({2, 3}, RingId{3, 2});
  install({1, 4, 5}, RingId{3, 1});
  EXPECT_TRUE(quorate(2));
  EXPECT_TRUE(quorate(3));
  for (NodeId n : {1u, 4u, 5u}) EXPECT_FALSE(quorate(n)) << "node " << n;
  expectNoSplitBrain();
}

// The window expires on node 1 first; before 2 and 3 follow, {1, 2} and {3, 4, 5} part. Node 1
// only started moving its vote set ({1, 2, 3} pending), and while pending it needs a majority
// of both the old and the new set, so {1, 2} is not quorate; {3, 4, 5} is (3 of 5 on the old
// set). By vote count alone node 1's expected 3 would make {1, 2} quorate too.
TEST_F(NodeInfoScenario, AShrinkSeenByOneMemberOnlyCannotWinAlone) {
  install({1, 2, 3, 4, 5}, RingId{1, 1});
  now_ = at(1000);
  install({1, 2, 3}, RingId{2, 1});
  install({4, 5}, RingId{2, 4});
  now_ = at(11000);
  post(1, node(1).onTick(now_));
  queue_.clear();  // the partition cuts node 1's announcement
  EXPECT_EQ(node(1).votequorum().pendingVoteSet(), (VoteSet{1, {1, 2, 3}}));
  EXPECT_EQ(node(1).status().expected_votes, 3u);
  now_ = at(11001);
  install({1, 2}, RingId{3, 1});
  install({3, 4, 5}, RingId{3, 3});
  EXPECT_FALSE(quorate(1));
  EXPECT_FALSE(quorate(2));
  for (NodeId n : {3u, 4u, 5u}) EXPECT_TRUE(quorate(n)) << "node " << n;
  expectNoSplitBrain();
}

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
    EXPECT_TRUE(s.quorum(n)->status().quorate)
        << "node " << n << " ev " << s.quorum(n)->status().expected_votes << " tv "
        << s.quorum(n)->status().total_votes << " q " << s.quorum(n)->status().quorum << " "
        << s.quorum(n)->status().flagsText() << " ring " << toString(s.node(n)->view()->ring_id)
        << " gather " << s.node(n)->gathering();
    EXPECT_EQ(s.quorum(n)->status().expected_votes, 4u) << "node " << n;
  }
  EXPECT_FALSE(s.quorum(4)->votequorum().waitingForAll());
  EXPECT_FALSE(s.quorum(5)->status().quorate);
  EXPECT_GT(s.stats().nodeinfo_delivered, 0u);
  for (const std::string& f : s.failures()) ADD_FAILURE() << f;
}

}  // namespace
}  // namespace pulse::membership
