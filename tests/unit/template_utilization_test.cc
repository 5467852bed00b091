// A resource template's utilization, as a user sees it: primitives made from the template
// consume what it says unless they say otherwise, so a primitive too big for every node
// stays stopped.
#include <string>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

TEST(TemplateUtilization, PrimitivesConsumeTheirTemplatesUtilization) {
  const std::string resources =
      "<template id=\"t\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
      "<utilization id=\"t-u\">" +
      nvpair("t-cpu", "cpu", "2") +
      "</utilization></template>"
      "<primitive id=\"big\" template=\"t\"/>"
      "<primitive id=\"small\" template=\"t\"><utilization id=\"s-u\">" +
      nvpair("s-cpu", "cpu", "1") + "</utilization></primitive>";
  std::string xml = cib({"n1", "n2"}, resources, "", emptyStatus({"n1", "n2"}),
                        nvpair("opt-ps", "placement-strategy", "utilization"));
  for (const std::string n : {"1", "2"}) {
    const std::string node = "<node id=\"" + n + "\" uname=\"n" + n + "\"/>";
    xml.replace(xml.find(node), node.size(),
                "<node id=\"" + n + "\" uname=\"n" + n + "\"><utilization id=\"n" + n + "-u\">" +
                    nvpair("n" + n + "-cpu", "cpu", "1") + "</utilization></node>");
  }
  auto t = scheduleOk(xml);
  EXPECT_EQ(placedOn(t, "big"), "");  // needs 2 cpu, no node has more than 1
  EXPECT_EQ(summaryOf(t), (V{"Start small (n1)"}));
}

}  // namespace
}  // namespace pulse::pe
