"""Leader-routed HAProxy on the namespace cluster (cmonHA's design): shared by the namespace
test (leader_route_netns_test.py) and the benchmark (bench/leader_route_bench.py).

Every crmd runs with `--check-resource RESOURCE`, so it answers HAProxy's checks on port 9201:
200 where RESOURCE runs, 503 elsewhere. Every node runs a tiny HTTP backend on port 8080
answering its own name (started with the harness, so a power-off kills it). A real HAProxy in
the client namespace balances 127.0.0.1:8000 over the three backends, each checked with
`option httpchk GET /leader` on the node's port 9201. A requester in the client namespace asks
through HAProxy every few milliseconds and records who answered; the re-route time of a
power-off is from just before it to the first answer from another node.
"""
import os
import shutil
import subprocess
import threading
import time

from pulse_netns import node_address

CHECK_PORT = 9201
BACKEND_PORT = 8080
FRONT_PORT = 8000

# A node's backend: answers every GET with the node's name.
BACKEND = r"""
import http.server, sys
name = sys.argv[2].encode() + b"\n"
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(name)))
        self.end_headers()
        self.wfile.write(name)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), Handler).serve_forever()
"""

# The client's requester: starts one HTTP/1.0 GET through HAProxy every argv[2] seconds, each
# on its own thread (a request HAProxy sends to a dead node hangs until its timeouts, and must
# not hold back the next ones, as it would not for a crowd of clients); prints
# "START_EPOCH END_EPOCH ANSWER" per request, ANSWER the backend's name on 200, else the status
# or "error". The end is when the client got the answer.
REQUESTER = r"""
import socket, sys, threading, time
port, interval = int(sys.argv[1]), float(sys.argv[2])
out = threading.Lock()
def ask(t):
    answer = "error"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2.0) as s:
            s.sendall(b"GET / HTTP/1.0\r\nHost: web\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        status = head.split(b" ")[1].decode() if head.count(b" ") >= 1 else "-"
        answer = body.decode().strip() if status == "200" else status
    except (OSError, IndexError, UnicodeDecodeError):
        pass
    with out:
        print("%.4f %.4f %s" % (t, time.time(), answer), flush=True)
while True:
    t = time.time()
    threading.Thread(target=ask, args=(t,), daemon=True).start()
    time.sleep(max(0.0, interval - (time.time() - t)))
"""

# The client's check poller: GET PATH (argv[2]) on port argv[1] of every address in argv[4:],
# each address on its own thread every argv[3] seconds (a dead node's timeouts do not slow the
# others); prints "END_EPOCH ADDR STATUS" per check ("-" when it failed). Shows when each
# node's check turns, apart from HAProxy's check interval.
POLLER = r"""
import http.client, sys, threading, time
port, path, interval, addrs = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4:]
out = threading.Lock()
def poll(addr):
    while True:
        t = time.time()
        status = "-"
        try:
            conn = http.client.HTTPConnection(addr, port, timeout=0.2)
            conn.request("GET", path)
            status = str(conn.getresponse().status)
            conn.close()
        except (OSError, http.client.HTTPException):
            pass
        with out:
            print("%.4f %s %s" % (time.time(), addr, status), flush=True)
        time.sleep(max(0.0, interval - (time.time() - t)))
for addr in addrs:
    threading.Thread(target=poll, args=(addr,), daemon=True).start()
threading.Event().wait()
"""

# One check from the client: argv = ADDR PORT METHOD PATH; prints "STATUS BODY".
CHECK = r"""
import http.client, sys
conn = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=5)
conn.request(sys.argv[3], sys.argv[4])
r = conn.getresponse()
print(r.status, r.read().decode().strip())
"""


def crmd_check_args(resource):
    return ["--check-resource", resource]


def start_backends(c):
    for i in range(1, c.nodes + 1):
        start_backend(c, i)


def start_backend(c, i):
    c.harness("stop", str(i), "backend", check=False)
    c.harness("start", str(i), "backend", "python3", "-c", BACKEND, str(BACKEND_PORT), f"n{i}")


def reboot_wipes_agent_state(c, i):
    """What a reboot does to node i's agent state folder (HA_RSCTMP, a tmpfs under /run on a
    real host): empties it. The harness's power-off leaves it, so a Dummy that ran there would
    be probed as running when the node comes back."""
    for name in os.listdir(c.rsctmp(i)):
        path = os.path.join(c.rsctmp(i), name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)


def ask_check(c, node, path, method="GET"):
    """(status, body) of one check of node's crmd from the client namespace."""
    out = c.harness("exec", str(c.client), "python3", "-c", CHECK, node_address(node),
                    str(CHECK_PORT), method, path, check=False, timeout=30)
    if out.returncode != 0:
        return None, out.stderr.strip().splitlines()[-1:] or ""
    status, _, body = out.stdout.strip().partition(" ")
    return int(status), body


def haproxy_config(c, path, inter_ms, stats_socket):
    servers = "\n".join(f"    server n{i} {node_address(i)}:{BACKEND_PORT} check"
                        for i in range(1, c.nodes + 1))
    # fall 2: a lost holder is down after two missed checks; rise 1: the new holder is up at
    # its first 200. timeout check bounds a check of a powered-off node (its link is down, so
    # a connect would otherwise hang for the ARP timeout).
    return f"""global
    stats socket {stats_socket} mode 600 level admin
defaults
    mode http
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
    timeout check {inter_ms}ms
    retries 1
    option redispatch
frontend web
    bind 127.0.0.1:{FRONT_PORT}
    default_backend leader
backend leader
    option httpchk GET {path}
    http-check expect status 200
    default-server port {CHECK_PORT} inter {inter_ms} fall 2 rise 1
{servers}
"""


class HAProxy:
    """A real HAProxy in the client namespace (harness process `haproxy`)."""

    def __init__(self, c, path, inter_ms):
        self.c = c
        self.dir = os.path.join(c.state, "haproxy")
        os.makedirs(self.dir, exist_ok=True)
        self.socket = os.path.join(self.dir, "stats.sock")
        self.config = os.path.join(self.dir, "haproxy.cfg")
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(haproxy_config(c, path, inter_ms, self.socket))

    def validate(self):
        out = subprocess.run(["haproxy", "-c", "-f", self.config], capture_output=True,
                             text=True)
        if out.returncode != 0:
            raise AssertionError(f"haproxy -c: {out.stderr.strip() or out.stdout.strip()}")

    def start(self):
        self.validate()
        self.c.harness("start", str(self.c.client), "haproxy", "haproxy", "-db", "-f",
                       self.config)
        self.c.wait_for(lambda: os.path.exists(self.socket), 10, "haproxy's stats socket")
        return self

    def stop(self):
        self.c.harness("stop", str(self.c.client), "haproxy", check=False)


class Requester:
    """The client's stream of requests through HAProxy; samples are (epoch s at which the
    answer arrived, answer)."""

    def __init__(self, c, interval=0.02):
        self.samples = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", c.client_namespace(), "python3", "-u", "-c", REQUESTER,
             str(FRONT_PORT), str(interval)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            words = line.split()
            try:
                with self.lock:
                    self.samples.append((float(words[1]), words[2]))
            except (ValueError, IndexError):
                continue

    def since(self, t):
        with self.lock:
            return [s for s in self.samples if s[0] >= t]

    def first_from(self, t, nodes):
        """The first sample at or after t answered by one of `nodes`, or None."""
        for s in self.since(t):
            if s[1] in nodes:
                return s
        return None

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class CheckPoller:
    """The client polling every node's check directly; samples are (epoch s, node, status)."""

    def __init__(self, c, path, interval=0.02):
        self.names = {node_address(i): f"n{i}" for i in range(1, c.nodes + 1)}
        self.samples = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", c.client_namespace(), "python3", "-u", "-c", POLLER,
             str(CHECK_PORT), path, str(interval), *self.names],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            words = line.split()
            try:
                with self.lock:
                    self.samples.append((float(words[0]), self.names[words[1]], words[2]))
            except (ValueError, IndexError, KeyError):
                continue

    def first_200(self, t, node):
        """When `node`'s check first answered 200 at or after t, or None."""
        with self.lock:
            return next((at for at, n, status in self.samples
                         if at >= t and n == node and status == "200"), None)

    def stop(self):
        Requester.stop(self)


def start_result_time(c, rsc, after, nodes):
    """(epoch, "nI") of the first successful start of RSC after `after` on one of `nodes`, as
    that node's executor logged it ("executor: RSC_start_0 rc=0"): the moment the resource
    runs on its new holder, before the result reaches the DC and the CIB; or None."""
    found = []
    for i in nodes:
        for at, text in c.log_lines(i):
            if at >= after and f"executor: {rsc}_start_0 rc=0 " in text:
                found.append((at, f"n{i}"))
                break
    return min(found) if found else None


def wait_fenced(c, i, after, survivors, timeout=30):
    """Waits until a survivor's DC logs node i fenced after `after`: a node booted before its
    fencing is done would be powered off again by the fence device."""
    def fenced():
        return any(at >= after and f"n{i} fenced: recording it down" in text
                   for j in survivors for at, text in c.log_lines(j))
    c.wait_for(fenced, timeout, f"n{i} to be fenced", interval=0.2)


def wait_routed_to(c, requester, node, timeout, what):
    """Waits until the latest 10 answers all come from `node`."""
    def routed():
        recent = requester.since(time.time() - 2.0)[-10:]
        return len(recent) == 10 and all(a == node for _, a in recent)
    c.wait_for(routed, timeout, what, interval=0.1)
