// votequorum semantics: the cases votequorum(5) documents, each step checked against what
// `pcs quorum status` shows (quorate, expected votes, total votes, quorum). The property tests
// of the split-brain guarantee are in quorum_property_test.cc.
#include "membership/quorum.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pulse::membership {
namespace {

using std::chrono::milliseconds;

TimePoint at(std::int64_t ms) { return TimePoint{} + milliseconds(ms); }

QuorumConfig nodes(std::uint32_t count) {
  QuorumConfig config;
  for (NodeId id = 1; id <= count; ++id) config.nodes.push_back({id, 1});
  return config;
}

// One line of a scenario: a new view, a timer tick or `corosync-quorumtool -e`, at a time in
// ms, and what `pcs quorum status` shows afterwards.
struct Step {
  enum Kind { kView, kTick, kSetExpected, kSetExpectedRefused } kind;
  std::vector<NodeId> members;  // kView
  std::int64_t ms = 0;          // kView and kTick
  std::uint32_t set_expected = 0;
  bool quorate;
  std::uint32_t expected_votes, total_votes, quorum;
};

Step view(std::int64_t ms, std::vector<NodeId> members, bool quorate, std::uint32_t expected,
          std::uint32_t total, std::uint32_t quorum) {
  return {Step::kView, std::move(members), ms, 0, quorate, expected, total, quorum};
}
Step tick(std::int64_t ms, bool quorate, std::uint32_t expected, std::uint32_t total,
          std::uint32_t quorum) {
  return {Step::kTick, {}, ms, 0, quorate, expected, total, quorum};
}
Step setExpected(std::uint32_t value, bool quorate, std::uint32_t expected, std::uint32_t total,
                 std::uint32_t quorum) {
  return {Step::kSetExpected, {}, 0, value, quorate, expected, total, quorum};
}
Step refuseExpected(std::uint32_t value, bool quorate, std::uint32_t expected, std::uint32_t total,
                    std::uint32_t quorum) {
  return {Step::kSetExpectedRefused, {}, 0, value, quorate, expected, total, quorum};
}

struct Scenario {
  std::string name;
  QuorumConfig config;
  std::string flags;  // As corosync-quorumtool prints them once quorate (or not).
  std::vector<Step> steps;
};

void runScenario(const Scenario& scenario) {
  SCOPED_TRACE(scenario.name);
  Result<Votequorum> vq = Votequorum::create(scenario.config);
  ASSERT_TRUE(vq.ok()) << vq.error().message;
  for (std::size_t i = 0; i < scenario.steps.size(); ++i) {
    const Step& step = scenario.steps[i];
    SCOPED_TRACE("step " + std::to_string(i));
    switch (step.kind) {
      case Step::kView:
        vq->onViewChanged(step.members, at(step.ms));
        break;
      case Step::kTick:
        vq->onTick(at(step.ms));
        break;
      case Step::kSetExpected: {
        Status s = vq->setExpectedVotes(step.set_expected);
        EXPECT_TRUE(s.ok()) << s.error().message;
        break;
      }
      case Step::kSetExpectedRefused:
        EXPECT_FALSE(vq->setExpectedVotes(step.set_expected).ok());
        break;
    }
    const QuorumStatus s = vq->status();
    EXPECT_EQ(s.quorate, step.quorate);
    EXPECT_EQ(s.expected_votes, step.expected_votes);
    EXPECT_EQ(s.total_votes, step.total_votes);
    EXPECT_EQ(s.quorum, step.quorum);
    EXPECT_EQ(s.quorate, (s.flags & kFlagQuorate) != 0);
    Status inv = vq->checkInvariants();
    EXPECT_TRUE(inv.ok()) << inv.error().message;
  }
  if (!scenario.flags.empty()) {
    QuorumStatus s = vq->status();
    s.flags &= ~kFlagQuorate;
    EXPECT_EQ(s.flagsText(), scenario.flags);
  }
}

QuorumConfig twoNode(std::optional<bool> wait_for_all) {
  QuorumConfig c = nodes(2);
  c.two_node = true;
  c.wait_for_all = wait_for_all;
  return c;
}
QuorumConfig waitForAll(std::uint32_t count) {
  QuorumConfig c = nodes(count);
  c.wait_for_all = true;
  return c;
}
QuorumConfig lms(std::uint32_t count, bool atb) {
  QuorumConfig c = nodes(count);
  c.wait_for_all = true;
  c.last_man_standing = true;
  c.auto_tie_breaker = atb;
  return c;
}
QuorumConfig atbConfig(std::uint32_t count, TieBreaker tie_breaker) {
  QuorumConfig c = nodes(count);
  c.auto_tie_breaker = true;
  c.auto_tie_breaker_node = std::move(tie_breaker);
  return c;
}
QuorumConfig weighted() {
  QuorumConfig c;
  c.nodes = {{1, 3}, {2, 1}, {3, 1}};
  return c;
}

TEST(VotequorumTest, DocumentedScenarios) {
  const std::vector<Scenario> scenarios = {
      {"3 nodes lose one node at a time",
       nodes(3),
       "",
       {view(0, {1, 2, 3}, true, 3, 3, 2), view(1, {1, 2}, true, 3, 2, 2),
        view(2, {1}, false, 3, 1, 2), view(3, {1, 2}, true, 3, 2, 2),
        view(4, {1, 2, 3}, true, 3, 3, 2)}},
      {"5 nodes lose one node at a time",
       nodes(5),
       "",
       {view(0, {1, 2, 3, 4, 5}, true, 5, 5, 3), view(1, {1, 2, 3, 4}, true, 5, 4, 3),
        view(2, {1, 2, 3}, true, 5, 3, 3), view(3, {1, 2}, false, 5, 2, 3),
        view(4, {1}, false, 5, 1, 3)}},
      {"5 nodes, cold start without wait_for_all: quorate at a majority",
       nodes(5),
       "",
       {view(0, {2}, false, 5, 1, 3), view(1, {2, 4}, false, 5, 2, 3),
        view(2, {2, 4, 5}, true, 5, 3, 3)}},
      {"unequal votes: node 1 holds 3 of 5",
       weighted(),
       "",
       {view(0, {1}, true, 5, 3, 3), view(1, {2, 3}, false, 5, 2, 3),
        view(2, {1, 2, 3}, true, 5, 5, 3)}},
      {"two_node: both up, then a split keeps both sides quorate (fencing decides)",
       twoNode(std::nullopt),
       "2Node WaitForAll",
       {view(0, {1, 2}, true, 2, 2, 1), view(1, {1}, true, 2, 1, 1)}},
      {"two_node: the other side of the same split",
       twoNode(std::nullopt),
       "2Node WaitForAll",
       {view(0, {1, 2}, true, 2, 2, 1), view(1, {2}, true, 2, 1, 1)}},
      {"two_node: partitioned at cold start, wait_for_all (implied) keeps it inquorate",
       twoNode(std::nullopt),
       "2Node WaitForAll",
       {view(0, {1}, false, 2, 1, 1), view(1, {1, 2}, true, 2, 2, 1),
        view(2, {1}, true, 2, 1, 1)}},
      {"two_node with wait_for_all: 0: quorate alone at cold start",
       twoNode(false),
       "2Node",
       {view(0, {1}, true, 2, 1, 1)}},
      {"wait_for_all: quorate only once all nodes were seen together",
       waitForAll(3),
       "WaitForAll",
       {view(0, {1}, false, 3, 1, 2), view(1, {1, 2}, false, 3, 2, 2),
        view(2, {1, 2, 3}, true, 3, 3, 2), view(3, {1, 2}, true, 3, 2, 2),
        // Losing quorum starts the wait again (are_we_quorate()).
        view(4, {1}, false, 3, 1, 2), view(5, {1, 2}, false, 3, 2, 2),
        view(6, {1, 2, 3}, true, 3, 3, 2)}},
      {"last_man_standing: 5 -> 3 -> 2 nodes, then no further without auto_tie_breaker",
       lms(5, false),
       "WaitForAll LastManStanding",
       {view(0, {1, 2, 3, 4, 5}, true, 5, 5, 3), view(1000, {1, 2, 3}, true, 5, 3, 3),
        tick(10999, true, 5, 3, 3), tick(11000, true, 3, 3, 2),
        view(12000, {1, 2}, true, 3, 2, 2), tick(22000, true, 2, 2, 2),
        view(23000, {1}, false, 2, 1, 2), tick(40000, false, 2, 1, 2)}},
      {"last_man_standing + auto_tie_breaker: 5 -> 4 -> 3 -> 2 -> 1",
       lms(5, true),
       "WaitForAll LastManStanding AutoTieBreaker",
       {view(0, {1, 2, 3, 4, 5}, true, 5, 5, 3), view(1000, {1, 2, 3, 4}, true, 5, 4, 3),
        tick(11000, true, 4, 4, 3), view(12000, {1, 2, 3}, true, 4, 3, 3),
        tick(22000, true, 3, 3, 2), view(23000, {1, 2}, true, 3, 2, 2),
        tick(33000, true, 2, 2, 2),
        // Half of expected, holding the lowest node: quorate by the tie-breaker, then the
        // window shrinks expected votes to 1.
        view(34000, {1}, true, 2, 1, 2), tick(44000, true, 1, 1, 1)}},
      {"last_man_standing + auto_tie_breaker: the survivor without the lowest node",
       lms(5, true),
       "",
       {view(0, {1, 2, 3, 4, 5}, true, 5, 5, 3), view(1000, {1, 2, 3}, true, 5, 3, 3),
        tick(11000, true, 3, 3, 2), view(12000, {1, 2}, true, 3, 2, 2),
        tick(22000, true, 2, 2, 2), view(23000, {2}, false, 2, 1, 2),
        tick(60000, false, 2, 1, 2)}},
      {"last_man_standing: a second loss inside the window is not cascaded",
       lms(5, false),
       "",
       {view(0, {1, 2, 3, 4, 5}, true, 5, 5, 3), view(1000, {1, 2, 3}, true, 5, 3, 3),
        view(5000, {1, 2}, false, 5, 2, 3), tick(11000, false, 5, 2, 3)}},
      {"last_man_standing: the window restarts on each change",
       lms(5, false),
       "",
       {view(0, {1, 2, 3, 4, 5}, true, 5, 5, 3), view(1000, {1, 2, 3, 4}, true, 5, 4, 3),
        view(5000, {1, 2, 3}, true, 5, 3, 3), tick(11000, true, 5, 3, 3),
        tick(15000, true, 3, 3, 2)}},
      {"last_man_standing: a node coming back raises expected votes",
       lms(5, false),
       "",
       {view(0, {1, 2, 3, 4, 5}, true, 5, 5, 3), view(1000, {1, 2, 3}, true, 5, 3, 3),
        tick(11000, true, 3, 3, 2), view(12000, {1, 2, 3, 4}, true, 4, 4, 3)}},
      {"auto_tie_breaker lowest: an even split goes to the side with node 1",
       atbConfig(4, {}),
       "AutoTieBreaker",
       {view(0, {1, 2, 3, 4}, true, 4, 4, 3), view(1, {1, 3}, true, 4, 2, 3)}},
      {"auto_tie_breaker lowest: the other side",
       atbConfig(4, {}),
       "",
       {view(0, {1, 2, 3, 4}, true, 4, 4, 3), view(1, {2, 4}, false, 4, 2, 3)}},
      {"auto_tie_breaker highest",
       atbConfig(4, {TieBreaker::Kind::kHighest, {}}),
       "",
       {view(0, {1, 2, 3, 4}, true, 4, 4, 3), view(1, {1, 4}, true, 4, 2, 3),
        view(2, {1, 2, 3, 4}, true, 4, 4, 3), view(3, {1, 2}, false, 4, 2, 3)}},
      {"auto_tie_breaker list 3 2: node 3's side wins",
       atbConfig(4, {TieBreaker::Kind::kList, {3, 2}}),
       "",
       {view(0, {1, 2, 3, 4}, true, 4, 4, 3), view(1, {1, 3}, true, 4, 2, 3)}},
      {"auto_tie_breaker list 3 2: node 2's side loses while 3 may be on the other side",
       atbConfig(4, {TieBreaker::Kind::kList, {3, 2}}),
       "",
       {view(0, {1, 2, 3, 4}, true, 4, 4, 3), view(1, {2, 4}, false, 4, 2, 3)}},
      {"auto_tie_breaker list 3 2: node 2 decides when 3 was already gone",
       atbConfig(4, {TieBreaker::Kind::kList, {3, 2}}),
       "",
       {view(0, {1, 2, 3, 4}, true, 4, 4, 3), view(1, {1, 2, 4}, true, 4, 3, 3),
        view(2, {2, 4}, true, 4, 2, 3)}},
      {"auto_tie_breaker never decides a split it has not seen quorate",
       atbConfig(4, {}),
       "",
       {view(0, {1, 2}, false, 4, 2, 3)}},
      {"auto_tie_breaker does not apply to a loss of more than half",
       atbConfig(6, {}),
       "",
       {view(0, {1, 2, 3, 4, 5, 6}, true, 6, 6, 4), view(1, {1, 2}, false, 6, 2, 4)}},
      {"expected votes raised at run time, then refused above what keeps quorum",
       nodes(3),
       "",
       {view(0, {1, 2, 3}, true, 3, 3, 2), setExpected(5, true, 5, 3, 3),
        refuseExpected(6, true, 5, 3, 3), refuseExpected(2, true, 5, 3, 3),
        view(1, {1, 2}, false, 5, 2, 3)}},
      {"expected votes lowered at run time bring an inquorate rest back",
       nodes(5),
       "",
       {view(0, {1, 2, 3, 4, 5}, true, 5, 5, 3), view(1, {1, 2}, false, 5, 2, 3),
        refuseExpected(1, false, 5, 2, 3), setExpected(2, true, 2, 2, 2),
        view(2, {1, 2, 3}, true, 3, 3, 2), view(3, {1, 2, 3, 4, 5}, true, 5, 5, 3)}},
      {"expected votes lowered ends a wait_for_all wait",
       waitForAll(3),
       "",
       {view(0, {1, 2}, false, 3, 2, 2), setExpected(2, true, 2, 2, 2)}},
      {"explicit expected_votes above the nodelist",
       [] {
         QuorumConfig c = nodes(3);
         c.expected_votes = 5;
         return c;
       }(),
       "",
       {view(0, {1, 2, 3}, true, 5, 3, 3), view(1, {1, 2}, false, 5, 2, 3)}},
  };
  for (const Scenario& scenario : scenarios) runScenario(scenario);
}

TEST(VotequorumTest, NewInstanceIsNotQuorate) {
  Result<Votequorum> vq = Votequorum::create(nodes(3));
  ASSERT_TRUE(vq.ok());
  const QuorumStatus s = vq->status();
  EXPECT_FALSE(s.quorate);
  EXPECT_EQ(s.expected_votes, 3u);
  EXPECT_EQ(s.total_votes, 0u);
  EXPECT_EQ(s.quorum, 2u);
  EXPECT_TRUE(vq->checkInvariants().ok());
}

TEST(VotequorumTest, UnknownAndRepeatedMembersAreIgnored) {
  Result<Votequorum> vq = Votequorum::create(nodes(3));
  ASSERT_TRUE(vq.ok());
  const QuorumStatus s = vq->onViewChanged({7, 1, 1, 9}, at(0));
  EXPECT_FALSE(s.quorate);
  EXPECT_EQ(s.total_votes, 1u);
  EXPECT_EQ(s.nodes, 1u);
}

TEST(VotequorumTest, FlagsTextInQuorumtoolOrder) {
  QuorumStatus s;
  s.flags =
      kFlagAutoTieBreaker | kFlagQuorate | kFlagTwoNode | kFlagWaitForAll | kFlagLastManStanding;
  EXPECT_EQ(s.flagsText(), "2Node Quorate WaitForAll LastManStanding AutoTieBreaker");
}

TEST(VotequorumTest, ConfigErrorsAndAdjustments) {
  auto error = [](QuorumConfig c) {
    Result<QuorumConfig> r = effectiveQuorumConfig(c);
    return r.ok() ? std::string() : r.error().message;
  };
  EXPECT_NE(error(QuorumConfig{}), "");
  QuorumConfig dup = nodes(2);
  dup.nodes.push_back({2, 1});
  EXPECT_NE(error(dup).find("node id 2 appears twice"), std::string::npos);
  QuorumConfig three = twoNode(std::nullopt);
  three.nodes.push_back({3, 1});
  EXPECT_NE(error(three).find("two_node needs exactly 2 nodes"), std::string::npos);
  QuorumConfig low = nodes(3);
  low.expected_votes = 2;
  EXPECT_NE(error(low).find("expected_votes 2"), std::string::npos);
  QuorumConfig zero_votes = nodes(2);
  zero_votes.nodes[0].votes = 0;
  EXPECT_NE(error(zero_votes), "");
  QuorumConfig bad_list = atbConfig(4, {TieBreaker::Kind::kList, {9}});
  EXPECT_NE(error(bad_list).find("node 9"), std::string::npos);
  QuorumConfig odd_lms = nodes(3);
  odd_lms.auto_tie_breaker = true;
  odd_lms.last_man_standing = true;
  EXPECT_NE(error(odd_lms).find("odd-sized"), std::string::npos);

  // Adjustments corosync makes silently.
  QuorumConfig odd_atb = atbConfig(3, {});
  EXPECT_FALSE(effectiveQuorumConfig(odd_atb)->auto_tie_breaker);
  odd_atb.wait_for_all = true;
  EXPECT_TRUE(effectiveQuorumConfig(odd_atb)->auto_tie_breaker);
  QuorumConfig two_atb = twoNode(std::nullopt);
  two_atb.auto_tie_breaker = true;
  Result<QuorumConfig> adjusted = effectiveQuorumConfig(two_atb);
  ASSERT_TRUE(adjusted.ok());
  EXPECT_FALSE(adjusted->two_node);
  EXPECT_EQ(adjusted->wait_for_all, std::optional<bool>(true));
  QuorumConfig lms_weighted = weighted();
  lms_weighted.last_man_standing = true;
  EXPECT_FALSE(effectiveQuorumConfig(lms_weighted)->last_man_standing);
}

TEST(VotequorumTest, JoiningAQuoratePartitionAdoptsItsExpectedVotes) {
  // Nodes 1-3 of 5 shrank expected votes to 3; node 4 restarts (fresh, expected 5, waiting
  // for all) and joins them: it adopts 3 from its quorate peers and stops waiting.
  Result<Votequorum> fresh = Votequorum::create(lms(5, false));
  ASSERT_TRUE(fresh.ok());
  std::vector<PeerInfo> peers = {{1, 3, true, false, {}, std::nullopt},
                                 {2, 3, true, false, {}, std::nullopt},
                                 {3, 3, true, false, {}, std::nullopt}};
  const QuorumStatus s = fresh->onViewChanged({1, 2, 3, 4}, at(0), peers);
  EXPECT_TRUE(s.quorate);
  EXPECT_EQ(s.expected_votes, 4u);
  EXPECT_EQ(s.quorum, 3u);
  EXPECT_FALSE(fresh->waitingForAll());
}

// The same rule between views: the peers' info arrives after node 4 installed {1, 2, 3, 4}.
TEST(VotequorumTest, PeerInfoAfterTheViewAdoptsExpectedVotesAndEndsTheWait) {
  Result<Votequorum> fresh = Votequorum::create(lms(5, false));
  ASSERT_TRUE(fresh.ok());
  QuorumStatus s = fresh->onViewChanged({1, 2, 3, 4}, at(0));
  EXPECT_FALSE(s.quorate);  // 4 of 5 expected votes, waiting for all
  EXPECT_EQ(s.expected_votes, 5u);
  EXPECT_TRUE(fresh->waitingForAll());

  // Ignored: a node outside the view, and a member that is not quorate itself.
  EXPECT_EQ(fresh->onPeerInfo({5, 3, true, false, {}, std::nullopt}), s);
  EXPECT_EQ(fresh->onPeerInfo({1, 3, false, false, {}, std::nullopt}), s);
  EXPECT_EQ(fresh->onPeerInfo({1, 3, false, true, {}, std::nullopt}), s);
  EXPECT_TRUE(fresh->waitingForAll());

  // A quorate member (which counted the 4 votes present: expected 4).
  s = fresh->onPeerInfo({1, 4, true, false, {}, std::nullopt});
  EXPECT_TRUE(s.quorate);
  EXPECT_EQ(s.expected_votes, 4u);
  EXPECT_EQ(s.quorum, 3u);
  EXPECT_FALSE(fresh->waitingForAll());
  EXPECT_TRUE(fresh->checkInvariants().ok());
  // The same info again, or from another member, changes nothing.
  EXPECT_EQ(fresh->onPeerInfo({1, 4, true, false, {}, std::nullopt}), s);
  EXPECT_EQ(fresh->onPeerInfo({2, 4, true, false, {}, std::nullopt}), s);
  // A quorate node only raises its expected votes to a peer's, never lowers them.
  EXPECT_EQ(fresh->onPeerInfo({3, 3, true, false, {}, std::nullopt}).expected_votes, 4u);
  s = fresh->onPeerInfo({3, 5, true, false, {}, std::nullopt});
  EXPECT_EQ(s.expected_votes, 5u);
  EXPECT_EQ(s.quorum, 3u);
  EXPECT_TRUE(s.quorate);
  EXPECT_TRUE(fresh->checkInvariants().ok());
}

// A quorate peer that is itself still waiting does not end our wait (it cannot be quorate while
// waiting, so such info only comes from a peer without wait_for_all; the flag is honoured).
TEST(VotequorumTest, PeerInfoFromAWaitingPeerKeepsTheWait) {
  Result<Votequorum> fresh = Votequorum::create(lms(5, false));
  ASSERT_TRUE(fresh.ok());
  fresh->onViewChanged({1, 2, 3, 4}, at(0));
  const QuorumStatus s = fresh->onPeerInfo({1, 5, true, true, {}, std::nullopt});
  EXPECT_TRUE(fresh->waitingForAll());
  EXPECT_FALSE(s.quorate);
  EXPECT_EQ(s.expected_votes, 5u);
  EXPECT_TRUE(fresh->checkInvariants().ok());
}

// Two histories where corosync's own rules give both halves quorum; Pulse gives it to neither
// (see quorum.h, "stricter than corosync").
TEST(VotequorumTest, TieBreakerCasesWhereCorosyncWouldSplitBrain) {
  {
    // Odd expected votes: {1, 2} holds floor(5 / 2) votes and the lowest node, and only two
    // nodes left the previous view; but node 5 was never in it and joins {3, 4}.
    QuorumConfig config = atbConfig(5, {});
    config.wait_for_all = true;
    Result<Votequorum> common = Votequorum::create(config);
    ASSERT_TRUE(common.ok());
    common->onViewChanged({1, 2, 3, 4, 5}, at(0));
    EXPECT_TRUE(common->onViewChanged({1, 2, 3, 4}, at(1)).quorate);
    Votequorum a = *common;
    Votequorum b = *common;
    EXPECT_FALSE(a.onViewChanged({1, 2}, at(2)).quorate);  // corosync: quorate.
    EXPECT_TRUE(b.onViewChanged({3, 4, 5}, at(2)).quorate);
  }
  {
    // Tie-breaker list 1 3 after a cold start that was never quorate: corosync checks each half
    // against the previous view {2, 4}, which holds neither 1 nor 3, so both halves win.
    Result<Votequorum> common = Votequorum::create(atbConfig(4, {TieBreaker::Kind::kList, {1, 3}}));
    ASSERT_TRUE(common.ok());
    EXPECT_FALSE(common->onViewChanged({2, 4}, at(0)).quorate);
    Votequorum a = *common;
    Votequorum b = *common;
    EXPECT_FALSE(a.onViewChanged({1, 2}, at(1)).quorate);  // corosync: quorate.
    EXPECT_FALSE(b.onViewChanged({3, 4}, at(1)).quorate);  // corosync: quorate.
  }
}

// What `node` announces to the other members (QuorumExchange's NodeInfo).
PeerInfo infoOf(NodeId id, const Votequorum& node) {
  const QuorumStatus s = node.status();
  return {
      id, s.expected_votes, s.quorate, node.waitingForAll(), node.voteSet(), node.pendingVoteSet()};
}

// Installs `view` on its members (node id i is nodes[i - 1]) and delivers each member's info
// to the others, round after round (enough rounds to settle), as QuorumExchange does.
void installView(std::vector<Votequorum>& nodes, const std::vector<NodeId>& view, TimePoint now) {
  for (NodeId m : view) nodes[m - 1].onViewChanged(view, now);
  for (std::size_t round = 0; round < view.size() + 1; ++round) {
    for (NodeId m : view) {
      for (NodeId p : view) {
        if (p != m) nodes[m - 1].onPeerInfo(infoOf(p, nodes[p - 1]));
      }
    }
  }
  for (NodeId m : view) {
    Status inv = nodes[m - 1].checkInvariants();
    EXPECT_TRUE(inv.ok()) << "node " << m << ": " << inv.error().message;
  }
}

// Nodes that saw different views last quorate pick different tie-breakers: node 1 was cut off
// while {1, 2, 3, 4} was still installed (its last quorate view), the others went on to a
// quorate {2, 3, 4}. At the 2/2 split {1, 3} | {2, 4}, node 1 picks the lowest node of its last
// quorate view (1) and node 2 the lowest of its own (2): each holds its pick. Only the side
// holding the tie-breaker of the vote set both halves share ({1, 2, 3, 4}: node 1) may win.
TEST(VotequorumTest, HalvesWithDifferentLastQuorateViewsAreNotBothQuorate) {
  std::vector<Votequorum> nodes;
  for (NodeId id = 1; id <= 4; ++id) {
    Result<Votequorum> vq = Votequorum::create(lms(4, true));
    ASSERT_TRUE(vq.ok()) << vq.error().message;
    vq->enableExchange(id);
    nodes.push_back(std::move(vq).value());
  }
  installView(nodes, {1, 2, 3, 4}, at(0));
  for (const Votequorum& node : nodes) ASSERT_TRUE(node.status().quorate);
  installView(nodes, {2, 3, 4}, at(1000));  // node 1 does not see this view
  for (NodeId id : {2, 3, 4}) ASSERT_TRUE(nodes[id - 1].status().quorate) << "node " << id;

  installView(nodes, {1, 3}, at(2000));  // inside the last_man_standing window
  installView(nodes, {2, 4}, at(2000));
  for (const Votequorum& node : nodes) EXPECT_EQ(node.status().expected_votes, 4u);
  const bool left = nodes[0].status().quorate || nodes[2].status().quorate;
  const bool right = nodes[1].status().quorate || nodes[3].status().quorate;
  EXPECT_FALSE(left && right) << "both halves of a 2/2 split are quorate";
  EXPECT_TRUE(nodes[0].status().quorate);   // holds node 1, its and the vote set's tie-breaker
  EXPECT_FALSE(nodes[2].status().quorate);  // its last quorate view {2, 3, 4} picks node 2
  EXPECT_FALSE(nodes[1].status().quorate);  // picks node 2, but the vote set's node 1 is away
  EXPECT_FALSE(nodes[3].status().quorate);
}

TEST(VotequorumTest, LastManStandingNeedsWaitForAllAfterARestart) {
  for (bool wait_for_all : {false, true}) {
    SCOPED_TRACE(wait_for_all ? "wait_for_all" : "no wait_for_all");
    QuorumConfig config = lms(5, false);
    config.wait_for_all = wait_for_all;
    Result<Votequorum> common = Votequorum::create(config);
    ASSERT_TRUE(common.ok());
    common->onViewChanged({1, 2, 3, 4, 5}, at(0));
    Votequorum majority = *common;
    Votequorum minority = *common;
    EXPECT_TRUE(majority.onViewChanged({1, 2, 3}, at(1000)).quorate);
    EXPECT_FALSE(minority.onViewChanged({4, 5}, at(1000)).quorate);
    EXPECT_EQ(majority.onTick(at(11000)).expected_votes, 3u);
    EXPECT_TRUE(majority.onViewChanged({1, 2}, at(12000)).quorate);
    Result<Votequorum> restarted = Votequorum::create(config);
    ASSERT_TRUE(restarted.ok());
    const bool rest_quorate = minority.onViewChanged({3, 4, 5}, at(13000)).quorate;
    const bool restarted_quorate = restarted->onViewChanged({3, 4, 5}, at(13000)).quorate;
    EXPECT_EQ(rest_quorate, !wait_for_all);
    EXPECT_EQ(restarted_quorate, !wait_for_all);
  }
}

}  // namespace
}  // namespace pulse::membership
