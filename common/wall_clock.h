// The wall clock the daemon reports and records in calendar time: the controller's "now" (an
// operation's last-rc-change, the shutdown attribute, the engine's failure-timeouts and date
// rules), the CIB's cib-last-written, the event journal. Timers never read it: they use
// steady_clock, which a wall clock stepped forwards or backwards (NTP, an operator's `date`)
// does not move.
//
// Test hook: when the daemon runs with PULSE_TEST_WALL_CLOCK_OFFSET_FILE set, that file (when it
// exists) holds a signed number of seconds added to the system clock, read again at most once a
// second. The fault lab steps one node's wall clock this way: setting the machine's clock would
// step it for every node (network namespaces share it) and for every other process on the
// machine. Unset (every real deployment), this is the system clock.
//
// Thread-safety: callable from any thread.
#pragma once

#include <cstdint>

namespace pulse {

std::int64_t wallClockMs();  // milliseconds since the epoch
inline std::int64_t wallClockSeconds() { return wallClockMs() / 1000; }

// The offset file's text as a number of seconds: an optional sign and digits, surrounded by
// white space; anything else (or a value beyond +-100 years) is 0, so a bad file never moves
// the clock.
std::int64_t parseClockOffsetSeconds(const char* text);

}  // namespace pulse
