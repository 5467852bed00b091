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
#include <future>
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
  CibSnapshot snapshot() {
    auto s = service_->read(2s);
    return s ? *s : CibSnapshot{};
  }
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
  FaultyFileIo disk_;
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
