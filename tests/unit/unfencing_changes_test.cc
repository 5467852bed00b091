// Unfencing after a fence device changed, as a user sees it in the Transition Summary: with
// a device that provides unfencing, a node where the device's agent or parameters changed is
// unfenced again, and what requires unfencing there restarts after it.
#include <string>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const std::string kDevice =
    "<primitive id=\"fencing\" class=\"stonith\" type=\"fence_scsi\"><meta_attributes "
    "id=\"f-m\">" +
    nvpair("f-p", "provides", "unfencing") + "</meta_attributes></primitive>";

// n1 and n2 both unfenced already; the device and app run on n1, whose record of the device
// names the agent `device_type_on_n1`.
std::string clusterWithDeviceHistory(const std::string& device_type_on_n1) {
  auto device = [](const std::string& type, const std::vector<Op>& ops) {
    std::string h = history("fencing", ops);
    const std::string agent = "class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"";
    h.replace(h.find(agent), agent.size(), "class=\"stonith\" type=\"" + type + "\"");
    return h;
  };
  auto unfenced = [](std::string state, const std::string& id) {
    state.insert(state.find("<lrm"), "<transient_attributes id=\"" + id +
                                         "\"><instance_attributes id=\"u" + id + "\">" +
                                         nvpair("u" + id, "#node-unfenced", "1") +
                                         "</instance_attributes></transient_attributes>");
    return state;
  };
  const std::string status = unfenced(nodeState("1", "n1",
                                                device(device_type_on_n1, {{"start", 0, 2}}) +
                                                    history("app", {{"start", 0, 3}})),
                                      "1") +
                             unfenced(nodeState("2", "n2",
                                                device("fence_scsi", {{"monitor", 7, 1}}) +
                                                    history("app", {{"monitor", 7, 1}})),
                                      "2");
  const std::string resources = kDevice + primitive("app");
  const std::string constraints =
      "<rsc_location id=\"f-n1\" rsc=\"fencing\" node=\"n1\" score=\"100\"/>"
      "<rsc_location id=\"a-n1\" rsc=\"app\" node=\"n1\" score=\"100\"/>";
  std::string xml = cib({"n1", "n2"}, resources, constraints, status);
  const std::string off = nvpair("opt-stonith", "stonith-enabled", "false");
  xml.replace(xml.find(off), off.size(), nvpair("opt-stonith", "stonith-enabled", "true"));
  return xml;
}

TEST(UnfencingChanges, ADeviceWhoseAgentChangedUnfencesItsNodeAgain) {
  auto t = scheduleOk(clusterWithDeviceHistory("fence_virt"));
  EXPECT_EQ(summaryOf(t), (V{"Fence (on) n1 ()", "Restart app (n1)", "Restart fencing (n1)"}));
}

TEST(UnfencingChanges, AnUnchangedDeviceLeavesEverythingAlone) {
  auto t = scheduleOk(clusterWithDeviceHistory("fence_scsi"));
  EXPECT_EQ(summaryOf(t), V{});
}

}  // namespace
}  // namespace pulse::pe
