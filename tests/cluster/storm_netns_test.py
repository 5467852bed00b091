#!/usr/bin/env python3
"""cluster.storm_netns: failed actions settle instead of making a transition storm (real crmd
and pcs processes in network namespaces, 3 nodes, the fence device fence_pulse_netns).

For each scenario it counts what the DC did from the moment of the change: engine runs (the
DC's "transition N on CIB" log lines) and saved engine inputs (files added to its pengine/),
then measures every crmd's CPU over 10 s from /proc/PID/stat once the cluster has settled, and
reads `pcs status` as an operator would. Scenarios (PULSE_SCENARIOS=a,b runs only those):

  invalid       `pcs cluster cib-push` of primitives whose agents do not exist
                (ocf:heartbeat:NoSuchAgent, ocf:nosuchprovider:Dummy, and a type that cannot
                be a file name, "No/Such"): probed "not installed"
                everywhere, Stopped, never started or stopped; pcs edits still work
  start-fails   ocf:pulse:Failing start_rc=1: tried once on each node, then Stopped
  stop-blocked  stonith-enabled=false, ocf:pulse:Failing stop_rc=1, disabled: one stop,
                shown "FAILED NODE (blocked)", no more actions
  stop-fenced   stonith on, the same: its node is fenced (powered off) once, the resource
                Stopped

usage: storm_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import Checks  # noqa: E402
from resource_cluster import (ResourceCluster, print_scenario_results, raise_if_failed,  # noqa: E402
                              run_scenarios)

CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
START_S = 30
SETTLE_S = 8        # after the last expected action, before measuring
CPU_WINDOW_S = 10
MAX_CPU = 5.0       # percent of one core, per crmd
RESULTS = []
TRANSITION_RE = re.compile(r"controller: transition (\d+) on CIB")


def idx(node):
    return int(node[1:])


class Dc:
    """What the DC has done since `mark()`: engine runs and saved engine inputs."""

    def __init__(self, c):
        self.c = c
        self.node = None
        self.mark()

    def mark(self):
        status, _ = self.c.status()
        self.node = idx(status.dc)
        self.lines = len(self.c.log_lines(self.node))
        self.log_bytes = self.log_size()
        self.inputs = set(self.input_files())

    def log_size(self):
        try:
            return os.path.getsize(self.c.log_path(self.node))
        except OSError:
            return 0

    def input_files(self):
        try:
            return [f for f in os.listdir(os.path.join(self.c.state_dir(self.node), "pengine"))
                    if f.startswith("pe-input-")]
        except FileNotFoundError:
            return []

    def engine_runs(self):
        return sum(1 for _, text in self.c.log_lines(self.node)[self.lines:]
                   if TRANSITION_RE.search(text))

    def inputs_saved(self):
        return len(set(self.input_files()) - self.inputs)

    def executed(self, what):
        """How many times the DC handed out `what` (e.g. "r_stop_0") since mark()."""
        return sum(1 for _, text in self.c.log_lines(self.node)[self.lines:]
                   if f"controller: executing {what} on" in text)


def crmd_cpu(c, window=CPU_WINDOW_S):
    """{node: percent of one core} of every running crmd over `window` seconds."""
    tick = os.sysconf("SC_CLK_TCK")

    def jiffies(pid):
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    pids = {}
    for i in range(1, c.nodes + 1):
        out = c.harness("pid", str(i), "crmd", check=False)
        if out.returncode == 0:
            pids[f"n{i}"] = int(out.stdout.strip())
    before = {n: jiffies(p) for n, p in pids.items()}
    t0 = time.time()
    time.sleep(window)
    took = time.time() - t0
    return {n: 100.0 * (jiffies(p) - before[n]) / tick / took for n, p in pids.items()}


def settled(c, dc, name, max_runs, max_inputs):
    """The cluster is quiet: bounded engine runs and saved inputs, and no crmd busy."""
    time.sleep(SETTLE_S)
    runs, inputs = dc.engine_runs(), dc.inputs_saved()
    log_before = dc.log_size()
    cpu = crmd_cpu(c)
    runs_after = dc.engine_runs()
    log_rate = (dc.log_size() - log_before) / CPU_WINDOW_S
    print(f"# {name}: engine runs {runs}, engine inputs saved {inputs}; over the next "
          f"{CPU_WINDOW_S} s: {runs_after - runs} more runs, DC log {log_rate:.0f} bytes/s, "
          "crmd CPU " + ", ".join(f"{n} {p:.1f}%" for n, p in sorted(cpu.items())), flush=True)
    check(runs <= max_runs, f"{name}: the DC ran the engine {runs} times (at most {max_runs})",
          c.dc_log_tail(30))
    check(inputs <= max_inputs, f"{name}: {inputs} engine inputs saved (at most {max_inputs})")
    check(runs_after == runs, f"{name}: no engine run while measuring the CPU",
          f"{runs_after - runs} more")
    busiest = max(cpu.values())
    check(busiest < MAX_CPU, f"{name}: crmd CPU over {CPU_WINDOW_S} s afterwards: " +
          ", ".join(f"{n} {p:.1f}%" for n, p in sorted(cpu.items())) + f" (under {MAX_CPU}%)")


def failing(c, rsc, *params, meta=()):
    c.pcs(1, "resource", "create", rsc, "ocf:pulse:Failing", *params, "op", "monitor",
          "interval=5s", "meta", "resource-stickiness=100", *meta)


def clean_up(c, rsc):
    """Lets a resource that cannot stop stop, then deletes it."""
    c.pcs(1, "resource", "update", rsc, "stop_rc=0", "start_rc=0", check=False)
    c.pcs(1, "resource", "disable", rsc, check=False)
    c.pcs(1, "resource", "cleanup", rsc, check=False)
    try:
        c.wait_status(lambda s: rsc not in s.resources or s.resources[rsc].state == "Stopped",
                      30, f"{rsc} stopped")
    except AssertionError as e:
        print(f"# {str(e).splitlines()[0]}", flush=True)
    c.pcs(1, "resource", "delete", rsc, check=False)


# --- scenarios ---------------------------------------------------------------------------------

def sc_invalid(c):
    cib = c.pcs(1, "cluster", "cib").stdout
    bad = ('<primitive id="bad1" class="ocf" provider="heartbeat" type="NoSuchAgent"/>'
           '<primitive id="bad2" class="ocf" provider="nosuchprovider" type="Dummy"/>'
           '<primitive id="bad3" class="ocf" provider="heartbeat" type="No/Such"/>')
    cib = re.sub(r"<resources\s*/>", "<resources></resources>", cib, count=1)
    cib = cib.replace("</resources>", bad + "</resources>", 1)
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
        f.write(cib)
    try:
        dc = Dc(c)
        c.pcs(1, "cluster", "cib-push", f.name)
    finally:
        os.unlink(f.name)
    bad = ("bad1", "bad2", "bad3")
    c.wait_status(lambda s: sum(1 for a in s.failed if a.key.startswith("bad")) >= 3 * c.nodes,
                  START_S, "the probes of bad1-3 on every node")
    settled(c, dc, "invalid", max_runs=4, max_inputs=4)
    status = c.wait_status(lambda s: all(s.resources[r].state == "Stopped" for r in bad), 5,
                           "bad1-3 Stopped")
    check(sum(dc.executed(f"{r}_start_0") + dc.executed(f"{r}_stop_0") for r in bad) == 0,
          "invalid: never started nor stopped")
    reasons = {a.rc_text for a in status.failed if a.key.startswith("bad")}
    check(reasons == {"not installed"}, "invalid: Failed Resource Actions say 'not installed'",
          str(reasons))
    t0 = time.time()
    r = c.pcs(2, "resource", "create", "fine", "ocf:heartbeat:Dummy", check=False, timeout=60)
    check(r.returncode == 0, f"invalid: a pcs edit still works ({time.time() - t0:.1f} s)",
          r.stderr)
    c.wait_started("fine", START_S)
    for rsc in ("fine", *bad):
        c.pcs(1, "resource", "delete", rsc, check=False)
    c.pcs(1, "resource", "cleanup", check=False)


def sc_start_fails(c):
    dc = Dc(c)
    failing(c, "sf", "start_rc=1")
    c.wait_status(lambda s: "sf" in s.resources and s.resources["sf"].state == "Stopped" and
                  sum(1 for a in s.failed if a.key == "sf_start_0") == c.nodes,
                  START_S * 2, "sf's start failed on every node, sf Stopped")
    settled(c, dc, "start-fails", max_runs=8, max_inputs=8)
    check(dc.executed("sf_start_0") == c.nodes,
          f"start-fails: one start on each node ({dc.executed('sf_start_0')})")
    clean_up(c, "sf")


def stop_fails(c):
    status, _ = c.status()
    target = next(f"n{i}" for i in range(1, c.nodes + 1) if f"n{i}" != status.dc)
    failing(c, "sp", "stop_rc=1", meta=("target-role=Stopped",))
    c.pcs(1, "constraint", "location", "sp", "prefers", target)
    c.pcs(1, "resource", "enable", "sp")
    c.wait_started("sp", START_S, on=[target])
    dc = Dc(c)
    c.pcs(1, "resource", "disable", "sp")
    return target, dc


def forget_sp(c):
    clean_up(c, "sp")
    for i in range(1, c.nodes + 1):
        c.pcs(1, "constraint", "remove", f"location-sp-n{i}-INFINITY", check=False)


def sc_stop_blocked(c):
    c.pcs(1, "property", "set", "stonith-enabled=false")
    try:
        target, dc = stop_fails(c)
        status = c.wait_status(lambda s: s.resources["sp"].state == "FAILED", START_S,
                               "sp FAILED")
        settled(c, dc, "stop-blocked", max_runs=3, max_inputs=3)
        status, text = c.status()
        sp = status.resources["sp"]
        check(sp.nodes == [target] and "blocked" in sp.flags,
              f"stop-blocked: pcs status shows sp FAILED {target} (blocked)",
              next((line for line in text.splitlines() if "sp\t" in line), text))
        check(dc.executed("sp_stop_0") == 1, "stop-blocked: the stop was tried once",
              str(dc.executed("sp_stop_0")))
        check("stop configured to exit 1" in text,
              "stop-blocked: the failed stop's reason is under Failed Resource Actions")
        check(not c.powered_off(idx(target)), f"stop-blocked: {target} not fenced")
    finally:
        # Cleaned up before fencing is back on: with it, the failed stop would fence the node.
        forget_sp(c)
        c.pcs(1, "property", "set", "stonith-enabled=true", check=False)


def sc_stop_fenced(c):
    if not c.fence_mode:
        raise AssertionError("no fence device (pcs stonith/resource create failed)")
    try:
        target, dc = stop_fails(c)
        c.wait_for(lambda: dc.executed("sp_stop_0"), START_S, "sp's stop")
        settled(c, dc, "stop-fenced", max_runs=6, max_inputs=6)
        check(c.powered_off(idx(target)),
              f"stop-fenced: {target} was fenced (powered off) after sp's stop failed there")
        c.wait_status(lambda s: s.resources["sp"].state == "Stopped", 10, "sp Stopped")
        check(dc.executed("sp_stop_0") == 1, "stop-fenced: the stop was tried once",
              str(dc.executed("sp_stop_0")))
    finally:
        forget_sp(c)


def boot_fenced(c):
    """Between scenarios: a node fenced by the last one is powered on and rejoins."""
    for i in range(1, c.nodes + 1):
        if c.harness("pid", str(i), "crmd", check=False).returncode == 0:
            continue
        via = 1 if i != 1 else 2
        c.boot(i, via)
        c.wait_members(c.nodes, 30, via=via)


SCENARIOS = [("invalid", sc_invalid), ("start-fails", sc_start_fails),
             ("stop-blocked", sc_stop_blocked), ("stop-fenced", sc_stop_fenced)]


def run(crmd, pcs):
    wanted = [s for s in os.environ.get("PULSE_SCENARIOS", "").split(",") if s]
    with ResourceCluster(crmd, pcs, prefix=f"pulse-storm{os.getpid()}") as c:
        if not c.features["ocf_root"]:
            raise AssertionError("crmd has no --ocf-root: ocf:pulse:Failing cannot run")
        c.bring_up("storm")
        ok("3 nodes formed")
        c.fence_mode = c.use_fence_device()
        check(c.fence_mode, "fence device: fence (stonith:fence_pulse_netns)")
        c.wait_started("fence", START_S)
        run_scenarios(c, SCENARIOS, wanted, boot_fenced, RESULTS)
    print_scenario_results(RESULTS)
    raise_if_failed(RESULTS)


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
