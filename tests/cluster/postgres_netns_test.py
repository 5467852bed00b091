#!/usr/bin/env python3
"""cluster.postgres_netns: setup 3, PostgreSQL primary and replicas behind a VIP, with real
PostgreSQL 15 run by ocf:pulse:pgsql in the namespace cluster (tests/cluster/postgres_setup.py),
judged by what a database client sees.

3 nodes with the fence device. Node 1's database made by hand (initdb, replication role,
pg_hba); `pcs resource create pg ocf:pulse:pgsql ... promotable notify=true` with a monitor per
role; a VIP colocated with the Promoted role and ordered after promote; nodes 2 and 3 built by
the agent (pg_basebackup from the primary through the VIP) and streaming synchronously.

A writer in the client namespace inserts unique (w1, seq) rows through the VIP with
synchronous_commit=on and logs each as ok / failed / unknown; a watch asks every node's
postgres pg_is_in_recovery() on a new connection every 100 ms; the VIP checker watches the VIP.
Faults, each followed by the same judgement:
  power-off   the primary's node: fenced, a standby promoted, the VIP follows; the time from
              the power-off to the first acknowledged write through the VIP is printed (held to
              FAILOVER_S); the node boots and rejoins as a replica (pg_rewind by the agent)
  kill -9     of the new primary's postmaster: the monitor finds it gone, another standby is
              promoted, the node rejoins as a replica
  switchover  `pcs resource move pg-clone NODE --promoted`: the old primary is demoted to a
              replica, NODE promoted, the move's constraint removed, the role stays on NODE
  after each  lost = ok - present = 0 and phantoms = present - (ok + unknown) = 0 on the
              primary; once the node has rejoined, every node holds the same rows
  throughout  never two nodes answering as writable primaries; never the VIP on two nodes

usage: postgres_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root or no
PostgreSQL 15 / python3-psycopg2)
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from postgres_setup import (DEBIAN_PYTHON, PG_BIN, SETTLE_S, VIP,  # noqa: E402
                            PostgresCluster)
from pulse_netns import Checks  # noqa: E402
from vip_checker import VipChecker  # noqa: E402

CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
# Power-off to the first acknowledged write: detection (token 1 s), fencing, pre-promote
# notifications, the promotion, the VIP's start, the writer's reconnect. The benchmark's target
# is p50 <= 3 s, p99 <= 6 s; one sample here is held to the p99 target plus slack for a loaded
# CI machine.
FAILOVER_S = 10.0
# kill -9 of the postmaster is found by the Promoted monitor (every 3 s), then the same.
KILL_S = 20.0


def wait_outage(c, t, timeout):
    return c.wait_for(lambda: c.writer.outage_after(t), timeout,
                      "the first acknowledged write through the VIP after the fault")


def judge(c, primary, what, nodes=None):
    lost, phantoms, counts = c.audit(primary, nodes=nodes)
    check(not lost, f"{what}: no acknowledged row lost on n{primary}", f"lost {lost[:20]}")
    check(not phantoms, f"{what}: no phantom row (present but never acknowledged or in doubt)",
          f"phantoms {phantoms[:20]}")
    ok(f"{what}: {'the survivors hold' if nodes else 'every node holds'} the same rows ({counts['ok']} ok, {counts['unknown']} "
       f"unknown, {counts['failed']} failed so far)")


def run(crmd, pcs):
    missing = [need for need in (f"{PG_BIN}/initdb", DEBIAN_PYTHON)
               if not os.access(need, os.X_OK)]
    if not missing and subprocess.run([DEBIAN_PYTHON, "-c", "import psycopg2"],
                                      capture_output=True).returncode != 0:
        missing = ["python3-psycopg2"]
    if missing:
        # CI installs ./dev deps: there a missing package is a failure, not a skip.
        print(f"{'FAIL' if os.environ.get('CI') else 'SKIPPED'}: {missing[0]} missing "
              "(postgresql-15, python3-psycopg2: ./dev deps)")
        sys.exit(1 if os.environ.get("CI") else 77)
    with PostgresCluster(crmd, pcs, prefix=f"pulse-pg{os.getpid()}") as c:
        c.bring_up("pg")
        check(c.use_fence_device(), "fence device: fence (stonith:fence_pulse_netns)")
        c.init_primary(1)
        c.create_resources()
        primary = c.wait_settled(SETTLE_S)
        check(primary == 1, "setup: n1 promoted; n2 and n3 copied from it by the agent and "
              "streaming; the VIP on n1")
        ok("setup: synchronous replication on n1: synchronous_standby_names = "
           f"'{c.node_sql(primary, 'show synchronous_standby_names')}'")
        checker = VipChecker(c.node_namespaces(), [VIP], client=c.client_namespace())
        checker.start()
        try:
            scenario(c, primary)
        finally:
            report = checker.stop()
            print("# checker: " + report.text().replace("\n", "\n#   "), flush=True)
        check(report.split_brain == 0, "the checker never saw the VIP on two nodes",
              str(report.first_split))
        most, first = c.most_primaries()
        check(most == 1, "the watch never saw two writable primaries", str(first))


def scenario(c, primary):
    c.start_clients()
    t0 = time.time()
    c.wait_for(lambda: c.writer.acked_since(t0), 20, "the writer's first acknowledged row")
    time.sleep(2)
    judge(c, primary, "steady")

    # --- power-off of the primary's node
    victim = primary
    survivors = [i for i in range(1, c.nodes + 1) if i != victim]
    t_off = c.power_off(victim)
    took = wait_outage(c, t_off, 60)
    print(f"# power-off: first acknowledged write through the VIP {took:.2f} s after "
          f"n{victim} was powered off", flush=True)
    check(c.powered_off(victim), f"power-off: n{victim} fenced")
    promoted = c.wait_roles({f"n{i}" for i in survivors}, 1, SETTLE_S, via=survivors[0])
    primary = int(promoted[1:])
    check(took <= FAILOVER_S, f"power-off: {promoted} promoted and writes acknowledged through "
          f"the VIP within {FAILOVER_S} s ({took:.2f} s)")
    judge(c, primary, "power-off", nodes=survivors)
    c.boot(victim, survivors[0])
    back = c.wait_settled(SETTLE_S, via=survivors[0])
    check(back == primary, f"reboot: n{victim} rejoined as a replica streaming from "
          f"{promoted} (pg_rewind by the agent); {promoted} stays primary")
    judge(c, primary, "rejoin after power-off")

    # --- kill -9 of the new primary's postmaster
    victim = primary
    t_kill = c.kill_postmaster(victim)
    took = wait_outage(c, t_kill, 90)
    print(f"# kill -9: first acknowledged write through the VIP {took:.2f} s after "
          f"n{victim}'s postmaster was killed", flush=True)
    check(took <= KILL_S, f"kill -9: writes acknowledged through the VIP again within "
          f"{KILL_S} s ({took:.2f} s)")
    primary = c.wait_settled(SETTLE_S)
    check(not c.powered_off(victim), f"kill -9: n{victim} was not fenced (its stop succeeded)")
    judge(c, primary, f"kill -9 (n{primary} primary, n{victim} a replica again)")

    # --- planned switchover (pcs 0.11's move of the Promoted role)
    old, target = primary, primary % c.nodes + 1
    t_move = time.time()
    moved = c.pcs(1, "resource", "move", "pg-clone", f"n{target}", "--promoted").stdout
    took = wait_outage(c, t_move, 60)
    print(f"# switchover: first acknowledged write through the VIP {took:.2f} s after pcs "
          f"resource move", flush=True)
    primary = c.wait_settled(SETTLE_S)
    check(primary == target and f"promoted on node n{target}" in moved,
          f"switchover: pcs resource move pg-clone n{target} --promoted: n{target} primary, "
          f"n{old} a replica streaming from it", moved)
    check("cli-" not in c.pcs(1, "constraint", "--full").stdout,
          "switchover: the move's constraint was removed")
    judge(c, primary, f"switchover (n{old} -> n{target})")


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
