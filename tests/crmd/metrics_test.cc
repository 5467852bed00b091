// /metrics: the renderer's names, labels and values against what ha_cluster_exporter shows for
// the same cluster, the text format's rules (HELP/TYPE before samples, one sample per series,
// escaping), and the HTTP endpoint's answers to good and bad requests.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "crmd/http/cib_view_cache.h"
#include "crmd/metrics/metrics_server.h"
#include "crmd/metrics/metrics_text.h"

namespace pulse::crmd::metrics {
namespace {

// n1 runs d1 and the group web (vip); n2 has a fail count of INFINITY for d1 and d1 has
// migration-threshold 3; a ban of d1 from n3; maintenance-mode off, stonith disabled.
const char* kCib = R"(<cib epoch="4" num_updates="2" admin_epoch="0"
    cib-last-written="Mon Dec  7 03:30:16 2026"><configuration>
  <crm_config><cluster_property_set id="o">
    <nvpair id="o-s" name="stonith-enabled" value="false"/>
  </cluster_property_set></crm_config>
  <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n&quot;3"/></nodes>
  <resources>
    <primitive id="d1" class="ocf" provider="pacemaker" type="Dummy">
      <meta_attributes id="d1-m"><nvpair id="d1-m-t" name="migration-threshold" value="3"/>
      </meta_attributes></primitive>
    <group id="web"><primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2"/></group>
  </resources>
  <constraints>
    <rsc_location id="ban-d1" rsc="d1" node="n&quot;3" score="-INFINITY"/>
    <rsc_location id="prefer-vip" rsc="vip" node="n1" score="50" role="Started"/>
  </constraints></configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm><lrm_resources>
      <lrm_resource id="d1" class="ocf" provider="pacemaker" type="Dummy">
        <lrm_rsc_op id="d1_last_0" operation_key="d1_start_0" operation="start" interval="0"
                    rc-code="0" op-status="0" call-id="3"
                    transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/></lrm_resource>
      <lrm_resource id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
        <lrm_rsc_op id="vip_last_0" operation_key="vip_start_0" operation="start" interval="0"
                    rc-code="0" op-status="0" call-id="4"
                    transition-key="2:1:0:x" transition-magic="0:0;2:1:0:x"/></lrm_resource>
    </lrm_resources></lrm></node_state>
    <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="2"><instance_attributes id="s2">
      <nvpair id="f" name="fail-count-d1#monitor_10000" value="INFINITY"/>
    </instance_attributes></transient_attributes></node_state>
  </status></cib>)";

MetricsFacts runningFacts() {
  MetricsFacts f;
  ClusterSnapshot& c = f.cluster;
  c.configured = c.running = true;
  c.local_id = 2;
  c.view = membership::View{{7, 1}, {1, 2}};
  c.quorum.quorate = true;
  c.quorum.expected_votes = 3;
  c.quorum.total_votes = 2;
  c.quorum.quorum = 2;
  c.members = {MemberRuntime{{1, "n1", "10.0.0.1", 1}, true, true, 1, "10.0.0.1"},
               MemberRuntime{{2, "n2", "10.0.0.2", 1}, true, true, 1, "10.0.0.2"},
               MemberRuntime{{3, "n\"3", "10.0.0.3", 1}, false, false, 0, ""}};
  c.stats.packets.accepted = 42;
  c.transitions = 9;
  c.fencing_failed = 1;
  c.stats.packets.count(membership::DropReason::kBadTag);
  f.cib_xml = kCib;
  f.view = http::CibViewCache().view(kCib);
  f.dc = 1;
  f.cib_parses = 5;
  return f;
}

// Sample lines: series ("name{labels}") -> value; fails on a second sample of one series and
// on a sample whose family had no HELP and TYPE before it.
std::map<std::string, std::string> samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::set<std::string> helped, typed, histograms;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# HELP ")) {
      EXPECT_TRUE(helped.insert(line.substr(7, line.find(' ', 7) - 7)).second) << line;
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(helped.contains(name)) << "TYPE before HELP: " << line;
      EXPECT_TRUE(typed.insert(name).second) << line;
      const std::string type = line.substr(line.rfind(' ') + 1);
      EXPECT_TRUE(type == "gauge" || type == "counter" || type == "histogram") << line;
      if (type == "histogram") histograms.insert(name);
      continue;
    }
    const std::size_t space = line.rfind(' ');
    const std::string series = line.substr(0, space);
    std::string name = series.substr(0, series.find('{'));
    // A histogram's samples are NAME_bucket, NAME_sum and NAME_count of the family NAME.
    for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
      const std::string base = name.substr(0, name.size() - std::min(name.size(), suffix.size()));
      if (name.ends_with(suffix) && histograms.contains(base)) name = base;
    }
    EXPECT_TRUE(typed.contains(name)) << "sample without TYPE: " << line;
    EXPECT_TRUE(out.emplace(series, line.substr(space + 1)).second) << "two samples: " << line;
  }
  return out;
}

TEST(MetricsText, PacemakerFamiliesUnderTheExportersNamesAndLabels) {
  const std::string text = renderMetrics(runningFacts());
  const auto s = samples(text);
  auto value = [&](const std::string& series) {
    auto it = s.find(series);
    return it == s.end() ? std::string("absent") : it->second;
  };
  EXPECT_EQ(value(R"(ha_cluster_pacemaker_nodes{node="n1",type="member",status="online"})"), "1");
  EXPECT_EQ(value(R"(ha_cluster_pacemaker_nodes{node="n1",type="member",status="dc"})"), "1");
  EXPECT_EQ(value(R"(ha_cluster_pacemaker_nodes{node="n2",type="member",status="dc"})"), "0");
  EXPECT_EQ(value(R"(ha_cluster_pacemaker_nodes{node="n\"3",type="member",status="online"})"), "0");
  EXPECT_EQ(value(R"(ha_cluster_pacemaker_resources{node="n1",resource="d1",role="started",)"
                  R"(managed="true",status="active",agent="ocf:pacemaker:Dummy",group="",)"
                  R"(clone=""})"),
            "1");
  EXPECT_EQ(value(R"(ha_cluster_pacemaker_resources{node="n1",resource="vip",role="started",)"
                  R"(managed="true",status="failed",agent="ocf:heartbeat:IPaddr2",group="web",)"
                  R"(clone=""})"),
            "0");
  EXPECT_EQ(value("ha_cluster_pacemaker_stonith_enabled"), "0");
  EXPECT_EQ(value("ha_cluster_pacemaker_maintenance_mode_enabled"), "0");
  EXPECT_EQ(value(R"(ha_cluster_pacemaker_fail_count{node="n2",resource="d1"})"), "+Inf");
  EXPECT_EQ(value(R"(ha_cluster_pacemaker_fail_count{node="n1",resource="d1"})"), "0");
  EXPECT_EQ(value(R"(ha_cluster_pacemaker_migration_threshold{node="n2",resource="d1"})"), "3");
  EXPECT_EQ(value(R"(ha_cluster_pacemaker_migration_threshold{node="n1",resource="vip"})"),
            "1000000");
  EXPECT_EQ(value(R"(ha_cluster_pacemaker_location_constraints{constraint="ban-d1",)"
                  R"(node="n\"3",resource="d1",role=""})"),
            "-Inf");
  EXPECT_EQ(value(R"(ha_cluster_pacemaker_location_constraints{constraint="prefer-vip",)"
                  R"(node="n1",resource="vip",role="started"})"),
            "50");
  EXPECT_EQ(value("ha_cluster_pacemaker_config_last_change"), "1796614216");
  EXPECT_NE(text.find("# HELP ha_cluster_pacemaker_nodes The status of each node in the "
                      "cluster; 1 means the node is in that status, 0 otherwise\n"
                      "# TYPE ha_cluster_pacemaker_nodes gauge\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE ha_cluster_pacemaker_config_last_change counter\n"),
            std::string::npos);
  // Every resource has one line per status for each node it is on: 2 resources x 5.
  int resource_lines = 0;
  for (const auto& [series, v] : s)
    resource_lines += series.starts_with("ha_cluster_pacemaker_resources{");
  EXPECT_EQ(resource_lines, 10);
}

TEST(MetricsText, CorosyncAndPulseFamilies) {
  const auto s = samples(renderMetrics(runningFacts()));
  auto value = [&](const std::string& series) {
    auto it = s.find(series);
    return it == s.end() ? std::string("absent") : it->second;
  };
  EXPECT_EQ(value("ha_cluster_corosync_quorate"), "1");
  EXPECT_EQ(value(R"(ha_cluster_corosync_quorum_votes{type="expected_votes"})"), "3");
  EXPECT_EQ(value(R"(ha_cluster_corosync_quorum_votes{type="total_votes"})"), "2");
  EXPECT_EQ(value(R"(ha_cluster_corosync_quorum_votes{type="quorum"})"), "2");
  EXPECT_EQ(value(R"(ha_cluster_corosync_member_votes{node_id="2",node="n2",local="true"})"), "1");
  EXPECT_EQ(value(R"(ha_cluster_corosync_member_votes{node_id="1",node="n1",local="false"})"), "1");
  // Not in the view: not a member of corosync-quorumtool's membership.
  EXPECT_EQ(value(R"(ha_cluster_corosync_member_votes{node_id="3",node="n\"3",local="false"})"),
            "absent");
  EXPECT_EQ(value(R"(ha_cluster_corosync_rings{ring_id="1/7",node_id="2",number="0",)"
                  R"(address="10.0.0.2"})"),
            "1");
  EXPECT_EQ(value("ha_cluster_corosync_ring_errors"), "0");
  EXPECT_EQ(value("pulse_membership_packets_accepted_total"), "42");
  EXPECT_EQ(value(R"(pulse_membership_packets_dropped_total{reason="bad_tag"})"), "1");
  EXPECT_EQ(value("pulse_membership_ring_seq"), "7");
  EXPECT_EQ(value("pulse_cib_parses_total"), "5");
  EXPECT_EQ(value("pulse_cluster_running"), "1");
  EXPECT_EQ(value("pulse_transitions_total"), "9");
  EXPECT_EQ(value(R"(pulse_fencing_operations_total{outcome="failed"})"), "1");
  EXPECT_EQ(value(R"(pulse_fencing_operations_total{outcome="ok"})"), "0");
  EXPECT_EQ(value(R"(pulse_cib_version{part="epoch"})"), "4");
  EXPECT_EQ(value(R"(pulse_cib_version{part="num_updates"})"), "2");
}

// The process's own measurements as Prometheus histograms: cumulative buckets ending in +Inf
// equal to the count, a sum in seconds, and an operation outside the known ones counted as
// "other" (the label set stays bounded).
TEST(MetricsText, RuntimeHistograms) {
  RuntimeStats stats;
  stats.view_changes = 3;
  stats.detection.observe(std::chrono::milliseconds(1200));
  stats.cib_writes.observe(std::chrono::microseconds(800));
  stats.cib_writes.observe(std::chrono::milliseconds(40));
  stats.action("start").observe(std::chrono::milliseconds(300));
  stats.action("start").observe(std::chrono::seconds(7));
  stats.action("frobnicate").observe(std::chrono::milliseconds(1));
  MetricsFacts f = runningFacts();
  addRuntimeStats(stats, f);
  const std::string text = renderMetrics(f);
  const auto s = samples(text);
  auto value = [&](const std::string& series) {
    auto it = s.find(series);
    return it == s.end() ? std::string("absent") : it->second;
  };
  EXPECT_NE(text.find("# TYPE pulse_cib_write_seconds histogram\n"), std::string::npos);
  EXPECT_EQ(value("pulse_membership_view_changes_total"), "3");
  EXPECT_EQ(value(R"(pulse_membership_detection_seconds_bucket{le="1"})"), "0");
  EXPECT_EQ(value(R"(pulse_membership_detection_seconds_bucket{le="2.5"})"), "1");
  EXPECT_EQ(value("pulse_membership_detection_seconds_sum"), "1.2");
  EXPECT_EQ(value(R"(pulse_cib_write_seconds_bucket{le="0.001"})"), "1");
  EXPECT_EQ(value(R"(pulse_cib_write_seconds_bucket{le="0.05"})"), "2");
  EXPECT_EQ(value(R"(pulse_cib_write_seconds_bucket{le="+Inf"})"), "2");
  EXPECT_EQ(value("pulse_cib_write_seconds_count"), "2");
  EXPECT_EQ(value(R"(pulse_action_duration_seconds_bucket{operation="start",le="0.5"})"), "1");
  EXPECT_EQ(value(R"(pulse_action_duration_seconds_bucket{operation="start",le="10"})"), "2");
  EXPECT_EQ(value(R"(pulse_action_duration_seconds_count{operation="start"})"), "2");
  EXPECT_EQ(value(R"(pulse_action_duration_seconds_sum{operation="start"})"), "7.3");
  EXPECT_EQ(value(R"(pulse_action_duration_seconds_count{operation="other"})"), "1");
  EXPECT_EQ(value(R"(pulse_action_duration_seconds_count{operation="frobnicate"})"), "absent");
}

TEST(MetricsText, StoppedClusterShowsOnlyTheNodesOwnState) {
  MetricsFacts f;
  f.cluster.configured = true;
  const std::string text = renderMetrics(f);
  const auto s = samples(text);
  EXPECT_EQ(text.find("ha_cluster_"), std::string::npos) << text;
  EXPECT_EQ(s.at("pulse_cluster_configured"), "1");
  EXPECT_EQ(s.at("pulse_cluster_running"), "0");
}

TEST(MetricsText, DamagedCibDropsThePacemakerFamiliesOnly) {
  MetricsFacts f = runningFacts();
  f.cib_xml = "<cib><configuration><resources>";
  const std::string text = renderMetrics(f);
  EXPECT_EQ(text.find("ha_cluster_pacemaker_"), std::string::npos);
  EXPECT_NE(text.find("ha_cluster_corosync_quorate 1\n"), std::string::npos);
}

TEST(MetricsText, EscapingAndValues) {
  EXPECT_EQ(escapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(escapeHelp("a\"b\\c\nd"), "a\"b\\\\c\\nd");
  EXPECT_EQ(formatValue(3), "3");
  EXPECT_EQ(formatValue(-HUGE_VAL), "-Inf");
  EXPECT_EQ(formatValue(0.5), "0.5");
  Family f("x", "gauge", "help");
  EXPECT_TRUE(f.add({{"a", "1"}}, 1));
  EXPECT_FALSE(f.add({{"a", "1"}}, 2));  // one sample per series: the first wins
  EXPECT_EQ(f.text(), "# HELP x help\n# TYPE x gauge\nx{a=\"1\"} 1\n");
  EXPECT_EQ(Family("y", "gauge", "h").text(), "");
}

TEST(MetricsAddress, Parses) {
  EXPECT_TRUE(parseListenAddress("off")->off);
  auto all = parseListenAddress("*:9664");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->host, "");
  EXPECT_EQ(all->port, 9664);
  EXPECT_EQ(parseListenAddress("[::1]:80")->host, "::1");
  EXPECT_EQ(parseListenAddress("127.0.0.1:0")->port, 0);
  EXPECT_FALSE(parseListenAddress("9664").ok());
  EXPECT_FALSE(parseListenAddress("::1:80").ok());
  EXPECT_FALSE(parseListenAddress("1.2.3.4:99999").ok());
  EXPECT_FALSE(parseListenAddress("1.2.3.4:x").ok());
}

// One request on a fresh connection; the whole answer (the server closes after it).
std::string roundTrip(std::uint16_t port, const std::string& request) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::system::error_code ec;
  boost::asio::write(socket, boost::asio::buffer(request), ec);  // may be cut off: 431
  std::string answer;
  boost::asio::read(socket, boost::asio::dynamic_buffer(answer), ec);
  return answer;
}

TEST(MetricsServer, AnswersMetricsAndRefusesTheRest) {
  int renders = 0;
  auto server = startMetricsServer(*parseListenAddress("127.0.0.1:0"), [&] {
    ++renders;
    return std::string("up 1\n");
  });
  ASSERT_TRUE(server.ok()) << server.error().message;
  const std::uint16_t port = (*server)->port();
  const std::string ok = roundTrip(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(ok.starts_with("HTTP/1.1 200 OK\r\n")) << ok;
  EXPECT_NE(ok.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  EXPECT_TRUE(ok.ends_with("\r\n\r\nup 1\n")) << ok;
  EXPECT_TRUE(roundTrip(port, "GET /metrics?x=1 HTTP/1.0\r\n\r\n").ends_with("up 1\n"));
  EXPECT_TRUE(roundTrip(port, "HEAD /metrics HTTP/1.1\r\n\r\n").ends_with("\r\n\r\n"));
  EXPECT_TRUE(roundTrip(port, "GET / HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404"));
  EXPECT_TRUE(roundTrip(port, "POST /metrics HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 405"));
  EXPECT_TRUE(roundTrip(port, "\x16\x03\x01garbage\r\n\r\n").starts_with("HTTP/1.1 400"));
  EXPECT_TRUE(roundTrip(port, std::string(20000, 'A')).starts_with("HTTP/1.1 431"));
  EXPECT_EQ(roundTrip(port, "GET /metrics HTTP/1.1\r\n"), "");  // closed mid-request: no answer
  EXPECT_EQ(renders, 3);                                        // GET, GET with a query, HEAD
  // Still serving after all that.
  EXPECT_TRUE(roundTrip(port, "GET /metrics HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 200"));
  (*server)->shutdown();
}

TEST(MetricsServer, ABusyAddressIsAnError) {
  auto first = startMetricsServer(*parseListenAddress("127.0.0.1:0"), [] { return ""; });
  ASSERT_TRUE(first.ok());
  auto second = startMetricsServer(
      *parseListenAddress("127.0.0.1:" + std::to_string((*first)->port())), [] { return ""; });
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("cannot listen for metrics on 127.0.0.1:"),
            std::string::npos);
}

}  // namespace
}  // namespace pulse::crmd::metrics
