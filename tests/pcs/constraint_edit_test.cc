// pcs constraint location / colocation / order / delete / list / ref, and resource
// move / ban / clear.
#include "cib_edit_test_util.h"
#include "policy-engine/xml_dates.h"

namespace pulse::pcs::testing {
namespace {

std::string twoResources() {
  std::string cib = ok(kEmptyCib, kVip);
  return ok(cib, "resource create haproxy ocf:heartbeat:haproxy");
}

TEST(ConstraintLocation, PrefersAndAvoids) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml xml(ok(twoResources(), "constraint location vip prefers n1 n2=50"));
  EXPECT_EQ(xml.attr("//rsc_location[@id='location-vip-n1-INFINITY']", "score"), "INFINITY");
  EXPECT_EQ(xml.attr("//rsc_location[@id='location-vip-n2-50']", "node"), "n2");
  Xml avoid(ok(twoResources(), "constraint location vip avoids n3 n2=20"));
  EXPECT_EQ(avoid.attr("//rsc_location[@id='location-vip-n3--INFINITY']", "score"), "-INFINITY");
  EXPECT_EQ(avoid.attr("//rsc_location[@id='location-vip-n2--20']", "score"), "-20");
}

TEST(ConstraintLocation, ReplacesSameResourceAndNode) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(twoResources(), "constraint location vip prefers n1");
  Xml xml(ok(cib, "constraint location vip avoids n1"));
  EXPECT_EQ(xml.count("//rsc_location"), 1u);
  EXPECT_TRUE(xml.node("//rsc_location[@id='location-vip-n1--INFINITY']"));
}

TEST(ConstraintLocation, Errors) {
  PULSE_REQUIRE_REAL_AGENTS();
  const std::string cib = twoResources();
  EXPECT_EQ(fails(cib, "constraint location vip prefers n9"),
            "Node 'n9' does not appear to exist in configuration, use --force to override");
  EXPECT_EQ(fails(cib, "constraint location vip prefers n1=lots"),
            "invalid score 'lots', use integer or INFINITY or -INFINITY");
  EXPECT_EQ(fails(cib, "constraint location nope prefers n1"), "Resource 'nope' does not exist");
  Xml forced(ok(cib, "constraint location vip prefers n9 --force"));
  EXPECT_TRUE(forced.node("//rsc_location[@id='location-vip-n9-INFINITY']"));
}

TEST(ConstraintColocation, AddsWithPcsId) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml xml(ok(twoResources(), "constraint colocation add haproxy with vip"));
  const std::string c = "//rsc_colocation[@id='colocation-haproxy-vip-INFINITY']";
  EXPECT_EQ(xml.attr(c, "rsc"), "haproxy");
  EXPECT_EQ(xml.attr(c, "with-rsc"), "vip");
  EXPECT_EQ(xml.attr(c, "score"), "INFINITY");
  Xml scored(ok(twoResources(), "constraint colocation add Started haproxy with vip -100"));
  EXPECT_EQ(scored.attr("//rsc_colocation[@id='colocation-haproxy-vip--100']", "rsc-role"),
            "Started");
  EXPECT_EQ(scored.attr("//rsc_colocation[@id='colocation-haproxy-vip--100']", "with-rsc-role"),
            "Started");
}

TEST(ConstraintColocation, Errors) {
  PULSE_REQUIRE_REAL_AGENTS();
  const std::string cib = ok(twoResources(), "constraint colocation add haproxy with vip");
  EXPECT_EQ(fails(cib, "constraint colocation add vip with haproxy"),
            "duplicate constraint already exists, use --force to override\n"
            "  haproxy with vip (score:INFINITY) (id:colocation-haproxy-vip-INFINITY)");
  Xml forced(ok(cib, "constraint colocation add haproxy with vip --force"));
  EXPECT_TRUE(forced.node("//rsc_colocation[@id='colocation-haproxy-vip-INFINITY-1']"));
  EXPECT_EQ(fails(cib, "constraint colocation add nope with vip"),
            "Resource 'nope' does not exist");
  EXPECT_EQ(fails(cib, "constraint colocation add haproxy with vip x with y"),
            "Multiple 'with's cannot be specified.");
  EXPECT_EQ(fails(cib, "constraint colocation add haproxy with vip much"),
            "invalid score 'much', use integer or INFINITY or -INFINITY");
}

TEST(ConstraintOrder, AddsWithPcsId) {
  PULSE_REQUIRE_REAL_AGENTS();
  Xml xml(ok(twoResources(), "constraint order vip then haproxy"));
  const std::string c = "//rsc_order[@id='order-vip-haproxy-mandatory']";
  EXPECT_EQ(xml.attr(c, "first"), "vip");
  EXPECT_EQ(xml.attr(c, "first-action"), "start");
  EXPECT_EQ(xml.attr(c, "then-action"), "start");
  Xml kinded(ok(twoResources(), "constraint order stop vip then start haproxy kind=Optional"));
  EXPECT_EQ(kinded.attr("//rsc_order[@id='order-vip-haproxy-Optional']", "first-action"), "stop");
  EXPECT_EQ(kinded.attr("//rsc_order[@id='order-vip-haproxy-Optional']", "kind"), "Optional");
}

TEST(ConstraintOrder, Errors) {
  PULSE_REQUIRE_REAL_AGENTS();
  const std::string cib = ok(twoResources(), "constraint order vip then haproxy");
  EXPECT_EQ(fails(cib, "constraint order vip then haproxy"),
            "duplicate constraint already exists, use --force to override\n"
            "  start vip then start haproxy (kind:Mandatory) (id:order-vip-haproxy-mandatory)");
  EXPECT_EQ(fails(cib, "constraint order vip then haproxy kind=Sometimes --force"),
            "invalid kind value 'Sometimes', allowed values are: 'Mandatory', 'Optional', "
            "'Serialize'");
  const std::string grouped = ok(cib, "resource group add web vip haproxy");
  EXPECT_EQ(fails(grouped, "constraint order vip then haproxy --force"),
            "Cannot create an order constraint for resources in the same group");
  EXPECT_EQ(fails(cib, "constraint order vip then haproxy then d"),
            "Multiple 'then's cannot be specified.");
}

TEST(ConstraintDelete, ByIdAndUnknown) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(twoResources(), "constraint order vip then haproxy");
  Xml xml(ok(cib, "constraint delete order-vip-haproxy-mandatory"));
  EXPECT_FALSE(xml.node("//rsc_order"));
  Xml removed(ok(cib, "constraint remove order-vip-haproxy-mandatory"));
  EXPECT_FALSE(removed.node("//rsc_order"));
  EXPECT_EQ(fails(cib, "constraint delete nope"), "Unable to find constraint - 'nope'");
}

TEST(ConstraintList, TextJsonAndRef) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(twoResources(), "constraint location vip prefers n1");
  cib = ok(cib, "constraint location haproxy avoids n3=50");
  cib = ok(cib, "constraint colocation add haproxy with vip");
  cib = ok(cib, "constraint order vip then haproxy kind=Optional");
  auto text = constraintList(cib);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text,
            "Location Constraints:\n"
            "  resource 'vip' prefers node 'n1' with score INFINITY\n"
            "  resource 'haproxy' avoids node 'n3' with score 50\n"
            "Colocation Constraints:\n"
            "  resource 'haproxy' with resource 'vip'\n"
            "    score=INFINITY\n"
            "Order Constraints:\n"
            "  start resource 'vip' then start resource 'haproxy'\n"
            "    kind=Optional\n");
  auto full = constraintList(cib, true);
  ASSERT_TRUE(full.ok());
  EXPECT_NE(full->find("resource 'vip' prefers node 'n1' with score INFINITY "
                       "(id: location-vip-n1-INFINITY)\n"),
            std::string::npos);
  auto json = constraintListJson(cib);
  ASSERT_TRUE(json.ok());
  EXPECT_NE(json->find(R"({"resource_id":"vip","resource_pattern":null,"role":null,)"
                       R"("attributes":{"constraint_id":"location-vip-n1-INFINITY",)"
                       R"("score":"INFINITY","node":"n1","resource_discovery":null}})"),
            std::string::npos)
      << *json;
  auto ref = constraintRef(cib, {"vip", "nope"});
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(*ref,
            "Resource: nope\n  No Matches\n"
            "Resource: vip\n  colocation-haproxy-vip-INFINITY\n  location-vip-n1-INFINITY\n"
            "  order-vip-haproxy-Optional\n");
}

TEST(ResourceMove, PreferNodeOrBanCurrent) {
  PULSE_REQUIRE_REAL_AGENTS();
  const std::string cib = twoResources();
  Xml moved(ok(cib, "resource move vip n2", context("n1")));
  const std::string c = "//rsc_location[@id='cli-prefer-vip']";
  EXPECT_EQ(moved.attr(c, "node"), "n2");
  EXPECT_EQ(moved.attr(c, "score"), "INFINITY");
  EXPECT_EQ(moved.attr(c, "role"), "Started");
  Xml away(ok(cib, "resource move vip", context("n1")));
  EXPECT_EQ(away.attr("//rsc_location[@id='cli-ban-vip-on-n1']", "score"), "-INFINITY");
  EXPECT_EQ(fails(cib, "resource move vip"),
            "You must specify a node when moving/banning a stopped resource");
  EXPECT_EQ(fails(cib, "resource move vip n9"),
            "Node 'n9' does not appear to exist in configuration");
  EXPECT_EQ(fails(cib, "resource move nope n2"), "Resource 'nope' does not exist");
}

TEST(ResourceBanClear, BanThenClear) {
  PULSE_REQUIRE_REAL_AGENTS();
  std::string cib = ok(twoResources(), "resource ban vip n1");
  cib = ok(cib, "resource ban vip n2");
  cib = ok(cib, "resource move vip n3");
  Xml banned(cib);
  EXPECT_EQ(banned.attr("//rsc_location[@id='cli-ban-vip-on-n1']", "score"), "-INFINITY");
  Xml one(ok(cib, "resource clear vip n1"));
  EXPECT_FALSE(one.node("//rsc_location[@id='cli-ban-vip-on-n1']"));
  EXPECT_TRUE(one.node("//rsc_location[@id='cli-ban-vip-on-n2']"));
  Xml all(ok(cib, "resource clear vip"));
  EXPECT_EQ(all.count("//rsc_location"), 0u);
  EXPECT_EQ(fails(cib, "resource ban nope n1"), "Resource 'nope' does not exist");
  EXPECT_EQ(fails(cib, "resource clear nope"), "Resource 'nope' does not exist");
}

// What pcs -f printed on Debian's pcs 0.11.5 for the same commands (the file's time aside).
TEST(ResourceBanClear, TellsWhatStaysAndWhatWasRemoved) {
  PULSE_REQUIRE_REAL_AGENTS();
  const std::string cib = twoResources();
  auto report = [&](const std::string& before, const std::string& line,
                    const EditContext& ctx = context()) {
    auto edit = parseEdit(words(line));
    EXPECT_TRUE(edit.ok()) << line;
    return edit.ok() ? placementReport(*edit, ctx, before, ok(before, line, ctx)) : "";
  };
  EXPECT_EQ(report(cib, "resource ban vip n1"),
            "Warning: Creating location constraint 'cli-ban-vip-on-n1' with a score of "
            "-INFINITY for resource vip on n1.\n"
            "\tThis will prevent vip from running on n1 until the constraint is removed\n"
            "\tThis will be the case even if n1 is the last node in the cluster\n");
  // Without a node: the node it runs on now.
  EXPECT_NE(report(cib, "resource move-with-constraint vip", context("n2"))
                .find("constraint 'cli-ban-vip-on-n2'"),
            std::string::npos);
  EXPECT_EQ(report(cib, "resource move-with-constraint vip n2"),
            "Warning: A move constraint has been created and the resource 'vip' may or may not "
            "move depending on other configuration\n");
  std::string all = ok(cib, "resource move-with-constraint vip n1");
  all = ok(all, "resource ban vip n3");
  all = ok(all, "resource ban vip n2");
  EXPECT_EQ(report(all, "resource clear vip"),
            "Removing constraint: cli-ban-vip-on-n2\nRemoving constraint: cli-ban-vip-on-n3\n"
            "Removing constraint: cli-prefer-vip\n");
  EXPECT_EQ(report(all, "resource clear vip n3"), "Removing constraint: cli-ban-vip-on-n3\n");
  EXPECT_EQ(report(cib, "resource clear vip"), "");
  EXPECT_EQ(report(cib, "constraint location vip prefers n1"), "");
}

// lifetime=: crm_resource --lifetime's rule, holding until now + the ISO 8601 duration.
TEST(ResourceBanClear, LifetimeMakesARuleThatEnds) {
  PULSE_REQUIRE_REAL_AGENTS();
  EditContext at = context();
  at.now = *pe::parseIsoDateTime("2026-12-07 11:09:00Z");
  const std::string cib = ok(twoResources(), "resource ban vip n1 lifetime=P1M30D", at);
  Xml banned(cib);
  const std::string c = "//rsc_location[@id='cli-ban-vip-on-n1']";
  EXPECT_FALSE(banned.node(c).attribute("node"));
  EXPECT_EQ(banned.attr(c + "/rule[@id='cli-ban-vip-on-n1-rule']", "score"), "-INFINITY");
  EXPECT_EQ(banned.attr(c + "/rule/expression[@id='cli-ban-vip-on-n1-expr']", "value"), "n1");
  EXPECT_EQ(banned.attr(c + "/rule/date_expression[@id='cli-ban-vip-on-n1-lifetime']", "end"),
            "2027-02-06 11:09:00Z");
  // A lifetime starting with a digit is a duration's amount: "30M" is thirty months.
  const std::string moved = ok(cib, "resource move-with-constraint vip lifetime=30M n2", at);
  Xml prefer(moved);
  EXPECT_EQ(prefer.attr("//rule[@id='cli-prefer-rule-vip']", "score"), "INFINITY");
  EXPECT_EQ(prefer.attr("//expression[@id='cli-prefer-expr-vip']", "value"), "n2");
  EXPECT_EQ(prefer.attr("//date_expression[@id='cli-prefer-lifetime-end-vip']", "end"),
            "2029-06-07 11:09:00Z");
  auto edit = parseEdit(words("resource move-with-constraint vip n2 lifetime=PT30M"));
  ASSERT_TRUE(edit.ok());
  EXPECT_EQ(placementReport(*edit, at, cib, *applyEdit(cib, *edit, at)),
            "Migration will take effect until: 2026-12-07 11:39:00Z\n");
  // clear NODE removes the move constraint to that node only, rule form included.
  EXPECT_EQ(Xml(ok(moved, "resource clear vip n3")).count("//rsc_location"), 2u);
  Xml cleared(ok(moved, "resource clear vip n2"));
  EXPECT_FALSE(cleared.node("//rsc_location[@id='cli-prefer-vip']"));
  EXPECT_TRUE(cleared.node("//rsc_location[@id='cli-ban-vip-on-n1']"));
  EXPECT_EQ(Xml(ok(moved, "resource clear vip n1")).count("//rsc_location"), 1u);
  EXPECT_EQ(fails(cib, "resource ban vip n2 lifetime=1.5D", at),
            "cannot ban resource 'vip'\nInvalid duration specified: P1.5D\nPlease refer to "
            "https://en.wikipedia.org/wiki/ISO_8601#Durations for examples of valid durations");
  EXPECT_EQ(fails(cib, "resource ban vip n2 n3", at),
            "invalid usage of 'pcs resource ban', see pcs resource ban --help");
}

// --promoted: the constraint holds the Promoted role of the promotable clone; without a node
// it acts where the clone is promoted, and refuses (crm_resource's words) when that is not one
// node.
TEST(ResourceMove, PromotedRoleOfAPromotableClone) {
  PULSE_REQUIRE_REAL_AGENTS();
  const std::string cib = ok(kEmptyCib, "resource create st ocf:heartbeat:Dummy promotable");
  const std::string moved_cib = ok(cib, "resource move st-clone n2 --promoted", context("n1"));
  Xml moved(moved_cib);
  EXPECT_EQ(moved.attr("//rsc_location[@id='cli-prefer-st-clone']", "role"), "Promoted");
  EXPECT_EQ(moved.attr("//rsc_location[@id='cli-prefer-st-clone']", "node"), "n2");
  Xml away(ok(cib, "resource ban st-clone --promoted", context("n1")));
  EXPECT_EQ(away.attr("//rsc_location[@id='cli-ban-st-clone-on-n1']", "role"), "Promoted");
  EXPECT_EQ(fails(cib, "resource move st-clone n1 --promoted", context("n1")),
            "Error performing operation: Situation already as requested");
  EditContext none = context();
  none.active = 3;
  none.promoted = 0;
  none.promotable = true;
  EXPECT_EQ(fails(cib, "resource ban st-clone --promoted", none),
            "Resource 'st-clone' not banned: active in 3 locations (promoted in 0).\n"
            "To prevent 'st-clone' from running on a specific location, specify a node.To "
            "prevent 'st-clone' from being promoted at a specific location, specify a node and "
            "the --promoted option.");
  EXPECT_EQ(fails(cib, "resource move st n2 --promoted"),
            "when specifying --promoted you must use the promotable clone id (st-clone)");
  EXPECT_EQ(fails(cib, "resource clear st --promoted"),
            "when specifying --promoted you must use the promotable clone id (st-clone)");
  EXPECT_EQ(fails(cib, "resource move st n2"),
            "to move promotable clone resources you must use --promoted and the promotable "
            "clone id (st-clone)");
  Xml cleared(ok(moved_cib, "resource clear st-clone --promoted"));
  EXPECT_EQ(cleared.count("//rsc_location"), 0u);
}

}  // namespace
}  // namespace pulse::pcs::testing
