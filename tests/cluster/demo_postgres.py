"""`./dev demo postgres` (setup 3): PostgreSQL 15 on three nodes run by the cluster as the
promotable clone pg (ocf:pulse:pgsql), synchronous replicas, a VIP on the primary, and a client
inserting rows through the VIP all along. Reuses the namespace test's setup
(postgres_setup.py); the subcommands are demo.py's.
"""
import os
import subprocess
import textwrap
import time

from demo import PREFIX, STATE, echo_pcs, form_as_typed, vip_holders, wait_fenced
from postgres_setup import PGDATA, VIP, WRITER_PASSWORD, PostgresCluster
from pulse_netns import node_address

TITLE = "PostgreSQL primary and replicas behind a VIP"
NODES = 3
CLIENT = f"{PREFIX}-n4"
AFTER_S = 8.0
SETTLE_S = 120
INSERT = ("insert into writes select 'me', coalesce(max(seq), 0) + 1 from writes "
          "where client = 'me' returning seq, now()")
ROLE = {"f": "primary", "t": "standby", "-": "down"}


def cluster(bindir):
    return PostgresCluster(os.path.join(bindir, "crmd"), os.path.join(bindir, "pcs"),
                           prefix=PREFIX, state_root=STATE, keep=True)


def tail_lines(path, size=16384):
    """The complete last lines of a growing log (the clients append all the time)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - size))
            text = f.read().decode(errors="replace")
    except FileNotFoundError:
        return []
    return [line for line in text.split("\n")[1:-1] if line]


def watch_line(c):
    roles = {}
    for line in reversed(tail_lines(os.path.join(c.state, "watch.log"))):
        words = dict(w.split("=", 1) for w in line.split()[1:] if "=" in w)
        roles = {f"n{i}": ROLE.get(words.get(node_address(i)), "?")
                 for i in range(1, c.nodes + 1)}
        break
    shown = "  ".join(f"{n} {r}" for n, r in roles.items()) or "(no roles yet)"
    last = None
    for line in reversed(tail_lines(os.path.join(c.state, "writer.log"))):
        words = line.split()
        if len(words) >= 4 and words[1] == "ok":
            last = (int(words[0]), float(words[3]))
            break
    writer = (f"row {last[0]} acknowledged {time.time() - last[1]:.1f} s ago" if last
              else "no row acknowledged yet")
    return (f"VIP {VIP} on {' '.join(vip_holders(c, VIP)) or '-':5}  {shown}   "
            f"writer through the VIP: {writer}")


def up(c, bindir):
    print(textwrap.fill(
        f"Nodes n1, n2, n3 are network namespaces ({node_address(1)}-{node_address(3)}) on one "
        f"bridge; {CLIENT} ({node_address(4)}) is a database client on the same LAN. Each node "
        "runs crmd and has PostgreSQL 15 installed (Debian's postgresql-15, not started: the "
        f"cluster runs it); each node's data directory is {PGDATA}. The hacluster password was "
        "set on each with `crmd passwd`. These are the commands:", width=95))
    form_as_typed(c, "postgres", NODES)
    echo_pcs(c)
    print("\n-- a fence device (the namespaces' power switch) --")
    if not c.use_fence_device():
        raise AssertionError("pcs stonith create fence fence_pulse_netns failed")
    print()
    print(textwrap.fill(
        "-- n1's database, made by hand as every guide does (README: initdb with "
        "wal_log_hints = on, pg_hba for the nodes' subnet and the VIP's, a replication role "
        "`replicator`, the application's role `writer` and its table `writes`); n2 and n3 "
        "start empty: the agent copies them from the primary (pg_basebackup) and they wait in "
        "standby until n1 is promoted --", width=95))
    c.init_primary(1)
    c.create_resources()
    primary = c.wait_settled(SETTLE_S)
    c.start_clients()
    c.wait_for(lambda: c.writer.acked_since(0), 30, "the writer's first acknowledged row")
    print(f"\n-- n{primary} is the primary, the others stream from it synchronously:")
    print(c.node_sql(primary, "select application_name || ' ' || state || ' ' || sync_state "
                     "from pg_stat_replication order by 1"))
    print(f"\n[client]$ PGPASSWORD=... psql -X -h {VIP} -U writer -d postgres -c \"{INSERT}\"",
          flush=True)
    subprocess.run(["ip", "netns", "exec", CLIENT, "env", f"PGPASSWORD={WRITER_PASSWORD}",
                    "psql", "-X", "-h", VIP, "-U", "writer", "-d", "postgres", "-c", INSERT],
                   check=False)
    print(textwrap.fill(
        "A writer in the client namespace inserts a row through the VIP every 20 ms from now "
        "on (tests/cluster/pg_client.py; its log is writer.log in the state folder): `./dev "
        "demo watch` shows the last row it got acknowledged.", width=95))


def try_text(c, bindir):
    primary = next((n for n in vip_holders(c, VIP)), "n1")
    i = int(primary[1:])
    loop = (f'while sleep 0.2; do PGPASSWORD={WRITER_PASSWORD} psql -X -h {VIP} -U writer '
            f'-d postgres -Atqc \\"{INSERT}\\"; done')
    return f"""  ./dev demo power-off {i}      # in another terminal: {primary}, the primary, loses
                              # power: fenced, a standby promoted, the VIP and writes follow
  ./dev demo boot {i}           # {primary} boots and rejoins as a replica (pg_rewind by the agent)
  ip netns exec {CLIENT} sh -c "{loop}"
                              # psql through the VIP: a row every 0.2 s, through the failover
  pcs1 resource move pg-clone n{i % NODES + 1} --promoted   # a planned switchover"""


def boot(c, i, off_at):
    wait_fenced(c, i, off_at)
    c.harness("power-on", str(i))
    c.start_crmd(i)
