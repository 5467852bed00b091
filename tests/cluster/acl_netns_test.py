#!/usr/bin/env python3
"""cluster.acl_netns: ACLs enforced by crmd on the CIB reads and writes of the admin API.

Three nodes; `pcs acl` turns ACLs on and gives user alice a read-only role. Then, acting as
alice through CIB_user (honoured for root and hacluster, as Pacemaker does):
  - `pcs resource create vip2 ...` is refused with "Permission denied" naming alice and the
    element, and the CIB is unchanged on every node;
  - `pcs status` and `pcs acl` work (alice may read);
  - a user without any ACL entry reads nothing;
  - hacluster's token without CIB_user (root on the node) still writes;
  - in the web console, a system user in group haclient with an ACL entry logs in with its own
    password, sees the cluster, and its changes are refused by the ACLs; a system user outside
    haclient cannot log in.

usage: acl_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped: not root)
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pulse_netns import Checks, NetnsCluster  # noqa: E402

CHECKS = Checks()
ok = CHECKS.ok
check = CHECKS.check


def cib_file(c, i):
    try:
        with open(os.path.join(c.state_dir(i), "cib.xml"), encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def configuration(text):
    m = re.search(r"<configuration>.*</configuration>", text, re.S)
    return m.group(0) if m else ""


def pcs_as(c, i, user, *args):
    """pcs on node i acting for `user` (CIB_user), as root on the node."""
    return c.harness("exec", str(i), "env", f"CIB_user={user}", c.pcs_bin, "--state-dir",
                     c.state_dir(i), *args, check=False, timeout=120)


# Console logins of system users (crmd/console/system_login.h): two throwaway accounts, removed
# afterwards. OPERATOR is in haclient and has an ACL entry; OUTSIDER is not in haclient.
OPERATOR, OUTSIDER, SYSTEM_PASSWORD = "pulse-acl-op", "pulse-acl-out", "Console-acl-9"

CONSOLE_CLIENT = r"""
import http.client, json, ssl, sys
host, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
ctx.set_alpn_protocols(["http/1.1"])
def call(method, path, body=None, headers=None):
    conn = http.client.HTTPSConnection(host, 2224, context=ctx, timeout=60)
    hdrs = dict(headers or {})
    if body is not None:
        hdrs["Content-Type"] = "application/json"
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=hdrs)
    r = conn.getresponse(); data = r.read().decode(errors="replace"); conn.close()
    return r.status, r.headers, data
out = {}
status, headers, data = call("POST", "/api/login", {"username": user, "password": password})
out["login"] = [status, data]
if status == 200:
    cookie = headers["Set-Cookie"].split(";")[0]
    csrf = json.loads(data)["csrf"]
    out["snapshot"] = list(call("GET", "/api/snapshot", headers={"Cookie": cookie})[0::2])
    status, _, data = call("POST", "/api/action", {"action": "node-standby", "node": "n2"},
                           {"Cookie": cookie, "X-CSRF-Token": csrf})
    out["standby"] = [status, data]
print(json.dumps(out))
"""


def system_users(create):
    for user in (OPERATOR, OUTSIDER):
        subprocess.run(["userdel", user], capture_output=True)
    if not create:
        return
    subprocess.run(["groupadd", "-f", "haclient"], check=True)
    subprocess.run(["useradd", "-M", "-N", "-s", "/usr/sbin/nologin", "-G", "haclient", OPERATOR],
                   check=True)
    subprocess.run(["useradd", "-M", "-N", "-s", "/usr/sbin/nologin", OUTSIDER], check=True)
    subprocess.run(["chpasswd"], input=f"{OPERATOR}:{SYSTEM_PASSWORD}\n{OUTSIDER}:{SYSTEM_PASSWORD}\n",
                   text=True, check=True)


def console_as(c, user):
    out = c.harness("exec", "1", sys.executable, "-c", CONSOLE_CLIENT, "192.0.2.11", user,
                    SYSTEM_PASSWORD, check=False, timeout=180)
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": out.stdout + out.stderr}


def console_checks(c, before):
    system_users(True)
    try:
        c.pcs(1, "acl", "user", "create", OPERATOR, "readonly")
        before = configuration(cib_file(c, 1))
        seen = console_as(c, OPERATOR)
        login = seen.get("login", [0, ""])
        check(login[0] == 200 and json.loads(login[1]).get("user") == OPERATOR,
              "a haclient member logs in to the console with its system password", str(seen))
        snapshot = seen.get("snapshot", [0, ""])
        check(snapshot[0] == 200 and '"vip"' in snapshot[1],
              "its console shows the cluster (the read-only role lets it read)", str(seen)[:400])
        standby = seen.get("standby", [0, ""])
        check(standby[0] != 200 and "Permission denied" in standby[1] and OPERATOR in standby[1],
              "its console change (standby n2) is refused by the ACLs, naming the user", str(seen))
        check(configuration(cib_file(c, 2)) == before and "standby" not in before,
              "the console's refused change left the CIB unchanged")
        outsider = console_as(c, OUTSIDER)
        check(outsider.get("login", [0])[0] == 401 and "snapshot" not in outsider,
              "a system user outside haclient cannot log in", str(outsider))
    finally:
        system_users(False)


def run(crmd, pcs):
    with NetnsCluster(3, crmd, pcs, prefix=f"pulse-acl{os.getpid()}") as c:
        c.start_all_crmd()
        c.form("web")
        c.wait_for(lambda: c.pcs(1, "cluster", "cib", check=False).returncode == 0, 10,
                   "the DC to finish its sync")
        c.pcs(1, "property", "set", "stonith-enabled=false")
        c.pcs(1, "resource", "create", "vip", "ocf:heartbeat:Dummy")
        c.pcs(1, "acl", "role", "create", "readonly", "description=Read access to cluster",
              "read", "xpath", "/cib")
        c.pcs(2, "acl", "user", "create", "alice", "readonly")
        c.pcs(3, "acl", "enable")
        shown = c.pcs(1, "acl")
        check("ACLs are enabled" in shown.stdout and "User: alice\n  Roles: readonly" in
              shown.stdout and "Permission: read xpath /cib (readonly-read)" in shown.stdout,
              "pcs acl shows the role, the user and that ACLs are on", shown.stdout)
        before = [configuration(cib_file(c, i)) for i in (1, 2, 3)]
        check(len(set(before)) == 1 and 'acl_target id="alice"' in before[0],
              "every node holds the ACLs")

        refused = pcs_as(c, 1, "alice", "resource", "create", "vip2", "ocf:heartbeat:Dummy")
        check(refused.returncode == 1 and "Permission denied" in refused.stderr and
              "'alice'" in refused.stderr and "primitive[@id='vip2']" in refused.stderr,
              "alice's resource create is refused naming her and vip2", refused.stderr)
        refused = pcs_as(c, 3, "alice", "property", "set", "maintenance-mode=true")
        check(refused.returncode == 1 and "Permission denied" in refused.stderr,
              "alice's property set from another node is refused too", refused.stderr)
        after = [configuration(cib_file(c, i)) for i in (1, 2, 3)]
        check(after == before, "the CIB is unchanged on every node")

        status = pcs_as(c, 2, "alice", "status")
        check(status.returncode == 0 and "vip" in status.stdout and "Online:" in status.stdout,
              "alice's pcs status works", status.stderr + status.stdout)
        listed = pcs_as(c, 2, "alice", "acl")
        check(listed.returncode == 0 and "User: alice" in listed.stdout,
              "alice's pcs acl works", listed.stderr)
        console_checks(c, before)
        nobody = pcs_as(c, 1, "mallory", "resource", "config")
        check(nobody.returncode == 1 and "Permission denied" in nobody.stderr,
              "a user without ACL entry reads nothing", nobody.stderr)

        out = c.pcs(1, "resource", "create", "vip3", "ocf:heartbeat:Dummy", check=False)
        check(out.returncode == 0 and all('id="vip3"' in cib_file(c, i) for i in (1, 2, 3)),
              "hacluster (no CIB_user) still writes", out.stderr)
        out = pcs_as(c, 1, "hacluster", "resource", "create", "vip4", "ocf:heartbeat:Dummy")
        check(out.returncode == 0, "CIB_user=hacluster is never restricted", out.stderr)
        c.pcs(1, "acl", "role", "create", "operator", "write", "id", "vip")
        c.pcs(1, "acl", "role", "assign", "operator", "to", "alice")
        out = pcs_as(c, 1, "alice", "resource", "disable", "vip")
        check(out.returncode == 0 and "target-role" in cib_file(c, 2),
              "a write role on vip lets alice disable vip", out.stderr)
        out = pcs_as(c, 1, "alice", "resource", "disable", "vip3")
        check(out.returncode == 1 and "vip3" in out.stderr,
              "but not vip3", out.stderr)
        ok("ACLs enforced on every CIB read and write")


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
