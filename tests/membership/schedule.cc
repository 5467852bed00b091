#include "schedule.h"

#include <random>

namespace pulse::membership::sim {
namespace {

std::string ms(Duration d) { return std::to_string(d.count()) + "ms"; }

}  // namespace

std::string Step::describe() const {
  std::string out = "after " + ms(wait) + ": ";
  switch (kind) {
    case Kind::kCrash:
      return out + "crash " + std::to_string(node);
    case Kind::kRestart:
      return out + "restart " + std::to_string(node);
    case Kind::kHeal:
      return out + "heal";
    case Kind::kLoss:
      return out + "loss " + std::to_string(loss);
    case Kind::kDelay:
      return out + "delay " + ms(lo) + ".." + ms(hi);
    case Kind::kSkew:
      return out + "clock of " + std::to_string(node) + " offset " + ms(lo);
    case Kind::kPartition:
      out += "partition groups";
      for (int g : groups) out += " " + std::to_string(g);
      return out;
  }
  return out;
}

std::string Schedule::describe() const {
  std::string out = "seed " + std::to_string(seed) + " (" + std::to_string(nodes) +
                    " nodes; replay with PULSE_SIM_SEED=" + std::to_string(seed) + ")\n";
  for (std::size_t i = 0; i < steps.size(); ++i) {
    out += "  step " + std::to_string(i + 1) + " " + steps[i].describe() + "\n";
  }
  return out;
}

Schedule makeSchedule(std::uint64_t seed, int steps) {
  Schedule s{seed, kClusterSizes[seed % 4], {}};
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 1);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int i = 0; i < steps; ++i) {
    Step step;
    step.wait = Duration{pick(0, 2500)};
    switch (pick(0, 9)) {
      case 0:
      case 1:
        step.kind = Step::Kind::kCrash;
        step.node = static_cast<NodeId>(pick(1, s.nodes));
        break;
      case 2:
      case 3:
        step.kind = Step::Kind::kRestart;
        step.node = static_cast<NodeId>(pick(1, s.nodes));
        break;
      case 4:
      case 5: {
        step.kind = Step::Kind::kPartition;
        int groups = pick(2, 3);
        for (int n = 0; n < s.nodes; ++n) step.groups.push_back(pick(0, groups - 1));
        break;
      }
      case 6:
        step.kind = Step::Kind::kHeal;
        break;
      case 7:
        step.kind = Step::Kind::kLoss;
        step.loss = pick(0, 1) ? pick(1, 50) / 100.0 : 0.0;
        break;
      case 8:
        step.kind = Step::Kind::kDelay;
        step.lo = Duration{pick(0, 20)};
        step.hi = step.lo + Duration{pick(0, 80)};
        break;
      default:
        step.kind = Step::Kind::kSkew;
        step.node = static_cast<NodeId>(pick(1, s.nodes));
        step.lo = Duration{pick(-3000, 3000)};
        break;
    }
    s.steps.push_back(std::move(step));
  }
  return s;
}

Outcome runSchedule(const Schedule& schedule, Timing timing, const QuorumConfig& quorum) {
  Simulator sim(schedule.nodes, timing, schedule.seed, quorum);
  Outcome outcome;
  const TimePoint start = sim.now();
  for (const Step& step : schedule.steps) {
    sim.runFor(step.wait);
    switch (step.kind) {
      case Step::Kind::kCrash:
        sim.crash(step.node);
        break;
      case Step::Kind::kRestart:
        sim.restart(step.node);
        break;
      case Step::Kind::kPartition:
        sim.partition(step.groups);
        break;
      case Step::Kind::kHeal:
        sim.heal();
        break;
      case Step::Kind::kLoss:
        sim.setLoss(step.loss);
        break;
      case Step::Kind::kDelay:
        sim.setDelay(step.lo, step.hi);
        break;
      case Step::Kind::kSkew:
        sim.setClockOffset(step.node, step.lo);
        break;
    }
    sim.checkQuorum();
    ++outcome.steps;
  }
  // Final heal: everything up, connected and lossless (delays and clock offsets stay).
  sim.heal();
  sim.setLoss(0);
  for (NodeId n = 1; n <= static_cast<NodeId>(schedule.nodes); ++n) sim.restart(n);
  const Duration bound = 2 * timing.token + timing.consensus;
  const TimePoint healed = sim.now();
  while (!sim.allAgreeOnFullView() && sim.now() - healed < bound) sim.runFor(Simulator::kTick);
  outcome.convergence = std::chrono::duration_cast<Duration>(sim.now() - healed);
  sim.runFor(bound - outcome.convergence);
  sim.checkQuorum();
  outcome.failures = sim.failures();
  if (!sim.allAgreeOnFullView()) {
    std::string views;
    for (NodeId n = 1; n <= static_cast<NodeId>(schedule.nodes); ++n) {
      const auto& v = sim.node(n)->view();
      views += " " + std::to_string(n) + ":" + (v ? toString(*v) : "none");
    }
    outcome.failures.push_back("liveness: no common full view " + std::to_string(bound.count()) +
                               "ms after the final heal;" + views);
  }
  outcome.stats = sim.stats();
  outcome.simulated = std::chrono::duration_cast<Duration>(sim.now() - start);
  return outcome;
}

}  // namespace pulse::membership::sim
