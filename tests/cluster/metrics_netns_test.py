"""cluster.metrics_netns: Prometheus /metrics served by real crmd processes, scraped as
Prometheus would (plain HTTP GET on port 9664) from a client namespace.

3 nodes with the fence device and a Dummy resource `d`. Scraping n1 and n2:
  nodes       ha_cluster_pacemaker_nodes{status="online"} is 1 for n1, n2 and n3, and exactly
              one node has status="dc" 1
  resource    ha_cluster_pacemaker_resources{resource="d",status="active"} is 1 on the node
              `pcs status` shows it Started on, with role="started"
  quorum      ha_cluster_corosync_quorate 1; member_votes 1 for each of the 3 members, local
              "true" only for the scraped node; quorum_votes expected_votes 3
  DC          pulse_transitions_total of the DC is at least 1 (it computed d's start)
  cache       two scrapes at one CIB version leave pulse_status_engine_runs_total unchanged
  runtime     the node running d counts d's start in pulse_action_duration_seconds{operation=
              "start"} (its +Inf bucket equals the count, buckets never decrease); n1 counts
              its CIB writes (pulse_cib_write_seconds) and views; after n3's crmd is killed,
              n1's pulse_membership_detection_seconds counts the loss, detected within 0.2-5 s
  hostile     a request that is not HTTP gets 400, an oversized one 431, a silent connection
              is closed; crmd keeps running and keeps answering both /metrics and pcs
It prints the scrape latency (median and max of 20 scrapes of n1 from the client).

usage: metrics_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import Checks, node_address  # noqa: E402
from resource_cluster import ResourceCluster  # noqa: E402

CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
PORT = 9664
START_S = 45

# Runs in the client namespace: sends argv[3] (a Python literal of bytes) to argv[1]:argv[2],
# prints the whole answer and, on stderr, the seconds it took.
CLIENT = r"""
import ast, socket, sys, time
t = time.monotonic()
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
try:
    s.sendall(ast.literal_eval(sys.argv[3]))
except OSError:
    pass
out = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
except OSError:
    pass
sys.stderr.write("%.6f\n" % (time.monotonic() - t))
sys.stdout.write(out.decode("utf-8", "replace"))
"""


def send(c, node, payload: bytes):
    """(answer text, seconds) for payload sent to node's metrics port from the client."""
    out = c.harness("exec", str(c.client), "python3", "-c", CLIENT, node_address(node),
                    str(PORT), repr(payload), timeout=30)
    # text mode has turned the answer's CRLFs into newlines
    return out.stdout, float(out.stderr.strip().splitlines()[-1])


def scrape(c, node):
    text, seconds = send(c, node, b"GET /metrics HTTP/1.1\r\nHost: n\r\n\r\n")
    head, _, body = text.partition("\n\n")
    if not head.startswith("HTTP/1.1 200"):
        raise AssertionError(f"GET /metrics on n{node}: {head!r}")
    return body, seconds


def samples(body):
    """{(name, frozenset(labels)): value} of a text exposition."""
    out = {}
    for line in body.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$', line)
        if not m:
            raise AssertionError(f"not a sample line: {line!r}")
        labels = frozenset(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        key = (m.group(1), labels)
        if key in out:
            raise AssertionError(f"two samples of one series: {line!r}")
        out[key] = m.group(3)
    return out


def bucket_bound(key):
    """A histogram bucket's upper bound from its labels (inf for +Inf, for sorting)."""
    le = dict(key[1]).get("le", "+Inf")
    return float("inf") if le == "+Inf" else float(le)


def value(s, name, **labels):
    """The value of the one series of `name` whose labels include `labels` (None: none)."""
    found = [v for (n, ls), v in s.items() if n == name and set(labels.items()) <= ls]
    if len(found) > 1:
        raise AssertionError(f"{name}{labels} matches {len(found)} series")
    return found[0] if found else None


def run(crmd, pcs):
    with ResourceCluster(crmd, pcs, prefix=f"pulse-met{os.getpid()}") as c:
        c.bring_up("met")
        check(c.use_fence_device(), "fence device: fence (stonith:fence_pulse_netns)")
        c.pcs(1, "resource", "create", "d", "ocf:heartbeat:Dummy", "op", "monitor",
              "interval=5s")
        where = c.wait_started("d", START_S)
        ok(f"d runs on {where}")

        for node in (1, 2):
            # Every node reads its own copy of the CIB: wait until it shows d started.
            def started(node=node):
                s = samples(scrape(c, node)[0])
                return s if value(s, "ha_cluster_pacemaker_resources", resource="d",
                                  status="active", node=where) == "1" else None
            try:
                s = c.wait_for(started, 20, f"n{node}'s /metrics to show d active on {where}")
            except AssertionError:
                print("# last scrape of n%d:\n%s" % (node, scrape(c, node)[0]), flush=True)
                raise
            check(value(s, "ha_cluster_pacemaker_resources", resource="d", status="active",
                        node=where, role="started", managed="true",
                        agent="ocf:heartbeat:Dummy", group="", clone="") == "1",
                  f"n{node}: d active on {where}, role started, managed, agent Dummy")
            online = [value(s, "ha_cluster_pacemaker_nodes", node=f"n{i}", status="online",
                            type="member") for i in (1, 2, 3)]
            check(online == ["1", "1", "1"], f"n{node}: nodes n1 n2 n3 online", str(online))
            dcs = [n for (name, ls), v in s.items() if name == "ha_cluster_pacemaker_nodes"
                   for (k, n) in ls if k == "node" and ("status", "dc") in ls and v == "1"]
            check(len(dcs) == 1, f"n{node}: exactly one DC ({dcs})")
            check(value(s, "ha_cluster_corosync_quorate") == "1", f"n{node}: quorate 1")
            check(value(s, "ha_cluster_corosync_quorum_votes", type="expected_votes") == "3",
                  f"n{node}: expected_votes 3")
            votes = {i: (value(s, "ha_cluster_corosync_member_votes", node=f"n{i}"),
                         value(s, "ha_cluster_corosync_member_votes", node=f"n{i}",
                               local="true")) for i in (1, 2, 3)}
            check(all(v[0] == "1" for v in votes.values()) and
                  [i for i, v in votes.items() if v[1] is not None] == [node],
                  f"n{node}: member_votes 1 for n1 n2 n3, local only n{node}", str(votes))
            check(value(s, "ha_cluster_pacemaker_stonith_enabled") == "1",
                  f"n{node}: stonith_enabled 1")

        dc = int(dcs[0][1:])
        s = samples(scrape(c, dc)[0])
        transitions = int(value(s, "pulse_transitions_total") or 0)
        check(transitions >= 1, f"the DC n{dc} counts the transitions it computed ({transitions})")

        s = samples(scrape(c, int(where[1:]))[0])
        starts = int(value(s, "pulse_action_duration_seconds_count", operation="start") or 0)
        buckets = [int(v) for (n, ls), v in sorted(s.items(), key=lambda kv: bucket_bound(kv[0]))
                   if n == "pulse_action_duration_seconds_bucket" and ("operation", "start") in ls]
        check(starts >= 1 and buckets and buckets[-1] == starts and buckets == sorted(buckets),
              f"{where}: d's start in pulse_action_duration_seconds{{operation=\"start\"}} "
              f"(count {starts}, cumulative buckets {buckets})")
        s = samples(scrape(c, 1)[0])
        writes = int(value(s, "pulse_cib_write_seconds_count") or 0)
        views = int(value(s, "pulse_membership_view_changes_total") or 0)
        check(writes >= 1 and views >= 1,
              f"n1: pulse_cib_write_seconds counts {writes} CIB writes "
              f"(sum {value(s, 'pulse_cib_write_seconds_sum')} s), {views} view changes")

        if os.environ.get("PULSE_METRICS_SAMPLE"):
            with open(os.environ["PULSE_METRICS_SAMPLE"], "w") as f:
                f.write(scrape(c, 2)[0])
        times = sorted(scrape(c, 1)[1] for _ in range(20))
        print(f"# scrape latency n1 from the client: median {times[10] * 1000:.1f} ms, "
              f"max {times[-1] * 1000:.1f} ms (20 scrapes)", flush=True)

        # Scrapes at one CIB version reuse the engine's view (crmd/http/cib_view_cache.h): the
        # engine-run counter moves only with the CIB. Retried, since a monitor result may
        # change the CIB between two scrapes.
        def version_and_runs():
            s = samples(scrape(c, 1)[0])
            return ([value(s, "pulse_cib_version", part=p) for p in ("admin_epoch", "epoch",
                                                                     "num_updates")],
                    int(value(s, "pulse_status_engine_runs_total") or -1))
        for _ in range(5):
            (v1, runs1), (v2, runs2) = version_and_runs(), version_and_runs()
            if v1 == v2:
                break
        check(v1 == v2 and runs1 >= 1 and runs2 == runs1,
              f"n1: two scrapes at CIB version {v1} run the engine once (engine runs {runs1}, "
              f"then {runs2})")

        text, _ = send(c, 1, b"\x16\x03\x01\x02\x00garbage\r\n\r\n")
        check(text.startswith("HTTP/1.1 400"), "garbage request: 400", text[:60])
        text, _ = send(c, 1, b"A" * 20000)
        check(text.startswith("HTTP/1.1 431"), "oversized request: 431", text[:60])
        text, seconds = send(c, 1, b"GET /metrics HTTP/1.1\r\n")
        check(text == "" and seconds < 8, f"an unfinished request is closed ({seconds:.1f} s)")
        text, _ = send(c, 1, b"GET /admin HTTP/1.1\r\n\r\n")
        check(text.startswith("HTTP/1.1 404"), "another path: 404", text[:60])
        check(c.harness("pid", "1", "crmd", check=False).returncode == 0,
              "crmd on n1 still runs after the hostile requests")
        s = samples(scrape(c, 1)[0])
        check(value(s, "ha_cluster_corosync_quorate") == "1", "n1 still answers /metrics")
        check(c.pcs(1, "status", check=False).returncode == 0, "n1 still answers pcs status")

        def detection():
            s = samples(scrape(c, 1)[0])
            return (int(value(s, "pulse_membership_detection_seconds_count") or 0),
                    float(value(s, "pulse_membership_detection_seconds_sum") or 0))
        count0, sum0 = detection()
        c.kill_crmd(3)
        count1, sum1 = c.wait_for(lambda: (lambda d: d if d[0] > count0 else None)(detection()),
                                  20, "n1's detection histogram to count n3's loss")
        took = (sum1 - sum0) / (count1 - count0)
        check(count1 == count0 + 1 and 0.2 <= took <= 5,
              f"n1: pulse_membership_detection_seconds counts n3's loss, detected in {took:.2f} s")


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
