#!/usr/bin/env python3
"""cluster.pending_netns: an operation in flight is recorded pending (Pacemaker's
record-pending), shown by pcs status as crm_mon shows it, and a DC that dies during a start does
not leave the resource active twice, with real crmd processes in network namespaces.

3 nodes, stonith off. ocf:heartbeat:Delay resources whose start sleeps START_DELAY_S seconds
(their state file is written as the start begins), each kept on the node with the highest
number that is not the DC (`pcs constraint location ... prefers`), created disabled and then
enabled.
  starting    while `slow`'s start runs, pcs status on the third node (neither the DC nor the
              node running it) shows `slow  Starting nB`, and then `Started nB` once it ends
  not pending with record-pending=false on its start op, `quiet`'s start is never seen as
              Starting (its start is just as slow)
  dc dies     while `late`'s start runs on nB, the DC's crmd is killed (kill -9); sampled every
              0.2 s until the new DC has it Started: the agent's state file is on one node at
              most, never on two; it ends Started on nB, its start ran once (one executor
              "starting" line on all nodes) and it was never stopped

usage: pending_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import Checks  # noqa: E402
from resource_cluster import ResourceCluster  # noqa: E402

CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
START_DELAY_S = 8
SETTLE_S = 60


def holders(c, rsc):
    """Nodes (indexes) whose agent state folder has Delay's tracking file for rsc."""
    return sorted(i for i, files in c.agent_state_files(f"Delay_{rsc}").items() if files)


def log_count(c, text):
    return sum(1 for node in range(1, c.nodes + 1) for _, t in c.log_lines(node) if text in t)


def create_delayed(c, rsc, node, *op_extra):
    c.pcs(1, "resource", "create", rsc, "ocf:heartbeat:Delay", f"startdelay={START_DELAY_S}",
          "stopdelay=1", "mondelay=0", "op", "start", "timeout=60s", *op_extra, "monitor",
          "interval=5s", "timeout=20s", "--disabled")
    c.pcs(1, "constraint", "location", rsc, "prefers", f"{node}=INFINITY")


def run(crmd, pcs):
    with ResourceCluster(crmd, pcs, prefix=f"pulse-pend{os.getpid()}") as c:
        c.bring_up("pend")
        c.pcs(1, "property", "set", "stonith-enabled=false")
        status, _ = c.status(1)
        dc = status.dc
        others = sorted((f"n{i}" for i in range(1, c.nodes + 1) if f"n{i}" != dc),
                        key=lambda n: int(n[1:]))
        target, viewer = others[-1], others[0]
        v = int(viewer[1:])
        ok(f"DC is {dc}; resources go to {target}; pcs status read on {viewer}")

        # --- starting: the pending start as the third node sees it -----------------------------
        create_delayed(c, "slow", target)
        c.pcs(1, "resource", "enable", "slow")
        seen = c.wait_status(lambda s: s.resources.get("slow") is not None and
                             s.resources["slow"].state == "Starting", START_DELAY_S,
                             "slow shown Starting", v)
        check(seen.resources["slow"].nodes == [target],
              f"starting: pcs status on {viewer} shows slow Starting {target} during its start",
              str(seen.resources["slow"]))
        check(c.wait_started("slow", SETTLE_S, i=v) == target,
              f"starting: then Started {target} once the start ended")

        # --- not pending: record-pending=false on the start op ---------------------------------
        create_delayed(c, "quiet", target, "record-pending=false")
        c.pcs(1, "resource", "enable", "quiet")
        states = set()
        deadline = time.time() + START_DELAY_S + SETTLE_S
        while time.time() < deadline:
            s, _ = c.status(v)
            r = s.resources.get("quiet")
            if r is not None:
                states.add(r.state)
                if r.state == "Started":
                    break
            time.sleep(0.3)
        check("Started" in states and "Starting" not in states,
              "not pending: with record-pending=false quiet is never shown Starting",
              str(sorted(states)))

        # --- dc dies: kill -9 of the DC's crmd while a start runs on another node --------------
        create_delayed(c, "late", target)
        c.pcs(1, "resource", "enable", "late")
        c.wait_status(lambda s: s.resources.get("late") is not None and
                      s.resources["late"].state == "Starting", START_DELAY_S,
                      "late shown Starting", v)
        c.kill_crmd(int(dc[1:]))
        ok(f"dc dies: {dc}'s crmd killed (kill -9) while late's start runs on {target}")
        samples, double = 0, []
        survivor = v
        deadline = time.time() + START_DELAY_S + SETTLE_S
        settled = None
        while time.time() < deadline:
            held = holders(c, "late")
            samples += 1
            if len(held) > 1:
                double.append(held)
            try:
                s, _ = c.status(survivor)
            except AssertionError:
                s = None
            if s is not None and s.dc not in (None, dc) and s.where("late") == target and \
                    s.resources["late"].state == "Started":
                settled = s
                break
            time.sleep(0.2)
        check(settled is not None, f"dc dies: a new DC has late Started on {target}",
              c.dc_log_tail())
        # Past the settling point, a while longer: nothing moves it afterwards either.
        for _ in range(15):
            held = holders(c, "late")
            samples += 1
            if len(held) > 1:
                double.append(held)
            time.sleep(0.2)
        check(not double, f"dc dies: late's state file was on one node at most in all {samples} "
              "samples", str(double[:5]))
        check(holders(c, "late") == [int(target[1:])],
              f"dc dies: it ends active on {target} only", str(holders(c, "late")))
        starts = log_count(c, "executor: late_start_0 starting")
        stops = log_count(c, "executor: late_stop_0 starting")
        check(starts == 1 and stops == 0,
              "dc dies: late was started once and never stopped (no needless restart)",
              f"{starts} starts, {stops} stops")


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
