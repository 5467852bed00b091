"""The fault lab's cluster: a ResourceCluster (tests/cluster/resource_cluster.py) with the lab's
resource configuration, the lab's model of which nodes are up and how the network is split, and
the fault primitives the scenarios are made of (python3 standard library only).

The model is what the audits compare the cluster against: `expected_partitions()` is the list
of node groups that should each form one view (every node that runs crmd and whose link and
process are not frozen, grouped by the current network partition). A scenario changes the
cluster only through the methods here, so the model stays true; `restore()` brings every node
back (power on, crmd started, cluster started, network whole, nothing frozen) the way cts-lab
brings a node back after a test.
"""
import errno
import os
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "cluster"))

from resource_cluster import ResourceCluster  # noqa: E402  (path set just above)

# --- the configuration ------------------------------------------------------------------------
# Each entry knows how to create itself with pcs and how to find where it is *really* active by
# looking at the nodes themselves (addresses, agent state files), never at the cluster's status.
# A primitive (Vip, Dummy, Delay) runs on exactly one node; a clone (Clone, Promotable) has
# no primitives() of its own to place: it has one instance per allowed node, which the
# resources audit checks with instances().


@dataclass
class Vip:
    id: str
    ip: str

    def primitives(self):
        return [self]

    def create_args(self):
        # /32: every VIP is a primary address of its own. With /24 the first VIP of the
        # subnet is the primary and the kernel deletes the others with it when it is stopped
        # (no promote_secondaries), so moving one VIP away silently dropped its neighbours.
        # The harness's on-link route to the VIP range makes /32 VIPs reachable.
        return [self.id, "ocf:heartbeat:IPaddr2", f"ip={self.ip}", "cidr_netmask=32", "op",
                "monitor", "interval=5s"]

    def holders(self, lab):
        """Nodes with the address on an interface (`ip -o addr` in each node's namespace)."""
        def holds(i):
            text = subprocess.run(["ip", "-n", lab.namespace(i), "-o", "-4", "addr"],
                                  capture_output=True, text=True).stdout
            return any(f" {self.ip}/" in line for line in text.splitlines())

        return {f"n{i}" for i, yes in lab.each_node(range(1, lab.nodes + 1), holds).items()
                if yes}


@dataclass
class Dummy:
    id: str

    def primitives(self):
        return [self]

    def create_args(self):
        return [self.id, "ocf:heartbeat:Dummy", "op", "monitor", "interval=5s"]

    def state_file(self, lab, i):
        return os.path.join(lab.rsctmp(i), f"Dummy-{self.id}.state")

    def holders(self, lab):
        """Nodes whose agent state folder has the Dummy's state file."""
        return {f"n{i}" for i in range(1, lab.nodes + 1)
                if os.path.exists(self.state_file(lab, i))}


@dataclass
class Delay(Dummy):
    """ocf:heartbeat:Delay: a pseudo-resource whose monitor (probes too) sleeps `mondelay`
    seconds and start and stop a second: its agent process is alive for most of each monitor
    interval, so a scenario can kill it in mid-action, and its probes are in flight for
    seconds. (ocf:pacemaker:Dummy's op_sleep would do the same, but its monitor fails on its own
    when a killed monitor left its marker file behind.)"""
    mondelay: int = 3

    def create_args(self):
        return [self.id, "ocf:heartbeat:Delay", "startdelay=1", "stopdelay=1",
                f"mondelay={self.mondelay}", "op", "monitor", "interval=5s", "timeout=20s"]

    def state_file(self, lab, i):
        # ha_pseudo_resource's tracking file in HA_RSCTMP.
        return os.path.join(lab.rsctmp(i), f"Delay_{self.id}")


@dataclass
class Clone:
    """An anonymous clone of ocf:heartbeat:Dummy with clone-max = the number of nodes: one
    instance on every allowed node, each keeping its state file on its own node."""
    id: str
    primitive: str

    def primitives(self):
        return []

    def create_args(self, nodes):
        return [self.primitive, "ocf:heartbeat:Dummy", "op", "monitor", "interval=5s", "clone",
                self.id, f"clone-max={nodes}"]

    def state_file(self, lab, i):
        return os.path.join(lab.rsctmp(i), f"Dummy-{self.primitive}.state")

    def instances(self, lab):
        """{node: "Started"} for every node whose agent state folder has the instance's file."""
        return {f"n{i}": "Started" for i in range(1, lab.nodes + 1)
                if os.path.exists(self.state_file(lab, i))}


@dataclass
class Promotable:
    """ocf:pacemaker:Stateful as a promotable clone with promoted-max 1: one instance per
    allowed node, exactly one Promoted. Stateful writes its role into its state file."""
    id: str
    primitive: str

    def primitives(self):
        return []

    def create_args(self, nodes):
        # pcs takes the per-role monitors (10 s Promoted, 11 s Unpromoted) from the agent.
        return [self.primitive, "ocf:pacemaker:Stateful", "promotable", self.id,
                "promoted-max=1", f"clone-max={nodes}"]

    def state_file(self, lab, i):
        return os.path.join(lab.rsctmp(i), f"Stateful-{self.primitive}.state")

    def instances(self, lab):
        """{node: role} from the state file on each node ("Promoted" or "Unpromoted")."""
        out = {}
        for i in range(1, lab.nodes + 1):
            try:
                with open(self.state_file(lab, i)) as f:
                    out[f"n{i}"] = f.read().strip() or "(empty)"
            except FileNotFoundError:
                pass
        return out


@dataclass
class Group:
    id: str
    members: list = field(default_factory=list)

    def primitives(self):
        return list(self.members)

    def create_args(self):
        return None  # created member by member with --group


CONFIG = [
    Vip("vip1", "198.51.100.31"),
    Vip("vip2", "198.51.100.32"),
    Dummy("d1"),
    Dummy("d2"),
    Group("g1", [Vip("gvip", "198.51.100.33"), Dummy("gd")]),
    Delay("slow"),
    Clone("cd-clone", "cd"),
    Promotable("st-clone", "st"),
]


def primitives(config=CONFIG):
    return [p for entry in config for p in entry.primitives()]


def clones(config=CONFIG):
    return [entry for entry in config if isinstance(entry, (Clone, Promotable))]


def placements(lab):
    """Where everything really runs, read on the nodes: {primitive id: set of nodes} and
    {clone id: {node: role}}."""
    out = {p.id: p.holders(lab) for p in primitives(lab.config)}
    out.update({c.id: c.instances(lab) for c in clones(lab.config)})
    return out


# --- the cluster ------------------------------------------------------------------------------

class LabCluster(ResourceCluster):
    def __init__(self, crmd, pcs, nodes, seed):
        super().__init__(crmd, pcs, nodes=nodes, prefix=f"pulse-fl{os.getpid()}")
        self.rng = random.Random(seed)
        self.seed = seed
        self.down = set()          # node indices whose crmd is not running (stopped, fenced)
        self.frozen = set()        # node indices whose crmd is SIGSTOPped
        self.groups = None         # current partition: list of sets, None = one network
        self.lossy = set()         # nodes with nftables drop rules
        self.faulty = set()        # nodes with injected faults (set_faults)
        self.standby = set()
        self.log_mark = {}         # node -> log size in bytes before its last crmd start
        self.log_files = {}        # node -> its crmd log's path (the harness's, asked once)
        self.graceful = set()      # nodes stopped with SIGTERM (no reboot on start)
        self.config = CONFIG
        self.fence_mode = False
        self.mounts = []           # the lab's mounts, innermost last (unmounted in reverse)
        self.full = set()          # nodes whose state directory's disk is filled up

    # --- disks and clocks of their own -------------------------------------------------------
    # Each node's state directory is a tmpfs of its own (DISK_SIZE), mounted before any crmd
    # starts: crmd runs in a mount namespace of its own that `ip netns exec` copies from the
    # lab's at its start, and the machine's mounts are private (no propagation), so a mount
    # made later would never reach a running crmd. Filling that tmpfs from here fills crmd's
    # disk at once (the same filesystem). The agents' state folder (state_dir/rsctmp) is bound
    # over it from a folder of its own, as /run is a filesystem of its own on a real node.
    DISK_SIZE = "16m"

    def __enter__(self):
        super().__enter__()
        try:
            for i in range(1, self.nodes + 1):
                self._own_disk(i)
        except BaseException:
            self._unmount_all()
            super().__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        # Lazily: the crmd processes keep their own copies of the mounts until the harness
        # stops them; here the folders go back to the plain directories underneath.
        self.keep_logs()
        self._unmount_all()
        return super().__exit__(*exc)

    def _own_disk(self, i):
        d = self.state_dir(i)
        saved = d + ".seed"
        shutil.copytree(d, saved, symlinks=True)  # what crmd passwd put there
        self._mount(["-t", "tmpfs", "-o", f"size={self.DISK_SIZE},mode=0700", "tmpfs", d])
        shutil.copytree(saved, d, symlinks=True, dirs_exist_ok=True)
        shutil.rmtree(saved)
        agents = os.path.join(self.state, f"rsctmp-n{i}")
        os.makedirs(agents, exist_ok=True)
        os.makedirs(self.rsctmp(i), exist_ok=True)
        self._mount(["--bind", agents, self.rsctmp(i)])

    def _mount(self, args):
        subprocess.run(["mount", *args], check=True, capture_output=True, text=True)
        self.mounts.append(args[-1])

    def _unmount_all(self):
        for target in reversed(self.mounts):
            subprocess.run(["umount", "-l", target], capture_output=True)
        self.mounts.clear()

    def filler(self, i):
        return os.path.join(self.state_dir(i), "faultlab-filler")

    def fill_disk(self, i):
        """Node i's state directory's disk filled to the last block (a file of zeros written
        until ENOSPC)."""
        block = b"\0" * 65536
        with open(self.filler(i), "ab") as f:
            try:
                while True:
                    f.write(block)
                    f.flush()
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
        # The last partial block: what the buffered writes left unwritten.
        with open(self.filler(i), "ab", buffering=0) as f:
            for size in (4096, 512, 1):
                try:
                    while True:
                        f.write(b"\0" * size)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
        self.full.add(i)

    def free_disk(self, i):
        try:
            os.unlink(self.filler(i))
        except FileNotFoundError:
            pass
        self.full.discard(i)

    def clock_offset_file(self, i):
        return os.path.join(self.state, f"clock-offset-n{i}")

    def set_clock_offset(self, i, seconds):
        """Node i's crmd reads its wall clock `seconds` off the machine's from now on (within a
        second: the test hook of common/wall_clock.h, PULSE_TEST_WALL_CLOCK_OFFSET_FILE)."""
        tmp = self.clock_offset_file(i) + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{int(seconds)}\n")
        os.replace(tmp, self.clock_offset_file(i))

    def faults_file(self, i):
        return os.path.join(self.state, f"faults-n{i}")

    def set_faults(self, i, **faults):
        """Node i's crmd injects `faults` from now on (within a second), e.g.
        packet_delay_ms=80, packet_jitter_ms=40, packet_duplicate_percent=30, fsync_delay_ms=500
        (the test hook of common/test_faults.h, PULSE_TEST_FAULTS_FILE); none clears them."""
        tmp = self.faults_file(i) + ".tmp"
        with open(tmp, "w") as f:
            f.writelines(f"{name}={int(value)}\n" for name, value in faults.items())
        os.replace(tmp, self.faults_file(i))
        if faults:
            self.faulty.add(i)
        else:
            self.faulty.discard(i)

    def start_crmd(self, i, wait=True):
        saved = self.env
        self.env = dict(saved, PULSE_TEST_WALL_CLOCK_OFFSET_FILE=self.clock_offset_file(i),
                        PULSE_TEST_FAULTS_FILE=self.faults_file(i))
        try:
            super().start_crmd(i, wait)
        finally:
            self.env = saved

    # --- bring-up --------------------------------------------------------------------------
    def setup(self):
        # Core files land in the crmd's working folder (kernel.core_pattern is usually a bare
        # "core"): every crmd starts with its cwd in the run's state folder and may dump.
        import resource
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        os.chdir(self.state)
        self.bring_up("faultlab")
        self.fence_mode = self.use_fence_device()
        if not self.fence_mode:
            raise AssertionError("cannot create the fence device fence_pulse_netns")
        self.pcs_retry(1, "property", "set", "stonith-enabled=true")
        for entry in self.config:
            if isinstance(entry, Group):
                for m in entry.members:
                    self.pcs_retry(1, "resource", "create", *m.create_args(), "--group",
                                   entry.id)
            elif isinstance(entry, (Clone, Promotable)):
                self.pcs_retry(1, "resource", "create", *entry.create_args(self.nodes))
            else:
                self.pcs_retry(1, "resource", "create", *entry.create_args())

    def pcs_retry(self, i, *args, attempts=20, timeout=60):
        """pcs on node i, again while it fails (a busy CIB, an election)."""
        last = None
        for _ in range(attempts):
            last = self.pcs(i, *args, check=False, timeout=timeout)
            if last.returncode == 0:
                return last
            time.sleep(0.5)
        raise AssertionError(f"pcs {' '.join(args)} on n{i} kept failing: "
                             f"{last.stdout}{last.stderr}")

    # --- the model -------------------------------------------------------------------------
    def running(self):
        return [i for i in range(1, self.nodes + 1) if i not in self.down]

    def live(self):
        """Nodes that should take part in a view: running and not frozen."""
        return [i for i in self.running() if i not in self.frozen]

    def expected_partitions(self):
        live = set(self.live())
        groups = self.groups or [set(range(1, self.nodes + 1))]
        out = [sorted(g & live) for g in groups]
        return [g for g in out if g]

    def quorate(self, group):
        return 2 * len(group) > self.nodes

    def any_live(self, among=None):
        nodes = [i for i in (among or self.live()) if i in self.live()]
        return nodes[0] if nodes else None

    def pick(self, among=None):
        return self.rng.choice(sorted(among or self.live()))

    def process_running(self, i, name="crmd"):
        """Asked three times: the harness's check (`ip netns identify`) can miss a live process
        while other runs on the machine add or delete namespaces."""
        for attempt in range(3):
            if self.harness("pid", str(i), name, check=False).returncode == 0:
                return True
            time.sleep(0.2)
        return False

    def each_node(self, nodes, do):
        """{i: do(i)} for the nodes at once (independent calls into each node: pcs, the
        harness), so that a round over five nodes takes about one call's time."""
        nodes = list(nodes)
        if len(nodes) <= 1:
            return {i: do(i) for i in nodes}
        with ThreadPoolExecutor(max_workers=len(nodes)) as pool:
            return dict(zip(nodes, pool.map(do, nodes)))

    def refresh_down(self):
        """Nodes the cluster fenced meanwhile (power-off kills crmd) join the down set."""
        up = self.each_node([i for i in range(1, self.nodes + 1) if i not in self.down],
                            self.process_running)
        for i, running in sorted(up.items()):
            if not running:
                self.down.add(i)
                self.frozen.discard(i)

    # --- faults ----------------------------------------------------------------------------
    def stop_node(self, i):
        """Graceful stop: SIGTERM to crmd (it leaves the membership)."""
        self.harness("stop", str(i), "crmd", "20", check=False, timeout=60)
        self.down.add(i)
        self.graceful.add(i)

    def kill_node_crmd(self, i):
        self.harness("kill", str(i), "crmd", check=False)
        self.down.add(i)

    def start_node(self, i, wait=True):
        """crmd started again and waited for until it listens. A node that did not stop
        gracefully was powered off by a fence device or reset by its watchdog (crmd's death
        fires it): it boots, and a boot empties /run, the agents' state files with it."""
        if self.powered_off(i):
            self.harness("power-on", str(i))
        if not self.process_running(i, "web"):
            self.start_service(i)
        started = not self.process_running(i)
        if started:
            if i not in self.graceful:
                shutil.rmtree(self.rsctmp(i), ignore_errors=True)
            self.log_mark[i] = self.log_size(i)
            self.start_crmd(i, wait=False)
            if wait:
                self.wait_listening(i)
        self.graceful.discard(i)
        self.down.discard(i)
        return started

    def start_nodes(self, nodes):
        """start_node for each, the crmds started together and then waited for."""
        for i in [i for i in nodes if self.start_node(i, wait=False)]:
            self.wait_listening(i)

    def log_path(self, i):
        if i not in self.log_files:
            self.log_files[i] = super().log_path(i)
        return self.log_files[i]

    def log_size(self, i):
        try:
            return os.path.getsize(self.log_path(i))
        except OSError:
            return 0

    def log_since(self, i, offset):
        """Node i's crmd log from byte `offset` on (only what a run wrote since: the whole log
        grows with every event of a soak, and reading it all at every poll took seconds)."""
        try:
            with open(self.log_path(i), "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def wait_listening(self, i):
        # Generous: the machine may be busy (2 cores shared with builds).
        self.wait_for(lambda: "listening on" in self.log_since(i, self.log_mark.get(i, 0)),
                      40, f"crmd on n{i} to listen", interval=0.2)

    def cluster_start(self, i):
        self.pcs(i, "cluster", "start", "--wait=0", check=False, timeout=30)

    def boot_node(self, i):
        """start_node + cluster start on it (its own pcs)."""
        self.start_node(i)
        self.cluster_start(i)

    def freeze(self, i):
        self.harness("freeze", str(i), "crmd")
        self.frozen.add(i)

    def thaw(self, i):
        self.harness("thaw", str(i), "crmd", check=False)
        self.frozen.discard(i)

    def partition(self, groups):
        self.harness("partition", *(" ".join(str(i) for i in sorted(g)) for g in groups))
        self.groups = [set(g) for g in groups]

    def unpartition(self):
        self.harness("unpartition")
        self.groups = None

    def nft(self, i, *rule, check=True):
        return subprocess.run(["ip", "netns", "exec", self.namespace(i), "nft", *rule],
                              capture_output=True, text=True, check=check)

    def set_loss(self, i, percent):
        """Random drops of `percent`% of node i's packets both ways (nftables numgen)."""
        self.clear_loss(i)
        self.nft(i, "add", "table", "inet", "faultlab")
        for chain, hook in (("in", "input"), ("out", "output")):
            self.nft(i, "add", "chain", "inet", "faultlab", chain,
                     f"{{ type filter hook {hook} priority 0; }}")
            self.nft(i, "add", "rule", "inet", "faultlab", chain, "meta", "l4proto", "udp",
                     "numgen", "random", "mod", "100", "<", str(percent), "drop")
        self.lossy.add(i)

    def clear_loss(self, i):
        self.nft(i, "delete", "table", "inet", "faultlab", check=False)
        self.lossy.discard(i)

    def restore(self):
        """Every node back: network whole, nothing frozen, no drops, every node powered on,
        crmd running and the cluster started on it."""
        for i in sorted(self.frozen):
            self.thaw(i)
        for i in sorted(self.lossy):
            self.clear_loss(i)
        for i in sorted(self.full):
            self.free_disk(i)
        for i in range(1, self.nodes + 1):
            self.set_clock_offset(i, 0)
        for i in sorted(self.faulty):
            self.set_faults(i)
        if self.groups:
            self.unpartition()
        self.refresh_down()
        self.start_nodes(sorted(self.down))
        self.each_node(range(1, self.nodes + 1), self.cluster_start)
        # A DC that forms meanwhile fences the nodes it has not seen yet (startup fencing);
        # one fenced while it was booting is powered off again: boot it once more.
        for _ in range(3):
            time.sleep(2)
            again = [i for i, bad in self.each_node(
                range(1, self.nodes + 1),
                lambda i: self.powered_off(i) or not self.process_running(i)).items() if bad]
            if not again:
                break
            for i in again:
                self.down.add(i)
            self.start_nodes(again)
            self.each_node(again, self.cluster_start)
        for i in sorted(self.standby):
            self.pcs_retry(self.any_live(), "node", "unstandby", f"n{i}")
        self.standby.clear()
