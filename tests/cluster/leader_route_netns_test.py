"""cluster.leader_route_netns: a real HAProxy routes to the node where a resource runs, by
crmd's route checks (cmonHA's xinetd check on port 9201, Patroni's paths), and re-routes when
that node is powered off.

3 nodes with the fence device; crmd runs with --check-resource web; `web` is an
ocf:heartbeat:Dummy. Each node runs a tiny HTTP backend answering its name (leader_route.py).
  checks     from the client: GET /leader, /primary, / and /resource/web answer 200 on the
             holder and 503 on the others; HEAD the same with no body; /replica 200 on the
             others; /health 200 everywhere; /resource/nosuch 404; POST 405; the body names the
             node, the resource and its role
  routing    HAProxy in the client namespace (option httpchk GET /leader, http-check expect
             status 200, inter 300 ms, fall 2, rise 1): every answer through it comes from the
             holder
  failover   the holder is powered off: every answer afterwards comes from the node where the
             cluster started web (never the third node); the re-route time (power-off -> first
             answer from the new holder) is printed with the failover time (power-off -> the
             new holder's executor's record of web's start) and must be within failover +
             3 check intervals + 0.5 s
  rejoin     the old holder is booted and rejoins: the route does not move (stickiness), even
             while its old copy of the CIB (web on it) waits for the DC's sync
  bystander  the third node is powered off and booted: every answer still from the holder
  hostile    garbage, an oversized head and a half-sent request to port 9201: crmd keeps
             answering the checks and pcs status
  promotable a promotable clone of ocf:pacemaker:Stateful: /resource/db/primary 200 only where
             pcs status shows it Promoted, /resource/db/replica 200 where Unpromoted

usage: leader_route_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import json
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import leader_route as lr  # noqa: E402
from metrics_netns_test import CLIENT  # noqa: E402
from pulse_netns import Checks, node_address  # noqa: E402
from resource_cluster import ResourceCluster  # noqa: E402

CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
INTER_MS = 300
START_S = 45


def send_raw(c, node, payload: bytes):
    """(answer text, seconds) for raw bytes sent to node's check port from the client."""
    out = c.harness("exec", str(c.client), "python3", "-c", CLIENT, node_address(node),
                    str(lr.CHECK_PORT), repr(payload), timeout=30)
    return out.stdout, float(out.stderr.strip().splitlines()[-1])


def check_paths(c, holder):
    others = [i for i in range(1, c.nodes + 1) if i != holder]
    for path in ("/leader", "/primary", "/", "/resource/web", "/resource/web/primary"):
        codes = {i: lr.ask_check(c, i, path)[0] for i in range(1, c.nodes + 1)}
        check(codes[holder] == 200 and all(codes[i] == 503 for i in others),
              f"GET {path}: 200 on n{holder}, 503 on the others", str(codes))
    status, body = lr.ask_check(c, holder, "/leader")
    answer = json.loads(body)
    check(answer.get("node") == f"n{holder}" and answer.get("resource") == "web" and
          answer.get("role") == "started", "the body names the node, web and role started", body)
    codes = {i: lr.ask_check(c, i, "/leader", "HEAD") for i in range(1, c.nodes + 1)}
    check(codes[holder] == (200, "") and all(codes[i] == (503, "") for i in others),
          "HEAD /leader: same codes, no body", str(codes))
    codes = {i: lr.ask_check(c, i, "/replica")[0] for i in range(1, c.nodes + 1)}
    check(codes[holder] == 503 and all(codes[i] == 200 for i in others),
          "GET /replica: 200 on the nodes ready to take web over", str(codes))
    codes = {i: lr.ask_check(c, i, "/health")[0] for i in range(1, c.nodes + 1)}
    check(all(v == 200 for v in codes.values()), "GET /health: 200 on every node", str(codes))
    check(lr.ask_check(c, holder, "/resource/nosuch")[0] == 404, "/resource/nosuch: 404")
    check(lr.ask_check(c, holder, "/leader", "POST")[0] == 405, "POST /leader: 405")


def run(crmd, pcs):
    if not shutil.which("haproxy"):
        # CI installs it (./dev deps): there a missing haproxy is a failure, not a skip.
        if os.environ.get("CI") == "true":
            raise AssertionError("haproxy is not installed (./dev deps installs it)")
        print("SKIPPED: haproxy is not installed (./dev deps installs it)")
        sys.exit(77)
    with ResourceCluster(crmd, pcs, prefix=f"pulse-lr{os.getpid()}") as c:
        c.extra_crmd_args += lr.crmd_check_args("web")
        c.bring_up("route")
        check(c.use_fence_device(), "fence device: fence (stonith:fence_pulse_netns)")
        c.pcs(1, "resource", "create", "web", "ocf:heartbeat:Dummy", "op", "monitor",
              "interval=5s", "meta", "resource-stickiness=100")
        lr.start_backends(c)
        holder = int(c.wait_started("web", START_S)[1:])
        ok(f"web runs on n{holder}")
        c.wait_for(lambda: lr.ask_check(c, holder, "/leader")[0] == 200, 20,
                   f"n{holder}'s check to see web there")
        check_paths(c, holder)

        haproxy = lr.HAProxy(c, "/leader", INTER_MS).start()
        ok("haproxy runs in the client namespace (haproxy -c accepts the configuration)")
        requester = lr.Requester(c)
        try:
            lr.wait_routed_to(c, requester, f"n{holder}", 15, f"HAProxy to route to n{holder}")
            t = time.time()
            time.sleep(2.0)
            answers = {a for _, a in requester.since(t)}
            check(answers == {f"n{holder}"}, f"for 2 s every answer through HAProxy came from "
                  f"n{holder}", str(answers))

            t_off = c.power_off(holder)
            new = c.wait_started("web", START_S, not_on=[f"n{holder}"],
                                 i=next(i for i in range(1, c.nodes + 1) if i != holder))
            c.wait_for(lambda: requester.first_from(t_off, {new}), 15,
                       f"an answer from {new} through HAProxy")
            first = requester.first_from(t_off, {new})
            started = lr.start_result_time(c, "web", t_off,
                                           [i for i in range(1, c.nodes + 1) if i != holder])
            check(started is not None and started[1] == new,
                  f"{new}'s executor logged web's start", str(started))
            reroute, failover = first[0] - t_off, started[0] - t_off
            bound = failover + 3 * INTER_MS / 1000 + 0.5
            print(f"# re-route time {reroute * 1000:.0f} ms (power-off of n{holder} -> first "
                  f"answer from {new}); failover {failover * 1000:.0f} ms (-> web started on "
                  f"{new}); check interval {INTER_MS} ms", flush=True)
            check(reroute <= bound, f"re-routed within failover + 3 check intervals + 0.5 s "
                  f"({reroute:.2f} s <= {bound:.2f} s)")
            time.sleep(1.0)
            answers = {a for _, a in requester.since(t_off) if a.startswith("n")}
            check(answers <= {f"n{holder}", new}, f"no answer from the third node after the "
                  f"power-off", str(answers))
            late = {a for _, a in requester.since(first[0]) if a.startswith("n")}
            check(late == {new}, f"after the first answer from {new}, only {new} answers",
                  str(late))

            survivor = int(new[1:])
            # A reboot empties /run, where agents keep their state (Dummy's "running" file);
            # the harness's power-off keeps the folder, so empty it as the reboot would.
            lr.reboot_wipes_agent_state(c, holder)
            t_boot = time.time()
            c.boot(holder, survivor)
            lr.start_backend(c, holder)
            c.wait_members(c.nodes, 30, via=survivor)
            c.wait_for(lambda: lr.ask_check(c, holder, "/health")[0] == 200, 20,
                       f"n{holder} healthy again")
            time.sleep(2.0)
            answers = [(round(t - t_boot, 2), a) for t, a in requester.since(t_boot)]
            changes = [x for k, x in enumerate(answers) if k == 0 or x[1] != answers[k - 1][1]]
            check({a for _, a in answers} == {new} and
                  lr.ask_check(c, holder, "/leader")[0] == 503,
                  f"n{holder} boots and rejoins: /leader 503 there, every answer from the "
                  f"boot on still from {new}", f"(s after the boot, answer): {changes}; "
                  f"n{holder}'s /leader now: {lr.ask_check(c, holder, '/leader')}")

            # A node that does not hold web goes and comes back: the view changes twice, the
            # holder's copy is resynced each time, and HAProxy never loses the route.
            third = next(i for i in range(1, c.nodes + 1) if i not in (holder, survivor))
            t = time.time()
            c.power_off(third)
            lr.wait_fenced(c, third, t, [holder, survivor])
            lr.reboot_wipes_agent_state(c, third)
            c.boot(third, survivor)
            lr.start_backend(c, third)
            c.wait_members(c.nodes, 30, via=survivor)
            time.sleep(1.0)
            answers = [(round(at - t, 2), a) for at, a in requester.since(t)]
            check({a for _, a in answers} == {new}, f"n{third} (not holding web) powered off "
                  f"and back: every answer still from {new}, none refused",
                  str([x for k, x in enumerate(answers)
                       if k == 0 or x[1] != answers[k - 1][1]]))

            text, _ = send_raw(c, survivor, b"\x16\x03\x01\x02garbage\r\n\r\n")
            check(text.startswith("HTTP/1.1 400"), "garbage to the check port: 400", text[:60])
            text, _ = send_raw(c, survivor, b"GET /leader HTTP/1.1\r\nX: " + b"a" * 20000)
            check(text.startswith("HTTP/1.1 431"), "oversized head: 431", text[:60])
            text, seconds = send_raw(c, survivor, b"GET /leader HTTP/1.1\r\n")
            check(text == "" and seconds < 8, f"a half-sent request is closed ({seconds:.1f} s)")
            check(lr.ask_check(c, survivor, "/leader")[0] == 200 and
                  c.pcs(survivor, "status", check=False).returncode == 0,
                  f"{new} still answers /leader and pcs status")
            t = time.time()
            time.sleep(1.0)
            check({a for _, a in requester.since(t)} == {new},
                  f"HAProxy still routes to {new}")

            # A promotable clone on the same port: /resource/db/primary where pcs status shows
            # it Promoted, /resource/db/replica where Unpromoted.
            c.pcs(survivor, "resource", "create", "db", "ocf:pacemaker:Stateful", "promotable")

            def roles():
                text = c.pcs(survivor, "status", check=False).stdout
                promoted = re.search(r"Promoted: \[ (\S+) \]", text)
                unpromoted = re.search(r"Unpromoted: \[ ([^\]]+) \]", text)
                if not promoted or not unpromoted:
                    return None
                return promoted.group(1), sorted(unpromoted.group(1).split())
            promoted, unpromoted = c.wait_for(roles, START_S, "db promoted on one node")
            expected = {f"n{i}": (200, 503) if f"n{i}" == promoted else (503, 200)
                        for i in range(1, c.nodes + 1)}

            def codes(name):
                return {f"n{i}": (lr.ask_check(c, i, f"/resource/{name}/primary")[0],
                                  lr.ask_check(c, i, f"/resource/{name}/replica")[0])
                        for i in range(1, c.nodes + 1)}
            # Each node's copy of the CIB records the promote on its own schedule.
            c.wait_for(lambda: codes("db") == expected, 20, "the checks to show db's roles")
            check(codes("db-clone") == expected and len(unpromoted) == c.nodes - 1,
                  f"promotable db: /primary 200 only on {promoted} (Promoted), /replica 200 on "
                  f"{' '.join(unpromoted)} (Unpromoted), by either name", str(codes("db")))
        finally:
            requester.stop()
            haproxy.stop()


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
