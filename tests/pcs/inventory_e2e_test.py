#!/usr/bin/env python3
"""pcs.inventory_end_to_end: pcs cluster check / setup --inventory against real crmd daemons on
127.0.0.1-3 refuse what an operator must fix first, with the per-node table:

  * a host pcs has no token for (not authenticated: the pcs host auth command to run);
  * a node running another Pulse release (a second crmd built with PULSE_VERSION-next, see
    tests/pcs/CMakeLists.txt): refused with every node's version in the table and the message;
    nothing is set up on any node;
  * a node whose crmd is down (unreachable);
  then a good inventory sets the cluster up and prints the node attributes of the roles.

usage: inventory_e2e_test.py CRMD PCS CRMD_NEXT_RELEASE
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crmd"))
from local_crmd import Checks, Crmd, Workspace  # noqa: E402

PASSWORD = "inventory-test-pw"


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    crmd, pcs, crmd_next = sys.argv[1:4]
    release = subprocess.run([crmd, "--version"], text=True, capture_output=True,
                             check=True).stdout.strip()
    next_release = subprocess.run([crmd_next, "--version"], text=True, capture_output=True,
                                  check=True).stdout.strip()
    c = Checks()
    try:
        with Workspace(crmd, pcs) as ws:
            c.check(release and next_release and release != next_release,
                    f"two crmd builds report different releases ({release}, {next_release})")
            n1 = ws.crmd("n1", password=PASSWORD, host="127.0.0.1")
            n2 = ws.crmd("n2", password=PASSWORD, host="127.0.0.2")
            ws.passwd("n3", PASSWORD)
            n3 = Crmd(os.path.abspath(crmd_next),
                      ws.state_dir("n3"), "n3", "127.0.0.3", os.path.join(ws.root, "n3.log"), [])
            ws.daemons.append(n3)
            auth = ws.pcs("op", "host", "auth", "n1", f"addr={n1.address}", "n2",
                          f"addr={n2.address}", "-u", "hacluster", "-p", PASSWORD)
            c.check(auth.returncode == 0, "pcs host auth n1 n2", auth.stdout + auth.stderr)

            inventory = os.path.join(ws.root, "cluster.ini")
            with open(inventory, "w") as f:
                f.write("[db]\nn1 addr=127.0.0.1\nn2 addr=127.0.0.2\n[web]\nn3 addr=127.0.0.3\n")
            out = ws.pcs("op", "cluster", "check", "--inventory", inventory)
            c.check(out.returncode == 1, "cluster check refuses a host pcs has no token for",
                    out.stdout + out.stderr)
            c.check("Node  Address    Authenticated  Reachable  Version" in out.stdout,
                    "the check prints the per-node table", out.stdout)
            c.check("Error: n3: not authenticated: run 'pcs host auth n3 addr=127.0.0.3'"
                    in out.stderr, "the refusal says which host and the command to run",
                    out.stderr)

            auth = ws.pcs("op", "host", "auth", "n3", f"addr={n3.address}", "-u", "hacluster",
                          "-p", PASSWORD)
            c.check(auth.returncode == 0, "pcs host auth n3", auth.stdout + auth.stderr)
            out = ws.pcs("op", "cluster", "setup", "web", "--inventory", inventory)
            c.check(out.returncode == 1, "setup refuses nodes on different releases",
                    out.stdout + out.stderr)
            rows = {line.split()[0]: line.split() for line in out.stdout.splitlines()
                    if line.startswith("n")}
            c.check(rows.get("n1", [])[4:5] == [release] and rows.get("n3", [])[4:5] ==
                    [next_release], "the table shows each node's version", out.stdout)
            c.check(f"the nodes run different Pulse versions ({release} on n1, n2; "
                    f"{next_release} on n3)" in out.stderr,
                    "the refusal names every version and its nodes", out.stderr)
            c.check("the cluster was not set up" in out.stderr, "setup says nothing was done")
            c.check(not any(os.path.exists(os.path.join(ws.state_dir(n), "corosync.conf"))
                            for n in ("n1", "n2", "n3")), "no node got a cluster config")

            n2.stop()
            out = ws.pcs("op", "cluster", "check", "--inventory", inventory,
                         "--request-timeout=2")
            c.check(out.returncode == 1 and "Error: n2: unreachable: " in out.stderr,
                    "a node whose crmd is down is refused as unreachable", out.stderr)

            good = os.path.join(ws.root, "good.yaml")
            with open(good, "w") as f:
                f.write("nodes:\n  - name: n1\n    addr: 127.0.0.1\n    roles: [db]\n"
                        "    vars: {rack: a}\n")
            out = ws.pcs("op", "cluster", "setup", "solo", "--inventory", good)
            c.check(out.returncode == 0, "a good inventory sets the cluster up",
                    out.stdout + out.stderr)
            c.check("pcs node attribute n1 rack=a role-db=1 roles=db" in out.stdout,
                    "without --start the role attributes are printed as commands", out.stdout)
            c.check(os.path.exists(os.path.join(ws.state_dir("n1"), "corosync.conf")),
                    "n1 holds the cluster config")
    except AssertionError as e:
        print(f"FAIL: {e}")
        return 1
    print(f"PASS: {c.count} checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
