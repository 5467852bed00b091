"""Lost-write checker (Jepsen style) for the fault lab.

A client thread writes permanent node attributes with crm_attribute (`-N nJ -n faultlab-wK
-v SEED-K -l forever`), each through a random node's crmd, while the faults happen. Every
write has a name of its own, so a later write can never hide an earlier one. Each write is
logged as

  ack      crm_attribute exited 0: the cluster promised the write is durable;
  failed   refused before anything was submitted (no crmd, no DC, no quorum): never applied;
  unknown  timed out or failed after submitting: may or may not be applied.

`check` reads the CIB after the run: every acknowledged write must be there with its value
(else: lost), nothing may be there that was never sent or that failed before submission
(else: phantom).
"""
import os
import random
import subprocess
import threading
import time
import xml.etree.ElementTree as ET

from pulse_netns import HARNESS

PREFIX = "faultlab-w"
# Failures that happen before a write reaches the DC (pcs-cli/node_attribute_client.cc).
NOT_SUBMITTED = ("Unable to reach", "Could not connect", "no DC in this partition",
                 "still synchronising", "Unable to get the CIB", "not running on this node")


class WriteClient:
    def __init__(self, lab, interval=0.3, timeout=30):
        self.lab = lab
        self.tool = os.path.join(os.path.dirname(lab.pcs_bin), "crm_attribute")
        self.interval = interval
        self.timeout = timeout
        self.log = []              # (name, value, via, outcome, seconds)
        self._seq = 0
        self._active = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()     # held while a write is in flight
        self._thread = threading.Thread(target=self._run, daemon=True)
        # The thread's own random source, seeded from the lab's: the writes do not shift the
        # scenario schedule of a seed.
        self._rng = random.Random(lab.seed * 7919 + 1)

    def start(self):
        self._thread.start()

    def resume(self):
        self._active.set()

    def pause(self):
        """Returns once no write is in flight."""
        self._active.clear()
        with self._lock:
            pass

    def stop(self):
        self._stop.set()
        self._active.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            self._active.wait()
            if self._stop.is_set():
                return
            with self._lock:
                if self._active.is_set():
                    self.write_one()
            time.sleep(self.interval)

    def write_one(self):
        lab = self.lab
        self._seq += 1
        name = f"{PREFIX}{self._seq}"
        value = f"{lab.seed}-{self._seq}"
        via = self._rng.randint(1, lab.nodes)
        target = f"n{self._rng.randint(1, lab.nodes)}"
        started = time.time()
        try:
            out = subprocess.run(
                [HARNESS, "exec", str(via), "env",
                 f"PULSE_STATE_DIR={lab.state_dir(via)}", self.tool, "-N", target, "-n", name,
                 "-v", value, "-l", "forever"], env=lab.env, capture_output=True, text=True,
                timeout=self.timeout)
            if out.returncode == 0:
                outcome = "ack"
            elif any(m in out.stderr for m in NOT_SUBMITTED):
                outcome = "failed"
            else:
                outcome = "unknown"
            why = (out.stderr.strip().splitlines() or [""])[-1][:160]
        except subprocess.TimeoutExpired:
            outcome, why = "unknown", f"no answer within {self.timeout} s"
        self.log.append((name, value, via, outcome, time.time() - started, why))

    def reasons(self):
        """{(outcome, reason): count} of the writes not acknowledged."""
        out = {}
        for entry in self.log:
            if entry[3] != "ack":
                out[(entry[3], entry[5])] = out.get((entry[3], entry[5]), 0) + 1
        return out

    def counts(self):
        out = {"ack": 0, "failed": 0, "unknown": 0}
        for entry in self.log:
            out[entry[3]] += 1
        return out

    def check(self, cib_xml):
        """(lost, phantom): acknowledged writes missing or changed, and attributes present
        that were never sent or failed before submission."""
        present = {}
        for nv in ET.fromstring(cib_xml).iter("nvpair"):
            if nv.get("name", "").startswith(PREFIX):
                present[nv.get("name")] = nv.get("value")
        sent = {name: (value, outcome) for name, value, _, outcome, _, _ in self.log}
        lost = [f"{name}={value} (acknowledged) is {present.get(name, 'missing')}"
                for name, (value, outcome) in sent.items()
                if outcome == "ack" and present.get(name) != value]
        phantom = [f"{name}={value} present but " +
                   ("never sent" if name not in sent else "failed before submission")
                   for name, value in present.items()
                   if name not in sent or sent[name][1] == "failed"]
        return lost, phantom
