"""`./dev demo` / `./dev demo haproxy` (setup 1): two HAProxy nodes and two floating IPs, made
in network namespaces with the commands of the guide (tests/cluster/haproxy_setup.py). The
subcommands (watch, power-off, boot, --stop) are demo.py's; this module is the setup's part.
"""
import os
import shutil
import subprocess
import sys
import textwrap

from demo import PREFIX, STATE, vip_holders
from haproxy_setup import HAPROXY_CFG, HOME, VIPS, HaproxyCluster
from haproxy_web import HTTP_PORT
from pulse_netns import node_address

TITLE = "two HAProxy nodes, two floating IPs"
NODES = 2
CLIENT = f"{PREFIX}-n3"
HERE = os.path.dirname(os.path.abspath(__file__))


def cluster(bindir):
    return HaproxyCluster(os.path.join(bindir, "crmd"), os.path.join(bindir, "pcs"),
                          prefix=PREFIX, state_root=STATE, keep=True, echo=True)


def ask(addr):
    """Who answers an HTTP GET through addr, asked from the client namespace."""
    out = subprocess.run(["ip", "netns", "exec", CLIENT, sys.executable,
                          os.path.join(HERE, "haproxy_web.py"), "get", "--timeout", "0.3", addr],
                         capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else "nobody"


def watch_line(c):
    return "   ".join(f"{name} {addr} held by {' '.join(vip_holders(c, addr)) or '-':5} "
                      f"answered by {ask(addr):6}" for name, addr in VIPS.items())


def up(c, bindir):
    print(textwrap.fill(f"Nodes n1 and n2 are network namespaces ({node_address(1)}, "
          f"{node_address(2)}) on one bridge; {CLIENT} is a client on the same LAN. Each node "
          f"runs crmd (the node daemon: Corosync, Pacemaker and pcsd in one) and a small web "
          f"application on 127.0.0.1:8081 that answers with the node's name; HAProxy will run "
          f"on both, listening on 0.0.0.0:{HTTP_PORT}. The hacluster password was set on each "
          "with `crmd passwd`. These are the guide's commands:", width=95))
    c.form_as_guide("haproxy")
    c.typed(1, "status", "corosync")
    c.typed(1, "cluster", "cmap", "runtime.members", note="corosync-cmapctl | grep members")
    c.typed(1, "quorum", "status", note="two_node: one node alone keeps quorum")
    print("\n-- HAProxy on both nodes, two VIPs spread over them --")
    print(f"\nThe same {c.conffile} on both nodes:\n")
    print("    " + HAPROXY_CFG.replace("\n", "\n    ").rstrip())
    c.create_haproxy()
    c.wait_clone_on(["n1", "n2"], 60)
    for vip, home in HOME.items():
        c.wait_started(vip, 60, on=[home])
    c.wait_for(lambda: all(ask(VIPS[v]) == h for v, h in HOME.items()), 30,
               "both VIPs to answer from their nodes")
    print()
    for addr in VIPS.values():
        print(f"[client]$ curl http://{addr}:{HTTP_PORT}/", flush=True)
        if shutil.which("curl"):
            subprocess.run(["ip", "netns", "exec", CLIENT, "curl", "-sS", "-m", "2",
                            f"http://{addr}:{HTTP_PORT}/"], check=False)
        else:
            print(ask(addr))


def try_text(c, bindir):
    return f"""  ./dev demo power-off 1      # in another terminal: n1 loses power; vip1 moves to n2
  ./dev demo boot 1           # n1 boots: crmd rejoins by itself, HAProxy starts, vip1 returns
  ip netns exec {CLIENT} curl http://{VIPS['vip1']}:{HTTP_PORT}/     # as the client
  pcs1 status
  pcs1 resource move vip2 n1     # vip2 to n1; `resource clear vip2` lets it back"""


def boot(c, i, off_at):
    c.boot(i)
