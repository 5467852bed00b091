#!/usr/bin/env python3
"""PostgreSQL benchmark (setup 3: a primary and replicas behind a VIP): how long a database
client cannot commit when the primary's node loses power, and whether any acknowledged commit
is lost.

Run by `./dev bench postgres [--runs N] [--switchovers M] [--kills K]` (or directly: python3
bench/postgres_bench.py --help; needs root for the network namespaces, Debian's postgresql-15
and python3-psycopg2).

The cluster is tests/cluster/postgres_setup.py's: 3 nodes with the fence device, real
PostgreSQL 15 as a promotable clone of ocf:pulse:pgsql (synchronous=on, Promoted monitor every
3 s), a VIP colocated with the Promoted role and ordered after promote. A writer in the client
namespace inserts a unique row through the VIP every 20 ms with synchronous_commit=on and logs
each as ok / failed / unknown.

Each of N runs (default 50) powers off the primary's node (every process killed -9, its VIP
dropped, its link down). The figure is the time from the power-off to the first acknowledged
write through the VIP. For reference, in the same run: when the survivors installed a view
without the node (failure detection, from their logs). Then the node boots, its crmd rejoins
and the agent rejoins its PostgreSQL as a replica (pg_rewind); the next run starts once all
three stream again. After every run the rows are audited: acknowledged rows missing on the
primary (lost) and rows present that were never sent with an ok or unknown outcome (phantoms),
and every node must hold the same rows.

Then M planned switchovers (default 10): `pcs resource move pg-clone NODE --promoted` to the
next node (pcs 0.11's move: a cli-prefer constraint for the Promoted role, kept until the
cluster has moved the role, then removed), the time from the command to the first acknowledged
write on the new primary; the role must stay there once the constraint is gone.

Then K kills (default 5): kill -9 of the primary's postmaster (its backends run on, as after
an OOM kill), the time from the kill to the first acknowledged write through the VIP.

A VIP checker and a watch of every node's pg_is_in_recovery() run throughout: samples with the
VIP on two nodes and rounds with two writable primaries must be 0.

Targets: power-off -> first ok write p50 <= 3 s, p99 <= 6 s; rows lost 0; phantoms 0;
switchover p50 <= 2 s; kill -9 p50 <= 15 s. Exit status: 0 when every target passed, 3 when some target failed, 1
when the setup failed or a run did not recover (the reason is printed), 2 on bad usage.
"""
import argparse
import os
import signal
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "cluster"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_report import finish  # noqa: E402
from membership_bench import log, nearest_rank, on_signal, table, verdict  # noqa: E402
from postgres_setup import (DEBIAN_PYTHON, PG_BIN, SETTLE_S, VIP,  # noqa: E402
                            PostgresCluster)
from vip_checker import VipChecker  # noqa: E402

P50_TARGET_S, P99_TARGET_S, SWITCHOVER_TARGET_S = 3.0, 6.0, 2.0
# kill -9 of the primary's postmaster: found by the Promoted monitor (every 3 s), then recovered
# in place as Pacemaker does (demote, stop, start as a standby), another standby promoted and
# the VIP moved, with notifications around each step.
KILL_TARGET_S = 15.0
RECOVER_S = 60


def ms(x):
    return f"{x * 1000:.0f} ms"


def spread(values):
    return (f"min {ms(min(values))}, p50 {ms(nearest_rank(values, 50))}, "
            f"p99 {ms(nearest_rank(values, 99))}, max {ms(max(values))}")


class Totals:
    def __init__(self):
        self.lost, self.phantoms, self.counts = [], [], {}

    def add(self, lost, phantoms, counts):
        self.lost += lost
        self.phantoms += phantoms
        self.counts = counts


def power_off_run(c, primary, run, runs, samples, totals):
    survivors = [i for i in range(1, c.nodes + 1) if i != primary]
    time.sleep(1.0)  # a steady stream of commits before the fault
    t_off = c.power_off(primary)
    took = c.wait_for(lambda: c.writer.outage_after(t_off), RECOVER_S,
                      "the first acknowledged write after the power-off")
    detected = c.detection_time(primary, t_off, survivors)
    promoted = c.wait_roles({f"n{i}" for i in survivors}, 1, RECOVER_S, via=survivors[0])
    c.boot(primary, survivors[0])
    new = c.wait_settled(RECOVER_S, via=survivors[0])
    lost, phantoms, counts = c.audit(new)
    totals.add(lost, phantoms, counts)
    samples.append((primary, promoted, took, detected))
    log(f"  run {run + 1:2}/{runs}: n{primary} powered off: first ok write after {ms(took)} "
        f"(detected {ms(detected)}, {promoted} promoted); rejoined; lost {len(lost)}, "
        f"phantoms {len(phantoms)}")
    return new


def switchover_run(c, primary, run, runs, samples, totals):
    target = primary % c.nodes + 1
    time.sleep(1.0)
    t0 = time.time()
    c.pcs(1, "resource", "move", "pg-clone", f"n{target}", "--promoted")
    took = c.wait_for(lambda: c.writer.outage_after(t0), RECOVER_S,
                      "the first acknowledged write after the switchover")
    new = c.wait_settled(RECOVER_S)
    lost, phantoms, counts = c.audit(new)
    totals.add(lost, phantoms, counts)
    if new != target:
        raise AssertionError(f"switchover to n{target}: n{new} is primary")
    samples.append((primary, target, took))
    log(f"  switchover {run + 1:2}/{runs}: n{primary} -> n{target}: first ok write after "
        f"{ms(took)}; lost {len(lost)}, phantoms {len(phantoms)}")
    return new


def kill_run(c, primary, run, runs, samples, totals):
    time.sleep(1.0)
    t_kill = c.kill_postmaster(primary)
    took = c.wait_for(lambda: c.writer.outage_after(t_kill), RECOVER_S,
                      "the first acknowledged write after the kill -9")
    new = c.wait_settled(RECOVER_S)
    lost, phantoms, counts = c.audit(new)
    totals.add(lost, phantoms, counts)
    samples.append((primary, new, took))
    log(f"  kill -9 {run + 1:2}/{runs}: n{primary}'s postmaster: first ok write after "
        f"{ms(took)} (n{new} primary); lost {len(lost)}, phantoms {len(phantoms)}")
    return new


def bench(crmd, pcs, runs, switchovers, kills):
    offs, moves, killed, totals, note = [], [], [], Totals(), None
    with PostgresCluster(crmd, pcs, prefix=f"pulse-pgb{os.getpid()}") as c:
        log("setup 3: 3 nodes with the fence device, n1's database by hand, pg promotable "
            "(synchronous=on) with the VIP on the Promoted role")
        c.bring_up("pg")
        if not c.use_fence_device():
            raise AssertionError("cannot create the fence device")
        c.init_primary(1)
        c.create_resources()
        primary = c.wait_settled(SETTLE_S)
        with VipChecker(c.node_namespaces(), [VIP], client=c.client_namespace()) as checker:
            c.start_clients()
            t0 = time.time()
            c.wait_for(lambda: c.writer.acked_since(t0), 20, "the writer's first ok row")
            try:
                for run in range(runs):
                    primary = power_off_run(c, primary, run, runs, offs, totals)
                for run in range(switchovers):
                    primary = switchover_run(c, primary, run, switchovers, moves, totals)
                for run in range(kills):
                    primary = kill_run(c, primary, run, kills, killed, totals)
            except AssertionError as e:  # a run that did not recover: stop here
                note = str(e).splitlines()[0]
                log(f"{e}\n{c.dc_log_tail()}")
        most, first = c.most_primaries()
        return offs, moves, killed, totals, checker.report(), (most, first), note


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50, help="power-offs (default 50)")
    ap.add_argument("--switchovers", type=int, default=10,
                    help="planned switchovers after them (default 10; 0: none)")
    ap.add_argument("--kills", type=int, default=5,
                    help="kill -9 of the primary's postmaster after those (default 5; 0: none)")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin"),
                    help="where crmd and pcs are (default build/bin)")
    args = ap.parse_args()
    if args.runs < 1 or args.switchovers < 0 or args.kills < 0:
        ap.error("--runs must be >= 1, --switchovers and --kills >= 0")
    crmd, pcs = os.path.join(args.bin, "crmd"), os.path.join(args.bin, "pcs")
    problems = [f"no {p} (build it first: cmake --build build --target crmd pcs)"
                for p in (crmd, pcs) if not os.access(p, os.X_OK)]
    if not os.access(f"{PG_BIN}/initdb", os.X_OK):
        problems.append("postgresql-15 is not installed (./dev deps)")
    if subprocess.run([DEBIAN_PYTHON, "-c", "import psycopg2"],
                      capture_output=True).returncode != 0:
        problems.append("python3-psycopg2 is not installed (./dev deps)")
    if os.geteuid() != 0:
        problems.append("needs root (network namespaces)")
    if problems:
        print(f"postgres_bench: setup failed: {problems[0]}", file=sys.stderr)
        return 1
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    wall0 = time.time()
    try:
        offs, moves, killed, totals, report, (most, first), note = bench(
            crmd, pcs, args.runs, args.switchovers, args.kills)
    except AssertionError as e:
        print(f"postgres_bench: setup failed: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("postgres_bench: interrupted", file=sys.stderr)
        return 130
    if not offs:
        print(f"postgres_bench: no run completed: {note}", file=sys.stderr)
        return 1

    took = [x[2] for x in offs]
    p50, p99 = nearest_rank(took, 50), nearest_rank(took, 99)
    rows = [
        (f"power-off -> first ok write through the VIP, p50 ({len(took)} runs)", ms(p50),
         f"<= {ms(P50_TARGET_S)}", verdict(p50 <= P50_TARGET_S)),
        ("  p99 (nearest rank)", ms(p99), f"<= {ms(P99_TARGET_S)}",
         verdict(p99 <= P99_TARGET_S)),
        ("  min / max", f"{ms(min(took))} / {ms(max(took))}", "", ""),
        ("reference: power-off -> survivors' view without the node, p50",
         ms(nearest_rank([x[3] for x in offs], 50)), "", ""),
    ]
    if moves:
        m50 = nearest_rank([x[2] for x in moves], 50)
        rows.append((f"planned switchover -> first ok write, p50 ({len(moves)} runs)", ms(m50),
                     f"<= {ms(SWITCHOVER_TARGET_S)}", verdict(m50 <= SWITCHOVER_TARGET_S)))
    if killed:
        k50 = nearest_rank([x[2] for x in killed], 50)
        rows.append((f"kill -9 of the postmaster -> first ok write, p50 ({len(killed)} runs)",
                     ms(k50), f"<= {ms(KILL_TARGET_S)}", verdict(k50 <= KILL_TARGET_S)))
    counts = totals.counts
    rows += [
        (f"acknowledged rows lost (of {counts.get('ok', 0)} ok)", str(len(totals.lost)), "0",
         verdict(not totals.lost)),
        (f"phantom rows (unknown outcomes: {counts.get('unknown', 0)})",
         str(len(totals.phantoms)), "0", verdict(not totals.phantoms)),
        (f"checker samples with the VIP on two nodes (of {report.samples})",
         str(report.split_brain), "0", verdict(report.split_brain == 0)),
        ("watch rounds with two writable primaries (most at once)", str(most), "1",
         verdict(most <= 1)),
    ]
    print()
    print(f"Pulse PostgreSQL benchmark, setup 3 ({args.bin}, {os.cpu_count()} CPUs, a "
          f"synchronous commit through the VIP every 20 ms, token 1000 ms, wall time "
          f"{time.time() - wall0:.0f} s)")
    print()
    print(table(rows))
    print()
    print("power-off -> first ok (ms): " + " ".join(f"{x * 1000:.0f}" for x in took))
    print("victim -> promoted:         " + " ".join(f"n{x[0]}>{x[1]}" for x in offs))
    print(f"spread: {spread(took)}")
    if moves:
        print("switchover (ms):            " + " ".join(f"{x[2] * 1000:.0f}" for x in moves))
    if killed:
        print("kill -9 (ms):               " + " ".join(f"{x[2] * 1000:.0f}" for x in killed))
    if first:
        print(f"two writable primaries: {first}")
    return finish("postgres_bench", rows, stopped=note)


if __name__ == "__main__":
    sys.exit(main())
