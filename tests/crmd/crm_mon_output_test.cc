// crm_mon's text, XML and failure lines (pcs-cli/crm_mon_output.h) on CIB files: the fixture
// (tests/fixtures/crm_mon_cib.xml, whose expected text is Debian's crm_mon 2.1.5 output on it)
// and, when the shared folder is there, a conformance CIB with anonymous clone fail counts.
#include "pcs-cli/crm_mon_output.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pcs-cli/status_failures.h"
#include "pcs-cli/status_source.h"

namespace pulse::pcs {
namespace {

// Times in the expected texts are UTC, as Debian's crm_mon printed them with TZ=UTC.
class CrmMon : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
};

std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// What crm_mon_main does with a CIB file, minus the "Last updated" line (the clock).
std::string show(const std::string& path, const CrmMonOptions& options) {
  const StatusInput input{readText(path), std::nullopt, path};
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(input.cib_xml.c_str())) << path;
  auto built = buildStatus(doc, input);
  EXPECT_TRUE(built.ok()) << (built.ok() ? "" : built.error().message);
  if (!built.ok()) return "";
  ClusterStatus s = *built;
  const pugi::xml_node cib = doc.child("cib");
  addCibSummary(cib, s);
  useCrmMonFailures(cib, s);
  const CrmMonFacts facts = crmMonFacts(cib, s);
  std::string text = options.format == CrmMonFormat::kXml ? crmMonXml(cib, s, facts, options)
                                                          : crmMonText(s, facts, options);
  const std::size_t at = text.find("  * Last updated: ");
  if (at != std::string::npos) text.erase(at, text.find('\n', at) - at + 1);
  return text;
}

const std::string kFixture = std::string(PULSE_FIXTURES_DIR) + "/crm_mon_cib.xml";

TEST_F(CrmMon, EverySectionAsPacemakersCrmMonPrintsIt) {
  CrmMonOptions all;
  all.inactive = all.failcounts = all.attributes = all.operations = all.timing = true;
  // Debian's `crm_mon -1 -r -f -A -o -t` on the fixture, but for the stack's name.
  EXPECT_EQ(show(kFixture, all),
            "Cluster Summary:\n"
            "  * Stack: pulse\n"
            "  * Current DC: n1 (version 2.1.5-a3f44794f94) - partition with quorum\n"
            "  * Last change:  Mon Dec  7 10:01:02 2026 by root via cibadmin on n1\n"
            "  * 2 nodes configured\n"
            "  * 2 resource instances configured\n"
            "\n"
            "Node List:\n"
            "  * Online: [ n1 n2 ]\n"
            "\n"
            "Full List of Resources:\n"
            "  * vip\t(ocf:heartbeat:Dummy):\t Started n1\n"
            "  * proxy\t(ocf:heartbeat:Dummy):\t Started n1\n"
            "\n"
            "Node Attributes:\n"
            "  * Node: n1:\n"
            "    * site                            \t: east      \n"
            "\n"
            "Operations:\n"
            "  * Node: n1:\n"
            "    * vip: migration-threshold=1000000:\n"
            "      * (14) start: last-rc-change=\"Mon Dec  7 10:02:20 2026\" exec-time=\"31ms\" "
            "queue-time=\"0ms\" rc=0 (ok)\n"
            "      * (15) monitor: interval=\"10000ms\" last-rc-change=\"Mon Dec  7 10:02:20 "
            "2026\" exec-time=\"12ms\" queue-time=\"0ms\" rc=0 (ok)\n"
            "    * proxy: migration-threshold=1000000:\n"
            "      * (16) start: last-rc-change=\"Mon Dec  7 10:02:21 2026\" exec-time=\"20ms\" "
            "queue-time=\"0ms\" rc=0 (ok)\n"
            "  * Node: n2:\n"
            "    * vip: migration-threshold=1000000 fail-count=2 last-failure='Mon Dec  7 "
            "10:02:11 2026':\n"
            "      * (11) start: last-rc-change=\"Mon Dec  7 10:02:11 2026\" exec-time=\"9ms\" "
            "queue-time=\"0ms\" rc=5 (not installed)\n"
            "      * (12) stop: last-rc-change=\"Mon Dec  7 10:02:15 2026\" exec-time=\"15ms\" "
            "queue-time=\"0ms\" rc=0 (ok)\n"
            "\n"
            "Failed Resource Actions:\n"
            "  * vip start on n2 returned 'not installed' (Dummy is not installed here) at Mon "
            "Dec  7 10:02:11 2026 after 9ms\n");
}

// Operations in flight (op-status -1, record-pending): tests/fixtures/crm_mon_pending_cib.xml
// has a start, two stops (one with its monitor still recorded), a first monitor run, a promote
// and a demote pending. The resource lists are Debian's crm_mon 2.1.5 on it (-1 -r, and -1).
TEST_F(CrmMon, PendingOperationsShowAsPacemakersCrmMonShowsThem) {
  const std::string fixture = std::string(PULSE_FIXTURES_DIR) + "/crm_mon_pending_cib.xml";
  CrmMonOptions inactive;
  inactive.inactive = true;
  std::string text = show(fixture, inactive);
  EXPECT_NE(text.find("Full List of Resources:\n"
                      "  * slow\t(ocf:heartbeat:Dummy):\t Starting n2\n"
                      "  * leaving\t(ocf:heartbeat:Dummy):\t Stopping n1\n"
                      "  * leaving2\t(ocf:heartbeat:Dummy):\t Stopping n1\n"
                      "  * watched\t(ocf:heartbeat:Dummy):\t Started n1 (Monitoring)\n"
                      "  * Clone Set: st-clone [st] (promotable):\n"
                      "    * st\t(ocf:pacemaker:Stateful):\t Promoting n1\n"
                      "    * st\t(ocf:pacemaker:Stateful):\t Demoting n2\n"
                      "    * Stopped: [ n3 ]\n"),
            std::string::npos)
      << text;
  text = show(fixture, CrmMonOptions{});
  EXPECT_NE(text.find("Active Resources:\n"
                      "  * slow\t(ocf:heartbeat:Dummy):\t Starting n2\n"
                      "  * leaving2\t(ocf:heartbeat:Dummy):\t Stopping n1\n"
                      "  * watched\t(ocf:heartbeat:Dummy):\t Started n1 (Monitoring)\n"
                      "  * Clone Set: st-clone [st] (promotable):\n"
                      "    * st\t(ocf:pacemaker:Stateful):\t Promoting n1\n"
                      "    * st\t(ocf:pacemaker:Stateful):\t Demoting n2\n"),
            std::string::npos)
      << text;
  CrmMonOptions xml;
  xml.format = CrmMonFormat::kXml;
  text = show(fixture, xml);
  EXPECT_NE(text.find("<resource id=\"slow\" resource_agent=\"ocf:heartbeat:Dummy\" "
                      "role=\"Starting\" active=\"true\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("nodes_running_on=\"1\" pending=\"Monitoring\">"), std::string::npos) << text;
}

TEST_F(CrmMon, FailCountsWithoutOperationsAreTheMigrationSummary) {
  CrmMonOptions options;
  options.failcounts = true;
  options.show_detail = true;  // node ids, and the failure in crm_mon's technical form
  const std::string text = show(kFixture, options);
  EXPECT_NE(text.find("\nActive Resources:\n  * vip\t"), std::string::npos) << text;
  EXPECT_NE(text.find("\nMigration Summary:\n  * Node: n2 (2):\n    * vip: migration-threshold="
                      "1000000 fail-count=2 last-failure='Mon Dec  7 10:02:11 2026'\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  * vip_start_0 on n2 'not installed' (5): call=11, status='complete', "
                      "exitreason='Dummy is not installed here', last-rc-change='Mon Dec  7 "
                      "10:02:11 2026', queued=0ms, exec=9ms\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("Node Attributes"), std::string::npos) << text;  // not asked for
}

// Without -r: only what is active, no "Stopped:" list under a clone; "No active resources".
TEST_F(CrmMon, WithoutInactiveOnlyActiveResourcesAreListed) {
  ClusterStatus s;
  s.view.nodes = {{"n1", true, false, false, false}, {"n2", true, false, false, false}};
  pe::ResourceView db;
  db.id = "db";
  db.agent = "ocf:heartbeat:pgsql";
  pe::ResourceView ping;
  ping.id = "ping-clone";
  ping.is_clone = true;
  ping.cloned = "ping";
  ping.all_nodes = {"n1", "n2"};
  pe::ResourceView instance;
  instance.id = "ping:0";
  instance.cloned = "ping";
  instance.agent = "ocf:pacemaker:ping";
  instance.role = pe::Role::Started;
  instance.nodes = {"n1"};
  ping.members = {instance};
  s.view.resources = {db, ping};
  CrmMonOptions active;
  const std::string text = crmMonText(s, {}, active);
  EXPECT_NE(text.find("\nActive Resources:\n  * Clone Set: ping-clone [ping]:\n"
                      "    * Started: [ n1 ]\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("db\t"), std::string::npos) << text;
  EXPECT_EQ(text.find("Stopped: [ n2 ]"), std::string::npos) << text;
  CrmMonOptions inactive;
  inactive.inactive = true;
  const std::string full = crmMonText(s, {}, inactive);
  EXPECT_NE(full.find("  * db\t(ocf:heartbeat:pgsql):\t Stopped\n"), std::string::npos) << full;
  EXPECT_NE(full.find("    * Stopped: [ n2 ]\n"), std::string::npos) << full;
  s.view.resources = {db};
  EXPECT_NE(crmMonText(s, {}, active).find("\nActive Resources:\n  * No active resources\n"),
            std::string::npos);
}

TEST_F(CrmMon, XmlHasCrmMonsElementsAndAttributes) {
  CrmMonOptions options;
  options.format = CrmMonFormat::kXml;
  options.request = "crm_mon -1 --output-as=xml";
  const std::string xml = show(kFixture, options);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str())) << xml;
  for (const char* part :
       {"<pacemaker-result api-version=\"2.25\" request=\"crm_mon -1 --output-as=xml\">\n",
        "    <current_dc present=\"true\" version=\"2.1.5-a3f44794f94\" name=\"n1\" id=\"1\" "
        "with_quorum=\"true\" mixed_version=\"false\"/>\n",
        "    <node name=\"n2\" id=\"2\" online=\"true\" standby=\"false\" standby_onfail=\"false\" "
        "maintenance=\"false\" pending=\"false\" unclean=\"false\" health=\"green\" "
        "shutdown=\"false\" expected_up=\"true\" is_dc=\"false\" resources_running=\"0\" "
        "type=\"member\"/>\n",
        "    <resource id=\"vip\" resource_agent=\"ocf:heartbeat:Dummy\" role=\"Started\" "
        "active=\"true\" orphaned=\"false\" blocked=\"false\" managed=\"true\" failed=\"false\" "
        "failure_ignored=\"false\" nodes_running_on=\"1\">\n"
        "      <node name=\"n1\" id=\"1\" cached=\"true\"/>\n",
        "      <attribute name=\"site\" value=\"east\"/>\n",
        "      <resource_history id=\"vip\" orphan=\"false\" migration-threshold=\"1000000\" "
        "fail-count=\"2\" last-failure=\"Mon Dec  7 10:02:11 2026\">\n",
        "    <failure op_key=\"vip_start_0\" node=\"n2\" exitstatus=\"not installed\" "
        "exitreason=\"Dummy is not installed here\" exitcode=\"5\" call=\"11\" "
        "status=\"complete\" last-rc-change=\"2026-12-07 10:02:11Z\" queued=\"0\" exec=\"9\" "
        "interval=\"0\" task=\"start\"/>\n",
        "  <status code=\"0\" message=\"OK\"/>\n</pacemaker-result>\n"}) {
    EXPECT_NE(xml.find(part), std::string::npos) << "missing: " << part << "\nin:\n" << xml;
  }
}

TEST_F(CrmMon, FailureLinesReadableFriendlyAndTechnical) {
  FailedAction f;
  f.key = "vip_monitor_10000";
  f.resource = "vip";
  f.task = "monitor";
  f.interval_ms = 10000;
  f.node = "n2";
  f.rc = 7;
  f.rc_text = "not running";
  f.call_id = "21";
  f.last_rc_change = 1796637731;  // Mon Dec  7 10:02:11 2026 UTC
  f.has_timing = true;
  f.exec_ms = 1500;
  f.fail_count = "2";
  EXPECT_EQ(failureReadable(f, 1796637731 + 3600),
            "vip: 10s-interval monitor on n2 failed: not running (exit 7) at 10:02:11, 2 attempts");
  EXPECT_EQ(failureReadable(f, 1796637731 + 86400),  // not today: the date is said
            "vip: 10s-interval monitor on n2 failed: not running (exit 7) at 2026-12-07 10:02:11, "
            "2 attempts");
  EXPECT_EQ(failureFriendly(f),
            "vip 10s-interval monitor on n2 returned 'not running' at Mon Dec  7 10:02:11 2026 "
            "after 1.500s");
  f.task = "start";
  f.interval_ms = 0;
  f.op_status = 2;  // timed out: no exit code to judge
  f.fail_count = "INFINITY";
  f.exit_reason = "no answer";
  EXPECT_EQ(failureReadable(f, 1796637731),
            "vip: start on n2 failed: timed out at 10:02:11, INFINITY attempts: no answer");
  EXPECT_EQ(failureFriendly(f),
            "vip start on n2 could not be executed (Timed Out: no answer) at Mon Dec  7 10:02:11 "
            "2026 after 1.500s");
  EXPECT_EQ(failureTechnical(f),
            "vip_monitor_10000 on n2 'not running' (7): call=21, status='Timed Out', "
            "exitreason='no answer', last-rc-change='Mon Dec  7 10:02:11 2026', queued=0ms, "
            "exec=1500ms");
  f.task = "monitor";  // a one-off monitor is a probe; one failure is "1 attempt"
  f.op_status = 0;
  f.fail_count = "1";
  f.exit_reason.clear();
  f.last_rc_change = 0;
  EXPECT_EQ(failureReadable(f, 0), "vip: probe on n2 failed: not running (exit 7), 1 attempt");
  EXPECT_EQ(readableInterval(60000), "60s");
  EXPECT_EQ(readableInterval(1000), "1000ms");
  EXPECT_EQ(readableInterval(90000), "1m30s");
}

// An anonymous clone's instances on one node: the Migration Summary names each instance with
// the fail counts of all of them, the Operations name the clone's resource (Debian's crm_mon).
TEST_F(CrmMon, AnonymousCloneFailCountsAsPacemakerSumsThem) {
  const char* shared = std::getenv("PULSE_SHARED");
  const std::string path = std::string(shared == nullptr ? PULSE_DEFAULT_SHARED_DIR : shared) +
                           "/conformance/pacemaker-2.1.5/xml/clone-anon-failcount.xml";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no conformance CIBs at " << path;
  CrmMonOptions options;
  options.failcounts = true;
  const std::string text = show(path, options);
  EXPECT_NE(text.find("  * Node: srv01:\n"
                      "    * clnUMdummy01:0: migration-threshold=5 fail-count=6 "
                      "last-failure='Mon Mar 29 04:32:40 2010'\n"
                      "    * clnUMdummy01:1: migration-threshold=5 fail-count=6 "
                      "last-failure='Mon Mar 29 04:32:40 2010'\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  * clnUMdummy01:1 10s-interval monitor on srv04 returned 'not running' "
                      "at Mon Mar 29 04:43:35 2010 after 140ms\n"),
            std::string::npos)
      << text;
  options.operations = true;
  EXPECT_NE(show(path, options).find("    * clnUMdummy01: migration-threshold=5 fail-count=6 "),
            std::string::npos);
}

}  // namespace
}  // namespace pulse::pcs
