// Password hashing, the password file and the token store, without a server.
#include "crmd/auth_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "crmd/crypto.h"
#include "crmd/secure_file.h"
#include "pcs-cli/node_client.h"
#include "temp_dir.h"

namespace pulse::crmd {
namespace {

TEST(PasswordHash, VerifiesOnlyTheRightPasswordAndRoundTrips) {
  auto hash = hashPassword("secret", 1000);
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(verifyPassword(*hash, "secret"));
  EXPECT_FALSE(verifyPassword(*hash, "secreT"));
  auto parsed = parsePasswordHash(formatPasswordHash(*hash));
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(verifyPassword(*parsed, "secret"));
  auto other = hashPassword("secret", 1000);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->salt, hash->salt);
}

TEST(PasswordHash, RejectsMalformedLines) {
  for (const char* bad :
       {"", "garbage", "pbkdf2-sha256$10$00$00", "md5$1000$aa$bb", "pbkdf2-sha256$200000$zz$00",
        "pbkdf2-sha256$200000$0011223344556677$00"}) {
    EXPECT_FALSE(parsePasswordHash(bad).ok()) << bad;
  }
}

TEST(AuthStore, PasswordFileIsPrivateAndChecked) {
  TempDir dir;
  ASSERT_TRUE(setHaclusterPassword(dir.path(), "pw1").ok());
  EXPECT_EQ(fileMode(dir.path() + "/hacluster.passwd"), 0600u);
  auto store = AuthStore::open(dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE(store->checkPassword("hacluster", "pw1"));
  EXPECT_FALSE(store->checkPassword("hacluster", "pw2"));
  EXPECT_FALSE(store->checkPassword("root", "pw1"));
  EXPECT_FALSE(setHaclusterPassword(dir.path(), "").ok());
}

TEST(AuthStore, TokensPersistHashed) {
  TempDir dir;
  std::string token;
  {
    auto store = AuthStore::open(dir.path());
    ASSERT_TRUE(store.ok());
    EXPECT_FALSE(store->hasPassword());
    auto issued = store->issueToken();
    ASSERT_TRUE(issued.ok());
    token = *issued;
    EXPECT_EQ(token.size(), 64u);
    EXPECT_TRUE(store->isValidToken(token));
  }
  EXPECT_EQ(fileMode(dir.path() + "/tokens"), 0600u);
  auto text = readFile(dir.path() + "/tokens");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->find(token), std::string::npos);  // only the hash is stored
  auto reopened = AuthStore::open(dir.path());
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE(reopened->isValidToken(token));
  EXPECT_FALSE(reopened->isValidToken(std::string(64, '0')));
}

TEST(AuthStore, CorruptFilesAreErrorsNamingTheFile) {
  TempDir dir;
  ASSERT_TRUE(writeFileAtomic(dir.path() + "/tokens", "not-a-hash\n", 0600).ok());
  auto store = AuthStore::open(dir.path());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("tokens:1"), std::string::npos);
  std::filesystem::remove(dir.path() + "/tokens");
  ASSERT_TRUE(writeFileAtomic(dir.path() + "/hacluster.passwd", "\x01\x02 junk", 0600).ok());
  auto again = AuthStore::open(dir.path());
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("hacluster.passwd"), std::string::npos);
}

TEST(StateDirectory, MissingParentIsAnError) {
  EXPECT_FALSE(ensureDirectory("/nonexistent-pulse-parent/state").ok());
}

TEST(NodeAddress, ParsesPcsForms) {
  auto plain = pcs::parseNodeAddress("192.0.2.11");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->target(), "192.0.2.11:2224");
  auto with_port = pcs::parseNodeAddress("n1:3000");
  ASSERT_TRUE(with_port.ok());
  EXPECT_EQ(with_port->target(), "n1:3000");
  auto v6 = pcs::parseNodeAddress("[::1]:4000");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->target(), "[::1]:4000");
  for (const char* bad : {"", "n1:", "n1:0", "n1:70000", "n1:x", "[::1", "[::1]x"}) {
    EXPECT_FALSE(pcs::parseNodeAddress(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace pulse::crmd
