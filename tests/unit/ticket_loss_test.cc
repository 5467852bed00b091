// A lost ticket with loss-policy="fence": the nodes running what depends on
// it are fenced ("deadman ticket was lost"), and the resource recovers on a
// node that is still clean, after the fencing (Pacemaker's
// constraints_for_ticket). Without fencing configured, the policy is "stop".
#include <string>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2"};

// The fence device's history, as its agent (stonith:fence_dummy) records it.
std::string fencerHistory(const std::vector<Op>& ops) {
  return asAgent(history("fencer", ops), "stonith", "", "fence_dummy");
}

// web runs on n1 and depends on ticket T, which was revoked; the fence device
// runs on n2.
std::string ticketRevoked(bool fencing) {
  std::string xml =
      cib(kNodes,
          "<primitive id=\"fencer\" class=\"stonith\" type=\"fence_dummy\"/>" + primitive("web"),
          "<rsc_ticket id=\"web-needs-T\" rsc=\"web\" ticket=\"T\" "
          "loss-policy=\"fence\"/>",
          "<tickets><ticket_state id=\"T\" granted=\"false\"/></tickets>" +
              nodeState("1", "n1", history("web", {{"start", 0, 2}})) +
              nodeState("2", "n2", fencerHistory({{"start", 0, 3}})));
  if (fencing) {
    const std::string off = nvpair("opt-stonith", "stonith-enabled", "false");
    xml.replace(xml.find(off), off.size(), nvpair("opt-stonith", "stonith-enabled", "true"));
  }
  return xml;
}

TEST(TicketLoss, FencePolicyFencesTheNodeRunningTheDependent) {
  auto t = scheduleOk(ticketRevoked(true));
  ASSERT_FALSE(t.summary.empty());
  EXPECT_EQ(t.summary[0].verb, "Fence (reboot)");
  EXPECT_EQ(t.summary[0].resource, "n1");
  EXPECT_EQ(t.summary[0].reason, "deadman ticket was lost");
  // The ticket keeps web off every node, so it stops (implied by the fencing).
  EXPECT_EQ(placedOn(t, "web"), "");
}

TEST(TicketLoss, FencePolicyWithoutFencingStopsInstead) {
  auto t = scheduleOk(ticketRevoked(false));
  EXPECT_EQ(summaryOf(t), V{"Stop web (n1)"});
}

}  // namespace
}  // namespace pulse::pe
