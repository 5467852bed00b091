"""A cluster of real crmd daemons on this machine, for membership_bench.py: node i of a
cluster gets the state directory TMP/ni, its admin API on ADDR_i:2224 and its ring0_addr ADDR_i
(UDP 5405), where ADDR_i = PREFIX.i in 127/8 (all of it is local on Linux). Each crmd logs to
TMP/ni.log, whose membership lines carry UTC timestamps with milliseconds (CLOCK_REALTIME, the
clock of Python's time.time()): what the benchmark measures latencies from.

Invariant: every crmd started here is in DAEMONS and every temporary folder in TEMP_DIRS, so
that cleanup() (registered by the benchmark with atexit, and run on errors) leaves nothing
running or behind.
"""

import datetime
import os
import re
import shutil
import subprocess
import tempfile
import time


PASSWORD = "bench-hacluster-pw"
ADMIN_PORT = 2224

# 2026-11-22T02:23:18.090Z crmd: membership: view installed: ring 1.1, members n1 n2 n3; ...
LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z crmd: (.*)$")
VIEW_LINE = re.compile(r"^membership: view installed: ring \S+, members((?: \S+)*);")


class SetupError(Exception):
    """The benchmark could not be set up (daemon did not start, pcs failed...)."""


# ---------------------------------------------------------------------------------------------
# Daemons and cleanup


class Daemons:
    """Every crmd this process started, so that all of them die whatever happens."""

    def __init__(self):
        self.procs = {}  # (cluster dir, node) -> Popen

    def add(self, key, proc):
        self.procs[key] = proc

    def kill_all(self):
        """SIGKILL every crmd still running and reap it (the benchmark's state is throwaway)."""
        for proc in list(self.procs.values()):
            if proc.poll() is None:
                try:
                    proc.kill()
                except ProcessLookupError:
                    pass
        for proc in list(self.procs.values()):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.procs.clear()


DAEMONS = Daemons()
TEMP_DIRS = []


def cleanup():
    """Kill the daemons, then remove the temp dirs. Safe to call more than once."""
    DAEMONS.kill_all()
    while TEMP_DIRS:
        shutil.rmtree(TEMP_DIRS.pop(), ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# A cluster of local nodes


def parse_stamp(text):
    """'2026-11-22T02:23:18.090' (UTC) -> seconds since the epoch."""
    dt = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f")
    return dt.replace(tzinfo=datetime.timezone.utc).timestamp()


class Node:
    def __init__(self, cluster, index):
        self.index = index
        self.name = f"n{index}"
        self.addr = f"{cluster.prefix}.{index}"
        self.state_dir = os.path.join(cluster.dir, self.name)
        self.log_path = os.path.join(cluster.dir, self.name + ".log")
        self.proc = None
        self.cluster = cluster

    @property
    def pid(self):
        return self.proc.pid

    def log_size(self):
        return os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0

    def events(self, offset=0):
        """(timestamp, text) of each log line from byte `offset` on."""
        out = []
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            for raw in f:
                m = LOG_LINE.match(raw.decode("utf-8", "replace").rstrip("\n"))
                if m:
                    out.append((parse_stamp(m.group(1)), m.group(2)))
        return out

    def views(self, offset=0):
        """(timestamp, set of member names) of each view this node installed after `offset`."""
        out = []
        for stamp, text in self.events(offset):
            m = VIEW_LINE.match(text)
            if m:
                out.append((stamp, set(m.group(1).split())))
        return out

    def start(self):
        """Starts crmd in the foreground (stderr appended to the log); waits for its admin API."""
        offset = self.log_size()
        logf = open(self.log_path, "ab")
        # Each node its own agent state folder, as on separate machines: Dummy keeps its
        # "running" file there, and nodes sharing one would see each other's resources.
        rsctmp = os.path.join(self.state_dir, "rsctmp")
        os.makedirs(rsctmp, exist_ok=True)
        extra = ["--ocf-root", self.cluster.ocf_root] if self.cluster.ocf_root else []
        self.proc = subprocess.Popen(
            [self.cluster.crmd, "--state-dir", self.state_dir,
             "--listen", f"{self.addr}:{ADMIN_PORT}", "--name", self.name, *extra],
            stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, start_new_session=True,
            env=dict(os.environ, HA_RSCTMP=rsctmp))
        logf.close()
        DAEMONS.add((self.cluster.dir, self.name), self.proc)
        self.wait_for_log("listening on", offset, timeout=20)

    def wait_for_log(self, needle, offset, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(needle in text for _, text in self.events(offset)):
                return
            if self.proc.poll() is not None:
                raise SetupError(f"crmd {self.name} exited with {self.proc.returncode}: "
                                 + self.tail())
            time.sleep(0.02)
        raise SetupError(f"crmd {self.name}: no '{needle}' within {timeout} s: " + self.tail())

    def tail(self, lines=5):
        try:
            with open(self.log_path, errors="replace") as f:
                return " | ".join(f.read().splitlines()[-lines:])
        except OSError:
            return "(no log)"


class Cluster:
    """N local nodes in a temp dir; pcs runs 'on' node 1 (its state dir holds the pins)."""

    def __init__(self, bindir, n, prefix, name):
        self.crmd = os.path.join(bindir, "crmd")
        self.pcs_bin = os.path.join(bindir, "pcs")
        self.prefix = prefix
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=f"pulse-{name}-")
        TEMP_DIRS.append(self.dir)
        self.ocf_root = None  # crmd's --ocf-root, when set
        self.nodes = [Node(self, i) for i in range(1, n + 1)]

    def pcs(self, *args, timeout=120, check=True):
        """Runs pcs with node 1's state dir; returns its stdout."""
        cmd = [self.pcs_bin, "--state-dir", self.nodes[0].state_dir, *args]
        try:
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise SetupError(f"timed out after {timeout} s: {' '.join(cmd)}") from e
        if check and r.returncode != 0:
            raise SetupError(f"exit {r.returncode}: {' '.join(cmd)}\n{r.stdout}{r.stderr}")
        return r.stdout

    def create(self, totem=()):
        """Passwords, daemons, host auth and cluster setup; the membership is not started."""
        for node in self.nodes:
            os.makedirs(node.state_dir)
            r = subprocess.run([self.crmd, "passwd", "--state-dir", node.state_dir],
                               input=PASSWORD + "\n", capture_output=True, text=True, timeout=30)
            if r.returncode != 0:
                raise SetupError(f"crmd passwd for {node.name}: {r.stderr.strip()}")
        for node in self.nodes:
            node.start()
        hosts = []
        for node in self.nodes:
            hosts += [node.name, f"addr={node.addr}:{ADMIN_PORT}"]
        self.pcs("host", "auth", *hosts, "-u", "hacluster", "-p", PASSWORD)
        setup = ["cluster", "setup", self.name] + [n.name for n in self.nodes]
        if totem:
            setup += ["totem", *totem]
        self.pcs(*setup)

    def wait_full_view(self, nodes, offsets, timeout):
        """Waits until each node installed a view holding all `nodes` after its offset; returns
        the latest of those first full views' timestamps."""
        want = {n.name for n in nodes}
        deadline = time.time() + timeout
        while True:
            firsts = []
            for node in nodes:
                full = [t for t, members in node.views(offsets[node.name]) if want <= members]
                if not full:
                    break
                firsts.append(full[0])
            else:
                return max(firsts)
            if time.time() > deadline:
                raise SetupError(f"no full view of {len(want)} nodes within {timeout} s")
            time.sleep(0.05)
