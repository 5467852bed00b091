// Rules as Pacemaker evaluates them: typed comparisons in location rules, rule-guarded node
// attribute sets (dates), rsc_defaults guarded by the resource's agent, and #is_dc.
#include <string>

#include "cib_text.h"
#include "engine_test_util.h"
#include "policy-engine/xml_dates.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2"};

// `vip` running on n1, whose node attribute test_val is `value`, and a location rule banning
// it where `expression` holds.
Transition banWhere(const std::string& value, const std::string& expression) {
  std::string xml =
      cib(kNodes, primitive("vip"),
          "<rsc_location id=\"l\" rsc=\"vip\"><rule id=\"r\" score=\"-INFINITY\">" + expression +
              "</rule></rsc_location>",
          nodeState("1", "n1", history("vip", {{"start", 0, 2}})) + nodeState("2", "n2"));
  std::string plain = "<node id=\"1\" uname=\"n1\"/>";
  xml.replace(xml.find(plain), plain.size(),
              "<node id=\"1\" uname=\"n1\"><instance_attributes id=\"n1-a\">" +
                  nvpair("n1-v", "test_val", value) + "</instance_attributes></node>");
  return scheduleOk(xml);
}

std::string expr(const std::string& op, const std::string& value, const std::string& type = "") {
  return "<expression id=\"e\" attribute=\"test_val\" operation=\"" + op + "\" value=\"" + value +
         "\"" + (type.empty() ? "" : " type=\"" + type + "\"") + "/>";
}

TEST(Rules, UntypedOrderingComparesNumbersNotText) {
  // As text "10" < "9"; as integers 10 > 9, so the ban applies and vip moves.
  EXPECT_EQ(summaryOf(banWhere("10", expr("gt", "9"))), (V{"Move vip (n1 -> n2)"}));
  EXPECT_TRUE(banWhere("8", expr("gt", "9")).summary.empty());
}

TEST(Rules, UntypedOrderingWithADotComparesDecimals) {
  EXPECT_EQ(summaryOf(banWhere("3.5", expr("gt", "3.4"))), (V{"Move vip (n1 -> n2)"}));
  EXPECT_TRUE(banWhere("3.3", expr("gt", "3.4")).summary.empty());
}

TEST(Rules, IntegerTypeUsesTheLeadingDigits) {
  // "3.6" read as an integer is 3.
  EXPECT_EQ(summaryOf(banWhere("3", expr("eq", "3.6", "integer"))), (V{"Move vip (n1 -> n2)"}));
}

TEST(Rules, UnparsableNumberFallsBackToTextComparison) {
  // "as10" is no integer: "b" > "as10" as text.
  EXPECT_EQ(summaryOf(banWhere("b", expr("gt", "as10", "integer"))), (V{"Move vip (n1 -> n2)"}));
}

TEST(Rules, VersionTypeComparesPieceByPiece) {
  EXPECT_EQ(summaryOf(banWhere("1.10", expr("gt", "1.9", "version"))), (V{"Move vip (n1 -> n2)"}));
}

TEST(Rules, EqualityIgnoresCase) {
  EXPECT_EQ(summaryOf(banWhere("Yes", expr("eq", "yes"))), (V{"Move vip (n1 -> n2)"}));
}

// Node n2's attribute "group" is "old" until 2005-001 and "new" after it; vip prefers the
// node whose group is "new".
std::string datedGroups() {
  std::string xml = cib(kNodes, primitive("vip"),
                        "<rsc_location id=\"l\" rsc=\"vip\"><rule id=\"r\" score=\"100\">"
                        "<expression id=\"e\" attribute=\"group\" operation=\"eq\" "
                        "value=\"new\"/></rule></rsc_location>",
                        emptyStatus(kNodes));
  std::string plain = "<node id=\"2\" uname=\"n2\"/>";
  xml.replace(xml.find(plain), plain.size(),
              "<node id=\"2\" uname=\"n2\">"
              "<instance_attributes id=\"a1\">" +
                  nvpair("a1-g", "group", "old") +
                  "<rule id=\"r1\" score=\"0\"><date_expression id=\"d1\" operation=\"in_range\" "
                  "end=\"2005-001\"/></rule></instance_attributes>"
                  "<instance_attributes id=\"a2\">" +
                  nvpair("a2-g", "group", "new") +
                  "<rule id=\"r2\" score=\"0\"><date_expression id=\"d2\" operation=\"gt\" "
                  "start=\"2005-001\"/></rule></instance_attributes></node>");
  return xml;
}

TEST(Rules, DatedNodeAttributeSetsFollowTheClock) {
  ScheduleOptions later;
  later.now = *parseIsoDateTime("2005-020");
  auto after = schedule(datedGroups(), later);
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(summaryOf(*after), (V{"Start vip (n2)"}));

  ScheduleOptions earlier;
  earlier.now = *parseIsoDateTime("2004-06-01 12:00:00 +02:00");
  auto before = schedule(datedGroups(), earlier);
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_EQ(summaryOf(*before), (V{"Start vip (n1)"}));
}

TEST(Rules, RscDefaultsGuardedByAgentApplyOnlyToThatAgent) {
  std::string xml = cib(kNodes,
                        primitive("dummy") +
                            "<primitive id=\"ip\" class=\"ocf\" provider=\"heartbeat\" "
                            "type=\"IPaddr2\"/>",
                        "", emptyStatus(kNodes));
  std::string defaults =
      "<rsc_defaults><meta_attributes id=\"d\"><rule id=\"dr\" score=\"INFINITY\">"
      "<rsc_expression id=\"de\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\"/></rule>" +
      nvpair("d-t", "target-role", "Stopped") + "</meta_attributes></rsc_defaults>";
  xml.insert(xml.find("<nodes>"), defaults);
  auto t = scheduleOk(xml);
  EXPECT_EQ(summaryOf(t), (V{"Start dummy (n1)"}));
}

TEST(Rules, IsDcNamesTheDesignatedController) {
  std::string xml = cib(kNodes, primitive("vip"),
                        "<rsc_location id=\"l\" rsc=\"vip\"><rule id=\"r\" score=\"100\">"
                        "<expression id=\"e\" attribute=\"#is_dc\" operation=\"eq\" "
                        "value=\"false\"/></rule></rsc_location>",
                        emptyStatus(kNodes));
  xml.replace(xml.find("<cib "), 5, "<cib dc-uuid=\"1\" ");
  EXPECT_EQ(summaryOf(scheduleOk(xml)), (V{"Start vip (n2)"}));
}

}  // namespace
}  // namespace pulse::pe
