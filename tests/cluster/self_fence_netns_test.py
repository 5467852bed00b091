#!/usr/bin/env python3
"""cluster.self_fence_netns: watchdog self-fencing (crmd --watchdog-timeout) in the namespace
cluster, with resource-agents/fence/pulse_self_fence_netns as the self-fence command.

  3 nodes, W = 300 ms (pet interval P = 100 ms, contact window S = 500 ms at token 1000 ms),
  survivors' wait D = 490 ms (crmd/watchdog/self_fence.h):
  * kill -9 of n3's crmd: the watchdog sees its pipe close without a disarm and fences at
    once; every process of n3 (a stand-in resource included) and its VIP are gone within
    W + 0.5 s; n1 and n2 keep running.
  * n3's link cut (a minority node): n3 self-fences within S + W + P + 0.4 s of the cut, and
    no later than the survivors' view without it + D (+ 0.1 s for polling and log stamps);
    the majority keeps running and stays quorate.
  pulse_self_fence_netns refuses to run outside a named test namespace.
  PULSE_TEST=1 is set for every process, so the default self-fence (a host reboot) can never
  be armed by this test.

usage: self_fence_netns_test.py CRMD PCS      (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import Checks, NetnsCluster  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FENCE = os.path.normpath(os.path.join(HERE, "../../resource-agents/fence/pulse_self_fence_netns"))
W, P, S, D = 0.3, 0.1, 0.5, 0.49
VIP = "198.51.100.53/24"
CHECKS = Checks()
ok = CHECKS.ok
check = CHECKS.check


def ns(c: NetnsCluster, i: int) -> str:
    return f"{c.prefix}-n{i}"


def ns_pids(c: NetnsCluster, i: int):
    out = subprocess.run(["ip", "netns", "pids", ns(c, i)], capture_output=True, text=True)
    return {int(p) for p in out.stdout.split()}


def vips(c: NetnsCluster, i: int) -> str:
    out = subprocess.run(["ip", "-n", ns(c, i), "-o", "-4", "addr", "show"],
                         capture_output=True, text=True).stdout
    return " ".join(line.split()[3] for line in out.splitlines() if "198.51.100." in line)


def start_crmd(c: NetnsCluster, i: int):
    before = len(c.log_lines(i))
    c.harness("start", str(i), "crmd", c.crmd, "--state-dir", c.state_dir(i), "--name", f"n{i}",
              f"--watchdog-timeout={int(W * 1000)}", f"--self-fence-command={FENCE}")
    def armed_or_failed():
        for _, t in c.log_lines(i)[before:]:
            if "watchdog self-fencing armed" in t or "cannot start" in t:
                return t
        return None

    line = c.wait_for(armed_or_failed, 10, f"crmd on n{i} to arm its watchdog")
    check("armed" in line, f"n{i}: crmd armed pulse-watchdog", line)


def running(c: NetnsCluster, i: int) -> bool:
    return c.harness("pid", str(i), "crmd", check=False).returncode == 0


def full_view(c: NetnsCluster):
    for i in range(1, c.nodes + 1):
        c.wait_for(lambda i=i: c.views(i) and len(c.views(i)[-1].members) == c.nodes, 10,
                   f"n{i} to install the full view")


def give_n3_a_resource(c: NetnsCluster):
    c.harness("vip-add", "3", VIP)
    c.harness("start", "3", "resource", "sleep", "1000")
    check(VIP.split("/")[0] in vips(c, 3) and running_named(c, 3, "resource"),
          "n3 holds a VIP and runs a stand-in resource process")


def running_named(c: NetnsCluster, i: int, name: str) -> bool:
    return c.harness("pid", str(i), name, check=False).returncode == 0


def wait_fenced(c: NetnsCluster, since: float, limit: float) -> float:
    deadline = since + limit + 2.0
    while time.time() < deadline:
        if not ns_pids(c, 3):
            return time.time() - since
        time.sleep(0.01)
    raise AssertionError(f"n3 still has processes {sorted(ns_pids(c, 3))} "
                         f"{time.time() - since:.2f} s later")


def refuses_outside_a_test_node():
    # In a fresh unnamed namespace (never the host's: if the guard regressed, only this
    # throwaway namespace would suffer) the script must refuse and touch nothing.
    out = subprocess.run(["unshare", "--net", FENCE], capture_output=True, text=True)
    check(out.returncode == 1 and "refusing" in out.stderr,
          "pulse_self_fence_netns refuses outside a named test namespace", out.stderr)


def body(crmd: str, pcs: str):
    refuses_outside_a_test_node()
    with NetnsCluster(3, crmd, pcs) as c:
        c.env["PULSE_TEST"] = "1"
        for i in (1, 2, 3):
            start_crmd(c, i)
        c.form("wd")
        full_view(c)
        ok("3 nodes formed with watchdog self-fencing on every node")

        # --- kill -9 of crmd ---------------------------------------------------------------
        give_n3_a_resource(c)
        pid = int(c.harness("pid", "3", "crmd").stdout.strip())
        killed = time.time()
        os.kill(pid, 9)
        took = wait_fenced(c, killed, W + 0.5)
        check(took <= W + 0.5, f"kill -9 of n3's crmd: n3 self-fenced in {took * 1000:.0f} ms "
              f"(bound W + 0.5 s = {(W + 0.5) * 1000:.0f} ms)")
        check(vips(c, 3) == "", "n3's VIP is gone", vips(c, 3))
        check(running(c, 1) and running(c, 2), "n1 and n2 keep running")
        for name in ("crmd", "resource"):  # the harness's pid files of what the fence killed
            c.harness("kill", "3", name, check=False)

        # --- n3 cut off: a minority node ---------------------------------------------------
        start_crmd(c, 3)
        out = c.pcs(1, "cluster", "start", "n3").stdout
        check("n3: Started" in out, "n3 restarted and rejoined", out)
        full_view(c)
        time.sleep(1.0)  # let n3's contact become fresh and arm the feeder
        give_n3_a_resource(c)
        cut = time.time()
        c.harness("cut", "3")
        bound = S + W + P + 0.4
        took = wait_fenced(c, cut, bound)
        fenced_at = cut + took
        check(took <= bound, f"link cut: n3 self-fenced {took * 1000:.0f} ms after the cut "
              f"(bound S + W + P + 0.4 s = {bound * 1000:.0f} ms)")
        check(vips(c, 3) == "", "n3's VIP is gone", vips(c, 3))

        def survivors_view():
            for v in c.views(1):
                if v.at >= cut - 0.002 and "n3" not in v.members:
                    return v
            return None

        view = c.wait_for(survivors_view, 10, "n1 to install a view without n3")
        check(view.quorate and view.members == ["n1", "n2"],
              "the majority installed a quorate view of n1 and n2", str(view))
        margin = fenced_at - view.at
        check(margin <= D + 0.1,
              f"n3 was fenced {margin * 1000:+.0f} ms after the survivors' view (wait D = "
              f"{D * 1000:.0f} ms, +100 ms for polling and log stamps)")
        time.sleep(1.0)
        check(running(c, 1) and running(c, 2), "n1 and n2 keep running after the cut")
        c.harness("heal", "3")


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, body))
