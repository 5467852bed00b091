// The revised status pe-simulate prints after a transition, as crm_simulate shows it: from the
// history its simulated actions leave behind, not from the scheduler's own bookkeeping.
// Expected results are Debian's crm_simulate 2.1.5 on the same CIBs.
#include <string>
#include <vector>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2"};

// web's start on n1 is pending without a call id (call-id -1), recorded in transition 5 of
// the controller `controller`; web prefers n2.
std::string pendingStartCib(const std::string& controller) {
  const std::string key = "1:5:0:" + controller;
  const std::string lrm =
      "<lrm_resource id=\"web\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
      "<lrm_rsc_op id=\"web_start_0\" operation_key=\"web_start_0\" operation=\"start\" "
      "transition-key=\"" +
      key + "\" transition-magic=\"-1:-1;" + key +
      "\" call-id=\"-1\" rc-code=\"-1\" op-status=\"-1\" interval=\"0\" op-digest=\"" +
      recordedDigest(0) + "\"/></lrm_resource>";
  return cib(kNodes, primitive("web"),
             "<rsc_location id=\"l\" rsc=\"web\" node=\"n2\" score=\"100\"/>",
             nodeState("1", "n1", lrm) + nodeState("2", "n2"));
}

const ResourceView* viewNamed(const ClusterView& view, const std::string& id) {
  for (const ResourceView& r : view.resources) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

TEST(RevisedStatus, AStartPendingUnderAnotherControllerStaysNewerThanTheSimulatedStop) {
  // The stop the transition records on n1 sorts before the pending start (Pacemaker's
  // pe__is_newer_op), so web still shows as active on n1 too.
  auto t = scheduleOk(pendingStartCib("0a1b2c3d-0000-0000-0000-000000000000"));
  EXPECT_EQ(summaryOf(t), (V{"Move web (n1 -> n2)"}));
  const ResourceView* web = viewNamed(t.revised, "web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->nodes, (V{"n1", "n2"}));
}

TEST(RevisedStatus, AStartPendingUnderTheRecordingControllerIsSupersededByTheStop) {
  // Recorded under the same (fake) controller as the simulated stop, in a numbered
  // transition: the stop is the newer operation and web has left n1.
  auto t = scheduleOk(pendingStartCib("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"));
  EXPECT_EQ(summaryOf(t), (V{"Move web (n1 -> n2)"}));
  EXPECT_EQ(placedOn(t, "web"), "n2");
  const ResourceView* web = viewNamed(t.revised, "web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->nodes, (V{"n2"}));
}

TEST(RevisedStatus, FencingWithoutADeviceLeavesResourcesAloneYetStillManaged) {
  // With fencing enabled and no device the scheduler touches nothing, but the configuration
  // still manages web: crm_mon shows it plainly, not "(unmanaged)".
  std::string xml =
      cib(kNodes, primitive("web"), "",
          nodeState("1", "n1", history("web", {{"start", 0, 2}})) + nodeState("2", "n2"));
  xml.replace(xml.find("value=\"false\""), 13, "value=\"true\"");  // stonith-enabled
  auto t = scheduleOk(xml);
  EXPECT_TRUE(t.summary.empty());
  const ResourceView* web = viewNamed(t.revised, "web");
  ASSERT_NE(web, nullptr);
  EXPECT_TRUE(web->managed);
  EXPECT_EQ(web->nodes, (V{"n1"}));
}

}  // namespace
}  // namespace pulse::pe
