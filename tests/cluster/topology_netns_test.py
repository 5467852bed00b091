#!/usr/bin/env python3
"""cluster.topology_netns: a fencing topology where level 1 fails and level 2 fences, with real
crmd processes in network namespaces, configured with the pcs commands a user types.

3 nodes, two fence devices for every node: `fence-pdu` (fence_pulse_netns pointed at a harness
that does not exist: its agent fails, as a PDU that does not answer) and `fence` (the harness's
fence device: it powers the node off). `pcs stonith level add 1 nX fence-pdu` and `pcs stonith
level add 2 nX fence` for each node. No watchdog (crmd runs without --watchdog-timeout), so
only the topology can power a node off.
  levels      `pcs stonith level` lists both levels of each node; `pcs stonith level verify`
              accepts them
  partition   the VIP's node is cut off: the majority fences it by level 2 (it is powered
              off), the VIP recovers on the majority, and the DC's log and `pcs cluster events`
              name level 1's failure
  on request  `pcs stonith fence` of another node goes through the same levels

usage: topology_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import Checks  # noqa: E402
from resource_cluster import ResourceCluster  # noqa: E402

CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
VIP = "198.51.100.30"
RECOVER_S = 60  # detection + level 1's failure + level 2 + the VIP's start
WATCHDOG_OPTIONS = ("--watchdog-timeout", "--self-fence-command")
MISSING_HARNESS = "/nonexistent/netns_cluster.sh"


def fenced_line(c, survivors, victim):
    """The DC's "fencing: nX fenced: ..." log line, from whichever survivor logged it."""
    for i in survivors:
        for _, text in c.log_lines(i):
            if f"fencing: n{victim} fenced: " in text:
                return text
    return None


def run(crmd, pcs):
    with ResourceCluster(crmd, pcs, prefix=f"pulse-topo{os.getpid()}") as c:
        c.extra_crmd_args = [a for a in c.extra_crmd_args if not a.startswith(WATCHDOG_OPTIONS)]
        c.bring_up("topo")
        check(c.use_fence_device(), "fence device: fence (stonith:fence_pulse_netns)")
        hosts = " ".join(f"n{i}" for i in range(1, c.nodes + 1))
        c.pcs(1, "stonith", "create", "fence-pdu", "fence_pulse_netns", f"prefix={c.prefix}",
              f"harness={MISSING_HARNESS}", f"pcmk_host_list={hosts}")
        for i in range(1, c.nodes + 1):
            c.pcs(1, "stonith", "level", "add", "1", f"n{i}", "fence-pdu")
            c.pcs(1, "stonith", "level", "add", "2", f"n{i}", "fence")
        listing = c.pcs(2, "stonith", "level").stdout
        expected = "".join(f"Target: n{i}\n  Level 1 - fence-pdu\n  Level 2 - fence\n"
                           for i in range(1, c.nodes + 1))
        check(listing == expected, "levels: pcs stonith level lists two levels per node",
              repr(listing))
        check(c.pcs(3, "stonith", "level", "verify", check=False).returncode == 0,
              "levels: pcs stonith level verify accepts them")

        c.pcs(1, "resource", "create", "vip", "ocf:heartbeat:IPaddr2", f"ip={VIP}",
              "cidr_netmask=24", "op", "monitor", "interval=5s")
        holder = c.wait_started("vip", RECOVER_S)
        victim = int(holder[1:])
        survivors = [i for i in range(1, c.nodes + 1) if i != victim]
        ok(f"the VIP runs on {holder}")

        c.harness("partition", " ".join(str(i) for i in [*survivors, c.client]), str(victim))
        try:
            c.wait_for(lambda: c.powered_off(victim), RECOVER_S, f"{holder} to be fenced")
            ok(f"partition: {holder} was fenced (powered off)")
            node = c.wait_started("vip", RECOVER_S, not_on=[holder], i=survivors[0])
            ok(f"partition: the VIP recovered on {node}")
        finally:
            c.harness("unpartition")
        line = fenced_line(c, survivors, victim)
        print(f"# the DC's log: {line}", flush=True)
        check(line is not None and "level 2 (fence) fenced it" in line,
              "partition: the DC's log says level 2 fenced it", str(line))
        check(line is not None and "after level 1 (fence-pdu): fence-pdu: " in line and
              "harness not found" in line,
              "partition: the same line names level 1's failure and why", str(line))
        events = c.pcs(survivors[0], "cluster", "events").stdout
        fenced_events = [e for e in events.splitlines() if f"n{victim} fenced: level 2" in e]
        check(fenced_events and "level 1 (fence-pdu)" in fenced_events[-1],
              "partition: pcs cluster events records the fencing by level 2 after level 1 "
              "failed", events[-2000:])

        target = survivors[1]
        out = c.pcs(survivors[0], "stonith", "fence", f"n{target}", check=False)
        check(out.returncode == 0 and out.stdout.strip() == f"Node: n{target} fenced",
              f"on request: pcs stonith fence n{target} succeeded", out.stdout + out.stderr)
        check(c.powered_off(target), f"on request: n{target} is powered off")
        line = fenced_line(c, [survivors[0]], target)
        check(line is not None and "level 2 (fence) fenced it" in line and
              "after level 1 (fence-pdu)" in line,
              "on request: level 1 failed and level 2 fenced it", str(line))


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
