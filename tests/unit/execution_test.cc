// Each action the engine emits carries what executing it takes (agent, parameters, timeout,
// digest), and the digest it carries is the one it accepts back from the history: a result
// recorded with it is not taken for a changed definition.
#include <pugixml.hpp>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

const std::vector<std::string> kNodes = {"n1", "n2"};

ScheduleOptions forExecution() {
  ScheduleOptions options;
  options.with_execution = true;
  return options;
}

Transition scheduleForExecution(const std::string& xml) {
  auto result = schedule(xml, forExecution());
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? *result : Transition{};
}

// vip with a parameter, a 10 s monitor with a 30 s timeout, started on n1 by a location.
std::string vip(const std::string& status) {
  const std::string resources =
      R"(<primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
           <instance_attributes id="vip-params">)" +
      nvpair("vip-ip", "ip", "192.0.2.10") + R"(</instance_attributes>
           <meta_attributes id="vip-meta">)" +
      nvpair("vip-stick", "resource-stickiness", "10") + R"(</meta_attributes>
           <operations>
             <op id="vip-monitor" name="monitor" interval="10s" timeout="30s"/>
           </operations>
         </primitive>)";
  return cib(kNodes, resources, R"(<rsc_location id="l" rsc="vip" node="n1" score="100"/>)",
             status);
}

const Action* find(const Transition& t, const std::string& key) {
  for (const Action& a : t.actions)
    if (a.key == key) return &a;
  return nullptr;
}

TEST(Execution, ActionsCarryAgentParametersTimeoutAndDigest) {
  const Transition t = scheduleForExecution(vip(emptyStatus(kNodes)));
  const Action* start = find(t, "vip_start_0");
  const Action* monitor = find(t, "vip_monitor_10000");
  ASSERT_NE(start, nullptr);
  ASSERT_NE(monitor, nullptr);
  EXPECT_TRUE(start->has_agent);
  EXPECT_EQ(start->rsc_class + ":" + start->provider + ":" + start->type, "ocf:heartbeat:IPaddr2");
  EXPECT_EQ(start->params, (std::map<std::string, std::string>{{"ip", "192.0.2.10"}}));
  EXPECT_EQ(start->meta.at("resource-stickiness"), "10");
  EXPECT_EQ(start->timeout_ms, 20000) << "no start op: Pacemaker's 20 s";
  EXPECT_EQ(monitor->timeout_ms, 30000);
  const OpDigestInput in{.params = {{"ip", "192.0.2.10"}},
                         .task = "monitor",
                         .interval_ms = 10000,
                         .op_meta = {{"timeout", "30000"}}};
  EXPECT_EQ(monitor->op_digest, computeOpDigests(in, std::nullopt, std::nullopt).all);
  EXPECT_NE(start->op_digest, monitor->op_digest);
}

TEST(Execution, RecordedWithTheCarriedDigestNothingChanges) {
  const Transition first = scheduleForExecution(vip(emptyStatus(kNodes)));
  const Action* start = find(first, "vip_start_0");
  const Action* monitor = find(first, "vip_monitor_10000");
  ASSERT_NE(start, nullptr);
  ASSERT_NE(monitor, nullptr);
  auto op = [](const Action& a, int call_id) {
    return "<lrm_rsc_op id=\"" + a.key + "\" operation_key=\"" + a.key + "\" operation=\"" +
           a.task + "\" transition-key=\"1:1:0:00000000-0000-0000-0000-000000000000\" call-id=\"" +
           std::to_string(call_id) + "\" rc-code=\"0\" op-status=\"0\" interval=\"" +
           std::to_string(a.interval_ms) + "\" last-rc-change=\"1000\" op-digest=\"" + a.op_digest +
           "\"/>";
  };
  const std::string lrm =
      R"(<lrm_resource id="vip" class="ocf" provider="heartbeat" type="IPaddr2">)" + op(*start, 1) +
      op(*monitor, 2) + "</lrm_resource>";
  const Transition second = scheduleOk(vip(nodeState("1", "n1", lrm) + nodeState("2", "n2")));
  EXPECT_TRUE(second.actions.empty()) << second.actions.front().key;
}

TEST(Execution, ParsedDocumentGivesTheSameTransition) {
  const std::string text = vip(emptyStatus(kNodes));
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(text.c_str()));
  auto from_doc = schedule(doc, text, forExecution());
  ASSERT_TRUE(from_doc.ok()) << from_doc.error().message;
  const Transition from_text = scheduleForExecution(text);
  ASSERT_EQ(from_doc->actions.size(), from_text.actions.size());
  for (std::size_t i = 0; i < from_text.actions.size(); ++i) {
    EXPECT_EQ(from_doc->actions[i].key, from_text.actions[i].key);
    EXPECT_EQ(from_doc->actions[i].op_digest, from_text.actions[i].op_digest);
  }
  EXPECT_EQ(from_doc->summary.size(), from_text.summary.size());

  pugi::xml_document bad;
  const std::string broken =
      "<cib>\n<configuration>\n<nodes>\n<node uname=\"n1\"/>\n"
      "</nodes>\n</configuration>\n<status/>\n</cib>\n";
  ASSERT_TRUE(bad.load_string(broken.c_str()));
  auto refused = schedule(bad, broken);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("line 4"), std::string::npos) << refused.error().message;
}

}  // namespace
}  // namespace pulse::pe
