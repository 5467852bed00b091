#!/usr/bin/env python3
"""cluster.resources_netns: resources run by real crmd processes in network namespaces, judged
the way an operator would: `pcs status`, which node answers a VIP, agents' state files.

3 nodes + a client namespace; a VIP checker (vip_checker.py) samples every 50 ms who holds each
VIP and who answers ARP for it, and its counts are printed per scenario. Scenarios (each runs
even when an earlier one failed; PULSE_SCENARIOS=a,b runs only those):

  dummy       create/disable/enable/move/delete of ocf:heartbeat:Dummy
  vip         IPaddr2: it answers from the node holding it, and only from it; move
  group       a group of a VIP and a Dummy runs on one node, the VIP answering there
  constraints colocation (same node) and order (B's start after A's 3 s start ends)
  standby     pcs node standby drains the node; unstandby
  monitor     a failing monitor (Dummy's state file removed) recovered in place, then moved
              after migration-threshold=2
  hang        a hung start (ocf:pulse:HangAgent when crmd has --ocf-root, else Delay with
              startdelay 600 s) killed at its 3 s op timeout and listed under Failed Resource
              Actions; no agent process left
  nodekill    kill -9 of crmd and its agents on the VIP's node (the VIP stays configured):
              the node is fenced (fence_pulse_netns) and the VIP comes back on a survivor,
              never on two nodes at once
  dckill      kill -9 of the DC while a slow start runs: a new DC finishes the transition
  down-write  a write while a node is down reaches it when it returns
  partition   2|1 partition with the VIP on the minority, self-fencing on (crmd's watchdog)
              next to the fence device: the minority drops its VIP, the majority takes it
              over, never two holders
  watchdog-only  the same with no fence device: survivors wait stonith-watchdog-timeout

usage: resources_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import Checks  # noqa: E402
from resource_cluster import (ResourceCluster, print_scenario_results, raise_if_failed,  # noqa: E402
                              run_scenarios)
from vip_checker import VipChecker  # noqa: E402

CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
VIP, GVIP = "198.51.100.10", "198.51.100.21"
START_S = int(os.environ.get("PULSE_TEST_START_S", "30"))  # a start, with the probes
RECOVER_S = 45     # node loss: detection + fencing + start elsewhere
RESULTS = []       # (scenario, "PASS"/"FAIL", detail)
CHECKER_LINES = []


def others(c, node):
    return [f"n{i}" for i in range(1, c.nodes + 1) if f"n{i}" != node]


def idx(node):
    return int(node[1:])


def vip_params(ip):
    # Stickiness: once moved, a VIP stays where it is when the move's constraint goes away.
    return ["ocf:heartbeat:IPaddr2", f"ip={ip}", "cidr_netmask=24", "op", "monitor",
            "interval=5s", "meta", "resource-stickiness=100"]


def remove(c, *resources):
    """Stop, then delete (as pcs 0.11's resource delete does): a deleted resource that still
    runs would otherwise disturb the next scenario."""
    for rsc in resources:
        c.pcs(1, "resource", "disable", rsc, check=False)
    try:
        c.wait_status(lambda s: all(s.resources[r].state == "Stopped" for r in resources
                                    if r in s.resources), 20, " ".join(resources) + " stopped")
    except AssertionError as e:
        print(f"# {str(e).splitlines()[0]}", flush=True)
    for rsc in resources:
        c.pcs(1, "resource", "delete", rsc, check=False)


def delete_stops(c, rsc, create_args, stopped):
    """`pcs resource delete` of a running resource stops it (Pacemaker stops orphans). When it
    does not, the resource is created again, stopped and deleted, so that the next scenarios
    start clean, and the check fails."""
    c.pcs(1, "resource", "delete", rsc)
    try:
        c.wait_for(stopped, 15, f"{rsc} stopped once deleted")
    except AssertionError:
        c.pcs(1, "resource", "create", rsc, *create_args, check=False)
        remove(c, rsc)
        raise
    ok(f"deleting {rsc} stops it")


class Watch:
    """The VIP checker over one scenario; its counts are printed and kept for the summary."""

    def __init__(self, c, name, vips):
        self.name = name
        self.checker = VipChecker(c.node_namespaces(), vips, client=c.client_namespace())

    def __enter__(self):
        self.checker.start()
        self.t0 = time.time()
        return self.checker

    def __exit__(self, *exc):
        report = self.checker.stop()
        text = report.text(since=self.t0)
        print(f"# checker [{self.name}]: " + text.replace("\n", "\n#   "), flush=True)
        CHECKER_LINES.append(f"{self.name}: {text.splitlines()[0]}")
        if exc[0] is None:
            check(report.split_brain == 0, f"{self.name}: the checker never saw a VIP on two "
                  "nodes", str(report.first_split))
            check(report.double_answer == 0, f"{self.name}: never two ARP answers for a VIP")
        return False


# --- scenarios ---------------------------------------------------------------------------------

def sc_dummy(c):
    c.pcs(1, "resource", "create", "d1", "ocf:heartbeat:Dummy", "op", "monitor", "interval=5s",
          "meta", "resource-stickiness=100")
    node = c.wait_started("d1", START_S)
    check(list(c.agent_state_files("Dummy-d1")) == [idx(node)],
          f"dummy: d1 started on {node} and only {node} has its state file",
          str(c.agent_state_files("Dummy-d1")))
    c.pcs(2, "resource", "disable", "d1")
    c.wait_status(lambda s: s.resources["d1"].state == "Stopped", START_S, "d1 stopped")
    check(not c.agent_state_files("Dummy-d1"), "dummy: disabled d1 is stopped everywhere")
    c.pcs(3, "resource", "enable", "d1")
    node = c.wait_started("d1", START_S)
    target = others(c, node)[0]
    c.pcs(1, "resource", "move", "d1", target, check=False, timeout=90)
    c.wait_started("d1", START_S, on=[target])
    check(list(c.agent_state_files("Dummy-d1")) == [idx(target)],
          f"dummy: moved from {node} to {target}; only {target} runs it")
    c.pcs(1, "resource", "clear", "d1", check=False)
    delete_stops(c, "d1", ["ocf:heartbeat:Dummy"], lambda: not c.agent_state_files("Dummy-d1"))


def sc_vip(c):
    with Watch(c, "vip", [VIP]) as checker:
        c.pcs(1, "resource", "create", "vip", *vip_params(VIP))
        node = c.wait_started("vip", START_S)
        c.wait_for(lambda: checker.holders_now(VIP) == {node}, 5, f"{VIP} on {node}")
        check(c.ask_service(VIP) == node, f"vip: {VIP} answers from {node}, which holds it")
        target = others(c, node)[0]
        c.pcs(2, "resource", "move", "vip", target, check=False, timeout=90)
        c.wait_started("vip", START_S, on=[target])
        c.wait_for(lambda: checker.holders_now(VIP) == {target}, 5, f"{VIP} on {target}")
        c.wait_for(lambda: c.ask_service(VIP) == target, 5, f"{VIP} answering from {target}")
        ok(f"vip: moved to {target}, answers from {target} only")
        c.pcs(1, "resource", "clear", "vip", check=False)
        delete_stops(c, "vip", vip_params(VIP), lambda: not checker.holders_now(VIP))
        check(c.ask_service(VIP, timeout=0.5) is None, "vip: deleted, nobody answers it")


def sc_leave(c):
    """pcs cluster stop of the VIP's node: the DC moves the VIP away before the node leaves, and
    the node is not fenced for leaving (Pacemaker's controlled shutdown)."""
    with Watch(c, "leave", [VIP]) as checker:
        c.pcs(1, "resource", "create", "vip", *vip_params(VIP))
        node = c.wait_started("vip", START_S)
        asker = idx(others(c, node)[0])
        r = c.pcs(asker, "cluster", "stop", node, check=False, timeout=60)
        check(r.returncode == 0, f"leave: pcs cluster stop {node} succeeds", r.stderr)
        after = c.wait_started("vip", START_S, not_on=[node], i=asker)
        c.wait_for(lambda: checker.holders_now(VIP) == {after}, 5, f"{VIP} on {after}")
        check(after != node, f"leave: the VIP moved from {node} to {after} before {node} left")
        time.sleep(3)  # time enough for a fence device to act, were the node taken for lost
        check(c.harness("pid", str(idx(node)), "crmd", check=False).returncode == 0,
              f"leave: {node} was not fenced (its crmd still runs)")
        c.pcs(asker, "cluster", "start", node, check=False, timeout=60)
        c.wait_members(c.nodes, 30, via=asker)
        remove(c, "vip")


def sc_group(c):
    with Watch(c, "group", [GVIP]) as checker:
        c.pcs(1, "resource", "create", "gvip", *vip_params(GVIP), "--group", "web")
        c.pcs(1, "resource", "create", "gsvc", "ocf:heartbeat:Dummy", "--group", "web")
        node = c.wait_started("gvip", START_S)
        c.wait_started("gsvc", START_S, on=[node])
        check(list(c.agent_state_files("Dummy-gsvc")) == [idx(node)] and
              checker.holders_now(GVIP) == {node} and c.ask_service(GVIP) == node,
              f"group: gvip and gsvc on {node}; the VIP answers from {node}")
        remove(c, "gsvc", "gvip")
        c.pcs(1, "resource", "delete", "web", check=False)


def sc_constraints(c):
    c.pcs(1, "resource", "create", "first", "ocf:heartbeat:Delay", "startdelay=3",
          "stopdelay=0", "mondelay=0", "op", "start", "timeout=20s", "meta",
          "target-role=Stopped")
    c.pcs(1, "resource", "create", "second", "ocf:heartbeat:Dummy", "meta",
          "target-role=Stopped")
    c.pcs(1, "constraint", "colocation", "add", "second", "with", "first", "INFINITY")
    c.pcs(1, "constraint", "order", "start", "first", "then", "start", "second")
    c.pcs(1, "resource", "enable", "second")  # would start at once if the order were ignored
    c.pcs(1, "resource", "enable", "first")
    node = c.wait_started("second", START_S)
    check(c.wait_started("first", 5) == node, f"constraints: second is with first on {node}")
    a = os.path.join(c.rsctmp(idx(node)), "Delay_first")
    b = os.path.join(c.rsctmp(idx(node)), "Dummy-second.state")
    gap = os.stat(b).st_mtime - os.stat(a).st_mtime
    check(gap >= 2.8, "constraints: second started after first's 3 s start ended",
          f"second's start came {gap:.2f} s after first's began")
    remove(c, "second", "first")


def sc_standby(c):
    for name in ("s1", "s2", "s3"):
        c.pcs(1, "resource", "create", name, "ocf:heartbeat:Dummy")
    for name in ("s1", "s2", "s3"):
        c.wait_started(name, START_S)
    busiest = max((f"n{i}" for i in range(1, c.nodes + 1)),
                  key=lambda n: len(c.status()[0].running_on(n)))
    c.pcs(2, "node", "standby", busiest)
    c.wait_status(lambda s: not s.running_on(busiest) and all(
        s.where(r) for r in ("s1", "s2", "s3")), START_S, f"{busiest} drained")
    check(not any(f.startswith("Dummy-s") for f in os.listdir(c.rsctmp(idx(busiest)))),
          f"standby: {busiest} drained, s1-s3 run on the others")
    c.pcs(2, "node", "unstandby", busiest)
    c.wait_status(lambda s: busiest in s.online and "standby" not in
                  s.node_states.get(busiest, ""), 10, f"{busiest} back online")
    remove(c, "s1", "s2", "s3")


def sc_monitor(c):
    c.pcs(1, "resource", "create", "mon", "ocf:heartbeat:Dummy", "op", "monitor",
          "interval=2s", "meta", "migration-threshold=2")
    node = c.wait_started("mon", START_S)
    state = os.path.join(c.rsctmp(idx(node)), "Dummy-mon.state")
    c.wait_for(lambda: os.path.exists(state), 5, "mon's state file")
    before = os.stat(state).st_mtime
    os.unlink(state)
    c.wait_for(lambda: os.path.exists(state) and os.stat(state).st_mtime != before, 20,
               f"mon restarted on {node}")
    c.wait_started("mon", 10, on=[node])
    ok(f"monitor: a failed monitor is recovered in place on {node}")
    time.sleep(1)
    os.unlink(state)
    moved = c.wait_started("mon", 30, not_on=[node])
    check(not os.path.exists(state), f"monitor: the second failure moves mon ({node} -> {moved})")
    status = c.wait_status(lambda s: any(f.key.startswith("mon_monitor") for f in s.failed), 5,
                           "the failed monitor under Failed Resource Actions")
    ok("monitor: listed: " + ", ".join(f"{f.key} on {f.node} '{f.rc_text}'"
                                       for f in status.failed if f.key.startswith("mon")))
    remove(c, "mon")


def sc_hang(c):
    t0 = time.time()
    if c.features["ocf_root"]:  # Pulse's HangAgent: a start that never ends (sleep 1000)
        c.pcs(1, "resource", "create", "hang", "ocf:pulse:HangAgent", "hang_action=start",
              "op", "start", "timeout=3s")
    else:                       # Debian's Delay: a start that sleeps 600 s
        c.pcs(1, "resource", "create", "hang", "ocf:heartbeat:Delay", "startdelay=600",
              "stopdelay=0", "mondelay=0", "op", "start", "timeout=3s")
    try:
        status = c.wait_status(lambda s: any(f.key.startswith("hang_start") for f in s.failed),
                               START_S, "hang's start under Failed Resource Actions")
    except AssertionError:
        ops = re.findall(r'<lrm_rsc_op [^>]*id="hang_[^>]*>',
                         c.pcs(1, "cluster", "cib", check=False).stdout)
        print("# the CIB's record of hang's operations:\n#   " + "\n#   ".join(ops[:6]))
        raise
    f = next(f for f in status.failed if f.key.startswith("hang_start"))
    took = time.time() - t0
    ok(f"hang: start on {f.node} failed '{f.rc_text}' ({f.rc}), seen {took:.1f} s after "
       "create")

    def sleepers():
        pids = subprocess.run(["ip", "netns", "pids", c.namespace(idx(f.node))],
                              capture_output=True, text=True).stdout.split()
        out = []
        for pid in pids:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    if re.search(rb"^sleep\x00(600|1000)\x00", fh.read()):
                        out.append(pid)
            except OSError:
                pass
        return out
    c.wait_for(lambda: not sleepers(), 5, "the hung agent's sleep to be killed")
    ok(f"hang: no agent process left on {f.node}")
    remove(c, "hang")


def sc_garbage(c):
    """An agent that prints garbage and exits 42 (no OCF code) for every action: its probes
    fail already (Pacemaker then takes it as active and failed, and stops it), the failures are
    recorded, and every crmd keeps running. Its stop fails too; on-fail=block keeps that from
    fencing the node (Pacemaker's default for a failed stop with fencing on)."""
    if not c.features["ocf_root"]:
        print("# garbage: skipped (no build-tree OCF root with ocf:pulse:Garbage)")
        return
    c.pcs(1, "resource", "create", "garbage", "ocf:pulse:Garbage", "bytes=200000", "op",
          "stop", "on-fail=block", "--force")
    status = c.wait_status(lambda s: any(f.key.startswith("garbage_") for f in s.failed),
                           START_S, "garbage's operations under Failed Resource Actions")
    failed = [f for f in status.failed if f.key.startswith("garbage_")]
    ok("garbage: recorded as failed: " +
       ", ".join(f"{f.key} on {f.node} '{f.rc_text}' ({f.rc})" for f in failed))
    alive = [i for i in range(1, c.nodes + 1)
             if c.harness("pid", str(i), "crmd", check=False).returncode == 0]
    check(alive == list(range(1, c.nodes + 1)), "garbage: every crmd still runs",
          f"running on {alive}")
    check(c.pcs(2, "status", check=False).returncode == 0, "garbage: pcs status still answers")
    # Deleted, garbage becomes an orphan whose failed stop has no on-fail=block any more: with
    # fencing on, Pacemaker (and Pulse) would fence every node for it. Fencing stays off until
    # the cleanup has removed that history, so the later scenarios start from a whole cluster.
    c.pcs(1, "property", "set", "stonith-enabled=false")
    c.pcs(1, "resource", "delete", "garbage", "--force", check=False)
    c.pcs(1, "resource", "cleanup", check=False)
    c.wait_status(lambda s: not any(f.key.startswith("garbage_") for f in s.failed)
                  and "garbage" not in s.resources, START_S,
                  "garbage's history to be cleaned up")
    c.pcs(1, "property", "set", "stonith-enabled=true")


def reboot(c, node, via):
    c.boot(idx(node), idx(via))
    c.start_service(idx(node))
    c.wait_members(c.nodes, 30, via=idx(via))


def sc_nodekill(c):
    if not c.fence_mode:
        raise AssertionError("no fence device (pcs stonith/resource create failed)")
    with Watch(c, "nodekill", [VIP]) as checker:
        c.pcs(1, "resource", "create", "vip", *vip_params(VIP))
        victim = c.wait_started("vip", START_S)
        c.wait_for(lambda: checker.holders_now(VIP) == {victim}, 5, f"{VIP} on {victim}")
        survivor = others(c, victim)[0]
        t_kill = c.kill_crmd(idx(victim))  # crmd and its agents; the VIP stays configured
        node = c.wait_started("vip", RECOVER_S, not_on=[victim], i=idx(survivor))
        c.wait_for(lambda: checker.holders_now(VIP) == {node}, 10, f"{VIP} on {node} only")
        took = time.time() - t_kill
        check(c.powered_off(idx(victim)), f"nodekill: {victim} was fenced (powered off)")
        ok(f"nodekill: {VIP} back on {node} {took:.1f} s after the kill")
        c.wait_for(lambda: c.ask_service(VIP) == node, 5, f"{VIP} answering from {node}")
        reboot(c, victim, survivor)
        remove(c, "vip")


def sc_dckill(c):
    dc = c.status()[0].dc
    check(dc is not None, f"dckill: the DC is {dc}")
    target = others(c, dc)[0]
    c.pcs(1, "resource", "create", "slow", "ocf:heartbeat:Delay", "startdelay=8",
          "stopdelay=0", "mondelay=0", "op", "start", "timeout=30s", "meta",
          "target-role=Stopped")
    c.pcs(1, "constraint", "location", "slow", "prefers", target)
    c.pcs(1, "resource", "enable", "slow")
    c.wait_for(lambda: idx(target) in c.agent_state_files("Delay_slow"), START_S,
               f"slow's start to begin on {target}")
    c.kill_crmd(idx(dc))
    status = c.wait_status(lambda s: s.dc not in (None, dc) and s.where("slow") == target,
                           RECOVER_S, "a new DC to finish starting slow", i=idx(target))
    ok(f"dckill: new DC {status.dc} finished the transition: slow Started {target}")
    if c.fence_mode:
        c.wait_for(lambda: c.powered_off(idx(dc)), 20, f"{dc} to be fenced")
    reboot(c, dc, target)
    remove(c, "slow")


def sc_down_write(c):
    victim, via = c.nodes, 1
    off_at = c.power_off(victim)
    c.wait_members(c.nodes - 1, 30, via=via)
    c.wait_for(lambda: c.pcs(via, "cluster", "cib", check=False).returncode == 0, 30,
               "a DC ready")
    c.pcs(via, "resource", "create", "late", "ocf:heartbeat:Dummy", "meta",
          "target-role=Stopped")
    path = os.path.join(c.state_dir(victim), "cib.xml")
    check('id="late"' not in open(path, encoding="utf-8").read(),
          f"down-write: n{victim} is down and does not have the write")
    if c.fence_mode:
        # The survivors fence the lost node (off already): booted before that is done, it
        # would be powered off again by the fence device.
        c.wait_for(lambda: any(at >= off_at and f"n{victim} fenced: recording it down" in text
                               for j in range(1, victim) for at, text in c.log_lines(j)),
                   30, f"n{victim} to be fenced")
    reboot(c, f"n{victim}", f"n{via}")
    c.wait_for(lambda: 'id="late"' in open(path, encoding="utf-8").read(), 20,
               f"n{victim} to get the write")
    ok(f"down-write: n{victim} has the write it missed")
    remove(c, "late")


def partition_minority(c, name):
    """The VIP on the minority node n3, then a 2|1 partition (the client with the majority):
    the VIP must end on the majority, never on two nodes; returns the checker's report."""
    minority = f"n{c.nodes}"
    with Watch(c, name, [VIP]) as checker:
        c.pcs(1, "resource", "create", "vip", *vip_params(VIP))
        c.pcs(1, "constraint", "location", "vip", "prefers", minority)
        c.wait_started("vip", START_S, on=[minority])
        c.wait_for(lambda: checker.holders_now(VIP) == {minority}, 5, f"{VIP} on {minority}")
        t_cut = time.time()
        # The client stays with the majority (a node not named would be alone on br0).
        c.harness("partition", " ".join(str(i) for i in [*range(1, c.nodes), c.client]),
                  str(c.nodes))
        node = c.wait_started("vip", RECOVER_S, not_on=[minority], i=1)
        c.wait_for(lambda: checker.holders_now(VIP) == {node}, 10, f"{VIP} on {node} only")
        report = checker.report(since=t_cut)
        dropped = next((t for t, _, h in report.timeline if minority not in h), None)
        taken = next((t for t, _, h in report.timeline if node in h), None)
        ok(f"{name}: {minority} dropped {VIP} {dropped - t_cut:.2f} s after the cut, {node} "
           f"took it {taken - t_cut:.2f} s after" if dropped and taken else
           f"{name}: {VIP} moved from {minority} to {node}")
        c.harness("unpartition")
        if c.harness("pid", str(c.nodes), "crmd", check=False).returncode == 0:
            c.kill_crmd(c.nodes)
        reboot(c, minority, "n1")
        remove(c, "vip")


def sc_partition(c):
    """Self-fencing on (crmd's watchdog, stonith-watchdog-timeout) next to the fence device:
    the minority loses quorum contact and drops its VIP; the majority fences it and takes the
    VIP over."""
    if not c.features["watchdog"]:
        raise AssertionError("crmd has no --watchdog-timeout/--self-fence-command (or "
                             "resource-agents/fence/pulse_self_fence_netns is missing)")
    partition_minority(c, "partition")


def sc_watchdog_only(c):
    """No fence device: only the watchdog. Survivors wait stonith-watchdog-timeout (the
    self-fencing bound) before taking the VIP of the cut-off minority."""
    if not c.features["watchdog"]:
        raise AssertionError("crmd has no --watchdog-timeout/--self-fence-command")
    c.drop_fence_device()
    try:
        partition_minority(c, "watchdog-only")
    finally:
        if c.fence_mode:
            c.use_fence_device()


SCENARIOS = [("dummy", sc_dummy), ("vip", sc_vip), ("leave", sc_leave), ("group", sc_group),
             ("constraints", sc_constraints), ("standby", sc_standby), ("monitor", sc_monitor),
             ("hang", sc_hang), ("garbage", sc_garbage), ("nodekill", sc_nodekill), ("dckill", sc_dckill),
             ("down-write", sc_down_write), ("partition", sc_partition),
             ("watchdog-only", sc_watchdog_only)]


def settle(c):
    """Between scenarios: every node a member again, nothing left of the last one."""
    for i in range(1, c.nodes + 1):
        if c.harness("pid", str(i), "crmd", check=False).returncode != 0:
            reboot(c, f"n{i}", "n1" if i != 1 else "n2")
    c.harness("unpartition", check=False)
    status, _ = c.status()
    left = [r.id for r in status.resources.values() if r.id != "fence"]
    if left:
        remove(c, *left)
        for group in {r.group for r in status.resources.values() if r.group}:
            c.pcs(1, "resource", "delete", group, check=False)
    c.pcs(1, "resource", "cleanup", check=False)


def run(crmd, pcs):
    wanted = [s for s in os.environ.get("PULSE_SCENARIOS", "").split(",") if s]
    with ResourceCluster(crmd, pcs, prefix=f"pulse-res{os.getpid()}") as c:
        options = " ".join(c.crmd_args() + c.extra_crmd_args)
        print(f"# crmd options: {options}", flush=True)
        c.bring_up("res")
        ok("3 nodes formed, a service on each node, client namespace " + c.client_namespace())
        c.fence_mode = c.use_fence_device()
        if c.fence_mode:
            ok("fence device: fence (stonith:fence_pulse_netns)")
        else:
            print("# no fence device could be created", flush=True)
        if c.features["watchdog"]:
            c.use_watchdog()
        run_scenarios(c, SCENARIOS, wanted, settle, RESULTS)
    print_scenario_results(RESULTS)
    print("# checker counts per scenario:")
    for line in CHECKER_LINES:
        print(f"#   {line}")
    raise_if_failed(RESULTS)


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
