#!/usr/bin/env python3
"""cluster.fence_delegate_netns: a node never fences itself with a device. `pcs stonith fence`
of the DC, and of a node run on that node, with real crmd processes in network namespaces.

3 nodes and the harness's fence device (no watchdog: only the device fences); a VIP that
prefers the DC. The lowest node other than the DC, nA, the one the DC asks first, has no fence
agent: its crmd is started again with an empty --fence-agent-path.
  fence the DC   `pcs stonith fence nDC` run on the third node nB prints "Node: nDC fenced":
                 nA answers that it has no such agent, the DC asks nB next, and the DC is
                 powered off by nB's device (the history says "reboot of nDC by nB for pcs@nB":
                 not the target, nor nA), a new DC records it once (the DC is not fenced a
                 second time) and the VIP moves
  own node       back to three nodes, `pcs stonith fence nT` run on a node T that is not the
                 DC: T is powered off by the DC's device, and the history says so

usage: fence_delegate_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import Checks  # noqa: E402
from resource_cluster import ResourceCluster  # noqa: E402

CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
VIP = "198.51.100.31"
FENCE_S = 60
WATCHDOG_OPTIONS = ("--watchdog-timeout", "--self-fence-command")


def history(c, i, *node):
    out = c.pcs(i, "stonith", "history", *(["show", *node] if node else []), check=False)
    if out.returncode != 0:
        raise AssertionError(f"pcs stonith history on n{i}: {out.stderr}")
    return out.stdout


def dc_of(c, i):
    status, _ = c.status(i)
    return int(status.dc[1:]) if status.dc else None


def run(crmd, pcs):
    with ResourceCluster(crmd, pcs, prefix=f"pulse-fdel{os.getpid()}") as c:
        c.extra_crmd_args = [a for a in c.extra_crmd_args if not a.startswith(WATCHDOG_OPTIONS)]
        c.bring_up("fdel")
        check(c.use_fence_device(), "fence device: fence (stonith:fence_pulse_netns)")
        dc = dc_of(c, 1)
        c.pcs(1, "resource", "create", "vip", "ocf:heartbeat:IPaddr2", f"ip={VIP}",
              "cidr_netmask=24", "op", "monitor", "interval=5s")
        c.pcs(1, "constraint", "location", "vip", "prefers", f"n{dc}=100")
        c.wait_started("vip", FENCE_S, on=[f"n{dc}"])
        ok(f"the VIP runs on the DC n{dc}")

        # --- fence the DC, asked on another node ------------------------------------------
        others = [i for i in range(1, c.nodes + 1) if i != dc]
        asker = others[-1]
        # The member the DC asks first cannot run the device: the DC must ask the other one.
        bare = others[0]
        c.stop_crmd(bare)
        agents, c.fence_agent_dirs = c.fence_agent_dirs, os.path.join(c.state, "no-fence-agents")
        os.makedirs(c.fence_agent_dirs, exist_ok=True)
        try:
            c.start_crmd(bare)
        finally:
            c.fence_agent_dirs = agents
        c.pcs(asker, "cluster", "start", f"n{bare}")
        c.wait_members(3, 30, via=asker)
        check(dc_of(c, asker) == dc, f"n{bare} is back without fence agents, n{dc} still the DC")
        started = time.time()
        out = c.pcs(asker, "stonith", "fence", f"n{dc}", check=False, timeout=120)
        print(f"# pcs stonith fence n{dc} on n{asker}: {time.time() - started:.1f} s", flush=True)
        check(out.returncode == 0 and out.stdout.strip() == f"Node: n{dc} fenced",
              f"fence the DC: pcs stonith fence n{dc} on n{asker} prints 'Node: n{dc} fenced'",
              out.stdout + out.stderr)
        check(c.powered_off(dc), f"fence the DC: n{dc} is powered off")
        line = re.compile(rf"reboot of n{dc} by n(\d+) for pcs@n{asker} successful at ")
        c.wait_for(lambda: line.match(history(c, asker).strip() or "-"), FENCE_S,
                   f"the new DC to record the fencing of n{dc}")
        new_dc = c.wait_for(lambda: dc_of(c, asker), 30, "a new DC")
        text = history(c, asker)
        executor = int(line.match(text.strip()).group(1))
        check(executor == asker and new_dc != dc,
              f"fence the DC: n{executor} ran the device (not the target, nor n{bare} "
              f"which has no agent), n{new_dc} is the new DC", text)
        bare_log = "\n".join(t for _, t in c.log_lines(bare))
        check(f"fencing: n{dc} on behalf of n{dc} (it is the target)" in bare_log and
              f"fencing: n{dc} NOT fenced: " in bare_log,
              f"fence the DC: n{bare}, asked first, could not (no agent) and said so")
        node = c.wait_started("vip", FENCE_S, not_on=[f"n{dc}"], i=asker)
        ok(f"fence the DC: the VIP moved to {node}")
        time.sleep(3)  # a second fencing of the old DC would show by now
        for i in others:
            lines = history(c, i).splitlines()
            check(len(lines) == 1 and line.match(lines[0]),
                  f"fence the DC: n{i} shows the one fencing of n{dc} (not fenced twice)",
                  "\n".join(lines))
        logs = "\n".join(t for _, t in c.log_lines(executor))
        check(f"fencing: n{dc} on behalf of n{dc} (it is the target)" in logs,
              f"fence the DC: n{executor}'s log says it fenced n{dc} on its behalf")

        # --- a node asks for its own fencing ----------------------------------------------
        c.boot(dc, via=asker)
        c.wait_members(3, 30, via=asker)
        now_dc = c.wait_for(lambda: dc_of(c, asker), 30, "a DC")
        target = [i for i in range(1, c.nodes + 1) if i != now_dc][0]
        done = re.compile(rf"reboot of n{target} by n(\d+) for pcs@n\d+ successful at ")
        before = len([t for t in history(c, now_dc).splitlines() if done.match(t)])
        c.pcs(target, "stonith", "fence", f"n{target}", check=False, timeout=120)
        c.wait_for(lambda: c.powered_off(target), FENCE_S, f"n{target} to be fenced")
        ok(f"own node: pcs stonith fence n{target} on n{target} powered it off")
        c.wait_for(lambda: len([t for t in history(c, now_dc).splitlines() if done.match(t)]) >
                   before, 30, f"the fencing of n{target} completed in the history")
        text = history(c, now_dc)
        by = [int(done.match(t).group(1)) for t in text.splitlines() if done.match(t)]
        check(by[0] == now_dc,
              f"own node: the history says n{now_dc} (the DC) fenced n{target}", text)


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
