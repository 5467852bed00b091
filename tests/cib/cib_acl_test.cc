// The ACL evaluator (crmd/cib/cib_acl.h) on small CIBs: who may read and change what, as
// Pacemaker 2.1.5 decides it.

#include "crmd/cib/cib_acl.h"

#include <gtest/gtest.h>

#include <string>

namespace pulse::crmd {
namespace {

// A CIB with ACLs on, two resources, a status section and `acls` as given.
std::string cibWith(const std::string& acls, const std::string& enable = "true") {
  return R"(<cib epoch="3" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="opts">
        <nvpair id="opts-acl" name="enable-acl" value=")" +
         enable + R"("/>
      </cluster_property_set>
    </crm_config>
    <nodes><node id="1" uname="n1"/></nodes>
    <resources>
      <primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
        <instance_attributes id="vip-ia"><nvpair id="vip-ip" name="ip" value="10.0.0.5"/></instance_attributes>
      </primitive>
      <primitive id="db" class="ocf" provider="heartbeat" type="Dummy"/>
    </resources>
    <constraints/>
    <acls>)" +
         acls +
         R"(</acls>
  </configuration>
  <status><node_state id="1" uname="n1"/></status>
</cib>)";
}

const std::string kReadOnly = R"(
      <acl_role id="ro"><acl_permission id="ro-read" kind="read" xpath="/cib"/></acl_role>
      <acl_target id="alice"><role id="ro"/></acl_target>)";

AclUser user(const std::string& name) { return AclUser{name}; }

// `cib` with `from` replaced by `to` (once).
std::string edited(std::string cib, const std::string& from, const std::string& to) {
  const auto at = cib.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return cib.replace(at, from.size(), to);
}

TEST(CibAcl, RootAndHaclusterAreNeverRestricted) {
  EXPECT_FALSE(aclRequired("root"));
  EXPECT_FALSE(aclRequired("hacluster"));
  EXPECT_FALSE(aclRequired(""));
  EXPECT_TRUE(aclRequired("alice"));
}

TEST(CibAcl, EnabledOnlyByTheClusterProperty) {
  EXPECT_TRUE(aclEnabled(cibWith(kReadOnly)));
  EXPECT_TRUE(aclEnabled(cibWith(kReadOnly, "on")));
  EXPECT_FALSE(aclEnabled(cibWith(kReadOnly, "false")));
  EXPECT_FALSE(aclEnabled("<cib><configuration/></cib>"));
  EXPECT_FALSE(aclEnabled("not xml <"));
}

TEST(CibAcl, ReadOnlyUserReadsEverythingButWritesNothing) {
  const std::string cib = cibWith(kReadOnly);
  auto read = aclFilteredRead(cib, user("alice"));
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_NE(read->find("10.0.0.5"), std::string::npos);
  EXPECT_NE(read->find("node_state"), std::string::npos);

  EXPECT_TRUE(aclCheckWrite(cib, cib, user("alice")).ok()) << "no change is no write";
  const std::string create = edited(
      cib, R"(<primitive id="db")",
      R"(<primitive id="vip2" class="ocf" provider="heartbeat" type="Dummy"/><primitive id="db")");
  const Status s = aclCheckWrite(cib, create, user("alice"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "Permission denied: ACLs do not let user 'alice' create "
            "/cib/configuration/resources/primitive[@id='vip2']");
}

TEST(CibAcl, UserWithoutEntryReadsNothing) {
  const auto read = aclFilteredRead(cibWith(kReadOnly), user("mallory"));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message,
            "Permission denied: ACLs do not let user 'mallory' read any part of the CIB");
}

TEST(CibAcl, DenyHidesASubtreeAndIsMoreSpecificThanRead) {
  const std::string cib = cibWith(R"(
      <acl_role id="r"><acl_permission id="r1" kind="read" xpath="/cib"/>
        <acl_permission id="r2" kind="deny" reference="vip"/></acl_role>
      <acl_target id="alice"><role id="r"/></acl_target>)");
  auto read = aclFilteredRead(cib, user("alice"));
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->find("10.0.0.5"), std::string::npos);
  EXPECT_EQ(read->find("IPaddr2"), std::string::npos);
  EXPECT_NE(read->find(R"(<primitive id="db")"), std::string::npos);
}

TEST(CibAcl, OnlyReadableSubtreesAreShownWithTheirAncestorsIds) {
  const std::string cib = cibWith(R"(
      <acl_role id="r"><acl_permission id="r1" kind="read" object-type="primitive"/></acl_role>
      <acl_target id="alice"><role id="r"/></acl_target>)");
  auto read = aclFilteredRead(cib, user("alice"));
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_NE(read->find("10.0.0.5"), std::string::npos);
  EXPECT_EQ(read->find("status"), std::string::npos);
  EXPECT_EQ(read->find("enable-acl"), std::string::npos);
  EXPECT_EQ(read->find("epoch"), std::string::npos) << "<cib> keeps no attribute but an id";
}

TEST(CibAcl, WriteOnOneResourceAllowsItsChangesOnly) {
  const std::string cib = cibWith(R"(
      <acl_role id="r"><acl_permission id="r1" kind="read" xpath="/cib"/>
        <acl_permission id="r2" kind="write" reference="db"/></acl_role>
      <acl_target id="alice"><role id="r"/></acl_target>)");
  const std::string meta = edited(cib, R"(type="Dummy"/>)",
                                  R"(type="Dummy"><meta_attributes id="db-meta">)"
                                  R"(<nvpair id="db-meta-t" name="target-role" value="Stopped"/>)"
                                  R"(</meta_attributes></primitive>)");
  EXPECT_TRUE(aclCheckWrite(cib, meta, user("alice")).ok());
  const std::string ip = edited(cib, "10.0.0.5", "10.0.0.6");
  const Status s = aclCheckWrite(cib, ip, user("alice"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("change /cib/configuration/resources/primitive[@id='vip']/"
                                   "instance_attributes[@id='vip-ia']/nvpair[@id='vip-ip']"),
            std::string::npos)
      << s.error().message;
  const std::string gone =
      edited(cib, R"(<primitive id="db" class="ocf" provider="heartbeat" type="Dummy"/>)", "");
  EXPECT_TRUE(aclCheckWrite(cib, gone, user("alice")).ok()) << "deleting db is writing db";
}

TEST(CibAcl, DeletionNeedsWriteOnTheDeletedElement) {
  const std::string cib = cibWith(R"(
      <acl_role id="r"><acl_permission id="r1" kind="write" xpath="//resources"/>
        <acl_permission id="r2" kind="deny" reference="vip"/></acl_role>
      <acl_target id="alice"><role id="r"/></acl_target>)");
  const std::string without_vip =
      edited(cib,
             R"(<primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
        <instance_attributes id="vip-ia"><nvpair id="vip-ip" name="ip" value="10.0.0.5"/></instance_attributes>
      </primitive>)",
             "");
  const Status s = aclCheckWrite(cib, without_vip, user("alice"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("delete /cib/configuration/resources/primitive[@id='vip']"),
            std::string::npos)
      << s.error().message;
}

TEST(CibAcl, ReorderingNeedsWriteOnTheMovedElement) {
  const std::string vip = R"(<primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
        <instance_attributes id="vip-ia"><nvpair id="vip-ip" name="ip" value="10.0.0.5"/></instance_attributes>
      </primitive>)";
  const std::string db = R"(<primitive id="db" class="ocf" provider="heartbeat" type="Dummy"/>)";
  const auto swapped = [&](const std::string& cib) {
    return edited(edited(edited(cib, vip, "<!--vip-->"), db, vip), "<!--vip-->", db);
  };
  const std::string read_only = cibWith(kReadOnly);
  const Status s = aclCheckWrite(read_only, swapped(read_only), user("alice"));
  ASSERT_FALSE(s.ok()) << "a read-only user reordered the resources";
  EXPECT_NE(s.error().message.find("move /cib/configuration/resources/primitive"),
            std::string::npos)
      << s.error().message;
  const std::string writer = cibWith(R"(
      <acl_role id="r"><acl_permission id="r1" kind="write" xpath="//resources"/></acl_role>
      <acl_target id="alice"><role id="r"/></acl_target>)");
  EXPECT_TRUE(aclCheckWrite(writer, swapped(writer), user("alice")).ok());
}

TEST(CibAcl, CountersOnTheCibAreNotTheWritersChange) {
  const std::string cib = cibWith(R"(
      <acl_role id="r"><acl_permission id="r1" kind="write" xpath="//resources"/></acl_role>
      <acl_target id="alice"><role id="r"/></acl_target>)");
  std::string next = edited(cib, R"(epoch="3")", R"(epoch="4")");
  next = edited(next, R"(type="Dummy"/>)", R"(type="Dummy" description="x"/>)");
  EXPECT_TRUE(aclCheckWrite(cib, next, user("alice")).ok());
  const std::string admin = edited(cib, R"(admin_epoch="0")", R"(admin_epoch="1")");
  EXPECT_FALSE(aclCheckWrite(cib, admin, user("alice")).ok());
}

TEST(CibAcl, GroupsGiveTheirRolesToMembers) {
  const std::string cib = cibWith(R"(
      <acl_role id="ro"><acl_permission id="ro-read" kind="read" xpath="/cib"/></acl_role>
      <acl_group id="operators"><role id="ro"/></acl_group>)");
  AclUser bob{"bob", [](std::string_view g) { return g == "operators"; }};
  EXPECT_TRUE(aclFilteredRead(cib, bob).ok());
  EXPECT_FALSE(aclFilteredRead(cib, user("carol")).ok());
}

TEST(CibAcl, BadXpathGrantsNothingAndBadXmlIsRefused) {
  const std::string cib = cibWith(R"(
      <acl_role id="r"><acl_permission id="r1" kind="read" xpath="//[["/></acl_role>
      <acl_target id="alice"><role id="r"/></acl_target>)");
  EXPECT_FALSE(aclFilteredRead(cib, user("alice")).ok());
  EXPECT_FALSE(aclFilteredRead("<cib", user("alice")).ok());
  EXPECT_FALSE(aclCheckWrite(cib, "<cib", user("alice")).ok());
}

}  // namespace
}  // namespace pulse::crmd
