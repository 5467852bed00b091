// Watchdog self-fencing: the bound (self_fence.h), the feeder policy, and pulse-watchdog driven
// through WatchdogProcess, with a fence command that only writes a file.
#include "crmd/watchdog/self_fence.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "crmd/watchdog/watchdog_process.h"
#include "temp_dir.h"

namespace pulse::crmd {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(SelfFenceBound, DefaultTimingAtToken1000Is490Ms) {
  const auto timing = membership::Timing::fromToken(1000ms);
  // max(S + H + d - T, S + 2H + 2d - T, 2d + k) + W + P + F = max(-240, 20, 40) + 450.
  EXPECT_EQ(minimumWatchdogWait(timing, SelfFenceTiming{}), 490ms);
  EXPECT_TRUE(validate(timing, SelfFenceTiming{}).ok());
}

TEST(SelfFenceBound, Token300WaitsForTheWidenedContactWindow) {
  const auto timing = membership::Timing::fromToken(300ms);
  // S is the 300 ms floor, not 2H = 150 ms: max(85, 170, 40) + 450.
  EXPECT_EQ(timing.contactWindow(), 300ms);
  EXPECT_EQ(minimumWatchdogWait(timing, SelfFenceTiming{}), 620ms);
  EXPECT_TRUE(validate(timing, SelfFenceTiming{}).ok());
  // The floor is the only reason for the longer wait: with S = 2H the bound was 490 ms.
  auto narrow = timing;
  narrow.minimum_contact_window = 0ms;
  EXPECT_EQ(minimumWatchdogWait(narrow, SelfFenceTiming{}), 490ms);
}

TEST(SelfFenceBound, AsymmetricCutDominatesWhenTheWindowIsLongAgainstTheToken) {
  // Heartbeats every 400 ms against a 1000 ms token (S = 800): the survivors finish detecting
  // the loss before the cut-off node notices, so the wait grows: S + 2H + 2d - T = 620.
  const auto timing = membership::Timing{1000ms, 1200ms, 400ms};
  SelfFenceTiming fence;
  EXPECT_EQ(minimumWatchdogWait(timing, fence), 620ms + 450ms);
}

TEST(SelfFenceBound, ValidateNamesWhatIsWrong) {
  const auto timing = membership::Timing::fromToken(1000ms);
  SelfFenceTiming fence;
  fence.watchdog_timeout = 100ms;
  auto s = validate(timing, fence);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("longer than the pet interval"), std::string::npos);
  fence = SelfFenceTiming{};
  fence.pet_interval = 0ms;
  s = validate(timing, fence);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("pet interval must be positive"), std::string::npos);
}

TEST(WatchdogFeeder, FedBeforeContactWhileFreshAndNeverAgainAfterALapse) {
  WatchdogFeeder feeder(500ms);
  const Clock::time_point t0{};
  EXPECT_TRUE(feeder.shouldPet(t0 + 10s, Clock::time_point::min())) << "not armed yet";
  EXPECT_FALSE(feeder.armed());
  EXPECT_TRUE(feeder.shouldPet(t0 + 10s, t0 + 9600ms));
  EXPECT_TRUE(feeder.armed());
  EXPECT_FALSE(feeder.shouldPet(t0 + 10100ms, t0 + 9600ms)) << "500 ms old: stale";
  EXPECT_TRUE(feeder.lapsed());
  EXPECT_FALSE(feeder.shouldPet(t0 + 10200ms, t0 + 10150ms)) << "contact back: still no pet";
}

// --- pulse-watchdog through WatchdogProcess ------------------------------------------------

struct WatchdogProcessTest : ::testing::Test {
  TempDir dir;
  std::string marker() const { return dir.path() + "/fenced"; }
  std::string command() const { return "date +%s%N > " + marker(); }
  bool fenced() const { return std::filesystem::exists(marker()); }
  bool waitFenced(std::chrono::milliseconds limit) const {
    const auto end = Clock::now() + limit;
    while (Clock::now() < end) {
      if (fenced()) return true;
      std::this_thread::sleep_for(5ms);
    }
    return fenced();
  }
  std::atomic<Clock::time_point> contact{Clock::now()};
  WatchdogOptions options() {
    WatchdogOptions o;
    o.watchdog_path = PULSE_WATCHDOG_PATH;
    o.timeout = 300ms;
    o.command = command();
    o.contact = [this] { return std::optional(QuorumContactReading{contact.load(), 500ms}); };
    return o;
  }
};

TEST_F(WatchdogProcessTest, FedWhileContactIsFreshThenFencesWithinWindowPlusTimeout) {
  auto process = WatchdogProcess::start(options());
  ASSERT_TRUE(process.ok()) << process.error().message;
  for (int i = 0; i < 10; ++i) {  // one second of fresh contact
    contact.store(Clock::now());
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_FALSE(fenced()) << "fenced although quorum contact was fresh";
  const auto last = contact.load();
  ASSERT_TRUE(waitFenced(2s));
  const auto after = Clock::now() - last;
  // The last pet is within one pet interval before the window ends: fenced between
  // S + W - P = 700 and S + W = 800 ms after the last contact, plus scheduling slack.
  EXPECT_GE(after, 690ms);
  EXPECT_LE(after, 1100ms) << "fenced "
                           << std::chrono::duration_cast<std::chrono::milliseconds>(after).count()
                           << " ms after the last contact";
  (*process)->disarm();
}

TEST_F(WatchdogProcessTest, DisarmIsACleanStop) {
  auto process = WatchdogProcess::start(options());
  ASSERT_TRUE(process.ok()) << process.error().message;
  std::this_thread::sleep_for(200ms);
  (*process)->disarm();
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(fenced());
}

TEST_F(WatchdogProcessTest, NotRunningClusterKeepsTheWatchdogFed) {
  auto o = options();
  o.contact = [] { return std::optional<QuorumContactReading>(); };
  auto process = WatchdogProcess::start(std::move(o));
  ASSERT_TRUE(process.ok()) << process.error().message;
  std::this_thread::sleep_for(800ms);
  EXPECT_FALSE(fenced());
  (*process)->disarm();
}

// crmd killed (-9): the pipe closes without 'V'. Simulated by a child process that starts the
// watchdog and is then killed.
TEST_F(WatchdogProcessTest, FeederDeathWithoutDisarmFencesAtOnce) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto process = WatchdogProcess::start(options());
    if (!process.ok()) _exit(1);
    for (;;) pause();
  }
  std::this_thread::sleep_for(400ms);
  EXPECT_FALSE(fenced());
  const auto killed = Clock::now();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_TRUE(waitFenced(2s));
  EXPECT_LE(Clock::now() - killed, 250ms) << "the watchdog should notice the closed pipe at once";
}

TEST(PulseWatchdog, RefusesTheDefaultRebootUnderTests) {
  setenv("PULSE_TEST", "1", 1);
  WatchdogOptions o;
  o.watchdog_path = PULSE_WATCHDOG_PATH;
  o.timeout = 300ms;
  o.contact = [] { return std::optional<QuorumContactReading>(); };
  auto process = WatchdogProcess::start(std::move(o));
  ASSERT_FALSE(process.ok());
  EXPECT_NE(process.error().message.find("refused to arm"), std::string::npos);
}

TEST(PulseWatchdog, RejectsTimeoutsNotAbovePetInterval) {
  WatchdogOptions o;
  o.watchdog_path = PULSE_WATCHDOG_PATH;
  o.timeout = 100ms;
  o.command = "true";
  o.contact = [] { return std::optional<QuorumContactReading>(); };
  auto process = WatchdogProcess::start(std::move(o));
  ASSERT_FALSE(process.ok());
  EXPECT_NE(process.error().message.find("longer than the pet interval"), std::string::npos);
}

}  // namespace
}  // namespace pulse::crmd
