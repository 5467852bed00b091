"""The fault lab's scenarios: cts-lab's (Pacemaker's cts/lab/CTStests.py) and some beyond it.

A scenario is a function (lab, run) that injects faults through LabCluster's methods, which
keep the lab's model true, and may check intermediate states with run.check(what, only=...)
(the audits of audits.py, settled, against the model at that moment). Every choice is drawn
from lab.rng, so a seed replays the same schedule. After a scenario the runner restores the
cluster (every node up, network whole) and runs every audit.
"""
import json
import os
import threading
import time


def _node(lab):
    return lab.pick()


def flip(lab, run):
    """Flip: a node stopped, the rest audited, the node started again."""
    i = _node(lab)
    lab.stop_node(i)
    run.check(f"n{i} stopped", only=["membership", "dc", "cib", "processes"])
    lab.boot_node(i)


def restart(lab, run):
    """Restart: a node stopped and at once started."""
    i = _node(lab)
    lab.stop_node(i)
    lab.boot_node(i)


def _stop_all(lab, simultaneous):
    nodes = lab.live()
    if simultaneous:
        # SIGTERM to every crmd at once, then wait for each to be gone.
        for i in nodes:
            pid = lab.harness("pid", str(i), "crmd", check=False).stdout.strip()
            if pid:
                os.kill(int(pid), 15)
    lab.rng.shuffle(nodes)
    for i in nodes:
        lab.stop_node(i)


def start_one_by_one(lab, run):
    """StartOnebyOne: every node stopped, then started one by one (each joining a growing
    cluster)."""
    _stop_all(lab, simultaneous=False)
    order = list(range(1, lab.nodes + 1))
    lab.rng.shuffle(order)
    for i in order:
        lab.boot_node(i)
        run.check(f"n{i} started", only=["membership", "processes"])


def simul_start(lab, run):
    """SimulStart: every node stopped, then all started at once."""
    _stop_all(lab, simultaneous=False)
    for i in range(1, lab.nodes + 1):
        lab.start_node(i, wait=False)
    for i in range(1, lab.nodes + 1):
        lab.wait_listening(i)
    for i in range(1, lab.nodes + 1):
        lab.cluster_start(i)


def simul_stop(lab, run):
    """SimulStop: every node stopped at once."""
    _stop_all(lab, simultaneous=True)


def stop_one_by_one(lab, run):
    """StopOnebyOne: nodes stopped one after the other."""
    _stop_all(lab, simultaneous=False)


def restart_one_by_one(lab, run):
    """RestartOnebyOne: every node restarted in turn, the cluster audited in between."""
    order = list(range(1, lab.nodes + 1))
    lab.rng.shuffle(order)
    for i in order:
        lab.stop_node(i)
        lab.boot_node(i)
        run.check(f"n{i} restarted", only=["membership", "dc", "processes"])


def partial_start(lab, run):
    """PartialStart: a node stopped, started and stopped again while it is still joining."""
    i = _node(lab)
    lab.stop_node(i)
    lab.start_node(i)
    lab.cluster_start(i)
    time.sleep(lab.rng.uniform(0.0, 1.0))
    lab.stop_node(i)
    run.check(f"n{i} stopped while starting", only=["membership", "dc", "processes"])


def standby(lab, run):
    """Standby: a node put in standby is drained, then brought back."""
    i = _node(lab)
    lab.pcs_retry(lab.any_live(), "node", "standby", f"n{i}")
    lab.standby.add(i)
    run.check(f"n{i} in standby", only=["resources"])
    lab.pcs_retry(lab.any_live(), "node", "unstandby", f"n{i}")
    lab.standby.discard(i)


def maintenance_mode(lab, run):
    """MaintenanceMode: with maintenance-mode=true a resource stopped behind the cluster's back
    stays stopped (nothing is managed); once it is false again the cluster recovers it."""
    from lab_cluster import Dummy, primitives
    dummies = [p for p in primitives(lab.config) if isinstance(p, Dummy)]
    d = lab.rng.choice(dummies)
    lab.pcs_retry(lab.any_live(), "property", "set", "maintenance-mode=true")
    holders = d.holders(lab)
    time.sleep(1)
    for n in holders:
        try:
            os.unlink(d.state_file(lab, int(n[1:])))
        except FileNotFoundError:
            pass
    time.sleep(6)  # one monitor interval: in maintenance nothing may act on it
    run.expect(not d.holders(lab), f"{d.id} stayed stopped in maintenance mode")
    _maintenance_off(lab)
    lab.pcs_retry(lab.any_live(), "resource", "cleanup")


def resource_recover(lab, run):
    """ResourceRecover: a Dummy's state file removed on its node (its monitor fails); the
    cluster recovers it; then the failure is cleaned up."""
    from lab_cluster import Dummy, primitives
    d = lab.rng.choice([p for p in primitives(lab.config) if isinstance(p, Dummy)])
    for n in d.holders(lab):
        os.unlink(d.state_file(lab, int(n[1:])))
    lab.wait_for(lambda: d.holders(lab), 30, f"{d.id} to be recovered")
    lab.pcs_retry(lab.any_live(), "resource", "cleanup")


def _agent_processes(lab, i, instance):
    """[(pid, action)] of the agent processes running operations of resource `instance` in
    node i's namespace (other labs on the machine run agents of the same names elsewhere)."""
    netns = os.stat(os.path.join("/run/netns", lab.namespace(i))).st_ino
    want = f"OCF_RESOURCE_INSTANCE={instance}".encode()
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.stat(f"/proc/{pid}/ns/net").st_ino != netns:
                continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = f.read().split(b"\0")
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
        except OSError:
            continue  # gone meanwhile
        # The agent itself (`/bin/sh .../resource.d/PROVIDER/TYPE ACTION`), not its children.
        if want in env and len(argv) >= 3 and "/resource.d/" in argv[1]:
            out.append((int(pid), argv[2]))
    return out


def agent_kill(lab, run):
    """kill -9 of a resource agent in mid-action: the Delay resource's agent, killed while it
    sleeps in a monitor on its node. The cluster must record the monitor as failed and recover the
    resource (stopped and started again, on that node or another); the failure is then cleaned
    up."""
    from lab_cluster import Delay, primitives
    slow = lab.rng.choice([p for p in primitives(lab.config) if isinstance(p, Delay)])
    holders = slow.holders(lab)
    if len(holders) != 1:
        run.expect(False, f"{slow.id} active on one node before the kill (on {sorted(holders)})")
        return
    i = int(next(iter(holders))[1:])
    started = os.stat(slow.state_file(lab, i)).st_mtime_ns  # touched by each start

    pause = lab.rng.uniform(0.0, slow.mondelay / 2)

    def kill_a_monitor():
        """A monitor in flight, `pause` s into it, killed; None while there is none (or it
        ended meanwhile)."""
        for pid, action in _agent_processes(lab, i, slow.id):
            if action == "monitor":
                time.sleep(pause)
                try:
                    os.kill(pid, 9)
                    return pid
                except ProcessLookupError:
                    return None
        return None
    victim = lab.wait_for(kill_a_monitor, 30, f"a monitor of {slow.id} in flight on n{i}",
                          interval=0.1)
    print(f"  killed {slow.id}'s monitor (pid {victim}) on n{i}", flush=True)

    def failure_recorded():
        s = _status_of(lab)
        return s and any(f.key.startswith(f"{slow.id}_monitor") and f.node == f"n{i}"
                         for f in s.failed)
    lab.wait_for(failure_recorded, 30, f"pcs status to list {slow.id}'s killed monitor on n{i} "
                 "as a failed action", interval=0.5)

    def restarted():
        now = slow.holders(lab)
        if len(now) != 1:
            return False
        j = int(next(iter(now))[1:])
        try:
            return j != i or os.stat(slow.state_file(lab, j)).st_mtime_ns != started
        except FileNotFoundError:
            return False
    lab.wait_for(restarted, 60, f"{slow.id} stopped and started again", interval=0.2)
    lab.pcs_retry(lab.any_live(), "resource", "cleanup", slow.id)


def _status_of(lab):
    from pcs_status import parse_status
    out = lab.pcs(lab.any_live(), "status", check=False, timeout=30)
    return parse_status(out.stdout) if out.returncode == 0 else None


def component_fail(lab, run):
    """ComponentFail: kill -9 of a node's crmd (the cluster fences it), of its watchdog, or of
    a resource agent in mid-action (agent_kill)."""
    what = lab.rng.choice(["crmd", "watchdog", "agent"])
    if what == "agent":
        agent_kill(lab, run)
        return
    i = _node(lab)
    if what == "watchdog":
        pids = lab.harness("exec", str(i), "pgrep", "-x", "pulse-watchdog", check=False)
        pid = pids.stdout.split()
        if pid:
            os.kill(int(pid[0]), 9)
            time.sleep(3)
            lab.refresh_down()
            return
    lab.kill_node_crmd(i)
    run.check(f"n{i} crmd killed", only=["membership", "dc"])


def split_brain(lab, run):
    """SplitBrain: the nodes split at random into two partitions, each audited (one view each,
    quorum only in the majority, one DC there), then healed."""
    nodes = list(range(1, lab.nodes + 1))
    lab.rng.shuffle(nodes)
    cut = lab.rng.randint(1, lab.nodes - 1)
    groups = [set(nodes[:cut]), set(nodes[cut:])]
    lab.partition(groups)
    # The majority fences the minority's nodes (stonith on): they drop out of the model.
    time.sleep(lab.rng.uniform(2.0, 6.0))
    lab.refresh_down()
    run.check(f"partition {[sorted(g) for g in groups]}", only=["membership", "dc"])
    lab.unpartition()


def _maintenance_off(lab):
    """maintenance-mode=false, once the cluster is back (restored first if need be)."""
    if lab.any_live() is None or lab.down:
        lab.restore()
    lab.pcs_retry(lab.any_live(), "property", "set", "maintenance-mode=false")


def reattach(lab, run):
    """Reattach: maintenance mode, every crmd stopped and started again: the resources keep
    running untouched meanwhile and the cluster takes them back."""
    from lab_cluster import placements
    lab.pcs_retry(lab.any_live(), "property", "set", "maintenance-mode=true")
    try:
        before = placements(lab)
        _stop_all(lab, simultaneous=False)
        after = placements(lab)
        run.expect(before == after, "resources untouched while every crmd was stopped in "
                   f"maintenance mode (before {before}, after {after})")
        for i in range(1, lab.nodes + 1):
            lab.boot_node(i)
        # A DC that forms before the last node boots fences the nodes it has not seen yet
        # (startup fencing). A power-off that lands after start_node() found the node on, but
        # before its crmd started, leaves that crmd running with the link down: alone in a view
        # of its own until the node is powered on (--seed 1 --soak 40, events 17 and 37: n3 in
        # ring 54.3 beside 54.1 of n1 and n2 for 30 s). Boot such a node again, as restore()
        # does, once the power-off has had time to finish (it takes the link down last).
        off_since = {}

        def rejoined():
            now = time.monotonic()
            for j in range(1, lab.nodes + 1):
                if not lab.powered_off(j):
                    off_since.pop(j, None)
                elif now - off_since.setdefault(j, now) >= 2:
                    off_since.pop(j)
                    lab.down.add(j)
                    lab.boot_node(j)
            return len(lab.members_of(1)) == lab.nodes

        lab.wait_for(rejoined, 30, "all nodes to rejoin")
    finally:
        # Even when the scenario failed: left on, every later event would find nothing
        # managed and count that again.
        _maintenance_off(lab)


def special_test1(lab, run):
    """SpecialTest1: every node stopped, one node's CIB file removed, all started."""
    _stop_all(lab, simultaneous=False)
    i = _node_any(lab)
    _remove_cib(lab, i)
    for j in range(1, lab.nodes + 1):
        lab.boot_node(j)


def near_quorum_point(lab, run):
    """NearQuorumPoint: at random, some nodes stopped and some started so that the cluster is
    left just at or below the quorum point."""
    nodes = list(range(1, lab.nodes + 1))
    lab.rng.shuffle(nodes)
    stop = nodes[: lab.nodes // 2 + lab.rng.randint(0, 1)]
    for i in stop:
        lab.kill_node_crmd(i) if lab.rng.random() < 0.5 else lab.stop_node(i)
    time.sleep(2)
    lab.refresh_down()
    run.check(f"stopped {sorted(stop)}", only=["membership", "processes"])


def _node_any(lab):
    return lab.rng.randint(1, lab.nodes)


def _remove_cib(lab, i):
    for f in os.listdir(lab.state_dir(i)):
        if f.startswith("cib.xml"):
            os.unlink(os.path.join(lab.state_dir(i), f))


def resync_cib(lab, run):
    """ResyncCIB: a stopped node's CIB file removed; it starts with none and must receive the
    cluster's copy."""
    i = _node(lab)
    lab.stop_node(i)
    _remove_cib(lab, i)
    lab.boot_node(i)


def corrupt_cib(lab, run):
    """Beyond cts: a stopped node's CIB file corrupted (bytes flipped in the middle); crmd must
    set it aside and take the cluster's copy."""
    i = _node(lab)
    lab.stop_node(i)
    path = os.path.join(lab.state_dir(i), "cib.xml")
    if os.path.exists(path):
        with open(path, "r+b") as f:
            data = bytearray(f.read())
            at = lab.rng.randrange(len(data) // 4, len(data) // 2)
            data[at:at + 8] = b"\x00garbage"
            f.seek(0)
            f.write(data)
    lab.boot_node(i)


def fencing(lab, run):
    """Fencing: every node fenced in turn with pcs stonith fence from another node."""
    order = list(range(1, lab.nodes + 1))
    lab.rng.shuffle(order)
    for i in order:
        via = lab.pick([j for j in lab.live() if j != i])
        lab.pcs(via, "stonith", "fence", f"n{i}", check=False, timeout=120)
        run.expect(lab.powered_off(i), f"n{i} powered off by pcs stonith fence from n{via}")
        lab.refresh_down()
        run.check(f"n{i} fenced", only=["membership", "dc"])
        lab.boot_node(i)
        run.check(f"n{i} back", only=["membership", "dc"])


def sigstop(lab, run):
    """Beyond cts: a node's crmd frozen (SIGSTOP) for longer than the token, then thawed: the
    others drop and fence it."""
    i = _node(lab)
    lab.freeze(i)
    time.sleep(lab.rng.uniform(3.0, 6.0))
    lab.refresh_down()
    run.check(f"n{i} frozen", only=["membership", "dc"])
    lab.thaw(i)


def flapping_link(lab, run):
    """Beyond cts: a node's link cut and healed several times in quick succession."""
    i = _node(lab)
    for _ in range(lab.rng.randint(3, 6)):
        lab.harness("cut", str(i))
        time.sleep(lab.rng.uniform(0.2, 1.5))
        lab.harness("heal", str(i))
        time.sleep(lab.rng.uniform(0.2, 1.5))
    time.sleep(2)
    lab.refresh_down()


def packet_loss(lab, run):
    """Beyond cts: random drops of 10-40 % of UDP packets (nftables numgen) on some nodes for a
    few seconds."""
    victims = lab.rng.sample(lab.live(), lab.rng.randint(1, len(lab.live())))
    for i in victims:
        lab.set_loss(i, lab.rng.randint(10, 40))
    time.sleep(lab.rng.uniform(4.0, 10.0))
    for i in victims:
        lab.clear_loss(i)
    lab.refresh_down()


def clock_jump(lab, run):
    """Beyond cts: one node's wall clock (the DC's half of the time) stepped forwards or
    backwards by 2 minutes to 2 days while actions are in flight (the Delay resource's and the
    clones' histories cleaned up: the cluster probes them again, the Delay's probe taking
    seconds),
    then stepped as far the other way. crmd's timers (action deadlines, fencing retries,
    cluster-recheck-interval) run on the monotonic clock: no action may time out, nothing fail,
    no node be fenced, nothing move, the DC stay. The step is the test hook of
    common/wall_clock.h: the machine's clock is shared by every namespace and every other
    process on the machine."""
    from lab_cluster import Delay, clones, placements, primitives
    s = _status_of(lab)
    dc = s.dc if s else None
    i = int(dc[1:]) if dc and lab.rng.random() < 0.5 else _node(lab)
    before = placements(lab)
    step = lab.rng.choice([-1, 1]) * lab.rng.randint(120, 2 * 86400)
    # Each resource's history forgotten, one after the other (pcs resource cleanup RSC): the
    # cluster probes it on every node again; the step comes while they are in flight.
    via = lab.any_live()
    names = [p.id for p in primitives(lab.config) if isinstance(p, Delay)] + \
        [c.id for c in clones(lab.config)]
    cleanup = threading.Thread(target=lambda: [lab.pcs(via, "resource", "cleanup", n,
                                                       check=False, timeout=60)
                                               for n in names])
    cleanup.start()
    time.sleep(lab.rng.uniform(0.3, 1.0))
    lab.set_clock_offset(i, step)
    print(f"  n{i}'s wall clock stepped by {step:+d} s (DC {dc})", flush=True)
    time.sleep(lab.rng.uniform(3.0, 6.0))
    if f"n{i}" == dc:
        # The DC records each result's last-rc-change from its wall clock: the probes that
        # were in flight across the step (the Delay's, at least) carry the stepped time,
        # which shows the step reached crmd.
        stamps = _rc_changes(lab)
        near = [t for t in stamps if abs(t - (time.time() + step)) < 120]
        run.expect(near, f"results recorded by the DC n{i} after its clock step carry the "
                   f"stepped time "
                   f"(real time {time.time():.0f}, last-rc-change values {sorted(set(stamps))})")
    lab.set_clock_offset(i, -step)
    print(f"  n{i}'s wall clock stepped by {-2 * step:+d} s", flush=True)
    time.sleep(lab.rng.uniform(2.0, 4.0))
    cleanup.join()
    _undisturbed(lab, run, f"n{i}'s clock steps", before, dc)


def _undisturbed(lab, run, what, before, dc):
    """After a fault the cluster must ride out: the audits hold, no node was fenced, nothing
    moved (`before`: placements() when it began) and the DC stayed."""
    from lab_cluster import placements
    run.check(what, only=["membership", "dc", "resources", "processes"])
    fenced = [f"n{j}" for j in range(1, lab.nodes + 1) if lab.powered_off(j)]
    run.expect(not fenced, f"no node fenced after {what} (fenced: {fenced})")
    after = placements(lab)
    run.expect(after == before, f"nothing moved after {what} (before {before}, after {after})")
    s = _status_of(lab)
    run.expect(s is not None and s.dc == dc, f"the DC stayed {dc} (now {s.dc if s else None})")


def _dropped(lab, reason):
    """Each live node's count of membership datagrams dropped for `reason` (cmap stats)."""
    key = f"stats.pulse.rx.dropped.{reason}"
    counts = {}
    for i in lab.live():
        try:
            counts[i] = int(lab.pcs_json(i, "cluster", "cmap", key).get(key, 0))
        except (ValueError, TypeError, AttributeError, json.JSONDecodeError):
            counts[i] = None
    return counts


def packet_delay(lab, run):
    """Beyond cts: every membership datagram some nodes send leaves 20-250 ms late, plus up to
    100 ms of jitter (so they also arrive out of order), for a few seconds: well inside the
    token, so the cluster must ride it out. The delay is crmd's test hook
    (common/test_faults.h): this kernel has no tc netem and nftables cannot delay."""
    from lab_cluster import placements
    s = _status_of(lab)
    dc = s.dc if s else None
    before = placements(lab)
    victims = lab.rng.sample(lab.live(), lab.rng.randint(1, len(lab.live())))
    delay, jitter = lab.rng.randint(20, 250), lab.rng.randint(0, 100)
    for i in victims:
        lab.set_faults(i, packet_delay_ms=delay, packet_jitter_ms=jitter)
    print(f"  {_names(victims)} send {delay}+0..{jitter} ms late", flush=True)
    time.sleep(lab.rng.uniform(5.0, 12.0))
    for i in victims:
        lab.set_faults(i)
    _undisturbed(lab, run, f"{delay} ms delays on {_names(victims)}", before, dc)


def packet_duplication(lab, run):
    """Beyond cts: 20-100 % of the membership datagrams some nodes send arrive twice, for a
    few seconds. A copy is a replay to the receiver: dropped and counted, never acted on
    twice; nothing else may change."""
    from lab_cluster import placements
    s = _status_of(lab)
    dc = s.dc if s else None
    before = placements(lab)
    replays_before = _dropped(lab, "replayed")
    victims = lab.rng.sample(lab.live(), lab.rng.randint(1, len(lab.live())))
    percent = lab.rng.randint(20, 100)
    for i in victims:
        lab.set_faults(i, packet_duplicate_percent=percent)
    print(f"  {_names(victims)} send {percent} % of datagrams twice", flush=True)
    time.sleep(lab.rng.uniform(4.0, 10.0))
    for i in victims:
        lab.set_faults(i)
    replays_after = _dropped(lab, "replayed")
    receivers = [j for j in replays_after if j not in victims or len(victims) > 1]
    seen = {j: (replays_after[j] or 0) - (replays_before.get(j) or 0) for j in receivers}
    run.expect(any(n > 0 for n in seen.values()),
               f"the copies reached the others and were dropped as replays (new drops {seen})")
    _undisturbed(lab, run, f"duplicated datagrams from {_names(victims)}", before, dc)


def slow_fsync(lab, run):
    """Beyond cts: every fsync on some nodes (or all) waits 0.2-1.5 s for a while, as on a
    loaded or failing disk, while the lab's writer keeps writing. The CIB store and the
    membership state wait for it; heartbeats must not, so nothing may be fenced or move, and
    no acknowledged write may be lost. With every node slow a write must take at least the
    delay (it is durable before it is acknowledged)."""
    from lab_cluster import placements
    s = _status_of(lab)
    dc = s.dc if s else None
    before = placements(lab)
    everyone = lab.rng.random() < 0.4
    victims = lab.live() if everyone else \
        lab.rng.sample(lab.live(), lab.rng.randint(1, len(lab.live())))
    delay = lab.rng.randint(200, 1500)
    for i in victims:
        lab.set_faults(i, fsync_delay_ms=delay)
    print(f"  fsync on {_names(victims)} waits {delay} ms", flush=True)
    time.sleep(1.5)  # each crmd reads its faults file again within a second
    via = lab.any_live()
    started = time.monotonic()
    done = lab.pcs(via, "node", "attribute", f"n{via}",
                   f"faultlab-slow-fsync={lab.rng.randint(1, 10**9)}", check=False, timeout=60)
    took = (time.monotonic() - started) * 1000
    print(f"  a write through n{via} took {took:.0f} ms", flush=True)
    run.expect(done.returncode == 0, f"a write through n{via} was acknowledged while fsync was "
               f"slow ({done.stderr.strip()[:200]})")
    if set(victims) == set(lab.live()):
        run.expect(took >= delay, f"with every fsync {delay} ms late the write took {took:.0f} ms "
                   f"(it must be durable before it is acknowledged)")
    time.sleep(lab.rng.uniform(4.0, 10.0))
    for i in victims:
        lab.set_faults(i)
    _undisturbed(lab, run, f"slow fsync on {_names(victims)}", before, dc)


def _names(nodes):
    return ",".join(f"n{i}" for i in sorted(nodes))


def _rc_changes(lab):
    """Every last-rc-change in the status section of the CIB (seconds since the epoch)."""
    import re
    cib = lab.pcs(lab.any_live(), "cluster", "cib", check=False, timeout=30).stdout
    return [int(v) for v in re.findall(r'last-rc-change="(-?\d+)"', cib)]


def _cib_version(lab, i):
    """Node i's own CIB copy's version (admin_epoch.epoch.num_updates), None if unreadable."""
    from audits import cib_digest
    out = lab.pcs(i, "cluster", "cib", check=False, timeout=30)
    return cib_digest(out.stdout)[0] if out.returncode == 0 else None


def full_disk(lab, run):
    """Beyond cts: the disk under one node's state directory filled to the last block (the
    DC's half of the time) and a configuration write made through another node; then space
    freed. A write is acknowledged only once its copy is stored on every member, so:
      - on the DC, the write is refused at once with an error naming the disk, and every
        other node keeps the old copy;
      - on a member, the write is not acknowledged (the client is told it may or may not have
        been applied) and that node keeps the old copy, while the others may hold the new one
        (the DC resends it until the member can store it).
    Once space is freed the node catches up: every node holds the same CIB, a write made before
    the freeing is in it exactly when it was not refused, and a new write is acknowledged and in
    the node's own copy. The lost-write checker runs throughout."""
    s = _status_of(lab)
    dc = s.dc if s else None
    i = int(dc[1:]) if dc and lab.rng.random() < 0.5 else _node(lab)
    on_dc = f"n{i}" == dc
    via = lab.pick([j for j in lab.live() if j != i])
    lab.fill_disk(i)
    print(f"  n{i}'s state directory is full (DC {dc})", flush=True)
    # The lab's writer goes on meanwhile: what it had in flight settles first (nothing more
    # can be stored on node i, nor anywhere when it is the DC).
    time.sleep(1.0)
    kept = [j for j in lab.live() if j == i or on_dc]
    before = {j: _cib_version(lab, j) for j in kept}
    mark = f"disk-{lab.seed}-{run.event}"  # the writer's values are SEED-K
    out = lab.pcs(via, "node", "attribute", f"n{i}", f"faultlab-disk={mark}", check=False,
                  timeout=60)
    error = (out.stderr.strip().splitlines() or [""])[-1]
    print(f"  write through n{via}: exit {out.returncode}: {error[:160]}", flush=True)
    run.expect(out.returncode != 0, f"a write while n{i}'s disk is full was not acknowledged")
    refused = on_dc and "could not store" in error
    if on_dc:
        run.expect(refused and "No space left on device" in error,
                   f"the DC n{i} refused the write with an error naming the full disk: {error}")
    after = {j: _cib_version(lab, j) for j in kept}
    run.expect(after == before,
               f"the old CIB stayed in force on {[f'n{j}' for j in kept]} while n{i}'s disk "
               f"was full (before {before}, after {after})")
    time.sleep(lab.rng.uniform(1.0, 4.0))
    lab.free_disk(i)
    run.check(f"n{i}'s disk freed", only=["membership", "dc", "cib"])
    cib = lab.pcs(i, "cluster", "cib", check=False).stdout
    if refused:
        run.expect(f'value="{mark}"' not in cib, f"the write refused by the DC n{i} is not in "
                   "the CIB")
    mark += "-freed"
    lab.pcs_retry(via, "node", "attribute", f"n{i}", f"faultlab-disk={mark}")
    lab.wait_for(lambda: f'value="{mark}"' in lab.pcs(i, "cluster", "cib", check=False).stdout,
                 30, f"n{i}'s own CIB to hold the write made after its disk was freed")


SCENARIOS = {
    "Flip": flip, "Restart": restart, "StartOnebyOne": start_one_by_one,
    "SimulStart": simul_start, "SimulStop": simul_stop, "StopOnebyOne": stop_one_by_one,
    "RestartOnebyOne": restart_one_by_one, "PartialStart": partial_start, "Standby": standby,
    "MaintenanceMode": maintenance_mode, "ResourceRecover": resource_recover,
    "ComponentFail": component_fail, "SplitBrain": split_brain, "Reattach": reattach,
    "SpecialTest1": special_test1, "NearQuorumPoint": near_quorum_point,
    "ResyncCIB": resync_cib, "Fencing": fencing, "SigStop": sigstop,
    "FlappingLink": flapping_link, "PacketLoss": packet_loss, "CorruptCIB": corrupt_cib,
    "AgentKill": agent_kill, "ClockJump": clock_jump, "FullDisk": full_disk,
    "PacketDelay": packet_delay, "PacketDuplication": packet_duplication, "SlowFsync": slow_fsync,
}
