// Password hashing, the password file and the token store, without a server.
#include "crmd/admin/auth_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "crmd/client/crypto.h"
#include "crmd/client/secure_file.h"
#include "crmd/client/tls_identity.h"
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

// Before, the password was read once at start: after `crmd passwd` the old password still
// worked and the new one was refused until a restart.
TEST(AuthStore, APasswordChangeTakesEffectAtOnce) {
  TempDir dir;
  ASSERT_TRUE(setHaclusterPassword(dir.path(), "old-pw").ok());
  auto store = AuthStore::open(dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE(store->checkPassword("hacluster", "old-pw"));
  ASSERT_TRUE(setHaclusterPassword(dir.path(), "new-pw").ok());  // crmd passwd, crmd running
  EXPECT_FALSE(store->checkPassword("hacluster", "old-pw"));
  EXPECT_TRUE(store->checkPassword("hacluster", "new-pw"));
  // A file damaged afterwards fails closed: no password is accepted.
  ASSERT_TRUE(writeFileAtomic(dir.path() + "/hacluster.passwd", "junk", 0600).ok());
  EXPECT_FALSE(store->checkPassword("hacluster", "new-pw"));
  EXPECT_FALSE(store->hasPassword());
}

TEST(AuthStore, RevokingEveryTokenReachesARunningStore) {
  TempDir dir;
  auto store = AuthStore::open(dir.path());
  ASSERT_TRUE(store.ok());
  auto token = store->issueToken();
  auto node_tokens = store->issueNodeTokens({"n1"});
  ASSERT_TRUE(token.ok() && node_tokens.ok());
  auto revoked = revokeAllTokens(dir.path());  // crmd passwd --revoke-tokens
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(*revoked, 2u);
  EXPECT_FALSE(store->isValidToken(*token));
  EXPECT_FALSE(store->isValidToken(node_tokens->front()));
  // A token issued afterwards is kept, and the revoked ones do not come back with it.
  auto later = store->issueToken();
  ASSERT_TRUE(later.ok());
  auto reopened = AuthStore::open(dir.path());
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE(reopened->isValidToken(*later));
  EXPECT_FALSE(reopened->isValidToken(*token));
}

TEST(AuthStore, HostAuthTokensExpireAfterTheLifetimeNodeTokensDoNot) {
  TempDir dir;
  std::int64_t now = 1000;
  auto store = AuthStore::open(dir.path(), {std::chrono::seconds(60), [&now] { return now; }});
  ASSERT_TRUE(store.ok());
  auto token = store->issueToken();
  auto node_tokens = store->issueNodeTokens({"n2"});
  ASSERT_TRUE(token.ok() && node_tokens.ok());
  now = 1060;  // the whole lifetime
  EXPECT_EQ(store->checkToken(*token).state, TokenState::kValid);
  now = 1061;
  const TokenCheck expired = store->checkToken(*token);
  EXPECT_EQ(expired.state, TokenState::kExpired);
  EXPECT_EQ(expired.label, kHostAuthLabel);
  const TokenCheck node = store->checkToken(node_tokens->front());
  EXPECT_EQ(node.state, TokenState::kValid);
  EXPECT_EQ(node.label, "node:n2");
  // Without a lifetime nothing expires (the default).
  auto unlimited = AuthStore::open(dir.path(), {std::chrono::seconds(0), [] { return 1 << 30; }});
  ASSERT_TRUE(unlimited.ok());
  EXPECT_TRUE(unlimited->isValidToken(*token));
}

TEST(AuthStore, RevocationByKindAndNodeTokensReplacedAsAWhole) {
  TempDir dir;
  auto store = AuthStore::open(dir.path());
  ASSERT_TRUE(store.ok());
  auto a = store->issueToken();
  auto b = store->issueToken();
  auto first = store->issueNodeTokens({"n1", "n2"});
  ASSERT_TRUE(a.ok() && b.ok() && first.ok());
  ASSERT_EQ(first->size(), 2u);
  auto second = store->issueNodeTokens({"n1"});  // a new cluster setup
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(store->isValidToken((*first)[0]));
  EXPECT_FALSE(store->isValidToken((*first)[1]));
  EXPECT_TRUE(store->isValidToken(second->front()));
  auto host_auth = store->revokeHostAuthTokens();  // pcs host deauth with the password
  ASSERT_TRUE(host_auth.ok());
  EXPECT_EQ(*host_auth, 2u);
  EXPECT_FALSE(store->isValidToken(*a));
  EXPECT_FALSE(store->isValidToken(*b));
  EXPECT_TRUE(store->isValidToken(second->front()));
  auto node = store->revokeNodeTokens();  // pcs cluster destroy
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(*node, 1u);
  EXPECT_FALSE(store->isValidToken(second->front()));
  EXPECT_FALSE(store->issueNodeTokens({"bad name"}).ok());
}

TEST(AuthStore, ReadsTheTokenFileOfEarlierVersions) {
  TempDir dir;
  const std::string token(64, '7');
  ASSERT_TRUE(writeFileAtomic(dir.path() + "/tokens", sha256Hex(token) + "\n", 0600).ok());
  auto store = AuthStore::open(dir.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  const TokenCheck check = store->checkToken(token);
  EXPECT_EQ(check.state, TokenState::kValid);
  EXPECT_EQ(check.label, kHostAuthLabel);
}

TEST(Fingerprint, ShownAsSsh256Base64AndParsedBack) {
  // SHA-256 of the empty string, as `ssh-keygen -l` would print it.
  const std::string hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  const std::string shown = displayFingerprint(hex);
  EXPECT_EQ(shown, "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
  auto parsed = parseFingerprint(shown);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, hex);
  auto upper = parseFingerprint("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(*upper, hex);
  for (const char* bad : {"", "SHA256:", "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF",
                          "MD5:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
                          "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF!", "e3b0"}) {
    EXPECT_FALSE(parseFingerprint(bad).ok()) << bad;
  }
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
