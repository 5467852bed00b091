#!/usr/bin/env python3
"""agents.pgsql.*: ocf:pulse:pgsql run for real, as the cluster runs it (OCF_* environment, exit
codes, ocf-exit-reason lines), on two or three PostgreSQL 15 instances on 127.0.0.1 ports chosen
free at runtime, data under a temporary folder. No cluster: crm_attribute and crm_node are the
stand-ins in fake_cluster/ (HA_SBIN_DIR), which keep the attributes (promotion scores, the
published synchronous standbys, LSNs, allow-data-loss) as files the tests read and write.
PostgreSQL runs as user postgres, so the tests need root.

usage: pgsql_agent_test.py AGENT [unittest arguments, e.g. ActionsTest]
PGSQL_TEST_TIMING=1 prints how long each action took, =2 also the agent's log lines.
exit 0 pass, 1 fail, 77 skipped (not root, PostgreSQL 15 or the OCF shell library missing, CI
unset)."""
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

from agent_test_util import OCF_ROOT, missing, run_ocf_action

BINDIR = "/usr/lib/postgresql/15/bin"
FAKE_CLUSTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_cluster")
OCF_SUCCESS, OCF_ERR_GENERIC, OCF_ERR_INSTALLED, OCF_ERR_CONFIGURED = 0, 1, 5, 6
OCF_NOT_RUNNING, OCF_RUNNING_MASTER = 7, 8
AGENT = ""
TEMPLATE = ""  # an initdb'd data folder, copied for each test's first primary


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid):
    """The process exists and is not a zombie (as the agent's pg_postmaster_pid reads it)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            state = next((line.split()[1] for line in f if line.startswith("State:")), "")
    except OSError:
        return False
    return state not in ("", "Z")


def as_postgres(args, **kw):
    return subprocess.run(["runuser", "-u", "postgres", "--"] + args, cwd="/",
                          capture_output=True, text=True, **kw)


def make_template(folder):
    """initdb once per run (trust for local and 127.0.0.1, replication included)."""
    data = os.path.join(folder, "template")
    p = as_postgres([f"{BINDIR}/initdb", "-D", data, "-A", "trust", "-U", "postgres",
                     "--no-sync"])
    if p.returncode != 0:
        sys.exit(f"initdb failed: {p.stderr}")
    with open(os.path.join(data, "postgresql.conf"), "a") as f:
        f.write("wal_log_hints = on\nfsync = off\nshared_buffers = 16MB\n"
                "wal_retrieve_retry_interval = 200ms\nwal_receiver_status_interval = 1s\n")
    return data


class Node:
    """One PostgreSQL instance of the test cluster: node name, port, data folder."""

    def __init__(self, case, name):
        self.case, self.name, self.port = case, name, free_port()
        self.home = os.path.join(case.dir, name)
        os.mkdir(self.home)
        shutil.chown(self.home, "postgres")
        self.pgdata = os.path.join(self.home, "data")
        self.lock = self.pgdata + ".primary-lock"

    def params(self):
        return {"pgdata": self.pgdata, "pghost": self.case.sockets, "pgport": self.port,
                "node_name": self.name, "listen_addresses": "127.0.0.1",
                "logfile": os.path.join(self.home, "postgresql.log"),
                "primary_address": f"127.0.0.1:{self.case.primary.port}"
                if self.case.primary else ""}

    def run(self, action, timeout=90, **params):
        """Runs one action; returns (exit code, ocf-exit-reason text, all stderr)."""
        rsctmp = os.path.join(self.home, "run")
        os.makedirs(rsctmp, exist_ok=True)
        return run_ocf_action(AGENT, action, "pgsql", "db:0", rsctmp,
                              {"CRM_meta_interval": "4000", "CRM_meta_timeout": "60000",
                               **self.params(), **self.case.params, **params}, timeout,
                              env={"HA_SBIN_DIR": FAKE_CLUSTER, "PULSE_FAKE_CIB": self.case.cib})

    def act(self, action, want, **params):
        t0 = time.monotonic()
        rc, reason, stderr = self.run(action, **params)
        if os.environ.get("PGSQL_TEST_TIMING"):
            print(f"  {self.name} {action}: {time.monotonic() - t0:.2f} s", file=sys.stderr)
            if os.environ.get("PGSQL_TEST_TIMING") == "2":
                print(stderr, file=sys.stderr)
        self.case.assertEqual(rc, want, f"{self.name} {action} returned {rc}, wanted {want};"
                              f" stderr:\n{stderr}")
        return reason, stderr

    def notify(self, type_, op, promote, unpromoted, demote=""):
        self.act("notify", OCF_SUCCESS, CRM_meta_notify_type=type_,
                 CRM_meta_notify_operation=op, CRM_meta_notify_promote_uname=promote,
                 CRM_meta_notify_unpromoted_uname=unpromoted,
                 CRM_meta_notify_demote_uname=demote)

    def sql(self, query, check=True, options=()):
        p = as_postgres([f"{BINDIR}/psql", "-XAtq", "-h", self.case.sockets, "-p",
                         str(self.port), "-d", "postgres", *options, "-c", query], timeout=30)
        if check:
            self.case.assertEqual(p.returncode, 0, f"{self.name}: {query}: {p.stderr}")
        return p.stdout.strip() if check else p

    def crash(self):
        """Stops the server as a power-off would: no shutdown checkpoint, nothing sent."""
        p = as_postgres([f"{BINDIR}/pg_ctl", "stop", "-D", self.pgdata, "-m", "immediate"])
        self.case.assertEqual(p.returncode, 0, p.stderr)

    def wait_for(self, query, want, seconds=20):
        deadline = time.monotonic() + seconds
        while True:
            got = self.sql(query)
            if got == want or time.monotonic() > deadline:
                self.case.assertEqual(got, want, f"{self.name}: {query}")
                return
            time.sleep(0.1)


class PgCase(unittest.TestCase):
    """A temporary folder with a socket folder, a fake CIB, and nodes n1.. on free ports."""

    params = {}

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pulse-pgsql-")
        os.chmod(self.dir, 0o755)
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.sockets = os.path.join(self.dir, "sock")
        os.mkdir(self.sockets)
        shutil.chown(self.sockets, "postgres")
        self.cib = os.path.join(self.dir, "cib")
        os.mkdir(self.cib)
        self.primary = None
        self.nodes = []

    def node(self, name):
        n = Node(self, name)
        self.nodes.append(n)
        self.addCleanup(self.force_stop, n)
        return n

    @staticmethod
    def force_stop(n):
        if os.path.exists(os.path.join(n.pgdata, "postmaster.pid")):
            as_postgres([f"{BINDIR}/pg_ctl", "stop", "-D", n.pgdata, "-m", "immediate"])

    def first_primary(self, name="n1", wal_log_hints=True):
        """A node from the template data, started by the agent (a standby: start never makes
        a primary) and promoted by it."""
        n = self.node(name)
        subprocess.run(["cp", "-a", TEMPLATE, n.pgdata], check=True)
        if not wal_log_hints:
            with open(os.path.join(n.pgdata, "postgresql.conf"), "a") as f:
                f.write("wal_log_hints = off\n")
        n.act("start", OCF_SUCCESS)
        self.assertEqual(n.sql("select pg_is_in_recovery()"), "t")
        n.act("promote", OCF_SUCCESS)
        self.primary = n
        n.sql("create table t (id int primary key, who text)")
        return n

    def primary_with_standbys(self, *names, wal_log_hints=True):
        """first_primary() n1 and, for each name, a standby started by the agent, once n1 sees
        every one of them streaming through its slot. Returns (n1, standby, ...)."""
        n1 = self.first_primary(wal_log_hints=wal_log_hints)
        standbys = [self.node(name) for name in names]
        for n in standbys:
            n.act("start", OCF_SUCCESS)
        self.wait_streaming(n1, " ".join(f"{name}:{name}" for name in names))
        return (n1, *standbys)

    def commit_in_background(self, node, statement, stderr=subprocess.DEVNULL):
        """psql running `statement` on `node` as its own process (a commit that may wait for a
        synchronous standby), killed at the end of the test."""
        writer = subprocess.Popen(
            ["runuser", "-u", "postgres", "--", f"{BINDIR}/psql", "-XAtq", "-h", self.sockets,
             "-p", str(node.port), "-d", "postgres", "-c", statement],
            cwd="/", stdout=subprocess.DEVNULL, stderr=stderr, text=True)
        self.addCleanup(writer.kill)
        return writer

    def attr(self, node, name, scope="status"):
        try:
            with open(os.path.join(self.cib, scope, node, name)) as f:
                return f.read().strip()
        except FileNotFoundError:
            return None

    def set_attr(self, node, name, value, scope="status"):
        os.makedirs(os.path.join(self.cib, scope, node), exist_ok=True)
        with open(os.path.join(self.cib, scope, node, name), "w") as f:
            f.write(value + "\n")

    def attrs(self):
        """Every attribute of the fake CIB: {SCOPE/NODE/NAME: value}."""
        found = {}
        for top, _, files in os.walk(self.cib):
            for name in files:
                if top == self.cib:
                    continue  # the log of calls, not an attribute
                with open(os.path.join(top, name)) as f:
                    found[os.path.relpath(os.path.join(top, name), self.cib)] = f.read().strip()
        return found

    def sync_set(self):
        return self.attr("cluster", "db-sync-standbys", "crm_config")

    def streaming(self, primary):
        return primary.sql("select string_agg(application_name || ':' || coalesce(s.slot_name,"
                           " '-'), ' ' order by application_name) from pg_stat_replication r "
                           "left join pg_replication_slots s on s.active_pid = r.pid "
                           "where r.state = 'streaming'")

    def wait_streaming(self, primary, want, seconds=20):
        deadline = time.monotonic() + seconds
        while self.streaming(primary) != want and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.streaming(primary), want, self.logs())

    def logs(self):
        """The end of every node's server log, for a failure message."""
        text = ""
        for n in self.nodes:
            try:
                with open(os.path.join(n.home, "postgresql.log")) as f:
                    text += f"\n--- {n.name}:\n" + "".join(f.readlines()[-8:])
            except OSError:
                pass
        return text


class ActionsTest(PgCase):
    def test_start_comes_up_as_a_standby_promote_demote_stop_report_the_ocf_codes(self):
        n1 = self.node("n1")
        subprocess.run(["cp", "-a", TEMPLATE, n1.pgdata], check=True)
        n1.act("monitor", OCF_NOT_RUNNING)
        n1.act("monitor", OCF_NOT_RUNNING, CRM_meta_interval=0)  # the probe
        n1.act("start", OCF_SUCCESS)
        self.assertEqual(n1.sql("select pg_is_in_recovery()"), "t", "start made a primary")
        n1.act("monitor", OCF_SUCCESS)
        n1.act("start", OCF_SUCCESS)  # starting a started standby succeeds
        self.assertFalse(os.path.exists(n1.lock))
        n1.act("promote", OCF_SUCCESS)
        self.assertEqual(n1.sql("select pg_is_in_recovery()"), "f")
        self.assertTrue(os.path.exists(n1.lock), "promote wrote no lock")
        n1.act("monitor", OCF_RUNNING_MASTER)
        n1.act("monitor", OCF_RUNNING_MASTER, CRM_meta_interval=0)
        self.assertEqual(self.attr("n1", "master-db"), "1001")
        n1.act("promote", OCF_SUCCESS)  # promoting the primary succeeds
        n1.act("demote", OCF_SUCCESS)
        self.assertEqual(n1.sql("select pg_is_in_recovery()"), "t", "demote left a primary")
        self.assertFalse(os.path.exists(n1.lock), "a clean demote kept the lock")
        n1.act("monitor", OCF_SUCCESS)
        n1.act("demote", OCF_SUCCESS)
        n1.act("stop", OCF_SUCCESS)
        n1.act("monitor", OCF_NOT_RUNNING)
        self.assertIsNone(self.attr("n1", "master-db"), "stop kept the promotion score")
        n1.act("stop", OCF_SUCCESS)

    def test_stop_escalates_to_an_immediate_shutdown_before_the_timeout_and_keeps_the_lock(self):
        n1 = self.node("n1")
        subprocess.run(["cp", "-a", TEMPLATE, n1.pgdata], check=True)
        # A fast shutdown waits for the archiver, which here takes 20 s per WAL file.
        with open(os.path.join(n1.pgdata, "postgresql.conf"), "a") as f:
            f.write("archive_mode = on\narchive_command = 'sleep 20'\n")
        n1.act("start", OCF_SUCCESS)
        n1.act("promote", OCF_SUCCESS)
        n1.sql("create table t (id int)")
        n1.sql("select pg_switch_wal()")
        n1.wait_for("select count(*) > 0 from pg_stat_archiver where last_failed_wal is not null"
                    " or (select count(*) from pg_stat_activity where backend_type = 'archiver') > 0",
                    "t")
        with open(os.path.join(n1.pgdata, "postmaster.pid")) as f:
            postmaster = int(f.readline())
        began = time.monotonic()
        _, stderr = n1.act("stop", OCF_SUCCESS, CRM_meta_timeout=5000)
        took = time.monotonic() - began
        self.assertIn("immediate shutdown", stderr)
        self.assertGreaterEqual(took, 2.5)  # fast shutdown for half of the timeout
        self.assertLess(took, 5.0)
        n1.act("monitor", OCF_NOT_RUNNING)
        # Zombies do not count: they run nothing and hold nothing, and their parent (init, for
        # the postmaster's orphans) reaps them when it gets to it.
        live = [line for line in subprocess.run(["ps", "-e", "-o", "pgid=,stat=,pid=,comm="],
                                                capture_output=True, text=True).stdout.splitlines()
                if line.split()[0] == str(postmaster) and not line.split()[1].startswith("Z")]
        self.assertEqual(live, [], "processes of the stopped server remain (the archiver's command)")
        # Not a clean stop of the primary: it may not follow the next one without a rewind.
        self.assertTrue(os.path.exists(n1.lock), "an immediate stop removed the primary's lock")

    def test_after_the_postmaster_is_killed_start_ends_its_leftover_backends(self):
        n1 = self.node("n1")
        subprocess.run(["cp", "-a", TEMPLATE, n1.pgdata], check=True)
        n1.act("start", OCF_SUCCESS)
        n1.act("promote", OCF_SUCCESS)
        busy = subprocess.Popen(  # busy in a query: does not notice the postmaster's death
            ["runuser", "-u", "postgres", "--", f"{BINDIR}/psql", "-XAtq", "-h", self.sockets,
             "-p", str(n1.port), "-d", "postgres", "-c",
             "select count(*) from generate_series(1, 10000000000)"],
            cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(busy.kill)
        n1.wait_for("select count(*) from pg_stat_activity where query like '%generate_series%'"
                    " and pid <> pg_backend_pid()", "1")
        with open(os.path.join(n1.pgdata, "postmaster.pid")) as f:
            postmaster = int(f.readline())
        os.kill(postmaster, 9)
        # SIGKILL lands when the process is next scheduled: on a busy machine a monitor run at
        # once can still find it alive and not answering (1, which also leads to recovery).
        # The case here is a postmaster that is gone.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _alive(postmaster):
            time.sleep(0.01)
        n1.act("monitor", OCF_NOT_RUNNING)
        n1.act("demote", OCF_SUCCESS)  # the cluster demotes the failed primary first
        _, stderr = n1.act("start", OCF_SUCCESS)
        self.assertIn("left of a killed postmaster", stderr)
        self.assertEqual(n1.sql("select pg_is_in_recovery()"), "t")
        self.assertTrue(os.path.exists(n1.lock), "the killed primary lost its lock")

    def test_bad_parameters_are_refused_with_the_reason(self):
        n1 = self.node("n1")
        reason, _ = n1.act("validate-all", OCF_ERR_CONFIGURED, pgdata="")
        self.assertIn("pgdata parameter is required", reason)
        reason, _ = n1.act("validate-all", OCF_ERR_CONFIGURED, pgdata="data")
        self.assertIn("absolute path", reason)
        reason, _ = n1.act("start", OCF_ERR_CONFIGURED, synchronous="maybe")
        self.assertIn("synchronous must be off, on or strict", reason)
        reason, _ = n1.act("start", OCF_ERR_INSTALLED, bindir="/nonexistent")
        self.assertIn("/nonexistent/pg_ctl not found", reason)
        n1.act("monitor", OCF_NOT_RUNNING, bindir="/nonexistent", CRM_meta_interval=0)
        # An empty data folder and no primary to copy it from: nothing to start.
        reason, _ = n1.act("start", OCF_ERR_GENERIC)
        self.assertIn("there is no primary to copy it from (primary_address is not set)", reason)


class ReplicationTest(PgCase):
    def test_start_copies_a_standby_from_the_primary_named_by_node_with_its_slot(self):
        n1 = self.first_primary()
        n1.sql("insert into t values (1, 'before the copy')")
        n2 = self.node("n2")
        n2.act("start", OCF_SUCCESS)
        self.assertEqual(n2.sql("select pg_is_in_recovery()"), "t")
        self.wait_streaming(n1, "n2:n2")
        conninfo = n2.sql("show primary_conninfo")
        self.assertIn("application_name=n2", conninfo)
        self.assertIn(f"port={n1.port}", conninfo)
        n1.sql("insert into t values (2, 'after the copy')")
        n2.wait_for("select count(*) from t", "2")
        n2.act("monitor", OCF_SUCCESS)
        n1.act("monitor", OCF_RUNNING_MASTER)
        # The primary scores its streaming standby; itself higher.
        self.assertEqual(self.attr("n2", "master-db"), "1000")
        self.assertEqual(self.attr("n1", "master-db"), "1001")
        n2.act("stop", OCF_SUCCESS)
        n2.act("monitor", OCF_NOT_RUNNING)
        n2.act("start", OCF_SUCCESS)  # a stopped standby restarts from its own data
        self.wait_streaming(n1, "n2:n2")
        # A standby that crashed (powered off) restarts from its own data too: no rewind,
        # no copy.
        n2.crash()
        n2.act("monitor", OCF_NOT_RUNNING, CRM_meta_interval=0)
        n1.sql("insert into t values (3, 'while n2 was down')")
        _, stderr = n2.act("start", OCF_SUCCESS)
        self.assertNotIn("pg_rewind", stderr)
        self.assertNotIn("pg_basebackup", stderr)
        self.wait_streaming(n1, "n2:n2")
        n2.wait_for("select count(*) from t", "3")
        self.assertEqual([f for f in os.listdir(n2.home) if "moved" in f], [])

    def test_a_replication_role_with_a_password_copies_and_streams(self):
        n1 = self.first_primary()
        n1.sql("create role rep login replication superuser password 'sekret'")
        hba = os.path.join(n1.pgdata, "pg_hba.conf")
        with open(hba) as f:
            rules = f.read()
        with open(hba, "w") as f:  # rep must give its password; first matching line wins
            f.write("host all rep 127.0.0.1/32 scram-sha-256\n"
                    "host replication rep 127.0.0.1/32 scram-sha-256\n" + rules)
        n1.sql("select pg_reload_conf()")
        n2 = self.node("n2")
        reason, _ = n2.act("start", OCF_ERR_GENERIC, repuser="rep", reppassword="wrong")
        self.assertIn("password authentication failed", reason)
        self.assertFalse(os.path.exists(os.path.join(n2.pgdata, "PG_VERSION")))
        n2.act("start", OCF_SUCCESS, repuser="rep", reppassword="sekret")
        self.wait_streaming(n1, "n2:n2")
        self.assertIn("user=rep", n2.sql("show primary_conninfo"))
        # The walreceiver reconnects with the password from primary_conninfo.
        n1.sql("select pg_terminate_backend(pid) from pg_stat_replication")
        n1.sql("insert into t values (1, 'after a reconnect')")
        n2.wait_for("select count(*) from t", "1")
        self.wait_streaming(n1, "n2:n2")


    def test_a_switchover_demotes_the_primary_to_a_standby_that_follows_the_new_primary(self):
        n1 = self.first_primary()
        n2 = self.node("n2")
        n2.act("start", OCF_SUCCESS)
        self.wait_streaming(n1, "n2:n2")
        n1.act("monitor", OCF_RUNNING_MASTER)
        n1.sql("insert into t values (1, 'just before the switchover')")
        n1.act("demote", OCF_SUCCESS)
        self.assertEqual(n1.sql("select pg_is_in_recovery()"), "t", "demote left a primary")
        self.assertFalse(os.path.exists(n1.lock), "a clean demote kept the lock")
        # primary_address still leads to n1 itself until the cluster moves it: n1 must not
        # stream from its own server.
        self.assertEqual(n1.sql("show primary_conninfo"), "")
        self.assertEqual(n2.sql("select count(*) from t"), "1",
                         "the demoted primary's last commit did not reach the standby")
        n2.act("promote", OCF_SUCCESS)
        self.primary = n2  # primary_address moves to n2
        self.assertEqual(self.attr("n1", "master-db"), "1001")  # demote writes no attribute
        n1.act("monitor", OCF_SUCCESS)
        self.assertEqual(self.attr("n1", "master-db"), "1", "the demoted primary kept its score")
        self.wait_streaming(n2, "n1:n1")
        n2.sql("insert into t values (2, 'after the switchover')")
        n1.wait_for("select count(*) from t", "2")
        n2.act("monitor", OCF_RUNNING_MASTER)
        self.assertEqual(self.attr("n1", "master-db"), "1000")  # ranked by the new primary


class RejoinCase(PgCase):
    def crash_diverged_primary(self, wal_log_hints):
        """n1 primary, n2 its standby; n2 stops, n1 writes a row only it has and crashes;
        n2 comes back and is promoted; n1's start must rejoin n2. Returns (n1, n2)."""
        n1 = self.first_primary(wal_log_hints=wal_log_hints)
        n2 = self.node("n2")
        n2.act("start", OCF_SUCCESS)
        n1.sql("insert into t values (1, 'on both')")
        n2.wait_for("select count(*) from t", "1")
        n2.act("stop", OCF_SUCCESS)
        n1.sql("insert into t values (2, 'only on the old primary')")
        n1.crash()
        self.assertTrue(os.path.exists(n1.lock), "the crashed primary has no lock")
        n2.act("start", OCF_SUCCESS)  # no primary answers: a standby from its own data
        self.primary = n2  # the floating address follows the promoted role
        n2.notify("pre", "promote", "n2", "n2")
        n2.act("promote", OCF_SUCCESS)
        n2.sql("insert into t values (3, 'on the new primary')")
        return n1, n2

    def assert_rejoined(self, n1, n2):
        self.assertEqual(n1.sql("select pg_is_in_recovery()"), "t", "the former primary came back as primary")
        self.wait_streaming(n2, "n1:n1")
        n1.wait_for("select string_agg(id::text, ' ' order by id) from t", "1 3")
        self.assertFalse(os.path.exists(n1.lock), "the rejoined former primary kept its lock")
        n1.act("monitor", OCF_SUCCESS)
        n2.act("monitor", OCF_RUNNING_MASTER)

    def moved_aside(self, n):
        return [f for f in os.listdir(n.home) if f.startswith("data.moved-")]


class RewindTest(RejoinCase):
    def test_a_crashed_former_primary_rejoins_the_new_primary_with_pg_rewind(self):
        n1, n2 = self.crash_diverged_primary(wal_log_hints=True)
        _, stderr = n1.act("start", OCF_SUCCESS)
        self.assertIn("pg_rewind", stderr)
        self.assert_rejoined(n1, n2)
        self.assertEqual(self.moved_aside(n1), [], "rewound, yet the data was copied afresh")

    def test_a_standby_away_during_a_failover_with_wal_past_the_fork_is_rewound(self):
        n1, n2, n3 = self.primary_with_standbys("n2", "n3")
        n3.act("stop", OCF_SUCCESS)
        n1.sql("insert into t values (1, 'n1 and n2 only')")
        n2.wait_for("select count(*) from t", "1")
        n2.act("stop", OCF_SUCCESS)  # away with WAL n3 never got
        n1.crash()
        self.primary = n3
        n3.act("start", OCF_SUCCESS)
        n3.notify("pre", "promote", "n3", "n3")
        n3.act("promote", OCF_SUCCESS)
        n3.sql("insert into t values (2, 'on the new primary')")
        _, stderr = n2.act("start", OCF_SUCCESS)
        self.assertIn("older timeline", stderr)
        self.wait_streaming(n3, "n2:n2")
        n2.wait_for("select string_agg(id::text, ' ' order by id) from t", "2")


class RewindLaterTest(RejoinCase):
    params = {"synchronous": "on"}

    def test_a_former_primary_back_before_the_failover_is_failed_by_monitor_then_rejoins(self):
        n1, n2 = self.primary_with_standbys("n2")
        n1.act("monitor", OCF_RUNNING_MASTER)
        n1.wait_for("show synchronous_standby_names", 'ANY 1 ("n2")')
        n1.sql("insert into t values (1, 'acknowledged by n2')")
        n2.act("stop", OCF_SUCCESS)
        # A commit n1 writes but nobody acknowledges, then n1 crashes: n1 has diverged.
        writer = self.commit_in_background(n1, "insert into t values (2, 'never acknowledged')")
        n1.wait_for("select count(*) from pg_stat_activity where wait_event = 'SyncRep'", "1")
        n1.crash()
        self.assertNotEqual(writer.wait(10), 0, "the unacknowledged commit was acknowledged")
        self.primary = n2  # not promoted yet: no primary answers anywhere
        _, stderr = n1.act("start", OCF_SUCCESS)
        self.assertIn("waiting as a standby", stderr)
        self.assertTrue(os.path.exists(n1.lock), "the former primary lost its lock before rejoining")
        n1.act("monitor", OCF_SUCCESS)
        n2.act("start", OCF_SUCCESS)
        for n in (n1, n2):
            n.notify("pre", "promote", "n2", "n1 n2")
        # n1 is further ahead, but only with what nobody acknowledged: n2 is promoted.
        n2.act("promote", OCF_SUCCESS)
        n2.sql("insert into t values (3, 'on the new primary')")
        # n1 is a standby on a timeline the new primary forked away from: monitor fails it
        # so that the cluster restarts it, and the restart rewinds it.
        reason, _ = n1.act("monitor", OCF_ERR_GENERIC)
        self.assertIn("former primary", reason)
        self.assertIn("pg_rewind", reason)
        n1.act("stop", OCF_SUCCESS)
        n1.act("start", OCF_SUCCESS)
        self.assert_rejoined(n1, n2)


class RebuildTest(RejoinCase):
    def test_without_wal_log_hints_the_former_primary_is_copied_afresh_old_data_kept(self):
        n1, n2 = self.crash_diverged_primary(wal_log_hints=False)
        _, stderr = n1.act("start", OCF_SUCCESS)
        self.assertIn("wal_log_hints is off", stderr)
        self.assert_rejoined(n1, n2)
        aside = self.moved_aside(n1)
        self.assertEqual(len(aside), 1, "the old data was not moved aside")
        self.assertTrue(os.path.exists(os.path.join(n1.home, aside[0], "PG_VERSION")))


class SyncTest(PgCase):
    params = {"synchronous": "on"}

    def names(self, n):
        return n.sql("show synchronous_standby_names")

    def test_on_names_the_streaming_standbys_and_drops_to_asynchronous_without_them(self):
        n1, n2, n3 = self.primary_with_standbys("n2", "n3")
        n1.act("monitor", OCF_RUNNING_MASTER)
        n1.wait_for("show synchronous_standby_names", 'ANY 1 ("n2", "n3")')
        self.assertEqual(self.sync_set(), "n2 n3")
        n1.wait_for("select string_agg(sync_state, ' ') from pg_stat_replication", "quorum quorum")
        n3.act("stop", OCF_SUCCESS)
        n1.act("monitor", OCF_RUNNING_MASTER)
        n1.wait_for("show synchronous_standby_names", 'ANY 1 ("n2")')
        # n3 may have acknowledged until the reload: published as a member one monitor longer.
        self.assertEqual(self.sync_set(), "n2 n3")
        n1.act("monitor", OCF_RUNNING_MASTER)
        self.assertEqual(self.sync_set(), "n2")
        n2.act("stop", OCF_SUCCESS)
        n1.act("monitor", OCF_RUNNING_MASTER)
        n1.act("monitor", OCF_RUNNING_MASTER)
        n1.wait_for("show synchronous_standby_names", "")
        self.assertEqual(self.sync_set(), "none")
        began = time.monotonic()
        n1.sql("insert into t values (1, 'asynchronous')")
        self.assertLess(time.monotonic() - began, 5)

    def test_strict_keeps_the_names_so_writes_wait_for_a_standby(self):
        self.params = {"synchronous": "strict"}
        n1, n2 = self.primary_with_standbys("n2")
        n1.act("monitor", OCF_RUNNING_MASTER)
        n1.wait_for("show synchronous_standby_names", 'ANY 1 ("n2")')
        n2.act("stop", OCF_SUCCESS)
        n1.act("monitor", OCF_RUNNING_MASTER)
        n1.act("monitor", OCF_RUNNING_MASTER)
        self.assertEqual(self.names(n1), 'ANY 1 ("n2")')
        self.assertEqual(self.sync_set(), "n2")
        # A commit now waits for n2 (strict: not acknowledged without a standby) ...
        writer = self.commit_in_background(n1, "insert into t values (1, 'waits')",
                                           stderr=subprocess.PIPE)
        n1.wait_for("select count(*) from pg_stat_activity where wait_event = 'SyncRep'", "1")
        time.sleep(1)
        self.assertIsNone(writer.poll(), "the commit returned without a synchronous standby")
        # ... and returns once n2 streams again, with the row on n2.
        n2.act("start", OCF_SUCCESS)
        self.assertEqual(writer.wait(20), 0, writer.stderr.read())
        n2.wait_for("select count(*) from t", "1")


class GuardTest(PgCase):
    params = {"synchronous": "on"}

    def three_nodes(self):
        n1, n2, n3 = self.primary_with_standbys("n2", "n3")
        n1.act("monitor", OCF_RUNNING_MASTER)
        n1.sql("insert into t values (1, 'acknowledged')")
        self.assertEqual(self.sync_set(), "n2 n3")
        return n1, n2, n3

    def test_a_standby_outside_the_synchronous_set_is_promoted_only_when_forced(self):
        n1, n2, n3 = self.three_nodes()
        n3.act("stop", OCF_SUCCESS)
        n1.act("monitor", OCF_RUNNING_MASTER)
        n1.act("monitor", OCF_RUNNING_MASTER)
        self.assertEqual(self.sync_set(), "n2")
        n1.sql("insert into t values (2, 'acknowledged by n2 alone')")
        n1.crash()
        n2.crash()  # the primary and its synchronous standby lost together
        self.primary = None
        n3.act("start", OCF_SUCCESS)
        n3.notify("pre", "promote", "n3", "n3")
        reason, _ = n3.act("promote", OCF_ERR_GENERIC)
        self.assertIn("n3 was not a synchronous standby", reason)
        self.assertEqual(n3.sql("select pg_is_in_recovery()"), "t")
        self.set_attr("n3", "db-allow-data-loss", "true")
        n3.act("promote", OCF_SUCCESS)
        self.assertEqual(n3.sql("select pg_is_in_recovery()"), "f")
        self.assertIsNone(self.attr("n3", "db-allow-data-loss"), "the force outlived its promotion")

    def test_a_synchronous_standby_waits_for_the_other_members_position(self):
        n1, n2, n3 = self.three_nodes()
        n1.crash()
        n2.crash()
        self.primary = None
        n3.notify("pre", "promote", "n3", "n3")
        reason, _ = n3.act("promote", OCF_ERR_GENERIC)
        self.assertIn("synchronous standby n2 has not reported its position", reason)
        n2.act("start", OCF_SUCCESS)
        for n in (n2, n3):
            n.notify("pre", "promote", "n3", "n2 n3")
        ahead = str(int(self.attr("n3", "db-lsn")) + 1000)
        self.set_attr("n2", "db-lsn", ahead)  # as if n2 had received more
        reason, _ = n3.act("promote", OCF_ERR_GENERIC)
        self.assertIn("n2 is further ahead", reason)
        self.assertEqual((self.attr("n2", "master-db"), self.attr("n3", "master-db")), ("1000", "1"))
        for n in (n2, n3):
            n.notify("pre", "promote", "n3", "n2 n3")
        n3.act("promote", OCF_SUCCESS)
        self.assertEqual(n3.sql("select count(*) from t"), "1")

    def test_the_chosen_standby_hands_the_promotion_to_one_further_ahead_before_promote(self):
        n1, n2, n3 = self.three_nodes()
        n1.crash()
        self.primary = None
        # First round of pre-promote notifications: every standby reports its position.
        for n in (n2, n3):
            n.notify("pre", "promote", "n3", "n2 n3")
        self.set_attr("n2", "db-lsn", str(int(self.attr("n3", "db-lsn")) + 1000))  # n2 got more
        # Next round (the positions changed the CIB): n3, chosen, hands it to n2 before promote.
        n3.notify("pre", "promote", "n3", "n2 n3")
        self.assertEqual((self.attr("n2", "master-db"), self.attr("n3", "master-db")), ("1000", "1"))
        self.assertEqual(n3.sql("select pg_is_in_recovery()"), "t")
        # n2, chosen then, keeps it: nobody is ahead of it.
        for n in (n2, n3):
            n.notify("pre", "promote", "n2", "n2 n3")
        self.assertEqual((self.attr("n2", "master-db"), self.attr("n3", "master-db")), ("1000", "1"))
        n2.act("promote", OCF_SUCCESS)
        self.assertEqual(n2.sql("select count(*) from t"), "1")

    def test_a_switchover_writes_nothing_between_the_demotion_and_the_promotion(self):
        # Every node writes its position after the demotion (post-demote); a change of the
        # CIB at pre-promote would make the cluster run that round of notifications again.
        n1, n2, n3 = self.three_nodes()
        for n in (n1, n2, n3):
            n.notify("pre", "demote", "n2", "n2 n3", demote="n1")
        n1.act("demote", OCF_SUCCESS)
        for n in (n1, n2, n3):
            n.notify("post", "demote", "n2", "n2 n3", demote="n1")
        after_demotion = self.attrs()
        self.assertIsNotNone(self.attr("n1", "db-final-lsn"))
        # The standbys' walreceivers come back to the old primary's address, where it now runs
        # as a standby, and stream from it (as through a VIP that has not moved yet).
        n1.wait_for("select count(*) > 0 from pg_stat_replication", "t")
        cascades = n1.sql("select string_agg(pid::text, ' ') from pg_stat_replication")
        # By pre-promote the VIP has left the old primary: those connections lead nowhere, and
        # their walsenders would run on until wal_sender_timeout. (Here the address stays, so
        # the walreceivers come back: new walsenders.)
        n1.notify("pre", "promote", "n2", "n1 n2 n3")
        for pid in cascades.split():
            n1.wait_for(f"select count(*) from pg_stat_activity where pid = {pid}", "0")
        for n in (n2, n3):
            n.notify("pre", "promote", "n2", "n1 n2 n3")
        self.assertEqual(self.attrs(), after_demotion)
        n2.act("promote", OCF_SUCCESS)
        self.primary = n2
        for n in (n1, n2, n3):
            n.notify("post", "promote", "n2", "n1 n2 n3")
        self.assertEqual(n2.sql("select count(*) from t"), "1")
        self.assertIsNone(self.attr("n1", "db-final-lsn"), "the old primary's end of WAL "
                          "outlived the promotion it vouched for")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    AGENT = os.path.abspath(sys.argv.pop(1))
    if os.geteuid() != 0:
        print("SKIPPED: runs PostgreSQL as user postgres, which needs root")
        sys.exit(77)
    if not os.path.exists(f"{BINDIR}/postgres"):
        missing("PostgreSQL 15", "postgresql-15")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        missing("user postgres", "postgresql-15")
    if not os.path.exists(os.path.join(OCF_ROOT, "lib/heartbeat/ocf-shellfuncs")):
        missing("the OCF shell library", "resource-agents")
    top = tempfile.mkdtemp(prefix="pulse-pgsql-template-")
    shutil.chown(top, "postgres")
    try:
        TEMPLATE = make_template(top)
        result = unittest.main(verbosity=2, exit=False).result
    finally:
        shutil.rmtree(top, True)
    sys.exit(0 if result.wasSuccessful() else 1)
