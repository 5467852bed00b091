// HostAuth's gate (auth_limiter.h) on a clock driven by hand: the backoff a guesser meets,
// what a legitimate operator meets after it, the cap on concurrent password checks, and the
// bounded table.
#include "crmd/admin/auth_limiter.h"

#include <gtest/gtest.h>

namespace pulse::crmd {
namespace {

using namespace std::chrono_literals;
using Verdict = AuthLimiter::Verdict;

class AuthLimiterTest : public ::testing::Test {
 protected:
  // One admitted check from `source` that fails; the backoff it started.
  std::chrono::milliseconds failOnce(const std::string& source) {
    const AuthLimiter::Admission a = limiter_.admit(source, now_);
    EXPECT_EQ(a.verdict, Verdict::kAdmitted) << source;
    return limiter_.finish(source, false, now_);
  }

  AuthLimiter limiter_;  // the defaults crmd runs with
  AuthLimiter::TimePoint now_{std::chrono::hours(1000)};
};

TEST_F(AuthLimiterTest, FirstFailuresAreFreeThenTheWaitDoublesUpToTheCap) {
  const AuthLimits limits;
  for (int i = 1; i < limits.free_failures; ++i) EXPECT_EQ(failOnce("10.0.0.9"), 0ms) << i;
  std::chrono::milliseconds expected = limits.first_backoff;
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(failOnce("10.0.0.9"), expected) << "failure " << limits.free_failures + i;
    now_ += expected;  // the wait is over: the next attempt is admitted
    expected = std::min(expected * 2, limits.max_backoff);
  }
  EXPECT_EQ(expected, limits.max_backoff);
}

TEST_F(AuthLimiterTest, TwentyWrongPasswordsThenTheRightOneWaitsForTheBackoff) {
  int refused = 0;
  for (int i = 0; i < 20; ++i) {
    const AuthLimiter::Admission a = limiter_.admit("192.0.2.1", now_);
    if (a.verdict == Verdict::kAdmitted) {
      limiter_.finish("192.0.2.1", false, now_);
    } else {
      EXPECT_EQ(a.verdict, Verdict::kBackoff);
      ++refused;
    }
    now_ += 40ms;  // one PBKDF2 and a round trip
  }
  // Refused calls neither hash nor lengthen the wait: five failures, then 1 s of refusals.
  EXPECT_EQ(refused, 15);
  const AuthLimiter::Admission right = limiter_.admit("192.0.2.1", now_);
  EXPECT_EQ(right.verdict, Verdict::kBackoff);
  EXPECT_EQ(right.retry_after, 1000ms - 16 * 40ms);
  EXPECT_EQ(waitText(right.retry_after), "1 s");

  now_ += right.retry_after;
  ASSERT_EQ(limiter_.admit("192.0.2.1", now_).verdict, Verdict::kAdmitted);
  EXPECT_EQ(limiter_.finish("192.0.2.1", true, now_), 0ms);
  // A success clears the record: the next failure is a free one again.
  EXPECT_EQ(limiter_.sourceCount(), 0u);
  EXPECT_EQ(failOnce("192.0.2.1"), 0ms);
}

TEST_F(AuthLimiterTest, ABlockedSourceDoesNotBlockOthers) {
  for (int i = 0; i < 5; ++i) failOnce("192.0.2.1");
  EXPECT_EQ(limiter_.admit("192.0.2.1", now_).verdict, Verdict::kBackoff);
  EXPECT_EQ(limiter_.admit("192.0.2.2", now_).verdict, Verdict::kAdmitted);
  limiter_.finish("192.0.2.2", true, now_);
}

TEST_F(AuthLimiterTest, FailuresAreForgottenAfterAQuietPeriod) {
  for (int i = 0; i < 4; ++i) failOnce("192.0.2.1");
  now_ += AuthLimits{}.forget_after;
  // Four failures a quarter of an hour ago do not count: four more are free.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(failOnce("192.0.2.1"), 0ms) << i;
  EXPECT_EQ(failOnce("192.0.2.1"), 1000ms);
}

TEST_F(AuthLimiterTest, AtMostTwoChecksAtOnceAndOnePerSource) {
  ASSERT_EQ(limiter_.admit("192.0.2.1", now_).verdict, Verdict::kAdmitted);
  EXPECT_EQ(limiter_.admit("192.0.2.1", now_).verdict, Verdict::kBusy);
  ASSERT_EQ(limiter_.admit("192.0.2.2", now_).verdict, Verdict::kAdmitted);
  EXPECT_EQ(limiter_.admit("192.0.2.3", now_).verdict, Verdict::kBusy);
  EXPECT_EQ(limiter_.inProgress(), 2);
  limiter_.finish("192.0.2.1", true, now_);
  EXPECT_EQ(limiter_.admit("192.0.2.3", now_).verdict, Verdict::kAdmitted);
  limiter_.finish("192.0.2.2", false, now_);
  limiter_.finish("192.0.2.3", false, now_);
  EXPECT_EQ(limiter_.inProgress(), 0);
  // Busy refusals are not failures.
  EXPECT_EQ(failOnce("192.0.2.3"), 0ms);
}

TEST(AuthLimiter, TheTableStaysBoundedAndForgetsTheOldestFirst) {
  AuthLimits limits;
  limits.max_sources = 8;
  AuthLimiter limiter(limits);
  AuthLimiter::TimePoint now{};
  for (int i = 0; i < 5; ++i) {  // the guesser, blocked
    ASSERT_EQ(limiter.admit("198.51.100.1", now).verdict, Verdict::kAdmitted);
    limiter.finish("198.51.100.1", false, now);
  }
  for (int i = 0; i < 100; ++i) {
    now += 1ms;
    const std::string source = "203.0.113." + std::to_string(i);
    ASSERT_EQ(limiter.admit(source, now).verdict, Verdict::kAdmitted) << source;
    limiter.finish(source, false, now);
    EXPECT_LE(limiter.sourceCount(), 8u);
  }
  // Only by cycling through many addresses did the guesser's record go; the newest remain.
  EXPECT_EQ(limiter.admit("198.51.100.1", now).verdict, Verdict::kAdmitted);
  limiter.finish("198.51.100.1", true, now);
}

TEST(AuthSource, CountsAddressesWithoutPortsAndIpv6ByItsSlash64) {
  EXPECT_EQ(authSource("ipv4:10.0.0.5:41234"), "10.0.0.5");
  EXPECT_EQ(authSource("ipv6:[::ffff:10.0.0.5]:41234"), "10.0.0.5");
  EXPECT_EQ(authSource("ipv6:[2001:db8:1:2:aaaa:bbbb:cccc:dddd]:5"), "2001:db8:1:2::/64");
  EXPECT_EQ(authSource("ipv6:[2001:db8:1:2::7]:5"), authSource("ipv6:[2001:db8:1:2::8]:6"));
  EXPECT_EQ(authSource("ipv6:%5B2001:db8:1:2::7%5D:5"), "2001:db8:1:2::/64");
  EXPECT_EQ(authSource("ipv6:[fe80::1%25eth0]:5"), "fe80::/64");
  EXPECT_EQ(authSource("unix:/run/x"), "unix:/run/x");
}

TEST(WaitText, RoundsUpToTheSecond) {
  EXPECT_EQ(waitText(1ms), "1 s");
  EXPECT_EQ(waitText(1000ms), "1 s");
  EXPECT_EQ(waitText(1001ms), "2 s");
  EXPECT_EQ(waitText(120s), "2 min");
  EXPECT_EQ(waitText(125s), "2 min 5 s");
}

}  // namespace
}  // namespace pulse::crmd
