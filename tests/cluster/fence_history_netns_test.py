#!/usr/bin/env python3
"""cluster.fence_history_netns: the fencing history (`pcs stonith history`, stonith_admin
--history) kept by the cluster, read from the other nodes and after the DC changes, with real
crmd processes in network namespaces.

3 nodes and the harness's fence device (no watchdog: only the device fences).
  empty       before any fencing `pcs stonith history` prints nothing
  fenced      a node that is not the DC is cut off: the DC fences it; the third node shows
              "reboot of nV by nDC for pacemaker-controld.PID@nDC successful at ...", for
              `show nV` too and nothing for `show nDC`; `pcs status --full` lists it under
              "Fencing History" in crm_mon's detailed form (delegate=, client=, origin=,
              completed=)
  rejoined    the fenced node, booted again, shows the same history (it came with the CIB)
  DC dies     the DC is powered off: the new DC fences it, and both events are in the history
              of the two nodes left (the first was recorded by the DC that died)
  cleanup     `pcs stonith history cleanup` says "cleaning up fencing-history" and the history
              is empty on both nodes

usage: fence_history_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import Checks  # noqa: E402
from resource_cluster import ResourceCluster  # noqa: E402

CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
FENCE_S = 60
WATCHDOG_OPTIONS = ("--watchdog-timeout", "--self-fence-command")
TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(Z| [+-]\d\d:\d\d)"


def history(c, i, *node):
    out = c.pcs(i, "stonith", "history", *(["show", *node] if node else []), check=False)
    if out.returncode != 0:
        raise AssertionError(f"pcs stonith history on n{i}: {out.stderr}")
    return out.stdout


def dc_of(c, i):
    status, _ = c.status(i)
    return status.dc


def run(crmd, pcs):
    with ResourceCluster(crmd, pcs, prefix=f"pulse-fhist{os.getpid()}") as c:
        c.extra_crmd_args = [a for a in c.extra_crmd_args if not a.startswith(WATCHDOG_OPTIONS)]
        c.bring_up("fhist")
        check(c.use_fence_device(), "fence device: fence (stonith:fence_pulse_netns)")
        check(history(c, 2) == "\n", "empty: pcs stonith history prints nothing yet",
              repr(history(c, 2)))

        dc = int(dc_of(c, 1)[1:])
        victim, third = [i for i in range(1, c.nodes + 1) if i != dc]
        c.harness("partition", " ".join(str(i) for i in [dc, third, c.client]), str(victim))
        try:
            c.wait_for(lambda: c.powered_off(victim), FENCE_S, f"n{victim} to be fenced")
        finally:
            c.harness("unpartition")
        line = re.compile(rf"reboot of n{victim} by n{dc} for pacemaker-controld\.\d+@n{dc} "
                          rf"successful at {TIME}$")
        c.wait_for(lambda: line.match(history(c, third).strip() or "-"), 15,
                   f"n{third} to show the fencing of n{victim}")
        text = history(c, third)
        check(len(text.splitlines()) == 1 and line.match(text.strip()),
              f"fenced: n{third} shows 'reboot of n{victim} by n{dc} for "
              f"pacemaker-controld.PID@n{dc} successful at ...'", text)
        check(history(c, third, f"n{victim}") == text and history(c, third, f"n{dc}") == "\n",
              f"fenced: show n{victim} lists it, show n{dc} nothing")
        full = c.pcs(third, "status", "--full").stdout
        detail = re.compile(rf"\nFencing History:\n  \* reboot of n{victim} successful: "
                            rf"delegate=n{dc}, client=pacemaker-controld\.\d+, origin=n{dc}, "
                            rf"completed='{TIME}'\n")
        check(detail.search(full) is not None,
              "fenced: pcs status --full shows it under Fencing History", full[-800:])

        c.boot(victim, via=third)
        c.wait_members(3, 30, via=third)
        c.wait_for(lambda: history(c, victim) == text, 15, f"n{victim} to show the history")
        ok(f"rejoined: n{victim} shows the same history")

        c.power_off(dc)
        survivors = [victim, third]
        c.wait_for(lambda: history(c, third).count(" successful at ") == 2, FENCE_S,
                   f"the new DC to fence n{dc}")
        new_dc = int(dc_of(c, third)[1:])
        for i in survivors:
            lines = history(c, i).splitlines()
            check(len(lines) == 2 and re.match(
                rf"reboot of n{dc} by n{new_dc} for pacemaker-controld\.\d+@n{new_dc} "
                rf"successful at ", lines[0]) is not None and lines[1] == text.strip(),
                f"DC dies: n{i} shows n{dc}'s fencing by n{new_dc} first and the first event "
                f"(recorded by the DC that died) after it", "\n".join(lines))

        out = c.pcs(third, "stonith", "history", "cleanup", check=False)
        check(out.returncode == 0 and out.stderr == "cleaning up fencing-history\n",
              "cleanup: pcs stonith history cleanup says 'cleaning up fencing-history'",
              out.stdout + out.stderr)
        c.wait_for(lambda: all(history(c, i) == "\n" for i in survivors), 15,
                   "the history to be empty on both nodes")
        ok("cleanup: the history is empty on both nodes")


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
