#!/usr/bin/env python3
"""cluster.pcs_status_unit: the namespace tests read `pcs status` text to decide where a
resource runs; a misread line would make them pass or fail for the wrong reason. Canned output
in the exact layout of pcs-cli/status_output.cc (tabs included)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcs_status import parse_status  # noqa: E402

LIVE = (
    "Cluster name: web\n"
    "Cluster Summary:\n"
    "  * Stack: pulse\n"
    "  * Current DC: n2 (version 0.1.0) - partition with quorum\n"
    "  * Last updated: Sun Nov 22 05:16:19 2026\n"
    "  * 3 nodes configured\n"
    "  * 5 resource instances configured (1 DISABLED)\n"
    "\n"
    "Node List:\n"
    "  * Node n1: standby\n"
    "  * Node n4: UNCLEAN (offline)\n"
    "  * Online: [ n2 n3 ]\n"
    "  * OFFLINE: [ n5 ]\n"
    "\n"
    "Full List of Resources:\n"
    "  * fence\t(stonith:fence_pulse_netns):\t Started n3\n"
    "  * Resource Group: web (disabled):\n"
    "    * gvip\t(ocf:heartbeat:IPaddr2):\t Started n2\n"
    "    * gsvc\t(ocf:heartbeat:Dummy):\t FAILED n2\n"
    "  * vip\t(ocf:heartbeat:IPaddr2):\t Stopped (disabled)\n"
    "  * twice\t(ocf:heartbeat:Dummy):\t Started [ n2 n3 ]\n"
    "\n"
    "Failed Resource Actions:\n"
    "  * hang: start on n3 failed: timed out at 05:16:19, 1 attempt\n"
    "    hang_start_0 on n3 'Timed Out' (2): call=7, status='Timed Out', "
    "last-rc-change='Sun Nov 22 05:16:19 2026', queued=0ms, exec=3001ms\n"
    "\n"
    "Daemon Status:\n"
    "  crmd: active/enabled\n")


class ParseStatusTest(unittest.TestCase):
    def setUp(self):
        self.s = parse_status(LIVE)

    def test_dc_and_quorum(self):
        self.assertEqual((self.s.dc, self.s.quorate), ("n2", True))
        s = parse_status(LIVE.replace("n2 (version 0.1.0) - partition with quorum",
                                      "n3 (version 0.1.0) - partition WITHOUT quorum"))
        self.assertEqual((s.dc, s.quorate), ("n3", False))
        self.assertIsNone(parse_status(LIVE.replace("n2 (version 0.1.0) - partition with "
                                                    "quorum", "NONE")).dc)

    def test_nodes(self):
        self.assertEqual(sorted(self.s.online), ["n1", "n2", "n3"])
        self.assertEqual(sorted(self.s.offline), ["n4", "n5"])
        self.assertEqual(self.s.node_states["n1"], "standby")

    def test_resources_groups_and_where_they_run(self):
        r = self.s.resources
        self.assertEqual((r["gvip"].state, r["gvip"].nodes, r["gvip"].group),
                         ("Started", ["n2"], "web"))
        self.assertEqual((r["gsvc"].state, r["gsvc"].group), ("FAILED", "web"))
        self.assertEqual((r["fence"].agent, r["fence"].group), ("stonith:fence_pulse_netns",
                                                                None))
        self.assertEqual((r["vip"].state, r["vip"].nodes, r["vip"].flags),
                         ("Stopped", [], "(disabled)"))
        self.assertIsNone(r["vip"].group)  # after the group's members
        self.assertEqual(r["twice"].nodes, ["n2", "n3"])
        self.assertEqual(self.s.where("gvip"), "n2")
        self.assertIsNone(self.s.where("gsvc"))   # failed is not "running there"
        self.assertIsNone(self.s.where("twice"))  # not on exactly one node
        self.assertIsNone(self.s.where("nosuch"))
        self.assertEqual(self.s.running_on("n2"), ["gsvc", "gvip", "twice"])

    def test_failed_actions(self):
        self.assertEqual(len(self.s.failed), 1)
        f = self.s.failed[0]
        self.assertEqual((f.key, f.node, f.rc_text, f.rc), ("hang_start_0", "n3", "Timed Out", 2))


if __name__ == "__main__":
    unittest.main(verbosity=2)
