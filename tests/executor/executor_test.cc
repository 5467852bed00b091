// Executor: per-resource serialisation, recurring monitors, cancellation, fail counts, with
// real agents driven through a real io_context.
#include "crmd/executor/executor.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <thread>
#include <vector>

#include "tests/executor/ocf_root.h"
#include "tests/fixtures/missing_tool.h"

namespace pulse::crmd {
namespace {

using std::chrono::milliseconds;

class ExecutorTest : public ::testing::Test {
 protected:
  Operation op(const std::string& resource, const std::string& agent, const std::string& action,
               milliseconds interval = milliseconds(0)) {
    Operation o;
    o.resource = resource;
    o.agent = *parseAgentName(agent);
    o.action = action;
    o.interval = interval;
    o.timeout = milliseconds(5000);
    return o;
  }
  // Queues `o`, appending its result to results_.
  void submit(Operation o) {
    const Status s = executor_.execute(std::move(o),
                                       [this](const OperationResult& r) { results_.push_back(r); });
    ASSERT_TRUE(s) << s.error().message;
  }
  bool waitForResults(std::size_t n, milliseconds limit = milliseconds(10000)) {
    const bool ok = runUntil(
        io_, [&] { return results_.size() >= n; }, limit);
    if (!ok) {
      for (const auto& r : results_) {
        ADD_FAILURE() << r.key() << ": " << r.agent.message << " / " << r.agent.err.text;
      }
    }
    return ok;
  }
  void runFor(milliseconds d) {
    runUntil(
        io_, [] { return false; }, d);
  }

  boost::asio::io_context io_;
  OcfRoot root_;
  Executor executor_{io_, Executor::Options{root_.path(), kDefaultOutputLimit}};
  std::vector<OperationResult> results_;
};

TEST_F(ExecutorTest, DummyLifecycleRunsInSubmissionOrder) {
  // All four queued at once: serialisation per resource keeps them in order.
  for (const char* action : {"start", "monitor", "stop", "monitor"}) {
    Operation o = op("dummy", "ocf:heartbeat:Dummy", action);
    o.params["state"] = root_.work("dummy.state");
    submit(std::move(o));
  }
  EXPECT_TRUE(executor_.busy("dummy"));
  ASSERT_TRUE(waitForResults(4));
  EXPECT_EQ(results_[0].action, "start");
  EXPECT_EQ(results_[0].agent.code, OcfCode::kOk);
  EXPECT_EQ(results_[1].agent.code, OcfCode::kOk);
  EXPECT_EQ(results_[2].action, "stop");
  EXPECT_EQ(results_[2].agent.code, OcfCode::kOk);
  EXPECT_EQ(results_[3].agent.code, OcfCode::kNotRunning);
  EXPECT_FALSE(results_[3].failure);  // a probe finding it stopped is no failure
  EXPECT_EQ(results_[3].key(), "dummy_monitor_0");
  EXPECT_FALSE(executor_.busy("dummy"));
  EXPECT_TRUE(executor_.failCounts().attributes("dummy").empty());
}

TEST_F(ExecutorTest, FailingAgentAnswersEachActionWithItsConfiguredCode) {
  // ocf:pulse:Failing: start succeeds, stop fails with OCF_ERR_GENERIC (and leaves the
  // resource running), monitor answers what its state file says; then every monitor 5.
  for (const char* action : {"monitor", "start", "stop", "monitor"}) {
    Operation o = op("f", "ocf:pulse:Failing", action);
    o.params["state"] = root_.work("failing.state");
    o.params["stop_rc"] = "1";
    submit(std::move(o));
  }
  Operation o = op("f", "ocf:pulse:Failing", "monitor");
  o.params["state"] = root_.work("failing.state");
  o.params["monitor_rc"] = "5";
  submit(std::move(o));
  ASSERT_TRUE(waitForResults(5));
  EXPECT_EQ(results_[0].agent.code, OcfCode::kNotRunning);
  EXPECT_EQ(results_[1].agent.code, OcfCode::kOk);
  EXPECT_EQ(results_[2].agent.code, OcfCode::kError);
  EXPECT_EQ(results_[2].agent.exit_reason, "stop configured to exit 1");
  EXPECT_EQ(results_[3].agent.code, OcfCode::kOk) << "a failed stop left it running";
  EXPECT_EQ(results_[4].agent.code, OcfCode::kNotInstalled);
}

TEST_F(ExecutorTest, StatefulPromotedMonitorReturnsRunningPromoted) {
  PULSE_REQUIRE_INSTALLED(OcfRoot::hasSystemAgent("pacemaker", "Stateful"),
                          "ocf:pacemaker:Stateful", "pacemaker-resource-agents");
  for (const char* action : {"start", "promote", "monitor", "demote", "stop"}) {
    Operation o = op("st", "ocf:pacemaker:Stateful", action);
    o.params["state"] = root_.work("stateful.state");
    submit(std::move(o));
  }
  ASSERT_TRUE(waitForResults(5));
  for (const auto& r : results_) {
    if (r.action == "monitor") {
      EXPECT_EQ(r.agent.code, OcfCode::kRunningPromoted) << r.agent.message;
      EXPECT_FALSE(r.failure);
    } else {
      EXPECT_EQ(r.agent.code, OcfCode::kOk) << r.action << ": " << r.agent.message;
    }
  }
}

// After a DC is lost, the next one may promote an instance whose Unpromoted monitor it never
// recorded, so its transition has no cancel for it: the promote itself ends that monitor, which
// would otherwise report 'promoted' (8) as a failure at its next run.
TEST_F(ExecutorTest, ARoleChangeEndsTheMonitorsOfTheRoleLeft) {
  PULSE_REQUIRE_INSTALLED(OcfRoot::hasSystemAgent("pacemaker", "Stateful"),
                          "ocf:pacemaker:Stateful", "pacemaker-resource-agents");
  const auto stateful = [&](const std::string& action, milliseconds interval = milliseconds(0)) {
    Operation o = op("st", "ocf:pacemaker:Stateful", action, interval);
    o.params["state"] = root_.work("role.state");
    return o;
  };
  submit(stateful("start"));
  submit(stateful("monitor", milliseconds(100)));
  ASSERT_TRUE(waitForResults(2));
  EXPECT_EQ(results_[1].agent.code, OcfCode::kOk);
  submit(stateful("promote"));
  ASSERT_TRUE(waitForResults(3));
  runFor(milliseconds(500));  // several of the monitor's intervals
  ASSERT_EQ(results_.size(), 3u) << "the Unpromoted monitor ran on after the promote: "
                                 << results_.back().agent.message;
  EXPECT_EQ(results_[2].action, "promote");
  EXPECT_EQ(results_[2].agent.code, OcfCode::kOk);
  EXPECT_FALSE(executor_.cancel("st", "monitor", milliseconds(100))) << "still scheduled";
}

TEST_F(ExecutorTest, OperationsOnOneResourceNeverOverlap) {
  // Each run appends "begin" and, after a pause, "end" to the same log: any overlap would
  // interleave them.
  const std::string log = root_.work("overlap.log");
  root_.addLocalAgent("Slow",
                      "echo begin >> \"$OCF_RESKEY_log\"\nsleep 0.2\n"
                      "echo end >> \"$OCF_RESKEY_log\"\nexit 0");
  for (int i = 0; i < 4; ++i) {
    Operation o = op("slow", "ocf:local:Slow", i % 2 ? "monitor" : "start");
    o.params["log"] = log;
    submit(std::move(o));
  }
  // Another resource is not held up behind them.
  Operation other = op("other", "ocf:local:Slow", "start");
  other.params["log"] = root_.work("other.log");
  submit(std::move(other));
  ASSERT_TRUE(waitForResults(5));
  const auto other_at = std::find_if(results_.begin(), results_.end(),
                                     [](const auto& r) { return r.resource == "other"; });
  EXPECT_LT(other_at - results_.begin(), 2) << "'other' waited behind 'slow'";
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "begin\nend\nbegin\nend\nbegin\nend\nbegin\nend\n");
}

TEST_F(ExecutorTest, RecurringMonitorReportsOnlyChangesUntilCancelled) {
  const std::string fail_file = root_.work("fail-now");
  const auto flaky = [&](const std::string& action, milliseconds interval = milliseconds(0)) {
    Operation o = op("flaky", "ocf:pulse:Flaky", action, interval);
    o.params["state"] = root_.work("flaky.state");
    o.params["fail_file"] = fail_file;
    return o;
  };
  submit(flaky("start"));
  submit(flaky("monitor", milliseconds(50)));
  ASSERT_TRUE(waitForResults(2));
  EXPECT_EQ(results_[1].agent.code, OcfCode::kOk);
  runFor(milliseconds(400));  // several more runs, all ok: nothing reported
  EXPECT_EQ(results_.size(), 2u);

  std::ofstream(fail_file) << "x";
  ASSERT_TRUE(waitForResults(3));
  EXPECT_EQ(results_[2].agent.code, OcfCode::kError);
  EXPECT_TRUE(results_[2].failure);
  EXPECT_EQ(results_[2].agent.exit_reason, "fail file " + fail_file + " exists");
  runFor(milliseconds(300));  // still failing: reported once, counted once
  EXPECT_EQ(results_.size(), 3u);
  EXPECT_EQ(executor_.failCounts().count("flaky", "monitor", milliseconds(50)), 1);
  EXPECT_EQ(executor_.failCounts().attributes("flaky").count("fail-count-flaky#monitor_50"), 1u);

  EXPECT_TRUE(executor_.cancel("flaky", "monitor", milliseconds(50)));
  EXPECT_FALSE(executor_.cancel("flaky", "monitor", milliseconds(50)));
  std::filesystem::remove(fail_file);  // would be a change, if anything still ran
  submit(flaky("stop"));
  ASSERT_TRUE(waitForResults(4));
  EXPECT_EQ(results_[3].action, "stop");
  runFor(milliseconds(300));
  EXPECT_EQ(results_.size(), 4u);
  EXPECT_FALSE(executor_.busy("flaky"));

  executor_.clearFailCounts("flaky");
  EXPECT_EQ(executor_.failCounts().count("flaky", "monitor", milliseconds(50)), 0);
}

TEST_F(ExecutorTest, CancelAllStopsEveryRecurringOperationOfTheResource) {
  Operation a = op("d", "ocf:heartbeat:Dummy", "monitor", milliseconds(40));
  a.params["state"] = root_.work("d.state");
  Operation b = a;
  b.interval = milliseconds(70);
  submit(a);
  submit(b);
  ASSERT_TRUE(waitForResults(2));
  EXPECT_EQ(executor_.cancelAll("d"), 2u);
  runUntil(
      io_, [&] { return !executor_.busy("d"); }, milliseconds(2000));
  EXPECT_FALSE(executor_.busy("d"));
  EXPECT_EQ(results_.size(), 2u);
}

// As Pacemaker's executor: cancelling a recurring monitor kills its run in progress, so the
// operation queued behind it on the resource (a switchover's notification or demote) does not
// wait for a monitor whose result nobody will read.
TEST_F(ExecutorTest, CancelKillsTheMonitorRunInProgressAndRunsWhatWaitsBehindIt) {
  const auto hang = [&](const std::string& action, milliseconds interval = milliseconds(0)) {
    Operation o = op("h", "ocf:pulse:HangAgent", action, interval);
    o.timeout = milliseconds(60000);
    o.params["hang_action"] = "monitor";
    o.params["state"] = root_.work("h.state");
    o.params["pidfile"] = root_.work("h.pid");
    return o;
  };
  submit(hang("start"));
  ASSERT_TRUE(waitForResults(1));
  submit(hang("monitor", milliseconds(1000)));
  ASSERT_TRUE(runUntil(
      io_, [&] { return readPid(root_.work("h.pid")) > 0; }, milliseconds(5000)));
  const pid_t child = readPid(root_.work("h.pid"));
  submit(hang("stop"));  // waits behind the hanging monitor
  runFor(milliseconds(200));
  ASSERT_EQ(results_.size(), 1u) << "the stop ran while the monitor was still running";

  const auto before = std::chrono::steady_clock::now();
  EXPECT_TRUE(executor_.cancel("h", "monitor", milliseconds(1000)));
  ASSERT_TRUE(waitForResults(2, milliseconds(3000)));
  EXPECT_LT(std::chrono::steady_clock::now() - before, milliseconds(1000));
  EXPECT_EQ(results_[1].action, "stop");  // the killed monitor is not reported
  EXPECT_EQ(results_[1].agent.code, OcfCode::kOk);
  EXPECT_EQ(executor_.failCounts().count("h", "monitor", milliseconds(1000)), 0);
  for (int i = 0; i < 100 && processAlive(child); ++i)
    std::this_thread::sleep_for(milliseconds(10));
  EXPECT_FALSE(processAlive(child)) << "the monitor's process group was not killed";
  runFor(milliseconds(300));
  EXPECT_EQ(results_.size(), 2u);
  EXPECT_FALSE(executor_.busy("h"));
}

TEST_F(ExecutorTest, TimeoutGarbageAndMissingAgentLeaveTheExecutorWorking) {
  Operation hang = op("h", "ocf:pulse:HangAgent", "start");
  hang.timeout = milliseconds(200);
  hang.params["state"] = root_.work("h.state");
  hang.params["pidfile"] = root_.work("h.pid");
  submit(hang);
  submit(op("g", "ocf:pulse:Garbage", "start"));
  submit(op("m", "ocf:heartbeat:NoSuchAgent", "start"));
  ASSERT_TRUE(waitForResults(3));
  std::map<std::string, OperationResult> by_rsc;
  for (const auto& r : results_) by_rsc[r.resource] = r;
  EXPECT_EQ(by_rsc["h"].agent.status, ExecStatus::kTimedOut);
  EXPECT_EQ(by_rsc["g"].agent.exit_status, 42);
  EXPECT_EQ(by_rsc["g"].agent.code, OcfCode::kUnknown);
  EXPECT_EQ(by_rsc["m"].agent.status, ExecStatus::kNotInstalled);
  for (const char* rsc : {"h", "g", "m"}) {
    EXPECT_TRUE(by_rsc[rsc].failure) << rsc;
    EXPECT_EQ(executor_.failCounts().count(rsc, "start", milliseconds(0)), 1) << rsc;
  }
  // The same executor still runs agents, on the same resources.
  Operation ok = op("h", "ocf:pulse:HangAgent", "monitor");
  ok.params["state"] = root_.work("h.state");
  submit(ok);
  ASSERT_TRUE(waitForResults(4));
  EXPECT_EQ(results_[3].agent.code, OcfCode::kNotRunning);
}

TEST_F(ExecutorTest, BadOperationsAreRefusedUpFront) {
  const auto refused = [&](Operation o) {
    return !executor_.execute(std::move(o), [](const OperationResult&) {}).ok();
  };
  Operation bad_param = op("r", "ocf:heartbeat:Dummy", "start");
  bad_param.params["no-dashes-in-env"] = "x";
  EXPECT_TRUE(refused(bad_param));
  Operation bad_meta = op("r", "ocf:heartbeat:Dummy", "start");
  bad_meta.meta["a.b"] = "1";
  EXPECT_TRUE(refused(bad_meta));
  EXPECT_TRUE(refused(op("", "ocf:heartbeat:Dummy", "start")));
  EXPECT_TRUE(refused(op("r", "ocf:heartbeat:Dummy", "start; rm -rf /")));
  EXPECT_TRUE(refused(op("r", "ocf:heartbeat:Dummy", "start", milliseconds(1000))));
  Operation no_timeout = op("r", "ocf:heartbeat:Dummy", "start");
  no_timeout.timeout = milliseconds(0);
  EXPECT_TRUE(refused(no_timeout));
  Operation escape = op("r", "ocf:heartbeat:Dummy", "start");
  escape.agent.type = "../../../../bin/true";
  EXPECT_TRUE(refused(escape));
  escape.agent = {"heartbeat:..", "Dummy"};
  EXPECT_TRUE(refused(escape));
  EXPECT_FALSE(executor_.busy("r"));
}

TEST_F(ExecutorTest, DestroyingTheExecutorKillsRunningAgents) {
  auto executor = std::make_unique<Executor>(io_, Executor::Options{root_.path(), 1024});
  Operation hang = op("h", "ocf:pulse:HangAgent", "start");
  hang.timeout = milliseconds(60000);
  hang.params["state"] = root_.work("h.state");
  hang.params["pidfile"] = root_.work("h.pid");
  bool called = false;
  ASSERT_TRUE(executor->execute(hang, [&](const OperationResult&) { called = true; }));
  ASSERT_TRUE(runUntil(
      io_, [&] { return readPid(root_.work("h.pid")) > 0; }, milliseconds(5000)));
  const pid_t child = readPid(root_.work("h.pid"));
  const auto before = std::chrono::steady_clock::now();
  executor.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - before, milliseconds(1000));
  runFor(milliseconds(100));
  EXPECT_FALSE(called);
  for (int i = 0; i < 100 && processAlive(child); ++i)
    std::this_thread::sleep_for(milliseconds(10));
  EXPECT_FALSE(processAlive(child));
}

}  // namespace
}  // namespace pulse::crmd
