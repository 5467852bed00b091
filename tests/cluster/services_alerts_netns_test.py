#!/usr/bin/env python3
"""cluster.services_alerts_netns: a systemd: resource and Pacemaker's sample alert agent, run by
real crmd processes in network namespaces, judged as an operator would (`pcs status`, what the
alert agent wrote, what systemctl was asked).

3 nodes. systemd is not init here, so each crmd drives units through the fake systemctl
(tests/fixtures/fake_systemctl, given as PULSE_SYSTEMCTL; it keeps each node's units apart by
network namespace); n1 and n2 "run systemd" (PULSE_SYSTEMD_DIR exists), n3 does not. The alert
is Pacemaker's /usr/share/pacemaker/alerts/alert_file.sh.sample, unmodified, created with
`pcs alert create` and `pcs alert recipient add`:
  create     pcs resource create web systemd:web: started on n1 or n2 through `systemctl start`
             (the agent writes "Resource operation 'start' for 'web' on 'nX': ok")
  no systemd web prefers n3 (INFINITY): it stays where it is, n3 answering "systemd is not
             running on this node"
  failure    the unit's main process is killed: the monitor sees the unit failed (the agent
             writes "... 'monitor (2000)' for 'web' on 'nX': not running"), web is started again
  stop       pcs resource disable web: `systemctl stop`, the unit's process gone, "... 'stop'
             ... ok" written
  fencing    a fence device and `pcs stonith fence n3`: every surviving node (n1 and n2) runs
             the alert agents, as Pacemaker's fencer does on every node: the sample writes
             "Fencing Operation reboot of n3 by nX for pcs@nX: OK" twice, and a second agent
             that records the namespace it ran in names both n1's and n2's; n3 is booted again
  node       pcs cluster stop n2: the agent writes "Node 'n2' is now 'lost'"

usage: services_alerts_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped)
"""
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import Checks  # noqa: E402
from resource_cluster import REPO, ResourceCluster  # noqa: E402

CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
SAMPLE = "/usr/share/pacemaker/alerts/alert_file.sh.sample"
FAKE_SYSTEMCTL = os.path.join(REPO, "tests", "fixtures", "fake_systemctl")
START_S = 45


class ServiceCluster(ResourceCluster):
    """Each crmd gets the fake systemctl; nodes in `no_systemd` run without systemd."""

    def __init__(self, crmd, pcs, work, no_systemd=()):
        super().__init__(crmd, pcs, prefix=f"pulse-svc{os.getpid()}")
        self.work = work
        self.no_systemd = set(no_systemd)
        self.systemctl_dir = os.path.join(work, "systemctl")
        os.makedirs(os.path.join(self.systemctl_dir, "units"))
        os.symlink(FAKE_SYSTEMCTL, os.path.join(self.systemctl_dir, "systemctl"))
        # pcs (run on n1) asks the same systemctl whether a unit exists.
        self.env.update(PULSE_SYSTEMCTL=os.path.join(self.systemctl_dir, "systemctl"),
                        PULSE_SYSTEMD_DIR=self.systemd_marker(1))
        os.makedirs(self.systemd_marker(1), exist_ok=True)

    def systemd_marker(self, i):
        return os.path.join(self.work, f"n{i}-run-systemd-system")

    def start_crmd(self, i: int, wait: bool = True):
        if i not in self.no_systemd:
            os.makedirs(self.systemd_marker(i), exist_ok=True)
        saved = dict(self.env)
        self.env["PULSE_SYSTEMD_DIR"] = self.systemd_marker(i)
        try:
            super().start_crmd(i, wait)
        finally:
            self.env = saved

    def add_unit(self, name, exec_start, description):
        with open(os.path.join(self.systemctl_dir, "units", name), "w") as f:
            f.write(f"Description={description}\nExecStart={exec_start}\n")

    def calls(self, i):
        """What node i's crmd asked systemctl, in order ("start web.service")."""
        path = os.path.join(self.systemctl_dir, "state", self.namespace(i), "calls.log")
        try:
            with open(path) as f:
                return [line.strip() for line in f]
        except FileNotFoundError:
            return []

    def main_pid(self, i, unit):
        path = os.path.join(self.systemctl_dir, "state", self.namespace(i), unit + ".pid")
        try:
            with open(path) as f:
                return int(f.read().strip())
        except (FileNotFoundError, ValueError):
            return None


def alive(pid):
    """True while the process runs (a zombie, dead but not reaped yet, does not count)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return not any(line.startswith("State:") and "Z" in line.split()[1:2]
                           for line in f)
    except OSError:
        return False


def run(crmd, pcs):
    if not os.access(SAMPLE, os.R_OK):
        print(f"SKIPPED: {SAMPLE} is missing (Debian package pacemaker-common)")
        sys.exit(77)
    with tempfile.TemporaryDirectory(prefix="pulse-svc-") as work:
        os.chmod(work, 0o755)
        agent = os.path.join(work, "alert_file.sh")
        shutil.copy(SAMPLE, agent)  # the sample as a user installs it: copied, made executable
        os.chmod(agent, 0o755)
        log = os.path.join(work, "alerts.log")
        with ServiceCluster(crmd, pcs, work, no_systemd=(3,)) as c:
            c.add_unit("web.service", "sleep 100000", "the web server")
            c.bring_up("svc")
            c.pcs(1, "property", "set", "stonith-enabled=false")
            c.pcs(1, "alert", "create", f"path={agent}", "id=file_alert")
            c.pcs(1, "alert", "recipient", "add", "file_alert", f"value={log}", "id=file_log")
            config = c.pcs(1, "alert", "config").stdout
            check(f"Recipient: file_log (value={log})" in config,
                  "pcs alert config lists the alert and its recipient", config)

            def lines():
                try:
                    with open(log) as f:
                        return f.read().splitlines()
                except FileNotFoundError:
                    return []

            def wait_line(pattern, what, after=0, timeout=30):
                return c.wait_for(lambda: [x for x in lines()[after:] if re.search(pattern, x)],
                                  timeout, what)

            # create
            c.pcs(1, "resource", "create", "web", "systemd:web", "op", "monitor",
                  "interval=2s")
            node = c.wait_started("web", START_S)
            i = int(node[1:])
            check(node in ("n1", "n2"), "create: web started on a node with systemd", node)
            check("start web.service" in c.calls(i),
                  f"create: {node}'s crmd ran systemctl start web.service", str(c.calls(i)))
            wait_line(rf"Resource operation 'start' for 'web' on '{node}': ok",
                      "the alert agent to write the start")
            ok(f"create: the alert agent wrote \"Resource operation 'start' for 'web' on "
               f"'{node}': ok\"")

            # no systemd
            c.pcs(1, "constraint", "location", "web", "prefers", "n3=INFINITY")
            time.sleep(3)
            check(c.wait_started("web", 10) == node,
                  "no systemd: web prefers n3 but stays on " + node)
            text = "\n".join(t for _, t in c.log_lines(3))
            check("systemd is not running on this node" in text,
                  "no systemd: n3 answers 'systemd is not running on this node'")

            # failure
            pid = c.main_pid(i, "web.service")
            check(pid is not None and alive(pid), f"failure: the unit's main process runs ({pid})")
            mark = len(lines())
            os.kill(pid, 9)
            wait_line(rf"Resource operation 'monitor \(2000\)' for 'web' on '\w+': not running",
                      "the alert agent to write the failed monitor", mark)
            ok("failure: the alert agent wrote \"Resource operation 'monitor (2000)' for 'web' "
               "on ...: not running\"")
            wait_line(r"Resource operation 'start' for 'web' on 'n[12]': ok",
                      "the alert agent to write the recovery's start", mark)
            node = c.wait_started("web", START_S)
            i = int(node[1:])
            new_pid = c.main_pid(i, "web.service")
            check(new_pid is not None and new_pid != pid and alive(new_pid),
                  f"failure: web recovered on {node} with a new main process")

            # stop
            mark = len(lines())
            c.pcs(1, "resource", "disable", "web")
            c.wait_status(lambda s: s.resources.get("web") and s.resources["web"].state ==
                          "Stopped", 30, "web stopped")
            check("stop web.service" in c.calls(i), f"stop: {node}'s crmd ran systemctl stop")
            check(not alive(new_pid), "stop: the unit's main process is gone")
            wait_line(rf"Resource operation 'stop' for 'web' on '{node}': ok",
                      "the alert agent to write the stop", mark)
            ok("stop: the alert agent wrote the stop")

            # fencing
            who = os.path.join(work, "who.sh")
            who_log = os.path.join(work, "who.log")
            with open(who, "w") as f:
                f.write('#!/bin/sh\n[ "$CRM_alert_kind" = fencing ] || exit 0\n'
                        'echo "$CRM_alert_node $CRM_alert_task $CRM_alert_rc '
                        '$(ip netns identify $$)" >> "$CRM_alert_recipient"\n')
            os.chmod(who, 0o755)
            c.pcs(1, "alert", "create", f"path={who}", "id=who_alert")
            c.pcs(1, "alert", "recipient", "add", "who_alert", f"value={who_log}", "id=who_log")
            check(c.use_fence_device(), "fencing: fence device created")
            mark = len(lines())
            out = c.pcs(1, "stonith", "fence", "n3", check=False)
            check(out.returncode == 0, "fencing: pcs stonith fence n3", out.stdout + out.stderr)
            fenced = r"Fencing Operation reboot of n3 by n\d for pcs@n\d: OK"
            c.wait_for(lambda: len([x for x in lines()[mark:] if re.search(fenced, x)]) >= 2,
                       30, "the fencing alert from two nodes")
            ok("fencing: the sample alert agent wrote 'Fencing Operation reboot of n3 ...: OK' "
               "twice (once per surviving node)")

            def who_lines():
                try:
                    with open(who_log) as f:
                        return f.read().splitlines()
                except FileNotFoundError:
                    return []
            c.wait_for(lambda: len(who_lines()) >= 2, 30, "the second agent on two nodes")
            namespaces = sorted(line.split()[-1] for line in who_lines()
                                if line.startswith("n3 reboot 0 "))
            check(namespaces == sorted([c.namespace(1), c.namespace(2)]),
                  "fencing: the alert ran on n1 and on n2 (CRM_alert_node=n3, task reboot, rc 0)",
                  str(who_lines()))
            c.boot(3, via=1)
            c.wait_members(3, 30)

            # node
            mark = len(lines())
            c.pcs(1, "cluster", "stop", "n2", "--force")
            wait_line(r"Node 'n2' is now 'lost'", "the alert agent to write n2's loss", mark)
            ok("node: the alert agent wrote \"Node 'n2' is now 'lost'\"")


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
