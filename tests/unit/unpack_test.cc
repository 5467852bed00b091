// Stage "unpack": XML -> typed CIB. Bad input is an error naming the element.
#include <gtest/gtest.h>

#include "cib_text.h"
#include "policy-engine/cib_model.h"
#include "policy-engine/policy_engine.h"

namespace pulse::pe {
namespace {

using testing::cib;
using testing::emptyStatus;
using testing::primitive;

TEST(Unpack, ReadsResourcesGroupsAndConstraints) {
  auto parsed = unpackCib(cib({"n1", "n2"},
                              primitive("vip") + "<group id=\"web\">" + primitive("haproxy") +
                                  primitive("app") + "</group>",
                              "<rsc_location id=\"l1\" rsc=\"vip\" node=\"n1\" score=\"100\"/>"
                              "<rsc_colocation id=\"c1\" rsc=\"web\" with-rsc=\"vip\" "
                              "score=\"INFINITY\"/>"
                              "<rsc_order id=\"o1\" first=\"vip\" then=\"web\" kind=\"Optional\"/>",
                              emptyStatus({"n1", "n2"})));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->resources.size(), 2u);
  EXPECT_EQ(parsed->resources[1].members.size(), 2u);
  EXPECT_EQ(parsed->locations[0].score, 100);
  EXPECT_EQ(parsed->colocations[0].score, kInfinity);
  EXPECT_EQ(parsed->orders[0].kind, OrderConstraint::Kind::Optional);
  EXPECT_EQ(parsed->nodes.size(), 2u);
}

TEST(Unpack, MalformedXmlNamesTheLine) {
  auto parsed = unpackCib("<cib>\n<configuration>\n<resources>\n</configuration></cib>");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("malformed XML at line"), std::string::npos)
      << parsed.error().message;
}

TEST(Unpack, DuplicateIdIsAnErrorNamingBothPlaces) {
  auto parsed = unpackCib(cib({"n1"}, primitive("a") + "\n" + primitive("a"), "", ""));
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("duplicate id 'a'"), std::string::npos);
  EXPECT_NE(parsed.error().message.find("line"), std::string::npos);
}

TEST(Unpack, MissingIdIsAnError) {
  auto parsed =
      unpackCib(cib({"n1"}, "<primitive class=\"ocf\" provider=\"p\" type=\"D\"/>", "", ""));
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("missing required attribute 'id'"), std::string::npos);
}

TEST(Unpack, NonNumericScoreIsAnError) {
  auto parsed = unpackCib(cib({"n1"}, primitive("a"),
                              "<rsc_location id=\"l\" rsc=\"a\" node=\"n1\" score=\"lots\"/>", ""));
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("rsc_location id=\"l\""), std::string::npos);
  EXPECT_NE(parsed.error().message.find("not a score: 'lots'"), std::string::npos);
}

TEST(Unpack, UnknownElementIsAnError) {
  auto parsed = unpackCib(cib({"n1"}, primitive("a") + "<widget id=\"w\"/>", "", ""));
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("<widget id=\"w\">"), std::string::npos);
}

TEST(Unpack, ConstraintOnUnknownResourceIsAnError) {
  auto result = schedule(cib({"n1"}, primitive("a"),
                             "<rsc_colocation id=\"c\" rsc=\"a\" with-rsc=\"ghost\" score=\"10\"/>",
                             emptyStatus({"n1"})));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("'ghost' does not exist"), std::string::npos);
}

TEST(Unpack, IdRefResolvesToTheReferencedNvpair) {
  auto parsed = unpackCib(cib(
      {"n1"},
      "<primitive id=\"a\" class=\"ocf\" provider=\"p\" type=\"D\"><instance_attributes id=\"ia\">"
      "<nvpair id=\"shared-ip\" name=\"ip\" value=\"198.51.100.7\"/></instance_attributes>"
      "</primitive><primitive id=\"b\" class=\"ocf\" provider=\"p\" type=\"D\">"
      "<instance_attributes id=\"ib\"><nvpair id-ref=\"shared-ip\"/></instance_attributes>"
      "</primitive>",
      "", ""));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->resources[1].params.at("ip"), "198.51.100.7");
}

TEST(Unpack, HistoryKeepsExpectedResultFromTransitionKey) {
  auto parsed = unpackCib(
      cib({"n1"}, primitive("a"), "",
          testing::nodeState("1", "n1", testing::history("a", {{"monitor", 7, 1, 0, 7}}))));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const OperationRecord& op = parsed->node_states[0].resources[0].ops[0];
  EXPECT_EQ(op.rc, 7);
  EXPECT_TRUE(op.has_target_rc);
  EXPECT_EQ(op.target_rc, 7);
}

}  // namespace
}  // namespace pulse::pe

namespace pulse::pe {
namespace {

// A large status is read one node_state at a time; the result must be the
// same as reading the whole document, including line numbers in errors.
TEST(Unpack, SplitStatusReadsTheSameAsWholeDocument) {
  std::string xml = testing::cib(
      {"n1", "n2"}, testing::primitive("a"), "",
      testing::nodeState("1", "n1",
                         testing::history("a", {{"start", 0, 2}, {"monitor", 0, 3, 10000}})) +
          "\n<!-- a comment -->\n" + testing::nodeState("2", "n2", "", false));
  auto whole = unpackCib(xml);
  auto split = unpackCib(xml, 0);
  ASSERT_TRUE(whole.ok() && split.ok());
  ASSERT_EQ(whole->node_states.size(), 2u);
  ASSERT_EQ(split->node_states.size(), 2u);
  EXPECT_EQ(split->node_states[0].resources[0].ops.size(), 2u);
  EXPECT_EQ(split->node_states[0].resources[0].ops[1].interval_ms, 10000);
  EXPECT_EQ(split->node_states[1].in_ccm, whole->node_states[1].in_ccm);
}

TEST(Unpack, SplitStatusErrorsNameTheRealLine) {
  std::string xml =
      "<cib>\n<configuration><crm_config/><nodes/><resources/><constraints/>"
      "</configuration>\n<status>\n<node_state id=\"1\" uname=\"n1\">\n"
      "<lrm><lrm_resources><lrm_resource>\n</lrm_resource></lrm_resources></lrm>"
      "</node_state>\n</status>\n</cib>\n";
  auto whole = unpackCib(xml);
  auto split = unpackCib(xml, 0);
  ASSERT_FALSE(whole.ok());
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(whole.error().message, split.error().message);
  EXPECT_NE(split.error().message.find("line 5"), std::string::npos) << split.error().message;
}

}  // namespace
}  // namespace pulse::pe
