// pcs status: crm_mon's layout for the summary, nodes, resources and failed actions.
#include "pcs-cli/status_output.h"

#include <gtest/gtest.h>

#include "pcs-cli/status_failures.h"

namespace pulse::pcs {
namespace {

pe::ResourceView primitive(std::string id, std::string agent, pe::Role role,
                           std::vector<std::string> nodes) {
  pe::ResourceView r;
  r.id = std::move(id);
  r.agent = std::move(agent);
  r.role = role;
  r.nodes = std::move(nodes);
  return r;
}

ClusterStatus webCluster() {
  ClusterStatus s;
  s.cluster_name = "web";
  s.dc = "n1";
  s.quorate = true;
  s.version = "pulse-0.1";
  s.daemon_status = "active/enabled";
  s.view.nodes = {{"n1", true, false, false, false},
                  {"n2", true, true, false, false},
                  {"n3", false, false, false, false}};
  pe::ResourceView vip = primitive("vip", "ocf:heartbeat:IPaddr2", pe::Role::Started, {"n1"});
  pe::ResourceView proxy = primitive("proxy", "ocf:heartbeat:haproxy", pe::Role::Started, {"n1"});
  pe::ResourceView web;
  web.id = "web";
  web.is_group = true;
  web.members = {vip, proxy};
  pe::ResourceView db = primitive("db", "ocf:heartbeat:pgsql", pe::Role::Stopped, {});
  db.disabled = true;
  s.view.resources = {web, db};
  FailedAction f;
  f.key = "proxy_monitor_10000";
  f.resource = "proxy";
  f.task = "monitor";
  f.interval_ms = 10000;
  f.node = "n1";
  f.rc = 7;
  f.rc_text = "not running";
  f.call_id = "12";
  f.has_timing = true;
  f.exec_ms = 12;
  f.fail_count = "3";
  s.failed_actions = {f};
  return s;
}

TEST(StatusOutput, CrmMonLayout) {
  const std::string text = formatStatus(webCluster());
  for (const char* line :
       {"Cluster name: web\n", "  * Current DC: n1 (version pulse-0.1) - partition with quorum\n",
        "  * 3 nodes configured\n", "  * 3 resource instances configured (1 DISABLED)\n",
        "Node List:\n", "  * Node n2: standby\n", "  * Online: [ n1 ]\n", "  * OFFLINE: [ n3 ]\n",
        "Full List of Resources:\n", "  * Resource Group: web:\n",
        "    * vip\t(ocf:heartbeat:IPaddr2):\t Started n1\n",
        "  * db\t(ocf:heartbeat:pgsql):\t Stopped (disabled)\n", "Failed Resource Actions:\n",
        // Pulse's readable line, then crm_mon --show-detail's fields (issue 13).
        "  * proxy: 10s-interval monitor on n1 failed: not running (exit 7), 3 attempts\n"
        "    proxy_monitor_10000 on n1 'not running' (7): call=12, status='complete', "
        "queued=0ms, exec=12ms\n",
        "Daemon Status:\n  crmd: active/enabled\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "\nin:\n" << text;
  }
}

TEST(StatusOutput, NoDcAndUnreachableNodesAreSaid) {
  ClusterStatus s = webCluster();
  s.dc.reset();
  s.quorate = false;
  s.unreachable = {"n3"};
  const std::string text = formatStatus(s);
  // A live node without quorum, where Pulse elects no DC, says so.
  EXPECT_NE(text.find("  * Current DC: NONE - partition WITHOUT quorum\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Warning: Unable to get the status of node n3"), std::string::npos);
  const std::string json = statusJson(s);
  EXPECT_NE(json.find("\"dc\":null,\"quorate\":false"), std::string::npos) << json;
  EXPECT_NE(json.find("\"unreachable_nodes\":[\"n3\"]"), std::string::npos) << json;
  s.quorate = true;  // an election running in a quorate partition
  EXPECT_NE(formatStatus(s).find("  * Current DC: NONE\n"), std::string::npos);
}

// The whole document, byte for byte: key order, compact separators, escaped strings.
TEST(StatusOutput, JsonIsByteForByte) {
  ClusterStatus s = webCluster();
  s.file = "cib \"x\".xml";
  s.failed_actions[0].exit_reason = "bad\tconfig\n";
  EXPECT_EQ(statusJson(s),
            R"({"cluster_name":"web","dc":"n1","quorate":true,"nodes":[)"
            R"({"name":"n1","online":true,"standby":false,"maintenance":false,"unclean":false},)"
            R"({"name":"n2","online":true,"standby":true,"maintenance":false,"unclean":false},)"
            R"({"name":"n3","online":false,"standby":false,"maintenance":false,"unclean":false}],)"
            R"("resources":[{"id":"web","type":"group","members":[)"
            R"({"id":"vip","type":"primitive","agent":"ocf:heartbeat:IPaddr2","role":"Started",)"
            R"("nodes":["n1"],"failed":false,"managed":true,"disabled":false},)"
            R"({"id":"proxy","type":"primitive","agent":"ocf:heartbeat:haproxy","role":"Started",)"
            R"("nodes":["n1"],"failed":false,"managed":true,"disabled":false}]},)"
            R"({"id":"db","type":"primitive","agent":"ocf:heartbeat:pgsql","role":"Stopped",)"
            R"("nodes":[],"failed":false,"managed":true,"disabled":true}],)"
            R"("failed_actions":[{"operation":"proxy_monitor_10000","node":"n1","rc":7,)"
            R"("rc_text":"not running","exit_reason":"bad\tconfig\n",)"
            R"("text":"proxy: 10s-interval monitor on n1 failed: not running (exit 7), 3 )"
            R"(attempts: bad\tconfig\n"}],)"
            R"("unreachable_nodes":[],"file":"cib \"x\".xml"})"
            "\n");
}

// A node that left the view is listed with when it left and the CIB version it holds.
TEST(StatusOutput, OutOfDateNodesAreListedInTextAndJson) {
  ClusterStatus s = webCluster();
  EXPECT_EQ(statusJson(s).find("out_of_date_nodes"), std::string::npos);
  EXPECT_EQ(formatStatus(s).find("Out of date"), std::string::npos);
  s.out_of_date = {
      "n3 (lost since 2026-12-07 05:55:37.121 UTC, holds CIB version 0.3.0; the "
      "cluster is at 0.4.0)"};
  const std::string text = formatStatus(s);
  EXPECT_NE(text.find("\nOut of date (resynchronised from the DC when they rejoin):\n  * n3 "
                      "(lost since 2026-12-07 05:55:37.121 UTC, holds CIB version 0.3.0; the "
                      "cluster is at 0.4.0)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(statusJson(s).find(R"("out_of_date_nodes":["n3 (lost since)"), std::string::npos);
}

TEST(StatusOutput, CloneInstancesAreCountedAndListedUnderTheClone) {
  ClusterStatus s = webCluster();
  pe::ResourceView ping;
  ping.id = "ping-clone";
  ping.is_clone = true;
  ping.cloned = "ping";
  ping.all_nodes = {"n1", "n2"};
  ping.members = {primitive("ping:0", "ocf:pacemaker:ping", pe::Role::Started, {"n1"}),
                  primitive("ping:1", "ocf:pacemaker:ping", pe::Role::Stopped, {})};
  ping.members[0].cloned = ping.members[1].cloned = "ping";
  s.view.resources = {ping};
  const std::string text = formatStatus(s);
  for (const char* line :
       {"  * 2 resource instances configured\n", "  * Clone Set: ping-clone [ping]:\n",
        "    * Started: [ n1 ]\n", "    * Stopped: [ n2 ]\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "\nin:\n" << text;
  }
  EXPECT_NE(statusJson(s).find(R"({"id":"ping-clone","type":"clone","members":[{"id":"ping:0",)"),
            std::string::npos);
}

// What the DC records for a probe is a "last failure" whenever the result differs from "not
// running"; crm_mon lists a probe that found the resource active (after a cleanup, say) as
// nothing failed, and a probe that errored as a failure.
TEST(StatusFailures, AProbeThatFindsTheResourceActiveIsNotAFailedAction) {
  const std::string cib = R"(<cib><configuration><resources/></configuration><status>
    <node_state id="1" uname="n1"><lrm><lrm_resources>
      <lrm_resource id="d1">
        <lrm_rsc_op id="d1_last_failure_0" operation_key="d1_monitor_0" operation="monitor"
                    interval="0" rc-code="0" last-rc-change="100" exec-time="5"/>
      </lrm_resource>
      <lrm_resource id="s1">
        <lrm_rsc_op id="s1_last_failure_0" operation_key="s1_monitor_0" operation="monitor"
                    interval="0" rc-code="8" last-rc-change="100" exec-time="5"/>
      </lrm_resource>
      <lrm_resource id="d2">
        <lrm_rsc_op id="d2_last_failure_0" operation_key="d2_monitor_0" operation="monitor"
                    interval="0" rc-code="1" last-rc-change="100" exec-time="5"/>
      </lrm_resource>
      <lrm_resource id="d3">
        <lrm_rsc_op id="d3_last_failure_0" operation_key="d3_monitor_10000" operation="monitor"
                    interval="10000" rc-code="0" last-rc-change="100" exec-time="5"/>
      </lrm_resource>
    </lrm_resources></lrm></node_state></status></cib>)";
  const std::vector<FailedAction> failed = failedActions(cib);
  std::vector<std::string> keys;
  for (const FailedAction& f : failed) keys.push_back(f.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"d2_monitor_0", "d3_monitor_10000"}));
}

}  // namespace
}  // namespace pulse::pcs
