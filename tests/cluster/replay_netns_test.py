#!/usr/bin/env python3
"""cluster.replay_netns: real membership frames captured off the wire and resent change
nothing (issue: one captured heartbeat of a killed node, resent every 100 ms, kept it in the
view for 20 s).

  3 nodes (token 1000 ms, consensus 1200 ms) and a fourth namespace; an AF_PACKET capture in
  n1's namespace records every frame n1 sends and receives while the cluster forms
  (heartbeats, proposals, acks, commits, NodeInfo), see membership_frames.py.
  * baseline: kill -9 of n3 without replay; the survivors drop it within token + consensus
    (+10%); it rejoins. No frame was counted as replayed anywhere (no false alarm).
  * after death: kill -9 of n2, and its captured frames resent every 100 ms for 5 s from n2's
    own address and port to n1 and n3: they drop n2 within the same bound, install exactly
    one view meanwhile (no flapping), and count every resent frame as replayed (pcs cluster
    cmap stats.pulse.rx.dropped.replayed); n1's log reports them, rate limited.
  * normal running: every captured frame resent once from its sender's own address to its
    original receiver: no view change on any node, each counted as replayed.
  * from elsewhere: n1's frames resent from the fourth namespace: no view change, each
    counted as wrong_source.

usage: replay_netns_test.py CRMD PCS      (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import collections
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from membership_frames import load  # noqa: E402
from pulse_netns import Checks, NetnsCluster, node_address  # noqa: E402

FRAMES_TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "membership_frames.py")
TOKEN_MS = 1000
CONSENSUS_MS = 1200
DETECTION_BOUND = (TOKEN_MS + CONSENSUS_MS) * 1.1 / 1000.0
REPLAY_SECONDS = 5.0
CHECKS = Checks()
ok = CHECKS.ok
check = CHECKS.check


def counter(c: NetnsCluster, i: int, reason: str):
    key = f"stats.pulse.rx.dropped.{reason}"
    return c.pcs_json(i, "cluster", "cmap", key).get(key)


def counters(c: NetnsCluster, nodes, reason: str):
    return {i: counter(c, i, reason) for i in nodes}


def rings(c: NetnsCluster, nodes):
    return {i: c.pcs_json(i, "quorum", "status")["ring_id"] for i in nodes}


def members(c: NetnsCluster, i: int):
    return sorted(m["name"] for m in c.pcs_json(i, "status", "corosync")["members"])


def wait_all_members(c: NetnsCluster):
    for i in (1, 2, 3):
        c.wait_for(lambda i=i: members(c, i) == ["n1", "n2", "n3"], 15, f"n{i} to see all three")


def sent_to(report: dict, i: int) -> int:
    return sum(n for dst, n in report.items() if dst.startswith(node_address(i) + ":"))


def run_replay(c: NetnsCluster, node: int, name: str, *args) -> dict:
    """Runs membership_frames.py replay in node `node`'s namespace; returns its report."""
    report = os.path.join(c.state, f"{name}.json")
    c.harness("exec", str(node), sys.executable, FRAMES_TOOL, "replay", *args, "--report", report,
              timeout=60)
    with open(report, encoding="ascii") as f:
        return json.load(f)


def capture_formation(c: NetnsCluster) -> str:
    """Captures while the cluster forms; returns the capture file."""
    path = os.path.join(c.state, "frames.jsonl")
    c.harness("start", "1", "capture", sys.executable, FRAMES_TOOL, "capture", path)
    log = c.harness("log", "1", "capture").stdout.strip()
    c.wait_for(lambda: "capturing" in open(log, encoding="utf-8", errors="replace").read(), 10,
               "the capture to start")
    c.form("web")
    time.sleep(2.0)  # steady state: heartbeats and NodeInfo of the installed view
    c.harness("stop", "1", "capture")
    frames = load(path)
    kinds = collections.Counter((f["sender"], f["type"]) for f in frames)
    ok(f"captured {len(frames)} frames in n1's namespace: " +
       ", ".join(f"n{s} {t} x{n}" for (s, t), n in sorted(kinds.items())))
    for sender, kind in ((1, "heartbeat"), (2, "heartbeat"), (3, "heartbeat"), (1, "propose"),
                         (1, "commit"), (2, "ack"), (2, "nodeinfo")):
        check(kinds[(sender, kind)] > 0, f"the capture holds n{sender}'s {kind} frames")
    return path


def baseline_kill(c: NetnsCluster):
    killed_at = c.kill_crmd(3)
    took = c.detection_time(3, killed_at, (1, 2))
    check(took <= DETECTION_BOUND, f"baseline: kill -9 n3 without replay, survivors drop it in "
          f"{took * 1000:.0f} ms (bound {DETECTION_BOUND * 1000:.0f} ms)")
    c.start_crmd(3)
    c.pcs(1, "cluster", "start", "n3")
    wait_all_members(c)
    return took


def replay_after_death(c: NetnsCluster, frames_path: str, baseline: float):
    survivors = (1, 3)
    before = counters(c, (1, 2, 3), "replayed")
    views_before = {i: len(c.views(i)) for i in survivors}
    killed_at = c.kill_crmd(2)
    # n2's frames from n2's own address and port, as if n2 were still sending.
    report_path = os.path.join(c.state, "after_death.json")
    c.harness("start", "2", "replayer", sys.executable, FRAMES_TOOL, "replay", frames_path,
              "--sender", "2", "--bind", f"{node_address(2)}:5405",
              "--to", f"{node_address(1)}:5405", "--to", f"{node_address(3)}:5405",
              "--interval", "0.1", "--duration", str(REPLAY_SECONDS), "--report", report_path)
    took = c.detection_time(2, killed_at, survivors, timeout=15)
    check(took <= DETECTION_BOUND,
          f"kill -9 n2 while its frames are resent every 100 ms: survivors drop it in "
          f"{took * 1000:.0f} ms (baseline {baseline * 1000:.0f} ms, bound "
          f"{DETECTION_BOUND * 1000:.0f} ms)")
    check(before == {1: 0, 2: 0, 3: 0},
          "before that, formation and a restart made no frame count as replayed (no false alarm)",
          str(before))
    c.wait_for(lambda: os.path.exists(report_path), REPLAY_SECONDS + 10, "the replay to end")
    time.sleep(1.0)  # the last frames in flight, and any view they could cause
    with open(report_path, encoding="ascii") as f:
        report = json.load(f)
    for i in survivors:
        new_views = c.views(i)[views_before[i]:]
        check(len(new_views) == 1 and "n2" not in new_views[0].members,
              f"n{i} installed exactly one view (without n2) during the {REPLAY_SECONDS:.0f} s "
              f"of replay", str([(v.ring, v.members) for v in new_views]))
    after = counters(c, survivors, "replayed")
    for i in survivors:
        check(after[i] is not None and after[i] - before[i] == sent_to(report, i),
              f"n{i} counted each of the {sent_to(report, i)} resent frames of n2 as replayed",
              f"{before[i]} -> {after[i]}")
    lines = [t for _, t in c.log_lines(1) if "replayed frame(s)" in t]
    check(1 <= len(lines) <= 2 and "claiming node 2 from 192.0.2.12:5405" in lines[0],
          f"n1's log reports the replays in {len(lines)} rate-limited line(s)", str(lines[:3]))
    c.start_crmd(2)
    c.pcs(1, "cluster", "start", "n2")
    wait_all_members(c)
    ok("n2 restarted and rejoined")


def replay_during_normal_running(c: NetnsCluster, frames_path: str):
    nodes = (1, 2, 3)
    ring_before = rings(c, nodes)
    views_before = {i: len(c.views(i)) for i in nodes}
    before = counters(c, nodes, "replayed")
    sent = collections.Counter()
    for sender in nodes:
        report = run_replay(c, sender, f"normal_n{sender}", frames_path, "--sender", str(sender),
                            "--bind", node_address(sender))
        for i in nodes:
            sent[i] += sent_to(report, i)
    time.sleep(1.5 * TOKEN_MS / 1000.0)  # anything they could cause happens within a token
    check(rings(c, nodes) == ring_before and
          all(len(c.views(i)) == views_before[i] for i in nodes),
          f"{sum(sent.values())} captured frames resent to their receivers: no view change",
          f"{ring_before} -> {rings(c, nodes)}")
    after = counters(c, nodes, "replayed")
    for i in nodes:
        check(after[i] - before[i] == sent[i],
              f"n{i} counted each of the {sent[i]} frames resent to it as replayed",
              f"{before[i]} -> {after[i]}")
    for i in nodes:
        check(members(c, i) == ["n1", "n2", "n3"], f"n{i} still has all three members")


def replay_from_elsewhere(c: NetnsCluster, frames_path: str):
    nodes = (1, 2, 3)
    ring_before = rings(c, nodes)
    before = counters(c, (2, 3), "wrong_source")
    replayed_before = counters(c, (2, 3), "replayed")
    report = run_replay(c, 4, "elsewhere", frames_path, "--sender", "1",
                        "--bind", node_address(4), "--to", f"{node_address(2)}:5405",
                        "--to", f"{node_address(3)}:5405")
    time.sleep(1.5 * TOKEN_MS / 1000.0)
    check(rings(c, nodes) == ring_before, "n1's frames resent from another host: no view change")
    after = counters(c, (2, 3), "wrong_source")
    for i in (2, 3):
        check(after[i] - before[i] == sent_to(report, i),
              f"n{i} counted each of the {sent_to(report, i)} frames as wrong_source",
              f"{before[i]} -> {after[i]}")
    check(counters(c, (2, 3), "replayed") == replayed_before,
          "a frame from the wrong address is not also counted as replayed")


def run(crmd: str, pcs: str):
    with NetnsCluster(3, crmd, pcs, extra_namespaces=1, prefix=f"pulse-rp{os.getpid()}") as c:
        c.start_all_crmd()
        frames_path = capture_formation(c)
        baseline = baseline_kill(c)
        replay_after_death(c, frames_path, baseline)
        replay_during_normal_running(c, frames_path)
        replay_from_elsewhere(c, frames_path)


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
