// The DC's loop with a promotable clone: each instance is monitored for its role (rc 8 expected
// where it runs Promoted, recorded so), the other role's monitor is cancelled when the role
// changes and its history entry forgotten, and the loop settles (no transition after
// transition re-cancelling a monitor).
#include <gtest/gtest.h>

#include <sstream>

#include "tests/controller/controller_harness.h"

namespace pulse::crmd {
namespace {

// A promotable clone of a Stateful-like agent with a monitor per role (Stateful's own: 10 s
// Promoted, 11 s Unpromoted); the location for the Promoted role picks where it is promoted.
std::string promotableCib(const std::string& promoted_on) {
  return fixtures::cibXml(
      {.cib_attributes = R"(crm_feature_set="3.16.2" validate-with="pacemaker-3.7" epoch="5" )"
                         R"(num_updates="0" admin_epoch="0" have-quorum="1")",
       .resources = R"(      <clone id="st-clone">
        <primitive id="st" class="ocf" provider="pacemaker" type="Stateful">
          <operations>
            <op id="st-monitor-10s" name="monitor" interval="10s" role="Promoted"/>
            <op id="st-monitor-11s" name="monitor" interval="11s" role="Unpromoted"/>
          </operations>
        </primitive>
        <meta_attributes id="st-clone-meta">
          <nvpair id="st-clone-promotable" name="promotable" value="true"/>
        </meta_attributes>
      </clone>
)",
       .constraints =
           R"(      <rsc_location id="promote-here" rsc="st-clone" role="Promoted" node=")" +
           promoted_on + R"(" score="100"/>
)"});
}

// What a healthy Stateful answers: a probe finds nothing, a monitor of the promoted instance 8.
int stateful(const ActionRequest& a) { return a.expected_rc; }

pugi::xml_node stOp(const pugi::xml_document& doc, const std::string& node_id,
                    const std::string& id) {
  return doc.child("cib")
      .child("status")
      .find_child_by_attribute("node_state", "id", node_id.c_str())
      .child("lrm")
      .child("lrm_resources")
      .find_child_by_attribute("lrm_resource", "id", "st")
      .find_child_by_attribute("lrm_rsc_op", "id", id.c_str());
}

// The target rc a history entry was recorded with (the third field of its transition key).
std::string targetRc(const pugi::xml_node& op) {
  std::istringstream key(op.attribute("transition-key").value());
  std::string field;
  for (int i = 0; i < 3; ++i) std::getline(key, field, ':');
  return field;
}

TEST(ControllerPromotable, EachInstanceIsMonitoredForItsRoleAndTheLoopSettles) {
  Harness h;
  h.xml = promotableCib("n1");
  h.startUp();
  h.settle(stateful);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  EXPECT_EQ(count(h.executed, "promote_0 st on n1"), 1u) << testing::PrintToString(h.executed);
  EXPECT_EQ(count(h.executed, "promote_0"), 1u);
  // The promoted instance's monitor is the Promoted one only, and expects 8; the others are
  // monitored for the Unpromoted role.
  EXPECT_EQ(count(h.executed, "monitor_10000 st on n1"), 1u) << testing::PrintToString(h.executed);
  EXPECT_EQ(count(h.executed, "monitor_11000 st on n1"), 0u);
  EXPECT_EQ(count(h.executed, "monitor_11000 st on n2"), 1u);
  EXPECT_EQ(count(h.executed, "monitor_11000 st on n3"), 1u);
  EXPECT_EQ(count(h.executed, "monitor_10000"), 1u);

  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(h.xml.c_str()));
  pugi::xml_node promoted = stOp(doc, "1", "st_monitor_10000");
  ASSERT_TRUE(promoted);
  EXPECT_STREQ(promoted.attribute("rc-code").value(), "8");
  EXPECT_EQ(targetRc(promoted), "8") << "rc 8 is this monitor's success, not a failure";
  EXPECT_FALSE(stOp(doc, "1", "st_last_failure_0"));
  EXPECT_EQ(targetRc(stOp(doc, "2", "st_monitor_11000")), "0");
  EXPECT_FALSE(cib::nodeAttribute(doc.child("cib"), "1", "fail-count-st#monitor_10000",
                                  cib::AttributeLifetime::kTransient));
}

TEST(ControllerPromotable, MovingThePromotionCancelsTheOtherRolesMonitors) {
  Harness h;
  h.xml = promotableCib("n1");
  h.startUp();
  h.settle(stateful);
  ASSERT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  h.executed.clear();

  // Someone moves the promotion to n2.
  h.stamp.version.epoch += 1;
  h.xml = replaced(h.xml, R"(role="Promoted" node="n1")", R"(role="Promoted" node="n2")");
  h.take(h.ctl.onCibChanged(parsed(h.xml, h.stamp), kNow));
  h.settle(stateful);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  // n1 demoted with its Promoted monitor cancelled first, then monitored as Unpromoted; n2's
  // Unpromoted monitor cancelled before its promotion, then its Promoted monitor started.
  const std::vector<std::string> want{"cancel_10000 st on n1",  "demote_0 st on n1",
                                      "cancel_11000 st on n2",  "promote_0 st on n2",
                                      "monitor_11000 st on n1", "monitor_10000 st on n2"};
  for (const std::string& action : want)
    EXPECT_EQ(count(h.executed, action), 1u)
        << action << ": " << testing::PrintToString(h.executed);
  auto at = [&](const std::string& action) {
    return std::find(h.executed.begin(), h.executed.end(), action) - h.executed.begin();
  };
  EXPECT_LT(at("cancel_11000 st on n2"), at("promote_0 st on n2"));
  EXPECT_LT(at("cancel_10000 st on n1"), at("demote_0 st on n1"));
  EXPECT_LT(at("promote_0 st on n2"), at("monitor_10000 st on n2"));
  EXPECT_EQ(count(h.executed, "start_0"), 0u) << "no instance restarted";

  // The cancelled monitors are forgotten: nothing for the engine to cancel again.
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(h.xml.c_str()));
  EXPECT_FALSE(stOp(doc, "1", "st_monitor_10000"));
  EXPECT_FALSE(stOp(doc, "2", "st_monitor_11000"));
  EXPECT_TRUE(stOp(doc, "1", "st_monitor_11000"));
  EXPECT_EQ(targetRc(stOp(doc, "2", "st_monitor_10000")), "8");
}

TEST(ControllerPromotable, APromotedAnswerWhereUnpromotedWasExpectedIsAFailure) {
  Harness h;
  h.xml = promotableCib("n1");
  h.startUp();
  h.settle(stateful);
  ASSERT_TRUE(h.ctl.idle());
  // n3's instance claims to be promoted (someone promoted it behind the cluster's back).
  ActionRequest monitor;
  monitor.node = "n3";
  monitor.resource = "st";
  monitor.rsc_class = "ocf";
  monitor.provider = "pacemaker";
  monitor.type = "Stateful";
  monitor.operation = "monitor";
  monitor.interval_ms = 11000;
  monitor.expected_rc = 0;
  h.take(h.ctl.onMonitorResult(monitor, OcfResult{8, 0, "", 5}, kNow));
  h.confirmWrites();
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(h.xml.c_str()));
  EXPECT_TRUE(stOp(doc, "3", "st_last_failure_0"));
  EXPECT_TRUE(cib::nodeAttribute(doc.child("cib"), "3", "fail-count-st#monitor_11000",
                                 cib::AttributeLifetime::kTransient));
}

TEST(ControllerPromotable, NotificationsTellEveryInstanceWhatHappensAndLeaveNoHistory) {
  Harness h;
  h.xml = replaced(promotableCib("n1"), R"(<nvpair id="st-clone-promotable")",
                   R"(<nvpair id="st-clone-notify" name="notify" value="true"/>)"
                   R"(<nvpair id="st-clone-promotable")");
  std::vector<ActionRequest> notifications;
  h.becomeDc();
  for (int i = 0; i < 50 && (!h.writes.empty() || !h.actions.empty()); ++i) {
    h.confirmWrites();
    for (const ActionRequest& a : h.actions)
      if (a.operation == "notify") notifications.push_back(a);
    h.answer(stateful);
  }
  ASSERT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  // After the starts every instance is told (post) which started where; around the promotion
  // every instance is told before (pre) and after (post) that st on n1 is promoted.
  auto told = [&](const std::string& node, const std::string& type, const std::string& op) {
    for (const ActionRequest& a : notifications)
      if (a.node == node && a.meta.at("notify_type") == type && a.meta.at("notify_operation") == op)
        return &a;
    return static_cast<const ActionRequest*>(nullptr);
  };
  for (const std::string node : {"n1", "n2", "n3"}) {
    const ActionRequest* started = told(node, "post", "start");
    ASSERT_TRUE(started) << node;
    EXPECT_EQ(started->meta.at("notify_start_uname"), "n1 n2 n3");
    EXPECT_EQ(started->meta.at("notify_start_resource").size(),
              std::string("st:0 st:1 st:2").size());
    EXPECT_EQ(started->meta.at("notify_active_resource"), " ") << "nothing ran before";
    EXPECT_EQ(started->meta.at("notify_available_uname"), "n1 n2 n3");
    for (const char* type : {"pre", "post"}) {
      const ActionRequest* promoting = told(node, type, "promote");
      ASSERT_TRUE(promoting) << node << " " << type;
      EXPECT_EQ(promoting->meta.at("notify_promote_uname"), "n1");
      // Promoted in the transition that starts it: the lists say what ran before it.
      EXPECT_EQ(promoting->meta.at("notify_active_uname"), " ");
      EXPECT_EQ(promoting->meta.at("notify_start_uname"), "n1 n2 n3");
      EXPECT_EQ(promoting->meta.at("notify_unpromoted_uname"),
                promoting->meta.at("notify_slave_uname"));
      EXPECT_EQ(promoting->meta.at("notify_promoted_resource"), " ");
      EXPECT_EQ(promoting->meta.at("notify_demote_resource"), " ");
    }
  }
  // No history entry for a notification: st's last operation on n2 is still its start.
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(h.xml.c_str()));
  EXPECT_STREQ(stOp(doc, "2", "st_last_0").attribute("operation").value(), "start");
  EXPECT_EQ(h.xml.find("operation=\"notify\""), std::string::npos);
}

TEST(ControllerPromotable, ExpectedResults) {
  auto monitor = [](std::int64_t interval_ms, int expected_rc) {
    pe::Action a;
    a.task = "monitor";
    a.interval_ms = interval_ms;
    a.expected_rc = expected_rc;
    return a;
  };
  EXPECT_TRUE(isExpectedResult(monitor(10000, 8), 8));
  EXPECT_FALSE(isExpectedResult(monitor(10000, 8), 0)) << "a promoted instance lost its role";
  EXPECT_TRUE(isExpectedResult(monitor(11000, 0), 0));
  EXPECT_FALSE(isExpectedResult(monitor(11000, 0), 8));
  for (int rc : {0, 7, 8}) EXPECT_TRUE(isExpectedResult(monitor(0, 0), rc)) << "probe " << rc;
}

}  // namespace
}  // namespace pulse::crmd
