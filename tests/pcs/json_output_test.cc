// pcs resource config / stonith config / constraint list --output-format=json, byte for byte: the
// key order of pcs's DTOs, compact separators, nulls for absent attributes, and how strings are
// escaped (quotes, backslashes, control characters, UTF-8 kept as it is, invalid UTF-8 replaced).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pcs-cli/cib_edit.h"

namespace pulse::pcs {
namespace {

// One fence device with an operation and nvsets; XML character references put control
// characters, a quote, a backslash and non-ASCII text into the values.
const std::string kFencedCib =
    R"(<cib epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/><nodes/>
<resources>
  <primitive id="f1" class="stonith" type="fence_xvm" description="say &quot;hi&quot;\now">
    <instance_attributes id="f1-ia">
      <nvpair id="f1-ia-key" name="key_file" value="/etc/k&#9;ey&#10;&#13;&#1;&#31;&#127;"/>
      <nvpair id="f1-ia-port" name="port" value="v&#233;m&#8364;"/>
    </instance_attributes>
    <meta_attributes id="f1-meta"/>
    <operations>
      <op id="f1-monitor" name="monitor" interval="60s" timeout="20s">
        <instance_attributes id="f1-monitor-ia"/>
      </op>
    </operations>
  </primitive>
  <primitive id="web" class="ocf" provider="heartbeat" type="Dummy"/>
</resources>
<constraints>
  <rsc_location id="loc" rsc="web" node="n1" score="INFINITY"/>
  <rsc_location id="loc-pattern" rsc-pattern="w.*" role="Started" node="n2" score="-10"
                resource-discovery="never"/>
  <rsc_colocation id="col" rsc="web" with-rsc="f1" score="INFINITY" rsc-role="Started"/>
  <rsc_order id="ord" first="f1" then="web" kind="Optional" symmetrical="false"/>
</constraints>
</configuration><status/></cib>)";

TEST(JsonOutput, StonithConfigIsPcsDtoByteForByte) {
  auto json = stonithConfigJson(kFencedCib);
  ASSERT_TRUE(json.ok()) << json.error().message;
  EXPECT_EQ(
      *json,
      R"({"primitives":[{"id":"f1",)"
      R"("agent_name":{"standard":"stonith","provider":null,"type":"fence_xvm"},)"
      R"("description":"say \"hi\"\\now",)"
      R"("operations":[{"id":"f1-monitor","name":"monitor","interval":"60s","description":null,)"
      R"("start_delay":null,"interval_origin":null,"timeout":"20s","enabled":null,)"
      R"("record_pending":null,"role":null,"on_fail":null,"meta_attributes":[],)"
      R"("instance_attributes":[{"id":"f1-monitor-ia","options":{},"rule":null,"nvpairs":[]}]}],)"
      R"("meta_attributes":[{"id":"f1-meta","options":{},"rule":null,"nvpairs":[]}],)"
      R"("instance_attributes":[{"id":"f1-ia","options":{},"rule":null,"nvpairs":[)"
      R"({"id":"f1-ia-key","name":"key_file","value":"/etc/k\tey\n\r\u0001\u001f)"
      "\x7f"
      R"("},{"id":"f1-ia-port","name":"port","value":")"
      "v\xc3\xa9m\xe2\x82\xac"
      R"("}]}],"utilization":[]}],)"
      R"("clones":[],"groups":[],"bundles":[]})"
      "\n");
}

TEST(JsonOutput, ConstraintListIsPcsDtoByteForByte) {
  auto json = constraintListJson(kFencedCib);
  ASSERT_TRUE(json.ok()) << json.error().message;
  EXPECT_EQ(*json, R"({"location":[{"resource_id":"web","resource_pattern":null,"role":null,)"
                   R"("attributes":{"constraint_id":"loc","score":"INFINITY","node":"n1",)"
                   R"("resource_discovery":null}},)"
                   R"({"resource_id":null,"resource_pattern":"w.*","role":"Started",)"
                   R"("attributes":{"constraint_id":"loc-pattern","score":"-10","node":"n2",)"
                   R"("resource_discovery":"never"}}],)"
                   R"("colocation":[{"resource_id":"web","with_resource_id":"f1",)"
                   R"("resource_role":"Started","with_resource_role":null,)"
                   R"("attributes":{"constraint_id":"col","score":"INFINITY"}}],)"
                   R"("order":[{"first_resource_id":"f1","then_resource_id":"web",)"
                   R"("first_action":null,"then_action":null,)"
                   R"("attributes":{"constraint_id":"ord","symmetrical":"false","score":null,)"
                   R"("kind":"Optional"}}]})");
}

// Resources as pcs 0.11 lists them: every primitive in document order (a stonith device only
// inside a group), then clones before Pacemaker 1 masters, then groups; nvpairs sorted by id,
// set attributes other than id under "options", operation booleans and legacy roles converted.
const std::string kResourcesCib =
    R"(<cib epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/><nodes/>
<resources>
  <primitive id="fence" class="stonith" type="fence_xvm"/>
  <group id="g">
    <primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2">
      <instance_attributes id="ip-ia" score="2">
        <nvpair id="ip-ia-z" name="ip" value="10.0.0.1"/>
        <nvpair id="ip-ia-a" name="cidr_netmask" value="24"/>
      </instance_attributes>
      <utilization id="ip-u"><nvpair id="ip-u-cpu" name="cpu" value="1"/></utilization>
      <operations>
        <op id="ip-mon" name="monitor" interval="10s" role="Slave" enabled="no" on-fail="block"/>
      </operations>
    </primitive>
  </group>
  <master id="ms"><primitive id="db" class="ocf" provider="pacemaker" type="Stateful"/></master>
  <clone id="c">
    <meta_attributes id="c-meta"><nvpair id="c-meta-i" name="interleave" value="true"/></meta_attributes>
    <primitive id="web" class="ocf" provider="heartbeat" type="apache" description="d"/>
  </clone>
</resources><constraints/></configuration><status/></cib>)";

TEST(JsonOutput, ResourceConfigIsPcsDto) {
  std::vector<std::string> warnings;
  auto json = resourcesConfigJson(kResourcesCib, false, {}, warnings);
  ASSERT_TRUE(json.ok()) << json.error().message;
  EXPECT_TRUE(warnings.empty());
  const std::string none = R"("meta_attributes":[],"instance_attributes":[],"utilization":[]})";
  EXPECT_EQ(
      *json,
      R"({"primitives":[{"id":"ip","agent_name":{"standard":"ocf","provider":"heartbeat",)"
      R"("type":"IPaddr2"},"description":null,"operations":[{"id":"ip-mon","name":"monitor",)"
      R"("interval":"10s","description":null,"start_delay":null,"interval_origin":null,)"
      R"("timeout":null,"enabled":false,"record_pending":null,"role":"Unpromoted",)"
      R"("on_fail":"block","meta_attributes":[],"instance_attributes":[]}],)"
      R"("meta_attributes":[],"instance_attributes":[{"id":"ip-ia","options":{"score":"2"},)"
      R"("rule":null,"nvpairs":[{"id":"ip-ia-a","name":"cidr_netmask","value":"24"},)"
      R"({"id":"ip-ia-z","name":"ip","value":"10.0.0.1"}]}],"utilization":[{"id":"ip-u",)"
      R"("options":{},"rule":null,"nvpairs":[{"id":"ip-u-cpu","name":"cpu","value":"1"}]}]},)"
      R"({"id":"db","agent_name":{"standard":"ocf","provider":"pacemaker","type":"Stateful"},)"
      R"("description":null,"operations":[],)" +
          none +
          R"(,{"id":"web","agent_name":{"standard":"ocf","provider":"heartbeat","type":"apache"},)"
          R"("description":"d","operations":[],)" +
          none +
          R"(],"clones":[{"id":"c","description":null,"member_id":"web","meta_attributes":[)"
          R"({"id":"c-meta","options":{},"rule":null,"nvpairs":[{"id":"c-meta-i",)"
          R"("name":"interleave","value":"true"}]}],"instance_attributes":[]},)"
          R"({"id":"ms","description":null,"member_id":"db","meta_attributes":[{"id":"",)"
          R"("options":{},"rule":null,"nvpairs":[{"id":"","name":"promotable","value":"true"}]}],)"
          R"("instance_attributes":[]}],"groups":[{"id":"g","description":null,)"
          R"("member_ids":["ip"],"meta_attributes":[],"instance_attributes":[]}],"bundles":[]})"
          "\n");
}

// Named ids keep what is inside them, sorted by id; unknown ones warn; none found is an error.
TEST(JsonOutput, ResourceConfigFiltersByIdAsPcs) {
  std::vector<std::string> warnings;
  auto json = resourcesConfigJson(kResourcesCib, false, {"g", "nope", "db"}, warnings);
  ASSERT_TRUE(json.ok()) << json.error().message;
  EXPECT_EQ(warnings, std::vector<std::string>{"Unable to find resource 'nope'"});
  EXPECT_NE(json->find(R"({"primitives":[{"id":"db",)"), std::string::npos) << *json;
  EXPECT_NE(json->find(R"(},{"id":"ip",)"), std::string::npos) << *json;
  EXPECT_NE(json->find(R"("clones":[],"groups":[{"id":"g",)"), std::string::npos) << *json;
  EXPECT_EQ(json->find("web"), std::string::npos) << *json;

  warnings.clear();
  ASSERT_TRUE(resourcesConfigJson(kResourcesCib, false, {"zz", "g", "aa", "zz"}, warnings).ok());
  EXPECT_EQ(warnings, (std::vector<std::string>{"Unable to find resource 'zz'",
                                                "Unable to find resource 'aa'"}));

  warnings.clear();
  auto fence = resourcesConfigJson(kResourcesCib, false, {"fence"}, warnings);
  ASSERT_FALSE(fence.ok());
  EXPECT_EQ(fence.error().message, "No resource found");
  EXPECT_EQ(warnings, std::vector<std::string>{"Unable to find resource 'fence'"});

  warnings.clear();
  auto stonith = resourcesConfigJson(kResourcesCib, true, {"fence"}, warnings);
  ASSERT_TRUE(stonith.ok()) << stonith.error().message;
  EXPECT_NE(stonith->find(R"({"primitives":[{"id":"fence",)"), std::string::npos) << *stonith;
  EXPECT_NE(stonith->find(R"("clones":[],"groups":[],"bundles":[]})"), std::string::npos);
  EXPECT_FALSE(resourcesConfigJson(kResourcesCib, true, {"ip"}, warnings).ok());
}

// A rule inside an attribute set is refused, naming the set, rather than shown as no rule.
TEST(JsonOutput, ResourceConfigRefusesRulesItCannotShow) {
  std::string cib = kResourcesCib;
  const std::string set = R"(<utilization id="ip-u">)";
  cib.replace(cib.find(set), set.size(),
              R"(<utilization id="ip-u"><rule id="r" boolean-op="and" score="0">)"
              R"(<expression id="e" attribute="#uname" operation="eq" value="n1"/></rule>)");
  std::vector<std::string> warnings;
  auto json = resourcesConfigJson(cib, false, {}, warnings);
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.error().message.find("'ip-u'"), std::string::npos) << json.error().message;
}

}  // namespace
}  // namespace pulse::pcs
