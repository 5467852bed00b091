// Operations: pcs resource op add, and the checks create applies to `op` words.
#include "cib_edit_test_util.h"

namespace pulse::pcs::testing {
namespace {

TEST(ResourceOpAdd, AddsWithPcsId) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(kEmptyCib, kVip);
  Xml xml(ok(cib, "resource op add vip monitor interval=30s timeout=40s OCF_CHECK_LEVEL=10"));
  EXPECT_EQ(xml.count("//primitive[@id='vip']/operations/op[@name='monitor']"), 2u);
  const std::string op = "//op[@id='vip-monitor-interval-30s']";
  EXPECT_EQ(xml.attr(op, "timeout"), "40s");
  EXPECT_EQ(xml.attr(op + "/instance_attributes/nvpair", "name"), "OCF_CHECK_LEVEL");
  EXPECT_EQ(xml.attr(op + "/instance_attributes/nvpair", "value"), "10");
}

TEST(ResourceOpAdd, SameIntervalTwiceIsRefused) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(kEmptyCib, kVip);
  EXPECT_EQ(fails(cib, "resource op add vip monitor interval=10"),
            "operation monitor with interval 10 already specified for vip:\n"
            "monitor interval=10s (vip-monitor-interval-10s)");
}

TEST(ResourceOpAdd, UnknownActionOptionOrResource) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(kEmptyCib, kVip);
  // pcs 0.11's op add takes actions the agent does not list (Debian's pcs does).
  Xml added(ok(cib, "resource op add vip reload interval=0s"));
  EXPECT_TRUE(added.node("//op[@id='vip-reload-interval-0s']"));
  // A second monitor (same role, same depth) at another interval needs --force.
  EXPECT_EQ(fails(cib, "resource op add vip monitor interval=30s"),
            "operation monitor already specified for vip, use --force to override:\n"
            "monitor interval=10s timeout=20s (vip-monitor-interval-10s)");
  EXPECT_TRUE(Xml(ok(cib, "resource op add vip monitor interval=30s role=Promoted"))
                  .node("//op[@id='vip-monitor-interval-30s']"));
  EXPECT_TRUE(Xml(ok(cib, "resource op add vip monitor interval=30s --force"))
                  .node("//op[@id='vip-monitor-interval-30s']"));
  // Another depth is another check: allowed, its set named as pcs's op add names it.
  Xml deep(ok(cib, "resource op add vip monitor interval=60s OCF_CHECK_LEVEL=10"));
  EXPECT_TRUE(
      deep.node("//op[@id='vip-monitor-interval-60s']/instance_attributes"
                "[@id='params-vip-monitor-interval-60s']/"
                "nvpair[@id='vip-monitor-interval-60s-OCF_CHECK_LEVEL-10']"));
  EXPECT_EQ(fails(cib, "resource op add vip monitor interval=30s colour=red"),
            "invalid resource operation option 'colour', allowed options are: "
            "'OCF_CHECK_LEVEL', 'description', 'enabled', 'id', 'interval', 'interval-origin', "
            "'name', 'on-fail', 'record-pending', 'requires', 'role', 'start-delay', 'timeout'");
  EXPECT_EQ(fails(cib, "resource op add vip monitor interval=often"),
            "'often' is not a valid interval value, use time interval (e.g. 1, 2s, 3m, 4h, ...)");
  EXPECT_EQ(fails(cib, "resource op add nope monitor interval=30s"),
            "Unable to find resource: nope");
}

TEST(ResourceCreateOps, SeveralOperationsAfterOneOp) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml xml(ok(kEmptyCib, std::string(kVip) + " op monitor interval=5s start timeout=30s"));
  EXPECT_TRUE(xml.node("//op[@id='vip-monitor-interval-5s']"));
  EXPECT_TRUE(xml.node("//op[@id='vip-start-interval-0s' and @timeout='30s']"));
  EXPECT_EQ(fails(kEmptyCib, std::string(kVip) + " op monitor interval=5s monitor interval=5"),
            "multiple specification of the same operation with the same interval:\n"
            "monitor with intervals 5");
}

}  // namespace
}  // namespace pulse::pcs::testing

namespace pulse::pcs::testing {
namespace {

TEST(ResourceConfig, Pcs011Layout) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(kEmptyCib, std::string(kVip) +
                                      " op monitor interval=5s meta migration-threshold=2 --group "
                                      "web");
  cib = ok(cib, "resource create d Dummy op monitor interval=30s OCF_CHECK_LEVEL=10");
  auto vip = resourceConfig(cib, "vip");
  ASSERT_TRUE(vip.ok());
  EXPECT_EQ(*vip,
            "Resource: vip (class=ocf provider=heartbeat type=IPaddr2)\n"
            "  Attributes: vip-instance_attributes\n"
            "    cidr_netmask=24\n"
            "    ip=198.51.100.10\n"
            "  Meta Attributes: vip-meta_attributes\n"
            "    migration-threshold=2\n"
            "  Operations:\n"
            "    monitor: vip-monitor-interval-5s\n"
            "      interval=5s\n"
            "    start: vip-start-interval-0s\n"
            "      interval=0s timeout=20s\n"
            "    stop: vip-stop-interval-0s\n"
            "      interval=0s timeout=20s\n");
  auto all = resourceConfig(cib);
  ASSERT_TRUE(all.ok());
  // Primitives first, then groups, members indented under their group.
  EXPECT_EQ(all->rfind("Resource: d (class=ocf provider=heartbeat type=Dummy)\n", 0), 0u) << *all;
  EXPECT_NE(all->find("      interval=30s OCF_CHECK_LEVEL=10\n"), std::string::npos) << *all;
  EXPECT_NE(all->find("Group: web\n  Resource: vip (class=ocf"), std::string::npos) << *all;
  auto missing = resourceConfig(cib, "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "No resource found");
}

// A hand-built agent for the shapes the installed ones lack: sub-second timeouts, minutes, a
// promoted monitor with a depth, two monitors at one interval.
TEST(DefaultOperations, DurationsInPcsTextRolesAndDepth) {
  using std::chrono::milliseconds;
  KnownAgent agent{"ocf", "acme", "Stateful", {}};
  agent.metadata.actions = {
      {"start", milliseconds(1500), {}, {}, {}},
      {"monitor", milliseconds(20000), milliseconds(120000), {}, "0"},
      {"monitor", milliseconds(20000), milliseconds(120000), "Promoted", "10"},
      {"meta-data", milliseconds(5000), {}, {}, {}}};
  const std::vector<OperationSpec> ops = defaultOperations(&agent);
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0].action, "start");
  EXPECT_EQ(ops[0].options, (NvPairs{{"interval", "0s"}, {"timeout", "1500ms"}}));
  EXPECT_EQ(ops[1].options, (NvPairs{{"interval", "120s"}, {"timeout", "20s"}}));
  // pcs keeps the second monitor distinct by one second.
  EXPECT_EQ(ops[2].options, (NvPairs{{"interval", "121"},
                                     {"timeout", "20s"},
                                     {"role", "Promoted"},
                                     {"OCF_CHECK_LEVEL", "10"}}));
  // No agent: only pcs's 60s monitor.
  const std::vector<OperationSpec> none = defaultOperations(nullptr);
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].options, (NvPairs{{"interval", "60s"}}));
}

}  // namespace
}  // namespace pulse::pcs::testing
