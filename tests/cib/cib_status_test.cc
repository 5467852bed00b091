#include "crmd/cib/cib_status.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "crmd/cib/cib_version.h"
#include "policy-engine/cib_model.h"
#include "policy-engine/op_digest.h"
#include "policy-engine/policy_engine.h"
#include "tests/cib/cib_samples.h"

namespace pulse::cib {
namespace {

using testing::kCib;

std::string text(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "  ");
  return out.str();
}

OperationResult vipResult(const std::string& op, int rc, int call_id,
                          std::int64_t interval_ms = 0) {
  OperationResult r;
  r.node_id = "1";
  r.node_uname = "n1";
  r.rsc = "vip";
  r.rsc_class = "ocf";
  r.provider = "pacemaker";
  r.type = "Dummy";
  r.operation = op;
  r.interval_ms = interval_ms;
  r.call_id = call_id;
  r.rc = rc;
  r.transition_key = std::to_string(call_id) + ":1:0:8f3b2c1e-0000-4000-8000-000000000001";
  r.last_rc_change = 1700000000 + call_id;
  r.exec_time_ms = 12;
  return r;
}

class CibStatusTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(doc_.load_string(kCib.c_str())); }
  pugi::xml_node cib() { return doc_.child("cib"); }
  pugi::xml_node resource() {
    return cib()
        .child("status")
        .find_child_by_attribute("node_state", "id", "1")
        .child("lrm")
        .child("lrm_resources")
        .find_child_by_attribute("lrm_resource", "id", "vip");
  }
  pugi::xml_node entry(const char* id) {
    return resource().find_child_by_attribute("lrm_rsc_op", "id", id);
  }
  CibVersion version() { return readCibVersion(cib()).value(); }

  pugi::xml_document doc_;
};

TEST_F(CibStatusTest, RecordsAnOperationInPacemakersFormat) {
  ASSERT_TRUE(recordOperation(cib(), vipResult("start", kOcfOk, 5)).ok());
  pugi::xml_node op = entry("vip_last_0");
  ASSERT_TRUE(op) << text(doc_);
  EXPECT_STREQ(resource().attribute("class").value(), "ocf");
  EXPECT_STREQ(resource().attribute("provider").value(), "pacemaker");
  EXPECT_STREQ(resource().attribute("type").value(), "Dummy");
  EXPECT_STREQ(op.attribute("operation_key").value(), "vip_start_0");
  EXPECT_STREQ(op.attribute("operation").value(), "start");
  EXPECT_STREQ(op.attribute("crm-debug-origin").value(), "do_update_resource");
  EXPECT_STREQ(op.attribute("transition-magic").value(),
               "0:0;5:1:0:8f3b2c1e-0000-4000-8000-000000000001");
  EXPECT_STREQ(op.attribute("on_node").value(), "n1");
  EXPECT_STREQ(op.attribute("call-id").value(), "5");
  EXPECT_STREQ(op.attribute("rc-code").value(), "0");
  EXPECT_STREQ(op.attribute("op-status").value(), "0");
  EXPECT_STREQ(op.attribute("interval").value(), "0");
  EXPECT_STREQ(op.attribute("last-rc-change").value(), "1700000005");
  EXPECT_STREQ(op.attribute("exec-time").value(), "12");
  for (const char* a :
       {"crm_feature_set", "transition-key", "exit-reason", "queue-time", "op-digest"}) {
    EXPECT_TRUE(op.attribute(a)) << a;
  }
  EXPECT_STREQ(cib().child("status").child("node_state").attribute("uname").value(), "n1");
  EXPECT_EQ(version(), (CibVersion{0, 5, 3}));  // a status change
}

TEST_F(CibStatusTest, KeepsTheLastResultPerIdAndTheLastFailure) {
  ASSERT_TRUE(recordOperation(cib(), vipResult("start", kOcfOk, 5)).ok());
  ASSERT_TRUE(recordOperation(cib(), vipResult("monitor", kOcfOk, 6, 10000)).ok());
  ASSERT_TRUE(recordOperation(cib(), vipResult("monitor", kOcfOk, 7, 10000)).ok());
  ASSERT_TRUE(recordOperation(cib(), vipResult("monitor", kOcfNotRunning, 8, 10000)).ok());
  ASSERT_TRUE(recordOperation(cib(), vipResult("stop", kOcfOk, 9)).ok());
  std::vector<std::string> ids;
  for (pugi::xml_node op : resource().children("lrm_rsc_op"))
    ids.push_back(op.attribute("id").value());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids,
            (std::vector<std::string>{"vip_last_0", "vip_last_failure_0", "vip_monitor_10000"}));
  EXPECT_STREQ(entry("vip_last_0").attribute("operation").value(), "stop");
  EXPECT_STREQ(entry("vip_monitor_10000").attribute("call-id").value(), "8");
  EXPECT_STREQ(entry("vip_last_failure_0").attribute("rc-code").value(), "7");
  EXPECT_STREQ(entry("vip_last_failure_0").attribute("operation_key").value(), "vip_monitor_10000");
  EXPECT_EQ(version(), (CibVersion{0, 5, 7}));
}

TEST_F(CibStatusTest, AProbeFindingTheResourceStoppedIsNoFailure) {
  OperationResult probe = vipResult("monitor", kOcfNotRunning, 3);
  probe.transition_key = "3:1:7:8f3b2c1e-0000-4000-8000-000000000001";  // expects 7
  EXPECT_FALSE(isFailure(probe));
  ASSERT_TRUE(recordOperation(cib(), probe).ok());
  EXPECT_FALSE(entry("vip_last_failure_0"));
  OperationResult timed_out = vipResult("start", kOcfOk, 4);
  timed_out.op_status = 2;  // PCMK_EXEC_TIMEOUT
  EXPECT_TRUE(isFailure(timed_out));
}

// The op-digest the executor records: the engine's own computation for vip's parameters, so
// that the engine sees no definition change.
std::string vipDigest(const OperationResult& r) {
  pe::OpDigestInput input;
  input.params = {{"state", "/run/vip.state"}};
  input.task = r.operation;
  input.interval_ms = r.interval_ms;
  input.feature_set = r.feature_set;
  return pe::computeOpDigests(input, std::nullopt, std::nullopt).all;
}

TEST_F(CibStatusTest, TheEngineSeesTheResourceRunningAfterARecordedStart) {
  for (OperationResult r :
       {vipResult("start", kOcfOk, 5), vipResult("monitor", kOcfOk, 6, 10000)}) {
    r.op_digest = vipDigest(r);
    ASSERT_TRUE(recordOperation(cib(), r).ok());
  }
  const std::string xml = text(doc_);
  auto unpacked = pe::unpackCib(xml);
  ASSERT_TRUE(unpacked.ok()) << unpacked.error().message;
  ASSERT_EQ(unpacked->node_states.size(), 1u);
  ASSERT_EQ(unpacked->node_states[0].resources.size(), 1u);
  EXPECT_EQ(unpacked->node_states[0].resources[0].ops.size(), 2u);

  // The node_state of a live member carries the membership attributes the DC writes.
  pugi::xml_node ns = cib().child("status").child("node_state");
  ns.append_attribute("in_ccm") = "true";
  ns.append_attribute("crmd") = "online";
  ns.append_attribute("join") = "member";
  ns.append_attribute("expected") = "member";
  pe::ScheduleOptions options;
  options.now = 1700000100;
  auto transition = pe::schedule(text(doc_), options);
  ASSERT_TRUE(transition.ok()) << transition.error().message;
  auto vip =
      std::find_if(transition->current.resources.begin(), transition->current.resources.end(),
                   [](const pe::ResourceView& r) { return r.id == "vip"; });
  ASSERT_NE(vip, transition->current.resources.end());
  EXPECT_EQ(vip->role, pe::Role::Started);
  EXPECT_EQ(vip->nodes, (std::vector<std::string>{"n1"}));
  for (const pe::Action& a : transition->actions) {
    EXPECT_FALSE(a.resource == "vip" && a.task == "start") << "vip is already running";
  }
  for (const pe::SummaryItem& item : transition->summary) {
    if (item.resource != "vip") continue;  // db is stopped: its start is expected
    ADD_FAILURE() << item.verb << " " << item.resource << " (" << item.details << ") "
                  << item.reason;
  }
}

TEST_F(CibStatusTest, TransientAttributesAreSetReadAndDeleted) {
  const std::string name = failCountName("vip", "monitor", 10000);
  EXPECT_EQ(name, "fail-count-vip#monitor_10000");
  ASSERT_TRUE(setNodeAttribute(cib(), "1", name, "1", AttributeLifetime::kTransient).ok());
  ASSERT_TRUE(setNodeAttribute(cib(), "1", lastFailureName("vip", "monitor", 10000), "1700000008",
                               AttributeLifetime::kTransient)
                  .ok());
  EXPECT_EQ(nodeAttribute(cib(), "1", name, AttributeLifetime::kTransient), "1");
  pugi::xml_node nv = cib()
                          .child("status")
                          .child("node_state")
                          .child("transient_attributes")
                          .child("instance_attributes")
                          .child("nvpair");
  EXPECT_STREQ(nv.attribute("id").value(), "status-1-fail-count-vip.monitor_10000");
  EXPECT_EQ(version(), (CibVersion{0, 5, 4}));
  // Setting the same value again changes nothing, not even the version.
  ASSERT_TRUE(setNodeAttribute(cib(), "1", name, "1", AttributeLifetime::kTransient).ok());
  EXPECT_EQ(version(), (CibVersion{0, 5, 4}));

  auto unpacked = pe::unpackCib(text(doc_));
  ASSERT_TRUE(unpacked.ok()) << unpacked.error().message;
  EXPECT_EQ(unpacked->node_states.at(0).transient.at(name), "1");

  ASSERT_TRUE(deleteNodeAttribute(cib(), "1", name, AttributeLifetime::kTransient).ok());
  EXPECT_EQ(nodeAttribute(cib(), "1", name, AttributeLifetime::kTransient), std::nullopt);
  EXPECT_EQ(version(), (CibVersion{0, 5, 5}));
  ASSERT_TRUE(deleteNodeAttribute(cib(), "2", name, AttributeLifetime::kTransient).ok());
  EXPECT_EQ(version(), (CibVersion{0, 5, 5}));
}

TEST_F(CibStatusTest, PermanentAttributesLiveInTheConfiguration) {
  ASSERT_TRUE(setNodeAttribute(cib(), "2", "standby", "on", AttributeLifetime::kPermanent).ok());
  EXPECT_EQ(version(), (CibVersion{0, 6, 0}));  // a configuration change
  EXPECT_EQ(nodeAttribute(cib(), "2", "standby", AttributeLifetime::kPermanent), "on");
  auto unpacked = pe::unpackCib(text(doc_));
  ASSERT_TRUE(unpacked.ok()) << unpacked.error().message;
  EXPECT_EQ(unpacked->nodes.at(1).attributes.at("standby"), "on");
  Status unknown = setNodeAttribute(cib(), "9", "standby", "on", AttributeLifetime::kPermanent);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("<node id=\"9\">"), std::string::npos);
  EXPECT_EQ(promotionScoreName("db"), "master-db");
}

TEST_F(CibStatusTest, CleanupForgetsTheResourceHistory) {
  ASSERT_TRUE(recordOperation(cib(), vipResult("start", kOcfOk, 5)).ok());
  ASSERT_TRUE(resource());
  ASSERT_TRUE(deleteResourceHistory(cib(), "1", "vip").ok());
  EXPECT_FALSE(resource());
  EXPECT_EQ(version(), (CibVersion{0, 5, 4}));
  ASSERT_TRUE(deleteResourceHistory(cib(), "1", "vip").ok());  // nothing left: no change
  ASSERT_TRUE(deleteResourceHistory(cib(), "7", "vip").ok());
  EXPECT_EQ(version(), (CibVersion{0, 5, 4}));
}

TEST_F(CibStatusTest, RefusesIncompleteResults) {
  OperationResult r = vipResult("start", kOcfOk, 1);
  r.node_id.clear();
  EXPECT_FALSE(recordOperation(cib(), r).ok());
  pugi::xml_document other;
  ASSERT_TRUE(other.load_string("<cib/>"));
  EXPECT_FALSE(recordOperation(other.child("cib"), vipResult("start", kOcfOk, 1)).ok());
}

}  // namespace
}  // namespace pulse::cib
