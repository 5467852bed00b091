// The wall clock's test offset (common/wall_clock.h): the fault lab's clock steps are read from
// a file a person or a script writes, so a bad file must leave the clock alone, never move it
// by a garbled amount.
#include "common/wall_clock.h"

#include <gtest/gtest.h>

#include <chrono>

namespace pulse {
namespace {

TEST(ClockOffset, SignedSecondsWithWhiteSpaceAreRead) {
  EXPECT_EQ(parseClockOffsetSeconds("3600\n"), 3600);
  EXPECT_EQ(parseClockOffsetSeconds("  -86400 "), -86400);
  EXPECT_EQ(parseClockOffsetSeconds("+90"), 90);
  EXPECT_EQ(parseClockOffsetSeconds("0"), 0);
}

TEST(ClockOffset, AnythingElseIsNoOffset) {
  for (const char* bad :
       {"", " ", "-", "1h", "12 34", "0x10", "3.5", "--5", "99999999999999999999", "4000000000"}) {
    EXPECT_EQ(parseClockOffsetSeconds(bad), 0) << '"' << bad << '"';
  }
}

TEST(WallClock, WithoutTheHookItIsTheSystemClock) {
  const auto system = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  EXPECT_NEAR(static_cast<double>(wallClockMs()), static_cast<double>(system), 5000.0);
}

}  // namespace
}  // namespace pulse
