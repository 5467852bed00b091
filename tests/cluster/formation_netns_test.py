#!/usr/bin/env python3
"""cluster.formation_netns: real crmd processes in network namespaces form clusters with pcs
and react to failures the way an operator of corosync would expect.

  3 nodes: pcs cluster start --all forms one view; status corosync / quorum status on every
           node; kill -9 of a crmd -> the others install a view without it within token +
           consensus (+10%); the node restarts and rejoins (join_count 2); frames forged
           without the key from a fourth namespace change nothing and are counted as bad_tag;
           a frozen node (SIGSTOP) makes pcs fail within its timeout and leaves the view until
           thawed; stop refused when it costs quorum; destroy.
  5 nodes: formation; kill -9 of the representative (lowest id) is detected in time; a 2|3
           partition leaves only the 3 side quorate; healing reunites all five.

usage: formation_netns_test.py CRMD PCS      (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import Checks, NetnsCluster, node_address  # noqa: E402

TOKEN_MS = 1000
CONSENSUS_MS = 1200
DETECTION_BOUND = (TOKEN_MS + CONSENSUS_MS) * 1.1 / 1000.0
CHECKS = Checks()
ok = CHECKS.ok
check = CHECKS.check


def members_of(cluster: NetnsCluster, i: int):
    status = cluster.pcs_json(i, "status", "corosync")
    return sorted(m["name"] for m in status["members"]), status


def form_and_check(cluster: NetnsCluster, name: str):
    """Starts every crmd, forms the cluster with pcs from n1 and checks what every node shows."""
    cluster.start_all_crmd()
    started = time.time()
    out = cluster.form(name).stdout
    ok(f"{cluster.nodes} nodes: host auth + setup + start --all in {time.time() - started:.2f} s")
    expect_formed(cluster, out)


def expect_formed(cluster: NetnsCluster, start_output: str):
    names = [f"n{i}" for i in range(1, cluster.nodes + 1)]
    for name in names:
        check(f"{name}: Started" in start_output, f"pcs cluster start --all reports {name} started")
    for i in range(1, cluster.nodes + 1):
        members, status = members_of(cluster, i)
        check(members == names, f"n{i}: status corosync lists all {cluster.nodes} nodes",
              str(members))
        local = [m["name"] for m in status["members"] if m["local"]]
        check(local == [f"n{i}"], f"n{i}: status corosync marks n{i} (local)", str(local))
    text = cluster.pcs(1, "status", "corosync").stdout
    check("Nodeid      Votes Name" in text and "n1 (local)" in text,
          "status corosync prints corosync's member table", text)
    quorum = cluster.pcs(1, "quorum", "status").stdout
    check("Quorate:          Yes" in quorum and f"Expected votes:   {cluster.nodes}" in quorum,
          "quorum status: quorate with every expected vote", quorum)


def kill_and_rejoin(cluster: NetnsCluster, victim: int):
    survivors = [i for i in range(1, cluster.nodes + 1) if i != victim]
    killed_at = cluster.kill_crmd(victim)
    took = cluster.detection_time(victim, killed_at, survivors)
    check(took <= DETECTION_BOUND,
          f"kill -9 n{victim}: survivors drop it in {took * 1000:.0f} ms "
          f"(bound {DETECTION_BOUND * 1000:.0f} ms)")
    for i in survivors:
        members, _ = members_of(cluster, i)
        check(f"n{victim}" not in members, f"n{i}: status corosync no longer lists n{victim}")
    cluster.start_crmd(victim)
    out = cluster.pcs(survivors[0], "cluster", "start", f"n{victim}").stdout
    check(f"n{victim}: Started" in out, f"n{victim} restarted and rejoined", out)
    for i in range(1, cluster.nodes + 1):
        cluster.wait_for(lambda i=i: len(members_of(cluster, i)[0]) == cluster.nodes, 5,
                         f"n{i} to see all nodes again")
    ok(f"every node lists n{victim} again")


def test_three_nodes(crmd: str, pcs: str):
    with NetnsCluster(3, crmd, pcs, extra_namespaces=1, prefix=f"pulse-f3{os.getpid()}") as c:
        form_and_check(c, "web")
        kill_and_rejoin(c, 3)
        cmap = c.pcs_json(1, "cluster", "cmap", "runtime.members.3")
        check(cmap.get("runtime.members.3.join_count") == 2 and
              cmap.get("runtime.members.3.status") == "joined" and
              cmap.get("runtime.members.3.ip") == f"r(0) ip({node_address(3)}) ",
              "cluster cmap: n3 joined twice, status joined, its ip", str(cmap))

        # Forged frames from a namespace that is not a member and has no key.
        ring_before = [c.pcs_json(i, "quorum", "status")["ring_id"] for i in (1, 2, 3)]
        bad_before = [c.pcs_json(i, "cluster", "cmap", "stats.pulse.rx.dropped.bad_tag")
                      ["stats.pulse.rx.dropped.bad_tag"] for i in (1, 2, 3)]
        forge = os.path.join(os.path.dirname(os.path.abspath(__file__)), "forge_packet.py")
        c.harness("exec", "4", sys.executable, forge, "web", "1",
                  *[node_address(i) for i in (1, 2, 3)], "--count", "10")
        time.sleep(1.5)
        ring_after = [c.pcs_json(i, "quorum", "status")["ring_id"] for i in (1, 2, 3)]
        bad_after = [c.pcs_json(i, "cluster", "cmap", "stats.pulse.rx.dropped.bad_tag")
                     ["stats.pulse.rx.dropped.bad_tag"] for i in (1, 2, 3)]
        check(ring_after == ring_before, "forged heartbeats and commits change no view",
              f"{ring_before} -> {ring_after}")
        check(all(a - b == 20 for a, b in zip(bad_after, bad_before)),
              "each node counted the 20 forged frames as bad_tag",
              f"{bad_before} -> {bad_after}")
        for i in (1, 2, 3):
            check(len(members_of(c, i)[0]) == 3, f"n{i} still has all three members")

        # A frozen node (SIGSTOP): pcs gives up within its timeout, the others drop the node,
        # and it comes back when thawed.
        c.harness("freeze", "2", "crmd")
        asked = time.time()
        frozen = c.pcs(1, "status", "corosync", "n2", "--request-timeout=2", check=False)
        took = time.time() - asked
        check(frozen.returncode == 1 and "Unable to connect to n2" in frozen.stderr and took < 8,
              f"pcs on a frozen node fails in {took:.1f} s instead of hanging", frozen.stderr)
        c.wait_for(lambda: "n2" not in members_of(c, 1)[0], 10, "n1 to drop the frozen n2")
        ok("the others drop the frozen node")
        c.harness("thaw", "2", "crmd")
        c.wait_for(lambda: len(members_of(c, 1)[0]) == 3 and len(members_of(c, 2)[0]) == 3, 10,
                   "n2 to come back after the thaw")
        ok("the thawed node is back in the view")

        refused = c.pcs(1, "cluster", "stop", "n2", "n3", check=False)
        check(refused.returncode == 1 and "loss of the quorum" in refused.stderr,
              "stopping 2 of 3 nodes is refused without --force", refused.stderr)
        unknown = c.pcs(1, "cluster", "start", "n9", check=False)
        check(unknown.returncode == 1 and "Host 'n9' is not known to pcs" in unknown.stderr,
              "an unknown node is a clear error", unknown.stderr)
        out = c.pcs(1, "cluster", "destroy", "--all", "--force").stdout
        check(all(f"n{i}: Successfully destroyed cluster" in out for i in (1, 2, 3)),
              "cluster destroy --all", out)
        gone = c.pcs(2, "status", "corosync", check=False)
        check(gone.returncode == 1 and "not in a cluster" in gone.stderr,
              "after destroy, status corosync says the node is in no cluster", gone.stderr)


def test_five_nodes(crmd: str, pcs: str):
    with NetnsCluster(5, crmd, pcs, prefix=f"pulse-f5{os.getpid()}") as c:
        form_and_check(c, "five")
        kill_and_rejoin(c, 1)

        c.harness("partition", "1 2", "3 4 5")
        minority, majority = (1, 2), (3, 4, 5)

        def split_settled():
            for group in (minority, majority):
                names = sorted(f"n{i}" for i in group)
                for i in group:
                    if members_of(c, i)[0] != names:
                        return False
            return True

        c.wait_for(split_settled, 10, "the 2|3 partition to settle")
        for i in minority:
            q = c.pcs_json(i, "quorum", "status")
            check(not q["quorate"], f"partition 2|3: n{i} (minority) is not quorate", str(q))
        for i in majority:
            q = c.pcs_json(i, "quorum", "status")
            check(q["quorate"], f"partition 2|3: n{i} (majority) is quorate", str(q))
        text = c.pcs(1, "quorum", "status").stdout
        check("Quorate:          No" in text and "Activity blocked" in text,
              "the minority's quorum status says activity is blocked", text)
        c.harness("unpartition")
        for i in range(1, 6):
            c.wait_for(lambda i=i: len(members_of(c, i)[0]) == 5, 10, f"n{i} to see all five")
        check(all(c.pcs_json(i, "quorum", "status")["quorate"] for i in range(1, 6)),
              "after the heal all five nodes are in one quorate view")


def run(crmd: str, pcs: str):
    test_three_nodes(crmd, pcs)
    test_five_nodes(crmd, pcs)


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
