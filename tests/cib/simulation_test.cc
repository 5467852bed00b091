// Randomised fault schedules over 3- and 5-node clusters (seed % 2 picks the size), with client
// writes throughout and the liveness check after a final heal.
// PULSE_CIB_SIM_SEED=<seed> replays one schedule and prints its full trace;
// PULSE_CIB_SIM_SCHEDULES=<n> runs seeds 0..n-1 instead of the default 2000.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include "simulator.h"

namespace pulse::crmd::sim {
namespace {

constexpr std::uint64_t kSchedules = 2000;
constexpr int kSteps = 12;

TEST(CibSimulation, RandomFaultSchedulesKeepInvariants) {
  std::vector<std::uint64_t> seeds;
  const char* env = std::getenv("PULSE_CIB_SIM_SEED");
  const char* count = std::getenv("PULSE_CIB_SIM_SCHEDULES");  // more (or fewer) schedules
  if (env) {
    seeds.push_back(std::stoull(env));
  } else {
    const std::uint64_t n = count ? std::stoull(count) : kSchedules;
    for (std::uint64_t seed = 0; seed < n; ++seed) seeds.push_back(seed);
  }
  const auto wall_start = std::chrono::steady_clock::now();
  Stats total;
  std::uint64_t failed = 0;
  Duration simulated{0}, worst_convergence{0};
  for (std::uint64_t seed : seeds) {
    Outcome outcome = runSchedule(seed, kSteps, env != nullptr);
    simulated += outcome.simulated;
    worst_convergence = std::max(worst_convergence, outcome.convergence);
    total.delivered += outcome.stats.delivered;
    total.views += outcome.stats.views;
    total.writes_ok += outcome.stats.writes_ok;
    total.writes_refused += outcome.stats.writes_refused;
    total.writes_uncertain += outcome.stats.writes_uncertain;
    total.version_number_clashes += outcome.stats.version_number_clashes;
    if (env) {
      for (const auto& line : outcome.trace) std::cout << line << "\n";
    }
    if (!outcome.failures.empty() && ++failed <= 3) {
      std::string text = "seed " + std::to_string(seed) +
                         " failed (replay: PULSE_CIB_SIM_SEED=" + std::to_string(seed) + ")\n";
      for (const auto& line : outcome.trace) text += "  " + line + "\n";
      for (const auto& f : outcome.failures) text += "  FAILED " + f + "\n";
      ADD_FAILURE() << text;
    }
  }
  const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - wall_start);
  std::cout << seeds.size() << " schedules of " << kSteps << " fault steps, "
            << simulated.count() / 1000 << " s simulated, " << total.delivered
            << " messages delivered, " << total.views << " views, writes: " << total.writes_ok
            << " ok, " << total.writes_refused << " refused, " << total.writes_uncertain
            << " uncertain; version numbers reused with other content: "
            << total.version_number_clashes << "; slowest convergence after the final heal "
            << worst_convergence.count() << " ms; " << failed << " failed; wall " << wall.count()
            << " ms\n";
  EXPECT_EQ(failed, 0u);
}

}  // namespace
}  // namespace pulse::crmd::sim
