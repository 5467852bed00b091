#!/usr/bin/env python3
"""cluster.console_browser_netns: the web console in a real browser against a 3-node namespace
cluster (with the harness's fence device). Headless Debian chromium, driven by playwright-core
(tests/browser/console_flow.js), runs in the client namespace and talks to n1's console at
https://192.0.2.11:2224/ as an operator would:
  login        a wrong password is refused on the page; the right one shows the live overview
  create       a VIP from the form built from ocf:heartbeat:IPaddr2's meta-data; it starts
  move, ban    Move to another node: the page shows it there; Ban from n1: the page shows the
               constraint the ban leaves (cli-ban-vip-on-n1) under Constraints
  failover     that node is powered off (the harness's power switch); the page, never reloaded,
               shows the VIP on a surviving node and the node offline
  transitions  the DC's last transitions drawn as graphs (actions and their order)
Before that, with ACLs on, a system user in haclient whose role reads /cib but is denied the
resource `secret` (tests/browser/console_acl_flow.js):
  login        with its own name and system password; the header names it, ACL-limited
  reading      the overview and resources list `web`, never `secret` (nor do the constraints,
               events and transitions tabs); the nodes are listed
  refused      Standby of n2 and Disable of web: the page says they are not permitted, with
               pcs's "Permission denied" naming the user; the CIB is unchanged on every node
  log out      the login page again, and a reload does not bring the session back
  control      hacluster, logged in beside it, does see `secret` in the resources, events and
               transitions
Screenshots of each step go to BUILD/Testing/artifacts/console/ (BUILD: the crmd binary's
build folder; acl-*.png for the ACL user), kept after the run.

Needs chromium (Debian package) and playwright-core in tests/browser/node_modules (both from
`./dev deps test`). Without them it is skipped with the reason, and fails when CI=true.

usage: console_browser_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped)
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import PASSWORD, Checks, node_address  # noqa: E402
from resource_cluster import ResourceCluster  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BROWSER_DIR = os.path.join(os.path.dirname(HERE), "browser")
FLOW = os.path.join(BROWSER_DIR, "console_flow.js")
ACL_FLOW = os.path.join(BROWSER_DIR, "console_acl_flow.js")
CHROMIUM = os.environ.get("PULSE_CHROMIUM", "/usr/bin/chromium")
VIP = "198.51.100.40"
CHECKS = Checks()
ok, check = CHECKS.ok, CHECKS.check
# The ACL user: a throwaway system account in haclient (removed afterwards), its role reading
# everything but the resource HIDDEN.
VIEWER, VIEWER_PASSWORD = "pulse-con-viewer", "Console-view-7"
SHOWN, HIDDEN = "web", "secret"


def missing():
    """Why the browser cannot run here ("" when it can)."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"no {CHROMIUM} (Debian package chromium; ./dev deps test installs it)"
    if subprocess.run(["node", "--version"], capture_output=True).returncode != 0:
        return "no node (Debian package nodejs)"
    if not os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", "playwright-core")):
        return "no playwright-core in tests/browser/node_modules (./dev deps test installs it)"
    return ""


def viewer_account(create):
    subprocess.run(["userdel", VIEWER], capture_output=True)
    if not create:
        return
    subprocess.run(["groupadd", "-f", "haclient"], check=True)
    subprocess.run(["useradd", "-M", "-N", "-s", "/usr/sbin/nologin", "-G", "haclient", VIEWER],
                   check=True)
    subprocess.run(["chpasswd"], input=f"{VIEWER}:{VIEWER_PASSWORD}\n", text=True, check=True)


def configurations(c):
    """Each node's CIB configuration section, as on its disk."""
    out = []
    for i in range(1, c.nodes + 1):
        try:
            with open(os.path.join(c.state_dir(i), "cib.xml"), encoding="utf-8") as f:
                m = re.search(r"<configuration>.*</configuration>", f.read(), re.S)
        except FileNotFoundError:
            m = None
        out.append(m.group(0) if m else "")
    return out


def acl_phase(c, url, env, shots):
    """The ACL user's run in the browser (console_acl_flow.js)."""
    # `deny xpath`, not `deny id` (pcs wants the id to exist, and HIDDEN is created below): the
    # xpath Pacemaker builds for a reference, which also covers HIDDEN's status.
    c.pcs(1, "acl", "role", "create", "viewer", "read", "xpath", "/cib", "deny", "xpath",
          f"//*[@id='{HIDDEN}']")
    c.pcs(1, "acl", "user", "create", VIEWER, "viewer")
    c.pcs(1, "acl", "enable")
    # HIDDEN last, so that the DC's newest transitions (what the page draws) start it.
    for rsc in (SHOWN, HIDDEN):
        c.pcs(1, "resource", "create", rsc, "ocf:heartbeat:Dummy")
    for rsc in (SHOWN, HIDDEN):
        c.wait_started(rsc, 30, i=1)
    c.wait_for(lambda: len(set(configurations(c))) == 1, 10, "every node to hold the ACLs")
    before = configurations(c)
    ok(f"ACLs on: {VIEWER} (haclient) may read /cib but not {HIDDEN}")
    viewer_account(True)
    try:
        flow = subprocess.run(
            ["ip", "netns", "exec", c.client_namespace(), "node", ACL_FLOW, url, VIEWER,
             VIEWER_PASSWORD, shots, SHOWN, HIDDEN, PASSWORD], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, env=env, cwd=BROWSER_DIR, timeout=300)
    finally:
        viewer_account(False)
    for line in flow.stdout.splitlines():
        print(f"  browser: {line}", flush=True)
        if line.startswith("OK "):
            ok(f"browser ({VIEWER}): {line[3:]}")
    check(flow.returncode == 0, "the ACL user's browser run ended well",
          f"exit {flow.returncode}")
    after = configurations(c)
    check(after == before and "standby" not in after[0] and "target-role" not in after[0],
          "the refused changes left the CIB unchanged on every node")


def run(crmd, pcs):
    shots = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(crmd))), "Testing",
                         "artifacts", "console")
    os.makedirs(shots, exist_ok=True)
    for old in os.listdir(shots):  # this run's screenshots only, so the count below means it
        if old.endswith(".png"):
            os.remove(os.path.join(shots, old))
    with ResourceCluster(crmd, pcs, prefix=f"pulse-con{os.getpid()}") as c:
        c.bring_up("con")
        check(c.use_fence_device(), "fence device: fence (stonith:fence_pulse_netns)")
        url = f"https://{node_address(1)}:2224/"
        env = dict(os.environ, NODE_PATH=os.path.join(BROWSER_DIR, "node_modules"),
                   HOME=c.state, PULSE_CHROMIUM=CHROMIUM)
        acl_phase(c, url, env, shots)
        browser = subprocess.Popen(
            ["ip", "netns", "exec", c.client_namespace(), "node", FLOW, url, PASSWORD, VIP,
             shots, "n1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, env=env, cwd=BROWSER_DIR)
        target = None
        try:
            for line in browser.stdout:
                line = line.strip()
                print(f"  browser: {line}", flush=True)
                word, _, rest = line.partition(" ")
                if word == "OK":
                    ok(f"browser: {rest}")
                elif word == "STARTED":
                    ok(f"browser: the VIP created on the page runs on {rest}")
                elif word == "MOVED":
                    target = rest
                    ok(f"browser: moved to {rest}; the page shows it there")
                elif word == "BANNED":
                    ok(f"browser: banned from {rest}; the page shows the ban's constraint "
                       "as left over")
                elif word == "POWER-OFF":
                    c.power_off(int(rest[1:]))
                    browser.stdin.write("powered off\n")
                    browser.stdin.flush()
                elif word == "FAILOVER":
                    node, seconds = rest.split()
                    ok(f"browser: after {target}'s power-off the page shows the VIP on {node} "
                       f"({seconds} s) and {target} offline, without a reload")
            code = browser.wait(timeout=30)
        finally:
            if browser.poll() is None:
                browser.kill()
                browser.wait()
        check(code == 0, "the browser's run ended well", f"exit {code}")
        node = c.wait_started("vip", 30, not_on=[target, "n1"], i=1)
        ok(f"pcs status agrees: vip runs on {node}")
        pngs = sorted(f for f in os.listdir(shots) if f.endswith(".png"))
        check(len(pngs) >= 16, f"screenshots kept in {shots}", ", ".join(pngs))


def main():
    reason = missing()
    if reason:
        if os.environ.get("CI") == "true":
            print(f"FAIL: {reason}")
            return 1
        print(f"SKIPPED: {reason}")
        return 77
    return CHECKS.main(__doc__, run)


if __name__ == "__main__":
    sys.exit(main())
