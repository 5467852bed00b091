// Faults the fault lab injects into a running daemon where the kernel offers no tool: delayed
// and duplicated membership datagrams (this kernel has no tc netem, and nftables can drop but
// not delay) and a slow fsync (a disk that takes its time, not one that fails: file_io.h's
// FaultyFileIo covers failures in unit tests).
//
// Test hook: when the daemon runs with PULSE_TEST_FAULTS_FILE set, that file (when it exists)
// holds lines `name=value` with whole numbers, read again at most once a second:
//   packet_delay_ms=N          every datagram this node sends leaves N ms late,
//   packet_jitter_ms=N         plus a uniform 0..N ms more (so datagrams also reorder),
//   packet_duplicate_percent=N that share of datagrams is sent twice,
//   fsync_delay_ms=N           every fsync (file or directory) waits N ms first.
// Unknown names, malformed lines and values out of range are ignored (a bad file never
// injects a fault), as is a missing file. Unset (every real deployment), no fault is injected
// and nothing is read.
//
// Thread-safety: callable from any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace pulse {

struct TestFaults {
  std::int64_t packet_delay_ms = 0;
  std::int64_t packet_jitter_ms = 0;
  int packet_duplicate_percent = 0;
  std::int64_t fsync_delay_ms = 0;

  bool delaysPackets() const { return packet_delay_ms > 0 || packet_jitter_ms > 0; }
  friend bool operator==(const TestFaults&, const TestFaults&) = default;
};

// The faults a file's text names (see above for what is ignored).
TestFaults parseTestFaults(std::string_view text);

// The faults in force now: none unless PULSE_TEST_FAULTS_FILE is set.
TestFaults currentTestFaults();

}  // namespace pulse
