"""Setup 3, "PostgreSQL primary and replicas behind a VIP", on the namespace cluster. Shared by
the test (postgres_netns_test.py) and the benchmark (bench/postgres_bench.py).

Nodes n1..n3 (192.0.2.11-13) with the harness's fence device, and a client namespace (n4,
192.0.2.14, no crmd). Each node has PostgreSQL 15 (Debian's postgresql-15), run by the
cluster as ocf:pulse:pgsql, a promotable clone with notifications; a VIP (IPaddr2) colocated
with the Promoted role and ordered after promote; standbys follow the primary through the VIP
(primary_address) with synchronous replication (synchronous=on: ANY 1 of the streaming ones).

What a user does on real machines, and what differs here:
  - every node's data directory is /run/resource-agents/pg/data, its socket directory
    /run/resource-agents/pg/run, its log /run/resource-agents/pg/postgresql.log. The nodes are
    network namespaces on one machine and share its file system; /run/resource-agents is the
    only folder each node sees as its own (the harness bind-mounts it), so a link there
    (pg -> STATE/nI-pg, next to the node's state directory STATE/nI, which crmd keeps
    private) gives every node its own PostgreSQL folder, which outlives power-offs like a
    disk. On a real node: an initdb'd pgdata such as /var/lib/postgresql/15/pulse (Debian's
    own 15/main keeps its configuration in /etc/postgresql, and the agent runs pg_ctl -D).
  - node 1's database is made by hand before the resource exists, as every guide does: initdb
    (wal_log_hints = on for pg_rewind), a replication role, pg_hba for the cluster's subnet
    and the VIP's, the application's table. Nodes 2 and 3 start empty: the agent copies them
    from the primary (pg_basebackup -R -C --slot) once one runs. Until then a start there
    would fail (no primary to copy from), so they are in standby while the resource is made
    and node 1 is promoted, and leave standby after.
  - fsync = off: a power-off here kills the node's processes but keeps the machine's page
    cache, so fsync would only slow the shared disk without protecting anything more.
"""
import os
import re
import shutil
import subprocess
import time

from pulse_netns import node_address
from resource_cluster import ResourceCluster

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_PY = os.path.join(HERE, "pg_client.py")
DEBIAN_PYTHON = "/usr/bin/python3"  # the one python3-psycopg2 is installed for
PG_BIN = "/usr/lib/postgresql/15/bin"
VIP = "198.51.100.41"
SUBNETS = ("192.0.2.0/24", "198.51.100.0/24")  # the nodes and the client; the VIP range
NODE_PG = "/run/resource-agents/pg"            # each node's own PostgreSQL folder (a link)
PGDATA = NODE_PG + "/data"
PGHOST = NODE_PG + "/run"
PGLOG = NODE_PG + "/postgresql.log"
REPUSER, REPPASSWORD = "replicator", "pulse-replication-password"
WRITER_PASSWORD = "pulse-writer-password"
SETTLE_S = 90

POSTGRESQL_CONF = """
# setup 3 (tests/cluster/postgres_setup.py)
wal_log_hints = on                  # pg_rewind: a failed primary rejoins without a full copy
max_wal_senders = 10
max_replication_slots = 10
wal_keep_size = 256MB
hot_standby = on
wal_receiver_status_interval = 1s
wal_retrieve_retry_interval = 200ms # a standby retries the VIP 5 times a second
shared_buffers = 16MB
fsync = off                         # see postgres_setup.py: page cache survives a power-off here
"""


def as_postgres(args, check=True, **kw):
    p = subprocess.run(["runuser", "-u", "postgres", "--", *args], cwd="/", text=True,
                       capture_output=True, **kw)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
    return p


def clone_roles(text):
    """(promoted, unpromoted) node lists of pg-clone in `pcs status`, or None."""
    m = re.search(r"Clone Set: pg-clone \[pg\] \(promotable\):\n((?:\s+\* .*\n?)*)", text)
    if not m:
        return None
    lists = {}
    for label, names in re.findall(r"\* (Promoted|Unpromoted|Started|Stopped): \[ ?(.*?) ?\]",
                                   m.group(1)):
        lists[label] = sorted(names.split())
    # An instance with an operation in flight is listed on its own line, as crm_mon does
    # ("* pg (ocf:...): Promoted n1 (Monitoring)"); one being promoted or started ("Promoting
    # n1") is in neither list yet.
    for label, name in re.findall(r"\* pg\s+\([^)]*\):\s+(Promoted|Unpromoted) (\S+)",
                                  m.group(1)):
        lists.setdefault(label, []).append(name)
        lists[label].sort()
    return lists.get("Promoted", []), lists.get("Unpromoted", [])


class WriterLog:
    """The writer's log (pg_client.py write): {seq: (status, sent, done)}."""

    def __init__(self, path):
        self.path = path

    def read(self):
        rows = {}
        try:
            with open(self.path) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) >= 4 and line.endswith("\n"):
                        rows[int(parts[0])] = (parts[1], float(parts[2]), float(parts[3]))
        except FileNotFoundError:
            pass
        return rows

    def outage_after(self, t):
        """Seconds from t (a fault) to the first acknowledged write sent after the writer first
        failed at or after t, or None while there is none. (A write acknowledged by the old
        primary just as the fault struck does not count as the service back.)"""
        rows = self.read().values()
        failed = [done for status, _, done in rows if status != "ok" and done >= t]
        if not failed:
            return None
        since = min(failed)
        acked = [done for status, sent, done in rows if status == "ok" and sent >= since]
        return min(acked) - t if acked else None

    def acked_since(self, t):
        return any(status == "ok" and sent >= t for status, sent, _ in self.read().values())



class PostgresCluster(ResourceCluster):
    def __init__(self, crmd, pcs, prefix=None, state_root=None, keep=False):
        """state_root, keep: as ResourceCluster's (the demo leaves its cluster running)."""
        super().__init__(crmd, pcs, nodes=3, prefix=prefix, state_root=state_root, keep=keep)
        self.writer = None
        self.writers = {}       # client name -> WriterLog: every writer the audit judges
        self.watch_path = None

    def __enter__(self):
        super().__enter__()
        # postgres must reach STATE/nI-pg: the state root traversable, not listable.
        os.chmod(self.state, 0o711)
        base = os.environ.get("PULSE_NETNS_BASE", "/run/pulse-netns")
        for i in range(1, self.nodes + 1):
            home = self.pg_home(i)
            os.makedirs(os.path.join(home, "run"))
            for path in (home, os.path.join(home, "run")):
                shutil.chown(path, "postgres", "postgres")
                os.chmod(path, 0o700)
            node_run = os.path.join(base, self.prefix, "rsctmp", f"n{i}")
            os.makedirs(node_run, exist_ok=True)
            os.symlink(home, os.path.join(node_run, "pg"))
        return self

    def pg_home(self, i):
        """Node i's PostgreSQL folder as the test sees it (NODE_PG inside the node). Next to
        the node's state directory, not in it: crmd keeps that one private (0700)."""
        return os.path.join(self.state, f"n{i}-pg")

    # --- node 1's database, by hand ----------------------------------------------------------
    def init_primary(self, i=1):
        home = self.pg_home(i)
        data, run = os.path.join(home, "data"), os.path.join(home, "run")
        as_postgres([f"{PG_BIN}/initdb", "-D", data, "-U", "postgres", "--auth-local=trust",
                     "--auth-host=scram-sha-256", "--no-sync"])
        with open(os.path.join(data, "postgresql.conf"), "a") as f:
            f.write(POSTGRESQL_CONF)
        with open(os.path.join(data, "pg_hba.conf"), "a") as f:
            f.write("# setup 3: the cluster's nodes and client, and the VIP's range\n")
            for net in SUBNETS:
                f.write(f"host replication {REPUSER} {net} scram-sha-256\n")
                f.write(f"host all all {net} scram-sha-256\n")
        as_postgres([f"{PG_BIN}/pg_ctl", "start", "-w", "-D", data, "-l",
                     os.path.join(home, "init.log"), "-o", f"-k {run} -c listen_addresses=''"])
        try:
            as_postgres([f"{PG_BIN}/psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-h", run, "-d",
                         "postgres", "-c",
                         f"create role {REPUSER} login replication superuser password "
                         f"'{REPPASSWORD}'; create role writer login password "
                         f"'{WRITER_PASSWORD}'; create table writes (client text, seq bigint, "
                         "primary key (client, seq)); grant select, insert on writes to "
                         "writer"])
        finally:
            as_postgres([f"{PG_BIN}/pg_ctl", "stop", "-w", "-D", data, "-m", "fast"])

    # --- the resources ------------------------------------------------------------------------
    def pg_params(self):
        return [f"pgdata={PGDATA}", f"pghost={PGHOST}", f"logfile={PGLOG}",
                f"primary_address={VIP}", f"repuser={REPUSER}", f"reppassword={REPPASSWORD}",
                "synchronous=on"]

    def create_resources(self):
        """n2, n3 in standby; pg promoted on n1 with the VIP there; n2, n3 back, replicas."""
        for i in (2, 3):
            self.pcs(1, "node", "standby", f"n{i}")
        self.pcs(1, "resource", "create", "pg", "ocf:pulse:pgsql", *self.pg_params(),
                 "op", "monitor", "interval=3s", "role=Promoted", "timeout=20s",
                 "op", "monitor", "interval=4s", "role=Unpromoted", "timeout=20s",
                 # The agent refuses to promote a standby that another one is ahead of, and
                 # raises the other's score: a demotion (a no-op on a standby) is enough to
                 # let the cluster promote that one, not a restart of the refused standby.
                 "op", "promote", "timeout=60s", "on-fail=demote",
                 "promotable", "notify=true")
        self.pcs(1, "resource", "create", "pg-vip", "ocf:heartbeat:IPaddr2", f"ip={VIP}",
                 "cidr_netmask=32", "op", "monitor", "interval=5s")
        self.pcs(1, "constraint", "colocation", "add", "pg-vip", "with", "Promoted",
                 "pg-clone", "INFINITY")
        # Two one-way orders rather than one symmetrical: the VIP starts after the promotion
        # and stops only after the demotion. Standbys stream through the VIP; with it gone
        # first, a demoted primary's fast shutdown waits for its WAL senders to deliver the
        # shutdown checkpoint over connections whose address has vanished, until
        # wal_sender_timeout (60 s). (PAF's guide orders them the same way.)
        self.pcs(1, "constraint", "order", "promote", "pg-clone", "then", "start", "pg-vip",
                 "symmetrical=false")
        self.pcs(1, "constraint", "order", "demote", "pg-clone", "then", "stop", "pg-vip",
                 "symmetrical=false")
        self.wait_roles({"n1"}, 0, SETTLE_S)
        self.wait_started("pg-vip", SETTLE_S, on=["n1"])
        for i in (2, 3):
            self.pcs(1, "node", "unstandby", f"n{i}")
        self.wait_settled(SETTLE_S)

    # --- reading the cluster and the databases ------------------------------------------------
    def node_sql(self, i, query, timeout=10):
        """query on node i's server through its socket (as postgres); stdout, or None."""
        try:
            p = self.harness("exec", str(i), "runuser", "-u", "postgres", "--",
                             f"{PG_BIN}/psql", "-XAtq", "-h", PGHOST, "-d", "postgres", "-c",
                             query, check=False, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return p.stdout.strip() if p.returncode == 0 else None

    def pg_roles(self, nodes=None):
        """{node index: 'f' primary, 't' standby, None not answering}."""
        return {i: self.node_sql(i, "select pg_is_in_recovery()")
                for i in (nodes or range(1, self.nodes + 1))}

    def roles_shown(self, via=None):
        try:
            return clone_roles(self.status(via)[1])
        except AssertionError:
            return None

    def wait_roles(self, promoted_in, unpromoted, timeout, via=None):
        """One Promoted (in promoted_in) and `unpromoted` Unpromoted in pcs status; returns the
        promoted node's name."""
        def good():
            roles = self.roles_shown(via)
            return roles[0][0] if roles and len(roles[0]) == 1 and \
                roles[0][0] in promoted_in and len(roles[1]) == unpromoted else None
        try:
            return self.wait_for(good, timeout, f"pcs status: pg Promoted on one of "
                          f"{sorted(promoted_in)} and {unpromoted} Unpromoted", interval=0.3)
        except AssertionError as e:
            try:
                last = self.status(via)[1]
            except AssertionError as why:
                last = str(why)
            raise AssertionError(f"{e}; pcs status:\n{last}") from None

    def streaming(self, primary):
        out = self.node_sql(primary, "select string_agg(application_name, ' ' order by "
                            "application_name) from pg_stat_replication where state = "
                            "'streaming'")
        return sorted(out.split()) if out else []

    def wait_settled(self, timeout, via=None):
        """Every node runs pg: one Promoted, the others Unpromoted and streaming from it as
        its synchronous standbys, the VIP on the primary; returns the primary's index."""
        all_nodes = {f"n{i}" for i in range(1, self.nodes + 1)}
        promoted = self.wait_roles(all_nodes, self.nodes - 1, timeout, via)
        p = int(promoted[1:])
        others = sorted(all_nodes - {promoted})
        self.wait_for(lambda: self.streaming(p) == others, timeout,
                      f"{' and '.join(others)} streaming from {promoted}", interval=0.3)
        # A new primary runs asynchronously until its monitor names the streaming standbys;
        # until then the agent refuses to promote any of them (they may lack acknowledged
        # commits), so the next fault waits for this.
        names = "ANY 1 (" + ", ".join(f'"{n}"' for n in others) + ")"
        self.wait_for(lambda: self.node_sql(p, "show synchronous_standby_names") == names,
                      timeout, f"synchronous_standby_names {names} on {promoted}",
                      interval=0.3)
        self.wait_started("pg-vip", timeout, on=[promoted], i=via)
        return p

    def kill_postmaster(self, i):
        """kill -9 of node i's postmaster (its backends run on, as after an OOM kill)."""
        with open(os.path.join(self.pg_home(i), "data", "postmaster.pid")) as f:
            pid = int(f.readline())
        at = time.time()
        os.kill(pid, 9)
        return at

    def lose_disk(self, i):
        """Node i's database gone as with a dead disk, the node itself up: its postmaster and
        every child killed (pg_ctl makes it a session leader: its process group), its data
        directory moved away. A restart there then fails: no data and no primary to copy from."""
        home = self.pg_home(i)
        with open(os.path.join(home, "data", "postmaster.pid")) as f:
            pid = int(f.readline())
        os.killpg(pid, 9)
        os.rename(os.path.join(home, "data"), os.path.join(home, "data.lost"))

    # --- clients --------------------------------------------------------------------------------
    def start_clients(self):
        """The writer (through the VIP) and the watch (every node's role) in the client
        namespace; returns the writer's log."""
        path = os.path.join(self.state, "writer.log")
        self.watch_path = os.path.join(self.state, "watch.log")
        self.harness("start", str(self.client), "writer", DEBIAN_PYTHON, CLIENT_PY, "write",
                     VIP, path, "w1", WRITER_PASSWORD)
        self.harness("start", str(self.client), "watch", DEBIAN_PYTHON, CLIENT_PY, "watch",
                     self.watch_path, WRITER_PASSWORD,
                     *[node_address(i) for i in range(1, self.nodes + 1)])
        self.writer = WriterLog(path)
        self.writers["w1"] = self.writer
        return self.writer

    def start_clients_on(self, i, client):
        """A writer `client` and a watch of node i's own server, both in node i's namespace: an
        application next to the primary, which a partition cuts off with it. The writer goes
        through the VIP (on node i while it is the primary); the watch sees node i even while
        the client namespace cannot. Both die with the node's power. Returns (writer log, watch
        log path)."""
        path = os.path.join(self.state, f"writer-{client}.log")
        watch = os.path.join(self.state, f"watch-n{i}.log")
        self.harness("start", str(i), f"writer-{client}", DEBIAN_PYTHON, CLIENT_PY, "write", VIP,
                     path, client, WRITER_PASSWORD)
        self.harness("start", str(i), "watch-self", DEBIAN_PYTHON, CLIENT_PY, "watch", watch,
                     WRITER_PASSWORD, node_address(i))
        self.writers[client] = WriterLog(path)
        return self.writers[client], watch

    @staticmethod
    def primary_times(path, host, since=0.0):
        """Times at which host's answers as a writable primary came, in a watch log (the
        round's at= times: a round that waits for an unreachable host takes seconds)."""
        times = []
        try:
            with open(path) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) < 3 or not line.endswith("\n") or \
                            not parts[-1].startswith("at=") or float(parts[0]) < since:
                        continue
                    answers = parts[1:-1]
                    at = parts[-1][3:].split(",")
                    if f"{host}=f" in answers and len(at) == len(answers):
                        times.append(float(at[answers.index(f"{host}=f")]))
        except FileNotFoundError:
            pass
        return times

    def most_primaries(self, since=0.0):
        """The most nodes that answered as writable primaries in one round of the watch, and
        the first round with two (or None)."""
        most, first = 0, None
        try:
            with open(self.watch_path) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) < 2 or not line.endswith("\n") or float(parts[0]) < since:
                        continue
                    n = sum(1 for p in parts[1:] if p.endswith("=f"))
                    if n > most:
                        most = n
                    if n > 1 and first is None:
                        first = line.strip()
        except FileNotFoundError:
            pass
        return most, first

    # --- the rows ------------------------------------------------------------------------------
    def audit(self, primary, timeout=60, nodes=None):
        """Rows of every writer judged against its log: (lost, phantoms, counts) where lost are
        acknowledged rows missing on the primary, phantoms rows present that were never sent
        with an unknown or ok outcome (each as "CLIENT:SEQ"). Then waits until every node holds
        the same rows up to the primary's newest of each writer (replicas replay shortly
        after). Writers keep running: each log is read before the query (each ok then must be
        present) and after (each present row then has a logged outcome, except the one in
        flight, whose outcome is not logged yet or never will be: its writer died with its
        node). nodes: those to compare (default all)."""
        before = {name: w.read() for name, w in self.writers.items()}
        out = self.node_sql(primary, "select client || ' ' || seq from writes", timeout=30)
        if out is None:
            raise AssertionError(f"cannot read the rows on n{primary}")
        present = {}
        for line in out.splitlines():
            client, seq = line.split()
            present.setdefault(client, set()).add(int(seq))
        after = {name: w.read() for name, w in self.writers.items()}
        lost, phantoms, bounds = [], [], []
        counts = {"ok": 0, "failed": 0, "unknown": 0}
        for name in sorted(set(self.writers) | set(present)):
            rows = present.get(name, set())
            ok = {s for s, r in before.get(name, {}).items() if r[0] == "ok"}
            logged = after.get(name, {})
            maybe = {s for s, r in logged.items() if r[0] in ("ok", "unknown")}
            in_flight = max(logged, default=0) + 1
            lost += [f"{name}:{s}" for s in sorted(ok - rows)]
            phantoms += [f"{name}:{s}" for s in sorted(rows - maybe - {in_flight})]
            bounds.append(f"(client = '{name}' and seq <= {max(rows, default=0)})")
            for status, _, _ in logged.values():
                counts[status] = counts.get(status, 0) + 1
        digest = ("select count(*) || ' ' || coalesce(md5(string_agg(client || ':' || seq, ',' "
                  f"order by client, seq)), '') from writes where {' or '.join(bounds)}")
        want = self.node_sql(primary, digest)

        def same():
            return all(self.node_sql(i, digest) == want
                       for i in (nodes or range(1, self.nodes + 1)))
        self.wait_for(same, timeout, f"every node to hold the {want.split()[0]} rows of "
                      f"n{primary}", interval=0.5)
        return lost, phantoms, counts
