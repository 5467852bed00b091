// Random fault schedules for the membership simulator. A schedule is derived from a seed alone
// (cluster size included), so printing the seed and its steps makes any failure replayable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "simulator.h"

namespace pulse::membership::sim {

struct Step {
  enum class Kind { kCrash, kRestart, kPartition, kHeal, kLoss, kDelay, kSkew };
  Kind kind = Kind::kHeal;
  Duration wait{0};         // simulated time to run before applying the step
  NodeId node = kNoNode;    // kCrash, kRestart, kSkew
  std::vector<int> groups;  // kPartition: group of each node
  double loss = 0;          // kLoss (0 turns loss off)
  Duration lo{0}, hi{0};    // kDelay bounds; kSkew offset in lo

  std::string describe() const;
};

struct Schedule {
  std::uint64_t seed = 0;
  int nodes = 0;
  std::vector<Step> steps;

  std::string describe() const;
};

inline constexpr int kClusterSizes[] = {2, 3, 5, 16};

// The cluster size is kClusterSizes[seed % 4]; `steps` fault steps follow.
Schedule makeSchedule(std::uint64_t seed, int steps);

struct Outcome {
  std::vector<std::string> failures;  // empty: every invariant held
  Stats stats;
  std::uint64_t steps = 0;
  Duration simulated{0};
  Duration convergence{0};  // from the final heal to the first common full view
};

// Runs the steps, checking invariants after each; then heals everything (no partition, no
// loss, every node up) and requires one full view within 2 x token + consensus, still held
// at the end of that bound. `quorum` gives the quorum options (see Simulator).
Outcome runSchedule(const Schedule& schedule, Timing timing, const QuorumConfig& quorum = {});

}  // namespace pulse::membership::sim
