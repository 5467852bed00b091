// The CIB service on a disk that fails (a one-node cluster, so that the DC's own store decides):
// a write whose local save fails is answered with an error naming the failure and is not
// acknowledged; the copy in force, read from the service and from disk after a restart, is the
// old one; once the disk works again the next write is stored and acknowledged.
#include "crmd/replication/cib_service.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <condition_variable>
#include <future>
#include <mutex>
#include <pugixml.hpp>
#include <sstream>
#include <thread>

#include "common/file_io.h"
#include "crmd/cib/cib_store.h"
#include "tests/crmd/temp_dir.h"

namespace pulse::crmd {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

membership::ClusterConfig oneNode() {
  membership::ClusterConfig config;
  config.cluster_name = "disk";
  config.nodes = {membership::ClusterNode{1, "node1", "127.0.0.1", 1}};
  return config;
}

std::string withResource(const std::string& cib, const std::string& id) {
  pugi::xml_document doc;
  doc.load_string(cib.c_str());
  pugi::xml_node primitive =
      doc.child("cib").child("configuration").child("resources").append_child("primitive");
  primitive.append_attribute("id") = id.c_str();
  primitive.append_attribute("class") = "ocf";
  primitive.append_attribute("provider") = "pacemaker";
  primitive.append_attribute("type") = "Dummy";
  std::ostringstream out;
  doc.save(out);
  return out.str();
}

// A disk whose fsync can be held (a slow disk at an exact moment): sync() blocks while held.
class HeldDisk final : public FileIo {
 public:
  void hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      held_ = false;
    }
    changed_.notify_all();
  }
  // True once a sync is blocked (within `wait`).
  bool waitUntilBlocked(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, wait, [this] { return blocked_ > 0; });
  }

  int sync(int fd) override {
    {
      std::unique_lock lock(mutex_);
      ++blocked_;
      changed_.notify_all();
      changed_.wait(lock, [this] { return !held_; });
      --blocked_;
    }
    return real_.sync(fd);
  }
  int create(const std::string& path, mode_t mode, int& fd) override {
    return real_.create(path, mode, fd);
  }
  int write(int fd, std::string_view data) override { return real_.write(fd, data); }
  int close(int fd) override { return real_.close(fd); }
  int rename(const std::string& from, const std::string& to) override {
    return real_.rename(from, to);
  }
  int syncDirectory(const std::string& dir) override { return real_.syncDirectory(dir); }
  int remove(const std::string& path) override { return real_.remove(path); }
  int read(const std::string& path, std::string& out) override { return real_.read(path, out); }

 private:
  FileIo& real_ = posixFileIo();
  std::mutex mutex_;
  std::condition_variable changed_;
  bool held_ = false;
  int blocked_ = 0;
};

class CibServiceDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created =
        CibService::create(io_, CibServiceOptions{dir_.path(), 1, oneNode(), "token", &disk_});
    ASSERT_TRUE(created.ok()) << created.error().message;
    service_ = std::move(*created);
    thread_ = std::thread([this] { io_.run(); });
    asio::post(io_, [this] { service_->onViewChanged(membership::View{{1, 1}, {1}}, true); });
    for (int i = 0; i < 100 && !(snapshot().ready); ++i) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(snapshot().ready) << "the one-node DC did not become ready";
  }
  void TearDown() override {
    asio::post(io_, [this] { service_->stop(); });
    guard_.reset();
    thread_.join();
  }
  CibSnapshot snapshot() { return service_->read(); }
  WriteReply write(const std::string& id) {
    const CibSnapshot now = snapshot();
    auto reply = service_->submit(CibChange{CibChange::Kind::kConfiguration, stampOf(now.cib),
                                            withResource(now.cib.xml, id)});
    if (reply.wait_for(5s) != std::future_status::ready) {
      ADD_FAILURE() << "the write was never answered";
      return WriteReply{};
    }
    return reply.get();
  }

  TempDir dir_;
  HeldDisk held_;
  FaultyFileIo disk_{held_};
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_{io_.get_executor()};
  std::unique_ptr<CibService> service_;
  std::thread thread_;
};

TEST_F(CibServiceDiskTest, WriteThatCannotBeStoredIsRefusedAndTheOldCibStays) {
  ASSERT_TRUE(write("first").result.ok());
  const CibSnapshot before = snapshot();

  for (const int error : {EIO, ENOSPC}) {
    disk_.failNth(FileOp::kSync, 1, error);
    const WriteReply refused = write("second");
    ASSERT_FALSE(refused.result.ok()) << "a write that is not on disk was acknowledged";
    EXPECT_EQ(refused.failure, WriteFailure::kNotStored);
    const std::string& message = refused.result.error().message;
    EXPECT_NE(message.find("cannot fsync"), std::string::npos) << message;
    EXPECT_NE(message.find(std::strerror(error)), std::string::npos) << message;
    EXPECT_NE(message.find("not applied"), std::string::npos) << message;

    const CibSnapshot after = snapshot();
    EXPECT_EQ(after.cib, before.cib) << "the refused write is in force";
    EXPECT_TRUE(after.ready);
    auto on_disk = cib::CibStore(dir_.path()).load();
    ASSERT_TRUE(on_disk.ok());
    EXPECT_EQ(on_disk->version, before.cib.version);
    EXPECT_EQ(on_disk->xml.find("second"), std::string::npos);
  }

  const WriteReply stored = write("third");
  ASSERT_TRUE(stored.result.ok()) << stored.result.error().message;
  auto on_disk = cib::CibStore(dir_.path()).load();
  ASSERT_TRUE(on_disk.ok());
  EXPECT_EQ(on_disk->version, *stored.result);
  EXPECT_NE(on_disk->xml.find("third"), std::string::npos);
}

// A slow disk delays writes, never reads: `pcs status` and the agents' crm_attribute read the
// CIB while the writer's copy waits for its fsync (before, reads queued behind the store and
// timed out after 2 s on a disk taking over a second per fsync).
TEST_F(CibServiceDiskTest, ReadsAnswerAtOnceWhileAStoreWaitsForTheDisk) {
  ASSERT_TRUE(write("first").result.ok());
  const CibSnapshot before = snapshot();
  held_.hold();
  const CibSnapshot now = snapshot();
  auto reply = service_->submit(CibChange{CibChange::Kind::kConfiguration, stampOf(now.cib),
                                          withResource(now.cib.xml, "slow")});
  ASSERT_TRUE(held_.waitUntilBlocked(5s)) << "the write never reached its fsync";

  const auto started = std::chrono::steady_clock::now();
  const CibSnapshot during = snapshot();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms) << "the read waited for the disk";
  EXPECT_EQ(during.cib, before.cib) << "a copy not yet on disk was readable";
  EXPECT_TRUE(during.ready);

  held_.release();
  ASSERT_EQ(reply.wait_for(5s), std::future_status::ready);
  const WriteReply stored = reply.get();
  ASSERT_TRUE(stored.result.ok()) << stored.result.error().message;
  // Once acknowledged, the write is what a read returns.
  const CibSnapshot after = snapshot();
  EXPECT_EQ(after.cib.version, *stored.result);
  EXPECT_NE(after.cib.xml.find("slow"), std::string::npos);
}

TEST_F(CibServiceDiskTest, FullDiskRefusesEveryWriteUntilSpaceIsFreed) {
  disk_.failAlways(FileOp::kWrite, ENOSPC);
  for (const char* id : {"a", "b", "c"}) {
    const WriteReply refused = write(id);
    ASSERT_FALSE(refused.result.ok());
    EXPECT_NE(refused.result.error().message.find("No space left on device"), std::string::npos)
        << refused.result.error().message;
  }
  disk_.heal();
  EXPECT_TRUE(write("d").result.ok());
}

}  // namespace
}  // namespace pulse::crmd
