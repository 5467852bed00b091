#!/usr/bin/env python3
"""cluster.haproxy_two_node_netns: setup 1, two HAProxy nodes and two floating IPs, built with
the guide's commands (tests/cluster/haproxy_setup.py) and judged as its users would: through
HTTP requests from a client namespace, `pcs status`, and who holds each VIP.

  formation   pcs host auth / cluster setup / cluster start --all / cluster enable --all:
              two members, two_node set (runtime.votequorum.two_node = 1 in pcs cluster cmap)
  spread      haproxy-clone Started on n1 and n2; vip1 answers "n1", vip2 answers "n2"
  power-off   a client GETs through each VIP every 50 ms (300 ms timeout) while n1 (vip1's
              node, the DC) is powered off: vip1 moves to n2 and requests through it resume
              within GAP_LIMIT_S (the longest gap is printed; the benchmark holds the 2 s
              target); vip2 keeps answering from n2 (no gap over STEADY_LIMIT_S); the survivor
              keeps quorum; the VIP checker never sees a VIP on two nodes
  rejoin      n1 boots (crmd only: the cluster was enabled, nobody types pcs cluster start):
              two members again, its HAProxy instance runs (pcs status lists the clone on n1
              and n2, and vip1 is answered by n1 again, which only n1's HAProxy can do)
  the same for n2 (vip2's node): the DC survives alone in its view and must recover vip2

usage: haproxy_two_node_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from haproxy_setup import HOME, VIPS, HaproxyCluster, clone_nodes  # noqa: E402
from haproxy_web import ClientLog  # noqa: E402
from pulse_netns import Checks  # noqa: E402
from vip_checker import VipChecker  # noqa: E402

CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
START_S = 45
GAP_LIMIT_S = 8.0      # token 1000 ms + consensus + the IPaddr2 start, with room for a busy host
STEADY_LIMIT_S = 1.5   # a VIP on the survivor: a few missed 50 ms requests at most


def quorate(c, i):
    out = c.pcs(i, "quorum", "status", check=False).stdout
    return "Quorate:          Yes" in out or "Quorate: Yes" in " ".join(out.split())


def power_off_and_back(c, client, vip):
    """Powers off the node holding vip while the client requests through both VIPs; checks
    the move, the other VIP, quorum and pcs status; boots the node and checks its return."""
    victim = HOME[vip]
    survivor = c.other(victim)
    v, s = int(victim[1:]), int(survivor[1:])
    other_vip = "vip2" if vip == "vip1" else "vip1"
    time.sleep(1.0)  # a steady stream of answers before the fault (after an earlier return)
    dc = c.status(s)[0].dc
    what = f"power-off of {victim} ({'the DC' if dc == victim else 'not the DC'})"
    killed = c.power_off(v)
    moved = c.wait_served(client, vip, survivor, killed, 30)
    c.wait_for(lambda: time.time() > moved + 1.0, 5, "a second of answers")
    gap = client.longest_gap(VIPS[vip], killed, moved + 1.0)
    steady = client.longest_gap(VIPS[other_vip], killed, moved + 1.0)
    print(f"# {what}: {vip} answered by {survivor} {moved - killed:.2f} s later; longest gap "
          f"through {vip} {gap:.2f} s, through {other_vip} {steady:.2f} s", flush=True)
    check(gap <= GAP_LIMIT_S, f"{what}: {vip} moved to {survivor} and requests through it "
          f"resumed (longest gap {gap:.2f} s <= {GAP_LIMIT_S} s)")
    check(steady <= STEADY_LIMIT_S, f"{what}: {other_vip} kept answering from {survivor} "
          f"(longest gap {steady:.2f} s <= {STEADY_LIMIT_S} s)")
    after = [node for _, node in client.answered(VIPS[other_vip], killed)]
    check(after and set(after) == {survivor}, f"{what}: every answer through {other_vip} came "
          f"from {survivor}", f"answers: {sorted(set(after))}")
    check(quorate(c, s), f"{what}: {survivor} alone keeps quorum (two_node)",
          c.pcs(s, "quorum", "status", check=False).stdout)
    status_text = c.status(s)[1]
    check(clone_nodes(status_text) == [survivor], f"{what}: pcs status lists the clone "
          f"Started on {survivor} only", status_text)

    c.boot(v)
    c.wait_members(2, 30, via=s)
    ok(f"rejoin: {victim} rejoined with crmd's start alone (pcs cluster enable)")
    c.wait_clone_on(["n1", "n2"], START_S, i=s)
    back = c.wait_served(client, vip, victim, time.time(), START_S)
    ok(f"rejoin: {victim}'s HAProxy runs again (clone on n1 and n2; {vip} answered by {victim})")
    c.wait_for(lambda: time.time() > back + 0.5, 5, "answers after the return")
    print(f"# return of {victim}: longest gap through {vip} while it moved back "
          f"{client.longest_gap(VIPS[vip], moved + 1.0, back + 0.5):.2f} s", flush=True)
    check(client.longest_gap(VIPS[other_vip], moved + 1.0, back + 0.5) <= STEADY_LIMIT_S,
          f"rejoin: {other_vip} kept answering while {victim} returned")


def run(crmd, pcs):
    if not shutil.which("haproxy"):
        print("SKIPPED: haproxy is not installed (Debian package haproxy; ./dev deps)")
        sys.exit(77)
    with HaproxyCluster(crmd, pcs, prefix=f"pulse-hap{os.getpid()}") as c:
        c.form_as_guide("haproxy")
        c.wait_members(2, 30, via=1)
        cmap = c.pcs(1, "cluster", "cmap", "runtime.votequorum.two_node").stdout
        check("runtime.votequorum.two_node (u8) = 1" in cmap,
              "formation: two members, two_node set", cmap.strip())
        c.create_haproxy()
        c.wait_clone_on(["n1", "n2"], START_S)
        ok("spread: pcs status lists haproxy-clone Started: [ n1 n2 ]")
        for vip, home in HOME.items():
            c.wait_started(vip, START_S, on=[home])

        with VipChecker(c.node_namespaces(), list(VIPS.values())) as checker, \
                ClientLog(c.client_namespace(), list(VIPS.values())) as client:
            t0 = time.time()
            c.wait_home(client, t0, 15)
            ok("spread: vip1 (198.51.100.21) answers n1, vip2 (198.51.100.22) answers n2")
            # n1 is the DC (the lowest member): first the DC's node is lost, then the other
            # one, which leaves the DC alone in its view.
            power_off_and_back(c, client, "vip1")
            power_off_and_back(c, client, "vip2")
        report = checker.report()
        check(checker.error is None, "the VIP checker sampled the whole test",
              str(checker.error))
        check(report.split_brain == 0, f"no VIP on two nodes in {report.samples} samples "
              f"(largest gap between samples {report.max_gap * 1000:.0f} ms)",
              report.text())


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
