// pcs resource clone / promotable / unclone (and create ... clone|promotable), and
// constraint location RSC rule: the CIB pcs 0.11 writes, its ids, and its refusals.
#include "cib_edit_test_util.h"

namespace pulse::pcs::testing {
namespace {

std::string dummies() {
  std::string cib = ok(kEmptyCib, "resource create A ocf:heartbeat:Dummy");
  return ok(cib, "resource create B ocf:heartbeat:Dummy");
}

TEST(ResourceClone, WrapsThePrimitiveAtTheEnd) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml xml(ok(dummies(), "resource clone A clone-max=2"));
  EXPECT_TRUE(xml.node("//resources/clone[@id='A-clone']/primitive[@id='A']"));
  // As in pcs, the clone goes last in <resources>; its meta attributes follow the primitive.
  EXPECT_EQ(std::string(xml.node("//resources/*[2]").attribute("id").as_string()), "A-clone");
  EXPECT_EQ(xml.attr("//clone/meta_attributes[@id='A-clone-meta_attributes']/"
                     "nvpair[@id='A-clone-meta_attributes-clone-max']",
                     "value"),
            "2");
  EXPECT_EQ(std::string(xml.node("//clone/*[2]").name()), "meta_attributes");
}

TEST(ResourceClone, PromotableAndCustomId) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml xml(ok(dummies(), "resource promotable A A-ha notify=true"));
  EXPECT_EQ(xml.attr("//clone[@id='A-ha']//nvpair[@name='promotable']", "value"), "true");
  EXPECT_EQ(xml.attr("//clone[@id='A-ha']//nvpair[@name='notify']", "value"), "true");
}

TEST(ResourceClone, CreateWithCloneOrPromotable) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml clone(ok(kEmptyCib, "resource create web ocf:heartbeat:Dummy clone interleave=true"));
  EXPECT_TRUE(clone.node("//clone[@id='web-clone']/primitive[@id='web']"));
  EXPECT_EQ(clone.attr("//nvpair[@id='web-clone-meta_attributes-interleave']", "value"), "true");
  Xml promotable(ok(kEmptyCib, "resource create st ocf:heartbeat:Dummy promotable"));
  EXPECT_EQ(promotable.attr("//clone[@id='st-clone']//nvpair[@name='promotable']", "value"),
            "true");
  EXPECT_EQ(fails(kEmptyCib, "resource create st ocf:heartbeat:Dummy clone --group g"),
            "you can specify only one of clone, promotable, bundle or --group");
}

TEST(ResourceClone, Refusals) {
  PULSE_REQUIRE_REAL_AGENTS();
  const std::string cloned = ok(dummies(), "resource clone A");
  EXPECT_EQ(fails(cloned, "resource clone A-clone"), "'A-clone' is already a clone resource");
  EXPECT_EQ(fails(cloned, "resource clone A"), "'A' is already a clone resource");
  EXPECT_EQ(fails(dummies(), "resource clone Z"), "Unable to find resource or group with id Z");
  EXPECT_EQ(fails(dummies(), "resource clone A B"), "'B' already exists");
  EXPECT_EQ(fails(dummies(), "resource clone A notify=yes"),
            "'yes' is not a valid notify value, use 'false', 'true'");
}

TEST(ResourceClone, GroupMemberLeavesItsGroup) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string grouped = ok(dummies(), "resource group add g A B");
  grouped = ok(grouped, "constraint location g prefers n1");
  Xml one(ok(grouped, "resource clone A"));
  EXPECT_TRUE(one.node("//resources/clone[@id='A-clone']/primitive[@id='A']"));
  EXPECT_EQ(one.count("//group[@id='g']/primitive"), 1u);
  Xml last(ok(ok(grouped, "resource clone A"), "resource clone B"));
  EXPECT_EQ(last.count("//group"), 0u);  // emptied: gone, with its constraint
  EXPECT_EQ(last.count("//rsc_location"), 0u);
}

TEST(ResourceUnclone, ByCloneOrMemberId) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cloned = ok(dummies(), "resource clone A");
  cloned = ok(cloned, "constraint location A-clone prefers n1");
  for (const char* id : {"A-clone", "A"}) {
    Xml xml(ok(cloned, std::string("resource unclone ") + id));
    EXPECT_EQ(xml.count("//clone"), 0u) << id;
    EXPECT_TRUE(xml.node("//resources/primitive[@id='A']")) << id;
    EXPECT_EQ(xml.count("//rsc_location"), 0u) << id;  // it named the clone
  }
  EXPECT_EQ(fails(dummies(), "resource unclone A"), "'A' is not a clone resource");
}

TEST(LocationRule, ComparisonWithScore) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml xml(ok(dummies(), "constraint location A rule score=50 #uname eq n1"));
  EXPECT_EQ(xml.attr("//rsc_location[@id='location-A']", "rsc"), "A");
  EXPECT_EQ(xml.attr("//rule[@id='location-A-rule']", "score"), "50");
  const std::string e = "//expression[@id='location-A-rule-expr']";
  EXPECT_EQ(xml.attr(e, "attribute"), "#uname");
  EXPECT_EQ(xml.attr(e, "operation"), "eq");
  EXPECT_EQ(xml.attr(e, "value"), "n1");
}

TEST(LocationRule, AndOrChainsAndParentheses) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml chain(ok(dummies(), "constraint location A rule not_defined pingd or pingd lte 0"));
  EXPECT_EQ(chain.attr("//rule[@id='location-A-rule']", "boolean-op"), "or");
  EXPECT_EQ(chain.attr("//rule[@id='location-A-rule']", "score"), "INFINITY");
  EXPECT_EQ(chain.attr("//expression[@id='location-A-rule-expr-1']", "operation"), "lte");
  Xml nested(ok(dummies(),
                "constraint location A rule score=10 ( #uname eq n1 or #uname eq n2 ) and "
                "defined pingd"));
  EXPECT_EQ(nested.attr("//rule[@id='location-A-rule']", "boolean-op"), "and");
  EXPECT_EQ(nested.attr("//rule[@id='location-A-rule-rule']", "boolean-op"), "or");
  EXPECT_EQ(nested.attr("//rule[@id='location-A-rule-rule']", "score"), "0");
  EXPECT_EQ(nested.count("//rule[@id='location-A-rule-rule']/expression"), 2u);
  EXPECT_EQ(nested.attr("//rule[@id='location-A-rule']/expression", "operation"), "defined");
}

TEST(LocationRule, DatesAndOptions) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml spec(ok(dummies(), "constraint location A rule date-spec hours=9-16 weekdays=1-5"));
  EXPECT_EQ(spec.attr("//date_spec[@id='location-A-rule-expr-datespec']", "hours"), "9-16");
  Xml range(ok(dummies(),
               "constraint location A rule date in_range 2023-01-01 to duration "
               "months=2"));
  EXPECT_EQ(range.attr("//date_expression", "start"), "2023-01-01");
  EXPECT_EQ(range.attr("//duration[@id='location-A-rule-expr-duration']", "months"), "2");
  Xml before(ok(dummies(), "constraint location A rule date lt 2030-01-01"));
  EXPECT_EQ(before.attr("//date_expression", "end"), "2030-01-01");
  Xml named(ok(dummies(),
               "constraint location A rule id=r1 constraint-id=l1 role=Promoted "
               "resource-discovery=never score-attribute=pingd defined pingd"));
  EXPECT_EQ(named.attr("//rsc_location[@id='l1']", "resource-discovery"), "never");
  EXPECT_EQ(named.attr("//rule[@id='r1']", "score-attribute"), "pingd");
  EXPECT_EQ(named.attr("//rule[@id='r1']", "role"), "Promoted");
  EXPECT_TRUE(named.node("//expression[@id='r1-expr']"));
}

TEST(LocationRule, Refusals) {
  PULSE_REQUIRE_REAL_AGENTS();
  EXPECT_EQ(fails(dummies(), "constraint location A rule"), "no rule expression was specified");
  EXPECT_EQ(fails(dummies(), "constraint location A rule score=10 #uname eqq n1"),
            "'#uname eqq n1' is not a valid rule expression: unexpected '#uname'");
  EXPECT_EQ(fails(dummies(), "constraint location A rule score=ten #uname eq n1"),
            "invalid score 'ten', use integer or INFINITY or -INFINITY");
  EXPECT_EQ(fails(dummies(), "constraint location Z rule #uname eq n1"),
            "Resource 'Z' does not exist");
  EXPECT_EQ(fails(dummies(), "constraint location A rule cpus gt integer four"),
            "invalid integer value 'four'");
  // A type word where an attribute stands starts a typed value in pcs's grammar.
  EXPECT_EQ(fails(dummies(), "constraint location A rule version gte version 1.2.3"),
            "'version gte version 1.2.3' is not a valid rule expression: invalid version value "
            "'gte'");
}

}  // namespace
}  // namespace pulse::pcs::testing

namespace pulse::pcs::testing {
namespace {

TEST(LocationAdd, NamedConstraintReplacedById) {
  PULSE_REQUIRE_REAL_AGENTS();
  const std::string cib = ok(kEmptyCib, "resource create A ocf:heartbeat:Dummy");
  std::string added =
      ok(cib, "constraint location add loc1 A n1 -INFINITY resource-discovery=never");
  Xml xml(added);
  EXPECT_EQ(xml.attr("//rsc_location[@id='loc1']", "score"), "-INFINITY");
  EXPECT_EQ(xml.attr("//rsc_location[@id='loc1']", "resource-discovery"), "never");
  Xml replaced(ok(added, "constraint location add loc1 A n2 5"));
  EXPECT_EQ(replaced.count("//rsc_location"), 1u);
  EXPECT_EQ(replaced.attr("//rsc_location[@id='loc1']", "node"), "n2");
  EXPECT_EQ(fails(cib, "constraint location add loc1 A n1 bad"),
            "invalid score 'bad', use integer or INFINITY or -INFINITY");
  EXPECT_EQ(fails(cib, "constraint location add loc1 A n9 5"),
            "Node 'n9' does not appear to exist in configuration, use --force to override");
  // pcs -f has no cluster to ask about nodes.
  EditContext offline = context();
  offline.offline = true;
  EXPECT_TRUE(Xml(ok(cib, "constraint location add loc1 A n9 5", offline))
                  .node("//rsc_location[@node='n9']"));
}

TEST(ResourceClone, DisabledCloneAndCloneUpdate) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml disabled(ok(kEmptyCib, "resource create d1 ocf:heartbeat:Dummy --disabled clone"));
  // pcs stops the clone, its meta attributes first in it.
  EXPECT_EQ(disabled.attr("//clone[@id='d1-clone']/*[1]/nvpair[@name='target-role']", "value"),
            "Stopped");
  EXPECT_FALSE(disabled.node("//primitive/meta_attributes"));
  const std::string cloned = ok(kEmptyCib, "resource create d1 ocf:heartbeat:Dummy clone");
  Xml updated(ok(cloned, "resource update d1-clone clone-max=2"));
  EXPECT_EQ(updated.attr("//clone/meta_attributes/nvpair[@name='clone-max']", "value"), "2");
  EXPECT_EQ(fails(cloned, "constraint location d1 prefers n1"),
            "d1 is a clone resource, you should use the clone id: d1-clone when adding "
            "constraints. Use --force to override.");
}

}  // namespace
}  // namespace pulse::pcs::testing
