// The configuration readers the daemon shares with the engine (policy-engine/cib_config.h):
// here, which resources a node leaves running when it stops or loses quorum.
#include "policy-engine/cib_config.h"

#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <string>

namespace pulse::pe {
namespace {

std::string cibWith(const std::string& crm_config, const std::string& rsc_defaults,
                    const std::string& resources) {
  return R"(<cib><configuration><crm_config><cluster_property_set id="o">)" + crm_config +
         R"(</cluster_property_set></crm_config><rsc_defaults><meta_attributes id="d">)" +
         rsc_defaults + R"(</meta_attributes></rsc_defaults><resources>)" + resources +
         R"(</resources></configuration><status/></cib>)";
}

bool managed(const std::string& xml, const std::string& rsc) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(xml.c_str()));
  return cibconf::resourceManaged(doc.child("cib"), rsc);
}

const std::string kGroup = R"(<group id="g"><meta_attributes id="g-m">GROUP_META</meta_attributes>
  <primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
    <meta_attributes id="vip-m">VIP_META</meta_attributes></primitive>
  <primitive id="web" class="ocf" provider="heartbeat" type="apache"/></group>)";

std::string group(const std::string& group_meta, const std::string& vip_meta) {
  std::string text = kGroup;
  text.replace(text.find("GROUP_META"), 10, group_meta);
  text.replace(text.find("VIP_META"), 8, vip_meta);
  return text;
}

std::string nv(const std::string& name, const std::string& value) {
  return R"(<nvpair id=")" + name + R"(" name=")" + name + R"(" value=")" + value + R"("/>)";
}

TEST(ResourceManaged, ManagedUnlessMaintenanceOrIsManagedFalse) {
  EXPECT_TRUE(managed(cibWith("", "", group("", "")), "vip"));
  EXPECT_TRUE(managed(cibWith("", "", group("", "")), "unknown"));
  EXPECT_FALSE(managed(cibWith(nv("maintenance-mode", "true"), "", group("", "")), "web"));
  EXPECT_TRUE(managed(cibWith(nv("maintenance-mode", "false"), "", group("", "")), "web"));
  EXPECT_FALSE(managed(cibWith("", "", group("", nv("is-managed", "false"))), "vip"));
  EXPECT_TRUE(managed(cibWith("", "", group("", nv("is-managed", "false"))), "web"));
  EXPECT_FALSE(managed(cibWith("", "", group("", nv("maintenance", "true"))), "vip"));
}

TEST(ResourceManaged, NearestSettingWinsFromPrimitiveToGroupToDefaults) {
  // The group's is-managed=false covers both members; the primitive's own true overrides it.
  EXPECT_FALSE(managed(cibWith("", "", group(nv("is-managed", "false"), "")), "web"));
  EXPECT_TRUE(
      managed(cibWith("", "", group(nv("is-managed", "false"), nv("is-managed", "true"))), "vip"));
  EXPECT_FALSE(managed(cibWith("", nv("is-managed", "false"), group("", "")), "vip"));
  EXPECT_TRUE(
      managed(cibWith("", nv("is-managed", "false"), group(nv("is-managed", "yes"), "")), "web"));
  // A clone instance is looked up by its primitive.
  EXPECT_FALSE(managed(
      cibWith(
          "", "",
          R"(<clone id="c"><meta_attributes id="c-m">)" + nv("is-managed", "false") +
              R"(</meta_attributes><primitive id="ping" class="ocf" provider="pacemaker" type="ping"/></clone>)"),
      "ping:1"));
}

}  // namespace
}  // namespace pulse::pe
