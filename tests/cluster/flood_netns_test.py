#!/usr/bin/env python3
"""cluster.flood_netns: crmd's admin port (2224) stays in service while a stranger without
credentials floods it.

Three nodes form a cluster; a fourth namespace, not a member, opens 2,000 idle TCP
connections to n1 (the DC) from 40 addresses, reopening each one the server closes, plus one
slow-TLS client at a time (a real ClientHello, one byte every 0.5 s). crmd runs with the soft
descriptor limit systemd gives a service by default (1024). While the flood runs:
  - `pcs status` on n1 answers within 2 s;
  - a CIB write from n2 (through the flooded DC) is on every node when pcs returns;
  - the slow-TLS client is cut off within the handshake deadline, before its ClientHello ends;
  - n1's crmd holds far fewer descriptors than its limit, and says what it refuses, rate-limited.
When the flood stops, n1 is back to normal: its descriptor count returns to where it was, a new
TLS connection from the stranger completes, pcs works and writes replicate.

Before the front acceptor, crmd reached 1,024 descriptors ("Failed accept4: Too many open
files") and gRPC never accepted again, even after the flood had stopped.

usage: flood_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import json
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import Checks, NetnsCluster, node_address  # noqa: E402

CHECKS = Checks()
ok = CHECKS.ok
check = CHECKS.check
FLOOD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "flood_client.py")
SOURCES = [f"192.0.2.{200 + k}" for k in range(40)]  # the stranger's addresses (node 4's eth0)
CONNECTIONS = 2000
HANDSHAKE_DEADLINE = 5.0  # crmd's default --handshake-timeout


def cib_file(c, i):
    try:
        with open(os.path.join(c.state_dir(i), "cib.xml"), encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def descriptors(c, i):
    pid = c.harness("pid", str(i), "crmd").stdout.strip()
    return len(os.listdir(f"/proc/{pid}/fd"))


def timed_pcs(c, i, *args):
    started = time.time()
    result = c.pcs(i, *args, check=False, timeout=60)
    return result, time.time() - started


def flood_status(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def run(crmd, pcs):
    # systemd's default for a service: soft 1024, the hard limit unchanged; crmd inherits it.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
    with NetnsCluster(3, crmd, pcs, extra_namespaces=1,
                      prefix=f"pulse-flood{os.getpid()}") as c:
        c.start_all_crmd()
        c.form("web")
        c.wait_for(lambda: c.pcs(1, "cluster", "cib", check=False).returncode == 0, 15,
                   "the DC to finish its sync")
        ok("3 nodes formed")
        times = [timed_pcs(c, 1, "status")[1] for _ in range(5)]
        baseline = descriptors(c, 1)
        ok(f"before the flood: pcs status median {statistics.median(times) * 1000:.0f} ms, "
           f"n1's crmd holds {baseline} descriptors")

        c.harness("exec", "4", "sh", "-c",
                  " && ".join(f"ip addr add {a}/24 dev eth0" for a in SOURCES))
        status_file = os.path.join(c.state, "flood.json")
        c.harness("start", "4", "flood", sys.executable, FLOOD, "flood", node_address(1), "2224",
                  status_file, "--connections", str(CONNECTIONS), "--sources", ",".join(SOURCES))
        c.wait_for(lambda: (flood_status(status_file) or {}).get("connects", 0) >= CONNECTIONS,
                   20, f"the stranger to open {CONNECTIONS} connections")
        time.sleep(2)  # past the first refusals and reopenings
        ok(f"flood running: {flood_status(status_file)['connects']} connects so far")

        answers = [timed_pcs(c, 1, "status") for _ in range(3)]
        worst = max(t for _, t in answers)
        check(all(r.returncode == 0 for r, _ in answers) and worst < 2.0,
              f"during the flood pcs status on n1 answers within 2 s (slowest {worst:.2f} s)",
              "".join(f"exit {r.returncode}: {r.stdout}{r.stderr}" for r, _ in answers))

        result, took = timed_pcs(c, 2, "property", "set", "cluster-recheck-interval=3min")
        check(result.returncode == 0 and all("cluster-recheck-interval" in cib_file(c, i)
                                             for i in (1, 2, 3)),
              f"during the flood a CIB write from n2 through the DC reaches every node "
              f"({took:.2f} s)", result.stderr)

        held = descriptors(c, 1)
        check(held < 900, f"during the flood n1's crmd holds {held} descriptors (far from its "
              "limit)")

        c.wait_for(lambda: (flood_status(status_file) or {}).get("slow_tls"),
                   HANDSHAKE_DEADLINE + 10, "the server to cut a slow-TLS client off")
        status = flood_status(status_file)
        check(all(t <= HANDSHAKE_DEADLINE + 2 for t in status["slow_tls"]) and
              all(b < status["client_hello_bytes"] for b in status["slow_tls_bytes"]),
              f"slow-TLS clients are cut off within the handshake deadline ({status['slow_tls']} "
              f"s, {status['slow_tls_bytes']} of {status['client_hello_bytes']} bytes sent)")
        check(status["closed_by_server"] > 0,
              f"connections beyond the limits are closed ({status['closed_by_server']} so far)")

        c.harness("stop", "4", "flood")
        c.wait_for(lambda: descriptors(c, 1) <= baseline + 5, 15,
                   "n1's crmd to give its descriptors back")
        ok(f"after the flood n1's crmd holds {descriptors(c, 1)} descriptors "
           f"(before: {baseline})")
        probe = c.harness("exec", "4", sys.executable, FLOOD, "probe", node_address(1), "2224",
                          check=False)
        check(probe.returncode == 0, "after the flood a new TLS connection from the stranger "
              "completes", probe.stderr)
        result, took = timed_pcs(c, 1, "status")
        check(result.returncode == 0 and took < 2.0,
              f"after the flood pcs status on n1 answers ({took:.2f} s)", result.stderr)
        result = c.pcs(1, "resource", "create", "after", "ocf:heartbeat:Dummy", check=False)
        check(result.returncode == 0 and all('id="after"' in cib_file(c, i) for i in (1, 2, 3)),
              "after the flood a CIB write reaches every node", result.stderr)

        log = [t for _, t in c.log_lines(1) if t.startswith("admin port:")]
        check(any("refused a connection" in t for t in log) and
              any("no TLS handshake" in t for t in log) and len(log) < 100,
              f"n1 logs what it refuses and cuts off, rate-limited ({len(log)} lines)")


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
