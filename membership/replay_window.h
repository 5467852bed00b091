// The receiving side of replay protection (the frame sequence is described in packet_auth.h),
// and the rate limit of the log lines about dropped frames.
//
// Pure (time is an argument). Not thread-safe: owned by the service, on its io_context.
// Invariant: for every sender, the sequences accept() returned true for strictly increase
// (incarnation first, then counter); so no frame is accepted twice, nor after a newer one. The
// state is in memory only and starts empty with the receiver (the residual risk this leaves is
// stated in packet_auth.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "membership/packet_auth.h"
#include "membership/types.h"

namespace pulse::membership {

class ReplayWindow {
 public:
  // True when `sequence` is newer than every sequence accepted from `sender` so far (the first
  // from a sender always is); it becomes the sender's newest. False for a replayed or
  // overtaken frame, and nothing changes. Call it last, once every other check has passed, so
  // that a frame dropped for another reason does not advance the window.
  bool accept(NodeId sender, FrameSequence sequence);

  // The newest sequence accepted from `sender`, if any.
  std::optional<FrameSequence> newest(NodeId sender) const;

 private:
  std::map<NodeId, FrameSequence> newest_;
};

// Rate limit for a log line about repeated drops: the first drop is reported at once, later
// ones at most once per `interval`, each report covering every drop since the previous report
// (the counters stay exact; the log stays short under a flood).
class DropLog {
 public:
  explicit DropLog(Duration interval) : interval_(interval) {}

  // Counts one drop.
  void record() { ++pending_; }

  // How many drops the report due at `now` covers, or 0 when none is due (nothing pending, or
  // the last report was less than `interval` ago). What it returns is not returned again.
  std::uint64_t take(TimePoint now);

 private:
  Duration interval_;
  std::uint64_t pending_ = 0;
  std::optional<TimePoint> last_report_;
};

}  // namespace pulse::membership
