// pcs stonith config / constraint list --output-format=json, byte for byte: the key order of
// pcs's DTOs, compact separators, nulls for absent attributes, and how strings are escaped
// (quotes, backslashes, control characters, UTF-8 kept as it is, invalid UTF-8 replaced).
#include <gtest/gtest.h>

#include <string>

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
      R"("operations":[{"id":"f1-monitor","name":"monitor","interval":"60s","timeout":"20s",)"
      R"("instance_attributes":[{"id":"f1-monitor-ia","options":{},"rule":null,"nvpairs":[]}]}],)"
      R"("instance_attributes":[{"id":"f1-ia","options":{},"rule":null,"nvpairs":[)"
      R"({"id":"f1-ia-key","name":"key_file","value":"/etc/k\tey\n\r\u0001\u001f)"
      "\x7f"
      R"("},{"id":"f1-ia-port","name":"port","value":")"
      "v\xc3\xa9m\xe2\x82\xac"
      R"("}]}],)"
      R"("meta_attributes":[{"id":"f1-meta","options":{},"rule":null,"nvpairs":[]}]}],)"
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

}  // namespace
}  // namespace pulse::pcs
