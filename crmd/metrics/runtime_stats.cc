#include "crmd/metrics/runtime_stats.h"

#include <algorithm>

namespace pulse::crmd::metrics {

void Histogram::observe(std::chrono::nanoseconds elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  const auto bound = std::lower_bound(kBucketBounds.begin(), kBucketBounds.end(), seconds);
  buckets_[static_cast<std::size_t>(bound - kBucketBounds.begin())].fetch_add(
      1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(elapsed.count(), 0)),
                    std::memory_order_relaxed);
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot s;
  std::uint64_t running = 0;
  for (const auto& bucket : buckets_) {
    running += bucket.load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
  return s;
}

Histogram& RuntimeStats::action(std::string_view operation) {
  const auto it = std::find(kOperations.begin(), kOperations.end(), operation);
  const std::size_t index = it == kOperations.end()
                                ? kOperations.size() - 1
                                : static_cast<std::size_t>(it - kOperations.begin());
  return actions[index];
}

RuntimeStats& runtimeStats() {
  static RuntimeStats stats;
  return stats;
}

}  // namespace pulse::crmd::metrics
