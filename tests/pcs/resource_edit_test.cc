// pcs resource create / delete / update / enable / disable / meta / group add.
#include "cib_edit_test_util.h"

namespace pulse::pcs::testing {
namespace {

TEST(ResourceCreate, FullExampleBecomesTypedRequest) {
  PULSE_REQUIRE_REAL_AGENTS();
  auto edit = parseEdit(
      words("resource create vip ocf:heartbeat:IPaddr2 ip=198.51.100.10 cidr_netmask=24 op monitor "
            "interval=5s meta migration-threshold=2 --group web"));
  ASSERT_TRUE(edit.ok()) << edit.error().message;
  const auto& create = std::get<ResourceCreate>(*edit);
  EXPECT_EQ(create.id, "vip");
  EXPECT_EQ(create.agent, "ocf:heartbeat:IPaddr2");
  EXPECT_EQ(create.params, (NvPairs{{"ip", "198.51.100.10"}, {"cidr_netmask", "24"}}));
  ASSERT_EQ(create.operations.size(), 1u);
  EXPECT_EQ(create.operations[0].action, "monitor");
  EXPECT_EQ(create.operations[0].options, (NvPairs{{"interval", "5s"}}));
  EXPECT_EQ(create.meta, (NvPairs{{"migration-threshold", "2"}}));
  EXPECT_EQ(create.group, "web");
}

TEST(ResourceCreate, WritesPcsIdsAndAgentDefaultOperations) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml cib(ok(kEmptyCib, std::string(kVip) + " op monitor interval=5s meta migration-threshold=2"));
  const std::string p = "//primitive[@id='vip']";
  EXPECT_EQ(cib.attr(p, "class"), "ocf");
  EXPECT_EQ(cib.attr(p, "provider"), "heartbeat");
  EXPECT_EQ(cib.attr(p, "type"), "IPaddr2");
  EXPECT_EQ(cib.attr(p + "/instance_attributes", "id"), "vip-instance_attributes");
  EXPECT_EQ(cib.attr(p + "/instance_attributes/nvpair[@name='ip']", "id"),
            "vip-instance_attributes-ip");
  EXPECT_EQ(cib.attr(p + "/instance_attributes/nvpair[@name='ip']", "value"), "198.51.100.10");
  EXPECT_EQ(cib.attr(p + "/meta_attributes/nvpair", "id"),
            "vip-meta_attributes-migration-threshold");
  // The user's monitor replaces the agent's; start/stop come from the agent's actions;
  // status, meta-data and validate-all are not for Pacemaker to run.
  EXPECT_EQ(cib.count(p + "/operations/op"), 3u);
  EXPECT_TRUE(cib.node(p + "/operations/op[@id='vip-monitor-interval-5s' and @interval='5s']"));
  EXPECT_TRUE(cib.node(p + "/operations/op[@id='vip-start-interval-0s' and @timeout='20s']"));
  EXPECT_TRUE(cib.node(p + "/operations/op[@id='vip-stop-interval-0s' and @timeout='20s']"));
  // Sorted by action name, as pcs writes them.
  EXPECT_EQ(cib.attr(p + "/operations/op[1]", "name"), "monitor");
  EXPECT_EQ(cib.attr(p + "/operations/op[3]", "name"), "stop");
}

TEST(ResourceCreate, WithoutOpsTakesAgentMonitor) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml cib(ok(kEmptyCib, "resource create d Dummy"));
  EXPECT_TRUE(cib.node("//op[@id='d-monitor-interval-10s' and @timeout='20s']"));
  EXPECT_TRUE(cib.node("//op[@id='d-migrate_to-interval-0s']"));
  EXPECT_TRUE(cib.node("//op[@id='d-reload-interval-0s']"));
  EXPECT_EQ(cib.count("//primitive[@id='d']/operations/op"), 6u);
}

TEST(ResourceCreate, ShortAgentNameWhenUnambiguous) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml cib(ok(kEmptyCib, "resource create vip IPaddr2 ip=198.51.100.10"));
  EXPECT_EQ(cib.attr("//primitive[@id='vip']", "provider"), "heartbeat");
  EXPECT_EQ(cib.attr("//primitive[@id='vip']", "type"), "IPaddr2");
}

TEST(ResourceCreate, AmbiguousOrUnknownShortName) {
  PULSE_REQUIRE_REAL_AGENTS();
  EditContext ctx = context();
  KnownAgent other = dummy();
  other.provider = "pacemaker";
  ctx.agents.push_back(other);
  EXPECT_EQ(fails(kEmptyCib, "resource create d Dummy", ctx),
            "Multiple agents match 'Dummy', please specify full name: "
            "'ocf:heartbeat:Dummy', 'ocf:pacemaker:Dummy'");
  EXPECT_EQ(fails(kEmptyCib, "resource create d Nope"),
            "Unable to find agent 'Nope', try specifying its full name");
}

TEST(ResourceCreate, UnknownFullNameNeedsForce) {
  PULSE_REQUIRE_REAL_AGENTS();
  EXPECT_EQ(fails(kEmptyCib, "resource create x ocf:acme:Thing"),
            "Agent 'ocf:acme:Thing' is not installed or does not provide valid metadata: agent "
            "not found, use --force to override");
  Xml cib(ok(kEmptyCib, "resource create x ocf:acme:Thing a=1 --force"));
  EXPECT_EQ(cib.attr("//primitive[@id='x']", "provider"), "acme");
  EXPECT_TRUE(cib.node("//op[@id='x-monitor-interval-60s']"));
}

TEST(ResourceCreate, MissingRequiredParameter) {
  PULSE_REQUIRE_REAL_AGENTS();
  EXPECT_EQ(fails(kEmptyCib, "resource create vip ocf:heartbeat:IPaddr2 cidr_netmask=24"),
            "required resource option 'ip' is missing, use --force to override");
  Xml cib(ok(kEmptyCib, "resource create vip ocf:heartbeat:IPaddr2 cidr_netmask=24 --force"));
  EXPECT_TRUE(cib.node("//primitive[@id='vip']"));
}

TEST(ResourceCreate, UnknownParameter) {
  PULSE_REQUIRE_REAL_AGENTS();
  EXPECT_EQ(fails(kEmptyCib, "resource create d Dummy x=1"),
            "invalid resource option 'x', allowed options are: 'fake', 'state', use --force to "
            "override");
  EXPECT_EQ(fails(kEmptyCib, "resource create d Dummy x=1 y=2"),
            "invalid resource options: 'x', 'y', allowed options are: 'fake', 'state', use "
            "--force to override");
  Xml cib(ok(kEmptyCib, "resource create d Dummy x=1 --force"));
  EXPECT_EQ(cib.attr("//nvpair[@name='x']", "id"), "d-instance_attributes-x");
}

TEST(ResourceCreate, DuplicateId) {
  PULSE_REQUIRE_REAL_AGENTS();
  const std::string cib = ok(kEmptyCib, kVip);
  EXPECT_EQ(fails(cib, kVip), "'vip' already exists");
  EXPECT_EQ(fails(cib, "resource create vip-instance_attributes Dummy"),
            "'vip-instance_attributes' already exists");
}

TEST(ResourceCreate, BadIdAndBadUsage) {
  PULSE_REQUIRE_REAL_AGENTS();
  EXPECT_EQ(fails(kEmptyCib, "resource create 1vip Dummy"),
            "invalid resource id '1vip', '1' is not a valid first character for a resource id");
  EXPECT_EQ(fails(kEmptyCib, "resource create vip"),
            "invalid usage of 'pcs resource create', see pcs resource create --help");
  EXPECT_EQ(fails(kEmptyCib, "resource create d Dummy fake"), "missing value of 'fake' option");
  EXPECT_EQ(fails(kEmptyCib, "resource create d Dummy op monitor"),
            "When using 'op' you must specify an operation name and at least one option");
}

TEST(ResourceCreate, DisabledAndGroupPlacement) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(kEmptyCib, std::string(kVip) + " --group web");
  cib = ok(cib, "resource create haproxy ocf:heartbeat:haproxy --group web --disabled");
  cib = ok(cib, "resource create first Dummy --group web --before vip");
  Xml xml(cib);
  EXPECT_EQ(xml.count("//group[@id='web']/primitive"), 3u);
  EXPECT_EQ(xml.attr("//group[@id='web']/primitive[1]", "id"), "first");
  EXPECT_EQ(xml.attr("//group[@id='web']/primitive[3]", "id"), "haproxy");
  EXPECT_EQ(xml.attr("//primitive[@id='haproxy']/meta_attributes/nvpair", "id"),
            "haproxy-meta_attributes-target-role");
  EXPECT_EQ(xml.attr("//primitive[@id='haproxy']/meta_attributes/nvpair", "value"), "Stopped");
  EXPECT_EQ(fails(cib, "resource create x Dummy --group web --before nope"),
            "there is no resource 'nope' in the group 'web'");
  EXPECT_EQ(fails(cib, "resource create x Dummy --after vip"),
            "you cannot use --before or --after without --group");
  EXPECT_EQ(fails(cib, "resource create x Dummy --group vip"), "'vip' is not a group");
}

TEST(ResourceDelete, RemovesConstraintsAndEmptyGroup) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(kEmptyCib, std::string(kVip) + " --group web");
  cib = ok(cib, "resource create d Dummy");
  cib = ok(cib, "constraint colocation add d with vip");
  cib = ok(cib, "constraint location web prefers n1");
  cib = ok(cib, "constraint location d prefers n2");
  Xml xml(ok(cib, "resource delete vip"));
  EXPECT_FALSE(xml.node("//primitive[@id='vip']"));
  EXPECT_FALSE(xml.node("//group[@id='web']"));
  EXPECT_EQ(xml.count("//constraints/*"), 1u);
  EXPECT_TRUE(xml.node("//rsc_location[@id='location-d-n2-INFINITY']"));
  EXPECT_EQ(fails(cib, "resource delete nope"), "Resource 'nope' does not exist.");
}

TEST(ResourceUpdate, SetsRemovesAndReplacesOperations) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(kEmptyCib, kVip);
  Xml xml(ok(cib,
             "resource update vip cidr_netmask= nic=eth1 op monitor interval=20s meta "
             "resource-stickiness=50"));
  EXPECT_FALSE(xml.node("//nvpair[@name='cidr_netmask']"));
  EXPECT_EQ(xml.attr("//nvpair[@name='nic']", "id"), "vip-instance_attributes-nic");
  EXPECT_EQ(xml.count("//primitive[@id='vip']/operations/op[@name='monitor']"), 1u);
  EXPECT_TRUE(xml.node("//op[@id='vip-monitor-interval-20s']"));
  EXPECT_EQ(xml.attr("//nvpair[@name='resource-stickiness']", "value"), "50");
  EXPECT_EQ(fails(cib, "resource update vip bogus=1"),
            std::string("invalid resource option 'bogus', allowed options are: ") +
                "'arp_bg', 'arp_count', 'arp_count_refresh', 'arp_interval', 'arp_sender', "
                "'broadcast', 'cidr_netmask', 'clusterip_hash', 'flush_routes', 'iflabel', "
                "'ip', 'lvs_ipv6_addrlabel', 'lvs_ipv6_addrlabel_value', 'lvs_support', 'mac', "
                "'network_namespace', 'nic', 'nodad', 'noprefixroute', 'preferred_lft', "
                "'run_arping', 'send_arp_opts', 'unique_clone_address', use --force to override");
  EXPECT_EQ(fails(cib, "resource update nope a=1"), "Resource 'nope' does not exist.");
}

TEST(ResourceEnableDisable, TargetRole) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(kEmptyCib, kVip);
  cib = ok(cib, "resource disable vip");
  Xml disabled(cib);
  EXPECT_EQ(
      disabled.attr("//primitive[@id='vip']/meta_attributes/nvpair[@name='target-role']", "value"),
      "Stopped");
  Xml enabled(ok(cib, "resource enable vip"));
  EXPECT_FALSE(enabled.node("//nvpair[@name='target-role']"));
  // pcs 0.11 leaves the emptied set in place.
  EXPECT_TRUE(enabled.node("//primitive[@id='vip']/meta_attributes[@id='vip-meta_attributes']"));
  EXPECT_EQ(fails(cib, "resource enable nope"), "Resource 'nope' does not exist.");
}

TEST(ResourceMeta, SetAndRemove) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(kEmptyCib, kVip);
  cib = ok(cib, "resource meta vip migration-threshold=3 priority=10");
  Xml set(cib);
  EXPECT_EQ(set.attr("//nvpair[@name='priority']", "id"), "vip-meta_attributes-priority");
  Xml removed(ok(cib, "resource meta vip priority="));
  EXPECT_FALSE(removed.node("//nvpair[@name='priority']"));
  EXPECT_TRUE(removed.node("//nvpair[@name='migration-threshold']"));
  EXPECT_EQ(fails(cib, "resource meta nope a=1"), "Resource 'nope' does not exist.");
}

TEST(GroupAdd, CreatesMovesAndOrders) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(kEmptyCib, kVip);
  cib = ok(cib, "resource create haproxy ocf:heartbeat:haproxy");
  cib = ok(cib, "resource create d Dummy");
  cib = ok(cib, "resource group add web vip haproxy");
  Xml xml(cib);
  EXPECT_EQ(xml.attr("//group[@id='web']/primitive[1]", "id"), "vip");
  EXPECT_EQ(xml.attr("//group[@id='web']/primitive[2]", "id"), "haproxy");
  Xml before(ok(cib, "resource group add web d --before haproxy"));
  EXPECT_EQ(before.attr("//group[@id='web']/primitive[2]", "id"), "d");
  // Moving the last member out of a group removes that group.
  std::string two = ok(cib, "resource group add other d");
  Xml moved(ok(two, "resource group add web d"));
  EXPECT_FALSE(moved.node("//group[@id='other']"));
  EXPECT_EQ(fails(cib, "resource group add web nope"), "'nope' does not exist");
  EXPECT_EQ(fails(cib, "resource group add web web"),
            "'web' is a group resource, a group resource cannot be put into a group");
}

}  // namespace
}  // namespace pulse::pcs::testing
