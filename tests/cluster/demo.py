#!/usr/bin/env python3
"""`./dev demo [SETUP]`: one of the four setups of the guides, made in network namespaces with
the commands a user types, left running to play with; and the commands that act on the running
one, whichever it is.

usage: demo.py BINDIR [SETUP | watch [SECONDS] | power-off N | boot N | --stop]
  SETUP        (default haproxy) form the cluster, create the setup's resources, print
               `pcs status` and the commands to try; the cluster stays up. One of:
                 haproxy       setup 1: two HAProxy nodes, two floating IPs
                 leader-route  setup 2: HAProxy routed to the node where a resource runs by
                               crmd's checks on port 9201
                 postgres      setup 3: PostgreSQL 15 primary and replicas behind a VIP
                 inventory     setup 4: a cluster set up from an inventory, quorum-gated
                               changes and the cluster's event log
  watch [S]    twice a second, what a client of the running setup sees (S seconds, default
               until Ctrl-C)
  power-off N  node N loses power: every process killed, its VIPs gone, link down
  boot N       node N boots: its crmd and services start; crmd rejoins by itself
  --stop       tear down whichever demo cluster runs (also the engine demo's)

Every demo uses the namespaces pulse-demo-* and the state folder /var/tmp/pulse-demo (or
PULSE_DEMO_PREFIX and PULSE_DEMO_STATE); the file `setup` there names the setup that runs,
power-off-nN the time node N lost power.
"""
import importlib
import os
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import leader_route as lr  # noqa: E402
from pulse_netns import HARNESS, PASSWORD, node_address  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
# The test (demo_netns_test.py) runs the demos under its own names, leaving a user's demo alone.
PREFIX = os.environ.get("PULSE_DEMO_PREFIX", "pulse-demo")
STATE = os.environ.get("PULSE_DEMO_STATE", "/var/tmp/pulse-demo")
SETUP_FILE = os.path.join(STATE, "setup")
# The setups and their modules (each: TITLE, NODES, cluster, up, try_text, watch_line, boot;
# optionally power_off and AFTER_S, how long to watch after a power-off or a boot).
SETUPS = {"haproxy": "demo_haproxy", "leader-route": "demo_leader_route",
          "postgres": "demo_postgres", "inventory": "demo_inventory"}


def load(name):
    return importlib.import_module(SETUPS[name])


# --- what the user sees ------------------------------------------------------------------------
def shown(node, args, note=""):
    """The prompt line of a pcs command as an operator on node types it (password hidden)."""
    words = " ".join(shlex.quote(a) if a != PASSWORD else "'********'" for a in args)
    return f"\n[n{node}]# pcs {words}" + (f"      # {note}" if note else "")


def typed(c, node, *args, note=""):
    """pcs on node, printed as typed, with its output; a failure stops the demo after pcs's
    own message."""
    print(shown(node, args, note), flush=True)
    result = getattr(c, "plain_pcs", c.pcs)(node, *args, check=False)
    sys.stdout.write(result.stdout + result.stderr)
    sys.stdout.flush()
    if result.returncode != 0:
        raise AssertionError(f"pcs {' '.join(args[:3])} ... on n{node} exited "
                             f"{result.returncode}")
    return result


def is_read(args):
    """The pcs commands the setup modules poll with while they wait (pcs status, the CIB, the
    JSON views): not shown, since a user would not type them in a loop."""
    return (args[:1] == ("status",) or args[:2] == ("cluster", "cib")
            or args[:2] == ("quorum", "status") or "--output-format=json" in args)


def echo_pcs(c):
    """From now on every pcs command the setup modules run on c that changes the cluster is
    printed as typed, with its output, so the shared setup code (the tests') shows the guide's
    commands without being copied here."""
    c.plain_pcs = plain = c.pcs

    def pcs(node, *args, **kw):
        if is_read(args):
            return plain(node, *args, **kw)
        print(shown(node, args), flush=True)
        result = plain(node, *args, **kw)
        sys.stdout.write(result.stdout + result.stderr)
        sys.stdout.flush()
        return result
    c.pcs = pcs


def form_as_typed(c, name, nodes):
    """host auth, cluster setup, cluster start --all, cluster enable --all (crmd starts the
    membership by itself when the node boots), as the guides type them."""
    c.start_all_crmd()
    hosts = []
    for i in range(1, nodes + 1):
        hosts += [f"n{i}", f"addr={node_address(i)}"]
    typed(c, 1, "host", "auth", *hosts, "-u", "hacluster", "-p", PASSWORD)
    typed(c, 1, "cluster", "setup", name, *[f"n{i}" for i in range(1, nodes + 1)])
    typed(c, 1, "cluster", "start", "--all")
    typed(c, 1, "cluster", "enable", "--all", note="start the cluster when crmd starts")
    c.wait_for(lambda: c.pcs(1, "cluster", "cib", check=False).returncode == 0, 20,
               "the DC to finish its sync")


def vip_holders(c, addr):
    """The nodes ("nI") with addr on an interface."""
    held = []
    for i in range(1, c.nodes + 1):
        text = subprocess.run(["ip", "-n", f"{PREFIX}-n{i}", "-o", "-4", "addr", "show"],
                              capture_output=True, text=True).stdout
        if f" {addr}/" in text:
            held.append(f"n{i}")
    return held


def running_nodes(c):
    """The nodes whose crmd runs (not powered off, not fenced by themselves)."""
    return [i for i in range(1, c.nodes + 1)
            if c.harness("pid", str(i), "crmd", check=False).returncode == 0]


def wait_fenced(c, i, off_at):
    """Before node i boots in a setup with a fence device: waits until the survivors fenced it
    (a node booted before that would be powered off again by the fence). Survivors without
    quorum fence nobody, so then there is nothing to wait for; nor, after 30 s, any longer (the
    user asked for the boot: at worst the fence powers the node off once more)."""
    survivors = [j for j in running_nodes(c) if j != i]
    if len(survivors) <= c.nodes // 2:
        return
    try:
        lr.wait_fenced(c, i, off_at, survivors)
    except AssertionError:
        print(f"n{i} was not fenced within 30 s of its power-off; booting it anyway")


def pcs_cmd(bindir, node=1):
    """pcs as typed on node (the alias the demo's suggestions use: pcs1)."""
    return (f"ip netns exec {PREFIX}-n{node} {os.path.abspath(bindir)}/pcs "
            f"--state-dir {STATE}/n{node}")


# --- the running demo ----------------------------------------------------------------------------
def running():
    """The name of the setup that runs, or exits with a message when none does."""
    try:
        with open(SETUP_FILE) as f:
            name = f.read().strip()
    except FileNotFoundError:
        name = ""
    if name not in SETUPS:
        raise SystemExit("demo: no demo cluster is running (start one with ./dev demo [SETUP])")
    return name


def attached(name, bindir):
    """The running demo's cluster, for watch/power-off/boot (not entered: nothing is set up
    again, nothing torn down)."""
    c = load(name).cluster(bindir)
    c.state = STATE
    return c


def off_since(i):
    try:
        with open(os.path.join(STATE, f"power-off-n{i}")) as f:
            return float(f.read())
    except (FileNotFoundError, ValueError):
        return 0.0


def stop():
    subprocess.run([HARNESS, "--prefix", PREFIX, "down"], check=False)
    subprocess.run(["rm", "-rf", STATE], check=False)
    print("demo cluster stopped and removed")
    return 0


def watch(setup, c, seconds):
    t0 = time.time()
    try:
        while seconds is None or time.time() - t0 < seconds:
            line = setup.watch_line(c)
            print(f"{time.time() - t0:6.1f} s   {line}", flush=True)
            time.sleep(max(0.0, 0.5 - (time.time() - t0) % 0.5))
    except KeyboardInterrupt:
        pass
    return 0


def up(name, bindir):
    setup = load(name)
    # A cluster left running by an earlier demo would hold the namespace names.
    subprocess.run([HARNESS, "--prefix", PREFIX, "down"], capture_output=True, check=False)
    print(f"\n== Pulse demo: {setup.TITLE} ==\n")
    with setup.cluster(bindir) as c:
        with open(SETUP_FILE, "w") as f:
            f.write(name + "\n")
        setup.up(c, bindir)
        print("\n-- the cluster now --")
        typed(c, 1, "status")
    other = " | ".join(s for s in SETUPS if s != name)
    print(f"\nThe cluster keeps running. Try, as root, in {REPO}:\n"
          f"  alias pcs1='{pcs_cmd(bindir)}'    # pcs on n1\n"
          f"  ./dev demo watch            # twice a second: what a client sees (Ctrl-C)\n"
          f"{setup.try_text(c, bindir)}\n"
          f"Stop it with: ./dev demo --stop   (the other setups: ./dev demo {other})")
    return 0


def power(name, bindir, action, node):
    setup = load(name)
    c = attached(name, bindir)
    if action == "power-off":
        if c.powered_off(node):
            raise SystemExit(f"demo: n{node} is already powered off")
        getattr(setup, "power_off", lambda c, i: c.power_off(i))(c, node)
        with open(os.path.join(STATE, f"power-off-n{node}"), "w") as f:
            f.write(f"{time.time():.3f}\n")
        print(f"n{node} is powered off (its processes killed, its VIPs gone, link down). Now:")
    else:
        if not c.powered_off(node):
            if c.harness("pid", str(node), "crmd", check=False).returncode == 0:
                raise SystemExit(f"demo: n{node} is not powered off")
            # Its crmd is gone: the node fenced itself (the watchdog, after losing quorum).
            # It boots as from a power-off, which first takes the rest of it down.
            print(f"n{node} fenced itself (its crmd is gone); it boots again")
            c.harness("power-off", str(node))
        setup.boot(c, node, off_since(node))
        try:
            os.unlink(os.path.join(STATE, f"power-off-n{node}"))
        except FileNotFoundError:
            pass  # it fenced itself: no power-off recorded
        print(f"n{node} booted: crmd started (the cluster is enabled, so it rejoins by itself) "
              "and the node's services. Now:")
    return watch(setup, c, getattr(setup, "AFTER_S", 3.0))


def main() -> int:
    args = sys.argv[1:]
    if not args or args[0].startswith("-h"):
        print(__doc__)
        return 2
    bindir, action, rest = args[0], (args[1:] or ["haproxy"])[0], args[2:]
    if action == "--stop" and not rest:
        return stop()
    if os.geteuid() != 0:
        print("demo: needs root (network namespaces); run it as root or with sudo",
              file=sys.stderr)
        return 1
    try:
        if action in SETUPS and not rest:
            return up(action, bindir)
        if action in ("power-off", "boot"):
            name = running()
            nodes = load(name).NODES
            names = {str(i): i for i in range(1, nodes + 1)}
            names.update({f"n{i}": i for i in range(1, nodes + 1)})
            if len(rest) != 1 or rest[0] not in names:
                raise SystemExit(f"demo: {action} wants one node of the {name} demo, 1 to "
                                 f"{nodes} (n1 to n{nodes})")
            return power(name, bindir, action, names[rest[0]])
        if action == "watch" and len(rest) <= 1:
            try:
                seconds = float(rest[0]) if rest else None
            except ValueError:
                seconds = -1.0
            if seconds is not None and seconds <= 0:
                raise SystemExit(f"demo: watch wants a positive number of seconds, not {rest[0]}")
            name = running()
            return watch(load(name), attached(name, bindir), seconds)
    except AssertionError as e:
        print(f"demo: {e}", file=sys.stderr)
        return 1
    print(f"demo: unknown command '{' '.join(args[1:])}'\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
