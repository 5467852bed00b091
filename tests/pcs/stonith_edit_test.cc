// pcs stonith create / delete / config on a CIB: what the user sees in the file and the errors
// that leave it alone.
#include "cib_edit_test_util.h"

namespace pulse::pcs::testing {
namespace {

// A fence agent in fence-agents' shape: `port` (which the fencer fills in) marked required,
// and the on/off/reboot actions that must never become operations.
KnownAgent fenceXvm() {
  auto md = crmd::parseAgentMetadata(R"(<?xml version="1.0" ?>
<resource-agent name="fence_xvm" shortdesc="Fence agent for virtual machines">
<parameters>
  <parameter name="port" unique="0" required="1"><content type="string"/></parameter>
  <parameter name="key_file" unique="0" required="0"><content type="string"/></parameter>
  <parameter name="timeout" unique="0" required="0"><content type="second"/></parameter>
</parameters>
<actions>
  <action name="on"/><action name="off"/><action name="reboot"/><action name="status"/>
  <action name="list"/><action name="monitor"/><action name="metadata"/>
  <action name="validate-all"/>
</actions>
</resource-agent>)");
  EXPECT_TRUE(md.ok()) << (md.ok() ? "" : md.error().message);
  return KnownAgent{"stonith", "", "fence_xvm", md.ok() ? *md : crmd::AgentMetadata{}};
}

EditContext fencing() {
  EditContext ctx = context();
  ctx.agents.push_back(fenceXvm());
  return ctx;
}

TEST(StonithCreate, WritesAStonithPrimitiveWithOnlyAMonitor) {
  Xml cib(ok(kEmptyCib, "stonith create fence1 fence_xvm key_file=/etc/k pcmk_host_list=n1,n2",
             fencing()));
  const std::string p = "//primitive[@id='fence1']";
  EXPECT_EQ(cib.attr(p, "class"), "stonith");
  EXPECT_EQ(cib.attr(p, "type"), "fence_xvm");
  EXPECT_FALSE(cib.node(p).attribute("provider"));
  EXPECT_EQ(cib.attr(p + "/instance_attributes/nvpair[@name='pcmk_host_list']", "value"), "n1,n2");
  EXPECT_EQ(cib.count(p + "/operations/op"), 1u);
  EXPECT_TRUE(
      cib.node(p + "/operations/op[@id='fence1-monitor-interval-60s' and @interval='60s']"));
}

TEST(StonithCreate, RefusesUnknownAgentUnlessForced) {
  EXPECT_EQ(fails(kEmptyCib, "stonith create f fence_nope", fencing()),
            "Agent 'stonith:fence_nope' is not installed or does not provide valid metadata: "
            "agent not found, use --force to override");
  Xml cib(ok(kEmptyCib, "stonith create f fence_nope --force", fencing()));
  EXPECT_EQ(cib.attr("//primitive[@id='f']", "type"), "fence_nope");
}

TEST(StonithCreate, RefusesBadParameterAndPrefixedName) {
  EXPECT_EQ(fails(kEmptyCib, "stonith create f fence_xvm bogus=1", fencing()),
            "invalid resource option 'bogus', allowed options are: 'key_file', 'port', 'timeout', "
            "use --force to override");
  EXPECT_NE(fails(kEmptyCib, "stonith create f stonith:fence_xvm", fencing())
                .find("Invalid stonith agent name 'stonith:fence_xvm'"),
            std::string::npos);
  EXPECT_NE(fails(kEmptyCib, "stonith create f fence_xvm --group g", fencing()).find("group"),
            std::string::npos);
}

TEST(StonithDelete, RemovesOnlyStonithResources) {
  const std::string with = ok(kEmptyCib, "stonith create f fence_xvm", fencing());
  const std::string both = ok(with, "resource create web ocf:heartbeat:haproxy", fencing());
  EXPECT_EQ(fails(both, "stonith delete web", fencing()),
            "Resource 'web' is not a stonith resource or does not exist");
  EXPECT_EQ(fails(both, "stonith delete nope", fencing()),
            "Resource 'nope' is not a stonith resource or does not exist");
  Xml after(ok(both, "stonith delete f", fencing()));
  EXPECT_EQ(after.count("//primitive"), 1u);
  EXPECT_TRUE(after.node("//primitive[@id='web']"));
}

TEST(StonithConfig, ListsOnlyStonithAndResourceConfigOnlyTheRest) {
  std::string cib = ok(kEmptyCib, "stonith create f fence_xvm key_file=/k", fencing());
  cib = ok(cib, "resource create web ocf:heartbeat:haproxy", fencing());
  auto stonith = stonithConfig(cib);
  ASSERT_TRUE(stonith.ok());
  EXPECT_NE(stonith->find("Resource: f (class=stonith type=fence_xvm)\n"
                          "  Attributes: f-instance_attributes\n    key_file=/k\n"),
            std::string::npos)
      << *stonith;
  EXPECT_EQ(stonith->find("web"), std::string::npos) << *stonith;
  auto resources = resourceConfig(cib);
  ASSERT_TRUE(resources.ok());
  EXPECT_EQ(resources->find("fence_xvm"), std::string::npos) << *resources;
  EXPECT_FALSE(stonithConfig(cib, "web").ok());
  auto json = stonithConfigJson(cib);
  ASSERT_TRUE(json.ok());
  EXPECT_NE(json->find(R"("agent_name":{"standard":"stonith","provider":null,"type":"fence_xvm"})"),
            std::string::npos)
      << *json;
  EXPECT_EQ(json->find("haproxy"), std::string::npos) << *json;
}

}  // namespace
}  // namespace pulse::pcs::testing
