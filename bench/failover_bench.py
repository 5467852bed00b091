#!/usr/bin/env python3
"""Failover benchmark: how long a VIP is gone when the node holding it dies.

Run by `./dev bench failover` (or directly: python3 bench/failover_bench.py --help; needs root
for the network namespaces).

A 3-node cluster of real crmd daemons in network namespaces (tests/harness/netns_cluster.sh,
through tests/cluster/resource_cluster.py) runs one VIP (ocf:heartbeat:IPaddr2, 198.51.100.10).
Each run moves the VIP to the next node in turn (so that the DC is a victim one run in three)
and powers off the node holding it (the harness's power-off: every process of the node is
killed -9, crmd and agents, its VIPs dropped, its link down) and measures, from just before the
power-off to the first ARP reply for the VIP from a survivor, asked from a client namespace every
15 ms. That is the outage a client on the LAN sees: failure detection (token 1000 ms), the DC's
decision, fencing, the IPaddr2 start and its gratuitous ARP; each run's time is split, from the
survivors' logs, into those phases (run_phases; medians in the table). The node is then powered
on, its crmd started and `pcs cluster start` run, and the cluster left to settle before the next
run.

Two fencing modes, each its own cluster:
  fence     a fence device (`pcs stonith create fence fence_pulse_netns ...`): the DC runs the
            agent against the lost node before recovering the VIP;
  watchdog  no device; crmd runs with the watchdog and survivors wait stonith-watchdog-timeout
            (the self-fencing bound) before recovering.

A VIP checker (tests/cluster/vip_checker.py) samples every 50 ms which node holds the VIP for
the whole benchmark; any sample with two holders is reported (must be 0).

Also measured, in each mode before the power-offs: `pcs status` on the DC (median of 20 runs
inside its namespace, against `pcs --version` as the process-start reference) and on another
node. First, in a cluster of its own (a fence device and the VIP, no watchdog), first DC and
probes after a cold start: `pcs cluster stop --all`, then `pcs cluster start --all` until a
node logs "became DC" and then its first transition (computed only once no probe is out).

--token MS sets `totem token=MS` at cluster setup (the failover target is then tighter, see
targets()). --soak-minutes N replaces the power-offs by N minutes of watching an idle cluster
(fence mode, VIP running): every view installed and every move of the VIP is a false failover
(the target is 0); with --cpu-hog a busy loop runs beside each node (in its namespace, same
priority as crmd), so that both cores are busy.

Exit status: 0 when every target passed, 3 when the benchmark ran and some target failed, 1
when the setup failed (the reason is printed), 2 on bad usage.
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
from bench_report import (finish, log, ms, nearest_rank, on_signal, setup, table,  # noqa: E402
                          verdict)
from resource_cluster import ResourceCluster  # noqa: E402
from vip_checker import AddressDumper, ArpAsker, VipChecker  # noqa: E402

VIP = "198.51.100.10"
STATUS_TARGET_S = 0.010  # pcs status median on the local node (crm_mon -1: about 9 ms)
FIRST_DC_TARGET_S = 2.0  # cluster start --all -> DC elected and every probe recorded
HOG = "while True:\n    pass\n"


def targets(token_ms):
    """(p50, p99) failover targets in seconds: 1.0/1.5 s with the default token (1000 ms);
    with token <= 300 ms p50 must match keepalived's ~340 ms with 100 ms adverts (<= 400 ms)."""
    if token_ms is not None and token_ms <= 300:
        return 0.4, 1.5
    return 1.0, 1.5


class SetupError(Exception):
    """The benchmark could not be set up or a run did not recover (the reason is given)."""


def survivor_answers(asker, macs, victim, wait):
    """The survivor answering ARP for the VIP now, or None."""
    for mac in asker.ask([VIP], wait)[VIP]:
        node = macs.get(mac)
        if node and node != victim:
            return node
    return None


STATUS_TIMER = """
import subprocess, sys, time
cmd = sys.argv[1:]
for _ in range(20):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    print(time.perf_counter() - t)
"""


def time_pcs_status(c, dc=1, other=2):
    """20 runs of `pcs status` inside the DC's namespace (no namespace-entry cost) and inside
    another node's, and of `pcs --version` as the reference (process start and exit alone)."""
    def run(node, *args):
        out = subprocess.run(["ip", "netns", "exec", c.namespace(node), sys.executable, "-c",
                              STATUS_TIMER, c.pcs_bin, *args],
                             check=True, capture_output=True, text=True, env=c.env).stdout
        return [float(x) for x in out.split()]
    return (run(dc, "--state-dir", c.state_dir(dc), "status"),
            run(other, "--state-dir", c.state_dir(other), "status"), run(dc, "--version"))


def new_log_lines(c, offsets):
    """{node: [(stamp, text)]} of the lines each node logged after its offset."""
    return {i: c.log_lines(i)[offsets[i]:] for i in range(1, c.nodes + 1)}


def time_first_dc(c, timeout=60):
    """Cold start of the running cluster: `pcs cluster stop --all`, then `pcs cluster start
    --all`; returns (s to the first "became DC", s to the DC's first transition, seconds from
    just before the start, read from the nodes' logs (the same clock), and the probes the DC
    ran. The DC computes no transition while a probe is out (controller.cc), so its first
    transition marks the probes done.)"""
    c.pcs(1, "cluster", "stop", "--all", timeout=120)
    offsets = {i: len(c.log_lines(i)) for i in range(1, c.nodes + 1)}
    t0 = time.time()
    c.pcs(1, "cluster", "start", "--all")
    deadline = t0 + timeout
    while True:
        for node, lines in new_log_lines(c, offsets).items():
            dc = [t for t, text in lines if "controller: became DC" in text]
            if not dc:
                continue
            after = [(t, text) for t, text in lines if t >= dc[0]]
            done = [t for t, text in after if "controller: transition " in text and
                    " on CIB " in text]
            if done:
                probes = sum(1 for t, text in after if t <= done[0] and
                             "controller: result of" in text and "_monitor_0 on n" in text)
                return dc[0] - t0, done[0] - t0, probes
        if time.time() > deadline:
            raise SetupError(f"cold start: no DC with a first transition within {timeout} s")
        time.sleep(0.05)


PHASES = ("detection", "fencing", "dispatch", "agent")
PHASE_TEXT = {
    "detection": "power-off -> survivors install a view without the node",
    "fencing": "view -> DC fenced the node (election, decision, fence device or watchdog wait)",
    "dispatch": "fenced -> IPaddr2 start begins on the new holder (engine, transition, send)",
    "agent": "IPaddr2 start begins -> the VIP answers ARP",
}


def run_phases(c, victim, holder, t_kill, answered, offsets):
    """Where one run's time went, from the survivors' logs (the same clock as time.time()):
    {phase: seconds} for PHASES, or None when a mark is missing from the logs."""
    lines = new_log_lines(c, offsets)
    survivors = [i for i in lines if f"n{i}" != victim]

    def first(nodes, test, after):
        stamps = [t for i in nodes for t, text in lines[i] if t >= after and test(text)]
        return min(stamps) if stamps else None

    view = first(survivors, lambda x: x.startswith("membership: view installed") and
                 f" {victim} " not in x.split(";")[0] + " ", t_kill)
    fenced = view and first(survivors, lambda x: x.startswith(f"fencing: {victim} fenced"), view)
    start = fenced and first([int(holder[1:])],
                             lambda x: x.startswith("executor: vip_start_0 starting"), fenced)
    if not start or start > answered:
        return None
    return {"detection": view - t_kill, "fencing": fenced - view, "dispatch": start - fenced,
            "agent": answered - start}


def vip_moves(samples):
    """How often the VIP's (non-empty) holder set changed over the checker's samples."""
    moves, last = 0, None
    for sample in samples:
        holders = frozenset(sample.holders.get(VIP, ()))
        if not holders:
            continue
        if last is not None and holders != last:
            moves += 1
        last = holders
    return moves


def soak(c, minutes, cpu_hog):
    """`minutes` of an idle cluster holding the VIP (fence mode): returns (views installed
    per node during the soak, VIP moves, checker report). A busy loop per node with cpu_hog."""
    offsets = {i: len(c.views(i)) for i in range(1, c.nodes + 1)}
    checker = VipChecker(c.node_namespaces(), [VIP]).start()
    if cpu_hog:
        for i in range(1, c.nodes + 1):
            c.harness("start", str(i), "hog", sys.executable, "-c", HOG)
    try:
        end = time.time() + minutes * 60
        while time.time() < end:
            time.sleep(min(30.0, max(0.0, end - time.time())))
            views = {i: len(c.views(i)) - offsets[i] for i in offsets}
            log(f"  soak: {(minutes * 60 - (end - time.time())) / 60:4.1f} min, views installed "
                f"since the start: {sum(views.values())}, VIP held by "
                f"{sorted(checker.holders_now(VIP))}")
    finally:
        if cpu_hog:
            for i in range(1, c.nodes + 1):
                c.harness("stop", str(i), "hog", check=False)
        report = checker.stop()
    views = {f"n{i}": len(c.views(i)) - offsets[i] for i in offsets}
    return views, vip_moves(checker.samples), report


def prepare_mode(c, mode):
    """The fencing of `mode` and the VIP, started."""
    if mode == "fence":
        if not c.use_fence_device():
            raise SetupError("pcs could not create the fence device")
    else:
        if not c.features["watchdog"]:
            raise SetupError("crmd has no --watchdog-timeout/--self-fence-command (or "
                             "resource-agents/fence/pulse_self_fence_netns is missing)")
        c.use_watchdog()
    c.pcs(1, "resource", "create", "vip", "ocf:heartbeat:IPaddr2", f"ip={VIP}",
          "cidr_netmask=24", "op", "monitor", "interval=5s", "meta",
          "resource-stickiness=100")  # stays on the survivor when the victim returns
    c.wait_started("vip", 60)


def bench_mode(c, mode, runs, interval, timeout):
    """`runs` power-offs of the VIP's node; returns (latencies s, victims, checker report,
    note, pcs status times, [{phase: s}] of the runs whose logs had every mark)."""
    prepare_mode(c, mode)
    status_times = time_pcs_status(c)
    macs = {}
    for node, ns in c.node_namespaces().items():
        dumper = AddressDumper(ns)
        macs[dumper.mac()] = node
        dumper.close()
    asker = ArpAsker(c.client_namespace())
    checker = VipChecker(c.node_namespaces(), [VIP]).start()
    latencies, victims, note, phases = [], [], None, []
    try:
        for run in range(runs):
            victim = c.wait_started("vip", 60)
            want = f"n{run % c.nodes + 1}"  # every node in turn, the DC included
            if victim != want:
                c.pcs(1, "resource", "move", "vip", want, check=False, timeout=90)
                victim = c.wait_started("vip", 60, on=[want])
                c.pcs(1, "resource", "clear", "vip", check=False)
            c.wait_for(lambda v=victim: checker.holders_now(VIP) == {v}, 10,
                       f"{VIP} configured on {victim}")
            time.sleep(1.0)  # let the previous rejoin's transitions finish
            offsets = {i: len(c.log_lines(i)) for i in range(1, c.nodes + 1)}
            t_kill = c.power_off(int(victim[1:]))
            answered, node = None, None
            while time.time() - t_kill < timeout:
                t = time.time()
                node = survivor_answers(asker, macs, victim, wait=0.005)
                if node:
                    answered = t
                    break
                time.sleep(max(0.0, interval - (time.time() - t)))
            if answered is None:
                note = (f"run {run + 1}: no survivor answered for {VIP} within "
                        f"{timeout:.0f} s of powering {victim} off")
                log(f"{note}\n{c.dc_log_tail()}")
                break
            latencies.append(answered - t_kill)
            victims.append(victim)
            split = run_phases(c, victim, node, t_kill, answered, offsets)
            if split:
                phases.append(split)
            log(f"  {mode} run {run + 1:2}/{runs}: {victim} powered off, {VIP} answered by "
                f"{node} after {latencies[-1] * 1000:6.0f} ms" +
                (" (" + ", ".join(f"{k} {v * 1000:.0f}" for k, v in split.items()) + ")"
                 if split else ""))
            survivor = int(node[1:])
            c.boot(int(victim[1:]), survivor)
            c.start_service(int(victim[1:]))
            c.wait_members(c.nodes, 30, via=survivor)
    except AssertionError as e:  # a wait in the cluster helpers timed out
        note = f"run {len(latencies) + 1}: {str(e).splitlines()[0]}"
        log(str(e))
    finally:
        asker.close()
        report = checker.stop()
    return latencies, victims, report, note, status_times, phases


def bench_cold_start(crmd, pcs, totem):
    """(s to the first DC, s to every probe) of a cold start of a 3-node cluster with a fence
    device and the VIP. Its crmds run without the watchdog: `pcs cluster stop --all` stops the
    nodes one by one, and an armed watchdog on the last one would self-fence it when it loses
    quorum."""
    with ResourceCluster(crmd, pcs, prefix=f"pulse-foc{os.getpid()}") as c:
        c.extra_crmd_args = [a for a in c.extra_crmd_args
                             if not a.startswith(("--watchdog-timeout", "--self-fence-command"))]
        c.bring_up("failover", totem)
        prepare_mode(c, "fence")
        return time_first_dc(c)


def status_rows(mode, status):
    dc, other, version = status
    p50 = nearest_rank(dc, 50)
    return [
        (f"{mode}: pcs status on the DC, median (20 runs, inside its namespace)", ms(p50),
         f"<= {ms(STATUS_TARGET_S)}", verdict(p50 <= STATUS_TARGET_S)),
        (f"{mode}: pcs status on the DC, p99", ms(nearest_rank(dc, 99)), "", ""),
        (f"{mode}: pcs status on a node that is not the DC, median", ms(nearest_rank(other, 50)),
         "", ""),
        (f"{mode}: reference, pcs --version median (process start alone)",
         ms(nearest_rank(version, 50)), "", ""),
    ]


def run_soak(args, crmd, pcs, totem):
    """--soak-minutes: one fence-mode cluster watched idle; prints the table, returns the exit
    status."""
    wall0 = time.time()
    what = "busy (a CPU hog beside each node)" if args.cpu_hog else "idle"
    try:
        with ResourceCluster(crmd, pcs, prefix=f"pulse-fos{os.getpid()}") as c:
            c.bring_up("failover", totem)
            prepare_mode(c, "fence")
            time.sleep(5.0)  # the VIP's start and first monitor are not part of the soak
            log(f"soak: {args.soak_minutes:g} min {what}, token {args.token or 1000} ms")
            views, moves, report = soak(c, args.soak_minutes, args.cpu_hog)
    except (SetupError, AssertionError) as e:
        print(f"failover_bench: setup failed (soak): {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("failover_bench: interrupted", file=sys.stderr)
        return 130
    total = sum(views.values())
    rows = [
        (f"soak {args.soak_minutes:g} min {what}: views installed (false failures detected)",
         str(total), "0", verdict(total == 0)),
        ("soak: VIP moves (false failovers)", str(moves), "0", verdict(moves == 0)),
        (f"soak: checker samples with the VIP on two nodes (of {report.samples})",
         str(report.split_brain), "0", verdict(report.split_brain == 0)),
    ]
    print()
    print(f"Pulse failover soak ({args.bin}, {os.cpu_count()} CPUs, token "
          f"{args.token or 1000} ms, wall time {time.time() - wall0:.0f} s)")
    print()
    print(table(rows))
    print()
    print("views installed per node during the soak: " +
          " ".join(f"{n}={v}" for n, v in views.items()))
    return finish("failover_bench", rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin"),
                    help="folder with crmd and pcs (default: build/bin of this repository)")
    ap.add_argument("--runs", type=int, help="power-offs per mode (default 20; --quick: 5)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 5 power-offs per mode")
    ap.add_argument("--mode", choices=("both", "fence", "watchdog"), default="both")
    ap.add_argument("--interval", type=float, default=0.015,
                    help="seconds between two ARP probes from the client (default 0.015)")
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="seconds a run may take before the benchmark gives up (default 60)")
    ap.add_argument("--token", type=int,
                    help="totem token in ms for the cluster (default: the cluster's, 1000)")
    ap.add_argument("--soak-minutes", type=float,
                    help="instead of power-offs: watch an idle fence-mode cluster for this "
                    "long and count false failovers (views installed, VIP moves)")
    ap.add_argument("--cpu-hog", action="store_true",
                    help="with --soak-minutes: a busy loop beside each node")
    args = ap.parse_args()
    runs = args.runs if args.runs is not None else (5 if args.quick else 20)
    if runs < 1 or not 0.005 <= args.interval <= 0.1:
        ap.error("--runs must be >= 1 and --interval in 0.005..0.1")
    if args.token is not None and not 100 <= args.token <= 60000:
        ap.error("--token must be in 100..60000 (ms)")
    if args.cpu_hog and not args.soak_minutes:
        ap.error("--cpu-hog goes with --soak-minutes")
    if args.soak_minutes is not None and args.soak_minutes <= 0:
        ap.error("--soak-minutes must be positive")
    binaries = setup("failover_bench", args.bin)
    if binaries is None:
        return 1
    crmd, pcs = binaries
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    totem = ("totem", f"token={args.token}") if args.token is not None else ()
    if args.soak_minutes:
        return run_soak(args, crmd, pcs, totem)

    p50_target, p99_target = targets(args.token)
    modes = ["fence", "watchdog"] if args.mode == "both" else [args.mode]
    wall0 = time.time()
    results, failures, statuses, cold = {}, {}, {}, None
    log("cold start: 3 nodes, a fence device and the VIP")
    try:
        cold = bench_cold_start(crmd, pcs, totem)
        log(f"  cold start: DC after {cold[0] * 1000:.0f} ms, every probe after "
            f"{cold[1] * 1000:.0f} ms ({cold[2]} probes)")
    except (SetupError, AssertionError) as e:
        failures["cold start"] = str(e)
        log(f"cold start: setup failed: {e}")
    except KeyboardInterrupt:
        print("failover_bench: interrupted", file=sys.stderr)
        return 130
    for mode in modes:
        log(f"{mode}: 3 nodes + a client namespace")
        try:
            with ResourceCluster(crmd, pcs, prefix=f"pulse-fo{mode[0]}{os.getpid()}") as c:
                log("  crmd options: " + " ".join(c.crmd_args() + c.extra_crmd_args))
                c.bring_up("failover", totem)
                lat, victims, report, note, status_times, split = bench_mode(
                    c, mode, runs, args.interval, args.timeout)
                statuses[mode] = status_times
                if lat:
                    results[mode] = (lat, victims, report, split)
                if note:
                    failures[mode] = note
        except (SetupError, AssertionError) as e:
            failures[mode] = str(e)
            log(f"{mode}: setup failed: {e}")
        except KeyboardInterrupt:
            print("failover_bench: interrupted", file=sys.stderr)
            return 130
    if not results:
        for mode, why in failures.items():
            print(f"failover_bench: setup failed ({mode}): {why}", file=sys.stderr)
        return 1

    token = f"token {args.token or 1000} ms"
    rows = []
    for mode, (lat, _, report, split) in results.items():
        p50, p99 = nearest_rank(lat, 50), nearest_rank(lat, 99)
        rows += [
            (f"{mode}: power-off -> VIP answers on a survivor, p50 ({len(lat)} runs, {token})",
             ms(p50), f"<= {ms(p50_target)}", verdict(p50 <= p50_target)),
            (f"{mode}: p99 (nearest rank)", ms(p99), f"<= {ms(p99_target)}",
             verdict(p99 <= p99_target)),
            (f"{mode}: max", ms(max(lat)), "", ""),
            (f"{mode}: checker samples with the VIP on two nodes (of {report.samples})",
             str(report.split_brain), "0", verdict(report.split_brain == 0)),
        ]
        rows += [(f"{mode}: {PHASE_TEXT[phase]}, median ({len(split)} runs)",
                  ms(nearest_rank([x[phase] for x in split], 50)), "", "")
                 for phase in PHASES if split]
    if cold:
        rows += [
            ("cold start: pcs cluster start --all -> first DC elected", ms(cold[0]), "", ""),
            (f"cold start -> DC elected and probes done ({cold[2]} probes; 3 nodes, 2 resources)",
             ms(cold[1]), f"<= {ms(FIRST_DC_TARGET_S)}", verdict(cold[1] <= FIRST_DC_TARGET_S)),
        ]
    for mode, status in statuses.items():
        rows += status_rows(mode, status)
    print()
    print(f"Pulse failover benchmark ({args.bin}, {os.cpu_count()} CPUs, ARP probe every "
          f"{args.interval * 1000:.0f} ms, {token}, wall time {time.time() - wall0:.0f} s)")
    print()
    print(table(rows))
    print()
    for mode, (lat, victims, report, _) in results.items():
        print(f"{mode} samples (ms): " + " ".join(f"{x * 1000:.0f}" for x in lat))
        print(f"{mode} victims:      " + " ".join(victims))
        print(f"{mode} checker: {report.text().splitlines()[0]}")
        if report.split_brain:  # where: the holders' timeline (seconds from the first sample)
            print("\n".join(line for line in report.text().splitlines()[1:]))
    stopped = "; ".join(f"{mode}: {why.splitlines()[0]}" for mode, why in failures.items())
    return finish("failover_bench", rows, stopped=stopped)


if __name__ == "__main__":
    sys.exit(main())
