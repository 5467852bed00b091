"""`./dev demo leader-route` (setup 2, cmonHA's design): three nodes whose crmd answers
HAProxy's checks on port 9201 (200 where resource `web` runs, 503 elsewhere), and a real HAProxy
in the client namespace that routes every request to the node holding `web`. Reuses the
namespace test's pieces (leader_route.py); the subcommands are demo.py's.
"""
import os
import subprocess
import textwrap

import leader_route as lr
from demo import PREFIX, STATE, echo_pcs, form_as_typed, typed, wait_fenced
from pulse_netns import node_address
from resource_cluster import ResourceCluster

TITLE = "leader-routed HAProxy (crmd's checks on port 9201)"
NODES = 3
CLIENT = f"{PREFIX}-n4"
INTER_MS = 300
AFTER_S = 4.0

# From the client namespace, in one process: GET /leader on every node's check port, and one
# request through HAProxy; prints "ADDR STATUS" per node, then "front ANSWER".
PROBE = r"""
import http.client, sys, threading
port, front, addrs = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
out = {}
def get(key, addr, p, path):
    try:
        conn = http.client.HTTPConnection(addr, p, timeout=0.4)
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read().decode().strip()
        out[key] = body if key == "front" and r.status == 200 else str(r.status)
    except (OSError, http.client.HTTPException):
        out[key] = "nobody" if key == "front" else "-"
threads = [threading.Thread(target=get, args=(a, a, port, "/leader")) for a in addrs]
threads.append(threading.Thread(target=get, args=("front", "127.0.0.1", front, "/")))
for t in threads: t.start()
for t in threads: t.join()
for a in addrs: print(a, out.get(a, "-"))
print("front", out.get("front", "nobody"))
"""


def cluster(bindir):
    c = ResourceCluster(os.path.join(bindir, "crmd"), os.path.join(bindir, "pcs"), nodes=NODES,
                        prefix=PREFIX, state_root=STATE, keep=True)
    c.extra_crmd_args += lr.crmd_check_args("web")
    return c


def probe(c):
    """({node: check status}, who answered through HAProxy)."""
    addrs = [node_address(i) for i in range(1, c.nodes + 1)]
    out = subprocess.run(["ip", "netns", "exec", CLIENT, "python3", "-c", PROBE,
                          str(lr.CHECK_PORT), str(lr.FRONT_PORT), *addrs],
                         capture_output=True, text=True, timeout=10).stdout.split("\n")
    words = dict(line.split(" ", 1) for line in out if " " in line)
    return ({f"n{i}": words.get(node_address(i), "-") for i in range(1, c.nodes + 1)},
            words.get("front", "nobody"))


def watch_line(c):
    checks, front = probe(c)
    shown = "  ".join(f"{n} {s}" for n, s in checks.items())
    return f"GET :9201/leader  {shown}   through HAProxy answered by {front}"


def up(c, bindir):
    print(textwrap.fill(
        f"Nodes n1, n2, n3 are network namespaces ({node_address(1)}-{node_address(3)}) on one "
        f"bridge; {CLIENT} is a client on the same LAN. Each node runs crmd as `crmd "
        f"--check-resource web` (it answers HAProxy's checks on port {lr.CHECK_PORT}: 200 "
        "where `web` runs, 503 elsewhere) and a small web application on port "
        f"{lr.BACKEND_PORT} answering the node's name. The hacluster password was set on each "
        "with `crmd passwd`. These are the commands:", width=95))
    form_as_typed(c, "leader-route", NODES)
    echo_pcs(c)
    print("\n-- a fence device (the namespaces' power switch), then the resource to route to --")
    if not c.use_fence_device():
        raise AssertionError("pcs stonith create fence fence_pulse_netns failed")
    typed(c, 1, "resource", "create", "web", "ocf:heartbeat:Dummy", "op", "monitor",
          "interval=5s", "meta", "resource-stickiness=100")
    lr.start_backends(c)
    holder = c.wait_started("web", 45)
    c.wait_for(lambda: probe(c)[0][holder] == "200", 20, f"{holder}'s check to see web there")
    haproxy = lr.HAProxy(c, "/leader", INTER_MS)
    print(f"\n-- HAProxy in the client namespace, {haproxy.config}: --\n")
    with open(haproxy.config) as f:
        print("    " + f.read().replace("\n", "\n    ").rstrip())
    haproxy.start()
    c.wait_for(lambda: probe(c)[1] == holder, 20, f"HAProxy to route to {holder}")
    addr = node_address(int(holder[1:]))
    other = node_address(next(i for i in range(1, NODES + 1) if f"n{i}" != holder))
    for args in ([f"http://127.0.0.1:{lr.FRONT_PORT}/"], ["-i", f"http://{addr}:9201/leader"],
                 ["-i", f"http://{other}:9201/leader"]):
        print(f"\n[client]$ curl {' '.join(args)}", flush=True)
        subprocess.run(["ip", "netns", "exec", CLIENT, "curl", "-sS", "-m", "2", *args],
                       check=False)


def try_text(c, bindir):
    holder = c.status()[0].where("web") or "n1"
    i = int(holder[1:])
    return f"""  ./dev demo power-off {i}      # in another terminal: {holder}, web's node, loses
                              # power; fenced, web starts elsewhere, HAProxy follows
  ./dev demo boot {i}           # {holder} boots and rejoins; web stays where it is (stickiness)
  ip netns exec {CLIENT} curl http://127.0.0.1:{lr.FRONT_PORT}/           # through HAProxy
  ip netns exec {CLIENT} curl -i http://{node_address(i)}:9201/leader    # 200 here, 503 elsewhere
  pcs1 resource move web n{i % NODES + 1}"""


def boot(c, i, off_at):
    wait_fenced(c, i, off_at)
    lr.reboot_wipes_agent_state(c, i)
    c.harness("power-on", str(i))
    c.start_crmd(i)
    lr.start_backend(c, i)
