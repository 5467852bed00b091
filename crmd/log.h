// crmd's event log: one line per event on stderr, "YYYY-mm-ddTHH:MM:SS.mmmZ crmd: <text>" (UTC).
// Thread-safe (lines from different threads never interleave). Never pass secrets here.
//
// Invariant: one logEvent call writes exactly one line of at most about kMaxLogLineBytes, and
// only printable text: whatever a caller passes (a node name from the network, an agent's
// output), control characters are escaped (escapeForLog), so no text can forge a second line
// or drive the operator's terminal, and no caller can grow the log by more than one bounded line.
#pragma once

#include <cstddef>
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

// A request's field for a log line: escaped, capped at kMaxLogFieldBytes and quoted ('...',
// a quote inside as \x27), so that where it ends is never in doubt.
std::string logField(std::string_view text);

}  // namespace pulse::crmd
