// pcs cluster setup --inventory: the INI and YAML inventories parse to the same nodes, roles
// and vars; every mistake is refused with FILE:LINE and what was wrong.
#include "pcs-cli/inventory.h"

#include <gtest/gtest.h>

namespace pulse::pcs {
namespace {

Inventory parse(const std::string& text) {
  auto inventory = parseInventory(text, "cluster.ini");
  EXPECT_TRUE(inventory) << inventory.error().message;
  return inventory ? *inventory : Inventory{};
}

std::string refusal(const std::string& text) {
  auto inventory = parseInventory(text, "cluster.ini");
  EXPECT_FALSE(inventory);
  return inventory ? std::string() : inventory.error().message;
}

TEST(Inventory, IniGroupsBecomeRolesAndHostVarsWinOverGroupVars) {
  const Inventory inv = parse(
      "# the master and two slaves\n"
      "[all:vars]\n"
      "ansible_user=support\n"
      "dc=west\n"
      "[db]\n"
      "n1 addr=192.0.2.11 tier=gold\n"
      "n2 ansible_host=192.0.2.12 name=\"Slave 1\"  # inline comment\n"
      "[web]\n"
      "n3 addr=192.0.2.13\n"
      "n1\n"
      "[db:vars]\n"
      "tier = silver\n");
  ASSERT_EQ(inv.nodes.size(), 3u);
  EXPECT_EQ(inv.nodes[0].name, "n1");
  EXPECT_EQ(inv.nodes[0].address, "192.0.2.11");
  EXPECT_EQ(inv.nodes[0].roles, (std::vector<std::string>{"db", "web"}));
  EXPECT_EQ(inv.nodes[0].vars.at("tier"), "gold");  // its own value wins
  EXPECT_EQ(inv.nodes[0].vars.at("dc"), "west");
  EXPECT_FALSE(inv.nodes[0].vars.contains("ansible_user"));
  EXPECT_EQ(inv.nodes[1].address, "192.0.2.12");
  EXPECT_EQ(inv.nodes[1].vars.at("name"), "Slave 1");
  EXPECT_EQ(inv.nodes[1].vars.at("tier"), "silver");
  EXPECT_EQ(inv.nodes[2].roles, (std::vector<std::string>{"web"}));
  EXPECT_FALSE(inv.nodes[2].vars.contains("tier"));
}

TEST(Inventory, YamlSubsetReadsTheSameNodes) {
  const Inventory inv = parse(
      "---\n"
      "nodes:\n"
      "  - name: n1\n"
      "    addr: 192.0.2.11\n"
      "    roles: [db, web]\n"
      "    vars: {tier: gold}\n"
      "  - name: \"n2\"\n"
      "    addr: '192.0.2.12'\n"
      "    roles:\n"
      "      - db\n"
      "    vars:\n"
      "      rack: b   # a comment\n"
      "  -\n"
      "    name: n3\n");
  ASSERT_EQ(inv.nodes.size(), 3u);
  EXPECT_EQ(inv.nodes[0].roles, (std::vector<std::string>{"db", "web"}));
  EXPECT_EQ(inv.nodes[0].vars.at("tier"), "gold");
  EXPECT_EQ(inv.nodes[1].name, "n2");
  EXPECT_EQ(inv.nodes[1].address, "192.0.2.12");
  EXPECT_EQ(inv.nodes[1].roles, (std::vector<std::string>{"db"}));
  EXPECT_EQ(inv.nodes[1].vars.at("rack"), "b");
  EXPECT_EQ(inv.nodes[2].name, "n3");
  EXPECT_TRUE(inv.nodes[2].address.empty());
}

TEST(Inventory, RolesBecomeAttributesRulesCanTest) {
  InventoryNode node{"n1", "192.0.2.11", {"db", "web"}, {{"rack", "a"}}, 1};
  const auto attributes = inventoryAttributes(node);
  EXPECT_EQ(attributes.at("role-db"), "1");
  EXPECT_EQ(attributes.at("role-web"), "1");
  EXPECT_EQ(attributes.at("roles"), "db,web");
  EXPECT_EQ(attributes.at("rack"), "a");
}

TEST(Inventory, MistakesNameFileAndLine) {
  EXPECT_EQ(refusal("[db]\nn1 addr=192.0.2.11\nn1 addr=192.0.2.99\n"),
            "cluster.ini:3: n1: two addresses ('192.0.2.11' and '192.0.2.99'); Pulse runs one "
            "ring, give one addr=");
  EXPECT_EQ(refusal("[db]\nweb[1:3]\n").substr(0, 14), "cluster.ini:2:");
  EXPECT_NE(refusal("[db]\nweb[1:3]\n").find("not expanded"), std::string::npos);
  EXPECT_EQ(refusal("[db]\nn1 oops\n"),
            "cluster.ini:2: 'oops': host vars are written key=value after the host name (one "
            "host per line)");
  EXPECT_EQ(refusal("[db:children]\nweb\n"),
            "cluster.ini:1: [db:children] is not supported: list the hosts under [db] itself");
  EXPECT_EQ(refusal("[db\nn1\n"), "cluster.ini:1: a section header ends with ']'");
  EXPECT_EQ(refusal("# nothing\n[db]\n"), "cluster.ini:2: no nodes in the inventory");
  EXPECT_EQ(refusal("n1 name=\"unterminated\n"), "cluster.ini:1: unterminated quote");
  EXPECT_NE(refusal("n1 9lives=1\n").find("cluster.ini:1: n1: '9lives' is not a valid attribute"),
            std::string::npos);
  EXPECT_EQ(refusal("n1 role-db=1\n"),
            "cluster.ini:1: n1: 'role-db' is set from the node's groups; it cannot be a var");
  EXPECT_EQ(refusal("nodes:\n  - name: n1\n     addr: x\n"),
            "cluster.ini:3: unexpected indentation");
  EXPECT_EQ(refusal("nodes:\n  - name: n1\n    colour: red\n"),
            "cluster.ini:3: unknown node key 'colour' (use name, addr, roles, vars)");
  EXPECT_EQ(refusal("nodes:\n  - addr: 192.0.2.1\n"),
            "cluster.ini:2: each node starts with 'name:'");
  EXPECT_EQ(refusal("nodes:\n\t- name: n1\n"),
            "cluster.ini:2: tabs are not allowed for indentation");
  EXPECT_EQ(refusal("nodes:\n  - name: n1\n  - name: n1\n"),
            "cluster.ini:3: node 'n1' is listed twice");
  EXPECT_EQ(refusal("nodes:\nhosts:\n"), "cluster.ini:2: only 'nodes:' may be at the top level");
}

}  // namespace
}  // namespace pulse::pcs
