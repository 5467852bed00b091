// Failed actions must not make a transition storm: with an agent that fails the same way every
// time, the DC's loop settles after a handful of transitions, as Pacemaker's does. A failed stop
// fences the node (stonith on) or blocks the resource (stonith off); "not installed" keeps the
// resource stopped without any start; a failed start moves the resource away until every node
// has failed it; "not configured" is fatal everywhere at once. Driven by hand through
// controller_harness.h; the loop is given far more rounds than it needs, so a storm shows as
// an unbounded number of engine runs and actions.
#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "crmd/controller/controller.h"
#include "policy-engine/policy_engine.h"
#include "tests/controller/controller_harness.h"

namespace pulse::crmd {
namespace {

constexpr int kExecNotInstalled = 7;  // Pacemaker's PCMK_EXEC_NOT_INSTALLED

// An agent that answers each kind of action the same way every time (on a real node:
// ocf:pulse:Failing with its per-action exit codes).
struct Agent {
  OcfResult probe{7, 0, "", 3};
  OcfResult start{0, 0, "", 3};
  OcfResult stop{0, 0, "", 3};
  OcfResult monitor{0, 0, "", 3};
  OcfResult operator()(const ActionRequest& a) const {
    if (a.operation == "start") return start;
    if (a.operation == "stop") return stop;
    if (a.operation == "monitor") return a.interval_ms == 0 ? probe : monitor;
    return OcfResult{};
  }
};

// An agent that answers every action (probes too) with `r`.
Agent always(const OcfResult& r) { return Agent{.probe = r, .start = r, .stop = r, .monitor = r}; }

const OcfResult kNotInstalled{5, kExecNotInstalled, "agent ocf:heartbeat:Dummy not found", 0};
const OcfResult kGenericError{1, 0, "it always fails", 3};

// Runs the loop with `agent` for up to `rounds` rounds, ticking the clock along (a storm does
// not need a tick, a backoff would); returns the rounds that still had work.
int run(Harness& h, const Agent& agent, int rounds = 200) {
  int busy = 0;
  for (int i = 0; i < rounds; ++i) {
    h.take(h.ctl.onTick(kNow + i));
    if (h.writes.empty() && h.actions.empty()) continue;
    ++busy;
    h.confirmWrites();
    h.answerWith(agent);
  }
  return busy;
}

// The engine's view of the harness's confirmed CIB: d1 as `pcs status` would show it.
pe::ResourceView d1View(const Harness& h) {
  pe::ScheduleOptions options;
  options.now = kNow;
  Result<pe::Transition> t = pe::schedule(h.xml, options);
  EXPECT_TRUE(t) << (t ? "" : t.error().message);
  if (!t) return {};
  for (const pe::ResourceView& r : t->current.resources)
    if (r.id == "d1") return r;
  ADD_FAILURE() << "no d1 in the view";
  return {};
}

// A configuration edit by someone else (pcs): d1 gets target-role=Stopped.
void disableD1(Harness& h) {
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(h.xml.c_str()));
  pugi::xml_node meta = doc.child("cib")
                            .child("configuration")
                            .child("resources")
                            .find_child_by_attribute("primitive", "id", "d1")
                            .append_child("meta_attributes");
  meta.append_attribute("id") = "d1-meta";
  pugi::xml_node nv = meta.append_child("nvpair");
  nv.append_attribute("id") = "d1-meta-target-role";
  nv.append_attribute("name") = "target-role";
  nv.append_attribute("value") = "Stopped";
  std::ostringstream text;
  doc.save(text);
  h.xml = text.str();
  h.stamp.version.epoch += 1;
  h.take(h.ctl.onCibChanged(parsed(h.xml, h.stamp), kNow + 300));
}

// An agent whose stop always fails; everything else succeeds.
const Agent kFailingStop{.stop = kGenericError};

// The failing-stop scenarios' first half: d1 starts somewhere (its start succeeds) and the
// loop runs; then d1 is disabled and the loop runs its stop, which fails, exactly once.
struct FailedStop {
  std::string node;          // where d1 started
  bool settled = false;      // the controller was idle before the edit
  std::uint64_t before = 0;  // transitions run before the edit
  int busy = 0;              // run()'s rounds with work after the edit
};

void startThenFailStop(Harness& h, FailedStop& out) {
  h.becomeDc();
  run(h, kFailingStop);
  out.node = startedOn(h, "d1");
  ASSERT_FALSE(out.node.empty()) << testing::PrintToString(h.executed);
  out.settled = h.ctl.idle();
  out.before = h.ctl.transitionsRun();
  disableD1(h);
  out.busy = run(h, kFailingStop);
  ASSERT_EQ(count(h.executed, "stop_0 d1"), 1u) << testing::PrintToString(h.executed);
}

TEST(ControllerStorm, AgentNotInstalledAnywhereIsNeverStartedAndTheLoopSettles) {
  Harness h;
  const Agent agent = always(kNotInstalled);
  h.becomeDc();
  const int busy = run(h, agent);
  EXPECT_EQ(count(h.probed, "monitor_0 d1"), 3u) << testing::PrintToString(h.probed);
  EXPECT_TRUE(h.executed.empty()) << "rc 5 on every node: cannot run anywhere, nothing to stop: "
                                  << testing::PrintToString(h.executed);
  EXPECT_LE(h.ctl.transitionsRun(), 2u) << testing::PrintToString(h.log);
  EXPECT_LE(busy, 4);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  const pe::ResourceView d1 = d1View(h);
  EXPECT_TRUE(d1.nodes.empty()) << "stopped";
}

TEST(ControllerStorm, EveryActionFailingWithStonithOffEndsBlocked) {
  Harness h;
  const Agent agent = always(kGenericError);
  h.becomeDc();
  run(h, agent);
  // The probes find it "running" and failed on every node; the stops fail too: blocked there.
  EXPECT_EQ(count(h.executed, "stop_0 d1"), 3u) << testing::PrintToString(h.executed);
  EXPECT_EQ(count(h.executed, "start_0 d1"), 0u) << testing::PrintToString(h.executed);
  EXPECT_LE(h.ctl.transitionsRun(), 3u) << testing::PrintToString(h.log);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  EXPECT_TRUE(h.fencing.empty());
  const pe::ResourceView d1 = d1View(h);
  EXPECT_TRUE(d1.failed);
  EXPECT_TRUE(d1.blocked);
  EXPECT_FALSE(d1.managed);
}

TEST(ControllerStorm, FailingStartMovesAwayUntilEveryNodeFailedItThenStaysStopped) {
  Harness h;
  Agent agent{.start = kGenericError};
  h.becomeDc();
  run(h, agent);
  // start-failure-is-fatal: each failed start bans its node (fail-count INFINITY), the failed
  // instance is stopped, and the next node is tried; after the third, nowhere is left.
  EXPECT_EQ(count(h.executed, "start_0 d1"), 3u) << testing::PrintToString(h.executed);
  for (const char* node : {"n1", "n2", "n3"})
    EXPECT_EQ(count(h.executed, std::string("start_0 d1 on ") + node), 1u)
        << testing::PrintToString(h.executed);
  EXPECT_EQ(count(h.executed, "stop_0 d1"), 3u) << testing::PrintToString(h.executed);
  EXPECT_LE(h.ctl.transitionsRun(), 5u) << testing::PrintToString(h.log);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  EXPECT_TRUE(d1View(h).nodes.empty());
}

TEST(ControllerStorm, NotConfiguredIsFatalOnEveryNodeAtOnce) {
  Harness h;
  Agent agent{.start = OcfResult{6, 0, "no state parameter", 3}};
  h.becomeDc();
  run(h, agent);
  EXPECT_EQ(count(h.executed, "start_0 d1"), 1u) << testing::PrintToString(h.executed);
  EXPECT_EQ(count(h.executed, "stop_0 d1"), 1u) << testing::PrintToString(h.executed);
  EXPECT_LE(h.ctl.transitionsRun(), 3u) << testing::PrintToString(h.log);
  EXPECT_TRUE(h.ctl.idle());
  EXPECT_TRUE(d1View(h).nodes.empty());
}

TEST(ControllerStorm, FailingStopWithStonithOffBlocksTheResource) {
  Harness h;
  FailedStop stop;
  ASSERT_NO_FATAL_FAILURE(startThenFailStop(h, stop));
  ASSERT_TRUE(stop.settled);
  EXPECT_LE(h.ctl.transitionsRun() - stop.before, 2u) << testing::PrintToString(h.log);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  EXPECT_TRUE(h.fencing.empty());
  const pe::ResourceView d1 = d1View(h);
  EXPECT_EQ(d1.nodes, std::vector<std::string>{stop.node});
  EXPECT_TRUE(d1.failed);
  EXPECT_TRUE(d1.blocked);
}

TEST(ControllerStorm, FailingStopWithStonithOnFencesTheNodeOnce) {
  Harness h;
  h.xml = fencingCib("", kDevices);
  FailedStop stop;
  ASSERT_NO_FATAL_FAILURE(startThenFailStop(h, stop));
  ASSERT_TRUE(stop.settled);
  // Pacemaker: "Fence (reboot) NODE 'd1 failed there'"; the stop is not tried again.
  ASSERT_EQ(h.fencing.size(), 1u) << testing::PrintToString(h.log);
  EXPECT_EQ(h.fencing.front().node, stop.node);
  EXPECT_EQ(h.fencing.front().device.resource, "fence1");
  EXPECT_LE(h.ctl.transitionsRun() - stop.before, 2u) << testing::PrintToString(h.log);
  EXPECT_FALSE(h.ctl.idle()) << "waiting for the fencing";

  h.take(h.ctl.onFenceResult(stop.node, true, "", kNow + 400));
  run(h, kFailingStop);
  EXPECT_EQ(h.fencing.size(), 1u);
  EXPECT_EQ(count(h.executed, "stop_0 d1"), 1u) << testing::PrintToString(h.executed);
  EXPECT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  EXPECT_TRUE(d1View(h).nodes.empty()) << "the fenced node's history is gone: stopped";
}

// Watchdog fencing only: a member that is still up has no reason to self-fence, so it cannot
// be fenced for a failure; nothing else is tried (Pacemaker's stop "blocked" by unfenceable).
TEST(ControllerStorm, FailingStopWithOnlyWatchdogFencingWaitsWithoutRetrying) {
  Harness h;
  h.xml = fencingCib(R"(<nvpair id="o-hw" name="have-watchdog" value="true"/>
        <nvpair id="o-swt" name="stonith-watchdog-timeout" value="10s"/>)",
                     "");
  FailedStop stop;
  ASSERT_NO_FATAL_FAILURE(startThenFailStop(h, stop));
  EXPECT_TRUE(h.fencing.empty());
  EXPECT_TRUE(
      h.logged("cannot fence " + stop.node + ": no fence device may fence it, and watchdog"))
      << testing::PrintToString(h.log);
  EXPECT_LE(h.ctl.transitionsRun() - stop.before, 2u) << testing::PrintToString(h.log);
  EXPECT_LE(stop.busy, 3);
}

// Pacemaker's cluster-recheck-interval: an idle DC runs the engine again now and then (so an
// expired failure-timeout takes effect), never continuously.
TEST(ControllerStorm, RecheckIsPeriodic) {
  Harness h;
  h.xml = replaced(kCib, "</cluster_property_set>",
                   R"(<nvpair id="o-ri" name="cluster-recheck-interval" value="2min"/>
      </cluster_property_set>)");
  h.xml = replaced(h.xml, R"(<operations>)", R"(<meta_attributes id="d1-m">
          <nvpair id="d1-m-ft" name="failure-timeout" value="60s"/>
        </meta_attributes>
        <operations>)");
  Agent agent{.start = kGenericError};
  h.becomeDc();
  run(h, agent, 20);  // every node failed the start: stopped, idle
  ASSERT_TRUE(h.ctl.idle()) << testing::PrintToString(h.log);
  ASSERT_EQ(count(h.executed, "start_0 d1"), 3u);
  const std::uint64_t settled = h.ctl.transitionsRun();
  const std::size_t inputs = h.engine_inputs.size();
  for (WallSeconds t = 20; t < 120; ++t) h.take(h.ctl.onTick(kNow + t));
  EXPECT_EQ(h.ctl.transitionsRun(), settled) << "nothing changed, the interval has not passed";
  // Two minutes on: the engine runs again; the failures are older than failure-timeout, so
  // the start is tried again.
  h.take(h.ctl.onTick(kNow + 120));
  EXPECT_EQ(h.ctl.transitionsRun(), settled + 1);
  ASSERT_EQ(h.engine_inputs.size(), inputs + 1);
  EXPECT_EQ(h.engine_inputs.back(), h.engine_inputs[inputs - 1]) << "the same CIB";
  EXPECT_EQ(count(h.executed, "start_0 d1"), 4u) << testing::PrintToString(h.executed);
}

}  // namespace
}  // namespace pulse::crmd
