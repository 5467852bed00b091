#!/usr/bin/env python3
"""cluster.vip_checker_netns: the VIP checker against real namespaces (no crmd): the harness
puts a VIP on n1, then also on n2 (a split brain the checker must count, in its holders and in
the ARP answers seen from the client n4), takes it off n1, powers n2 off (no holder). The
timeline must show exactly these changes, and a sample of 3 nodes must cost well under the
50 ms period.

usage: vip_checker_netns_test.py   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import HARNESS, Checks  # noqa: E402
from vip_checker import VipChecker  # noqa: E402

CHECKS = Checks()
VIP = "198.51.100.10"


def run():
    prefix = f"pulse-vipck{os.getpid()}"
    env = dict(os.environ, PULSE_NETNS_PREFIX=prefix)

    def harness(*args):
        subprocess.run([HARNESS, *args], env=env, check=True, capture_output=True, text=True)

    harness("up", "4")
    try:
        nodes = {f"n{i}": f"{prefix}-n{i}" for i in (1, 2, 3)}
        with VipChecker(nodes, [VIP], client=f"{prefix}-n4") as checker:
            time.sleep(0.3)
            t0 = time.time()
            for step in (("vip-add", "1"), ("vip-add", "2"), ("vip-del", "1"),
                         ("power-off", "2")):
                harness(step[0], step[1], *([f"{VIP}/24"] if step[0] != "power-off" else []))
                time.sleep(0.5)
        report = checker.report(since=t0 - 0.1)
        print(report.text())
        changes = [holders for _, _, holders in report.timeline]
        CHECKS.check(changes == [(), ("n1",), ("n1", "n2"), ("n2",), ()],
                     "the timeline shows - / n1 / n1 n2 / n2 / -", str(changes))
        split_window = report.timeline[3][0] - report.timeline[2][0]
        expected = split_window / checker.interval
        CHECKS.check(report.split_brain >= 5 and abs(report.split_brain - expected) <= 2,
                     f"every sample of the {split_window:.2f} s with two holders is counted",
                     f"{report.split_brain} samples, expected about {expected:.0f}")
        CHECKS.check(abs(report.double_answer - report.split_brain) <= 2,
                     "the client saw two ARP answers meanwhile",
                     f"{report.double_answer} vs {report.split_brain}")
        CHECKS.check(report.unheld >= 8, "samples without a holder are counted",
                     str(report.unheld))
        CHECKS.check(report.max_cost < 0.025 and report.max_gap < 0.2,
                     f"a sample costs {report.max_cost * 1000:.1f} ms at most, largest gap "
                     f"{report.max_gap * 1000:.0f} ms")
    finally:
        subprocess.run([HARNESS, "down"], env=env, capture_output=True)


def main():
    if os.geteuid() != 0:
        print("SKIPPED: needs root and network namespaces")
        return 77
    try:
        run()
    except AssertionError as e:
        print(f"FAIL: {e}")
        return 1
    print(f"PASS: {CHECKS.count} checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
