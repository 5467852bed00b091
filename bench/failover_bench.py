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
decision, fencing, the IPaddr2 start and its gratuitous ARP. The node is then powered on, its
crmd started and `pcs cluster start` run, and the cluster left to settle before the next run.

Two fencing modes, each its own cluster:
  fence     a fence device (`pcs stonith create fence fence_pulse_netns ...`): the DC runs the
            agent against the lost node before recovering the VIP;
  watchdog  no device; crmd runs with the watchdog and survivors wait stonith-watchdog-timeout
            (the self-fencing bound) before recovering.

A VIP checker (tests/cluster/vip_checker.py) samples every 50 ms which node holds the VIP for
the whole benchmark; any sample with two holders is reported (must be 0).

Exit status: 0 when the benchmark ran (whatever the PASS/FAIL verdicts), 1 when the setup
failed (the reason is printed), 2 on bad usage.
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
from membership_bench import log, nearest_rank, on_signal, table, verdict  # noqa: E402
from resource_cluster import ResourceCluster  # noqa: E402
from vip_checker import AddressDumper, ArpAsker, VipChecker  # noqa: E402

VIP = "198.51.100.10"
P50_TARGET_S = 2.0  # the targets with token 1000 ms
P99_TARGET_S = 3.0


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


def time_pcs_status(c, node=1):
    """20 runs of `pcs status` inside node's namespace (no namespace-entry cost), and of
    `pcs --version` as the reference (process start and exit alone)."""
    def run(*args):
        out = subprocess.run(["ip", "netns", "exec", c.namespace(node), sys.executable, "-c",
                              STATUS_TIMER, c.pcs_bin, *args],
                             check=True, capture_output=True, text=True, env=c.env).stdout
        return [float(x) for x in out.split()]
    return run("--state-dir", c.state_dir(node), "status"), run("--version")


def bench_mode(c, mode, runs, interval, timeout):
    """`runs` power-offs of the VIP's node; returns (latencies s, victims, checker report)."""
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
    status_times = time_pcs_status(c)
    macs = {}
    for node, ns in c.node_namespaces().items():
        dumper = AddressDumper(ns)
        macs[dumper.mac()] = node
        dumper.close()
    asker = ArpAsker(c.client_namespace())
    checker = VipChecker(c.node_namespaces(), [VIP]).start()
    latencies, victims, note = [], [], None
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
            log(f"  {mode} run {run + 1:2}/{runs}: {victim} powered off, {VIP} answered by "
                f"{node} after {latencies[-1] * 1000:6.0f} ms")
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
    return latencies, victims, report, note, status_times


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
    args = ap.parse_args()
    runs = args.runs if args.runs is not None else (5 if args.quick else 20)
    if runs < 1 or not 0.005 <= args.interval <= 0.1:
        ap.error("--runs must be >= 1 and --interval in 0.005..0.1")
    crmd, pcs = os.path.join(args.bin, "crmd"), os.path.join(args.bin, "pcs")
    for prog in (crmd, pcs):
        if not os.access(prog, os.X_OK):
            print(f"failover_bench: setup failed: no {prog} (build it first: cmake --build "
                  "build --target crmd pcs)", file=sys.stderr)
            return 1
    if os.geteuid() != 0:
        print("failover_bench: setup failed: needs root (network namespaces)", file=sys.stderr)
        return 1
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    modes = ["fence", "watchdog"] if args.mode == "both" else [args.mode]
    wall0 = time.time()
    results, failures, statuses = {}, {}, {}
    for mode in modes:
        log(f"{mode}: 3 nodes + a client namespace")
        try:
            with ResourceCluster(crmd, pcs, prefix=f"pulse-fo{mode[0]}{os.getpid()}") as c:
                log("  crmd options: " + " ".join(c.crmd_args() + c.extra_crmd_args))
                c.bring_up("failover")
                lat, victims, report, note, status_times = bench_mode(
                    c, mode, runs, args.interval, args.timeout)
                if lat:
                    results[mode] = (lat, victims, report)
                    statuses[mode] = status_times
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

    def ms(x):
        return f"{x * 1000:.0f} ms"

    rows = []
    for mode, (lat, _, report) in results.items():
        p50, p99 = nearest_rank(lat, 50), nearest_rank(lat, 99)
        rows += [
            (f"{mode}: power-off -> VIP answers on a survivor, p50 ({len(lat)} runs)", ms(p50),
             f"<= {ms(P50_TARGET_S)}", verdict(p50 <= P50_TARGET_S)),
            (f"{mode}: p99 (nearest rank)", ms(p99), f"<= {ms(P99_TARGET_S)}",
             verdict(p99 <= P99_TARGET_S)),
            (f"{mode}: max", ms(max(lat)), "", ""),
            (f"{mode}: checker samples with the VIP on two nodes (of {report.samples})",
             str(report.split_brain), "0", verdict(report.split_brain == 0)),
        ]
    for mode, (status, version) in statuses.items():
        p50, p99 = nearest_rank(status, 50), nearest_rank(status, 99)
        rows += [
            (f"{mode}: pcs status on 3 nodes, p50 (20 runs, inside the node's namespace)",
             ms(p50), "< 100 ms", verdict(p50 < 0.1)),
            (f"{mode}: pcs status p99", ms(p99), "", ""),
            (f"{mode}: reference, pcs --version p50 (process start alone)",
             ms(nearest_rank(version, 50)), "", ""),
        ]
    print()
    print(f"Pulse failover benchmark ({args.bin}, {os.cpu_count()} CPUs, ARP probe every "
          f"{args.interval * 1000:.0f} ms, wall time {time.time() - wall0:.0f} s)")
    print()
    print(table(rows))
    print()
    for mode, (lat, victims, report) in results.items():
        print(f"{mode} samples (ms): " + " ".join(f"{x * 1000:.0f}" for x in lat))
        print(f"{mode} victims:      " + " ".join(victims))
        print(f"{mode} checker: {report.text().splitlines()[0]}")
    for mode, why in failures.items():
        print(f"{mode}: stopped early or not measured: {why.splitlines()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
