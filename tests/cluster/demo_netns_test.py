#!/usr/bin/env python3
"""cluster.demo_netns: `./dev demo SETUP` for the four setups, judged by what its user sees.

For each setup (inventory, leader-route, haproxy, postgres), under a prefix and state folder of
its own (PULSE_DEMO_PREFIX, PULSE_DEMO_STATE; a user's running demo is left alone):
  start       demo.py BINDIR SETUP exits 0 and prints pcs status with every node online and
              the commands to try
  watch       `watch 1` names the node serving clients (the VIP's holder answering through it,
              the node HAProxy routes to, the primary holding the VIP with the writer's rows
              acknowledged)
  power-off   of that node: `watch` shows another node serving within the deadline (for
              postgres: the VIP on a new primary and newer rows acknowledged through it)
  boot        the node boots and rejoins: `watch` shows it back (its VIP home again, its check
              answering 503, a standby, 3 quorate members)
  --stop      no namespace of the prefix left, the state folder gone, `watch` says no demo runs
Plus: power-off of a node the setup does not have is refused with a message.

usage: demo_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from postgres_setup import DEBIAN_PYTHON, PG_BIN  # noqa: E402
from pulse_netns import Checks  # noqa: E402

CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
DEMO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo.py")
PREFIX = f"pulse-dt{os.getpid()}"
STATE = f"/var/tmp/pulse-dt{os.getpid()}"
ENV = dict(os.environ, PULSE_DEMO_PREFIX=PREFIX, PULSE_DEMO_STATE=STATE)
SERVE_S = 60      # power-off to another node serving, at most (setups measure 1-4 s)
REJOIN_S = 90     # boot to the node shown back (postgres: pg_rewind and streaming)


def demo(bindir, *args, timeout=300):
    return subprocess.run([sys.executable, DEMO, bindir, *args], env=ENV, text=True,
                          capture_output=True, timeout=timeout)


def last_watch_line(bindir):
    out = demo(bindir, "watch", "0.5", timeout=60)
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    return lines[-1] if out.returncode == 0 and lines else f"(watch failed: {out.stderr})"


def answered(line):
    m = re.search(r"answered by (\S+)", line)
    return m.group(1) if m else None


def pg_primary(line):
    """(the node holding the VIP, the last acknowledged row, its age in s) of a postgres line."""
    vip = re.search(r"VIP \S+ on (n\d)", line)
    row = re.search(r"row (\d+) acknowledged ([\d.]+) s ago", line)
    return (vip.group(1) if vip else None, int(row.group(1)) if row else 0,
            float(row.group(2)) if row else 1e9)


# Per setup: who serves in a watch line; whether a line shows another node serving after
# `victim` lost power (given the line before); whether it shows `victim` back after its boot.
SETUPS = {
    "inventory": (answered,
                  lambda line, victim, before: answered(line) not in (None, "nobody", victim),
                  lambda line, victim: f"{victim}: 3 members, quorate" in line and
                  line.count("3 members, quorate") == 3),
    "leader-route": (answered,
                     lambda line, victim, before: answered(line) not in (None, "nobody", victim),
                     lambda line, victim: f"{victim} 503" in line),
    "haproxy": (answered,  # vip1's column comes first: it prefers n1
                lambda line, victim, before: answered(line) not in (None, "nobody", victim),
                lambda line, victim: answered(line) == victim),
    "postgres": (lambda line: pg_primary(line)[0],
                 lambda line, victim, before: pg_primary(line)[0] not in (None, victim) and
                 pg_primary(line)[1] > pg_primary(before)[1] and pg_primary(line)[2] < 2.0,
                 lambda line, victim: f"{victim} standby" in line),
}


def wait_line(bindir, predicate, timeout, what):
    deadline = time.time() + timeout
    line = ""
    while time.time() < deadline:
        line = last_watch_line(bindir)
        if predicate(line):
            return line
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}; last watch line: "
                         f"{line}")


def missing_tool(setup):
    if setup in ("haproxy", "leader-route") and not shutil.which("haproxy"):
        return "haproxy"
    if setup == "postgres":
        if not os.access(f"{PG_BIN}/initdb", os.X_OK):
            return "postgresql-15"
        if subprocess.run([DEBIAN_PYTHON, "-c", "import psycopg2"],
                          capture_output=True).returncode != 0:
            return "python3-psycopg2"
    return None


def namespaces():
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith(PREFIX + "-")]


def one(bindir, setup):
    serving, moved, back = SETUPS[setup]
    t0 = time.time()
    out = demo(bindir, setup)
    check(out.returncode == 0 and "The cluster keeps running" in out.stdout and
          re.search(r"Online: \[ n1 n2 (n3 )?\]", out.stdout),
          f"{setup}: starts in {time.time() - t0:.0f} s, prints pcs status with every node "
          "online and the commands to try", out.stdout[-3000:] + out.stderr[-2000:])
    if setup == "inventory":
        out = demo(bindir, "power-off", "4")
        check(out.returncode != 0 and "wants one node of the inventory demo, 1 to 3"
              in out.stderr, "power-off 4 on a 3-node demo: refused, saying why", out.stderr)
    before = last_watch_line(bindir)
    victim = serving(before)
    check(victim and victim.startswith("n"), f"{setup}: watch names the node serving: "
          f"{victim}", before)
    t = time.time()
    out = demo(bindir, "power-off", victim[1:])
    check(out.returncode == 0, f"{setup}: power-off {victim[1:]}", out.stderr)
    line = wait_line(bindir, lambda line: moved(line, victim, before), SERVE_S,
                     f"another node than {victim} serving")
    ok(f"{setup}: within {time.time() - t:.1f} s of `power-off {victim[1:]}` (it watches for a few "
       f"s itself), another node serves: {line.strip()}")
    out = demo(bindir, "boot", victim[1:])
    check(out.returncode == 0, f"{setup}: boot {victim[1:]}", out.stdout + out.stderr)
    line = wait_line(bindir, lambda line: back(line, victim), REJOIN_S, f"{victim} back")
    ok(f"{setup}: {victim} booted and back: {line.strip()}")
    out = demo(bindir, "--stop")
    left = namespaces()
    check(out.returncode == 0 and not left and not os.path.exists(STATE),
          f"{setup}: --stop leaves no namespace and no state folder", f"{left} {out.stderr}")
    out = demo(bindir, "watch", "1")
    check(out.returncode != 0 and "no demo cluster is running" in out.stderr,
          f"{setup}: after --stop, watch says no demo runs", out.stdout + out.stderr)


def run(crmd, pcs):
    bindir = os.path.dirname(os.path.abspath(crmd))
    if os.path.dirname(os.path.abspath(pcs)) != bindir:
        raise AssertionError("crmd and pcs must be in one folder (the demo takes BINDIR)")
    try:
        for setup in SETUPS:
            tool = missing_tool(setup)
            if tool:
                # CI installs ./dev deps: there a missing package is a failure, not a skip.
                check(os.environ.get("CI") != "true", f"{setup}: {tool} is installed")
                print(f"# {setup}: skipped, {tool} is not installed (./dev deps)")
                continue
            one(bindir, setup)
    finally:
        demo(bindir, "--stop")


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
