// Compares the "Transition Summary" blocks of two crm_simulate-style outputs without Python:
// items are whitespace-squeezed, reasons ("due to ...") and clone instance numbers dropped,
// "blocked" kept, and compared as multisets. normalize_summary.py --loose is the reference;
// this is the fallback when it is not available. Pure functions.
#ifndef PULSE_BENCH_SUMMARY_COMPARE_H_
#define PULSE_BENCH_SUMMARY_COMPARE_H_

#include <string>
#include <string_view>
#include <vector>

namespace pulse::bench {

// Sorted canonical items; *found says whether a "Transition Summary:" header was present.
[[nodiscard]] std::vector<std::string> transitionSummaryItems(std::string_view text, bool* found);

struct SummaryComparison {
  bool equal = false;
  size_t expected_items = 0;
  size_t actual_items = 0;
  std::vector<std::string> differences;  // "- item" missing from actual, "+ item" extra
};

[[nodiscard]] SummaryComparison compareSummaries(std::string_view expected,
                                                 std::string_view actual);

}  // namespace pulse::bench

#endif  // PULSE_BENCH_SUMMARY_COMPARE_H_
