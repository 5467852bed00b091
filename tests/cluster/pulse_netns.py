"""A Pulse cluster of real crmd processes in network namespaces, for tests, the demo and
benchmarks (python3 standard library only).

Every node I is the harness namespace P-nI (address 192.0.2.(10+I), see
tests/harness/netns_cluster.sh) running `crmd --state-dir STATE/nI --name nI`; `pcs(I, ...)`
runs pcs inside node I's namespace with node I's state directory, as an operator logged in on
that node would. The namespaces, the processes and the state directories are always removed
on exit from the `with` block, also when a test fails.

    with NetnsCluster(3, crmd=..., pcs=...) as c:
        c.start_all_crmd()
        c.form("web")                       # host auth + cluster setup + cluster start --all
        c.kill_crmd(3); ...
"""
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

HARNESS = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                        "harness", "netns_cluster.sh"))
PASSWORD = "pulse-test-password"
VIEW_RE = re.compile(r"membership: view installed: ring (\S+), members ([^;]*); (NOT )?quorate")


def node_address(i: int) -> str:
    return f"192.0.2.{10 + i}"


@dataclass
class ViewEvent:
    at: float          # seconds since the epoch (crmd's log stamp, millisecond resolution)
    ring: str
    members: list
    quorate: bool


def parse_stamp(stamp: str) -> float:
    """'2026-11-22T02:23:18.090Z' -> epoch seconds."""
    dt = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")
    return dt.replace(tzinfo=datetime.timezone.utc).timestamp()


class NetnsCluster:
    def __init__(self, nodes: int, crmd: str, pcs: str, extra_namespaces: int = 0,
                 prefix: str = None, state_root: str = None, keep: bool = False,
                 crmd_args=()):
        """state_root: where the nodes' state directories go (default: a new temporary
        directory); keep: leave everything running on exit (the demo), owned by nobody so that
        later harness runs do not sweep it; crmd_args: more options for every crmd (the
        watchdog's, for instance)."""
        self.nodes = nodes
        self.extra_crmd_args = list(crmd_args)
        self.state_root = state_root
        self.keep = keep
        self.crmd = os.path.abspath(crmd)
        self.pcs_bin = os.path.abspath(pcs)
        self.namespaces = nodes + extra_namespaces
        self.prefix = prefix or f"pulse-t{os.getpid()}"
        self.state = None
        fence = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                              "..", "resource-agents", "fence"))
        self.fence_agent_dirs = "/usr/sbin:" + fence
        # pcs (stonith create/list) and crmd look fence agents up in the same directories.
        self.env = dict(os.environ, PULSE_NETNS_PREFIX=self.prefix,
                        PULSE_FENCE_AGENT_DIRS=self.fence_agent_dirs)

    # --- lifecycle -------------------------------------------------------------------------
    def __enter__(self):
        if self.state_root:
            shutil.rmtree(self.state_root, ignore_errors=True)
            os.makedirs(self.state_root, mode=0o700)
            self.state = self.state_root
        else:
            self.state = tempfile.mkdtemp(prefix="pulse-netns-state-")
        self.harness("up", str(self.namespaces), *(["--owner", "0"] if self.keep else []))
        for i in range(1, self.nodes + 1):
            os.makedirs(self.state_dir(i), mode=0o700)
            subprocess.run([self.crmd, "passwd", "--state-dir", self.state_dir(i)],
                           input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        return self

    def __exit__(self, *exc):
        if self.keep and exc[0] is None:
            return False
        self.keep_logs()
        self.harness("down", check=False)
        if self.state:
            shutil.rmtree(self.state, ignore_errors=True)
        return False

    def keep_logs(self):
        """With PULSE_NETNS_KEEP_LOGS=DIR: each node's crmd log and the engine inputs its DC
        saved (pe-input-N, to replay with pe-simulate) copied to DIR. Before the state folders
        go away (a subclass with folders of their own calls it before unmounting them)."""
        keep = os.environ.get("PULSE_NETNS_KEEP_LOGS")
        if not keep:
            return
        for i in range(1, self.nodes + 1):
            try:
                shutil.copy(self.log_path(i), os.path.join(keep, f"{self.prefix}-n{i}.log"))
            except OSError:
                pass
            pengine = os.path.join(self.state_dir(i), "pengine")
            if os.path.isdir(pengine):
                shutil.copytree(pengine, os.path.join(keep, f"{self.prefix}-n{i}-pengine"),
                                dirs_exist_ok=True)

    def harness(self, *args, check=True, timeout=60):
        return subprocess.run([HARNESS, *args], env=self.env, check=check, text=True,
                              capture_output=True, timeout=timeout)

    def state_dir(self, i: int) -> str:
        return os.path.join(self.state, f"n{i}")

    def namespace(self, i: int) -> str:
        return f"{self.prefix}-n{i}"

    def rsctmp(self, i: int) -> str:
        """Node i's agent state folder (HA_RSCTMP given to its crmd, see start_crmd)."""
        return os.path.join(self.state_dir(i), "rsctmp")

    def power_off(self, i: int) -> float:
        """The harness's fence device: every process of node i killed, its VIPs dropped, its
        link down. Returns the time just before."""
        at = time.time()
        self.harness("power-off", str(i))
        return at

    def powered_off(self, i: int) -> bool:
        return self.harness("power-status", str(i), check=False).returncode == 2

    def boot(self, i: int, via: int):
        """Power node i on, start its crmd and `pcs cluster start ni` from node `via`."""
        self.harness("power-on", str(i))
        self.start_crmd(i)
        self.pcs(via, "cluster", "start", f"n{i}")

    # --- crmd ------------------------------------------------------------------------------
    def start_crmd(self, i: int, wait: bool = True):
        lines_before = len(self.log_lines(i)) if os.path.exists(self.log_path(i)) else 0
        # Each node its own agent state directory, as on separate machines (see HA_RSCTMP in
        # crmd/executor/agent_process.cc); HA_VARRUN too (Stateful keeps its role there).
        rsctmp = os.path.join(self.state_dir(i), "rsctmp")
        os.makedirs(rsctmp, exist_ok=True)
        subprocess.run([HARNESS, "start", str(i), "crmd", self.crmd, "--state-dir",
                        self.state_dir(i), "--name", f"n{i}", *self.crmd_args(),
                        *self.extra_crmd_args],
                       env=dict(self.env, HA_RSCTMP=rsctmp, HA_VARRUN=rsctmp), check=True,
                       text=True, capture_output=True, timeout=60)
        if wait:
            self.wait_for(lambda: any("listening on" in text
                                      for _, text in self.log_lines(i)[lines_before:]),
                          10, f"crmd on n{i} to listen")

    def crmd_args(self):
        """Agents from the build tree: its OCF root (Debian's agents + Pulse's) and Pulse's
        fence agents next to Debian's."""
        build = os.path.dirname(os.path.dirname(self.crmd))
        return ["--ocf-root", os.path.join(build, "ocf"),
                "--fence-agent-path", self.fence_agent_dirs]

    def start_all_crmd(self):
        for i in range(1, self.nodes + 1):
            self.start_crmd(i, wait=False)
        for i in range(1, self.nodes + 1):
            self.wait_for(lambda i=i: any("listening on" in t for _, t in self.log_lines(i)), 10,
                          f"crmd on n{i} to listen")

    def kill_crmd(self, i: int) -> float:
        """SIGKILL node i's crmd; returns the time just before the signal."""
        pid = int(self.harness("pid", str(i), "crmd").stdout.strip())
        at = time.time()
        os.kill(pid, 9)
        self.harness("kill", str(i), "crmd", check=False)  # waits until it is gone
        return at

    def stop_crmd(self, i: int):
        self.harness("stop", str(i), "crmd")

    def log_path(self, i: int) -> str:
        return self.harness("log", str(i), "crmd").stdout.strip()

    def log_lines(self, i: int):
        """[(epoch seconds, text)] of node i's crmd log."""
        out = []
        try:
            with open(self.log_path(i), encoding="utf-8", errors="replace") as f:
                for line in f:
                    stamp, _, text = line.rstrip("\n").partition(" crmd: ")
                    try:
                        out.append((parse_stamp(stamp), text))
                    except ValueError:
                        continue
        except FileNotFoundError:
            pass
        return out

    def views(self, i: int):
        """Every view node i installed, in order."""
        events = []
        for at, text in self.log_lines(i):
            m = VIEW_RE.search(text)
            if m:
                events.append(ViewEvent(at, m.group(1), m.group(2).split(), m.group(3) is None))
        return events

    def detection_time(self, victim: int, killed_at: float, survivors, timeout=10) -> float:
        """Seconds from `killed_at` until the last survivor installed a view without node
        `victim` (from their logs)."""
        name = f"n{victim}"

        def all_detected():
            times = []
            for i in survivors:
                after = [v for v in self.views(i) if v.at >= killed_at - 0.002
                         and name not in v.members]
                if not after:
                    return None
                times.append(after[0].at)
            return max(times)

        return self.wait_for(all_detected, timeout, f"survivors to drop {name}") - killed_at

    # --- pcs -------------------------------------------------------------------------------
    def pcs(self, i: int, *args, check=True, input=None, timeout=120):
        """Runs pcs in node i's namespace with its state directory."""
        result = self.harness("exec", str(i), self.pcs_bin, "--state-dir", self.state_dir(i),
                              *args, check=False, timeout=timeout) if input is None else \
            subprocess.run([HARNESS, "exec", str(i), self.pcs_bin, "--state-dir",
                            self.state_dir(i), *args], env=self.env, text=True,
                           capture_output=True, input=input, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"pcs {' '.join(args)} on n{i} exited {result.returncode}:\n"
                                 f"{result.stdout}{result.stderr}")
        return result

    def pcs_json(self, i: int, *args):
        return json.loads(self.pcs(i, *args, "--output-format=json").stdout)

    def auth_all(self, on: int = 1):
        hosts = []
        for i in range(1, self.nodes + 1):
            hosts += [f"n{i}", f"addr={node_address(i)}"]
        self.pcs(on, "host", "auth", *hosts, "-u", "hacluster", "-p", PASSWORD)

    def form(self, name: str = "test", options=(), on: int = 1):
        """host auth + cluster setup + cluster start --all (which waits for one full view)."""
        self.auth_all(on)
        nodes = [f"n{i}" for i in range(1, self.nodes + 1)]
        self.pcs(on, "cluster", "setup", name, *nodes, *options)
        return self.pcs(on, "cluster", "start", "--all")

    # --- waiting ---------------------------------------------------------------------------
    @staticmethod
    def wait_for(predicate, timeout: float, what: str, interval: float = 0.05):
        deadline = time.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.time() >= deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            time.sleep(interval)


class Checks:
    """ok/check lines for a test script and its main(): PASS/FAIL/SKIPPED with exit 0/1/77."""

    def __init__(self):
        self.count = 0

    def ok(self, what: str):
        self.count += 1
        print(f"ok {self.count:2d} - {what}", flush=True)

    def check(self, condition: bool, what: str, detail: str = ""):
        if not condition:
            raise AssertionError(what + (f": {detail}" if detail else ""))
        self.ok(what)

    def main(self, doc: str, body) -> int:
        """Runs body(crmd, pcs) with argv's two binaries; needs root and ip netns."""
        if len(sys.argv) != 3:
            print(doc)
            return 2
        if os.geteuid() != 0 or subprocess.run(["ip", "netns", "list"],
                                               capture_output=True).returncode != 0:
            print("SKIPPED: needs root and network namespaces")
            return 77
        started = time.time()
        try:
            body(sys.argv[1], sys.argv[2])
        except AssertionError as e:
            print(f"FAIL: {e}")
            return 1
        print(f"PASS: {self.count} checks in {time.time() - started:.1f} s")
        return 0
