"""The fault lab's audits: what must hold once the cluster has settled after a scenario.

Every audit is a function lab -> [problem text]; an empty list means it holds. `settle` polls
all of them together until they hold (the time that took is the scenario's recovery) or the
timeout passes (what is still wrong then is a violation). Everything is read from the nodes
themselves: pcs on each node for its own view, `ip -o addr` and agent state files for where
resources really run.
"""
import hashlib
import os
import re
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

from lab_cluster import Promotable, clones, primitives
from pcs_status import parse_status

SANITIZER_RE = re.compile(r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|"
                          r"WARNING: ThreadSanitizer")


def each_node(nodes, read):
    """{i: read(i)} for every node (or other key) at once: each read is a pcs call or a look
    into a node's namespace, independent of the others, so a round of reads takes about one
    read's time instead of the sum (and the nodes are read closer to the same instant)."""
    nodes = list(nodes)
    if len(nodes) <= 1:
        return {i: read(i) for i in nodes}
    with ThreadPoolExecutor(max_workers=len(nodes)) as pool:
        return dict(zip(nodes, pool.map(read, nodes)))


def _status(lab, i):
    out = lab.pcs(i, "status", check=False, timeout=30)
    if out.returncode != 0:
        return None
    s = parse_status(out.stdout)
    s.text = out.stdout  # the clone sets are read from the text (clone_set below)
    return s


LIST_IN_SET_RE = re.compile(r"^\s*\* (Promoted|Unpromoted|Started|Stopped): \[ ?(.*?) ?\]\s*$")


def clone_set(text, clone_id):
    """The clone set `clone_id` as `pcs status` shows it: ({label: [nodes]} from its
    "Promoted/Unpromoted/Started/Stopped: [ ... ]" lines, [instances listed one by one]) — an
    instance is listed on its own when it is not cleanly running (failed, pending, unmanaged).
    None when the set is not shown."""
    lines = text.splitlines()
    head = re.compile(r"^(\s*)\* Clone Set: %s \[" % re.escape(clone_id))
    for n, line in enumerate(lines):
        m = head.match(line)
        if not m:
            continue
        indent = len(m.group(1))
        lists, single = {}, []
        for inner in lines[n + 1:]:
            if not inner.strip() or len(inner) - len(inner.lstrip()) <= indent:
                break
            lm = LIST_IN_SET_RE.match(inner)
            if lm:
                lists[lm.group(1)] = sorted(lm.group(2).split())
            else:
                single.append(inner.strip())
        return lists, single
    return None


def clone_problems(lab, s, entry, allowed):
    """One instance on every allowed node and none elsewhere, in the DC's status and on the
    nodes themselves; for a promotable clone exactly one of them Promoted, the same node in
    both."""
    shown = clone_set(s.text, entry.id)
    if shown is None:
        return [f"{entry.id} missing from pcs status"]
    lists, single = shown
    problems = [f"{entry.id}: instance not cleanly running: {line}" for line in single]
    really = entry.instances(lab)
    if isinstance(entry, Promotable):
        promoted, unpromoted = lists.get("Promoted", []), lists.get("Unpromoted", [])
        if len(promoted) != 1 or not set(promoted) <= allowed or \
                sorted(promoted + unpromoted) != sorted(allowed):
            problems.append(f"{entry.id}: status Promoted {promoted}, Unpromoted {unpromoted}, "
                            f"expected one Promoted and the rest of {sorted(allowed)} "
                            f"Unpromoted")
        expected = {n: "Promoted" if n in promoted else "Unpromoted"
                    for n in promoted + unpromoted}
    else:
        started = lists.get("Started", [])
        if sorted(started) != sorted(allowed):
            problems.append(f"{entry.id}: status Started on {started}, expected on every "
                            f"allowed node {sorted(allowed)}")
        expected = {n: "Started" for n in started}
    if really != expected:
        problems.append(f"{entry.id}: status says {dict(sorted(expected.items()))}, on the "
                        f"nodes themselves: {dict(sorted(really.items()))}")
    return problems


def membership(lab):
    """Each expected partition forms one view on each of its nodes, quorate iff it holds a
    majority (pcs status corosync / pcs quorum status on every node)."""
    problems = []
    groups = lab.expected_partitions()

    def read(what):
        i, command = what
        if command == "corosync":
            return lab.members_of(i)
        try:
            return lab.pcs_json(i, "quorum", "status")
        except (AssertionError, ValueError) as e:
            return f"n{i}: pcs quorum status failed: {str(e)[-200:]}"

    nodes = sorted(i for g in groups for i in g)
    views = each_node([(i, c) for i in nodes for c in ("quorum", "corosync")], read)
    for group in groups:
        names = sorted(f"n{i}" for i in group)
        for i in group:
            q, corosync = views[(i, "quorum")], views[(i, "corosync")]
            if isinstance(q, str):
                problems.append(q)
                continue
            seen = sorted(m["name"] for m in q.get("members", []))
            if seen != names:
                problems.append(f"n{i} sees members {seen}, expected {names}")
            if bool(q.get("quorate")) != lab.quorate(group):
                problems.append(f"n{i} quorate={q.get('quorate')}, expected "
                                f"{lab.quorate(group)} in partition {names}")
            members = sorted(m["name"] for m in corosync)
            if members != names:
                problems.append(f"n{i}: pcs status corosync lists {members}, expected {names}")
    return problems


def one_dc(lab):
    """Every node of a quorate partition names the same DC, a member of the partition."""
    problems = []
    for group in lab.expected_partitions():
        if not lab.quorate(group):
            continue
        dcs = {f"n{i}": s.dc if s else "(pcs status failed)"
               for i, s in each_node(group, lambda i: _status(lab, i)).items()}
        values = set(dcs.values())
        if len(values) != 1 or next(iter(values)) not in {f"n{i}" for i in group}:
            problems.append(f"DC per node in partition {sorted(dcs)}: {dcs}")
    return problems


def cib_digest(xml: str):
    root = ET.fromstring(xml)
    version = ".".join(root.get(k, "?") for k in ("admin_epoch", "epoch", "num_updates"))
    return version, hashlib.sha256(xml.encode()).hexdigest()[:16]


def cib_identical(lab):
    """Every member of a quorate partition holds the same CIB: version and digest of the copy
    `pcs cluster cib` prints on that node (its own copy)."""
    problems = []
    for group in lab.expected_partitions():
        if not lab.quorate(group):
            continue
        reads = each_node(group, lambda i: lab.pcs(i, "cluster", "cib", check=False, timeout=30))
        copies = {f"n{i}": cib_digest(out.stdout) if out.returncode == 0 else
                  ("(failed)", out.stderr.strip()[-80:]) for i, out in reads.items()}
        if len(set(copies.values())) != 1:
            problems.append(f"CIB copies differ: {copies}")
    return problems


def resources(lab):
    """Every primitive is Started on exactly one node in the DC's status and really active
    there and nowhere else; group members together; every clone has one instance on each
    allowed node (a promotable one exactly one Promoted), in the status and on the nodes; no
    failed actions left."""
    problems = []
    quorate = [g for g in lab.expected_partitions() if lab.quorate(g)]
    if not quorate:
        return problems
    group = quorate[0]
    s = _status(lab, group[0])
    if s is None:
        return [f"pcs status failed on n{group[0]}"]
    allowed = {f"n{i}" for i in group} - {f"n{i}" for i in lab.standby}
    for p in primitives(lab.config):
        r = s.resources.get(p.id)
        if r is None:
            problems.append(f"{p.id} missing from pcs status")
            continue
        where = set(r.nodes) if r.state == "Started" else set()
        really = p.holders(lab)
        if len(where) != 1 or not where <= allowed:
            problems.append(f"{p.id}: status {r.state} on {sorted(r.nodes)}, expected Started "
                            f"on one of {sorted(allowed)}")
        if really != where:
            problems.append(f"{p.id}: status says {sorted(where)}, active on the nodes "
                            f"themselves: {sorted(really)}")
    for entry in clones(lab.config):
        problems += clone_problems(lab, s, entry, allowed)
    for entry in lab.config:
        if len(entry.primitives()) > 1:
            nodes = {tuple(s.resources[p.id].nodes) for p in entry.primitives()
                     if p.id in s.resources}
            if len(nodes) > 1:
                problems.append(f"group {entry.id} split over {sorted(nodes)}")
    for f in s.failed:
        problems.append(f"stale failure: {f.key} on {f.node} '{f.rc_text}' ({f.rc})")
    return problems


def processes(lab):
    """crmd runs on every node the model says is up (no crash, no self-fence unaccounted for)."""
    running = each_node(lab.running(), lab.process_running)
    return [f"n{i}: crmd is not running" for i, up in sorted(running.items()) if not up]


def crashes(lab):
    """No core file under the run's state folder, no sanitizer report in any crmd log."""
    problems = []
    for root, _, files in os.walk(lab.state):
        for f in files:
            if f == "core" or f.startswith("core."):
                problems.append(f"core file {os.path.join(root, f)}")
    for i in range(1, lab.nodes + 1):
        report = _sanitizer_report(lab, i)
        if report:
            problems.append(f"n{i} crmd log: {report}")
    return problems


# node -> (bytes of its crmd log already read, the first sanitizer report found in them).
# A log only grows during a run (a crmd started again appends), so each round reads what was
# written since the last one and a report once found stays reported.
_SCANNED = {}


def _sanitizer_report(lab, i):
    key = (lab.prefix, i)
    offset, found = _SCANNED.get(key, (0, None))
    if found:
        return found
    if lab.log_size(i) < offset:
        offset = 0  # a new file: read it all
    try:
        with open(lab.log_path(i), "rb") as log:
            log.seek(offset)
            data = log.read()
    except OSError:
        return None
    # Only whole lines: a line being written is read again, complete, next round.
    complete = data[:data.rfind(b"\n") + 1]
    for line in complete.decode("utf-8", errors="replace").splitlines():
        if SANITIZER_RE.search(line):
            found = line.strip()[:160]
            break
    _SCANNED[key] = (offset + len(complete), found)
    return found


# Order matters only for the report: the first failing audit is shown first.
AUDITS = [("membership", membership), ("dc", one_dc), ("cib", cib_identical),
          ("resources", resources), ("processes", processes), ("crashes", crashes)]


# Audit rounds run and the seconds they took, for the run's summary (faultlab.py).
ROUNDS = {"count": 0, "seconds": 0.0}


def run_all(lab, only=None):
    began = time.time()
    try:
        return _run_all(lab, only)
    finally:
        ROUNDS["count"] += 1
        ROUNDS["seconds"] += time.time() - began


def _run_all(lab, only=None):
    """The audits at once (each reads the nodes, none changes anything), reported in AUDITS'
    order."""
    chosen = [(name, audit) for name, audit in AUDITS if not only or name in only]
    found = each_node(range(len(chosen)), lambda k: chosen[k][1](lab))
    out = []
    for k, (name, _) in enumerate(chosen):
        out += [f"[{name}] {p}" for p in found[k]]
    return out


def settle(lab, timeout=90, only=None, stable=2.0):
    """Polls the audits until they hold twice `stable` seconds apart (a passing instant in the
    middle of a recovery is not a settled cluster). Returns (seconds, [problems]): problems is
    empty when they held, else what was still wrong at the timeout."""
    return hold(lambda: run_all(lab, only), timeout, stable)


def hold(audit, timeout, stable):
    """settle's polling, for any `audit` returning its problems (also the Pacemaker lab's)."""
    start = time.time()
    first_ok = None
    while True:
        problems = audit()
        now = time.time()
        if not problems:
            if first_ok is None:
                first_ok = now
            elif now - first_ok >= stable:
                return first_ok - start, []
        else:
            first_ok = None
        if now - start >= timeout:
            return now - start, problems
        time.sleep(0.5)
