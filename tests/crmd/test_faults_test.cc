// The fault lab's injected faults (common/test_faults.h) are read from a file the lab rewrites
// while the cluster runs: a half-written or garbled file must inject nothing it does not say,
// never a delay of a garbled length.
#include "common/test_faults.h"

#include <gtest/gtest.h>

namespace pulse {
namespace {

TEST(TestFaults, NamedFaultsAreRead) {
  const TestFaults f = parseTestFaults(
      "packet_delay_ms=120\npacket_jitter_ms = 40\r\npacket_duplicate_percent=25\n"
      "fsync_delay_ms=800\n");
  EXPECT_EQ(f.packet_delay_ms, 120);
  EXPECT_EQ(f.packet_jitter_ms, 40);
  EXPECT_EQ(f.packet_duplicate_percent, 25);
  EXPECT_EQ(f.fsync_delay_ms, 800);
  EXPECT_TRUE(f.delaysPackets());
}

TEST(TestFaults, AFaultNotNamedIsNotInjected) {
  const TestFaults f = parseTestFaults("fsync_delay_ms=300\n");
  EXPECT_EQ(f, (TestFaults{.fsync_delay_ms = 300}));
  EXPECT_FALSE(f.delaysPackets());
  EXPECT_EQ(parseTestFaults(""), TestFaults{});
}

TEST(TestFaults, GarbledLinesAndValuesOutOfRangeAreIgnored) {
  for (const char* bad :
       {"packet_delay_ms=-5", "packet_delay_ms=12ms", "packet_delay_ms=", "packet_delay_ms 100",
        "packet_delay_ms=99999999999999999999", "packet_delay_ms=60001",
        "packet_duplicate_percent=101", "fsync_delay=100", "packet_delay_ms=0x10", "=100"}) {
    EXPECT_EQ(parseTestFaults(bad), TestFaults{}) << '"' << bad << '"';
  }
  // A good line beside a bad one still counts.
  EXPECT_EQ(parseTestFaults("garbage\npacket_duplicate_percent=100\n").packet_duplicate_percent,
            100);
}

TEST(TestFaults, WithoutTheHookNothingIsInjected) {
  // The daemon's tests never set PULSE_TEST_FAULTS_FILE: every fault is off.
  EXPECT_EQ(currentTestFaults(), TestFaults{});
}

}  // namespace
}  // namespace pulse
