#!/usr/bin/env python3
"""`./dev demo` (setup 1): two HAProxy nodes and two floating IPs, made in network namespaces
with the commands of the guide (tests/cluster/haproxy_setup.py), left running to play with.

usage: demo_haproxy.py BINDIR [up | --stop | power-off N | boot N | watch [SECONDS]]
  up           (default) form the cluster, create the haproxy clone and the two VIPs, print
               `pcs status` and the commands to try; the cluster stays up
  --stop       tear the demo cluster down (this demo's or the engine demo's)
  power-off N  node N (1 or 2) loses power: every process killed, its VIPs gone, link down
  boot N       node N boots: its crmd and web application start; crmd rejoins by itself
  watch [S]    twice a second: which node holds each VIP and which answers through it
               (S seconds, default until Ctrl-C)
"""
import os
import shutil
import subprocess
import sys
import textwrap
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_cluster import PREFIX, STATE, stop  # noqa: E402
from haproxy_setup import HAPROXY_CFG, HOME, VIPS, HaproxyCluster  # noqa: E402
from haproxy_web import HTTP_PORT, get  # noqa: E402
from pulse_netns import HARNESS, node_address  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLIENT = f"{PREFIX}-n3"


def cluster(bindir, **kw):
    return HaproxyCluster(os.path.join(bindir, "crmd"), os.path.join(bindir, "pcs"),
                          prefix=PREFIX, state_root=STATE, **kw)


def attached(bindir):
    """The running demo cluster, for power-off/boot (not entered: nothing is set up again)."""
    if not os.path.isdir(os.path.join(STATE, "n1")):
        raise SystemExit("demo: no demo cluster is running (start one with ./dev demo)")
    c = cluster(bindir)
    c.state = STATE
    return c


def holders():
    """{vip name: [nodes with the address]} from the nodes' interfaces."""
    out = {name: [] for name in VIPS}
    for i in (1, 2):
        text = subprocess.run(["ip", "-n", f"{PREFIX}-n{i}", "-o", "-4", "addr", "show"],
                              capture_output=True, text=True).stdout
        for name, addr in VIPS.items():
            if f" {addr}/" in text:
                out[name].append(f"n{i}")
    return out


def ask(addr):
    """Who answers an HTTP GET through addr, asked from the client namespace."""
    out = subprocess.run(["ip", "netns", "exec", CLIENT, sys.executable,
                          os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                       "haproxy_web.py"), "get", "--timeout", "0.3", addr],
                         capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else "nobody"


def watch_line(t0):
    at = time.time() - t0
    held = holders()
    parts = [f"{name} {addr} held by {' '.join(held[name]) or '-':5} answered by "
             f"{ask(addr):6}" for name, addr in VIPS.items()]
    return f"{at:6.1f} s   " + "   ".join(parts)


def watch(seconds):
    t0 = time.time()
    try:
        while seconds is None or time.time() - t0 < seconds:
            print(watch_line(t0), flush=True)
            time.sleep(max(0.0, 0.5 - (time.time() - t0) % 0.5))
    except KeyboardInterrupt:
        pass
    return 0


def up(bindir):
    # A cluster left running by an earlier demo would hold the namespace names.
    subprocess.run([HARNESS, "--prefix", PREFIX, "down"], capture_output=True, check=False)
    print("\n== Pulse demo: two HAProxy nodes, two floating IPs ==\n")
    print(textwrap.fill(f"Nodes n1 and n2 are network namespaces ({node_address(1)}, {node_address(2)}) on one "
          f"bridge; {CLIENT} is a client on the same LAN. Each node runs crmd (the node daemon: "
          f"Corosync, Pacemaker and pcsd in one) and a small web application on 127.0.0.1:8081 "
          f"that answers with the node's name; HAProxy will run on both, listening on "
          f"0.0.0.0:{HTTP_PORT}. The hacluster password was set on each with `crmd passwd`. "
          "These are the guide's commands:", width=95))
    with cluster(bindir, keep=True, echo=True) as c:
        c.form_as_guide("haproxy")
        c.typed(1, "status", "corosync")
        c.typed(1, "cluster", "cmap", "runtime.members",
                note="corosync-cmapctl | grep members")
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
        c.typed(1, "status")
        print()
        for addr in VIPS.values():
            print(f"[client]$ curl http://{addr}:{HTTP_PORT}/", flush=True)
            if shutil.which("curl"):
                subprocess.run(["ip", "netns", "exec", CLIENT, "curl", "-sS", "-m", "2",
                                f"http://{addr}:{HTTP_PORT}/"], check=False)
            else:
                print(ask(addr))
    pcs = os.path.join(os.path.abspath(bindir), "pcs")
    print(f"""
The cluster keeps running. Try, as root, in {REPO}:
  ./dev demo watch            # twice a second: who holds vip1 and vip2, who answers (Ctrl-C)
  ./dev demo power-off 1      # in another terminal: n1 loses power; vip1 moves to n2
  ./dev demo boot 1           # n1 boots: crmd rejoins by itself, HAProxy starts, vip1 returns
  ip netns exec {CLIENT} curl http://{VIPS['vip1']}:{HTTP_PORT}/     # as the client
  ip netns exec {PREFIX}-n1 {pcs} --state-dir {STATE}/n1 status
  ip netns exec {PREFIX}-n2 {pcs} --state-dir {STATE}/n2 resource move vip2 n1
Stop it with: ./dev demo --stop""")
    return 0


def main() -> int:
    args = sys.argv[1:]
    if not args or args[0].startswith("-h"):
        print(__doc__)
        return 2
    bindir, action, rest = args[0], (args[1:] or ["up"])[0], args[2:]
    if action == "--stop" and not rest:
        return stop()
    if os.geteuid() != 0:
        print("demo: needs root (network namespaces); run it as root or with sudo",
              file=sys.stderr)
        return 1
    if action == "up" and not rest:
        return up(bindir)
    if action in ("power-off", "boot") and len(rest) == 1 and rest[0] in ("1", "2", "n1", "n2"):
        node = int(rest[0][-1])
        c = attached(bindir)
        if action == "power-off":
            c.power_off(node)
            print(f"n{node} is powered off (its processes killed, its VIPs gone, link down). "
                  "VIPs now:")
        else:
            if not c.powered_off(node):
                raise SystemExit(f"demo: n{node} is not powered off")
            c.boot(node)
            print(f"n{node} booted: crmd started (the cluster is enabled, so it rejoins by "
                  "itself) and its web application. VIPs now:")
        return watch(3.0)
    if action in ("power-off", "boot"):
        raise SystemExit(f"demo: {action} wants one node, 1 or 2 (n1 or n2)")
    if action == "watch" and len(rest) <= 1:
        try:
            seconds = float(rest[0]) if rest else None
        except ValueError:
            seconds = -1.0
        if seconds is not None and seconds <= 0:
            raise SystemExit(f"demo: watch wants a positive number of seconds, not {rest[0]}")
        if not os.path.isdir(os.path.join(STATE, "n1")):
            raise SystemExit("demo: no demo cluster is running (start one with ./dev demo)")
        return watch(seconds)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
