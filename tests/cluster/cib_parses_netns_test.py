#!/usr/bin/env python3
"""cluster.cib_parses_netns: each node parses each copy of the CIB once, and never while idle
(real crmd and pcs processes in network namespaces, 3 nodes, stonith off).

What is counted, per node:
  parses  `pcs cluster cmap NODE stats.pulse.cib.parses`: every full parse of a CIB in that
          crmd (crmd/cib/parsed_cib.h; the controller, the policy engine, fencing, dispatch and
          the admin API's reads all share the parsed copy);
  copies  the lines "cib: stored version V" in that node's crmd log: the CIB service logs one
          for every copy it persists, and a copy is persisted on every member before it is
          confirmed (the DC's own write and every Replace from the DC alike).

Steps: the cluster forms and settles; then configuration writes (a Dummy resource created,
disabled, enabled, a cluster property set), each followed by the DC's status writes (probes,
start, stop, monitor results), with `pcs status` and `pcs cluster cib` reads on every node in
between. Asserted on every node: parses grew by exactly the copies stored, which is the same on
every node and at least the configuration writes; after 5 s of idle heartbeats neither moved.

usage: cib_parses_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import Checks  # noqa: E402
from resource_cluster import ResourceCluster  # noqa: E402

CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
NODES = (1, 2, 3)
KEY = "stats.pulse.cib.parses"
STORED = "cib: stored version "
IDLE_S = 5


def parses(c, i):
    value = c.pcs_json(i, "cluster", "cmap", KEY).get(KEY)
    if value is None:
        raise AssertionError(f"n{i}: pcs cluster cmap has no {KEY}")
    return int(value)


def copies(c, i):
    return sum(1 for _, text in c.log_lines(i) if text.startswith(STORED))


def counts(c):
    return {i: (parses(c, i), copies(c, i)) for i in NODES}


def settle(c, quiet_s=3.0, timeout=60):
    """Waits until no node has stored a new copy for quiet_s seconds."""
    deadline = time.time() + timeout
    last, since = None, time.time()
    while time.time() < deadline:
        now = [copies(c, i) for i in NODES]
        if now != last:
            last, since = now, time.time()
        elif time.time() - since >= quiet_s:
            return
        time.sleep(0.2)
    raise AssertionError(f"the cluster kept storing copies for {timeout} s: {last}")


def read_everywhere(c):
    for i in NODES:
        c.status(i)
        c.pcs(i, "cluster", "cib")


def run(crmd, pcs):
    with ResourceCluster(crmd, pcs, prefix=f"pulse-parse{os.getpid()}") as c:
        c.bring_up("parses")
        c.pcs(1, "property", "set", "stonith-enabled=false")
        ok("3 nodes formed, stonith off")
        settle(c)
        before = counts(c)

        config_writes = 0
        for args in (["resource", "create", "d1", "ocf:heartbeat:Dummy"],
                     ["property", "set", "cluster-recheck-interval=10min"],
                     ["resource", "disable", "d1"],
                     ["resource", "enable", "d1"]):
            c.pcs(2, *args)
            config_writes += 1
            read_everywhere(c)
        c.wait_started("d1", 30)
        settle(c)
        read_everywhere(c)
        after = counts(c)

        grown = {i: (after[i][0] - before[i][0], after[i][1] - before[i][1]) for i in NODES}
        print(f"  per node (parses, copies stored) since the mark: {grown}")
        stored = {g[1] for g in grown.values()}
        check(len(stored) == 1 and min(stored) >= config_writes,
              f"every node stored the same copies, at least the {config_writes} configuration "
              "writes", str(grown))
        for i in NODES:
            check(grown[i][0] == grown[i][1],
                  f"n{i}: one parse per copy stored ({grown[i][0]} parses, {grown[i][1]} copies)"
                  ", none for reads, the engine, probes or dispatch", str(grown[i]))

        time.sleep(IDLE_S)
        idle = counts(c)
        check(idle == after, f"{IDLE_S} s of idle heartbeats parse nothing and store nothing",
              f"{after} -> {idle}")


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
