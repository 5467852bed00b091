// The state directory and the secret files in it (secure_file.h): a careless mode, a symbolic
// link or another user's file is refused or tightened, never used as it is.
#include "crmd/client/secure_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "crmd/admin/auth_store.h"
#include "crmd/client/known_hosts.h"
#include "crmd/client/tls_identity.h"
#include "crmd/daemon/pe_input_store.h"
#include "temp_dir.h"

namespace pulse::crmd {
namespace {

TEST(ReadSecretFile, ReadsAPrivateFile) {
  TempDir dir;
  ASSERT_TRUE(writeFileAtomic(dir.path() + "/secret", "s3cret", 0600).ok());
  auto text = readSecretFile(dir.path() + "/secret");
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text, "s3cret");
}

TEST(ReadSecretFile, RefusesAFileOthersCanRead) {
  TempDir dir;
  const std::string path = dir.path() + "/secret";
  for (mode_t mode : {0640, 0604, 0620, 0644}) {
    ASSERT_TRUE(writeFileAtomic(path, "s3cret", mode).ok());
    auto text = readSecretFile(path);
    ASSERT_FALSE(text.ok()) << std::oct << mode;
    EXPECT_NE(text.error().message.find(path + ": mode 0"), std::string::npos)
        << text.error().message;
    EXPECT_NE(text.error().message.find("chmod 600 " + path), std::string::npos);
  }
}

TEST(ReadSecretFile, RefusesASymbolicLink) {
  TempDir dir;
  ASSERT_TRUE(writeFileAtomic(dir.path() + "/elsewhere", "s3cret", 0600).ok());
  std::filesystem::create_symlink(dir.path() + "/elsewhere", dir.path() + "/secret");
  auto text = readSecretFile(dir.path() + "/secret");
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().message.find(dir.path() + "/secret is a symbolic link"), std::string::npos)
      << text.error().message;
}

TEST(ReadSecretFile, RefusesAnotherUsersFile) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file away";
  TempDir dir;
  const std::string path = dir.path() + "/secret";
  ASSERT_TRUE(writeFileAtomic(path, "s3cret", 0600).ok());
  ASSERT_EQ(::chown(path.c_str(), 4242, 4242), 0);
  auto text = readSecretFile(path);
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().message.find("owned by uid 4242"), std::string::npos)
      << text.error().message;
}

// Every secret the state directory holds is read through these checks.
TEST(ReadSecretFile, GuardsEverySecretOfTheStateDirectory) {
  TempDir dir;
  ASSERT_TRUE(setHaclusterPassword(dir.path(), "pw").ok());
  ASSERT_TRUE(AuthStore::open(dir.path()).ok());
  ASSERT_TRUE(loadOrCreateTlsIdentity(dir.path()).ok());
  ASSERT_TRUE(saveKnownHosts(knownHostsPath(dir.path()),
                             {{"n1", "127.0.0.1:2224", std::string(64, 'a'), std::string(64, 'b')}})
                  .ok());
  for (const std::string file : {"hacluster.passwd", "crmd.key", "known-hosts"}) {
    const std::string path = dir.path() + "/" + file;
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
    const bool opened = file == "hacluster.passwd" ? AuthStore::open(dir.path()).ok()
                        : file == "crmd.key"       ? loadOrCreateTlsIdentity(dir.path()).ok()
                                                   : loadKnownHosts(path).ok();
    EXPECT_FALSE(opened) << file << " was used with mode 0644";
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  }
  // The token file, planted as a link to a file of the attacker's choosing.
  ASSERT_TRUE(writeFileAtomic(dir.path() + "/planted", std::string(64, 'c') + "\n", 0600).ok());
  std::filesystem::create_symlink(dir.path() + "/planted", dir.path() + "/tokens");
  auto store = AuthStore::open(dir.path());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("tokens is a symbolic link"), std::string::npos);
}

TEST(EnsureDirectory, AnOpenStateDirectoryIsRestrictedTo0700AndSaysSo) {
  TempDir parent;
  const std::string dir = parent.path() + "/state";
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);  // whatever the umask
  std::string note;
  ASSERT_TRUE(ensureDirectory(dir, &note).ok());
  EXPECT_EQ(fileMode(dir), 0700u);
  EXPECT_EQ(note, "state directory " + dir + " had mode 0755; restricted to 0700");
  note.clear();
  ASSERT_TRUE(ensureDirectory(dir, &note).ok());
  EXPECT_EQ(note, "");
}

TEST(EnsureDirectory, ANewStateDirectoryIs0700) {
  TempDir parent;
  ASSERT_TRUE(ensureDirectory(parent.path() + "/state").ok());
  EXPECT_EQ(fileMode(parent.path() + "/state"), 0700u);
}

TEST(EnsureDirectory, AnotherUsersDirectoryIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a directory away";
  TempDir parent;
  const std::string dir = parent.path() + "/state";
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  ASSERT_EQ(::chown(dir.c_str(), 4242, 4242), 0);
  auto status = ensureDirectory(dir);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "state directory " + dir + " is owned by uid 4242, not by this user (uid 0)");
}

TEST(EnsureDirectory, AFileIsNotADirectory) {
  TempDir parent;
  ASSERT_TRUE(writeFileAtomic(parent.path() + "/state", "", 0600).ok());
  auto status = ensureDirectory(parent.path() + "/state");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("is not a directory"), std::string::npos);
}

TEST(EngineInputStore, InputsArePrivateAndAnOlderOpenDirectoryIsRestricted) {
  TempDir parent;
  const std::string dir = parent.path() + "/pengine";
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);
  ASSERT_TRUE(writeFileAtomic(dir + "/pe-input-0.xml.gz", "old", 0640).ok());
  auto store = EngineInputStore::open(dir);
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ(fileMode(dir), 0700u);
  EXPECT_EQ(fileMode(dir + "/pe-input-0.xml.gz"), 0600u);
  auto saved = store->save("<cib/>");
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(fileMode(*saved), 0600u);
}

}  // namespace
}  // namespace pulse::crmd
