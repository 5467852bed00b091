// crm_attribute / crm_node command lines (Pacemaker 2.1.5's options and exit codes) and what
// crm_attribute does to a CIB (pcs-cli/crm_tool_args.h, pcs-cli/attribute_edit.h).
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include "pcs-cli/attribute_edit.h"
#include "pcs-cli/crm_tool_args.h"

namespace pulse::pcs {
namespace {

CrmAttributeArgs attrOk(const std::vector<std::string>& words,
                        std::optional<std::string> instance = std::nullopt) {
  auto parsed = parseCrmAttribute(words, instance);
  if (auto* e = std::get_if<ToolError>(&parsed)) ADD_FAILURE() << e->message;
  return std::get<CrmAttributeArgs>(parsed);
}

ToolError attrError(const std::vector<std::string>& words,
                    std::optional<std::string> instance = std::nullopt) {
  auto parsed = parseCrmAttribute(words, instance);
  if (!std::holds_alternative<ToolError>(parsed)) {
    ADD_FAILURE() << "accepted";
    return {};
  }
  return std::get<ToolError>(parsed);
}

TEST(CrmAttributeArgs, PromotionFromTheAgentEnvironment) {
  // Stateful: crm_attribute --promotion -v 10, run with OCF_RESOURCE_INSTANCE=db.
  auto a = attrOk({"--promotion", "-v", "10"}, "db");
  EXPECT_EQ(a.command, AttributeCommand::kUpdate);
  EXPECT_EQ(a.name, "master-db");
  EXPECT_EQ(a.value, "10");
  EXPECT_EQ(a.scope, "status");  // -p defaults the lifetime to reboot
  EXPECT_FALSE(a.node);
  // -p with the resource given, attached or as the next word.
  EXPECT_EQ(attrOk({"--promotion=web", "-D"}, "db").name, "master-web");
  EXPECT_EQ(attrOk({"-p", "web", "-G"}).name, "master-web");
  EXPECT_EQ(attrOk({"-pweb", "-G"}).name, "master-web");
  EXPECT_EQ(attrOk({"-p", "-l", "forever", "-v", "5"}, "db").scope, "nodes");
}

TEST(CrmAttributeArgs, PromotionWithoutResourceIsAUsageError) {
  const ToolError e = attrError({"--promotion", "-v", "10"});
  EXPECT_EQ(e.exit_code, 64);
  EXPECT_EQ(e.message,
            "-p/--promotion must be called from an OCF resource agent or with a resource ID "
            "specified");
}

TEST(CrmAttributeArgs, ScopeAsPacemakerChoosesIt) {
  EXPECT_EQ(attrOk({"-n", "cluster-delay", "-G"}).scope, "crm_config");
  EXPECT_EQ(attrOk({"-N", "n1", "-n", "site", "-v", "a"}).scope, "nodes");
  EXPECT_EQ(attrOk({"-N", "n1", "-n", "site", "-l", "reboot", "-v", "a"}).scope, "status");
  EXPECT_EQ(attrOk({"--type", "crm_config", "--name=x", "--query", "--quiet"}).scope, "crm_config");
  EXPECT_EQ(attrOk({"-l", "REBOOT", "-n", "x"}).scope, "status");
}

TEST(CrmAttributeArgs, BundledFlagsAndAttachedValues) {
  auto a = attrOk({"-qG", "-nfoo", "-Nn2", "-lreboot"});
  EXPECT_TRUE(a.quiet);
  EXPECT_EQ(a.command, AttributeCommand::kQuery);
  EXPECT_EQ(a.name, "foo");
  EXPECT_EQ(a.node, "n2");
  EXPECT_EQ(a.scope, "status");
  // A required value may start with '-'.
  EXPECT_EQ(attrOk({"-n", "x", "-l", "reboot", "-v", "-INFINITY"}).value, "-INFINITY");
  // The last command wins, as in Pacemaker.
  EXPECT_EQ(attrOk({"-n", "x", "-v", "1", "-D"}).command, AttributeCommand::kDelete);
}

TEST(CrmAttributeArgs, BadOptionsAreUsageErrors) {
  EXPECT_EQ(attrError({"--bogus"}).message, "Unknown option --bogus");
  EXPECT_EQ(attrError({"--bogus"}).exit_code, 64);
  EXPECT_EQ(attrError({"-x"}).message, "Unknown option -x");
  EXPECT_EQ(attrError({"-n"}).message, "Missing argument for -n");
  EXPECT_EQ(attrError({"--name"}).message, "Missing argument for --name");
  EXPECT_EQ(attrError({"-G", "stray"}).exit_code, 64);
  EXPECT_EQ(attrError({"-n", "x", "-l", "sometimes"}).exit_code, 64);
}

TEST(CrmAttributeArgs, MissingNameIsRefusedForChanges) {
  const ToolError del = attrError({"-D", "-l", "reboot"});
  EXPECT_EQ(del.exit_code, 64);
  EXPECT_EQ(del.message, "Error: must specify attribute name or pattern to delete");
  EXPECT_EQ(attrError({"-v", "1", "-l", "reboot"}).exit_code, 70);
  // A query without a name lists every attribute.
  EXPECT_FALSE(attrOk({"-G", "-l", "reboot"}).name);
}

TEST(CrmAttributeArgs, UnsupportedFeaturesSaySo) {
  EXPECT_EQ(attrError({"-n", "x", "-z", "-v", "1"}).exit_code, 3);
  EXPECT_EQ(attrError({"-t", "tickets", "-n", "x"}).exit_code, 3);
  EXPECT_EQ(attrError({"--output-as=xml", "-n", "x"}).exit_code, 3);
}

CrmNodeArgs nodeOk(const std::vector<std::string>& words) {
  auto parsed = parseCrmNode(words);
  if (auto* e = std::get_if<ToolError>(&parsed)) ADD_FAILURE() << e->message;
  return std::get<CrmNodeArgs>(parsed);
}

TEST(CrmNodeArgs, Commands) {
  EXPECT_EQ(nodeOk({"-n"}).command, NodeCommand::kName);
  EXPECT_EQ(nodeOk({"--list"}).command, NodeCommand::kList);
  EXPECT_EQ(nodeOk({"-p"}).command, NodeCommand::kPartition);
  EXPECT_EQ(nodeOk({"-q"}).command, NodeCommand::kQuorum);
  EXPECT_EQ(nodeOk({"-i"}).command, NodeCommand::kId);
  EXPECT_EQ(nodeOk({}).command, NodeCommand::kNone);
  auto n = nodeOk({"-N", "3"});
  EXPECT_EQ(n.command, NodeCommand::kNameForId);
  EXPECT_EQ(n.node_id, 3u);
  EXPECT_EQ(nodeOk({"--name-for-id=12"}).node_id, 12u);
}

TEST(CrmNodeArgs, BadInput) {
  auto bad_id = std::get<ToolError>(parseCrmNode({"-N", "two"}));
  EXPECT_EQ(bad_id.exit_code, 64);
  EXPECT_NE(bad_id.message.find("'two'"), std::string::npos);
  EXPECT_EQ(std::get<ToolError>(parseCrmNode({"-Z"})).message, "Unknown option -Z");
  EXPECT_EQ(std::get<ToolError>(parseCrmNode({"-R", "n1"})).exit_code, 3);
}

TEST(CrmNodeArgs, NumericNameOrder) {
  EXPECT_TRUE(numericNameLess("n2", "n10"));
  EXPECT_FALSE(numericNameLess("n10", "n2"));
  EXPECT_TRUE(numericNameLess("Alpha", "beta"));
  EXPECT_TRUE(numericNameLess("n1", "n1a"));
  EXPECT_FALSE(numericNameLess("n1", "n1"));
  EXPECT_TRUE(numericNameLess("n99999999999999999999998", "n99999999999999999999999"));
}

constexpr const char* kCib = R"(<cib admin_epoch="0" epoch="5" num_updates="2">
  <configuration>
    <crm_config/>
    <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
    <resources/><constraints/>
  </configuration>
  <status/>
</cib>)";

struct CibDoc {
  pugi::xml_document doc;
  CibDoc() { EXPECT_TRUE(doc.load_string(kCib)); }
  pugi::xml_node cib() { return doc.child("cib"); }
};

TEST(AttributeEdit, TransientAttributeLivesInTheStatusAndBumpsNumUpdates) {
  CibDoc d;
  EXPECT_EQ(nodeIdForName(d.cib(), "n2"), "2");
  EXPECT_FALSE(nodeIdForName(d.cib(), "n9"));
  auto changed = setAttribute(d.cib(), "status", "2", "master-db", "10");
  ASSERT_TRUE(changed);
  EXPECT_TRUE(*changed);
  EXPECT_STREQ(d.cib().attribute("num_updates").value(), "3");
  EXPECT_STREQ(d.cib().attribute("epoch").value(), "5");
  pugi::xml_node nv =
      d.cib()
          .select_node("status/node_state[@id='2']/transient_attributes/instance_attributes/nvpair")
          .node();
  EXPECT_STREQ(nv.attribute("name").value(), "master-db");
  EXPECT_STREQ(nv.attribute("value").value(), "10");
  // Only status: not a permanent attribute, not on the other node.
  EXPECT_TRUE(queryAttributes(d.cib(), "nodes", "2", "master-db").empty());
  EXPECT_TRUE(queryAttributes(d.cib(), "status", "1", "master-db").empty());
  const auto found = queryAttributes(d.cib(), "status", "2", "master-db");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].second, "10");
  // The same value again is no change (no write).
  EXPECT_FALSE(*setAttribute(d.cib(), "status", "2", "master-db", "10"));
  EXPECT_TRUE(*deleteAttribute(d.cib(), "status", "2", "master-db"));
  EXPECT_TRUE(queryAttributes(d.cib(), "status", "2", "master-db").empty());
  EXPECT_FALSE(*deleteAttribute(d.cib(), "status", "2", "master-db"));
}

TEST(AttributeEdit, PermanentAttributeAndClusterOptionBumpEpoch) {
  CibDoc d;
  EXPECT_TRUE(*setAttribute(d.cib(), "nodes", "1", "site", "east"));
  EXPECT_STREQ(d.cib().attribute("epoch").value(), "6");
  EXPECT_EQ(queryAttributes(d.cib(), "nodes", "1", std::nullopt).size(), 1u);
  EXPECT_TRUE(*setAttribute(d.cib(), "crm_config", "", "stonith-enabled", "false"));
  EXPECT_STREQ(d.cib().attribute("epoch").value(), "7");
  pugi::xml_node nv =
      d.cib()
          .select_node(
              "configuration/crm_config/cluster_property_set[@id='cib-bootstrap-options']/nvpair")
          .node();
  EXPECT_STREQ(nv.attribute("id").value(), "cib-bootstrap-options-stonith-enabled");
  EXPECT_EQ(queryAttributes(d.cib(), "crm_config", "", "stonith-enabled")[0].second, "false");
  EXPECT_TRUE(*deleteAttribute(d.cib(), "crm_config", "", "stonith-enabled"));
  EXPECT_TRUE(queryAttributes(d.cib(), "crm_config", "", "stonith-enabled").empty());
  // A permanent attribute of a node missing from <nodes> is an error, not a new node.
  EXPECT_FALSE(setAttribute(d.cib(), "nodes", "9", "site", "x"));
}

}  // namespace
}  // namespace pulse::pcs
