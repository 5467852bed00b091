#!/usr/bin/env python3
"""cluster.status_frozen_netns: `pcs status` never hangs (issue: status that hangs when a node
is unreachable). 3 real crmd nodes in network namespaces, token 1000 ms:

  frozen DC      the DC's crmd is stopped with SIGSTOP (its sockets still accept, nothing
                 answers): `pcs status` on each other node answers within 2 s every time,
                 without asking the DC, and shows the frozen node OFFLINE and a new DC within
                 2 s of the freeze (the membership loses it after the token)
  reads          `pcs constraint`, `pcs property` and `pcs resource config` answer from the
                 node's own copy too, and show a change made a moment before on another node
  thawed         SIGCONT: the node rejoins, three online again
  no quorum      two crmds killed: the last node still answers `pcs status` at once, with
                 "partition WITHOUT quorum" and its own copy of the configuration

usage: status_frozen_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcs_status import parse_status  # noqa: E402
from pulse_netns import Checks, NetnsCluster  # noqa: E402

CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
ANSWER_S = 2.0


def timed_status(c, i):
    started = time.monotonic()
    result = c.pcs(i, "status", check=False, timeout=30)
    return time.monotonic() - started, result


def body(crmd, pcs):
    with NetnsCluster(3, crmd, pcs, prefix=f"pulse-sf{os.getpid()}") as c:
        c.start_all_crmd()
        c.form("frozen")
        c.pcs(1, "property", "set", "stonith-enabled=false")
        c.pcs(1, "resource", "create", "d", "ocf:heartbeat:Dummy")
        status = c.wait_for(lambda: parse_status(c.pcs(1, "status").stdout), 20, "pcs status")
        dc = int(status.dc.lstrip("n"))
        others = [i for i in (1, 2, 3) if i != dc]
        ok(f"3 nodes formed, DC n{dc}")

        # A change on one node is read at once on another, from that node's own copy.
        c.pcs(others[0], "constraint", "location", "d", "prefers", f"n{others[1]}=50")
        shown = c.pcs(others[1], "constraint").stdout
        check(f"resource 'd' prefers node 'n{others[1]}' with score 50" in shown,
              "a constraint added on one node shows in `pcs constraint` on another", shown)
        check("stonith-enabled=false" in c.pcs(others[1], "property").stdout,
              "`pcs property` shows the property set on another node")

        pid = int(c.harness("pid", str(dc), "crmd").stdout.strip())
        frozen_at = time.monotonic()
        os.kill(pid, signal.SIGSTOP)
        try:
            slowest, seen_offline = 0.0, None
            while time.monotonic() - frozen_at < 6:
                for i in others:
                    took, result = timed_status(c, i)
                    slowest = max(slowest, took)
                    check(result.returncode == 0 and took <= ANSWER_S,
                          f"pcs status on n{i} with the DC frozen: exit 0 within {ANSWER_S} s",
                          f"{took:.2f} s, exit {result.returncode}: {result.stderr}")
                    s = parse_status(result.stdout)
                    if seen_offline is None and f"n{dc}" in s.offline and s.dc not in (None, f"n{dc}"):
                        seen_offline = time.monotonic() - frozen_at
                if seen_offline is not None and time.monotonic() - frozen_at > 3:
                    break
            ok(f"slowest pcs status while the DC was frozen: {slowest * 1000:.0f} ms")
            check(seen_offline is not None and seen_offline <= ANSWER_S + 0.5,
                  f"the frozen n{dc} shown OFFLINE with a new DC within {ANSWER_S} s "
                  "(+0.5 s for the polling of two nodes)",
                  f"{seen_offline}")
            ok(f"frozen DC shown OFFLINE after {seen_offline * 1000:.0f} ms")
        finally:
            os.kill(pid, signal.SIGCONT)
        c.wait_for(lambda: len(parse_status(c.pcs(others[0], "status").stdout).online) == 3, 30,
                   "the thawed node to rejoin")
        ok(f"n{dc} thawed and back: 3 nodes online")

        for i in others:
            c.kill_crmd(i)
        c.wait_for(lambda: "Quorate:          No" in c.pcs(dc, "quorum", "status", check=False).stdout,
                   10, f"n{dc} to lose quorum")
        took, result = timed_status(c, dc)
        s = parse_status(result.stdout)
        check(result.returncode == 0 and took <= ANSWER_S and not s.quorate and
              "Current DC: NONE - partition WITHOUT quorum" in result.stdout and "d\t(ocf:heartbeat:Dummy)" in
              result.stdout, f"the last node answers pcs status without quorum within {ANSWER_S} s",
              f"{took:.2f} s exit {result.returncode}\n{result.stdout}{result.stderr}")


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, body))
