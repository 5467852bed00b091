// `pcs acl` on a CIB (pcs-cli/cib_acl.h): the ids, texts and refusals of Debian's pcs 0.11.5
// (the expected listings below are its output for the same commands).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pcs-cli/cib_acl.h"
#include "tests/pcs/cib_edit_test_util.h"

namespace pulse::pcs {
namespace {

using testing::kEmptyCib;

// Runs each `pcs acl` command line (split on spaces) in turn; the first refusal fails the test.
std::string run(std::string cib, const std::vector<std::string>& commands) {
  for (const std::string& command : commands) {
    std::vector<std::string> words;
    std::istringstream in(command);
    for (std::string w; in >> w;) words.push_back(w);
    auto next = applyAcl(cib, words);
    EXPECT_TRUE(next.ok()) << command << ": " << next.error().message;
    if (!next.ok()) return cib;
    cib = *next;
  }
  return cib;
}

std::string refusal(const std::string& cib, const std::vector<std::string>& words) {
  auto next = applyAcl(cib, words);
  return next.ok() ? "(accepted)" : next.error().message;
}

TEST(PcsAcl, ListsAsPcsDoes) {
  const std::string cib =
      run(kEmptyCib, {"enable", "role create ro description=readonly read xpath /cib",
                      "user create alice ro", "permission add ro write xpath //resources"});
  auto text = aclConfig(cib);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text,
            "ACLs are enabled\n\n"
            "User: alice\n  Roles: ro\n"
            "Role: ro\n  Description: readonly\n"
            "  Permission: read xpath /cib (ro-read)\n"
            "  Permission: write xpath //resources (ro-write)\n");
  EXPECT_EQ(*aclConfig(kEmptyCib), "ACLs are disabled, run 'pcs acl enable' to enable\n\n");
}

TEST(PcsAcl, PermissionIdsAreUniqueAndUsersAreNotIds) {
  const std::string cib = run(kEmptyCib, {"role create r1 read xpath /cib READ XPATH /cib",
                                          "permission add r1 read xpath //x", "user create alice",
                                          "role create alice", "group create g1 r1"});
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(cib.c_str()));
  EXPECT_TRUE(
      doc.select_node("//acl_role[@id='r1']/acl_permission[@id='r1-read-2'][@xpath='//x']"));
  EXPECT_TRUE(doc.select_node("//acl_role[@id='alice']")) << "a user name is not an id";
  EXPECT_TRUE(doc.select_node("//acl_group[@id='g1']/role[@id='r1']"));
}

TEST(PcsAcl, RefusalsSayWhatPcsSays) {
  const std::string cib =
      run(kEmptyCib, {"role create ro read xpath /cib", "user create alice ro", "group create g1"});
  EXPECT_EQ(refusal(cib, {"role", "create", "ro"}), "'ro' already exists");
  EXPECT_EQ(refusal(cib, {"role", "create", "1x"}),
            "invalid ACL role '1x', '1' is not a valid first character for a ACL role");
  EXPECT_EQ(refusal(cib, {"role", "create", "rw", "write", "id", "nosuch"}),
            "id 'nosuch' does not exist");
  EXPECT_EQ(refusal(cib, {"role", "assign", "ro", "alice"}),
            "Role 'ro' is already assigned to 'alice'");
  EXPECT_EQ(refusal(cib, {"role", "assign", "ro", "g1"}), "'g1' is not an ACL user");
  EXPECT_EQ(refusal(cib, {"role", "assign", "ro", "nobody"}),
            "ACL group/ACL user 'nobody' does not exist");
  EXPECT_EQ(refusal(cib, {"user", "delete", "bob"}), "ACL user 'bob' does not exist");
  EXPECT_EQ(refusal(cib, {"permission", "delete", "ro"}), "'ro' is not an ACL permission");
  EXPECT_EQ(refusal(cib, {"user", "create", "x", "--force"}),
            "Specified option '--force' is not supported in this command");
  EXPECT_NE(refusal(cib, {"role", "create", "rw", "writ", "xpath", "/x"}).find("invalid usage"),
            std::string::npos);
}

TEST(PcsAcl, RoleDeleteAutodeleteDropsEmptiedUsers) {
  const std::string cib =
      run(kEmptyCib, {"role create ro", "role create ops", "user create a ro ops",
                      "user create b ro", "role delete ro --autodelete"});
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(cib.c_str()));
  EXPECT_TRUE(doc.select_node("//acl_target[@id='a']/role[@id='ops']"));
  EXPECT_FALSE(doc.select_node("//acl_target[@id='b']"));
  EXPECT_FALSE(doc.select_node("//role[@id='ro']"));
}

}  // namespace
}  // namespace pulse::pcs
