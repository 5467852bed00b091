// crmd's event log: one line per event on stderr, "YYYY-mm-ddTHH:MM:SS.mmmZ crmd: <text>" (UTC).
// Thread-safe (lines from different threads never interleave). Never pass secrets here.
//
// Invariant: one logEvent call writes exactly one line of at most about kMaxLogLineBytes, and
// only printable text: whatever a caller passes (a node name from the network, an agent's
// output), control characters are escaped (escapeForLog), so no text can forge a second line
// or drive the operator's terminal, and no caller can grow the log by more than one bounded line.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace pulse::crmd {

// The bound on one line's text (before escaping); longer text is cut and says so.
inline constexpr std::size_t kMaxLogLineBytes = 4096;
// The bound on one field taken from a request (a node name, a resource id): logField.
inline constexpr std::size_t kMaxLogFieldBytes = 256;

void logEvent(const std::string& text);

// `text` made safe for one log line: printable ASCII and valid UTF-8 as they are; \n, \r and
// \t as those two-character escapes; any other control character (C0, DEL, the C1 range,
// U+2028/U+2029) and every byte of invalid UTF-8 as \xNN. A backslash stays as it is, so that
// text escaped once (a logField inside a line) passes logEvent unchanged. When `text` is longer
// than `max_bytes`, only its first `max_bytes` bytes (cut at a character boundary) are kept,
// followed by "…(N bytes)" where N is the length of the whole text.
std::string escapeForLog(std::string_view text, std::size_t max_bytes = kMaxLogLineBytes);

// For lines anyone can cause (a refused call): at most `burst` lines per `window`; the lines
// beyond are counted, and the first line let through afterwards says how many were left out.
// So a flood of refused calls costs the log a few lines per window, not one per call.
// Thread-safe; time is an argument of admit() (log() reads the steady clock).
class LogThrottle {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  LogThrottle(int burst, std::chrono::milliseconds window) : burst_(burst), window_(window) {}

  // nullopt: leave the line out. Otherwise log it, with the returned suffix (empty, or
  // " (N similar lines left out)").
  std::optional<std::string> admit(TimePoint now);
  void log(const std::string& text);

 private:
  const int burst_;
  const std::chrono::milliseconds window_;
  std::mutex mutex_;
  TimePoint window_start_{};    // guarded by mutex_
  int in_window_ = 0;           // guarded by mutex_: lines let through since window_start_
  std::uint64_t left_out_ = 0;  // guarded by mutex_: lines left out since the last one logged
};

// A request's field for a log line: escaped, capped at kMaxLogFieldBytes and quoted ('...',
// a quote inside as \x27), so that where it ends is never in doubt.
std::string logField(std::string_view text);

}  // namespace pulse::crmd
