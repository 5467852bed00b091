#!/usr/bin/env python3
"""faultlab.run_check_unit: an audit inside a scenario (Run.check) that compares the CIB copies
of the nodes must not race the lab's writer. The copies are read one node after another; a write
landing between two reads makes them differ with nothing wrong, and a scenario that checks them
(FullDisk: "n5's disk freed") reported the cluster apart for the whole settle time while it
replicated every write at once. A fake cluster whose version moves whenever the writer is
active between two reads stands for it (no root, no crmd)."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import faultlab  # noqa: E402


class Writer:
    """The WriteClient's pause/resume, and whether it is writing."""

    def __init__(self):
        self.active = False

    def pause(self):
        self.active = False

    def resume(self):
        self.active = True


class Out:
    def __init__(self, stdout):
        self.returncode = 0
        self.stdout = stdout
        self.stderr = ""


class Cluster:
    """Three healthy nodes that replicate every write at once: each `pcs cluster cib` read
    returns the current copy, and while the writer is active one write lands after each read."""

    nodes = 3

    def __init__(self, writer):
        self.writer = writer
        self.epoch = 10

    def expected_partitions(self):
        return [{1, 2, 3}]

    def quorate(self, group):
        return True

    def pcs(self, i, *args, check=True, timeout=30):
        assert args == ("cluster", "cib"), args
        out = Out(f'<cib admin_epoch="0" epoch="{self.epoch}" num_updates="0"/>')
        if self.writer.active:
            self.epoch += 1
        return out


class RunCheckTest(unittest.TestCase):
    def run_check(self, only):
        writer = Writer()
        lab = Cluster(writer)
        run = faultlab.Run(lab, seed=1, settle_timeout=3)
        run.scenario = "FullDisk"
        run.table["FullDisk"] = [1, 0, 0.0]
        run.writer = writer
        writer.resume()
        run.check("n3's disk freed", only=only)
        return run, writer

    def test_copies_compared_while_the_writer_pauses(self):
        run, writer = self.run_check(["cib"])
        self.assertEqual(run.violations, [])
        self.assertEqual(run.audits_passed, 1)
        self.assertTrue(writer.active, "the writer goes on after the check")

    def test_writer_goes_on_during_audits_that_do_not_read_the_copies(self):
        seen = []
        settle = faultlab.audits.settle
        faultlab.audits.settle = lambda lab, *a, **k: (seen.append(lab.writer.active), (0.0, []))[1]
        try:
            run, writer = self.run_check(["membership", "dc"])
        finally:
            faultlab.audits.settle = settle
        self.assertEqual(seen, [True], "writes go on while the view and the DC are audited")
        self.assertEqual(run.violations, [])


if __name__ == "__main__":
    unittest.main()
