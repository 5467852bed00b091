// Clone notifications (notify=true): the pre and post pseudo-actions around a clone's
// promotion, every instance's notify actions between them in that order, and the notify_*
// variables that tell the agents what happens where.
#include <algorithm>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

std::string notifyingClone(bool notify) {
  return std::string("<clone id=\"st-clone\">") + primitive("st") +
         "<meta_attributes id=\"st-clone-meta\">" + nvpair("st-prom", "promotable", "true") +
         (notify ? nvpair("st-notify", "notify", "true") : "") + "</meta_attributes></clone>";
}

Transition run(bool notify) {
  ScheduleOptions options;
  options.with_execution = true;
  auto t = schedule(cib({"n1", "n2"}, notifyingClone(notify), "", promotableInstancesStatus("st")),
                    options);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
  return t.ok() ? *t : Transition{};
}

int position(const Transition& t, const std::string& key, const std::string& node = "") {
  for (std::size_t i = 0; i < t.actions.size(); ++i)
    if (t.actions[i].key == key && (node.empty() || t.actions[i].node == node))
      return static_cast<int>(i);
  return -1;
}

TEST(Notifications, EveryInstanceIsToldBeforeAndAfterThePromotion) {
  const Transition t = run(true);
  const int pre = position(t, "st-clone_pre_notify_promote_0");
  const int pre_done = position(t, "st-clone_confirmed-pre_notify_promote_0");
  const int promote = position(t, "st:1_promote_0", "n2");
  const int post = position(t, "st-clone_post_notify_promoted_0");
  const int post_done = position(t, "st-clone_confirmed-post_notify_promoted_0");
  ASSERT_TRUE(pre >= 0 && pre_done >= 0 && promote >= 0 && post >= 0 && post_done >= 0);
  EXPECT_TRUE(pre < pre_done && pre_done < promote && promote < post && post < post_done);
  for (const char* node : {"n1", "n2"}) {
    const std::string instance = std::string(node) == "n1" ? "st:0" : "st:1";
    for (const char* type : {"pre", "post"}) {
      const int at = position(t, instance + "_" + type + "_notify_promote_0", node);
      ASSERT_GE(at, 0) << node << " " << type;
      EXPECT_TRUE(std::string(type) == "pre" ? pre < at && at < pre_done
                                             : post < at && at < post_done);
      const Action& a = t.actions[static_cast<std::size_t>(at)];
      EXPECT_EQ(a.task, "notify");
      EXPECT_TRUE(a.has_agent);
      EXPECT_EQ(a.meta.at("notify_type"), type);
      EXPECT_EQ(a.meta.at("notify_operation"), "promote");
      EXPECT_EQ(a.meta.at("notify_promote_resource"), "st:1");
      EXPECT_EQ(a.meta.at("notify_promote_uname"), "n2");
      EXPECT_EQ(a.meta.at("notify_active_resource"), "st:0 st:1");
      EXPECT_EQ(a.meta.at("notify_active_uname"), "n1 n2");
      EXPECT_EQ(a.meta.at("notify_unpromoted_uname"), "n1 n2");
      EXPECT_EQ(a.meta.at("notify_slave_uname"), "n1 n2");
      EXPECT_EQ(a.meta.at("notify_promoted_resource"), " ");
      EXPECT_EQ(a.meta.at("notify_start_resource"), " ");
      EXPECT_EQ(a.meta.at("notify_all_uname"), "n1 n2");
    }
  }
  EXPECT_EQ(t.actions[static_cast<std::size_t>(promote)].meta.at("notify_promote_uname"), "n2")
      << "the promote itself carries the variables too";
}

TEST(Notifications, NoneWithoutNotifyTrue) {
  const Transition t = run(false);
  EXPECT_GE(position(t, "st:1_promote_0", "n2"), 0);
  for (const Action& a : t.actions) {
    EXPECT_NE(a.task, "notify") << a.key;
    EXPECT_EQ(a.meta.count("notify_type"), 0u) << a.key;
  }
}

}  // namespace
}  // namespace pulse::pe
