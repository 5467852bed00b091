// crmd's log (log.h): text from the network cannot forge a line, drive a terminal or grow the
// log without bound.
#include "common/log.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

namespace pulse::crmd {
namespace {

using namespace std::string_literals;

TEST(EscapeForLog, ControlCharactersAreEscaped) {
  EXPECT_EQ(escapeForLog("n1\n2026-01-01T00:00:00.000Z crmd: node n2 fenced"),
            "n1\\n2026-01-01T00:00:00.000Z crmd: node n2 fenced");
  EXPECT_EQ(escapeForLog("a\rb\tc\\d"), "a\\rb\\tc\\d");
  // Escaping twice changes nothing: a field escaped for a line is not escaped again.
  const std::string once = escapeForLog("n1\n\x01\xff");
  EXPECT_EQ(escapeForLog(once), once);
  EXPECT_EQ(escapeForLog("\x1b[2J\x7f"s), "\\x1b[2J\\x7f");
  EXPECT_EQ(escapeForLog("nul\0end"s), "nul\\x00end");
}

TEST(EscapeForLog, ValidUtf8StaysAndEverythingElseIsEscaped) {
  EXPECT_EQ(escapeForLog("nœud-é 节点"), "nœud-é 节点");
  EXPECT_EQ(escapeForLog("\xff\xfe"), "\\xff\\xfe");           // not UTF-8
  EXPECT_EQ(escapeForLog("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(escapeForLog("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
  EXPECT_EQ(escapeForLog("\xc2\x9b"
                         "31m"),
            "\\xc2\\x9b31m");                                      // C1 CSI
  EXPECT_EQ(escapeForLog("a\xe2\x80\xa8z"), "a\\xe2\\x80\\xa8z");  // U+2028
  EXPECT_EQ(escapeForLog("cut \xe2\x82"), "cut \\xe2\\x82");       // truncated sequence
}

TEST(EscapeForLog, LongTextIsCutAndSaysHowLongItWas) {
  EXPECT_EQ(escapeForLog(std::string(10, 'a'), 10), std::string(10, 'a'));
  EXPECT_EQ(escapeForLog(std::string(11, 'a'), 10), std::string(10, 'a') + "…(11 bytes)");
  // One 4 MiB call's worth of newlines: one bounded line.
  std::string expected;
  for (std::size_t i = 0; i < kMaxLogLineBytes; ++i) expected += "\\n";
  EXPECT_EQ(escapeForLog(std::string(4 << 20, '\n')), expected + "…(4194304 bytes)");
  // A multi-byte character is never cut in half.
  EXPECT_EQ(escapeForLog("ab€", 4), "ab…(5 bytes)");
}

TEST(LogField, IsQuotedCappedAndCannotCloseItsQuote) {
  EXPECT_EQ(logField("n1"), "'n1'");
  EXPECT_EQ(logField("n1' from 10.0.0.1 accepted"), "'n1\\x27 from 10.0.0.1 accepted'");
  const std::string field = logField(std::string(1 << 20, 'x'));
  EXPECT_EQ(field, "'" + std::string(kMaxLogFieldBytes, 'x') + "…(1048576 bytes)'");
}

TEST(LogThrottle, AFloodCostsAFewLinesPerWindowAndSaysHowManyWereLeftOut) {
  LogThrottle throttle(3, std::chrono::seconds(1));
  LogThrottle::TimePoint now{std::chrono::hours(1)};
  int logged = 0;
  for (int i = 0; i < 10000; ++i) {  // 10,000 refused calls within 100 ms
    if (throttle.admit(now + std::chrono::microseconds(10 * i))) ++logged;
  }
  EXPECT_EQ(logged, 3);
  now += std::chrono::seconds(1);
  EXPECT_EQ(throttle.admit(now), std::optional<std::string>(" (9997 similar lines left out)"));
  EXPECT_EQ(throttle.admit(now), std::optional<std::string>(""));
}

}  // namespace
}  // namespace pulse::crmd
