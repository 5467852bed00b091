// votequorum's split-brain guarantee as a property: random configs and histories, then random
// partitions into two sides, which are never quorate at once (see quorum.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "membership/quorum.h"

namespace pulse::membership {
namespace {

TimePoint at(std::int64_t ms) { return TimePoint{} + std::chrono::milliseconds(ms); }

// Random configs and histories, then a partition into two disjoint sides that may each shrink
// further; the two sides are never quorate at once. Without last_man_standing the sides are
// drawn from all nodes (nodes outside the last common view share its history, the strongest
// reading). With last_man_standing they are drawn from the last common view only: nodes that
// were away when expected_votes shrank are down, and a node that comes back with its own history
// is the restart case below, which only wait_for_all covers. (corosync itself gives two quorate
// partitions if nodes that were away come back while the shrunken partition splits in two.)
struct SplitOptions {
  bool last_man_standing = false;
  int rounds = 4000;
};

QuorumConfig randomConfig(std::mt19937& rng, bool last_man_standing) {
  QuorumConfig c;
  const std::uint32_t count = std::uniform_int_distribution<std::uint32_t>(1, 7)(rng);
  std::uint32_t votes = 0;
  for (NodeId id = 1; id <= count; ++id) {
    const std::uint32_t v =
        last_man_standing ? 1 : std::uniform_int_distribution<std::uint32_t>(1, 3)(rng);
    c.nodes.push_back({id * 10 + static_cast<NodeId>(rng() % 10), v});
    votes += v;
  }
  if (rng() % 3 == 0) c.expected_votes = votes + rng() % 3;
  if (rng() % 2) c.wait_for_all = rng() % 2 == 0;
  c.last_man_standing = last_man_standing;
  c.auto_tie_breaker = rng() % 2;
  switch (rng() % 3) {
    case 0:
      break;
    case 1:
      c.auto_tie_breaker_node.kind = TieBreaker::Kind::kHighest;
      break;
    default:
      c.auto_tie_breaker_node.kind = TieBreaker::Kind::kList;
      for (const QuorumNode& n : c.nodes) {
        if (rng() % 2) c.auto_tie_breaker_node.list.push_back(n.id);
      }
      if (c.auto_tie_breaker_node.list.empty()) c.auto_tie_breaker_node.list = {c.nodes[0].id};
      std::shuffle(c.auto_tie_breaker_node.list.begin(), c.auto_tie_breaker_node.list.end(), rng);
  }
  return c;
}

std::vector<NodeId> randomSubset(std::mt19937& rng, const std::vector<NodeId>& from) {
  std::vector<NodeId> out;
  for (NodeId id : from) {
    if (rng() % 3 != 0) out.push_back(id);
  }
  return out;
}

std::string describe(const QuorumConfig& c) {
  std::string out = "nodes:";
  for (const QuorumNode& n : c.nodes)
    out += " " + std::to_string(n.id) + "x" + std::to_string(n.votes);
  out += " expected=" + (c.expected_votes ? std::to_string(*c.expected_votes) : "-");
  out += " wfa=" + (c.wait_for_all ? std::to_string(*c.wait_for_all) : "-");
  out += " atb=" + std::to_string(c.auto_tie_breaker) + "/" +
         std::to_string(static_cast<int>(c.auto_tie_breaker_node.kind));
  for (NodeId id : c.auto_tie_breaker_node.list) out += " " + std::to_string(id);
  return out + "\n";
}

std::string describe(std::int64_t now, const std::vector<NodeId>& members, const QuorumStatus& s) {
  std::string out = "t=" + std::to_string(now) + " {";
  for (NodeId id : members) out += " " + std::to_string(id);
  return out + " } quorate=" + std::to_string(s.quorate) +
         " expected=" + std::to_string(s.expected_votes) +
         " total=" + std::to_string(s.total_votes) + " quorum=" + std::to_string(s.quorum) + "\n";
}

void checkSplits(const SplitOptions& options) {
  std::mt19937 rng(12345);
  int checked = 0;
  for (int round = 0; round < options.rounds; ++round) {
    const QuorumConfig config = randomConfig(rng, options.last_man_standing);
    Result<Votequorum> common = Votequorum::create(config);
    if (!common.ok()) continue;  // e.g. ATB + LMS in an odd cluster without wait_for_all.
    std::vector<NodeId> all;
    for (const QuorumNode& n : config.nodes) all.push_back(n.id);
    std::string log = describe(config);
    std::int64_t now = 0;
    std::vector<NodeId> last_view = all;
    const int history = static_cast<int>(rng() % 5);
    for (int i = 0; i < history; ++i) {
      now += rng() % 15000;
      common->onTick(at(now));
      const std::vector<NodeId> members = rng() % 2 ? all : randomSubset(rng, all);
      log += describe(now, members, common->onViewChanged(members, at(now)));
      last_view = members;
    }
    std::vector<NodeId> side_a, side_b;
    for (NodeId id : options.last_man_standing ? last_view : all) {
      switch (rng() % 3) {
        case 0:
          side_a.push_back(id);
          break;
        case 1:
          side_b.push_back(id);
          break;
        default:
          break;
      }
    }
    Votequorum a = *common;
    Votequorum b = *common;
    for (int step = 0; step < 5; ++step) {
      now += rng() % 15000;
      QuorumStatus sa = a.onViewChanged(side_a, at(now));
      QuorumStatus sb = b.onViewChanged(side_b, at(now));
      sa = a.onTick(at(now));
      sb = b.onTick(at(now));
      log += "A " + describe(now, side_a, sa) + "B " + describe(now, side_b, sb);
      ASSERT_FALSE(sa.quorate && sb.quorate)
          << "round " << round << " step " << step << ": both sides quorate\n"
          << log;
      ASSERT_TRUE(a.checkInvariants().ok()) << a.checkInvariants().error().message;
      ASSERT_TRUE(b.checkInvariants().ok()) << b.checkInvariants().error().message;
      ++checked;
      // Each side may lose more nodes; nothing crosses the partition.
      if (rng() % 2) side_a = randomSubset(rng, side_a);
      if (rng() % 2) side_b = randomSubset(rng, side_b);
    }
  }
  EXPECT_GT(checked, options.rounds);
}

TEST(VotequorumPropertyTest, DisjointPartitionsAreNeverBothQuorate) { checkSplits({}); }

TEST(VotequorumPropertyTest, LastManStandingShrinkingPartitionsAreNeverBothQuorate) {
  checkSplits({.last_man_standing = true});
}

// What last_man_standing does not protect against without wait_for_all: nodes 1-3 of 5 shrink
// expected votes to 3 and keep going as {1, 2}; node 3 restarts with a fresh state and joins
// 4 and 5, which never shrank. Without wait_for_all {3, 4, 5} is a majority of 5 as well.

}  // namespace
}  // namespace pulse::membership
