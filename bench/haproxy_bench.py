#!/usr/bin/env python3
"""HAProxy benchmark (setup 1: two HAProxy nodes, two floating IPs): how long a web client is
without answers when the node holding a VIP loses power.

Run by `./dev bench haproxy [--runs N]` (or directly: python3 bench/haproxy_bench.py --help;
needs root for the network namespaces and Debian's haproxy).

The cluster is tests/cluster/haproxy_setup.py's, made with the guide's commands: nodes n1 and
n2 (two_node, stonith-enabled=false), a real HAProxy cloned on both (ocf:pulse:haproxy) in
front of each node's own web application, vip1 (198.51.100.21, prefers n1) and vip2
(198.51.100.22, prefers n2), each colocated with the clone and ordered after it. A client
namespace sends an HTTP GET through each VIP every 50 ms (new connection, 300 ms timeout).

Each of N runs (default 20) powers off the node holding vip1 or vip2, in turn (so the DC is
the victim every other run): every process of the node is killed -9, its VIPs dropped, its
link down. The figure is the longest time between two answered requests through either VIP
around the power-off, up to a second after the moved VIP first answers from the survivor: what
the client sees as "the site was down". For reference, in the same run: when the survivor's
crmd installed a view without the victim (failure detection, read from its log) and when the
moved VIP first answered. Then the node boots (crmd starts and rejoins by itself: the cluster
is enabled), its VIP moves back, and the longest gap of that move is reported too.

A VIP checker samples both VIPs' holders every 50 ms for the whole benchmark; samples with a
VIP on two nodes must be 0.

Targets: longest gap per power-off p50 <= 2 s; no VIP on two nodes. Exit status: 0 when every
target passed, 3 when some target failed, 1 when the setup failed or a run did not recover (the
reason is printed), 2 on bad usage.
"""
import argparse
import os
import signal
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "cluster"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from haproxy_setup import HOME, VIPS, HaproxyCluster  # noqa: E402
from haproxy_web import ClientLog  # noqa: E402
from bench_report import (finish, log, ms, nearest_rank, on_signal, setup, spread,  # noqa: E402
                          table, verdict)
from vip_checker import VipChecker  # noqa: E402

GAP_TARGET_S = 2.0
RECOVER_S = 30      # a run that has not recovered by then stops the benchmark
AFTER_S = 1.0       # answers counted after the moved VIP's first answer


def one_run(c, client, run, runs, samples):
    """Power-off of the node holding vip1 (even runs) or vip2 (odd runs), and its return;
    appends (vip, victim, gap, detected, answered, gap back) to samples."""
    vip = "vip1" if run % 2 == 0 else "vip2"
    victim = HOME[vip]
    survivor = c.other(victim)
    v, s = int(victim[1:]), int(survivor[1:])
    other_vip = "vip2" if vip == "vip1" else "vip1"
    c.wait_home(client, time.time(), RECOVER_S)
    time.sleep(1.0)  # a steady stream of answers before the fault

    killed = c.power_off(v)
    moved = c.wait_served(client, vip, survivor, killed, RECOVER_S)
    c.wait_for(lambda: time.time() > moved + AFTER_S, AFTER_S + 5, "answers after the move")
    gap = max(client.longest_gap(VIPS[vip], killed, moved + AFTER_S),
              client.longest_gap(VIPS[other_vip], killed, moved + AFTER_S))
    detected = c.detection_time(v, killed, [s])

    c.boot(v)
    c.wait_members(2, RECOVER_S, via=s)
    c.wait_clone_on(["n1", "n2"], RECOVER_S, i=s)
    back = c.wait_served(client, vip, victim, time.time(), RECOVER_S)
    c.wait_for(lambda: time.time() > back + 0.5, 5, "answers after the return")
    gap_back = max(client.longest_gap(VIPS[x], moved + AFTER_S, back + 0.5) for x in VIPS)
    samples.append((vip, victim, gap, detected, moved - killed, gap_back))
    log(f"  run {run + 1:2}/{runs}: {victim} ({vip}) powered off: longest gap {ms(gap)} "
        f"(detected {ms(detected)}, {vip} answered by {survivor} after {ms(moved - killed)}); "
        f"back: longest gap {ms(gap_back)}")


def bench(crmd, pcs, runs):
    """(samples, checker report, note): note says why the runs stopped early, or None."""
    samples, note = [], None
    with HaproxyCluster(crmd, pcs, prefix=f"pulse-hab{os.getpid()}") as c:
        log("setup 1: pcs host auth, cluster setup (two_node), start --all, enable --all, "
            "stonith-enabled=false, haproxy clone, vip1 and vip2")
        c.form_as_guide("haproxy")
        c.create_haproxy()
        c.wait_clone_on(["n1", "n2"], 60)
        with VipChecker(c.node_namespaces(), list(VIPS.values())) as checker, \
                ClientLog(c.client_namespace(), list(VIPS.values())) as client:
            for run in range(runs):
                try:
                    one_run(c, client, run, runs, samples)
                except AssertionError as e:  # a run that did not recover: stop here
                    note = f"run {run + 1}: {str(e).splitlines()[0]}"
                    log(f"{e}\n{c.dc_log_tail()}")
                    break
        return samples, checker.report(), note


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20, help="power-offs (default 20)")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin"),
                    help="where crmd and pcs are (default build/bin)")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be >= 1")
    binaries = setup("haproxy_bench", args.bin, tools=("haproxy",))
    if binaries is None:
        return 1
    crmd, pcs = binaries
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    wall0 = time.time()
    try:
        samples, report, note = bench(crmd, pcs, args.runs)
    except AssertionError as e:
        print(f"haproxy_bench: setup failed: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("haproxy_bench: interrupted", file=sys.stderr)
        return 130
    if not samples:
        print(f"haproxy_bench: no run completed: {note}", file=sys.stderr)
        return 1

    gaps = [x[2] for x in samples]
    p50 = nearest_rank(gaps, 50)
    rows = [
        (f"longest client-visible gap per power-off, p50 ({len(gaps)} runs)", ms(p50),
         f"<= {ms(GAP_TARGET_S)}", verdict(p50 <= GAP_TARGET_S)),
        ("  min", ms(min(gaps)), "", ""),
        ("  p99 (nearest rank)", ms(nearest_rank(gaps, 99)), "", ""),
        ("  max", ms(max(gaps)), "", ""),
        ("reference: power-off -> survivor's view without the node, p50",
         ms(nearest_rank([x[3] for x in samples], 50)), "", ""),
        ("reference: power-off -> first answer through the moved VIP, p50",
         ms(nearest_rank([x[4] for x in samples], 50)), "", ""),
        ("node back: longest gap while its VIP moves back, max",
         ms(max(x[5] for x in samples)), "", ""),
        (f"checker samples with a VIP on two nodes (of {report.samples})",
         str(report.split_brain), "0", verdict(report.split_brain == 0)),
    ]
    print()
    print(f"Pulse HAProxy benchmark, setup 1 ({args.bin}, {os.cpu_count()} CPUs, HTTP GET every "
          f"50 ms per VIP, 300 ms timeout, token 1000 ms, wall time {time.time() - wall0:.0f} s)")
    print()
    print(table(rows))
    print()
    print("gaps (ms):    " + " ".join(f"{x[2] * 1000:.0f}" for x in samples))
    print("victims:      " + " ".join(f"{x[1]}/{x[0]}" for x in samples))
    print(f"gap spread:   {spread(gaps)}")
    print(f"checker: {report.text().splitlines()[0]}")
    return finish("haproxy_bench", rows, stopped=note)


if __name__ == "__main__":
    sys.exit(main())
