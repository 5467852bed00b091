#!/usr/bin/env python3
"""cluster.clones_netns: a clone run by real crmd processes in network namespaces, judged as an
operator would (`pcs status`, the agents' state files on each node).

3 nodes with the fence device. An anonymous clone of ocf:heartbeat:Dummy (what the HAProxy
guides build: one instance on every node) and a VIP ordered after the clone and colocated with
it:
  every node   an instance runs on each node (its state file there), `pcs status` lists
               "Clone Set: d-clone [d]" Started on all three
  node loss    kill -9 of one node's crmd: it is fenced, its instance counts as stopped, the
               instances on the other nodes are not restarted, the VIP (if it was there) moves
  rejoin       the node boots and rejoins: its instance starts again there

usage: clones_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import Checks  # noqa: E402
from resource_cluster import ResourceCluster  # noqa: E402

CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
VIP = "198.51.100.30"
START_S = 45
CLONE_XML = """<clone id="d-clone">
  <primitive id="d" class="ocf" provider="heartbeat" type="Dummy">
    <operations><op id="d-monitor-5s" name="monitor" interval="5s"/></operations>
  </primitive>
</clone>"""


def instances(c):
    """The nodes (indices) where the clone's Dummy keeps its state file."""
    return sorted(c.agent_state_files("Dummy-d.state"))


def clone_line(text):
    """The Started list under "Clone Set: d-clone [d]" in `pcs status`, as node names."""
    m = re.search(r"Clone Set: d-clone \[d\]:?\s*\n\s*\* Started: \[ ?(.*?) ?\]", text)
    return sorted(m.group(1).split()) if m else None


def create_clone(c):
    """pcs resource create ... clone where this pcs has it; else the clone pushed in the CIB."""
    if c.pcs(1, "resource", "create", "d", "ocf:heartbeat:Dummy", "op", "monitor", "interval=5s",
             "clone", check=False).returncode == 0:
        return
    cib = c.pcs(1, "cluster", "cib").stdout
    cib = cib.replace("<resources>", "<resources>" + CLONE_XML, 1)
    if "<resources/>" in cib:
        cib = cib.replace("<resources/>", "<resources>" + CLONE_XML + "</resources>", 1)
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
        f.write(cib)
    try:
        c.pcs(1, "cluster", "cib-push", f.name)
    finally:
        os.unlink(f.name)


def run(crmd, pcs):
    with ResourceCluster(crmd, pcs, prefix=f"pulse-cln{os.getpid()}") as c:
        c.bring_up("cln")
        check(c.use_fence_device(), "fence device: fence (stonith:fence_pulse_netns)")
        create_clone(c)
        c.wait_for(lambda: instances(c) == [1, 2, 3], START_S, "an instance on every node")
        ok("every node: an instance of d runs on n1, n2 and n3")
        c.wait_for(lambda: clone_line(c.status()[1]) == ["n1", "n2", "n3"], 10,
                   "pcs status to list the clone Started on every node")
        ok("every node: pcs status lists d-clone Started: [ n1 n2 n3 ]")
        c.pcs(1, "resource", "create", "vip", "ocf:heartbeat:IPaddr2", f"ip={VIP}",
              "cidr_netmask=32", "op", "monitor", "interval=5s")
        c.pcs(1, "constraint", "order", "d-clone", "then", "vip")
        c.pcs(1, "constraint", "colocation", "add", "vip", "with", "d-clone")
        vip_node = c.wait_started("vip", START_S)
        ok(f"the VIP ordered after and colocated with the clone runs on {vip_node}")

        victim = 3
        survivors = [1, 2]
        before = {i: os.stat(os.path.join(c.rsctmp(i), "Dummy-d.state")).st_mtime_ns
                  for i in survivors}
        c.kill_crmd(victim)
        c.wait_for(lambda: clone_line(c.status(1)[1]) == ["n1", "n2"], START_S,
                   "the clone Started on the two survivors only")
        check(c.powered_off(victim), "node loss: n3 was fenced (powered off)")
        after = {i: os.stat(os.path.join(c.rsctmp(i), "Dummy-d.state")).st_mtime_ns
                 for i in survivors}
        check(before == after, "node loss: the survivors' instances were not restarted",
              f"state files before {before}, after {after}")
        node = c.wait_started("vip", START_S, not_on=["n3"], i=1)
        ok(f"node loss: the VIP runs on {node}")

        c.boot(victim, 1)
        c.start_service(victim)
        c.wait_members(3, 30, via=1)
        c.wait_for(lambda: instances(c) == [1, 2, 3], START_S, "the instance back on n3")
        c.wait_for(lambda: clone_line(c.status(1)[1]) == ["n1", "n2", "n3"], 10,
                   "pcs status to list the clone on every node again")
        ok("rejoin: n3 runs its instance again; pcs status lists all three")


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
