"""CIB write load for the membership benchmark (membership_bench.py --write-load).

Keeps a 1,000-resource CIB being written while failure detection is measured: every write is
a `pcs cluster cib-push` (a one-attribute diff against the previous push, applied to the live
CIB), so each one makes every node save the whole 1,000-resource CIB (fsync), and the DC run the
policy engine on it and save the engine input (gzip + fsync). Those are the slow steps that
must not delay the membership's heartbeats.

The resources are `target-role=Stopped` and stonith is off, so nothing is started and no node
waits to be fenced: the load is the CIB's, not the resources'. Their agent is a tiny script in
an OCF root of our own (the controller probes every resource on every node once, and a real
agent would turn that into seconds of fork/exec on every node).
"""

import os
import subprocess
import threading
import time
import xml.etree.ElementTree as ET

PROBE_AGENT = """#!/bin/sh
# ocf:bench:Idle: never running; start and stop do nothing (the benchmark never starts it).
case "$1" in
  meta-data) echo '<?xml version="1.0"?><resource-agent name="Idle" version="1.0">\
<version>1.1</version><shortdesc lang="en">idle</shortdesc><parameters/>\
<actions><action name="monitor" timeout="20s"/></actions></resource-agent>'; exit 0 ;;
  monitor|status) exit 7 ;;
  *) exit 0 ;;
esac
"""


def make_ocf_root(parent):
    """An OCF root holding only ocf:bench:Idle; returns its path."""
    root = os.path.join(parent, "ocf")
    agent_dir = os.path.join(root, "resource.d", "bench")
    os.makedirs(agent_dir)
    path = os.path.join(agent_dir, "Idle")
    with open(path, "w", encoding="ascii") as f:
        f.write(PROBE_AGENT)
    os.chmod(path, 0o755)
    return root


def _nvpair(parent, id_, name, value):
    ET.SubElement(parent, "nvpair", {"id": id_, "name": name, "value": value})


def with_resources(cib_xml, count, generation):
    """`cib_xml` (the live CIB) with stonith off, `count` stopped primitives, and r0's
    `generation` parameter set: two generations differ in that one value only."""
    root = ET.fromstring(cib_xml)
    config = root.find("configuration")
    crm_config = config.find("crm_config")
    props = crm_config.find("cluster_property_set")
    if props is None:
        props = ET.SubElement(crm_config, "cluster_property_set", {"id": "cib-bootstrap-options"})
    _nvpair(props, "cib-bootstrap-options-stonith-enabled", "stonith-enabled", "false")
    resources = config.find("resources")
    for i in range(count):
        rsc = ET.SubElement(resources, "primitive",
                            {"id": f"r{i}", "class": "ocf", "provider": "bench", "type": "Idle"})
        params = ET.SubElement(rsc, "instance_attributes", {"id": f"r{i}-params"})
        _nvpair(params, f"r{i}-params-generation", "generation",
                generation if i == 0 else "fixed")
        meta = ET.SubElement(rsc, "meta_attributes", {"id": f"r{i}-meta"})
        _nvpair(meta, f"r{i}-meta-target-role", "target-role", "Stopped")
    return ET.tostring(root, encoding="unicode")


class CibWriter:
    """Pushes the 1,000-resource CIB in a loop from a thread until stop(); `pcs(*args)` runs pcs
    against the cluster and returns (exit code, output)."""

    def __init__(self, pcs, workdir, count=1000):
        self.pcs = pcs
        self.workdir = workdir
        self.count = count
        self.ok = 0
        self.failed = 0
        self.durations = []  # seconds per successful push
        self.last_error = ""
        self._stop = threading.Event()
        self._thread = None

    def install(self):
        """Reads the live CIB and pushes the resources (generation a); returns the error text,
        or "" when it worked."""
        base = os.path.join(self.workdir, "base.xml")
        rc, out = self.pcs("cluster", "cib", base)
        if rc != 0:
            return f"pcs cluster cib: {out}"
        with open(base, encoding="utf-8") as f:
            live = f.read()
        self.files = []
        for generation in ("a", "b"):
            path = os.path.join(self.workdir, f"cib-{generation}.xml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(with_resources(live, self.count, generation))
            self.files.append(path)
        rc, out = self.pcs("cluster", "cib-push", self.files[0], f"diff-against={base}")
        return "" if rc == 0 else f"pcs cluster cib-push: {out}"

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        turn = 1
        while not self._stop.is_set():
            new, old = self.files[turn], self.files[1 - turn]
            t0 = time.time()
            rc, out = self.pcs("cluster", "cib-push", new, f"diff-against={old}")
            if rc == 0:
                self.ok += 1
                self.durations.append(time.time() - t0)
                turn = 1 - turn
            else:
                # The node pcs talks to may be the one just killed, or the DC changing: retry.
                self.failed += 1
                self.last_error = out.strip().splitlines()[-1] if out.strip() else f"exit {rc}"
                self._stop.wait(0.2)

    def wait_for_pushes(self, n, timeout):
        deadline = time.time() + timeout
        while self.ok < n and time.time() < deadline:
            time.sleep(0.1)
        return self.ok >= n

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=120)


def run_pcs(pcs_bin, state_dir, *args, timeout=60):
    """pcs with node 1's state dir: (exit code, stdout + stderr); a timeout is exit 124."""
    cmd = [pcs_bin, "--state-dir", state_dir, *args]
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return 124, f"timed out after {timeout} s: {' '.join(cmd)}"
    return r.returncode, r.stdout + r.stderr
