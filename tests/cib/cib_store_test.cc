#include "crmd/cib/cib_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "tests/cib/cib_samples.h"
#include "tests/crmd/temp_dir.h"

namespace pulse::cib {
namespace {

using crmd::TempDir;
using testing::kCib;
using testing::withScore;
using Outcome = LoadedCib::Outcome;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

void spit(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

class CibStoreTest : public ::testing::Test {
 protected:
  CibStore store() {
    return CibStore(
        dir_.path(), [this](const std::string& line) { log_ += line + "\n"; },
        [] { return std::int64_t{1700000000}; });
  }
  // Loads a file expected to be corrupt and checks that it was reported and kept aside.
  void expectCorrupt(const std::string& content, const std::string& reason_part) {
    CibStore s = store();
    spit(s.path(), content);
    auto loaded = s.load();
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(loaded->outcome, Outcome::kCorrupt);
    EXPECT_NE(loaded->reason.find(reason_part), std::string::npos) << loaded->reason;
    EXPECT_TRUE(loaded->xml.empty());
    EXPECT_FALSE(exists(s.path())) << "the corrupt file must be moved away";
    EXPECT_EQ(slurp(loaded->kept_aside), content);
    EXPECT_NE(log_.find(loaded->kept_aside), std::string::npos) << log_;
    EXPECT_NE(log_.find(loaded->reason), std::string::npos) << log_;
    // The next start sees no CIB and takes the cluster's copy.
    auto again = s.load();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->outcome, Outcome::kNoCib);
  }

  TempDir dir_;
  std::string log_;
};

TEST_F(CibStoreTest, MissingFileIsNoCibYet) {
  auto loaded = store().load();
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->outcome, Outcome::kNoCib);
}

TEST_F(CibStoreTest, RoundTripKeepsTextAndVersionWithMode0600) {
  CibStore s = store();
  ASSERT_TRUE(s.save(kCib).ok());
  EXPECT_EQ(crmd::fileMode(s.path()), 0600u);
  auto loaded = s.load();
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_EQ(loaded->outcome, Outcome::kLoaded) << loaded->reason;
  EXPECT_EQ(loaded->xml, kCib);
  EXPECT_EQ(loaded->version, (CibVersion{0, 5, 2}));
  const std::string file = slurp(s.path());
  EXPECT_EQ(file.rfind("<!-- pulse-cib sha256=", std::string::npos), file.size() - 91);
  // A second save replaces the first.
  ASSERT_TRUE(s.save(withScore("200")).ok());
  EXPECT_EQ(s.load()->xml, withScore("200"));
  EXPECT_TRUE(log_.empty()) << log_;
}

TEST_F(CibStoreTest, RefusesToStoreWhatItCouldNotLoad) {
  CibStore s = store();
  EXPECT_FALSE(s.save("<cib epoch=\"1\"").ok());
  EXPECT_FALSE(s.save("<cib/>").ok());  // no versions
  EXPECT_FALSE(s.save("<nodes/>").ok());
  EXPECT_FALSE(exists(s.path()));
}

TEST_F(CibStoreTest, TruncatedFileIsCorrupt) {
  const std::string sealed = sealCib(kCib);
  expectCorrupt(sealed.substr(0, sealed.size() / 2), "no checksum line");
}

TEST_F(CibStoreTest, TruncatedInsideTheChecksumLineIsCorrupt) {
  const std::string sealed = sealCib(kCib);
  expectCorrupt(sealed.substr(0, sealed.size() - 3), "no checksum line");
}

TEST_F(CibStoreTest, FlippedByteIsCorrupt) {
  std::string sealed = sealCib(kCib);
  sealed[sealed.size() / 3] ^= 0x01;
  expectCorrupt(sealed, "checksum mismatch");
}

TEST_F(CibStoreTest, MissingChecksumIsCorrupt) { expectCorrupt(kCib, "no checksum line"); }

TEST_F(CibStoreTest, GarbageIsCorrupt) {
  std::string garbage(4096, '\0');
  std::mt19937 random(7);
  for (char& c : garbage) c = static_cast<char>(random());
  expectCorrupt(garbage, "checksum");
}

TEST_F(CibStoreTest, ChecksummedButNotACibIsCorrupt) {
  expectCorrupt(sealCib("<cib epoch=\"1\" admin_epoch=\"0\"><configuration>"), "does not parse");
}

TEST_F(CibStoreTest, ChecksummedCibWithoutVersionsIsCorrupt) {
  expectCorrupt(sealCib("<cib><configuration/><status/></cib>"), "admin_epoch");
}

TEST_F(CibStoreTest, TwoCorruptFilesInOneSecondAreBothKept) {
  CibStore s = store();
  spit(s.path(), "first");
  auto first = s.load();
  spit(s.path(), "second");
  auto second = s.load();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->kept_aside, second->kept_aside);
  EXPECT_EQ(slurp(first->kept_aside), "first");
  EXPECT_EQ(slurp(second->kept_aside), "second");
}

TEST_F(CibStoreTest, LeftoverTemporaryFromACrashIsIgnoredAndReplaced) {
  CibStore s = store();
  ASSERT_TRUE(s.save(kCib).ok());
  spit(s.path() + ".tmp", sealCib(withScore("300")).substr(0, 100));  // a torn write
  auto loaded = s.load();
  ASSERT_EQ(loaded->outcome, Outcome::kLoaded);
  EXPECT_EQ(loaded->xml, kCib);
  ASSERT_TRUE(s.save(withScore("400")).ok());
  EXPECT_EQ(s.load()->xml, withScore("400"));
  EXPECT_FALSE(exists(s.path() + ".tmp"));
}

// A CIB large enough (about 300 KB) that a kill often lands in the middle of a write.
std::string bigCib(const std::string& score) {
  std::string cib = withScore(score);
  std::string padding;
  for (int i = 0; i < 3000; ++i) {
    padding += "        <nvpair id=\"pad-" + std::to_string(i) + "\" name=\"pad-" +
               std::to_string(i) + "\" value=\"" + score + std::string(40, 'x') + "\"/>\n";
  }
  const std::string anchor = "      </cluster_property_set>";
  cib.insert(cib.find(anchor), padding);
  return cib;
}

// kill -9 of a writer at random moments: the file on disk is always exactly one of the CIBs
// that were written, never a mix and never "corrupt".
TEST_F(CibStoreTest, KillDuringWriteLeavesOldOrNewCib) {
  const std::string a = bigCib("100"), b = bigCib("200");
  CibStore s = store();
  ASSERT_TRUE(s.save(a).ok());
  std::mt19937 random(2026);
  int saw_a = 0, saw_b = 0, torn = 0;
  for (int round = 0; round < 200; ++round) {
    // The writer says when its first save is done, so the kill lands among its writes and
    // not before the first one, however slow parsing and hashing 300 KB is on this machine.
    int started[2];
    ASSERT_EQ(pipe(started), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(started[0]);
      CibStore writer(dir_.path());
      for (int i = 0;; ++i) {
        if (!writer.save(i % 2 == 0 ? b : a).ok()) _exit(1);
        if (i == 0 && (write(started[1], "x", 1) != 1 || close(started[1]) != 0)) _exit(1);
      }
    }
    close(started[1]);
    char byte = 0;
    const ssize_t got = read(started[0], &byte, 1);
    close(started[0]);
    ASSERT_EQ(got, 1) << "the writer ended before its first save in round " << round;
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 3000));
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer failed on its own in round " << round;
    if (exists(s.path() + ".tmp")) ++torn;  // killed between creating and renaming the temp
    auto loaded = s.load();
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    ASSERT_EQ(loaded->outcome, Outcome::kLoaded) << "round " << round << ": " << loaded->reason;
    ASSERT_TRUE(loaded->xml == a || loaded->xml == b) << "round " << round << ": a mix";
    (loaded->xml == a ? saw_a : saw_b)++;
  }
  EXPECT_TRUE(log_.empty()) << log_;
  // The kills did land in the middle of writes, and both CIBs were seen.
  EXPECT_GT(torn, 0);
  EXPECT_GT(saw_a, 0);
  EXPECT_GT(saw_b, 0);
  std::cout << "200 kills: " << torn << " mid-write, old/new CIB " << saw_a << "/" << saw_b << "\n";
}

}  // namespace
}  // namespace pulse::cib
