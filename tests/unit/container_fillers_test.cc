// Resources inside a container (meta-attribute container=ID), as a user sees them: they run
// with their container, and a failure inside restarts the container with everything in it.
#include <string>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

std::string filler(const std::string& id, const std::string& extra_meta = "") {
  return primitive(id, nvpair(id + "-c", "container", "box") + extra_meta);
}

const std::string kResources = primitive("box") + filler("app") + filler("web");

TEST(ContainerFillers, FillersStartWithTheirContainer) {
  auto t = scheduleOk(cib({"n1", "n2"}, kResources, "", emptyStatus({"n1", "n2"})));
  EXPECT_EQ(summaryOf(t), (V{"Start app (n1)", "Start box (n1)", "Start web (n1)"}));
  EXPECT_EQ(placedOn(t, "app"), placedOn(t, "box"));
  EXPECT_EQ(placedOn(t, "web"), placedOn(t, "box"));
}

TEST(ContainerFillers, AFailedFillerRestartsItsContainer) {
  // app's monitor failed on n1: the container restarts, app is recovered and web, inside the
  // same container, restarts with it.
  const std::string status =
      nodeState("1", "n1",
                history("box", {{"start", 0, 2}}) +
                    history("app", {{"start", 0, 3}, {"monitor", 7, 4, 10000}}) +
                    history("web", {{"start", 0, 5}})) +
      nodeState("2", "n2");
  auto t = scheduleOk(cib({"n1", "n2"}, kResources, "", status));
  EXPECT_EQ(summaryOf(t), (V{"Recover app (n1)", "Restart box (n1)", "Restart web (n1)"}));
  EXPECT_EQ(placedOn(t, "box"), "n1");
}

TEST(ContainerFillers, AFillerFailingTooOftenMovesTheContainer) {
  // migration-threshold=1 on the container: app's single failure counts for box, so box
  // and everything inside it move to n2.
  const std::string resources =
      primitive("box", nvpair("box-t", "migration-threshold", "1")) + filler("app") + filler("web");
  const std::string status =
      nodeState("1", "n1",
                history("box", {{"start", 0, 2}}) +
                    history("app", {{"start", 0, 3}, {"monitor", 7, 4, 10000}}) +
                    history("web", {{"start", 0, 5}})) +
      nodeState("2", "n2");
  std::string xml = cib({"n1", "n2"}, resources, "", status);
  // The fail count the cluster recorded for app's monitor on n1.
  const std::string attrs = "<transient_attributes id=\"1\"><instance_attributes id=\"ta1\">" +
                            nvpair("fc", "fail-count-app#monitor_10000", "1") +
                            "</instance_attributes></transient_attributes>";
  xml.insert(xml.find("<lrm id=\"1\""), attrs);
  auto t = scheduleOk(xml);
  EXPECT_EQ(placedOn(t, "box"), "n2");
  EXPECT_EQ(placedOn(t, "app"), "n2");
  EXPECT_EQ(placedOn(t, "web"), "n2");
}

TEST(ContainerFillers, RestartContainerWithoutAContainerRecoversTheResource) {
  const std::string resources =
      "<primitive id=\"solo\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><operations>"
      "<op id=\"solo-mon\" name=\"monitor\" interval=\"10s\" on-fail=\"restart-container\"/>"
      "</operations></primitive>";
  auto t = scheduleOk(
      cib({"n1"}, resources, "",
          nodeState("1", "n1", history("solo", {{"start", 0, 2}, {"monitor", 7, 3, 10000}}))));
  EXPECT_EQ(summaryOf(t), (V{"Recover solo (n1)"}));
}

}  // namespace
}  // namespace pulse::pe
