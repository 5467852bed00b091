#!/usr/bin/env python3
"""Admin port benchmark: what crmd's front acceptor (crmd/admin/front_acceptor.h) costs a client.

    python3 bench/admin_port_bench.py [--bin DIR] [--runs N]     (root: network namespaces)

Forms a 3-node cluster of real crmd daemons in network namespaces (tests/cluster/pulse_netns.py)
and measures, from node 1 against its own crmd on 192.0.2.11:2224: a TLS handshake (connect +
handshake, Python's ssl, N x 10 times) and `pcs status` (N times, process start included).
Run it with two builds' DIRs to compare (the front passes each connection through one more
hop: TCP -> crmd -> Unix socket -> gRPC). Prints medians and 90th percentiles in ms.
"""
import argparse
import os
import socket
import ssl
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "cluster"))
from pulse_netns import NetnsCluster, node_address  # noqa: E402


def handshakes(address: str, port: int, count: int):
    """Runs inside the node's namespace: prints one handshake time (ms) per line."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    for _ in range(count):
        started = time.perf_counter()
        with socket.create_connection((address, port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="crmd"):
                pass
        print(f"{(time.perf_counter() - started) * 1000:.3f}")


def summary(values):
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(len(values) * 0.9))]
    return f"median {statistics.median(values):.2f} ms, p90 {p90:.2f} ms ({len(values)} runs)"


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--handshakes":
        handshakes(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.path.join(REPO, "build", "bin"))
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    crmd, pcs = os.path.join(args.bin, "crmd"), os.path.join(args.bin, "pcs")
    with NetnsCluster(3, crmd, pcs, prefix=f"pulse-apb{os.getpid()}") as c:
        c.start_all_crmd()
        c.form("bench")
        c.wait_for(lambda: c.pcs(1, "cluster", "cib", check=False).returncode == 0, 15,
                   "the DC to finish its sync")
        out = c.harness("exec", "1", sys.executable, os.path.abspath(__file__), "--handshakes",
                        node_address(1), "2224", str(args.runs * 10), timeout=300).stdout
        tls = [float(line) for line in out.split()]
        status = []
        for _ in range(args.runs):
            started = time.perf_counter()
            c.pcs(1, "status")
            status.append((time.perf_counter() - started) * 1000)
        print(f"{args.bin}")
        print(f"  TLS handshake with 2224: {summary(tls)}")
        print(f"  pcs status:              {summary(status)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (subprocess.CalledProcessError, AssertionError) as e:
        print(f"benchmark setup failed: {e}", file=sys.stderr)
        sys.exit(1)
