"""Setup 1, "two HAProxy nodes, two floating IPs" (the guide of seed 004), on the namespace
cluster. Shared by the test (haproxy_two_node_netns_test.py), the demo (demo_haproxy.py) and
the benchmark (bench/haproxy_bench.py).

Nodes n1 and n2 (192.0.2.11, .12) and a client namespace (n3, no crmd). Every node runs
  - its web application: haproxy_web.py backend on 127.0.0.1:8081, answering the node's name.
    It starts with the node, like a service enabled at boot: power_off kills it, boot starts it.
  - HAProxy: the clone haproxy-clone of ocf:pulse:haproxy, one config for both nodes (guides
    keep /etc/haproxy/haproxy.cfg identical everywhere): frontend 0.0.0.0:8080 -> the node's
    own backend. Binding 0.0.0.0 is what lets HAProxy serve a VIP the moment IPaddr2 adds it to
    the node, without a reload.
The cluster is made with the guide's commands: pcs host auth, pcs cluster setup NAME n1 n2 (a
two-node cluster gets two_node: the survivor keeps quorum), pcs cluster start --all, pcs
cluster enable --all (crmd starts the membership by itself at boot), and pcs property set
stonith-enabled=false as HAProxy guides do: a power-off needs no fencing to be recovered
safely, since the lost node's VIPs went with it. (A cut network link would leave both nodes
holding the VIPs; real clusters of this shape need a fence device for that case.) Then the
clone, two VIPs (IPaddr2) each colocated with the clone (INFINITY) and ordered after it, and
location preferences that spread them: vip1 prefers n1, vip2 prefers n2 (score 100, so a VIP
still runs on the other node when its own is gone, and comes back when it returns).
"""
import os
import re
import shlex
import shutil
import sys

from haproxy_web import BACKEND_PORT, HTTP_PORT
from pulse_netns import PASSWORD, node_address
from resource_cluster import ResourceCluster

HERE = os.path.dirname(os.path.abspath(__file__))
WEB = os.path.join(HERE, "haproxy_web.py")
VIPS = {"vip1": "198.51.100.21", "vip2": "198.51.100.22"}
HOME = {"vip1": "n1", "vip2": "n2"}      # the location preferences
MONITOR = "interval=5s"
HAPROXY_CFG = f"""# The same file on both nodes (the guides copy /etc/haproxy/haproxy.cfg around).
global
    maxconn 512

defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 10s

# Every address of the node, so a VIP is served as soon as it arrives here.
frontend web
    bind 0.0.0.0:{HTTP_PORT}
    default_backend app

# This node's own web application (answers with the node's name).
backend app
    server local 127.0.0.1:{BACKEND_PORT}
"""


def clone_nodes(status_text):
    """The nodes `pcs status` lists as Started under "Clone Set: haproxy-clone [haproxy]", or
    None when the clone is not shown or not started anywhere."""
    m = re.search(r"Clone Set: haproxy-clone \[haproxy\]:?\s*\n\s*\* Started: \[ ?(.*?) ?\]",
                  status_text)
    return sorted(m.group(1).split()) if m else None


class HaproxyCluster(ResourceCluster):
    """The two nodes plus the client namespace; `echo` prints every pcs command as typed on
    its node and its output (the demo)."""

    def __init__(self, crmd, pcs, prefix=None, state_root=None, keep=False, echo=False):
        super().__init__(crmd, pcs, nodes=2, prefix=prefix, state_root=state_root, keep=keep)
        self.echo = echo

    @property
    def conffile(self):
        return os.path.join(self.state, "haproxy.cfg")

    def typed(self, node, *args, note=""):
        """pcs on node, shown as an operator there would type it when echo is on."""
        if self.echo:
            shown = " ".join(shlex.quote(a) if a != PASSWORD else "'********'" for a in args)
            print(f"\n[n{node}]# pcs {shown}" + (f"      # {note}" if note else ""), flush=True)
        result = self.pcs(node, *args, check=False)
        if self.echo:
            sys.stdout.write(result.stdout + result.stderr)
            sys.stdout.flush()
        if result.returncode != 0:
            raise AssertionError(f"pcs {' '.join(args)} on n{node} exited {result.returncode}:"
                                 f"\n{result.stdout}{result.stderr}")
        return result

    # --- the guide, step by step -----------------------------------------------------------
    def form_as_guide(self, name="haproxy"):
        """Everything up to a running, empty two-node cluster (the guide's commands)."""
        self.start_all_crmd()
        hosts = []
        for i in (1, 2):
            hosts += [f"n{i}", f"addr={node_address(i)}"]
        self.typed(1, "host", "auth", *hosts, "-u", "hacluster", "-p", PASSWORD)
        self.typed(1, "cluster", "setup", name, "n1", "n2")
        self.typed(1, "cluster", "start", "--all")
        self.typed(1, "cluster", "enable", "--all", note="start the cluster when crmd starts")
        self.wait_for(lambda: self.pcs(1, "cluster", "cib", check=False).returncode == 0, 20,
                      "the DC to finish its sync")
        self.typed(1, "property", "set", "stonith-enabled=false")

    def create_haproxy(self):
        """The web application on both nodes, then HAProxy's config and the clone, the VIPs
        and their constraints, as the guide types them."""
        with open(self.conffile, "w") as f:
            f.write(HAPROXY_CFG)
        for i in (1, 2):
            self.start_backend(i)
        self.typed(1, "resource", "create", "haproxy", "ocf:pulse:haproxy",
                   f"conffile={self.conffile}", "op", "monitor", MONITOR, "clone")
        for vip, addr in VIPS.items():
            self.typed(1, "resource", "create", vip, "ocf:heartbeat:IPaddr2", f"ip={addr}",
                       "cidr_netmask=24", "op", "monitor", MONITOR)
        for vip in VIPS:
            self.typed(1, "constraint", "colocation", "add", vip, "with", "haproxy-clone",
                       "INFINITY")
            self.typed(1, "constraint", "order", "haproxy-clone", "then", vip)
        for vip, home in HOME.items():
            self.typed(1, "constraint", "location", vip, "prefers", f"{home}=100")

    def start_backend(self, i):
        self.harness("stop", str(i), "app", check=False)
        self.harness("start", str(i), "app", sys.executable, WEB, "backend", str(BACKEND_PORT),
                     f"n{i}")

    # --- nodes -----------------------------------------------------------------------------
    def boot(self, i, via=None):
        """Power node i on and start its crmd and web application, as its boot would. No `pcs
        cluster start`: `pcs cluster enable` made crmd start the membership by itself. The
        node's agent state folder (HA_RSCTMP, /run/resource-agents on a machine) is emptied
        first: /run is a tmpfs that a reboot clears, pidfiles and IPaddr2's state included."""
        shutil.rmtree(self.rsctmp(i), ignore_errors=True)
        self.harness("power-on", str(i))
        self.start_crmd(i)
        self.start_backend(i)

    def other(self, node):
        return "n2" if node == "n1" else "n1"

    # --- waiting ---------------------------------------------------------------------------
    def wait_clone_on(self, nodes, timeout, i=None):
        self.wait_for(lambda: clone_nodes(self.status(i)[1]) == sorted(nodes), timeout,
                      f"pcs status to list haproxy-clone Started on {' '.join(nodes)}",
                      interval=0.3)

    def wait_served(self, client, vip, node, since, timeout):
        """Waits until a request through vip sent after since is answered by node; returns the
        time of that answer."""
        return self.wait_for(lambda: client.served_by(VIPS[vip], node, since), timeout,
                             f"{node} to answer through {vip} ({VIPS[vip]})")

    def wait_home(self, client, since, timeout):
        """Both VIPs served by their own node (the spread the location preferences ask for)."""
        for vip, home in HOME.items():
            self.wait_served(client, vip, home, since, timeout)
