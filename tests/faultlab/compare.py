#!/usr/bin/env python3
"""The same fault lab scenarios on Pulse and on Debian's Pacemaker 2.1.5 + Corosync 3.1.7, side
by side: recovery time and whether the audits held (a benchmark, not a test).

    compare.py [--stack both|pulse|pacemaker] [--runs N] [--scenarios A,B] [--seed N]
               [--stonith off|on] [--bin DIR] [--settle-timeout S]

Each stack gets a 3-node cluster in network namespaces with the fault lab's resources
(lab_cluster.CONFIG: two VIPs, Dummies, a group, a slow Delay, a Dummy clone, a promotable
Stateful): Pulse's is the fault lab's own (faultlab.py's LabCluster), Pacemaker's is
pacemaker_lab.py's. With --stonith off (the default) both run with stonith-enabled=false; with
on, both fence with the fault lab's namespace power switch (fence_pulse_netns): a fenced node
is powered off and booted by the lab when the fault is undone. Both use a 1000 ms token. Every scenario runs --runs times on each, with the same
random choices on both (one generator per stack from --seed).

Figures (seconds, from the clock of this script):
  degraded  the fault injected -> the audits of the degraded cluster hold (membership and DC;
            for Flip also CIB and processes): how long the cluster took to notice and re-form.
  recovery  the fault undone (node started, partition healed) or, when nothing is undone
            (Restart, ResourceRecover, ComponentFail), the fault injected -> every audit holds
            (held twice 2 s apart; the time is when they first held).
Scenarios:
  Flip             a node stopped (graceful), audited, started again; recovery from the start.
  Restart          a node stopped and at once started; recovery from the stop.
  SplitBrain       a random two-way partition, audited on each side, healed; recovery from the
                   heal (with stonith the majority fences the minority, booted at the heal).
  ResourceRecover  a Dummy's state file removed on its node (its monitor fails); recovery =
                   the audits hold but for the recorded failure; then cleaned up and audited.
  ComponentFail    kill -9 of the controller on a node: pacemaker-controld (pacemakerd
                   respawns it) or crmd (the whole of Pulse's node: once the others have
                   noticed, the lab starts it again, as an operator or systemd would).
A run whose audits do not hold within --settle-timeout counts as not held; what was wrong is
printed, and the cluster is cleaned up (crm_resource/pcs resource cleanup) before the next.

The target is Pulse's: its audits hold in every run (printed as PASS/FAIL). Pacemaker's runs
are the reference, reported and not judged. Exit status: 0 PASS, 3 FAIL, 77 skipped (not
root, or Pacemaker/Corosync missing), 2 bad usage.
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import audits  # noqa: E402
from lab_cluster import Dummy, LabCluster, primitives  # noqa: E402
from pacemaker_lab import PacemakerLab, tools_present  # noqa: E402

FLIP_AUDITS = ["membership", "dc", "cib", "processes"]
FAILURE_MARKS = ("stale failure", "failed action")


class Stack:
    """What a scenario does to a cluster, the same words on both stacks; each stack's lab
    carries it out."""

    def __enter__(self):
        self.lab.__enter__()
        return self

    def __exit__(self, *exc):
        return self.lab.__exit__(*exc)

    def partition(self, groups):
        self.lab.partition(groups)

    def unpartition(self):
        self.lab.unpartition()

    def restore(self):
        self.lab.restore()

    def rsctmp(self, i):
        return self.lab.rsctmp(i)

    def holders(self, p):
        return p.holders(self.lab)


class PulseStack(Stack):
    name = "pulse"
    controller_respawns = False

    def __init__(self, bin_dir, nodes, seed, stonith):
        crmd, pcs = (os.path.abspath(os.path.join(bin_dir, b)) for b in ("crmd", "pcs"))
        self.lab = LabCluster(crmd, pcs, nodes, seed)
        self.stonith = stonith

    def __exit__(self, *exc):
        os.chdir(HERE)  # the lab runs in its state folder, which goes away
        return self.lab.__exit__(*exc)

    def setup(self):
        self.lab.setup()  # stonith enabled with the fence device, as in every lab run
        if not self.stonith:
            self.lab.pcs_retry(1, "property", "set", "stonith-enabled=false")
            self.lab.drop_fence_device()

    def audit(self, only=None):
        # A node the cluster fenced (power-off kills crmd) leaves the model, as in faultlab.
        before = set(self.lab.down)
        self.lab.refresh_down()
        report_fenced(self, set(self.lab.down) - before)
        return audits.run_all(self.lab, only)

    def stop_node(self, i):
        self.lab.stop_node(i)

    def start_node(self, i):
        self.lab.boot_node(i)

    def kill_controller(self, i):
        self.lab.kill_node_crmd(i)

    def cleanup(self):
        self.lab.pcs(self.lab.any_live() or 1, "resource", "cleanup", check=False)


class PacemakerStack(Stack):
    name = "pacemaker"
    controller_respawns = True

    def __init__(self, nodes, seed, stonith):
        self.lab = PacemakerLab(nodes, seed, stonith)

    def setup(self):
        self.lab.setup()

    def audit(self, only=None):
        before = set(self.lab.down)
        problems = self.lab.audit(only)  # refreshes the down set first
        report_fenced(self, set(self.lab.down) - before)
        return problems

    def stop_node(self, i):
        self.lab.stop_node(i)

    def start_node(self, i):
        self.lab.start_node(i)

    def kill_controller(self, i):
        self.lab.kill_controller(i)

    def cleanup(self):
        self.lab.cleanup()


def report_fenced(stack, nodes):
    for i in sorted(nodes):
        print(f"    [{stack.name}] n{i} found down (fenced by the cluster)", flush=True)


def settle(stack, t0, timeout, only=None, ignore=()):
    """Polls the stack's audits until they hold twice 2 s apart. Returns (seconds from t0 until
    they first held, []) or (seconds at the timeout, [problems])."""
    first_ok = None
    start = time.time()
    while True:
        problems = [p for p in stack.audit(only) if not any(m in p for m in ignore)]
        if only is None and stack.lab.down:
            # Fenced after the fault was undone (a fence still in flight at a heal): the node
            # boots again, as restore() boots the nodes fenced before, and the audits go on.
            problems.append(f"fenced and booted again: {sorted(stack.lab.down)}")
            stack.restore()
        now = time.time()
        if not problems:
            if first_ok is None:
                first_ok = now
            elif now - first_ok >= 2.0:
                return first_ok - t0, []
        else:
            first_ok = None
        if now - start >= timeout:
            return now - t0, problems
        time.sleep(0.5)


# --- scenarios: (stack, rng, nodes, timeout) -> (degraded or None, recovery, problems) ---------

def flip(s, rng, nodes, timeout):
    i = rng.randint(1, nodes)
    t0 = time.time()
    s.stop_node(i)
    degraded, p1 = settle(s, t0, timeout, only=FLIP_AUDITS)
    t1 = time.time()
    s.start_node(i)
    recovery, p2 = settle(s, t1, timeout)
    return degraded, recovery, [f"(n{i} stopped) {p}" for p in p1] + p2


def restart(s, rng, nodes, timeout):
    i = rng.randint(1, nodes)
    t0 = time.time()
    s.stop_node(i)
    s.start_node(i)
    recovery, problems = settle(s, t0, timeout)
    return None, recovery, problems


def split_brain(s, rng, nodes, timeout):
    order = list(range(1, nodes + 1))
    rng.shuffle(order)
    cut = rng.randint(1, nodes - 1)
    groups = [set(order[:cut]), set(order[cut:])]
    t0 = time.time()
    s.partition(groups)
    degraded, p1 = settle(s, t0, timeout, only=["membership", "dc"])
    t1 = time.time()
    s.unpartition()
    s.restore()
    recovery, p2 = settle(s, t1, timeout)
    where = [sorted(g) for g in groups]
    return degraded, recovery, [f"(partition {where}) {p}" for p in p1] + p2


def resource_recover(s, rng, nodes, timeout):
    d = rng.choice([p for p in primitives() if isinstance(p, Dummy)])
    t0 = time.time()
    for n in s.holders(d):
        os.unlink(d.state_file(s, int(n[1:])))
    recovery, problems = settle(s, t0, timeout, ignore=FAILURE_MARKS)
    s.cleanup()
    _, after = settle(s, time.time(), timeout)
    return None, recovery, [f"({d.id}) {p}" for p in problems + after]


def component_fail(s, rng, nodes, timeout):
    i = rng.randint(1, nodes)
    t0 = time.time()
    s.kill_controller(i)
    degraded = None
    problems = []
    if not s.controller_respawns:
        degraded, problems = settle(s, t0, timeout, only=["membership", "dc"])
        s.restore()
    recovery, p2 = settle(s, t0, timeout)
    return degraded, recovery, [f"(n{i} killed) {p}" for p in problems] + p2


SCENARIOS = {"Flip": flip, "Restart": restart, "SplitBrain": split_brain,
             "ResourceRecover": resource_recover, "ComponentFail": component_fail}


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run_stack(stack, names, runs, seed, nodes, timeout, results):
    rng = random.Random(seed)
    t = time.time()
    with stack:
        stack.setup()
        took, problems = settle(stack, t, max(timeout, 180))
        print(f"[{stack.name}] set up and audited in {took:.0f} s (load {load()})", flush=True)
        for p in problems:
            print(f"  setup: {p}", flush=True)
        for name in names:
            for k in range(runs):
                try:
                    degraded, recovery, problems = SCENARIOS[name](stack, rng, nodes, timeout)
                except (AssertionError, subprocess.SubprocessError, OSError) as e:
                    degraded, recovery, problems = None, timeout, [f"[scenario] {e}"[:300]]
                results.setdefault((name, stack.name), []).append((degraded, recovery,
                                                                   not problems))
                deg = f"degraded {degraded:.1f} s, " if degraded is not None else ""
                print(f"[{stack.name}] {name} #{k + 1}: {deg}recovery {recovery:.1f} s, audits "
                      f"{'held' if not problems else 'NOT held'} (load {load()})", flush=True)
                for p in problems[:8]:
                    print(f"    {p}", flush=True)
                if problems:
                    stack.restore()
                    stack.cleanup()
                    settle(stack, time.time(), timeout)


def fmt(values):
    return f"{statistics.median(values):6.1f} {max(values):6.1f}" if values else \
        f"{'-':>6} {'-':>6}"


def print_table(names, stacks, results):
    print("\nscenario         stack       runs  audits held  degraded med/max  "
          "recovery med/max (s)")
    for name in names:
        for st in stacks:
            rows = results.get((name, st), [])
            if not rows:
                continue
            held = sum(1 for r in rows if r[2])
            deg = [r[0] for r in rows if r[0] is not None]
            rec = [r[1] for r in rows]
            print(f"{name:<16} {st:<10} {len(rows):>5}  {held:>5}/{len(rows):<5}  "
                  f"   {fmt(deg)}     {fmt(rec)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stack", choices=("both", "pulse", "pacemaker"), default="both")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scenarios", default=",".join(SCENARIOS), metavar="A,B")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "..", "build", "bin"))
    ap.add_argument("--settle-timeout", type=float, default=120.0)
    ap.add_argument("--stonith", choices=("off", "on"), default="off",
                    help="off: stonith-enabled=false on both; on: the namespace fence device "
                         "(fence_pulse_netns) on both")
    args = ap.parse_args()
    names = [n for n in args.scenarios.split(",") if n]
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        ap.error(f"--scenarios: unknown {sorted(unknown)} (known: {', '.join(SCENARIOS)})")
    if os.geteuid() != 0 or subprocess.run(["ip", "netns", "list"],
                                           capture_output=True).returncode != 0:
        print("SKIPPED: the comparison needs root and network namespaces")
        return 77
    stacks = ["pulse", "pacemaker"] if args.stack == "both" else [args.stack]
    if "pacemaker" in stacks and tools_present():
        print(f"SKIPPED: {tools_present()}")
        return 77
    nodes = 3
    print(f"compare: {', '.join(stacks)}; {', '.join(names)}; {args.runs} runs each; seed "
          f"{args.seed}; stonith {args.stonith}; load {load()} on {os.cpu_count()} CPUs", flush=True)
    started = time.time()
    results = {}
    for st in stacks:
        on = args.stonith == "on"
        stack = PulseStack(args.bin, nodes, args.seed, on) if st == "pulse" else \
            PacemakerStack(nodes, args.seed, on)
        run_stack(stack, names, args.runs, args.seed, nodes, args.settle_timeout, results)
    print_table(names, stacks, results)
    print(f"\nwall time {time.time() - started:.0f} s; load at the end {load()}")
    # The target is Pulse's: every run's audits hold. Pacemaker's side is the reference it is
    # compared with, reported but not judged. Recovery times are reported, not judged: the
    # stacks are compared on the same machine in the same run, and the table shows both.
    pulse_runs = [r for (_, st), rows in results.items() if st == "pulse" for r in rows]
    if pulse_runs:
        held = sum(1 for r in pulse_runs if r[2])
        verdict = "PASS" if held == len(pulse_runs) else "FAIL"
        print(f"Pulse: audits held in {held}/{len(pulse_runs)} runs (target: all): {verdict}")
        if verdict == "FAIL":
            return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
