#!/usr/bin/env python3
"""cluster.haproxy_two_node_netns: setup 1, two HAProxy nodes and two floating IPs, built with
the guide's commands (tests/cluster/haproxy_setup.py) and judged as its users would: through
HTTP requests from a client namespace, `pcs status`, and who holds each VIP.

  formation   pcs host auth / cluster setup / cluster start --all / cluster enable --all:
              two members, two_node set (runtime.votequorum.two_node = 1 in pcs cluster cmap)
  spread      haproxy-clone Started on n1 and n2; vip1 answers "n1", vip2 answers "n2"
  power-off   a client GETs through each VIP every 50 ms (300 ms timeout) while n1 (vip1's
              node) is powered off: vip1 moves to n2 and requests through it resume within
              GAP_LIMIT_S (the longest gap is printed; the benchmark holds the 2 s target);
              vip2 keeps answering from n2 (no gap over STEADY_LIMIT_S); the survivor keeps
              quorum; the VIP checker never sees a VIP on two nodes
  rejoin      n1 boots (crmd only: the cluster was enabled, nobody types pcs cluster start):
              two members again, its HAProxy instance runs (pcs status lists the clone on n1
              and n2, and vip1 is answered by n1 again, which only n1's HAProxy can do)

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
            time.sleep(1.0)  # a steady stream of answers before the fault

            killed = c.power_off(1)
            moved = c.wait_served(client, "vip1", "n2", killed, 30)
            c.wait_for(lambda: time.time() > moved + 1.0, 5, "a second of answers")
            gap1 = client.longest_gap(VIPS["vip1"], killed, moved + 1.0)
            gap2 = client.longest_gap(VIPS["vip2"], killed - 1.0, moved + 1.0)
            print(f"# power-off of n1: vip1 answered by n2 {moved - killed:.2f} s later; longest "
                  f"gap through vip1 {gap1:.2f} s, through vip2 {gap2:.2f} s", flush=True)
            check(gap1 <= GAP_LIMIT_S, f"power-off: vip1 moved to n2 and requests through it "
                  f"resumed (longest gap {gap1:.2f} s <= {GAP_LIMIT_S} s)")
            check(gap2 <= STEADY_LIMIT_S, f"power-off: vip2 kept answering from n2 (longest gap "
                  f"{gap2:.2f} s <= {STEADY_LIMIT_S} s)")
            after = [node for _, node in client.answered(VIPS["vip2"], killed)]
            check(after and set(after) == {"n2"}, "power-off: every answer through vip2 came "
                  "from n2", f"answers: {sorted(set(after))}")
            check(quorate(c, 2), "power-off: n2 alone keeps quorum (two_node)",
                  c.pcs(2, "quorum", "status", check=False).stdout)
            status_text = c.status(2)[1]
            check(clone_nodes(status_text) == ["n2"], "power-off: pcs status lists the clone "
                  "Started on n2 only", status_text)

            c.boot(1)
            c.wait_members(2, 30, via=2)
            ok("rejoin: n1 rejoined with crmd's start alone (pcs cluster enable)")
            c.wait_clone_on(["n1", "n2"], START_S, i=2)
            back = c.wait_served(client, "vip1", "n1", time.time(), START_S)
            ok("rejoin: n1's HAProxy runs again (clone on n1 and n2; vip1 answered by n1)")
            c.wait_for(lambda: time.time() > back + 0.5, 5, "answers after the return")
            gap_back = client.longest_gap(VIPS["vip1"], moved + 1.0, back + 0.5)
            print(f"# return of n1: longest gap through vip1 while it moved back "
                  f"{gap_back:.2f} s", flush=True)
            check(client.longest_gap(VIPS["vip2"], moved + 1.0, back + 0.5) <= STEADY_LIMIT_S,
                  "rejoin: vip2 kept answering while n1 returned")
        report = checker.report()
        check(checker.error is None, "the VIP checker sampled the whole test",
              str(checker.error))
        check(report.split_brain == 0, f"no VIP on two nodes in {report.samples} samples "
              f"(largest gap between samples {report.max_gap * 1000:.0f} ms)",
              report.text())


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
