#!/usr/bin/env python3
"""The cluster half of `./dev demo`: three crmd nodes in network namespaces form a cluster with
pcs, exactly as an operator would on three machines; then node n3's crmd is killed (kill -9)
and the survivors' membership and quorum react; n3 restarts and rejoins.

usage: demo_cluster.py BINDIR [--keep | --stop]   (./dev demo engine [--keep])
  --keep  leave the cluster running afterwards (namespaces pulse-demo-n1..3, state in
          /var/tmp/pulse-demo) and print how to use pcs on it
  --stop  tear down a cluster left running by --keep
"""
import os
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo import PREFIX, STATE, stop  # noqa: E402
from pulse_netns import HARNESS, PASSWORD, NetnsCluster, node_address  # noqa: E402


def show(cluster: NetnsCluster, node: int, *args, note: str = ""):
    """Runs pcs on `node` and prints the command as an operator on that node would type it."""
    shown = " ".join(shlex.quote(a) if a != PASSWORD else "'********'" for a in args)
    print(f"\n[n{node}]# pcs {shown}" + (f"      # {note}" if note else ""), flush=True)
    result = cluster.pcs(node, *args, check=False)
    sys.stdout.write(result.stdout)
    sys.stdout.write(result.stderr)
    sys.stdout.flush()
    if result.returncode != 0:
        raise SystemExit(f"demo: pcs {shown} failed (exit {result.returncode})")


def vip_holders(cluster: NetnsCluster, vip: str = "198.51.100.10"):
    """The nodes with `vip` configured on an interface."""
    holders = []
    for i in range(1, cluster.nodes + 1):
        out = subprocess.run(["ip", "-n", f"{cluster.prefix}-n{i}", "-o", "-4", "addr", "show"],
                             capture_output=True, text=True).stdout
        if f" {vip}/" in out:
            holders.append(i)
    return holders


def main() -> int:
    if len(sys.argv) < 2 or len(sys.argv) > 3 or (len(sys.argv) == 3 and
                                                    sys.argv[2] not in ("--keep", "--stop")):
        print(__doc__)
        return 2
    if len(sys.argv) == 3 and sys.argv[2] == "--stop":
        return stop()
    keep = len(sys.argv) == 3
    if os.geteuid() != 0:
        print("demo: the cluster part needs root (network namespaces); skipped")
        return 0
    bindir = sys.argv[1]
    # A cluster left running by an earlier --keep would hold the namespace names.
    subprocess.run([HARNESS, "--prefix", PREFIX, "down"], capture_output=True, check=False)
    print("\n== Pulse demo: a three-node cluster (membership and quorum) ==\n")
    print("Nodes n1, n2, n3 are network namespaces with addresses "
          f"{node_address(1)}-{node_address(3)} on one bridge; each runs crmd, the node daemon "
          "(admin API on TCP 2224 over TLS, membership on UDP 5405). The hacluster password was "
          "set on each with `crmd passwd`.")
    with NetnsCluster(3, os.path.join(bindir, "crmd"), os.path.join(bindir, "pcs"),
                      prefix=PREFIX, state_root=STATE if keep else None, keep=keep) as c:
        c.start_all_crmd()
        hosts = []
        for i in (1, 2, 3):
            hosts += [f"n{i}", f"addr={node_address(i)}"]
        show(c, 1, "host", "auth", *hosts, "-u", "hacluster", "-p", PASSWORD)
        show(c, 1, "cluster", "setup", "demo", "n1", "n2", "n3")
        show(c, 1, "cluster", "start", "--all")
        show(c, 1, "status", "corosync")
        show(c, 1, "quorum", "status")

        print("\n-- kill -9 of n3's crmd: the others notice within token (1000 ms) + consensus --")
        killed = c.kill_crmd(3)
        c.wait_for(lambda: any(v.at >= killed and "n3" not in v.members for v in c.views(1)),
                   10, "n1 to drop n3")
        took = min(v.at for v in c.views(1) if v.at >= killed and "n3" not in v.members) - killed
        print(f"n1 installed a view without n3 {took * 1000:.0f} ms after the kill")
        show(c, 2, "status", "corosync")
        show(c, 2, "quorum", "status", note="2 of 3 votes: still quorate")

        print("\n-- n3's crmd restarts; the operator starts the cluster on it again --")
        c.start_crmd(3)
        show(c, 1, "cluster", "start", "n3")
        show(c, 1, "cluster", "cmap", "runtime.members.3")

        print("\n-- resources: written through the DC (n1), placed by the policy engine, started by "
              "the chosen node's executor --")
        show(c, 1, "stonith", "create", "fence", "fence_pulse_netns",
             note="powers a namespace node off, like a PDU")
        show(c, 3, "resource", "create", "vip", "ocf:heartbeat:IPaddr2", "ip=198.51.100.10",
             "cidr_netmask=24", "op", "monitor", "interval=5s", "--wait=30")
        show(c, 2, "constraint", "location", "vip", "prefers", "n2")
        c.wait_for(lambda: vip_holders(c) == [2], 30, "the VIP to move to n2")
        show(c, 1, "status")
        print("VIP 198.51.100.10 is configured on: " +
              " ".join(f"n{i}" for i in vip_holders(c)))

        print("\n-- n2 loses power (every process killed, its VIP gone): fenced, VIP recovered --")
        c.harness("power-off", "2")
        lost = time.time()
        c.wait_for(lambda: bool(vip_holders(c)), 30, "the VIP on a survivor")
        print(f"VIP answered from n{vip_holders(c)[0]} {time.time() - lost:.2f} s after the "
              "power-off")
        show(c, 1, "status")
        if keep:
            print("\nThe cluster keeps running. Try, as root:")
            for i in (1, 2, 3):
                print(f"  ip netns exec {PREFIX}-n{i} {os.path.abspath(bindir)}/pcs "
                      f"--state-dir {STATE}/n{i} status corosync")
            print("Stop it with: ./dev demo --stop")
        else:
            print("\nThe demo cluster is being torn down (./dev demo engine --keep leaves it running).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
