// Agent meta-data parsing, on inline XML and on what real agents print.
#include <gtest/gtest.h>

#include "crmd/executor/agent_metadata.h"
#include "crmd/executor/agent_process.h"
#include "tests/executor/ocf_root.h"
#include "tests/fixtures/missing_tool.h"

namespace pulse::crmd {
namespace {

using std::chrono::milliseconds;

TEST(Duration, PacemakerUnits) {
  EXPECT_EQ(*parseDuration("20s"), milliseconds(20000));
  EXPECT_EQ(*parseDuration("20"), milliseconds(20000));
  EXPECT_EQ(*parseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*parseDuration("2min"), milliseconds(120000));
  EXPECT_EQ(*parseDuration("1h"), milliseconds(3600000));
  EXPECT_EQ(*parseDuration(" 10 s "), milliseconds(10000));
  EXPECT_FALSE(parseDuration("soon"));
  EXPECT_FALSE(parseDuration("10 fortnights"));
  EXPECT_FALSE(parseDuration("-5s"));
  EXPECT_FALSE(parseDuration(""));
}

TEST(Metadata, BadXmlIsAnErrorNotACrash) {
  EXPECT_FALSE(parseAgentMetadata(""));
  EXPECT_FALSE(parseAgentMetadata("\x01\xff<not xml"));
  EXPECT_FALSE(parseAgentMetadata("<other/>"));
  auto r = parseAgentMetadata(
      "<resource-agent name='x'><parameters><parameter/></parameters></resource-agent>");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no name"), std::string::npos);
  EXPECT_FALSE(parseAgentMetadata(
      "<resource-agent name='x'><actions><action name='start' timeout='soon'/></actions>"
      "</resource-agent>"));
}

AgentMetadata metadataOf(const OcfRoot& root, const std::string& provider,
                         const std::string& type) {
  auto md = fetchAgentMetadata(root.path(), AgentName{provider, type});
  EXPECT_TRUE(md) << md.error().message;
  return md ? *md : AgentMetadata{};
}

TEST(Metadata, FetchErrorsNameTheAgent) {
  OcfRoot root;
  auto missing = fetchAgentMetadata(root.path(), AgentName{"heartbeat", "NoSuchAgent"});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("ocf:heartbeat:NoSuchAgent"), std::string::npos);
  root.addLocalAgent("NotXml", "echo '<resource-agent name=broken'; exit 0");
  auto broken = fetchAgentMetadata(root.path(), AgentName{"local", "NotXml"});
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("not XML"), std::string::npos) << broken.error().message;
}

TEST(Metadata, DebianDummy) {
  OcfRoot root;
  const AgentMetadata md = metadataOf(root, "heartbeat", "Dummy");
  EXPECT_EQ(md.name, "Dummy");
  const AgentParameter* state = md.parameter("state");
  ASSERT_NE(state, nullptr);
  EXPECT_TRUE(state->unique);
  EXPECT_FALSE(state->required);
  EXPECT_EQ(state->type, "string");
  EXPECT_TRUE(state->default_value.has_value());
  EXPECT_FALSE(state->shortdesc.empty());
  const AgentActionSpec* monitor = md.action("monitor");
  ASSERT_NE(monitor, nullptr);
  EXPECT_EQ(monitor->timeout, milliseconds(20000));
  EXPECT_EQ(monitor->interval, milliseconds(10000));
  ASSERT_NE(md.action("meta-data"), nullptr);
  EXPECT_EQ(md.action("meta-data")->timeout, milliseconds(5000));
}

TEST(Metadata, DebianIPaddr2IpIsRequiredAndUnique) {
  PULSE_REQUIRE_INSTALLED(OcfRoot::hasSystemAgent("heartbeat", "IPaddr2"), "ocf:heartbeat:IPaddr2",
                          "resource-agents");
  OcfRoot root;
  const AgentMetadata md = metadataOf(root, "heartbeat", "IPaddr2");
  const AgentParameter* ip = md.parameter("ip");
  ASSERT_NE(ip, nullptr);
  EXPECT_TRUE(ip->required);
  EXPECT_TRUE(ip->unique);
  const AgentParameter* nic = md.parameter("nic");
  ASSERT_NE(nic, nullptr);
  EXPECT_FALSE(nic->required);
  ASSERT_NE(md.action("start"), nullptr);
  EXPECT_TRUE(md.action("start")->timeout.has_value());
}

TEST(Metadata, StatefulMonitorsPerRole) {
  PULSE_REQUIRE_INSTALLED(OcfRoot::hasSystemAgent("pacemaker", "Stateful"),
                          "ocf:pacemaker:Stateful", "pacemaker-resource-agents");
  OcfRoot root;
  const AgentMetadata md = metadataOf(root, "pacemaker", "Stateful");
  const AgentActionSpec* promoted = md.action("monitor", "Promoted");
  const AgentActionSpec* unpromoted = md.action("monitor", "Unpromoted");
  ASSERT_NE(promoted, nullptr);
  ASSERT_NE(unpromoted, nullptr);
  EXPECT_NE(promoted->interval, unpromoted->interval);  // Pacemaker needs them distinct
  EXPECT_NE(md.action("promote"), nullptr);
}

TEST(Metadata, PulseTestAgents) {
  OcfRoot root;
  for (const char* type : {"Flaky", "HangAgent", "Garbage"}) {
    const AgentMetadata md = metadataOf(root, "pulse", type);
    EXPECT_EQ(md.name, type);
    EXPECT_NE(md.action("monitor"), nullptr) << type;
  }
}

}  // namespace
}  // namespace pulse::crmd
