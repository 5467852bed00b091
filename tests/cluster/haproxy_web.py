#!/usr/bin/env python3
"""The web side of the HAProxy setup (setup 1): a node's own web application behind HAProxy,
and a client that keeps requesting through the VIPs (python3 standard library only).

  haproxy_web.py backend PORT NAME
      HTTP server on 127.0.0.1:PORT answering every GET with "NAME\\n" (the node's name), so
      that a client can tell which node's HAProxy served it. Run in a node's namespace.
  haproxy_web.py client [--interval S] [--timeout S] [--port P] VIP...
      one thread per VIP: an HTTP GET to http://VIP:P/ every S seconds (a new connection each
      time, as a browser after a failover would), one line per request on stdout:
          SENT DONE VIP ANSWER      (epoch seconds; ANSWER is the node's name, or "-" on a
                                     timeout, a refused connection or a bad answer)
      Run in the client namespace; it runs until killed.
  haproxy_web.py get [--timeout S] [--port P] VIP
      one GET; prints the answer, exit 0 (1 when nothing answered).

In-process, ClientLog reads a client's lines and answers "who served VIP since t" and "the
longest time between two answered requests".
"""
import argparse
import http.client
import http.server
import subprocess
import sys
import threading
import time

HTTP_PORT = 8080      # HAProxy's frontend on every node (bind 0.0.0.0:8080)
BACKEND_PORT = 8081   # the node's web application, on the node's loopback


def get(vip: str, port: int, timeout: float):
    """The node name a GET through vip answers with, or None (timeout, refused, not 200)."""
    conn = http.client.HTTPConnection(vip, port, timeout=timeout)
    try:
        conn.request("GET", "/", headers={"Connection": "close"})
        reply = conn.getresponse()
        body = reply.read(256).decode("ascii", "replace").strip()
        return body if reply.status == 200 and body and " " not in body else None
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def cmd_backend(args) -> int:
    answer = (args.name + "\n").encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_):  # one line per request would flood the harness log
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()
    return 0


def cmd_client(args) -> int:
    lock = threading.Lock()

    def loop(vip):
        next_at = time.time()
        while True:
            sent = time.time()
            answer = get(vip, args.port, args.timeout)
            done = time.time()
            with lock:
                sys.stdout.write(f"{sent:.3f} {done:.3f} {vip} {answer or '-'}\n")
                sys.stdout.flush()
            next_at = max(next_at + args.interval, done)
            time.sleep(max(0.0, next_at - time.time()))

    threads = [threading.Thread(target=loop, args=(vip,), daemon=True) for vip in args.vips]
    for t in threads:
        t.start()
    try:
        for t in threads:
            t.join()
    except (KeyboardInterrupt, BrokenPipeError):
        pass
    return 0


def cmd_get(args) -> int:
    answer = get(args.vip, args.port, args.timeout)
    print(answer or f"no answer from http://{args.vip}:{args.port}/")
    return 0 if answer else 1


class ClientLog:
    """A client process (`client` above) started in a namespace, its lines collected by a
    thread. Invariant: `records` only grows, in the order the client printed them; each is
    (sent, done, vip, answer or None)."""

    def __init__(self, namespace: str, vips, interval=0.05, timeout=0.3, port=HTTP_PORT):
        self.records = []
        self._lock = threading.Lock()
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", namespace, sys.executable, __file__, "client",
             "--interval", str(interval), "--timeout", str(timeout), "--port", str(port),
             *vips], stdout=subprocess.PIPE, text=True)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        for line in self.proc.stdout:
            words = line.split()
            if len(words) == 4:
                record = (float(words[0]), float(words[1]), words[2],
                          None if words[3] == "-" else words[3])
                with self._lock:
                    self.records.append(record)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def answered(self, vip, since=0.0, until=None):
        """[(done, node)] of the answered requests through vip sent at or after since."""
        with self._lock:
            return [(done, answer) for sent, done, v, answer in self.records
                    if v == vip and answer and sent >= since and (until is None or sent <= until)]

    def served_by(self, vip, node, since=0.0):
        """The time of the first answer from node through vip sent at or after since, or None."""
        for done, answer in self.answered(vip, since):
            if answer == node:
                return done
        return None

    def requests(self, vip, since=0.0):
        with self._lock:
            return sum(1 for sent, _, v, _ in self.records if v == vip and sent >= since)

    def longest_gap(self, vip, since, until):
        """The longest time between two consecutive answered requests through vip whose answers
        came in [since, until] (also from the last answer before since, so that an outage that
        begins in the window counts whole). A client sees this as "the site was down"."""
        with self._lock:
            times = sorted(done for _, done, v, answer in self.records if v == vip and answer)
        before = [t for t in times if t < since]
        inside = [t for t in times if since <= t <= until]
        points = before[-1:] + inside
        if len(points) < 2:
            return float("inf")
        return max(b - a for a, b in zip(points, points[1:]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("backend")
    p.add_argument("port", type=int)
    p.add_argument("name")
    p = sub.add_parser("client")
    p.add_argument("--interval", type=float, default=0.05)
    p.add_argument("--timeout", type=float, default=0.3)
    p.add_argument("--port", type=int, default=HTTP_PORT)
    p.add_argument("vips", nargs="+")
    p = sub.add_parser("get")
    p.add_argument("--timeout", type=float, default=1.0)
    p.add_argument("--port", type=int, default=HTTP_PORT)
    p.add_argument("vip")
    args = parser.parse_args()
    if args.cmd in ("client", "get") and (args.timeout <= 0 or
                                          getattr(args, "interval", 1) <= 0):
        parser.error("--interval and --timeout must be positive")
    return {"backend": cmd_backend, "client": cmd_client, "get": cmd_get}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
