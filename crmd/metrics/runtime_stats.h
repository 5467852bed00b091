// What this crmd process measures of its own work, for /metrics: view changes and how long a
// lost member had been silent when its view went (detection time), CIB copies written to disk
// and how long each write took, and how long each agent action ran.
//
// Written from the threads that do the work (membership, CIB service, executor), read by the
// metrics thread: every figure is a relaxed atomic, so recording never blocks and a scrape
// never stops the work. A scrape may see one histogram's count and sum from slightly different
// instants; Prometheus tolerates that (rates are taken over many scrapes).
//
// Invariants: counts only grow; a histogram's buckets are cumulative in snapshot() (each
// bucket counts the observations <= its bound, the last is +Inf and equals the count).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pulse::crmd::metrics {

// The bucket bounds of every Pulse histogram, in seconds: 1 ms to 2 min, wide enough for a
// CIB fsync and for a database's start alike.
inline constexpr std::array<double, 14> kBucketBounds = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

struct HistogramSnapshot {
  std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf
  std::uint64_t count = 0;
  double sum_seconds = 0;
};

class Histogram {
 public:
  void observe(std::chrono::nanoseconds elapsed);
  HistogramSnapshot snapshot() const;

 private:
  std::array<std::atomic<std::uint64_t>, kBucketBounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> sum_ns_{0};
};

// The agent operations that get their own series; any other counts as "other", so an
// operation name never makes a new series (the label set stays bounded).
inline constexpr std::array<std::string_view, 10> kOperations = {
    "start",  "stop",       "monitor",      "promote", "demote",
    "notify", "migrate_to", "migrate_from", "reload",  "other"};

struct RuntimeStats {
  std::atomic<std::uint64_t> view_changes{0};
  Histogram detection;   // per member lost: how long it had been silent when its view went
  Histogram cib_writes;  // per CIB copy stored (parse of the text excluded: the write, fsync)
  std::array<Histogram, kOperations.size()> actions;  // per agent action run on this node

  Histogram& action(std::string_view operation);
};

// The process's figures (one crmd runs one cluster at a time).
RuntimeStats& runtimeStats();

}  // namespace pulse::crmd::metrics
