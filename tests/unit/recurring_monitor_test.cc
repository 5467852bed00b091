// Recurring monitors of a resource that stays where it runs: scheduled unless
// the node's operation history already has that monitor in force (Pacemaker's
// active_recurring_should_be_optional). Without this, a resource a probe found
// running (after a controller restart, say) would never be monitored.
#include <algorithm>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

const std::vector<std::string> kNodes = {"n1", "n2"};

// vip with a 5 s monitor, kept on n1 by a preference.
std::string monitoredVip() {
  return "<primitive id=\"vip\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
         "<operations><op id=\"vip-monitor-5s\" name=\"monitor\" interval=\"5s\"/></operations>"
         "</primitive>";
}
const char* kPreferN1 = "<rsc_location id=\"l\" rsc=\"vip\" node=\"n1\" score=\"100\"/>";

// A probe of vip (7, not running, expected): rc 0 means it found vip running.
std::string probe(int rc) {
  return "<lrm_rsc_op id=\"vip_last_0\" operation_key=\"vip_monitor_0\" operation=\"monitor\""
         " transition-key=\"1:1:7:00000000-0000-0000-0000-000000000000\" call-id=\"1\""
         " rc-code=\"" +
         std::to_string(rc) +
         "\" op-status=\"0\" interval=\"0\" last-rc-change=\"1000\" op-digest=\"" +
         recordedDigest(0) + "\"/>";
}
std::string probeFoundRunning() { return probe(0); }

std::string vipHistory(const std::string& ops) {
  return "<lrm_resource id=\"vip\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">" + ops +
         "</lrm_resource>";
}

// `ops` on n1; n2's probe found vip stopped (so Pacemaker has nothing to probe).
std::string n1History(const std::string& ops) {
  return nodeState("1", "n1", vipHistory(ops)) + nodeState("2", "n2", vipHistory(probe(7)));
}

// The monitor_5000 entry the cluster records once the monitor has been started.
std::string monitorRunning(int call_id) {
  return "<lrm_rsc_op id=\"vip_monitor_5000\" operation_key=\"vip_monitor_5000\""
         " operation=\"monitor\" transition-key=\"2:1:0:00000000-0000-0000-0000-000000000000\""
         " call-id=\"" +
         std::to_string(call_id) +
         "\" rc-code=\"0\" op-status=\"0\" interval=\"5000\" last-rc-change=\"1000\""
         " op-digest=\"" +
         recordedDigest(5000) + "\"/>";
}

std::vector<std::string> monitorsOn(const Transition& t, const std::string& node) {
  std::vector<std::string> out;
  for (const Action& a : t.actions) {
    if (a.task == "monitor" && a.node == node && !a.pseudo) out.push_back(a.key);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(RecurringMonitor, ProbeFoundRunningWithoutMonitorSchedulesTheMonitor) {
  auto t = scheduleOk(cib(kNodes, monitoredVip(), kPreferN1, n1History(probeFoundRunning())));
  EXPECT_TRUE(t.summary.empty());  // vip stays; nothing is started or stopped
  EXPECT_EQ(placedOn(t, "vip"), "n1");
  EXPECT_EQ(monitorsOn(t, "n1"), (std::vector<std::string>{"vip_monitor_5000"}));
  EXPECT_TRUE(monitorsOn(t, "n2").empty());
}

TEST(RecurringMonitor, MonitorAlreadyRunningIsNotScheduledAgain) {
  auto t = scheduleOk(
      cib(kNodes, monitoredVip(), kPreferN1, n1History(probeFoundRunning() + monitorRunning(2))));
  EXPECT_TRUE(t.summary.empty());
  EXPECT_TRUE(t.actions.empty());
}

TEST(RecurringMonitor, MonitorBeforeALaterStopIsNoLongerRunning) {
  // Started, monitored, stopped, started again: the old monitor ended with the stop.
  std::string n1 =
      history("vip", {{"start", 0, 2}, {"monitor", 0, 3, 5000}, {"stop", 0, 4}, {"start", 0, 5}});
  std::string status = nodeState("1", "n1", n1) + nodeState("2", "n2", vipHistory(probe(7)));
  auto t = scheduleOk(cib(kNodes, monitoredVip(), kPreferN1, status));
  EXPECT_EQ(monitorsOn(t, "n1"), (std::vector<std::string>{"vip_monitor_5000"}));
}

TEST(RecurringMonitor, MovedResourceIsMonitoredOnItsNewNode) {
  std::string prefer_n2 = "<rsc_location id=\"l\" rsc=\"vip\" node=\"n2\" score=\"100\"/>";
  auto t = scheduleOk(
      cib(kNodes, monitoredVip(), prefer_n2, n1History(probeFoundRunning() + monitorRunning(2))));
  EXPECT_EQ(summaryOf(t), (std::vector<std::string>{"Move vip (n1 -> n2)"}));
  EXPECT_EQ(monitorsOn(t, "n2"), (std::vector<std::string>{"vip_monitor_5000"}));
  EXPECT_TRUE(monitorsOn(t, "n1").empty());
}

}  // namespace
}  // namespace pulse::pe
