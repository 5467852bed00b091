#!/usr/bin/env python3
"""Pulse fault lab: cts-lab-style scenarios on a namespace cluster of real crmd processes,
randomized and seeded, each followed by audits, with a lost-write checker running throughout.

    faultlab.py [SCENARIO] [--seed N] [--soak N] [--nodes 3|5] [--bin DIR]

Without SCENARIO and --soak every scenario runs once; with --soak N, N scenarios drawn at
random (only SCENARIO's when one is named). The same seed replays the same schedule. Exit 0
when no audit was violated and no acknowledged write was lost, 1 otherwise, 77 without root.
See README.md next to this file.
"""
import argparse
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import audits  # noqa: E402
from lab_cluster import LabCluster, clones, primitives  # noqa: E402
from scenarios import SCENARIOS  # noqa: E402
from writes import WriteClient  # noqa: E402


class Run:
    """One lab run: the violations and per-scenario figures."""

    def __init__(self, lab, seed, settle_timeout):
        self.lab = lab
        self.seed = seed
        self.settle_timeout = settle_timeout
        self.violations = []       # (event number, scenario, text)
        self.table = {}            # scenario -> [runs, violations, slowest recovery]
        self.event = 0
        self.scenario = None
        self.audits_passed = 0
        self.slowest = (0.0, None)
        self.writer = None         # the lost-write checker's client, once the events start
        # Where an event's time goes, summed over the run (seconds): the scenario (its faults,
        # waits and intermediate audits), restore(), the settle after it, and audit rounds.
        self.spent = {"scenario": 0.0, "restore": 0.0, "settle": 0.0}

    def _violate(self, text):
        self.violations.append((self.event, self.scenario, text))
        self.table[self.scenario][1] += 1
        print(f"  VIOLATION (seed {self.seed}, event {self.event}, {self.scenario}): {text}",
              flush=True)

    def expect(self, condition, what):
        if not condition:
            self._violate(what)

    def check(self, what, only=None):
        """Audits (a subset) against the model as it is now, inside a scenario. The cib audit
        reads every member's copy one after another: with the writer going on, a write lands
        between two reads nearly every time (a write every half second, a read of five nodes
        taking longer), and the copies differ by it with nothing wrong (the nodes read first
        one version behind). The writer pauses while the copies are compared, as it does for
        the audits after every scenario, and goes on afterwards."""
        quiet = self.writer is not None and (only is None or "cib" in only)
        if quiet:
            self.writer.pause()
        try:
            took, problems = audits.settle(self.lab, self.settle_timeout, only=only, stable=0.5)
        finally:
            if quiet:
                self.writer.resume()
        for p in problems:
            self._violate(f"{what}: {p}")
        if not problems:
            self.audits_passed += 1
            print(f"  audit ok after {what} ({took:.1f} s)", flush=True)

    def scenario_run(self, name, writer):
        self.event += 1
        self.scenario = name
        row = self.table.setdefault(name, [0, 0, 0.0])
        row[0] += 1
        print(f"event {self.event}: {name}", flush=True)
        self.writer = writer
        writer.resume()
        began = time.time()
        try:
            SCENARIOS[name](self.lab, self)
        except (AssertionError, subprocess.SubprocessError, OSError) as e:
            # The cluster did not do what the scenario waited for (a node that does not come
            # up, a pcs command that keeps failing): a violation too.
            self._violate(f"[scenario] {str(e)[:300]}")
        finally:
            writer.pause()
        started = time.time()
        self.spent["scenario"] += started - began
        try:
            self.lab.restore()
        except (AssertionError, subprocess.SubprocessError, OSError) as e:
            self._violate(f"[restore] {str(e)[:300]}")
            self.lab.restore()  # once more; a second failure ends the run
        restored = time.time()
        self.spent["restore"] += restored - started
        took, problems = audits.settle(self.lab, self.settle_timeout)
        self.spent["settle"] += time.time() - restored
        recovery = time.time() - started if problems else took
        row[2] = max(row[2], recovery)
        if recovery > self.slowest[0]:
            self.slowest = (recovery, f"event {self.event} {name}")
        for p in problems:
            self._violate(p)
        if not problems:
            self.audits_passed += 1
            print(f"  settled after {recovery:.1f} s", flush=True)
        else:
            # Get to a clean slate for the next event, so that one defect is not counted
            # again by every later event: every primitive's history forgotten (the cluster
            # probes where each really runs), then audited again without counting.
            via = self.lab.any_live() or 1
            for p in primitives(self.lab.config) + clones(self.lab.config):
                self.lab.pcs(via, "resource", "cleanup", p.id, check=False)
            took, left = audits.settle(self.lab, self.settle_timeout)
            if left:
                self.lab.pcs(via, "resource", "cleanup", check=False)
                audits.settle(self.lab, self.settle_timeout)


def print_table(run):
    print("\nscenario          runs  violations  slowest recovery (s)")
    for name in sorted(run.table):
        runs, bad, slow = run.table[name]
        print(f"{name:<17} {runs:>4}  {bad:>10}  {slow:>20.1f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", nargs="?", choices=sorted(SCENARIOS), metavar="SCENARIO",
                    help="one of: " + ", ".join(sorted(SCENARIOS)))
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--soak", type=int, default=0, metavar="N")
    ap.add_argument("--nodes", type=int, default=3, choices=(3, 5))
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "..", "build", "bin"))
    ap.add_argument("--skip", default="", metavar="A,B",
                    help="scenarios left out of the draw (known open defects)")
    ap.add_argument("--time-limit", type=float, default=0, metavar="S",
                    help="draw no new event after S seconds (the table is still printed)")
    ap.add_argument("--settle-timeout", type=float, default=90.0)
    args = ap.parse_args()

    if os.geteuid() != 0 or subprocess.run(["ip", "netns", "list"],
                                           capture_output=True).returncode != 0:
        print("SKIPPED: the fault lab needs root and network namespaces")
        return 77
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10**6)
    crmd, pcs = (os.path.abspath(os.path.join(args.bin, b)) for b in ("crmd", "pcs"))
    schedule_rng = random.Random(seed)
    skip = {s for s in args.skip.split(",") if s}
    unknown = skip - set(SCENARIOS)
    if unknown:
        ap.error(f"--skip: unknown scenarios {sorted(unknown)}")
    names = [args.scenario] if args.scenario else sorted(set(SCENARIOS) - skip)
    schedule = [schedule_rng.choice(names) for _ in range(args.soak)] if args.soak else names
    print(f"faultlab: seed {seed}, {args.nodes} nodes, {len(schedule)} events; replay with "
          f"--seed {seed}" + (f" --soak {args.soak}" if args.soak else "") +
          (f" --skip {args.skip}" if skip else "") +
          (f" {args.scenario}" if args.scenario else ""), flush=True)

    started = time.time()
    with LabCluster(crmd, pcs, args.nodes, seed) as lab:
        lab.setup()
        run = Run(lab, seed, args.settle_timeout)
        run.scenario = "setup"
        run.table["setup"] = [1, 0, 0.0]
        took, problems = audits.settle(lab, args.settle_timeout)
        for p in problems:
            run._violate(p)
        run.table["setup"][2] = took
        writer = WriteClient(lab)
        writer.start()
        for name in schedule:
            if args.time_limit and time.time() - started > args.time_limit:
                print(f"time limit of {args.time_limit:.0f} s reached", flush=True)
                break
            run.scenario_run(name, writer)
        writer.stop()
        cib = lab.pcs_retry(lab.any_live(), "cluster", "cib").stdout
        lost, phantom = writer.check(cib)
        run.scenario = "writes"
        run.table["writes"] = [1, 0, 0.0]
        for text in lost + phantom:
            run._violate(text)
        print_table(run)
        counts = writer.counts()
        print(f"\nevents survived: {run.event}/{len(schedule)}; audits passed: "
              f"{run.audits_passed}; violations: {len(run.violations)}")
        print(f"writes: {counts['ack']} acknowledged, {counts['failed']} failed, "
              f"{counts['unknown']} unknown; lost acknowledged writes: {len(lost)}; "
              f"phantom writes: {len(phantom)}")
        for (outcome, why), n in sorted(writer.reasons().items(), key=lambda kv: -kv[1])[:6]:
            print(f"  {n:4d} {outcome}: {why}")
        if run.event:
            per = {k: v / run.event for k, v in run.spent.items()}
            print(f"per event: {sum(per.values()):.1f} s (scenario {per['scenario']:.1f} s, "
                  f"restore {per['restore']:.1f} s, settle {per['settle']:.1f} s); audit "
                  f"rounds: {audits.ROUNDS['count']}, {audits.ROUNDS['seconds'] / max(1, audits.ROUNDS['count']):.2f} s each")
        print(f"slowest recovery: {run.slowest[0]:.1f} s ({run.slowest[1]}); "
              f"wall time {time.time() - started:.0f} s; seed {seed}")
        if run.violations:
            print(f"FAIL: {len(run.violations)} violations; replay with --seed {seed}")
            return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
