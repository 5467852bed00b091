// pcs constraint order|colocation|ticket set, ticket add/delete, tag create/update/delete,
// resource [op] defaults update, utilization, node attribute|utilization, op delete and
// ungroup: the CIB pcs 0.11 writes, its ids, and its refusals.
#include "cib_edit_test_util.h"

namespace pulse::pcs::testing {
namespace {

std::string threeDummies() {
  std::string cib = kEmptyCib;
  for (const char* id : {"A", "B", "C"}) {
    cib = ok(cib, std::string("resource create ") + id + " ocf:heartbeat:Dummy");
  }
  return cib;
}

TEST(SetConstraint, OrderSetsWithOptions) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml xml(ok(threeDummies(),
             "constraint order set A B sequential=false set C setoptions kind=Optional"));
  const std::string c = "//rsc_order[@id='order_set_AABBCC']";
  EXPECT_EQ(xml.attr(c, "kind"), "Optional");
  EXPECT_EQ(xml.attr(c + "/resource_set[@id='order_set_AABBCC_set']", "sequential"), "false");
  EXPECT_EQ(xml.count(c + "/resource_set[@id='order_set_AABBCC_set']/resource_ref"), 2u);
  EXPECT_TRUE(xml.node(c + "/resource_set[@id='order_set_AABBCC_set-1']/resource_ref[@id='C']"));
}

TEST(SetConstraint, ColocationDefaultsToInfinity) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml xml(ok(threeDummies(), "constraint colocation set A B"));
  EXPECT_EQ(xml.attr("//rsc_colocation[@id='colocation_set_AABB']", "score"), "INFINITY");
  Xml scored(ok(threeDummies(), "constraint colocation set A B setoptions score=100 id=c1"));
  EXPECT_EQ(scored.attr("//rsc_colocation[@id='c1']", "score"), "100");
}

TEST(SetConstraint, Refusals) {
  PULSE_REQUIRE_REAL_AGENTS();
  EXPECT_EQ(fails(threeDummies(), "constraint order set A Z"), "Resource 'Z' does not exist");
  EXPECT_EQ(fails(threeDummies(), "constraint order set A B sequential=maybe"),
            "'maybe' is not a valid sequential value, use 'false', 'true'");
  EXPECT_EQ(fails(threeDummies(), "constraint ticket set A B"),
            "required option 'ticket' is missing");
  EXPECT_EQ(fails(threeDummies(), "constraint colocation set A B setoptions score=bad"),
            "invalid score 'bad', use integer or INFINITY or -INFINITY");
}

TEST(Ticket, AddWithRoleAndDelete) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(threeDummies(), "constraint ticket add T1 A loss-policy=stop");
  Xml xml(cib);
  EXPECT_EQ(xml.attr("//rsc_ticket[@id='ticket-T1-A']", "ticket"), "T1");
  EXPECT_EQ(xml.attr("//rsc_ticket[@id='ticket-T1-A']", "loss-policy"), "stop");
  Xml promoted(ok(threeDummies(), "constraint ticket add T2 master B"));
  EXPECT_EQ(promoted.attr("//rsc_ticket[@id='ticket-T2-B-Promoted']", "rsc-role"), "Promoted");
  cib = ok(cib, "constraint ticket set B C setoptions ticket=T1");
  Xml deleted(ok(ok(cib, "constraint ticket delete T1 A"), "constraint ticket delete T1 B"));
  EXPECT_EQ(deleted.count("//rsc_ticket[@rsc]"), 0u);
  EXPECT_EQ(deleted.count("//resource_ref"), 1u);  // C stays in the set
  EXPECT_EQ(fails(cib, "constraint ticket delete T9 A"), "no matching resource tickets found");
  EXPECT_EQ(fails(cib, "constraint ticket add T1 A"),
            "duplicate constraint already exists, use --force to override");
  EXPECT_EQ(fails(cib, "constraint ticket add T1 C loss-policy=bogus"),
            "'bogus' is not a valid loss-policy value, use 'demote', 'fence', 'freeze', 'stop'");
}

TEST(Tag, CreateUpdateDelete) {
  PULSE_REQUIRE_REAL_AGENTS();
  const std::string tagged = ok(threeDummies(), "tag create t1 A B");
  EXPECT_EQ(Xml(tagged).count("//tags/tag[@id='t1']/obj_ref"), 2u);
  Xml updated(ok(tagged, "tag update t1 add C remove A"));
  EXPECT_FALSE(updated.node("//obj_ref[@id='A']"));
  EXPECT_TRUE(updated.node("//tag/obj_ref[2][@id='C']"));
  Xml before(ok(tagged, "tag update t1 add C --before B"));
  EXPECT_TRUE(before.node("//tag/obj_ref[2][@id='C']"));
  EXPECT_TRUE(before.node("//tag/obj_ref[3][@id='B']"));
  EXPECT_EQ(fails(tagged, "resource delete A"),
            "Unable to remove resource 'A' because it is referenced in tags: 't1'");
  Xml removed(ok(tagged, "tag remove t1"));
  EXPECT_EQ(removed.count("//tag"), 0u);
  EXPECT_EQ(removed.count("//tags"), 1u);  // pcs leaves the empty section
  EXPECT_EQ(fails(threeDummies(), "tag create t1 A Z"),
            "bundle/clone/group/resource 'Z' does not exist");
  EXPECT_EQ(fails(threeDummies(), "tag create t1 A A"),
            "Ids to add must be unique, duplicate ids: 'A'");
  EXPECT_EQ(fails(tagged, "tag create A B"), "'A' already exists");
  EXPECT_EQ(fails(tagged, "tag update t1 remove A B"),
            "There would be no references left in the tag 't1', please remove the whole tag "
            "using the 'pcs tag remove t1' command");
}

TEST(Defaults, UpdateAndRemove) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(kEmptyCib, "resource defaults update resource-stickiness=100");
  cib = ok(cib, "resource op defaults update timeout=240s");
  Xml xml(cib);
  EXPECT_EQ(xml.attr("//rsc_defaults/meta_attributes[@id='rsc_defaults-meta_attributes']/"
                     "nvpair[@id='rsc_defaults-meta_attributes-resource-stickiness']",
                     "value"),
            "100");
  EXPECT_EQ(xml.attr("//op_defaults//nvpair[@name='timeout']", "value"), "240s");
  EXPECT_EQ(Xml(ok(cib, "resource defaults resource-stickiness=")).count("//rsc_defaults//nvpair"),
            0u);
}

TEST(NvSets, UtilizationAndNodeAttributes) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml rsc(ok(threeDummies(), "resource utilization A cpu=2 memory=1024"));
  EXPECT_EQ(rsc.attr("//primitive[@id='A']/utilization[@id='A-utilization']/"
                     "nvpair[@id='A-utilization-cpu']",
                     "value"),
            "2");
  EXPECT_EQ(std::string(rsc.node("//primitive[@id='A']/*[last()]").name()), "utilization");
  Xml node(ok(ok(threeDummies(), "node attribute n1 rack=r1"), "node utilization n1 cpu=8"));
  EXPECT_EQ(node.attr("//node[@uname='n1']/instance_attributes[@id='nodes-1']/"
                      "nvpair[@id='nodes-1-rack']",
                      "value"),
            "r1");
  EXPECT_EQ(node.attr("//nvpair[@id='nodes-1-utilization-cpu']", "value"), "8");
  EXPECT_EQ(fails(threeDummies(), "node utilization n9 cpu=1"), "Unable to find a node: n9");
  EXPECT_EQ(fails(threeDummies(), "resource utilization Z cpu=1"), "Unable to find a resource: Z");
}

TEST(OpDelete, ByActionOptionsOrId) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml by_action(ok(threeDummies(), "resource op delete A monitor"));
  EXPECT_EQ(by_action.count("//primitive[@id='A']//op[@name='monitor']"), 0u);
  EXPECT_EQ(by_action.count("//primitive[@id='B']//op[@name='monitor']"), 1u);
  Xml by_id(ok(threeDummies(), "resource op remove A-start-interval-0s"));
  EXPECT_FALSE(by_id.node("//op[@id='A-start-interval-0s']"));
  EXPECT_EQ(fails(threeDummies(), "resource op delete A monitor interval=99s"),
            "Unable to find operation matching: monitor interval=99s");
  EXPECT_EQ(fails(threeDummies(), "resource op delete no-such-op"),
            "unable to find operation id: no-such-op");
}

TEST(Ungroup, MembersLeaveAndEmptyGroupGoes) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string grouped = ok(threeDummies(), "resource group add g A B C");
  grouped = ok(grouped, "constraint location g prefers n1");
  Xml one(ok(grouped, "resource ungroup g B"));
  EXPECT_EQ(one.count("//group[@id='g']/primitive"), 2u);
  EXPECT_TRUE(one.node("//resources/primitive[@id='B']"));
  Xml all(ok(grouped, "resource group delete g"));
  EXPECT_EQ(all.count("//group"), 0u);
  EXPECT_EQ(all.count("//rsc_location"), 0u);
  EXPECT_EQ(fails(grouped, "resource ungroup g Z"), "Resource 'Z' does not exist in group 'g'");
}

}  // namespace
}  // namespace pulse::pcs::testing
