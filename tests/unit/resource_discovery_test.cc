// resource-discovery="exclusive" in location constraints: the resource runs only on the nodes
// such constraints name (Pacemaker's apply_exclusive_discovery), whatever else prefers.
#include <string>
#include <vector>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2", "n3"};

std::string exclusiveOn(const std::string& id, const std::string& rsc, const std::string& node) {
  return "<rsc_location id=\"" + id + "\" rsc=\"" + rsc + "\" node=\"" + node +
         "\" score=\"0\" resource-discovery=\"exclusive\"/>";
}

TEST(ResourceDiscovery, AnExclusiveResourceRunsOnlyWhereAnExclusiveConstraintSaysSo) {
  auto t = scheduleOk(cib(kNodes, primitive("web"),
                          "<rsc_location id=\"l1\" rsc=\"web\" node=\"n1\" score=\"100\"/>" +
                              exclusiveOn("l2", "web", "n2"),
                          emptyStatus(kNodes)));
  EXPECT_EQ(summaryOf(t), (V{"Start web (n2)"}));
}

TEST(ResourceDiscovery, AnExclusiveRuleMatchingNoNodeLeavesTheResourceStopped) {
  auto t = scheduleOk(cib(kNodes, primitive("web"),
                          "<rsc_location id=\"l\" rsc=\"web\" resource-discovery=\"exclusive\">"
                          "<rule id=\"r\" score=\"0\"><expression id=\"e\" attribute=\"role\""
                          " operation=\"eq\" value=\"web\"/></rule></rsc_location>",
                          emptyStatus(kNodes)));
  EXPECT_TRUE(t.summary.empty());
  EXPECT_EQ(placedOn(t, "web"), "");
}

TEST(ResourceDiscovery, AGroupsMembersFollowItsExclusiveNodes) {
  std::string group = "<group id=\"g\">" + primitive("a") + primitive("b") + "</group>";
  auto t = scheduleOk(cib(kNodes, group, exclusiveOn("l", "g", "n3"), emptyStatus(kNodes)));
  EXPECT_EQ(summaryOf(t), (V{"Start a (n3)", "Start b (n3)"}));
}

TEST(ResourceDiscovery, NeverDoesNotKeepTheResourceAway) {
  auto t = scheduleOk(cib(kNodes, primitive("web"),
                          "<rsc_location id=\"l\" rsc=\"web\" node=\"n2\" score=\"10\""
                          " resource-discovery=\"never\"/>",
                          emptyStatus(kNodes)));
  EXPECT_EQ(summaryOf(t), (V{"Start web (n2)"}));
}

TEST(ResourceDiscovery, AnUnknownModeIsRefused) {
  auto result = schedule(cib(kNodes, primitive("web"),
                             "<rsc_location id=\"l\" rsc=\"web\" node=\"n2\" score=\"10\""
                             " resource-discovery=\"sometimes\"/>",
                             emptyStatus(kNodes)));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("resource-discovery 'sometimes'"), std::string::npos)
      << result.error().message;
}

}  // namespace
}  // namespace pulse::pe
