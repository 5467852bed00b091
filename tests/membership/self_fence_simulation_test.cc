// The bound of watchdog self-fencing (crmd/watchdog/self_fence.h), checked in the deterministic
// simulation: over random cuts at random times, every node cut off from the quorate side loses
// quorum contact early enough that its watchdog has fired and its fence command has run when
// the survivors' wait D (minimumWatchdogWait) ends:
//
//   e <= V + D - W - P - F
//
// e: the end of the cut-off node's quorum contact (the last heartbeat evidence + S, or the
// delivery that revoked it if earlier); V: the first instant a survivor installs a view without it.
// Also checked: no node loses contact while the cluster is whole (no false self-fence), and after a
// symmetric or asymmetric cut the majority keeps its contact.
//
// Cuts: symmetric (a minority partitioned off), asymmetric (the minority still hears the
// others, they do not hear it), partial (one node's packets no longer reach the lowest other
// node, the representative, nor a random subset of the rest).
// PULSE_SIM_SEED=<seed> replays one schedule and prints it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include "crmd/watchdog/self_fence.h"
#include "simulator.h"

namespace pulse::membership::sim {
namespace {

constexpr std::uint64_t kSchedules = 1200;
const char* const kCutNames[] = {"symmetric", "asymmetric", "partial"};

struct Result {
  std::vector<std::string> failures;
  std::optional<Duration> margin;  // max over cut-off nodes of e - V
  std::string description;
};

Result runCut(std::uint64_t seed, const Timing& timing, const crmd::SelfFenceTiming& fence) {
  Result result;
  std::mt19937_64 rng(seed * 7919 + 1);
  auto uniform = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int n = uniform(3, 7);
  const int cut = static_cast<int>(seed % 3);
  Simulator sim(n, timing, seed, {}, /*direct=*/true);  // a watchdog reads quorum contact
  sim.setDelay(Duration{1}, fence.network_delay);
  const Duration window = timing.contactWindow();

  std::set<NodeId> minority;
  const int minority_size = cut == 2 ? 1 : uniform(1, (n - 1) / 2);
  while (static_cast<int>(minority.size()) < minority_size) {
    minority.insert(static_cast<NodeId>(uniform(1, n)));
  }
  std::ostringstream text;
  text << "seed " << seed << ": " << n << " nodes, " << kCutNames[cut] << " cut of {";
  for (NodeId x : minority) text << " " << x;
  text << " }";

  // Contact tracking per node: armed once fresh in the whole cluster; `end` is the latest
  // contact end seen (evidence + S); `lapsed` the instant contact was first seen gone.
  struct Track {
    bool armed = false;
    TimePoint end;
    std::optional<TimePoint> lapsed;
  };
  std::vector<Track> track(static_cast<std::size_t>(n) + 1);
  std::optional<TimePoint> cut_at;
  std::map<NodeId, TimePoint> dropped_at;  // V per cut-off node

  sim.afterEvent([&](NodeId node, TimePoint now) {
    const MembershipNode* core = sim.node(node);
    const QuorumExchange* quorum = sim.quorum(node);
    if (core == nullptr || quorum == nullptr) return;
    Track& t = track[node];
    if (t.lapsed) return;
    auto last = core->quorumContact().lastContact(quorum->status().quorum, now);
    const bool fresh = last && now - *last < window;
    if (fresh) {
      t.armed = true;
      t.end = *last + window;
    } else if (t.armed) {
      t.lapsed = now;
    }
  });
  sim.onInstall([&](NodeId node, const View& view, TimePoint now) {
    if (!cut_at || minority.contains(node)) return;
    for (NodeId x : minority) {
      if (!view.contains(x) && !dropped_at.contains(x)) dropped_at[x] = now;
    }
  });

  Duration waited{0};
  while (!sim.allAgreeOnFullView() && waited < Duration{5000}) {
    sim.runFor(Duration{100});
    waited += Duration{100};
  }
  if (!sim.allAgreeOnFullView()) {
    result.failures.push_back("the cluster did not form");
    return result;
  }
  sim.runFor(Duration{uniform(300, 1500)});
  for (NodeId node = 1; node <= static_cast<NodeId>(n); ++node) {
    if (!track[node].armed || track[node].lapsed) {
      result.failures.push_back("node " + std::to_string(node) +
                                " lost quorum contact in the whole cluster");
    }
  }
  sim.runFor(Duration{uniform(0, 300)});  // a random phase against the heartbeats
  cut_at = sim.now();
  std::vector<int> groups(static_cast<std::size_t>(n), 0);
  for (NodeId x : minority) {
    for (NodeId y = 1; y <= static_cast<NodeId>(n); ++y) {
      if (minority.contains(y)) continue;
      if (cut == 0) groups[x - 1] = 1;
      if (cut == 1) sim.cutOneWay(x, y);
    }
  }
  if (cut == 0) sim.partition(groups);
  if (cut == 2) {
    const NodeId x = *minority.begin();
    const NodeId representative = x == 1 ? 2 : 1;
    sim.cutOneWay(x, representative);
    for (NodeId y = 1; y <= static_cast<NodeId>(n); ++y) {
      if (y != x && y != representative && uniform(0, 1) == 1) {
        sim.cutOneWay(x, y);
        text << " (also ->" << y << ")";
      }
    }
  }
  sim.runFor(Duration{4000});
  result.description = text.str();

  const Duration allowed = crmd::minimumWatchdogWait(timing, fence) - fence.watchdog_timeout -
                           fence.pet_interval - fence.fence_action;
  for (NodeId x : minority) {
    const Track& t = track[x];
    if (!dropped_at.contains(x)) {
      result.failures.push_back("the survivors never installed a view without node " +
                                std::to_string(x));
      continue;
    }
    if (!t.lapsed) {
      result.failures.push_back("node " + std::to_string(x) + " never lost quorum contact");
      continue;
    }
    // Contact ends at evidence + S, or earlier at the delivery that revoked it (a heartbeat no
    // longer listing x), which is when the lapse was observed.
    const TimePoint end = std::min(t.end, *t.lapsed);
    const Duration margin = std::chrono::duration_cast<Duration>(end - dropped_at[x]);
    result.margin = std::max(result.margin.value_or(margin), margin);
    if (margin > allowed) {
      result.failures.push_back("node " + std::to_string(x) + " kept contact until V + " +
                                std::to_string(margin.count()) + " ms, bound V + " +
                                std::to_string(allowed.count()) + " ms");
    }
  }
  if (cut != 2) {
    for (NodeId y = 1; y <= static_cast<NodeId>(n); ++y) {
      if (!minority.contains(y) && track[y].lapsed) {
        result.failures.push_back("majority node " + std::to_string(y) + " lost quorum contact");
      }
    }
  }
  for (const auto& f : sim.failures()) result.failures.push_back("simulator: " + f);
  return result;
}

void checkBoundOverRandomCuts(const Timing& timing) {
  crmd::SelfFenceTiming fence;
  fence.membership_tick = Simulator::kTick;
  ASSERT_TRUE(crmd::validate(timing, fence).ok());
  std::vector<std::uint64_t> seeds;
  if (const char* env = std::getenv("PULSE_SIM_SEED")) {
    seeds.push_back(std::stoull(env));
  } else {
    for (std::uint64_t s = 0; s < kSchedules; ++s) seeds.push_back(s);
  }
  std::map<int, Duration> worst;  // per cut kind
  int failed = 0;
  for (std::uint64_t seed : seeds) {
    Result r = runCut(seed, timing, fence);
    if (seeds.size() == 1) std::cout << r.description << "\n";
    if (r.margin) {
      auto [it, inserted] = worst.try_emplace(static_cast<int>(seed % 3), *r.margin);
      if (!inserted) it->second = std::max(it->second, *r.margin);
    }
    if (!r.failures.empty() && ++failed <= 5) {
      std::string all = r.description;
      for (const auto& f : r.failures) all += "\n  FAILED " + f;
      ADD_FAILURE() << all;
    }
  }
  EXPECT_EQ(failed, 0);
  std::cout << seeds.size()
            << " schedules; D = " << crmd::minimumWatchdogWait(timing, fence).count()
            << " ms; worst e - V:";
  for (const auto& [cut, margin] : worst) {
    std::cout << " " << kCutNames[cut] << " " << margin.count() << " ms";
  }
  std::cout << "\n";
}

TEST(SelfFenceSimulation, CutOffNodesLoseContactWithinTheSurvivorsWait) {
  checkBoundOverRandomCuts(Timing::fromToken(Duration{1000}));  // S = 2H = 500 ms
}

TEST(SelfFenceSimulation, CutOffNodesLoseContactWithinTheSurvivorsWaitAtToken300) {
  // S is the 300 ms floor, 4 heartbeat intervals: D grows to 620 ms and still bounds e - V.
  checkBoundOverRandomCuts(Timing::fromToken(Duration{300}));
}

// The two survivors of a 3-node cluster keep each other in contact through a 150 ms silence
// of one of them (a stall on a loaded host, here a partition healed 150 ms later) at token
// 300: with the 300 ms window the gap between two heartbeats is at most 3 intervals (225 ms).
// With the window at 2 heartbeat intervals (150 ms) both lost contact, so both watchdogs would
// have fired: the window decides, not the token (150 ms is too short for a view change).
struct LonePairStall {
  bool lapsed = false;  // either survivor's contact lapsed
  bool view_changed = false;
};

LonePairStall stallOfTheOnlyPeer(const Timing& timing, std::uint64_t seed, Duration stall) {
  Simulator sim(3, timing, seed, {}, /*direct=*/true);
  sim.setDelay(Duration{1}, Duration{5});
  sim.runFor(Duration{2000});
  sim.crash(3);  // the power-off: nodes 1 and 2 are the quorum now, each the other's only peer
  sim.runFor(Duration{1500});
  LonePairStall result;
  const Duration window = timing.contactWindow();
  sim.afterEvent([&](NodeId node, TimePoint now) {
    const MembershipNode* core = sim.node(node);
    const QuorumExchange* quorum = sim.quorum(node);
    if (core == nullptr || quorum == nullptr || node == 3) return;
    auto last = core->quorumContact().lastContact(quorum->status().quorum, now);
    if (!last || now - *last >= window) result.lapsed = true;
  });
  sim.onInstall([&](NodeId, const View&, TimePoint) { result.view_changed = true; });
  sim.runFor(Duration{static_cast<int>(seed % 75)});  // every phase against the heartbeats
  sim.partition({0, 1, 2});
  sim.runFor(stall);
  sim.heal();
  sim.runFor(Duration{1000});
  return result;
}

TEST(SelfFenceSimulation, LonePairOfSurvivorsRidesOutA150MsStallAtToken300) {
  const Timing timing = Timing::fromToken(Duration{300});
  ASSERT_EQ(timing.contactWindow(), Duration{300});
  Timing narrow = timing;
  narrow.minimum_contact_window = Duration{0};  // the window before the floor: 2H = 150 ms
  int narrow_lapses = 0;
  for (std::uint64_t seed = 0; seed < 75; ++seed) {
    const LonePairStall wide = stallOfTheOnlyPeer(timing, seed, Duration{150});
    EXPECT_FALSE(wide.lapsed) << "seed " << seed << ": contact lapsed with S = 300 ms";
    EXPECT_FALSE(wide.view_changed) << "seed " << seed << ": a 150 ms stall changed the view";
    if (stallOfTheOnlyPeer(narrow, seed, Duration{150}).lapsed) ++narrow_lapses;
  }
  EXPECT_EQ(narrow_lapses, 75) << "with S = 2H every phase of a 150 ms stall lapses contact";
}

}  // namespace
}  // namespace pulse::membership::sim
