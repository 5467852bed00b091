// The pcs commands of a web cluster, then the policy engine on the result: the placement it
// decides must be the one the operator asked for.
#include "cib_edit_test_util.h"
#include "engine_test_util.h"

namespace pulse::pcs::testing {
namespace {

using pe::testing::placedOn;
using pe::testing::scheduleOk;

std::string webCluster() {
  std::string cib = kEmptyCib;
  for (const char* line : {
           "resource create vip ocf:heartbeat:IPaddr2 ip=198.51.100.10 cidr_netmask=24 op monitor "
           "interval=5s meta migration-threshold=2",
           "resource create haproxy ocf:heartbeat:haproxy",
           "resource create db ocf:heartbeat:Dummy",
           "constraint colocation add haproxy with vip",
           "constraint order vip then haproxy",
           "constraint location vip prefers n2=100",
           "constraint colocation add db with vip -INFINITY",
       }) {
    cib = ok(cib, line);
  }
  auto bumped = bumpEpoch(cib);
  EXPECT_TRUE(bumped.ok());
  return bumped.ok() ? *bumped : cib;
}

TEST(RoundTrip, ColocatedOnPreferredNode) {
  PULSE_REQUIRE_REAL_AGENTS();
  const pe::Transition t = scheduleOk(webCluster());
  EXPECT_EQ(placedOn(t, "vip"), "n2");
  EXPECT_EQ(placedOn(t, "haproxy"), "n2");
  EXPECT_NE(placedOn(t, "db"), "n2");
  EXPECT_NE(placedOn(t, "db"), "");
}

TEST(RoundTrip, BanIsRespected) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(webCluster(), "resource ban vip n2");
  const pe::Transition t = scheduleOk(cib);
  EXPECT_NE(placedOn(t, "vip"), "n2");
  EXPECT_NE(placedOn(t, "vip"), "");
  EXPECT_EQ(placedOn(t, "haproxy"), placedOn(t, "vip"));
  // Clearing the ban lets the preference win again.
  const pe::Transition cleared = scheduleOk(ok(cib, "resource clear vip"));
  EXPECT_EQ(placedOn(cleared, "vip"), "n2");
}

TEST(RoundTrip, MoveToNode) {
  PULSE_REQUIRE_REAL_AGENTS();
  const pe::Transition t = scheduleOk(ok(webCluster(), "resource move vip n3", context("n2")));
  EXPECT_EQ(placedOn(t, "vip"), "n3");
  EXPECT_EQ(placedOn(t, "haproxy"), "n3");
}

TEST(RoundTrip, StandbyNodeIsDrained) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(webCluster(), "node standby n2");
  const pe::Transition t = scheduleOk(cib);
  for (const char* rsc : {"vip", "haproxy", "db"}) {
    EXPECT_NE(placedOn(t, rsc), "n2") << rsc;
    EXPECT_NE(placedOn(t, rsc), "") << rsc;
  }
  EXPECT_EQ(placedOn(t, "haproxy"), placedOn(t, "vip"));
}

TEST(RoundTrip, GroupAndDisable) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(kEmptyCib, std::string(kVip) + " --group web");
  cib = ok(cib, "resource create haproxy ocf:heartbeat:haproxy --group web");
  cib = ok(cib, "constraint location web avoids n1");
  const pe::Transition t = scheduleOk(cib);
  EXPECT_NE(placedOn(t, "vip"), "n1");
  EXPECT_EQ(placedOn(t, "haproxy"), placedOn(t, "vip"));
  const pe::Transition stopped = scheduleOk(ok(cib, "resource disable web"));
  EXPECT_EQ(placedOn(stopped, "vip"), "");
  EXPECT_EQ(placedOn(stopped, "haproxy"), "");
}

TEST(RoundTrip, DeleteLeavesEngineHappy) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(webCluster(), "resource delete vip");
  const pe::Transition t = scheduleOk(cib);
  EXPECT_EQ(placedOn(t, "vip"), "?");
  EXPECT_NE(placedOn(t, "haproxy"), "");
}

}  // namespace
}  // namespace pulse::pcs::testing
