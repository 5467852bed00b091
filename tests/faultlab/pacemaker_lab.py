"""Debian's Pacemaker 2.1 + Corosync 3 on the fault lab's namespace harness, for comparing
Pulse with them (compare.py). Python standard library only; needs root.

Every node I is the harness namespace P-nI (tests/harness/netns_cluster.sh) running `corosync
-f` and `pacemakerd` directly (no systemd), each started with `netns_cluster.sh start`, whose
mount namespace gets the node's own folders bound over the machine's:

    /etc/corosync        corosync.conf (knet on the namespace addresses) + the shared authkey
    /var/lib/corosync    /var/lib/pacemaker (cib, pengine, blackbox, cores)
    /var/log/corosync    /var/log/pacemaker
    /run                 a folder of the node's own (corosync's pid lock is /run/corosync.pid)
    /run/resource-agents the harness's agent state folder of the node (HA_RSCTMP), also
                         HA_VARRUN (ocf:pacemaker:Stateful keeps its role there)

Pacemaker's IPC (libqb) goes through abstract unix sockets, which belong to the network
namespace, so crm_mon, cibadmin and crm_resource run with a plain `ip netns exec` reach that
node's daemons. The resources are the fault lab's (lab_cluster.CONFIG), made with Debian's pcs
on a copy of the CIB (`pcs -f`) and pushed with cibadmin. Stonith is disabled, or with
stonith=True enabled with the fence device `fence` of Pulse's lab (fence_pulse_netns, the
harness's power switch), made visible to the fencer by an overlay of /usr/sbin in each node's
mount namespace (the fencer only runs agents from there).

The audits read crm_mon's XML on every node: one view per expected partition (the nodes online
and quorum as each member sees them), one DC per quorate partition, the same CIB on each of its
members (version and digest of `cibadmin -Q`), every primitive Started on exactly one node and
really active there only (addresses, agent state files: lab_cluster's holders), every clone
instance on every node, exactly one Promoted, no failed action; pacemakerd, corosync and
pacemaker-controld running on every node that is up.
"""
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import audits  # noqa: E402
from lab_cluster import CONFIG, Clone, Group, Promotable, clones, primitives  # noqa: E402

HARNESS = os.path.normpath(os.path.join(HERE, "..", "harness", "netns_cluster.sh"))
BASE = os.environ.get("PULSE_NETNS_BASE", "/run/pulse-netns")
TOKEN_MS = 1000  # Pulse's default token; token_coefficient 0 keeps it at that for 3+ nodes

# Bound over the machine's folders in each daemon's mount namespace ($1 = the node's folder).
WRAP = r'''
set -e
# A /run of the node's own (corosync's pid lock is /run/corosync.pid), with the harness's
# agent state folder, bound at /run/resource-agents just before, carried over into it.
# The namespaces' names (/run/netns) and the harness's runs come along: the fence device runs
# the harness inside the node.
mkdir -p "$1/run/resource-agents" "$1/run/netns" "$1/run/pulse-netns"
mount --bind /run/resource-agents "$1/run/resource-agents"
mount --rbind /run/netns "$1/run/netns"
mount --rbind "${PULSE_NETNS_BASE:-/run/pulse-netns}" "$1/run/pulse-netns"
mount --rbind "$1/run" /run
# With stonith: the fence device's agent among the ones Pacemaker's fencer runs (/usr/sbin).
if [ -n "${PULSE_FENCE_DIR:-}" ]; then
  mount -t overlay overlay -o "lowerdir=$PULSE_FENCE_DIR:/usr/sbin" /usr/sbin
fi
for d in etc-corosync:/etc/corosync lib-corosync:/var/lib/corosync \
         lib-pacemaker:/var/lib/pacemaker log-corosync:/var/log/corosync \
         log-pacemaker:/var/log/pacemaker; do
  mount --bind "$1/${d%%:*}" "${d#*:}"
done
shift
export PCMK_logfile=/var/log/pacemaker/pacemaker.log HA_VARRUN=/run/resource-agents/
exec "$@"
'''

CONF = """totem {{
  version: 2
  cluster_name: pulsecmp
  transport: knet
  crypto_cipher: aes256
  crypto_hash: sha256
  token: {token}
  token_coefficient: 0
}}
logging {{
  to_stderr: no
  to_logfile: yes
  logfile: /var/log/corosync/corosync.log
  to_syslog: no
  timestamp: on
}}
quorum {{
  provider: corosync_votequorum
}}
nodelist {{
{nodes}
}}
"""


def tools_present():
    """None when Pacemaker and Corosync can run here, else why not."""
    for tool in ("corosync", "pacemakerd", "crm_mon", "cibadmin", "corosync-keygen", "pcs"):
        if not shutil.which(tool):
            return f"{tool} is not installed (./dev deps test)"
    return None


class PacemakerLab:
    """The fault lab's model (down nodes, partitions) over a Pacemaker + Corosync cluster."""

    def __init__(self, nodes, seed, stonith=False):
        self.nodes = nodes
        self.rng = random.Random(seed)
        self.prefix = f"pulse-pk{os.getpid()}"
        self.env = dict(os.environ, PULSE_NETNS_PREFIX=self.prefix)
        self.config = CONFIG
        self.down = set()
        self.groups = None
        self.standby = set()
        self.state = None
        self.stonith = stonith
        if stonith:
            self.env["PULSE_FENCE_DIR"] = os.path.normpath(
                os.path.join(HERE, "..", "..", "resource-agents", "fence"))

    # --- lifecycle -------------------------------------------------------------------------
    def __enter__(self):
        self.state = tempfile.mkdtemp(prefix="pulse-pcmk-state-")
        self.harness("up", str(self.nodes))
        key = os.path.join(self.state, "authkey")
        subprocess.run(["corosync-keygen", "-k", key], check=True, capture_output=True)
        nodelist = "\n".join(f"  node {{\n    name: n{i}\n    nodeid: {i}\n"
                             f"    ring0_addr: 192.0.2.{10 + i}\n  }}"
                             for i in range(1, self.nodes + 1))
        conf = CONF.format(token=TOKEN_MS, nodes=nodelist)
        for i in range(1, self.nodes + 1):
            d = self.node_dir(i)
            for sub in ("etc-corosync", "lib-corosync", "log-corosync", "log-pacemaker",
                        "lib-pacemaker/cib", "lib-pacemaker/pengine", "lib-pacemaker/blackbox",
                        "lib-pacemaker/cores"):
                os.makedirs(os.path.join(d, sub), exist_ok=True)
            with open(os.path.join(d, "etc-corosync", "corosync.conf"), "w") as f:
                f.write(conf)
            shutil.copy(key, os.path.join(d, "etc-corosync", "authkey"))
            os.chmod(os.path.join(d, "etc-corosync", "authkey"), 0o400)
            for sub in ("lib-pacemaker", "log-pacemaker"):
                subprocess.run(["chown", "-R", "hacluster:haclient", os.path.join(d, sub)],
                               check=True)
        return self

    def __exit__(self, *exc):
        keep = os.environ.get("PULSE_NETNS_KEEP_LOGS")
        if keep and self.state:
            for i in range(1, self.nodes + 1):
                for sub, name in (("log-pacemaker/pacemaker.log", "pacemaker.log"),
                                  ("log-corosync/corosync.log", "corosync.log")):
                    try:
                        shutil.copy(os.path.join(self.node_dir(i), sub),
                                    os.path.join(keep, f"{self.prefix}-n{i}-{name}"))
                    except OSError:
                        pass
        self.harness("down", check=False, timeout=120)
        if self.state:
            shutil.rmtree(self.state, ignore_errors=True)
        return False

    def harness(self, *args, check=True, timeout=60):
        return subprocess.run([HARNESS, *args], env=self.env, check=check, text=True,
                              capture_output=True, timeout=timeout)

    def node_dir(self, i):
        return os.path.join(self.state, f"n{i}")

    def namespace(self, i):
        return f"{self.prefix}-n{i}"

    def rsctmp(self, i):
        """Node i's /run/resource-agents (the harness binds it in every process it starts)."""
        return os.path.join(BASE, self.prefix, "rsctmp", f"n{i}")

    def tool(self, i, *args, timeout=30, input=None):
        """A Pacemaker command line tool run on node i (its IPC is the namespace's)."""
        try:
            return subprocess.run(["ip", "netns", "exec", self.namespace(i), *args], text=True,
                                  capture_output=True, timeout=timeout, input=input)
        except subprocess.TimeoutExpired as e:
            return subprocess.CompletedProcess(e.cmd, 124, "", f"timed out after {timeout} s")

    # --- the model (as LabCluster's) -------------------------------------------------------
    def running(self):
        return [i for i in range(1, self.nodes + 1) if i not in self.down]

    def live(self):
        return self.running()

    def expected_partitions(self):
        live = set(self.live())
        groups = self.groups or [set(range(1, self.nodes + 1))]
        return [g for g in (sorted(g & live) for g in groups) if g]

    def quorate(self, group):
        return 2 * len(group) > self.nodes

    def any_live(self):
        live = self.live()
        return live[0] if live else None

    def pick(self):
        return self.rng.choice(sorted(self.live()))

    def process_running(self, i, name):
        pids = subprocess.run(["ip", "netns", "pids", self.namespace(i)], capture_output=True,
                              text=True).stdout.split()
        for pid in pids:
            try:
                with open(f"/proc/{pid}/comm") as f:
                    if f.read().strip() == name[:15]:
                        return int(pid)
            except OSError:
                continue
        return None

    # --- nodes -----------------------------------------------------------------------------
    def _start(self, i, name, *cmd):
        self.harness("start", str(i), name, "bash", "-c", WRAP, "wrap", self.node_dir(i), *cmd)

    def start_node(self, i):
        """corosync, then pacemakerd once corosync answers (as the systemd units order them)."""
        if not self.process_running(i, "corosync"):
            self._start(i, "corosync", "corosync", "-f")
            self.wait_for(lambda: self.tool(i, "corosync-cmapctl", "-g",
                                            "totem.cluster_name").returncode == 0, 30,
                          f"corosync on n{i}")
        if not self.process_running(i, "pacemakerd"):
            self._start(i, "pacemakerd", "pacemakerd")
        self.down.discard(i)

    def stop_node(self, i):
        """pacemakerd stopped (its resources stopped or moved first), then corosync."""
        self.harness("stop", str(i), "pacemakerd", "120", check=False, timeout=180)
        self.harness("stop", str(i), "corosync", "30", check=False, timeout=60)
        self.down.add(i)

    def kill_controller(self, i):
        """kill -9 of pacemaker-controld; pacemakerd respawns it. Returns the time of the kill."""
        pid = self.process_running(i, "pacemaker-controld")
        at = time.time()
        if pid:
            os.kill(pid, 9)
        return at

    def partition(self, groups):
        self.harness("partition", *(" ".join(str(i) for i in sorted(g)) for g in groups))
        self.groups = [set(g) for g in groups]

    def unpartition(self):
        self.harness("unpartition")
        self.groups = None

    def powered_off(self, i):
        return self.harness("power-status", str(i), check=False).returncode == 2

    def refresh_down(self):
        """Nodes the cluster fenced (powered off) meanwhile join the down set."""
        for i in self.running():
            if self.powered_off(i):
                self.down.add(i)

    def restore(self):
        """Network whole, every node on and running corosync and pacemakerd. A node that was
        powered off boots: its /run (agent state files, pid files) starts empty."""
        if self.groups:
            self.unpartition()
        for i in range(1, self.nodes + 1):
            if self.powered_off(i):
                self.harness("power-on", str(i))
                shutil.rmtree(os.path.join(self.node_dir(i), "run"), ignore_errors=True)
                shutil.rmtree(self.rsctmp(i), ignore_errors=True)
                os.makedirs(self.rsctmp(i))
            if i in self.down or not self.process_running(i, "pacemakerd"):
                self.start_node(i)

    def cleanup(self):
        via = self.any_live() or 1
        self.tool(via, "crm_resource", "--cleanup", timeout=60)

    # --- bring-up --------------------------------------------------------------------------
    def setup(self):
        """Every node started, a DC elected, then the lab's resources (pcs -f on a copy of the
        CIB, pushed with cibadmin --replace) with stonith disabled."""
        for i in range(1, self.nodes + 1):
            self.start_node(i)
        self.wait_for(lambda: all(self.status(i) is not None and self.status(i)["dc"]
                                  for i in range(1, self.nodes + 1)), 120, "a DC")
        cib = os.path.join(self.state, "setup-cib.xml")
        with open(cib, "w") as f:
            f.write(self.tool(1, "cibadmin", "-Q").stdout)

        def pcs(*args):
            out = subprocess.run(["pcs", "-f", cib, *args], capture_output=True, text=True)
            if out.returncode != 0:
                raise AssertionError(f"pcs -f {' '.join(args)}: {out.stdout}{out.stderr}")
        if not self.stonith:
            pcs("property", "set", "stonith-enabled=false")
        for entry in self.config:
            if isinstance(entry, Group):
                for m in entry.members:
                    pcs("resource", "create", *m.create_args(), "--group", entry.id)
            elif isinstance(entry, (Clone, Promotable)):
                pcs("resource", "create", *entry.create_args(self.nodes))
            else:
                pcs("resource", "create", *entry.create_args())
        with open(cib) as f:
            xml = f.read()
        out = self.tool(1, "cibadmin", "--replace", "--xml-pipe", input=xml, timeout=60)
        if out.returncode != 0:
            raise AssertionError(f"cibadmin --replace: {out.stderr}")
        if self.stonith:
            # Made with cibadmin: pcs on this machine cannot read the agent's metadata (it is
            # only in the nodes' /usr/sbin).
            hosts = " ".join(f"n{i}" for i in range(1, self.nodes + 1))
            params = {"prefix": self.prefix, "harness": HARNESS, "pcmk_host_list": hosts}
            nvpairs = "".join(f'<nvpair id="fence-{k}" name="{k}" value="{v}"/>'
                              for k, v in params.items())
            xml = (f'<primitive id="fence" class="stonith" type="fence_pulse_netns">'
                   f'<instance_attributes id="fence-ia">{nvpairs}</instance_attributes>'
                   f'<operations><op id="fence-monitor" name="monitor" interval="60s"/>'
                   f'</operations></primitive>')
            out = self.tool(1, "cibadmin", "--create", "-o", "resources", "--xml-text", xml)
            if out.returncode != 0:
                raise AssertionError(f"cibadmin --create fence: {out.stderr}")

    @staticmethod
    def wait_for(predicate, timeout, what, interval=0.2):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return
            time.sleep(interval)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")

    # --- reading the cluster ---------------------------------------------------------------
    def status(self, i):
        """crm_mon's view from node i: {dc, quorum, online, resources: {id: [(node, role,
        failed)]}, clones: {id: [(node, role, failed)]}, failures: [text]}; None when crm_mon
        does not answer."""
        out = self.tool(i, "crm_mon", "-1", "--output-as=xml", timeout=20)
        if out.returncode != 0:
            return None
        try:
            root = ET.fromstring(out.stdout)
        except ET.ParseError:
            return None
        dc = root.find("summary/current_dc")
        s = {"dc": dc.get("name") if dc is not None and dc.get("present") == "true" else None,
             "quorum": dc is not None and dc.get("with_quorum") == "true",
             "online": sorted(n.get("name") for n in root.iter("node")
                              if n.get("online") == "true" and n.get("type") == "member"),
             "resources": {}, "clones": {}, "failures": []}

        def instances(el):
            return [(n.get("name"), r.get("role"), r.get("failed") == "true")
                    for r in el.iter("resource") for n in r.findall("node")]
        res = root.find("resources")
        for el in (res if res is not None else []):
            if el.tag == "clone":
                s["clones"][el.get("id")] = instances(el)
            elif el.tag == "group":
                for r in el.findall("resource"):
                    s["resources"][r.get("id")] = instances(r) if r.get("active") == "true" \
                        else []
            elif el.tag == "resource":
                s["resources"][el.get("id")] = instances(el) if el.get("active") == "true" \
                    else []
        for f in root.iter("failure"):
            s["failures"].append(f"{f.get('op_key')} on {f.get('node')} "
                                 f"'{f.get('exitreason') or f.get('exitstatus')}'")
        return s

    def cib_digest(self, i):
        out = self.tool(i, "cibadmin", "-Q", "--local", timeout=20)
        if out.returncode != 0:
            return ("(failed)", out.stderr.strip()[-80:])
        root = ET.fromstring(out.stdout)
        version = ".".join(root.get(k, "?") for k in ("admin_epoch", "epoch", "num_updates"))
        root.attrib.pop("cib-last-written", None)  # each node's own time of its disk write
        return version, hashlib.sha256(ET.tostring(root)).hexdigest()[:16]

    # --- audits ----------------------------------------------------------------------------
    def audit(self, only=None):
        """The audits' problems (empty: they hold); only = a subset of membership, dc, cib,
        resources, processes."""
        problems = []
        if self.stonith:
            self.refresh_down()
        want = set(only or ("membership", "dc", "cib", "resources", "processes"))
        groups = self.expected_partitions()
        views = {i: self.status(i) for g in groups for i in g}
        if "processes" in want:
            for i in self.running():
                for p in ("corosync", "pacemakerd", "pacemaker-controld"):
                    if not self.process_running(i, p):
                        problems.append(f"[processes] n{i}: {p} is not running")
        for g in groups:
            names = [f"n{i}" for i in g]
            quorate = self.quorate(g)
            for i in g:
                s = views[i]
                if s is None:
                    problems.append(f"[membership] n{i}: crm_mon does not answer")
                    continue
                if "membership" in want:
                    if s["online"] != names:
                        problems.append(f"[membership] n{i} sees {s['online']} online, "
                                        f"expected {names}")
                    if s["quorum"] != quorate:
                        problems.append(f"[membership] n{i} quorum={s['quorum']}, expected "
                                        f"{quorate}")
            if not quorate:
                continue
            if "dc" in want:
                dcs = {f"n{i}": (views[i] or {}).get("dc") for i in g}
                if len(set(dcs.values())) != 1 or next(iter(dcs.values())) not in names:
                    problems.append(f"[dc] DC per node: {dcs}")
            if "cib" in want:
                copies = {f"n{i}": self.cib_digest(i) for i in g}
                if len(set(copies.values())) != 1:
                    problems.append(f"[cib] CIB copies differ: {copies}")
            if "resources" in want:
                problems += [f"[resources] {p}" for p in self._resources(views[g[0]], names)]
        return problems

    def _resources(self, s, allowed):
        if s is None:
            return []
        problems = []
        allowed = set(allowed) - {f"n{i}" for i in self.standby}
        for p in primitives(self.config):
            inst = s["resources"].get(p.id)
            if inst is None:
                problems.append(f"{p.id} missing from crm_mon")
                continue
            where = {n for n, role, failed in inst if role == "Started" and not failed}
            really = p.holders(self)
            if len(inst) != 1 or len(where) != 1 or not where <= allowed:
                problems.append(f"{p.id}: {inst}, expected Started on one of {sorted(allowed)}")
            if really != where:
                problems.append(f"{p.id}: crm_mon says {sorted(where)}, active on the nodes "
                                f"themselves: {sorted(really)}")
        for entry in self.config:
            if len(entry.primitives()) > 1:
                nodes = {tuple(n for n, _, _ in s["resources"].get(p.id, []))
                         for p in entry.primitives()}
                if len(nodes) > 1:
                    problems.append(f"group {entry.id} split over {sorted(nodes)}")
        for c in clones(self.config):
            inst = s["clones"].get(c.id, [])
            roles = {n: role for n, role, failed in inst if not failed}
            nodes = sorted(n for n, _, _ in inst)
            if nodes != sorted(allowed) or len(roles) != len(inst):
                problems.append(f"{c.id}: instances {inst}, expected one on each of "
                                f"{sorted(allowed)}")
            really = c.instances(self)
            if isinstance(c, Promotable):
                promoted = [n for n, r in roles.items() if r == "Promoted"]
                if len(promoted) != 1:
                    problems.append(f"{c.id}: Promoted on {promoted}, expected exactly one")
                if really != roles:
                    problems.append(f"{c.id}: crm_mon says {roles}, Stateful's files say "
                                    f"{really}")
            elif set(really) != set(roles):
                problems.append(f"{c.id}: crm_mon says {sorted(roles)}, state files on "
                                f"{sorted(really)}")
        problems += [f"failed action: {f}" for f in s["failures"]]
        return problems

    def settle(self, timeout=90, only=None, stable=2.0, ignore=()):
        """As audits.settle: polled until the audits hold twice `stable` s apart. Returns
        (seconds until they first held, [problems at the timeout]). Problems containing one
        of `ignore` do not count."""
        return audits.hold(lambda: [p for p in self.audit(only)
                                    if not any(x in p for x in ignore)], timeout, stable)
