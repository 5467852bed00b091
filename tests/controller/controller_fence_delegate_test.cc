// The member that fences for the DC (crmd/controller/fence_delegation.h): the DC as target, or
// kept off the devices by a location constraint, asks the lowest member that may run them; when
// that member cannot (its agent missing, the device failing there, no answer, it left), the
// next one, as Pacemaker's fencer moves to the next capable peer; the operation fails only when
// every eligible member failed, naming each.
#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <string>
#include <vector>

#include "crmd/controller/fence_delegation.h"

namespace pulse::crmd {
namespace {

std::vector<Member> members(std::initializer_list<int> ids) {
  std::vector<Member> out;
  for (int id : ids) out.push_back(Member{static_cast<NodeId>(id), "n" + std::to_string(id), 1});
  return out;
}

FenceRequest fenceDevice(const std::string& target) {
  FenceRequest r;
  r.node = target;
  r.node_id = static_cast<NodeId>(std::stoi(target.substr(1)));
  r.device.resource = "fence";
  r.device.type = "fence_pulse_netns";
  r.device.operation = "reboot";
  return r;
}

pugi::xml_document cibAvoiding(const std::string& rsc, const std::string& node,
                               const std::string& score = "-INFINITY") {
  pugi::xml_document doc;
  const std::string xml = "<cib><configuration><constraints><rsc_location id=\"l\" rsc=\"" + rsc +
                          "\" node=\"" + node + "\" score=\"" + score +
                          "\"/></constraints></configuration></cib>";
  EXPECT_TRUE(doc.load_string(xml.c_str()));
  return doc;
}

std::optional<std::string> nextName(FenceDelegation& d, const std::vector<Member>& view,
                                    const pugi::xml_node* cib = nullptr) {
  auto m = d.next(view, cib);
  if (!m) return std::nullopt;
  return m->name;
}

TEST(FenceDelegate, TheDcAsTargetAsksTheLowestOtherMemberFirst) {
  FenceDelegation d("n1", fenceDevice("n1"));
  EXPECT_EQ(nextName(d, members({3, 1, 2})), "n2");
  EXPECT_EQ(d.executor(), "n2");
}

TEST(FenceDelegate, AMemberThatCouldNotFenceIsFollowedByTheNextOne) {
  // n2 has no fence_pulse_netns: n3 is asked, not n2 again, and never the DC n1 itself.
  FenceDelegation d("n1", fenceDevice("n1"));
  const auto view = members({1, 2, 3});
  ASSERT_EQ(nextName(d, view), "n2");
  d.failed("no such agent: fence_pulse_netns");
  EXPECT_EQ(nextName(d, view), "n3");
  d.failed("fence: exit 1");
  EXPECT_EQ(nextName(d, view), std::nullopt);
  EXPECT_EQ(d.tried(), (std::vector<std::string>{"n2", "n3"}));
  EXPECT_EQ(d.failure(),
            "no member could fence n1: n2: no such agent: fence_pulse_netns; n3: fence: exit 1");
}

TEST(FenceDelegate, FiveNodesTryEveryEligibleMemberInIdOrder) {
  FenceDelegation d("n2", fenceDevice("n2"));
  const auto view = members({5, 4, 3, 2, 1});
  std::vector<std::string> asked;
  while (auto name = nextName(d, view)) {
    asked.push_back(*name);
    d.failed("timed out");
  }
  EXPECT_EQ(asked, (std::vector<std::string>{"n1", "n3", "n4", "n5"}));
}

TEST(FenceDelegate, AMemberJoiningAfterAFailureIsAsked) {
  FenceDelegation d("n1", fenceDevice("n1"));
  ASSERT_EQ(nextName(d, members({1, 3})), "n3");
  d.failed("left before reporting");
  EXPECT_EQ(nextName(d, members({1, 2})), "n2");
}

TEST(FenceDelegate, ALocationConstraintKeepsTheDevicesOffAMember) {
  const pugi::xml_document cib = cibAvoiding("fence", "n2");
  const pugi::xml_node root = cib.document_element();
  FenceDelegation d("n1", fenceDevice("n1"));
  const auto view = members({1, 2, 3});
  ASSERT_EQ(nextName(d, view, &root), "n3");
  d.failed("fence: exit 1");
  EXPECT_EQ(nextName(d, view, &root), std::nullopt);
  EXPECT_EQ(d.failure(), "no member could fence n1: n3: fence: exit 1");
  EXPECT_FALSE(mayRunFenceDevices(root, fenceDevice("n1"), "n2"));
  EXPECT_TRUE(mayRunFenceDevices(root, fenceDevice("n1"), "n3"));
  // A finite negative score is a preference, not a ban; another resource's ban is not the
  // device's.
  const pugi::xml_document weak = cibAvoiding("fence", "n2", "-100");
  EXPECT_TRUE(mayRunFenceDevices(weak.document_element(), fenceDevice("n1"), "n2"));
  const pugi::xml_document other = cibAvoiding("vip", "n2");
  EXPECT_TRUE(mayRunFenceDevices(other.document_element(), fenceDevice("n1"), "n2"));
}

TEST(FenceDelegate, ATopologyDeviceBannedFromAMemberKeepsThatMemberOut) {
  FenceRequest r = fenceDevice("n1");
  r.device = ActionRequest{};
  r.device.operation = "reboot";
  FenceLevel level;
  level.index = 1;
  level.devices.resize(2);
  level.devices[0].resource = "ipmi";
  level.devices[1].resource = "psu";
  r.levels.push_back(level);
  const pugi::xml_document cib = cibAvoiding("psu", "n2");
  const pugi::xml_node root = cib.document_element();
  FenceDelegation d("n1", r);
  EXPECT_EQ(nextName(d, members({1, 2, 3}), &root), "n3");
}

TEST(FenceDelegate, TheTargetIsNeverAskedWhenTheDcMayNotRunTheDevices) {
  // The DC n1 is banned from the device and n2 is the target: only n3 may.
  const pugi::xml_document cib = cibAvoiding("fence", "n1");
  const pugi::xml_node root = cib.document_element();
  FenceDelegation d("n1", fenceDevice("n2"));
  const auto view = members({1, 2, 3});
  ASSERT_EQ(nextName(d, view, &root), "n3");
  d.failed("no such agent: fence_pulse_netns");
  EXPECT_EQ(nextName(d, view, &root), std::nullopt);
}

TEST(FenceDelegate, WithNoOtherMemberTheFailureSaysWhy) {
  FenceDelegation d("n1", fenceDevice("n1"));
  EXPECT_EQ(nextName(d, members({1})), std::nullopt);
  EXPECT_TRUE(d.tried().empty());
  EXPECT_EQ(d.failure(),
            "no other member may run a fence device for n1, and a node does not fence itself "
            "with a device");
  FenceDelegation banned("n1", fenceDevice("n2"));
  EXPECT_EQ(nextName(banned, members({1, 2})), std::nullopt);
  EXPECT_EQ(banned.failure(),
            "no member may run the fence devices for n2 (location constraints keep them off n1 "
            "and the others)");
}

}  // namespace
}  // namespace pulse::crmd
