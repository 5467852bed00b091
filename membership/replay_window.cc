#include "membership/replay_window.h"

#include <algorithm>
#include <utility>

namespace pulse::membership {

bool ReplayWindow::accept(NodeId sender, FrameSequence sequence) {
  auto [it, inserted] = newest_.try_emplace(sender, sequence);
  if (inserted) return true;
  if (sequence <= it->second) return false;
  it->second = sequence;
  return true;
}

std::optional<FrameSequence> ReplayWindow::newest(NodeId sender) const {
  auto it = newest_.find(sender);
  if (it == newest_.end()) return std::nullopt;
  return it->second;
}

std::uint64_t DropLog::take(TimePoint now) {
  if (pending_ == 0) return 0;
  if (last_report_) {
    // min(): a clock that stepped backwards must not silence the log for the size of the step.
    last_report_ = std::min(*last_report_, now);
    if (now - *last_report_ < interval_) return 0;
  }
  last_report_ = now;
  return std::exchange(pending_, 0);
}

}  // namespace pulse::membership
