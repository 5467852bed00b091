#!/usr/bin/env python3
"""The web console on crmd's admin port, with a real crmd and pcs on loopback: browsers (TLS
ALPN "http/1.1") reach the console and pcs (gRPC, "h2") the admin API on the same port; the
console serves crmd's own certificate; every /api/ call but the login is refused without a
session; the login sets a Secure, HttpOnly, SameSite=Strict cookie with a 256-bit id; a change
needs the session's CSRF token and runs the node's pcs; logins are rate-limited as pcs host
auth is; the live stream sends a snapshot; garbage on the port never stops crmd.

Usage: console_e2e_test.py CRMD PCS
"""
import hashlib
import http.client
import json
import os
import re
import socket
import ssl
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from local_crmd import Workspace, main  # noqa: E402


def context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # checked below against crmd's fingerprint instead
    ctx.set_alpn_protocols(["h2", "http/1.1"])  # as a browser offers
    return ctx


class Browser:
    def __init__(self, daemon):
        self.daemon = daemon
        self.cookie = ""
        self.csrf = ""

    def request(self, method, path, body=None, headers=None, cookie=True):
        conn = http.client.HTTPSConnection(self.daemon.host, self.daemon.port, context=context(),
                                           timeout=10)
        hdrs = dict(headers or {})
        if cookie and self.cookie:
            hdrs["Cookie"] = self.cookie
        if body is not None:
            hdrs["Content-Type"] = "application/json"
            body = json.dumps(body)
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = data.decode(errors="replace")
        return r.status, r.headers, parsed

    def login(self, password):
        status, headers, body = self.request("POST", "/api/login",
                                             {"username": "hacluster", "password": password},
                                             cookie=False)
        if status == 200:
            self.cookie = headers["Set-Cookie"].split(";")[0]
            self.csrf = body["csrf"]
        return status, headers, body


def body(crmd, pcs, checks):
    check = checks.check
    with Workspace(crmd, pcs) as ws:
        n1 = ws.crmd("n1", password="pw-console")
        b = Browser(n1)

        with socket.create_connection((n1.host, n1.port), timeout=5) as raw:
            with context().wrap_socket(raw) as tls:
                check(tls.selected_alpn_protocol() == "http/1.1",
                      "a browser's connection (ALPN h2 + http/1.1) is served HTTP/1.1 by the console")
                der = tls.getpeercert(binary_form=True)
        r = ws.pcs("op", "host", "auth", "n1", f"addr={n1.address}", "-u", "hacluster", "-p", "pw-console")
        check(r.returncode == 0, "pcs host auth on the same port still reaches the admin API", r.stderr)
        known = open(os.path.join(ws.state_dir("op"), "known-hosts")).read() if os.path.exists(
            os.path.join(ws.state_dir("op"), "known-hosts")) else ""
        pinned = re.findall(r"\b[0-9a-f]{64}\b", known)
        check(hashlib.sha256(der).hexdigest() in pinned,
              "the console serves crmd's own certificate (the one pcs pinned)", known)

        status, headers, page = b.request("GET", "/")
        check(status == 200 and "<title>Pulse console</title>" in page, "GET / serves the page")
        check("default-src 'self'" in headers.get("Content-Security-Policy", ""),
              "the page carries a Content-Security-Policy that allows only its own scripts")
        for path in ("/api/snapshot", "/api/session", "/api/stream", "/api/agents"):
            status, _, _ = b.request("GET", path)
            check(status == 401, f"GET {path} without a session is 401")
        status, _, _ = b.request("POST", "/api/action", {"action": "resource-cleanup"})
        check(status == 401, "POST /api/action without a session is 401")

        status, _, reply = b.login("wrong")
        check(status == 401 and "wrong" in reply["error"], "a wrong password is refused", reply)
        status, headers, reply = b.login("pw-console")
        cookie = headers["Set-Cookie"] if status == 200 else ""
        check(status == 200 and reply["user"] == "hacluster", "the right password logs in", reply)
        check(re.match(r"pulse_session=[0-9a-f]{64}; ", cookie) and "; Secure" in cookie and
              "; HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=" in cookie,
              "the session cookie is a 256-bit id, Secure, HttpOnly, SameSite=Strict, with an expiry", cookie)
        status, _, session = b.request("GET", "/api/session")
        check(status == 200 and session["csrf"] == b.csrf, "the session answers with its CSRF token")

        status, _, reply = b.request("POST", "/api/action", {"action": "node-standby", "node": "n1"})
        check(status == 403, "a change without the X-CSRF-Token header is refused 403", reply)
        status, _, reply = b.request("POST", "/api/action", {"action": "node-standby", "node": "n1"},
                                     {"X-CSRF-Token": "0" * 64})
        check(status == 403, "...and with a wrong token")
        status, _, reply = b.request("POST", "/api/action", {"action": "node-standby", "node": "--all"},
                                     {"X-CSRF-Token": b.csrf})
        check(status == 400 and "not an id" in reply["error"], "a field that would be a pcs flag is refused", reply)
        status, _, reply = b.request("POST", "/api/action", {"action": "node-standby", "node": "n1"},
                                     {"X-CSRF-Token": b.csrf})
        check(status == 409 and reply["command"] == "pcs node standby n1" and
              "not running" in reply["error"] + reply["output"],
              "a change runs the node's pcs and shows its command and its error", reply)
        status, _, reply = b.request("POST", "/api/action", {"action": "resource-why", "id": "vip"},
                                     {"X-CSRF-Token": b.csrf})
        check(reply.get("command") == "pcs resource why vip" and
              re.search("not running|not found", reply.get("error", "") + reply.get("output", "")),
              "Why? runs the node's pcs resource why and shows what it says", reply)

        status, _, agents = b.request("GET", "/api/agents")
        check(status == 200 and isinstance(agents["agents"], list), "the agents are listed", agents)
        status, _, replay = b.request("GET", "/api/transitions")
        check(status == 200 and replay == {"transitions": []},
              "a node that is not the DC has no transitions to draw", replay)
        status, _, agent = b.request("GET", "/api/agent?name=ocf:pacemaker:..%2Fx")
        check(status == 400, "an agent name that leaves OCF_ROOT is refused", agent)

        conn = http.client.HTTPSConnection(n1.host, n1.port, context=context(), timeout=10)
        conn.request("GET", "/api/stream", headers={"Cookie": b.cookie})
        r = conn.getresponse()
        line = r.fp.readline().decode()
        data = r.fp.readline().decode()
        conn.close()
        check(r.status == 200 and r.headers["Content-Type"] == "text/event-stream" and
              line == "event: snapshot\n" and json.loads(data[len("data: "):])["node"] == "n1",
              "the live stream sends a snapshot", line + data)

        # Garbage on the port: crmd answers or closes, and stays up.
        for junk in (b"\x16\x03\x01\xff\xff" + os.urandom(300), b"GET / HTTP/1.1\r\n\r\n", os.urandom(64)):
            with socket.create_connection((n1.host, n1.port), timeout=5) as s:
                s.sendall(junk)
                s.shutdown(socket.SHUT_WR)
                try:
                    s.recv(100)
                except (ConnectionResetError, socket.timeout):
                    pass
        with socket.create_connection((n1.host, n1.port), timeout=5) as raw:
            with context().wrap_socket(raw) as tls:
                tls.sendall(b"BREW /pot HTCPCP/1.0\r\n\r\n")
                answer = tls.recv(100).decode(errors="replace")
        check(answer.startswith("HTTP/1.1 40"), "a malformed request is answered 4xx", answer)
        check(n1.process.poll() is None, "crmd is still running after garbage on the port")

        status, headers, _ = b.request("POST", "/api/logout", {}, {"X-CSRF-Token": b.csrf})
        check(status == 200 and "Max-Age=0" in headers.get("Set-Cookie", ""), "logout clears the cookie")
        status, _, _ = b.request("GET", "/api/snapshot")
        check(status == 401, "after logout the old cookie is refused")

        other = Browser(n1)
        codes = [other.login("guess")[0] for _ in range(6)]
        status, headers, reply = other.login("pw-console")
        check(codes[:5] == [401] * 5 and status == 429 and "Retry-After" in headers,
              "after 5 failed logins the source must wait, even with the right password", (codes, status, reply))


if __name__ == "__main__":
    sys.exit(main(__doc__, body))
