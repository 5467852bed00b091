#!/usr/bin/env python3
"""cluster.orphan_netns: a resource removed from the configuration while it runs is stopped
(Pacemaker's orphan: its history says it runs, the configuration no longer has it), with real
crmd processes in network namespaces.

3 nodes, stonith off. Two ocf:heartbeat:Dummy resources, `keep` and `gone`, each with a monitor.
  pushed      `pcs cluster cib` to a file, `gone` taken out of its configuration, the file
              pushed back with `pcs cluster cib-push FILE --config --wait=60` (only the
              configuration is replaced; pcs resource delete is not used, so nothing stops
              `gone` first)
  stopped     the DC stops the orphan on its node before --wait returns: Dummy's state file
              there is removed, the
              crmd log shows gone's stop, pcs status no longer lists it, and `keep` runs on
              where it was, never stopped
  status      the status section kept by the push still has keep's history (it was not
              replaced), so keep was not probed or started again

usage: orphan_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import Checks  # noqa: E402
from resource_cluster import ResourceCluster  # noqa: E402

CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
START_S = 45


def without_primitive(cib_text, rsc):
    """The CIB text without <primitive id=rsc ...>...</primitive> (or its empty form)."""
    pattern = re.compile(rf'\s*<primitive id="{rsc}"[^>]*?(/>|>.*?</primitive>)', re.S)
    out, count = pattern.subn("", cib_text, count=1)
    if count != 1:
        raise AssertionError(f"no primitive {rsc} in the CIB")
    return out


def starts(c, rsc):
    """How many times a crmd log line names rsc's start (the DC's "executing ...")."""
    return sum(1 for node in range(1, c.nodes + 1) for _, t in c.log_lines(node)
               if f"executing {rsc}_start_0" in t)


def run(crmd, pcs):
    with ResourceCluster(crmd, pcs, prefix=f"pulse-orph{os.getpid()}") as c, \
            tempfile.TemporaryDirectory(prefix="pulse-orph-") as work:
        c.bring_up("orph")
        c.pcs(1, "property", "set", "stonith-enabled=false")
        for rsc in ("keep", "gone"):
            c.pcs(1, "resource", "create", rsc, "ocf:heartbeat:Dummy", "op", "monitor",
                  "interval=2s")
        keep_on = c.wait_started("keep", START_S)
        gone_on = c.wait_started("gone", START_S)
        i = int(gone_on[1:])
        check(i in c.agent_state_files("gone"), f"gone runs on {gone_on} (its state file is there)",
              str(c.agent_state_files("gone")))
        keep_starts = starts(c, "keep")

        path = os.path.join(work, "cib.xml")
        c.pcs(2, "cluster", "cib", path)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(without_primitive(text, "gone"))
        out = c.pcs(2, "cluster", "cib-push", path, "--config", "--wait=60", check=False)
        check(out.returncode == 0 and out.stderr.strip() == "CIB updated",
              "pushed: pcs cluster cib-push FILE --config --wait=60 says 'CIB updated'",
              out.stdout + out.stderr)

        # --wait returns once the cluster has acted on the push: the orphan is already stopped.
        check(i not in c.agent_state_files("gone"),
              f"stopped: when cib-push --wait returns, the orphan's agent was stopped on "
              f"{gone_on} (its state file is gone)", str(c.agent_state_files("gone")))
        stop_logged = any("gone_stop_0" in t for node in range(1, c.nodes + 1)
                          for _, t in c.log_lines(node))
        check(stop_logged, "stopped: a crmd log shows gone_stop_0")
        status, text = c.status(1)
        check("gone" not in status.resources, "stopped: pcs status no longer lists gone", text)
        check(c.wait_started("keep", 5) == keep_on, f"stopped: keep still runs on {keep_on}")
        keep_starts_after = starts(c, "keep")
        check(keep_starts_after == keep_starts,
              "status: keep was not started again (the push kept the status section)",
              f"{keep_starts} -> {keep_starts_after}")


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
