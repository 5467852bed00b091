// The CIB store when the disk fails: a write, an fsync, a rename that fails with EIO, or a disk
// that is full (ENOSPC). Each failed save must return an Error naming the step and the errno
// text, leave the old CIB in force (in a load by the same store and by a new one, as after a
// restart) and leave no temporary behind; a later save, once the disk works again, succeeds.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/file_io.h"
#include "crmd/cib/cib_store.h"
#include "tests/cib/cib_samples.h"
#include "tests/crmd/temp_dir.h"

namespace pulse::cib {
namespace {

using crmd::TempDir;
using testing::kCib;
using testing::withScore;
using Outcome = LoadedCib::Outcome;

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

struct Fault {
  FileOp op;
  int error;
  std::string message;  // a part of the Error the save must return
};

class CibStoreFaultTest : public ::testing::TestWithParam<Fault> {
 protected:
  // The text the store holds after a load (new store: as after a restart), or a failure.
  std::string loadedScore(CibStore& store) {
    auto loaded = store.load();
    if (!loaded.ok()) return "load failed: " + loaded.error().message;
    if (loaded->outcome != Outcome::kLoaded) return "not loaded: " + loaded->reason;
    for (const char* score : {"100", "200", "300"}) {
      if (loaded->xml == withScore(score)) return score;
    }
    return "other text";
  }

  TempDir dir_;
  FaultyFileIo io_;
};

TEST_P(CibStoreFaultTest, FailedSaveKeepsTheOldCibAndSaysWhy) {
  const Fault& fault = GetParam();
  CibStore store(dir_.path(), {}, {}, io_);
  ASSERT_TRUE(store.save(withScore("100")).ok());

  io_.failNth(fault.op, 1, fault.error);
  const Status failed = store.save(withScore("200"));
  ASSERT_FALSE(failed.ok()) << "a save whose " << toString(fault.op) << " failed reported success";
  EXPECT_NE(failed.error().message.find(fault.message), std::string::npos)
      << failed.error().message;
  EXPECT_NE(failed.error().message.find(std::strerror(fault.error)), std::string::npos)
      << failed.error().message;
  EXPECT_FALSE(exists(store.path() + ".tmp")) << "the half-written temporary was left behind";

  // The old CIB is in force, for this store and after a restart.
  EXPECT_EQ(loadedScore(store), "100");
  CibStore restarted(dir_.path());
  EXPECT_EQ(loadedScore(restarted), "100");

  // The fault was one call: the next save goes through and is what a restart reads.
  ASSERT_TRUE(store.save(withScore("300")).ok());
  CibStore after(dir_.path());
  EXPECT_EQ(loadedScore(after), "300");
}

INSTANTIATE_TEST_SUITE_P(Faults, CibStoreFaultTest,
                         ::testing::Values(Fault{FileOp::kWrite, EIO, "cannot write"},
                                           Fault{FileOp::kWrite, ENOSPC, "cannot write"},
                                           Fault{FileOp::kSync, EIO, "cannot fsync"},
                                           Fault{FileOp::kSync, ENOSPC, "cannot fsync"},
                                           Fault{FileOp::kCreate, ENOSPC, "cannot create"},
                                           Fault{FileOp::kRename, EIO, "cannot rename"}),
                         [](const ::testing::TestParamInfo<Fault>& param) {
                           std::string name(toString(param.param.op));
                           name += param.param.error == EIO ? "EIO" : "ENOSPC";
                           for (char& c : name) {
                             if (c == ' ') c = '_';
                           }
                           return name;
                         });

TEST(CibStoreFullDiskTest, FullDiskRefusesEveryWriteUntilSpaceIsFreed) {
  TempDir dir;
  FaultyFileIo io;
  CibStore store(dir.path(), {}, {}, io);
  ASSERT_TRUE(store.save(withScore("100")).ok());
  io.failAlways(FileOp::kWrite, ENOSPC);
  for (const char* score : {"200", "300"}) {
    const Status s = store.save(withScore(score));
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("No space left on device"), std::string::npos)
        << s.error().message;
  }
  auto during = CibStore(dir.path()).load();
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(during->xml, withScore("100"));
  io.heal();
  ASSERT_TRUE(store.save(withScore("300")).ok());
  auto after = CibStore(dir.path()).load();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->xml, withScore("300"));
}

TEST(CibStoreFullDiskTest, UnreadableFileIsAnErrorNotAFreshNode) {
  // EIO reading cib.xml must not look like "no CIB yet": the node would start from the empty
  // CIB and could win with it.
  TempDir dir;
  FaultyFileIo io;
  CibStore store(dir.path(), {}, {}, io);
  ASSERT_TRUE(store.save(kCib).ok());
  io.failNth(FileOp::kRead, 1, EIO);
  auto loaded = store.load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("Input/output error"), std::string::npos)
      << loaded.error().message;
  auto again = store.load();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, Outcome::kLoaded);
}

}  // namespace
}  // namespace pulse::cib
