#!/usr/bin/env python3
"""cluster.events_netns: an inventory-driven cluster and its event log, with real crmd
processes in network namespaces.

  * pcs cluster setup --inventory (INI, roles db/web, a var) --start on 3 nodes: the roles
    and the var are node attributes in the CIB (role-db=1, roles=..., dc=west);
  * a configuration change, then power-off of n3: pcs status on n1 shows n3 out of date (lost
    since, its CIB version, the cluster's); a change made meanwhile; n3 boots and is
    resynchronised (its cib.xml has the change, the out-of-date line is gone);
  * a 2|1 partition: a configuration change on the minority node is refused with the quorum
    message (votes, quorum needed, the nodes outside the partition);
  * pcs cluster events from n2: every node's events, time-ordered, tagged by node: the config
    change with who made it, n3's loss, quorum lost on n3, the resync; --node, --since and
    JSON.

usage: events_netns_test.py CRMD PCS      (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcs_status import parse_status  # noqa: E402
from pulse_netns import HARNESS, Checks, NetnsCluster, node_address  # noqa: E402

CHECKS = Checks()
ok = CHECKS.ok
check = CHECKS.check


def cib_file(c: NetnsCluster, i: int) -> str:
    with open(os.path.join(c.state_dir(i), "cib.xml"), encoding="utf-8") as f:
        return f.read()


def out_of_date(c: NetnsCluster, i: int) -> str:
    status = c.pcs(i, "status").stdout
    return status.partition("Out of date")[2]


def body(crmd: str, pcs: str):
    with NetnsCluster(3, crmd=crmd, pcs=pcs) as c:
        c.start_all_crmd()
        c.auth_all()
        inventory = os.path.join(c.state, "cluster.ini")
        with open(inventory, "w") as f:
            f.write("[all:vars]\ndc=west\n"
                    f"[db]\nn1 addr={node_address(1)}\nn2 addr={node_address(2)}\n"
                    f"[web]\nn3 addr={node_address(3)}\n")
        out = c.pcs(1, "cluster", "setup", "events", "--inventory", inventory, "--start")
        check("Version" in out.stdout and out.stdout.count("0.") >= 3,
              "setup --inventory prints the per-node check table", out.stdout)
        check("pcs node attribute n1 dc=west role-db=1 roles=db" in out.stdout,
              "setup --start writes the roles as node attributes", out.stdout)
        cib = c.pcs(1, "cluster", "cib").stdout
        check('name="role-db" value="1"' in cib and 'name="role-web" value="1"' in cib and
              'name="roles" value="web"' in cib, "the roles are node attributes in the CIB")

        c.pcs(1, "property", "set", "stonith-enabled=false")
        ok("a configuration change on n1")
        # A rule on a role attribute places a resource on the node of that role.
        c.pcs(1, "resource", "create", "webapp", "ocf:heartbeat:Dummy")
        c.pcs(1, "constraint", "location", "webapp", "rule", "score=INFINITY", "role-web", "eq",
              "1")
        c.wait_for(lambda: parse_status(c.pcs(1, "status").stdout).where("webapp") == "n3",
                   20, "webapp to run on n3, the web node")
        ok("a location rule on role-web places webapp on n3")

        c.power_off(3)
        c.wait_for(lambda: "n3" not in str(c.pcs_json(1, "status", "corosync")["members"]), 10,
                   "n1 to drop n3")
        c.pcs(2, "property", "set", "cluster-recheck-interval=5min")
        stale = out_of_date(c, 1)
        check("n3 (lost since " in stale and "holds CIB version" in stale and
              "the cluster is at" in stale, "pcs status shows n3 out of date", stale)

        c.boot(3, via=1)
        c.wait_for(lambda: "cluster-recheck-interval" in cib_file(c, 3), 15,
                   "n3 to get the change it missed")
        c.wait_for(lambda: "n3 (lost" not in out_of_date(c, 1), 10,
                   "pcs status to stop showing n3 out of date")
        ok("the booted n3 is resynchronised and no longer shown out of date")

        c.harness("partition", "1 2", "3")
        c.wait_for(lambda: not c.pcs_json(3, "quorum", "status")["quorate"], 10,
                   "n3 to lose quorum")
        refused = c.pcs(3, "property", "set", "maintenance-mode=false", check=False)
        check(refused.returncode == 1 and
              "it has no quorum (1 of 3 expected votes, 2 needed; not in this partition: n1, n2)"
              in refused.stderr and "only in a partition with quorum" in refused.stderr,
              "a change in the minority is refused with the quorum message", refused.stderr)
        c.harness("unpartition")
        c.wait_for(lambda: c.pcs_json(3, "quorum", "status")["quorate"], 15, "n3 to rejoin")

        def all_events():
            text = c.pcs(2, "cluster", "events").stdout
            return text if "resynchronised n3" in text and "quorum" in text else None
        text = c.wait_for(all_events, 10, "the resync in the event log")
        lines = [line for line in text.splitlines() if not line.startswith("#")]
        stamps = [line[:23] for line in lines]
        check(stamps == sorted(stamps), "pcs cluster events is time-ordered", text)
        nodes = {line.split()[2] for line in lines}
        check(nodes == {"n1", "n2", "n3"}, "every line is tagged with its node", str(nodes))
        check(any("config" in line and "by hacluster (pcs host auth token) from" in line
                  for line in lines), "config changes say who made them", text)
        check(any(" n1 " in line and "membership" in line and "lost: n3" in line
                  for line in lines), "n3's loss is in n1's events", text)
        check(any(" n3 " in line and "quorum" in line and "lost:" in line for line in lines),
              "quorum lost on n3 is in n3's events", text)
        check(any("cib" in line and "resynchronised n3" in line for line in lines),
              "the resync of n3 is in the DC's events", text)
        check(any(" n3 " in line and "action" in line and "start webapp: rc=0 ok" in line
                  for line in lines), "n3's start of webapp and its result are events", text)
        follow = subprocess.Popen([HARNESS, "exec", "1", "timeout", "4", c.pcs_bin,
                                   "--state-dir", c.state_dir(1), "cluster", "events",
                                   "--follow", "--since", "1s"], env=c.env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        time.sleep(1.5)
        c.pcs(2, "property", "set", "maintenance-mode=false")
        followed = follow.communicate(timeout=20)[0]
        check(followed.count("configuration changed") == 1,
              "--follow prints a change made while it runs, once", followed)
        only = c.pcs(1, "cluster", "events", "--node", "n3").stdout.splitlines()
        check(only and all(line.split()[2] == "n3" for line in only),
              "--node n3 shows n3's events only")
        recent = c.pcs(1, "cluster", "events", "--since", "2s").stdout.splitlines()
        check(len(recent) < len(lines), "--since 2s shows fewer events than all",
              f"{len(recent)} of {len(lines)}")
        events = c.pcs_json(1, "cluster", "events")
        check(events["unreachable"] == [] and len(events["events"]) >= len(lines) and
              {e["node"] for e in events["events"]} == {"n1", "n2", "n3"},
              "--output-format=json holds every node's events")
        c.power_off(2)
        time.sleep(0.2)
        partial = c.pcs(1, "cluster", "events", "--request-timeout=2")
        check(partial.returncode == 0 and partial.stdout.startswith("# n2: no events ("),
              "a node that does not answer is named in a header line", partial.stdout[:300])


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, body))
