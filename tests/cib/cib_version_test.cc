#include "crmd/cib/cib_version.h"

#include <gtest/gtest.h>

#include "tests/cib/cib_samples.h"

namespace pulse::cib {
namespace {

struct OrderCase {
  CibVersion a, b;
  int expected;  // sign of a <=> b
};

TEST(CibVersion, OrdersAdminEpochThenEpochThenNumUpdates) {
  const OrderCase cases[] = {
      {{0, 5, 2}, {0, 5, 2}, 0},    {{0, 5, 3}, {0, 5, 2}, 1},
      {{0, 6, 0}, {0, 5, 99}, 1},   // a configuration change beats any number of status ones
      {{1, 0, 0}, {0, 99, 99}, 1},  // admin_epoch overrides everything
      {{0, 4, 100}, {0, 5, 0}, -1}, {{0, 5, 2}, {1, 5, 2}, -1},
      {{2, 1, 1}, {2, 1, 0}, 1},
  };
  for (const OrderCase& c : cases) {
    auto order = c.a <=> c.b;
    int sign = order < 0 ? -1 : order > 0 ? 1 : 0;
    EXPECT_EQ(sign, c.expected) << toString(c.a) << " vs " << toString(c.b);
  }
}

TEST(CibVersion, ChangesMoveTheRightCounter) {
  const CibVersion v{3, 7, 4};
  EXPECT_EQ(nextVersion(v, ChangeKind::kConfiguration), (CibVersion{3, 8, 0}));
  EXPECT_EQ(nextVersion(v, ChangeKind::kStatus), (CibVersion{3, 7, 5}));
  EXPECT_EQ(nextVersion(v, ChangeKind::kNone), v);
  EXPECT_EQ(toString(v), "3.7.4");
}

TEST(CibVersion, ReadsAndWritesCibAttributes) {
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(testing::kCib.c_str()));
  auto v = readCibVersion(doc.child("cib"));
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(*v, (CibVersion{0, 5, 2}));
  writeCibVersion(doc.child("cib"), {1, 2, 3});
  EXPECT_STREQ(doc.child("cib").attribute("admin_epoch").value(), "1");
  EXPECT_STREQ(doc.child("cib").attribute("epoch").value(), "2");
  EXPECT_STREQ(doc.child("cib").attribute("num_updates").value(), "3");
}

TEST(CibVersion, RefusesMissingOrBadCounters) {
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(R"(<cib epoch="5" num_updates="x" admin_epoch="0"/>)"));
  auto v = readCibVersion(doc.child("cib"));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("num_updates"), std::string::npos) << v.error().message;
  ASSERT_TRUE(doc.load_string(R"(<cib epoch="5" num_updates="1"/>)"));
  v = readCibVersion(doc.child("cib"));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("admin_epoch"), std::string::npos) << v.error().message;
  ASSERT_TRUE(doc.load_string(R"(<cib epoch="-1" num_updates="1" admin_epoch="0"/>)"));
  EXPECT_FALSE(readCibVersion(doc.child("cib")).ok());
}

TEST(CibVersion, ClassifiesConfigurationAndStatusChanges) {
  pugi::xml_document before, after;
  ASSERT_TRUE(before.load_string(testing::kCib.c_str()));
  ASSERT_TRUE(after.load_string(testing::kCib.c_str()));
  EXPECT_EQ(classifyChange(before.child("cib"), after.child("cib")), ChangeKind::kNone);
  // Only the version differs: still no change.
  writeCibVersion(after.child("cib"), {0, 9, 9});
  EXPECT_EQ(classifyChange(before.child("cib"), after.child("cib")), ChangeKind::kNone);
  after.child("cib").child("status").append_child("node_state").append_attribute("id") = "1";
  EXPECT_EQ(classifyChange(before.child("cib"), after.child("cib")), ChangeKind::kStatus);
  after.child("cib").child("configuration").child("nodes").child("node").attribute("uname") = "n9";
  EXPECT_EQ(classifyChange(before.child("cib"), after.child("cib")), ChangeKind::kConfiguration);
}

TEST(CibVersion, BumpVersionFollowsTheKind) {
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(testing::kCib.c_str()));
  ASSERT_TRUE(bumpVersion(doc.child("cib"), ChangeKind::kStatus).ok());
  EXPECT_EQ(*readCibVersion(doc.child("cib")), (CibVersion{0, 5, 3}));
  ASSERT_TRUE(bumpVersion(doc.child("cib"), ChangeKind::kConfiguration).ok());
  EXPECT_EQ(*readCibVersion(doc.child("cib")), (CibVersion{0, 6, 0}));
}

TEST(CibVersion, ReplacementOlderThanCurrentIsRefused) {
  const CibVersion current{0, 5, 2};
  EXPECT_TRUE(checkReplacement(current, {0, 5, 2}).ok());  // equal: Pacemaker accepts
  EXPECT_TRUE(checkReplacement(current, {0, 6, 0}).ok());
  EXPECT_TRUE(checkReplacement(current, {1, 0, 0}).ok());
  Status older = checkReplacement(current, {0, 4, 9});
  ASSERT_FALSE(older.ok());
  EXPECT_NE(older.error().message.find("epoch"), std::string::npos);
  EXPECT_NE(older.error().message.find("older"), std::string::npos);
  Status fewer_updates = checkReplacement(current, {0, 5, 1});
  ASSERT_FALSE(fewer_updates.ok());
  EXPECT_NE(fewer_updates.error().message.find("num_updates"), std::string::npos);
  Status admin = checkReplacement({2, 0, 0}, {1, 9, 9});
  ASSERT_FALSE(admin.ok());
  EXPECT_NE(admin.error().message.find("admin_epoch"), std::string::npos);
}

}  // namespace
}  // namespace pulse::cib
