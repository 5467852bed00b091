#!/usr/bin/env python3
"""cluster.cib_replication_netns: the CIB is replicated through the DC between real crmd
processes in network namespaces.

  - pcs resource create / constraint on one node: the write returns once every member's
    cib.xml holds it (same version everywhere);
  - a node killed during writes gets them when it rejoins (the newest version wins);
  - in a 2|1 partition the minority refuses writes with a clear error, the majority accepts;
    after the heal the minority has the majority's CIB;
  - pcs cluster cib / cib-push: diff-against applies only the changes; an invalid CIB is
    refused naming the element; an older CIB does not replace a newer one;
  - a corrupt cib.xml is kept aside at start and the node takes the cluster's copy.

usage: cib_replication_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import Checks, NetnsCluster  # noqa: E402

CHECKS = Checks()
ok = CHECKS.ok
check = CHECKS.check


def cib_file(c, i):
    try:
        with open(os.path.join(c.state_dir(i), "cib.xml"), encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def epoch(text):
    m = re.search(r'<cib[^>]* epoch="(\d+)"', text)
    return int(m.group(1)) if m else -1


def run(crmd, pcs):
    with NetnsCluster(3, crmd, pcs, prefix=f"pulse-cib{os.getpid()}") as c:
        c.start_all_crmd()
        c.form("web")
        ok("3 nodes formed")
        c.wait_for(lambda: c.pcs(1, "cluster", "cib", check=False).returncode == 0, 10,
                   "the DC to finish its sync")

        out = c.pcs(1, "resource", "create", "vip", "ocf:heartbeat:Dummy", check=False)
        check(out.returncode == 0, "pcs resource create on n1", out.stderr)
        files = [cib_file(c, i) for i in (1, 2, 3)]
        check(all('id="vip"' in f for f in files) and len({epoch(f) for f in files}) == 1,
              "when pcs returns, every node's cib.xml holds vip at the same epoch",
              str([epoch(f) for f in files]))

        out = c.pcs(3, "constraint", "location", "vip", "prefers", "n2", check=False)
        check(out.returncode == 0, "a write from n3 (not the DC) goes through the DC", out.stderr)
        check(all("location-vip-n2-INFINITY" in cib_file(c, i) for i in (1, 2, 3)),
              "the constraint is on every node")

        c.kill_crmd(3)
        c.wait_for(lambda: "n3" not in c.pcs_json(1, "status", "corosync")["members"].__str__(),
                   10, "n3 to leave the view")
        out = c.pcs(2, "property", "set", "stonith-enabled=false", check=False)
        check(out.returncode == 0, "a write while n3 is down", out.stderr)
        check("stonith-enabled" not in cib_file(c, 3), "n3's copy does not have it yet")
        c.start_crmd(3)
        c.pcs(1, "cluster", "start", "n3")
        c.wait_for(lambda: "stonith-enabled" in cib_file(c, 3), 10, "n3 to catch up")
        ok("the rejoined n3 has the write it missed")

        c.harness("partition", "1 2", "3")
        c.wait_for(lambda: not c.pcs_json(3, "quorum", "status")["quorate"], 10,
                   "n3 to lose quorum")
        refused = c.pcs(3, "resource", "create", "lost", "ocf:heartbeat:Dummy", check=False)
        check(refused.returncode == 1 and "no quorum" in refused.stderr,
              "the minority refuses a write with a clear error", refused.stderr)
        c.wait_for(lambda: "n3" not in str(c.pcs_json(1, "status", "corosync")["members"]),
                   10, "the majority to install its view")
        c.wait_for(lambda: c.pcs(1, "cluster", "cib", check=False).returncode == 0, 10,
                   "the majority's DC to be ready")
        out = c.pcs(1, "resource", "create", "db", "ocf:heartbeat:Dummy", check=False)
        check(out.returncode == 0, "the majority accepts a write", out.stderr)
        check('id="db"' not in cib_file(c, 3) and 'id="lost"' not in cib_file(c, 1),
              "neither side has the other's write during the partition")
        c.harness("unpartition")
        c.wait_for(lambda: 'id="db"' in cib_file(c, 3), 15, "n3 to get the majority's CIB")
        check('id="lost"' not in cib_file(c, 3), "after the heal n3 has the majority's CIB")

        work = os.path.join(c.state, "work")
        os.makedirs(work)
        original, edited = os.path.join(work, "original.xml"), os.path.join(work, "edited.xml")
        c.pcs(1, "cluster", "cib", original)
        text = open(original, encoding="utf-8").read()
        with open(edited, "w", encoding="utf-8") as f:
            f.write(text.replace("</resources>", '<primitive id="web" class="ocf" '
                                 'provider="heartbeat" type="Dummy"/></resources>', 1)
                    if "</resources>" in text else text)
        c.pcs(2, "resource", "create", "later", "ocf:heartbeat:Dummy")  # concurrent change
        out = c.pcs(1, "cluster", "cib-push", edited, f"diff-against={original}", check=False)
        check(out.returncode == 0 and all('id="web"' in cib_file(c, i) and 'id="later"' in
                                          cib_file(c, i) for i in (1, 2, 3)),
              "cib-push diff-against applies only its change, keeping a concurrent one",
              out.stderr)
        stale = c.pcs(1, "cluster", "cib-push", original, check=False)
        check(stale.returncode == 1 and "older" in stale.stderr.lower(),
              "an older CIB does not replace a newer one", stale.stderr)
        bad = os.path.join(work, "bad.xml")
        with open(bad, "w", encoding="utf-8") as f:
            f.write(text.replace("</resources>", '<primitive id="vip" class="ocf" '
                                 'provider="heartbeat" type="Dummy"/></resources>', 1))
        refused = c.pcs(1, "cluster", "cib-push", bad, check=False)
        check(refused.returncode == 1 and "vip" in refused.stderr and "invalid" in
              refused.stderr, "an invalid CIB is refused naming the element", refused.stderr)

        c.stop_crmd(2)
        path = os.path.join(c.state_dir(2), "cib.xml")
        data = open(path, "rb").read()
        with open(path, "wb") as f:
            f.write(data[: len(data) // 2])
        c.start_crmd(2)
        c.pcs(1, "cluster", "start", "n2")
        c.wait_for(lambda: 'id="web"' in cib_file(c, 2), 15, "n2 to take the cluster's copy")
        kept = [n for n in os.listdir(c.state_dir(2)) if n.startswith("cib.xml.corrupt")]
        log = "".join(t for _, t in c.log_lines(2))
        check(len(kept) == 1 and "cannot be trusted" in log,
              "a truncated cib.xml is kept aside and the node takes the cluster's copy", str(kept))


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
