// Fencing topology on the DC (Pacemaker's <fencing-topology>): which levels apply to a node
// (policy-engine/fencing_topology.h: exact target, else the first matching pattern or node
// attribute) and the FenceRequest the controller makes from them, for a lost node and for
// `pcs stonith fence`. Driven by hand through controller_harness.h.
#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <string>
#include <vector>

#include "crmd/controller/controller.h"
#include "policy-engine/fencing_topology.h"
#include "tests/controller/controller_harness.h"

namespace pulse::crmd {
namespace {

using pe::cibconf::FencingLevel;
using pe::cibconf::fencingLevelsFor;

// Two real devices for n1..n3 besides kDevices' (fence1 may fence them, fence-n9 may not).
const std::string kTopologyDevices = kDevices + R"(
      <primitive id="fence-bad" class="stonith" type="fence_failing">
        <instance_attributes id="fb-params">
          <nvpair id="fb-mode" name="mode" value="fail"/>
        </instance_attributes>
      </primitive>
      <primitive id="fence-psu2" class="stonith" type="fence_dummy"/>
)";

std::string withTopology(std::string xml, const std::string& levels) {
  return replaced(
      std::move(xml), "</configuration>",
      "  <fencing-topology>\n" + levels + "    </fencing-topology>\n  </configuration>");
}

std::vector<std::string> summary(const std::vector<FencingLevel>& levels) {
  std::vector<std::string> out;
  for (const FencingLevel& l : levels) {
    std::string devices;
    for (const std::string& d : l.devices) devices += (devices.empty() ? "" : ",") + d;
    out.push_back(l.index + ":" + devices);
  }
  return out;
}

std::vector<std::string> levelsOf(const std::string& xml, const std::string& node) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(xml.c_str()));
  return summary(fencingLevelsFor(doc.child("cib"), node));
}

TEST(FencingTopology, AnExactTargetWinsOverPatternsAndLevelsAreOrderedByIndex) {
  const std::string xml = withTopology(kCib, R"(
      <fencing-level id="p1" index="1" target-pattern="^n[0-9]$" devices="fence1"/>
      <fencing-level id="l2" index="2" target="n2" devices="fence-psu2,fence1"/>
      <fencing-level id="l1" index="1" target="n2" devices="fence-bad"/>
)");
  EXPECT_EQ(levelsOf(xml, "n2"), (std::vector<std::string>{"1:fence-bad", "2:fence-psu2,fence1"}));
  EXPECT_EQ(levelsOf(xml, "n3"), (std::vector<std::string>{"1:fence1"})) << "by pattern";
  EXPECT_TRUE(levelsOf(xml, "web10").empty()) << "the pattern does not match: no topology";
}

TEST(FencingTopology, PatternsMatchAnywhereInTheNameAsTheFencerDoes) {
  const std::string xml = withTopology(kCib, R"(
      <fencing-level id="p1" index="3" target-pattern="2" devices="fence1"/>
      <fencing-level id="p2" index="1" target-pattern="(" devices="fence-bad"/>
)");
  EXPECT_EQ(levelsOf(xml, "n2"), (std::vector<std::string>{"3:fence1"}));
  EXPECT_TRUE(levelsOf(xml, "n1").empty()) << "a pattern that does not compile matches nothing";
}

TEST(FencingTopology, NodeAttributeTargetsReadTheNodesSection) {
  std::string xml = replaced(kCib, R"(<node id="3" uname="n3"/>)", R"(<node id="3" uname="n3">
        <instance_attributes id="n3-attrs">
          <nvpair id="n3-rack" name="rack" value="r1"/>
        </instance_attributes>
      </node>)");
  xml = withTopology(xml, R"(
      <fencing-level id="a1" index="1" target-attribute="rack" target-value="r1" devices="fence1"/>
      <fencing-level id="a2" index="1" target-attribute="rack" target-value="r2" devices="fence-bad"/>
)");
  EXPECT_EQ(levelsOf(xml, "n3"), (std::vector<std::string>{"1:fence1"}));
  EXPECT_TRUE(levelsOf(xml, "n1").empty());
}

TEST(FencingTopology, LevelsTheFencerRefusesAreLeftOut) {
  const std::string xml = withTopology(kCib, R"(
      <fencing-level id="l0" index="0" target="n1" devices="fence1"/>
      <fencing-level id="l10" index="10" target="n1" devices="fence1"/>
      <fencing-level id="lx" index="x" target="n1" devices="fence1"/>
      <fencing-level id="le" index="2" target="n1" devices=""/>
      <fencing-level id="lt" index="2" devices="fence1"/>
      <fencing-level id="l9" index="9" target="n1" devices="fence-psu2"/>
)");
  EXPECT_EQ(levelsOf(xml, "n1"), (std::vector<std::string>{"9:fence-psu2"}));
}

TEST(ControllerTopology, LostNodeIsFencedLevelByLevelWithItsDevicesRequests) {
  Harness h;
  h.xml = withTopology(fencingCib("", kTopologyDevices), R"(
      <fencing-level id="fl-n3-2" index="2" target="n3" devices="fence1,fence-psu2"/>
      <fencing-level id="fl-n3-1" index="1" target="n3" devices="fence-bad"/>
      <fencing-level id="fl-n3-3" index="3" target="n3" devices="fence-n9"/>
      <fencing-level id="fl-n3-4" index="4" target="n3" devices="nosuch"/>
)");
  h.startUp();
  h.settle(healthy);
  h.take(h.ctl.onMembersChanged(without("n3"), kNow));
  h.confirmWrites();
  ASSERT_EQ(h.fencing.size(), 1u) << testing::PrintToString(h.log);
  const FenceRequest& req = h.fencing.front();
  EXPECT_EQ(req.node, "n3");
  EXPECT_TRUE(req.device.type.empty()) << "no single device: the levels are tried";
  ASSERT_EQ(req.levels.size(), 4u);
  EXPECT_EQ(req.levels[0].index, 1);
  ASSERT_EQ(req.levels[0].devices.size(), 1u);
  EXPECT_EQ(req.levels[0].devices[0].resource, "fence-bad");
  EXPECT_EQ(req.levels[0].devices[0].type, "fence_failing");
  EXPECT_EQ(req.levels[0].devices[0].operation, "reboot");
  EXPECT_EQ(req.levels[0].devices[0].params.at("mode"), "fail");
  EXPECT_EQ(req.levels[1].index, 2);
  ASSERT_EQ(req.levels[1].devices.size(), 2u);
  EXPECT_EQ(req.levels[1].devices[0].resource, "fence1");
  EXPECT_EQ(req.levels[1].devices[1].resource, "fence-psu2");
  EXPECT_TRUE(req.levels[1].unusable.empty());
  EXPECT_TRUE(req.levels[2].devices.empty());
  EXPECT_EQ(req.levels[2].unusable,
            "fence-n9 cannot fence n3: its pcmk_host_list does not name n3");
  EXPECT_EQ(req.levels[3].unusable, "nosuch cannot fence n3: it is not a configured fence device");
  EXPECT_TRUE(
      h.logged("fencing n3 by its fencing topology: level 1 (fence-bad), level 2 "
               "(fence1,fence-psu2), level 3 (fence-n9), level 4 (nosuch)"))
      << testing::PrintToString(h.log);

  // Every level failed: NOT fenced, retried later like a failing device.
  h.take(h.ctl.onFenceResult("n3", false, "every fencing level failed: ...", kNow + 30));
  EXPECT_TRUE(h.logged("fencing n3 failed: every fencing level failed"));
  h.take(h.ctl.onTick(kNow + 40));
  ASSERT_EQ(h.fencing.size(), 2u);
  EXPECT_EQ(h.fencing.back(), h.fencing.front());
  h.take(h.ctl.onFenceResult("n3", true, "level 2 (fence1,fence-psu2) fenced it", kNow + 41));
  h.settle(healthy);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
}

TEST(ControllerTopology, NodeWithoutLevelsIsFencedAsBeforeByTheFirstUsableDevice) {
  Harness h;
  h.xml = withTopology(fencingCib("", kTopologyDevices), R"(
      <fencing-level id="fl-n3-1" index="1" target="n3" devices="fence-bad"/>
)");
  h.startUp();
  h.settle(healthy);
  h.take(h.ctl.onMembersChanged(without("n2"), kNow));
  h.confirmWrites();
  ASSERT_EQ(h.fencing.size(), 1u);
  EXPECT_TRUE(h.fencing.front().levels.empty());
  EXPECT_EQ(h.fencing.front().device.resource, "fence1");
}

TEST(ControllerTopology, PcsStonithFenceUsesTheTopologyWithItsOperation) {
  Harness h;
  h.xml = withTopology(fencingCib("", kTopologyDevices), R"(
      <fencing-level id="fl-n.-1" index="1" target-pattern="n." devices="fence-bad"/>
      <fencing-level id="fl-n.-2" index="2" target-pattern="n." devices="fence-psu2"/>
)");
  h.startUp();
  h.settle(healthy);
  ControllerOutput out = h.ctl.requestFence("n2", /*off=*/true, kNow);
  ASSERT_EQ(out.fencing.size(), 1u) << testing::PrintToString(out.log);
  const FenceRequest& req = out.fencing.front();
  EXPECT_EQ(req.device.operation, "off");
  ASSERT_EQ(req.levels.size(), 2u);
  EXPECT_EQ(req.levels[0].devices.at(0).operation, "off");
  EXPECT_EQ(req.levels[1].devices.at(0).resource, "fence-psu2");
  EXPECT_EQ(out.log, std::vector<std::string>{"fencing n2 (off) by its fencing topology: level 1 "
                                              "(fence-bad), level 2 (fence-psu2) on request"});
  h.take(std::move(out));
  EXPECT_TRUE(h.ctl.requestFence("n2", false, kNow).fencing.empty()) << "already outstanding";
}

}  // namespace
}  // namespace pulse::crmd
