// The DC's transition walk: parallel where the graph allows, strictly ordered otherwise, pseudo
// actions pass through, and a failure aborts without losing the results still in flight.
#include "crmd/controller/transition_runner.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace pulse::crmd {
namespace {

pe::Action action(int id, std::string task, std::string rsc, std::string node,
                  bool pseudo = false) {
  pe::Action a;
  a.id = id;
  a.task = std::move(task);
  a.resource = std::move(rsc);
  a.node = std::move(node);
  a.key = a.resource + "_" + a.task + "_0";
  a.pseudo = pseudo;
  return a;
}

std::vector<int> ids(const std::vector<pe::Action>& actions) {
  std::vector<int> out;
  for (const pe::Action& a : actions) out.push_back(a.id);
  std::sort(out.begin(), out.end());
  return out;
}

// Move of group web (vip, proxy) from n1 to n2, plus an independent start of db on n3:
//   stop proxy(1) -> stop vip(2) -> web stopped(3, pseudo) -> start vip(4) -> start proxy(5)
//   start db(6) has no orderings.
pe::Transition moveGroup() {
  pe::Transition t;
  t.actions = {action(1, "stop", "proxy", "n1"),      action(2, "stop", "vip", "n1"),
               action(3, "stopped", "web", "", true), action(4, "start", "vip", "n2"),
               action(5, "start", "proxy", "n2"),     action(6, "start", "db", "n3")};
  t.orderings = {{1, 2}, {2, 3}, {3, 4}, {4, 5}};
  return t;
}

TEST(TransitionRunner, RunsIndependentActionsInParallelAndOrderedOnesInOrder) {
  auto runner = TransitionRunner::create(moveGroup());
  ASSERT_TRUE(runner.ok()) << runner.error().message;
  EXPECT_EQ(ids(runner->ready()), (std::vector<int>{1, 6}));
  EXPECT_TRUE(runner->ready().empty());  // nothing new until a result comes back
  ASSERT_TRUE(runner->complete(1, true).ok());
  EXPECT_EQ(ids(runner->ready()), (std::vector<int>{2}));
  ASSERT_TRUE(runner->complete(2, true).ok());
  // The pseudo "stopped" completes on its own and frees the start of vip.
  EXPECT_EQ(ids(runner->ready()), (std::vector<int>{4}));
  ASSERT_TRUE(runner->complete(4, true).ok());
  ASSERT_TRUE(runner->complete(6, true).ok());
  EXPECT_EQ(ids(runner->ready()), (std::vector<int>{5}));
  EXPECT_FALSE(runner->finished());
  ASSERT_TRUE(runner->complete(5, true).ok());
  EXPECT_TRUE(runner->finished());
  EXPECT_FALSE(runner->aborted());
}

TEST(TransitionRunner, AFailureAbortsButWaitsForActionsInFlight) {
  auto runner = TransitionRunner::create(moveGroup());
  ASSERT_TRUE(runner.ok());
  runner->ready();  // 1 and 6 in flight
  ASSERT_TRUE(runner->complete(1, false, "rc=1 (generic error)").ok());
  EXPECT_TRUE(runner->aborted());
  EXPECT_EQ(runner->abortReason(), "proxy_stop_0 on n1 failed: rc=1 (generic error)");
  EXPECT_TRUE(runner->ready().empty());
  EXPECT_FALSE(runner->finished());  // db's start is still running somewhere
  ASSERT_TRUE(runner->complete(6, true).ok());
  EXPECT_TRUE(runner->finished());
}

TEST(TransitionRunner, RefusesUnknownResultsAndDamagedGraphs) {
  auto runner = TransitionRunner::create(moveGroup());
  ASSERT_TRUE(runner.ok());
  EXPECT_FALSE(runner->complete(5, true).ok());  // never handed out
  pe::Transition cyclic = moveGroup();
  cyclic.orderings.push_back({5, 1});
  auto bad = TransitionRunner::create(cyclic);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("cycle"), std::string::npos);
  pe::Transition dangling = moveGroup();
  dangling.orderings.push_back({1, 99});
  EXPECT_FALSE(TransitionRunner::create(dangling).ok());
}

TEST(TransitionRunner, ExternalAbortStopsHandingOut) {
  auto runner = TransitionRunner::create(moveGroup());
  ASSERT_TRUE(runner.ok());
  runner->ready();
  runner->abort("node n3 lost");
  ASSERT_TRUE(runner->complete(1, true).ok());
  EXPECT_TRUE(runner->ready().empty());
  ASSERT_TRUE(runner->complete(6, true).ok());
  EXPECT_TRUE(runner->finished());
  EXPECT_EQ(runner->abortReason(), "node n3 lost");
}

// A clone's promotion with its post-notifications: promote(1) -> promoted(2, pseudo) ->
// post_notify(3, pseudo) -> notify on n1(4), notify on n2(5) -> confirmed-post(6, pseudo).
TEST(TransitionRunner, PostNotificationsStillRunAfterAnAbort) {
  pe::Transition t;
  t.actions = {action(1, "promote", "st", "n1"),
               action(2, "promoted", "st-clone", "", true),
               action(3, "notify", "st-clone", "", true),
               action(4, "notify", "st", "n1"),
               action(5, "notify", "st", "n2"),
               action(6, "notified", "st-clone", "", true),
               action(7, "start", "vip", "n1")};
  t.actions[3].survives_abort = t.actions[4].survives_abort = true;
  t.orderings = {{1, 2}, {2, 3}, {3, 4}, {3, 5}, {4, 6}, {5, 6}, {2, 7}};
  auto runner = TransitionRunner::create(t);
  ASSERT_TRUE(runner.ok());
  EXPECT_EQ(ids(runner->ready()), (std::vector<int>{1}));
  runner->abort("CIB changed");  // the promotion score the agent wrote
  ASSERT_TRUE(runner->complete(1, true).ok());
  // The pseudo actions pass, the post-notifications go out; vip's start does not.
  EXPECT_EQ(ids(runner->ready()), (std::vector<int>{4, 5}));
  EXPECT_FALSE(runner->finished());
  ASSERT_TRUE(runner->complete(4, true).ok());
  ASSERT_TRUE(runner->complete(5, true).ok());
  EXPECT_TRUE(runner->ready().empty());
  EXPECT_TRUE(runner->finished());
}

TEST(TransitionRunner, ProbesAcceptRunningAndStopped) {
  pe::Action probe = action(1, "monitor", "vip", "n1");
  EXPECT_TRUE(isExpectedResult(probe, 0));
  EXPECT_TRUE(isExpectedResult(probe, 7));
  EXPECT_FALSE(isExpectedResult(probe, 1));
  pe::Action recurring = probe;
  recurring.interval_ms = 10000;
  EXPECT_FALSE(isExpectedResult(recurring, 7));
  EXPECT_TRUE(isExpectedResult(action(2, "start", "vip", "n1"), 0));
  EXPECT_FALSE(isExpectedResult(action(2, "start", "vip", "n1"), 7));
}

}  // namespace
}  // namespace pulse::crmd
