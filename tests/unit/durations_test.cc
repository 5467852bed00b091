// ISO 8601 durations ("P10S", "PT1M30S") wherever Pacemaker reads an interval: operation
// intervals and failure-timeout. The values are Pacemaker 2.1.5's (crm_parse_interval_spec),
// checked against Debian's crm_simulate 2.1.5 on the suite's "intervals" CIB with the 90 s
// monitor's interval replaced: the monitor it schedules carries the interval in its key.
// Also when failure-timeout does not apply: a failure of an on-fail=block operation.
#include <algorithm>
#include <string>
#include <vector>

#include "cib_text.h"
#include "engine_test_util.h"
#include "policy-engine/xml_dates.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2"};

// The recurring monitors scheduled for vip, configured with a monitor of `interval` and kept
// on n1 by a preference, on a fresh cluster.
V monitorKeysFor(const std::string& interval) {
  std::string rsc =
      "<primitive id=\"vip\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><operations>"
      "<op id=\"vip-monitor\" name=\"monitor\" interval=\"" +
      interval + "\"/></operations></primitive>";
  auto t =
      scheduleOk(cib(kNodes, rsc, "<rsc_location id=\"l\" rsc=\"vip\" node=\"n1\" score=\"5\"/>",
                     emptyStatus(kNodes)));
  EXPECT_EQ(summaryOf(t), (V{"Start vip (n1)"}));
  V keys;
  for (const Action& a : t.actions) {
    if (a.task == "monitor" && a.node == "n1" && a.key != "vip_monitor_0") keys.push_back(a.key);
  }
  return keys;
}

TEST(Durations, IsoIntervalWithoutTheTimeDesignatorIsSeconds) {
  // "P10S" has no 'T'; Pacemaker reads the S as seconds all the same.
  EXPECT_EQ(monitorKeysFor("P10S"), (V{"vip_monitor_10000"}));
}

TEST(Durations, IsoIntervalAddsItsParts) {
  EXPECT_EQ(monitorKeysFor("PT1M30S"), (V{"vip_monitor_90000"}));
  EXPECT_EQ(monitorKeysFor("PT1H2M"), (V{"vip_monitor_3720000"}));
  // An 'M' before the 'T' is a month, taken as 30 days.
  EXPECT_EQ(monitorKeysFor("P1M"), (V{"vip_monitor_2592000000"}));
}

TEST(Durations, IsoDaysCountFromOneAsInPacemaker) {
  // Pacemaker 2.1.5 counts days from the first: P3DT4S is two days and four seconds, and a
  // week is six days.
  EXPECT_EQ(monitorKeysFor("P3DT4S"), (V{"vip_monitor_172804000"}));
  EXPECT_EQ(monitorKeysFor("P1W"), (V{"vip_monitor_518400000"}));
}

TEST(Durations, IntervalIsCappedAtPacemakersLimit) {
  // Two years exceed the 32-bit millisecond count Pacemaker keeps an interval in.
  EXPECT_EQ(monitorKeysFor("P2Y"), (V{"vip_monitor_4294967295"}));
}

TEST(Durations, MalformedIsoIntervalIsRefusedWithItsText) {
  std::string rsc =
      "<primitive id=\"vip\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><operations>"
      "<op id=\"vip-monitor\" name=\"monitor\" interval=\"P10X\"/></operations></primitive>";
  auto result = schedule(cib(kNodes, rsc, "", emptyStatus(kNodes)));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("interval 'P10X' is not a duration"), std::string::npos)
      << result.error().message;
}

TEST(Durations, IsoFailureTimeoutExpiresTheFailCount) {
  // vip failed once on n1 at t=1000 with migration-threshold 1, so it leaves n1 until the
  // failure expires after failure-timeout "PT1M" (60 s).
  std::string status = nodeState("1", "n1", history("vip", {{"start", 0, 2}}));
  status.insert(status.find('>') + 1,
                "<transient_attributes id=\"t\"><instance_attributes id=\"ti\">" +
                    nvpair("fc", "fail-count-vip#monitor_10000", "1") +
                    nvpair("lf", "last-failure-vip#monitor_10000", "1000") +
                    "</instance_attributes></transient_attributes>");
  std::string xml = cib(kNodes,
                        primitive("vip", nvpair("m", "migration-threshold", "1") +
                                             nvpair("ft", "failure-timeout", "PT1M")),
                        "", status + nodeState("2", "n2"));
  ScheduleOptions soon, later;
  soon.now = 1030;
  later.now = 1061;
  auto before = schedule(xml, soon);
  auto after = schedule(xml, later);
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_EQ(summaryOf(*before), (V{"Move vip (n1 -> n2)"}));
  EXPECT_TRUE(after->summary.empty());
}

TEST(Durations, PlainAndIsoSpellingsAgree) {
  EXPECT_EQ(parseDurationMs("P10S"), parseDurationMs("10s"));
  EXPECT_EQ(parseDurationMs("PT2H"), parseDurationMs("2h"));
  EXPECT_EQ(parseDurationMs("P1D"), 0);  // Pacemaker 2.1.5's reading, see above
  EXPECT_FALSE(parseDurationMs("P").has_value());
  EXPECT_FALSE(parseDurationMs("PT10").has_value());
}

}  // namespace
}  // namespace pulse::pe

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

// vip's 5 s monitor failed on n1 long ago (fail-count 1); failure-timeout is 10 s. `on_fail`
// is the monitor's on-fail attribute, if any.
ResourceView vipAfterOldMonitorFailure(const std::string& on_fail) {
  std::string rsc =
      "<primitive id=\"vip\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
      "<meta_attributes id=\"vip-meta\">" +
      nvpair("ft", "failure-timeout", "10") +
      "</meta_attributes><operations><op id=\"vip-monitor-5s\" name=\"monitor\""
      " interval=\"5s\"" +
      (on_fail.empty() ? "" : " on-fail=\"" + on_fail + "\"") + "/></operations></primitive>";
  std::string status =
      nodeState("1", "n1", history("vip", {{"start", 0, 2}, {"monitor", 1, 3, 5000}}));
  status.insert(status.find('>') + 1,
                "<transient_attributes id=\"t\"><instance_attributes id=\"ti\">" +
                    nvpair("fc", "fail-count-vip#monitor_5000", "1") +
                    nvpair("lf", "last-failure-vip#monitor_5000", "1000") +
                    "</instance_attributes></transient_attributes>");
  ScheduleOptions later;
  later.now = 100000;
  auto t = schedule(cib(kNodes, rsc, "", status + nodeState("2", "n2")), later);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
  if (!t.ok()) return {};
  for (const ResourceView& r : t->current.resources) {
    if (r.id == "vip") return r;
  }
  return {};
}

// crm_resource --lifetime adds a duration to the clock as a calendar does, unlike an interval:
// checked against Debian's crm_resource 2.1.5 (the end it writes for pcs resource ban).
TEST(Durations, LifetimeEndsByTheCalendar) {
  const std::int64_t at = *parseIsoDateTime("2026-12-07 11:09:00Z");
  auto end = [&](std::string_view d, std::int64_t from) {
    auto e = addIsoDuration(from, d);
    return e ? formatIsoDateTime(*e) : std::string("invalid");
  };
  EXPECT_EQ(end("P1D", at), "2026-12-08 11:09:00Z");
  EXPECT_EQ(end("P2W", at), "2026-12-21 11:09:00Z");
  EXPECT_EQ(end("P1M30D", at), "2027-02-06 11:09:00Z");
  EXPECT_EQ(end("P1Y2M", at), "2028-02-07 11:09:00Z");
  EXPECT_EQ(end("PT1H30M", at), "2026-12-07 12:39:00Z");
  EXPECT_EQ(end("P1H", at), "2026-12-07 12:09:00Z");
  EXPECT_EQ(end("PT90S", at), "2026-12-07 11:10:30Z");
  EXPECT_EQ(end("P0D", at), "2026-12-07 11:09:00Z");
  EXPECT_EQ(end("P1DT", at), "2026-12-08 11:09:00Z");
  // A month later than the 31st of January is the last day of February.
  EXPECT_EQ(end("P1M", *parseIsoDateTime("2028-01-31 00:00:00Z")), "2028-02-29 00:00:00Z");
  for (std::string_view bad : {"P", "1D", "P1.5D", "p1d", "P1X", "PD", "P1"}) {
    EXPECT_EQ(end(bad, at), "invalid") << bad;
  }
}

TEST(Durations, AFailureThatBlocksIsNotForgottenAfterFailureTimeout) {
  // Pacemaker disregards failure-timeout for a failure of an on-fail=block operation.
  ResourceView blocked = vipAfterOldMonitorFailure("block");
  EXPECT_TRUE(blocked.failed);
  EXPECT_TRUE(blocked.blocked);
  ResourceView plain = vipAfterOldMonitorFailure("");
  EXPECT_FALSE(plain.failed);
}

}  // namespace
}  // namespace pulse::pe
