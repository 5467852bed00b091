// pcs property set / config, pcs node standby / unstandby, and bumpEpoch().
#include "cib_edit_test_util.h"

namespace pulse::pcs::testing {
namespace {

TEST(PropertySet, SetsAndRemoves) {
  std::string cib = ok(kEmptyCib, "property set no-quorum-policy=freeze stonith-enabled=true");
  Xml xml(cib);
  EXPECT_EQ(xml.attr("//nvpair[@id='cib-bootstrap-options-no-quorum-policy']", "value"), "freeze");
  EXPECT_EQ(xml.attr("//nvpair[@name='stonith-enabled']", "value"), "true");
  Xml removed(ok(cib, "property set no-quorum-policy="));
  EXPECT_FALSE(removed.node("//nvpair[@name='no-quorum-policy']"));
  EXPECT_EQ(fails(cib, "property set maintenance-mode="),
            "Cannot remove property 'maintenance-mode', it is not present in property set "
            "'cib-bootstrap-options'");
}

TEST(PropertySet, UnknownNeedsForce) {
  const std::string message = fails(kEmptyCib, "property set colour=blue");
  EXPECT_EQ(message.rfind("invalid cluster property option 'colour', allowed options are: "
                          "'batch-limit', 'cluster-delay', ",
                          0),
            0u)
      << message;
  EXPECT_NE(message.find("'transition-delay', use --force to override"), std::string::npos);
  Xml forced(ok(kEmptyCib, "property set colour=blue --force"));
  EXPECT_EQ(forced.attr("//nvpair[@name='colour']", "id"), "cib-bootstrap-options-colour");
}

TEST(PropertyConfig, Text) {
  std::string cib = ok(kEmptyCib, "property set cluster-name=web");
  auto text = propertyConfig(cib);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text,
            "Cluster Properties: cib-bootstrap-options\n"
            "  stonith-enabled=false\n"
            "  cluster-name=web\n");
}

TEST(NodeStandby, StandbyAndUnstandby) {
  std::string cib = ok(kEmptyCib, "node standby n2");
  Xml xml(cib);
  EXPECT_EQ(xml.attr("//node[@uname='n2']/instance_attributes", "id"), "nodes-2");
  EXPECT_EQ(xml.attr("//node[@uname='n2']/instance_attributes/nvpair", "id"), "nodes-2-standby");
  EXPECT_EQ(xml.attr("//node[@uname='n2']/instance_attributes/nvpair", "value"), "on");
  Xml back(ok(cib, "node unstandby n2"));
  EXPECT_FALSE(back.node("//nvpair[@name='standby']"));
  EXPECT_EQ(fails(kEmptyCib, "node standby n9"),
            "Node 'n9' does not appear to exist in configuration");
}

TEST(BumpEpoch, IncrementsEpochResetsUpdates) {
  auto bumped = bumpEpoch(kEmptyCib);
  ASSERT_TRUE(bumped.ok());
  Xml xml(*bumped);
  EXPECT_EQ(xml.attr("/cib", "epoch"), "6");
  EXPECT_EQ(xml.attr("/cib", "num_updates"), "0");
  // applyEdit itself leaves the version alone: the caller decides.
  Xml edited(ok(kEmptyCib, kVip));
  EXPECT_EQ(edited.attr("/cib", "epoch"), "5");
  EXPECT_EQ(edited.attr("/cib", "num_updates"), "3");
}

TEST(ApplyEdit, BadCibAndUnknownCommand) {
  auto bad = applyEdit("<cib><nope/></cib>", ResourceDelete{"x"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "Unable to get configuration section from the CIB");
  EXPECT_EQ(fails(kEmptyCib, "acl role create r"),
            "invalid usage of 'pcs acl', see pcs acl --help");
  EXPECT_EQ(fails(kEmptyCib, "stonith sbd enable"),
            "invalid usage of 'pcs stonith sbd', see pcs stonith sbd --help");
  EXPECT_EQ(fails(kEmptyCib, "resource create d Dummy --wat"), "unknown option '--wat'");
}

TEST(ApplyEdit, ErrorLeavesCallerCibUntouched) {
  const std::string before = ok(kEmptyCib, kVip);
  const std::string copy = before;
  EXPECT_FALSE(run(before, kVip).ok());
  EXPECT_EQ(before, copy);
}

}  // namespace
}  // namespace pulse::pcs::testing
