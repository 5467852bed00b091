"""`./dev demo inventory` (setup 4): a three-node cluster set up from an inventory file (roles
as node attributes), a VIP placed by a rule on the role `web`, configuration changes that only
a partition with quorum may make, and `pcs cluster events`, the one time-ordered log of every
node. The subcommands are demo.py's.
"""
import os
import textwrap

import leader_route as lr
from demo import PREFIX, STATE, typed, vip_holders
from pulse_netns import PASSWORD, node_address
from resource_cluster import NETPROBE, REPO, SERVICE_PORT, ResourceCluster

TITLE = "a cluster set up from an inventory; quorum-gated changes; the event log"
NODES = 3
CLIENT = f"{PREFIX}-n4"
VIP = "198.51.100.31"
PROBE = os.path.relpath(NETPROBE, REPO)  # a TCP client: prints what the service answers
INVENTORY = f"""# The nodes, Ansible-style: [group] sections of hosts; [all:vars] for every node.
[all:vars]
dc=west

[db]
n1 addr={node_address(1)}

[web]
n2 addr={node_address(2)}
n3 addr={node_address(3)} rack=b
"""


def cluster(bindir):
    c = ResourceCluster(os.path.join(bindir, "crmd"), os.path.join(bindir, "pcs"),
                        nodes=NODES, prefix=PREFIX, state_root=STATE, keep=True)
    # No watchdog: a node left without quorum stays up and shows what it refuses (with the
    # watchdog it would fence itself, as a real node of a fenced cluster should).
    c.extra_crmd_args = [a for a in c.extra_crmd_args
                         if not a.startswith(("--watchdog-timeout", "--self-fence-command"))]
    return c


def quorum(c, i):
    """'N members, quorate' as node i sees it, or 'off'."""
    if c.powered_off(i):
        return "off"
    try:
        q = c.pcs_json(i, "quorum", "status")
    except (AssertionError, ValueError):
        return "no answer"
    count = len(q.get("members", []))
    return (f"{count} member{'s' if count != 1 else ''}, "
            f"{'quorate' if q.get('quorate') else 'NO QUORUM'}")


def watch_line(c):
    held = " ".join(vip_holders(c, VIP)) or "-"
    answer = c.ask_service(VIP, timeout=0.3) or "nobody"
    nodes = "   ".join(f"n{i}: {quorum(c, i)}" for i in range(1, c.nodes + 1))
    return f"web-vip {VIP} held by {held:5} answered by {answer:6}   {nodes}"


def up(c, bindir):
    inventory = os.path.join(c.state, "cluster.ini")
    with open(inventory, "w") as f:
        f.write(INVENTORY)
    print(textwrap.fill(
        f"Nodes n1, n2, n3 are network namespaces ({node_address(1)}-{node_address(3)}) on one "
        f"bridge; {CLIENT} is a client on the same LAN. Each node runs crmd and a small "
        f"service on port {SERVICE_PORT} answering the node's name. The hacluster password "
        f"was set on each with `crmd passwd`. The inventory, {inventory}:", width=95))
    print("\n    " + INVENTORY.replace("\n", "\n    ").rstrip())
    c.start_all_crmd()
    hosts = []
    for i in range(1, NODES + 1):
        hosts += [f"n{i}", f"addr={node_address(i)}"]
    typed(c, 1, "host", "auth", *hosts, "-u", "hacluster", "-p", PASSWORD)
    typed(c, 1, "cluster", "check", "--inventory", inventory,
          note="token, answers, same Pulse release")
    typed(c, 1, "cluster", "setup", "inventory", "--inventory", inventory, "--start",
          "--enable")
    c.wait_for(lambda: c.pcs(1, "cluster", "cib", check=False).returncode == 0, 20,
               "the DC to finish its sync")
    for i in range(1, NODES + 1):
        c.start_service(i)
    typed(c, 1, "property", "set", "stonith-enabled=false",
          note="no fence device: a power-off takes the node's VIP with it")
    typed(c, 1, "resource", "create", "web-vip", "ocf:heartbeat:IPaddr2", f"ip={VIP}",
          "cidr_netmask=24", "op", "monitor", "interval=5s")
    typed(c, 1, "constraint", "location", "web-vip", "rule", "score=INFINITY", "role-web", "eq",
          "1", note="only on the nodes of the group web")
    holder = c.wait_started("web-vip", 30, on=["n2", "n3"])
    c.wait_for(lambda: c.ask_service(VIP) == holder, 20, f"{holder} to answer through {VIP}")
    print(f"\n[client]$ python3 {PROBE} get {VIP} {SERVICE_PORT}\n{c.ask_service(VIP)}")
    result = c.pcs(2, "cluster", "events", "--since", "2m")
    lines = result.stdout.splitlines()
    print(f"\n[n2]# pcs cluster events --since 2m      # every node's events; the last "
          f"{min(12, len(lines))} of {len(lines)} lines:")
    print("\n".join(lines[-12:]))


def try_text(c, bindir):
    holder = (vip_holders(c, VIP) or ["n3"])[0]
    i = int(holder[1:])
    other = 5 - i  # the other web node (n2 <-> n3)
    return f"""  ./dev demo power-off {i}      # {holder} loses power: web-vip moves to n{other}
  pcs1 property set maintenance-mode=false    # a change while {holder} is away
  pcs1 status                 # {holder} out of date: lost since, its CIB version
  ./dev demo boot {i}           # {holder} boots, rejoins and is resynchronised
  ./dev demo power-off 2; ./dev demo power-off 3     # n1 alone: no quorum
  pcs1 property set maintenance-mode=false    # refused: 1 of 3 votes, 2 needed
  ./dev demo boot 2; ./dev demo boot 3
  ip netns exec {CLIENT} python3 {PROBE} get {VIP} {SERVICE_PORT}    # the holder's name
  pcs1 cluster events --since 10m    # also --node n3, --follow, --output-format=json"""


def boot(c, i, off_at):
    lr.reboot_wipes_agent_state(c, i)
    c.harness("power-on", str(i))
    c.start_crmd(i)
    c.start_service(i)
