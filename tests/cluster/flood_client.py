#!/usr/bin/env python3
"""An attacker without credentials against crmd's admin port, for flood_netns_test.py (python3
standard library only; run inside a namespace by the harness).

  flood_client.py flood TARGET_ADDR PORT STATUS_FILE --connections N --sources A,B,...
      keeps N plain TCP connections open to the port that never send a byte, spread over the
      source addresses (bound before connect), and reopens every one the server closes (at
      most 400 per second); plus one slow-TLS client at a time: a real ClientHello sent one
      byte every 0.5 s, and how long the server kept each one. Writes its counters as JSON to
      STATUS_FILE every 0.5 s; runs until SIGTERM.
  flood_client.py probe TARGET_ADDR PORT
      one TLS handshake with the port (certificate not checked); exit 0 when it completes
      within 5 s.
"""
import json
import os
import resource
import selectors
import signal
import socket
import ssl
import sys
import threading
import time

REOPEN_PER_SECOND = 400
SLOW_BYTE_INTERVAL = 0.5


def client_hello() -> bytes:
    """The first flight of a real TLS client (the ClientHello record) without a socket."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="crmd")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


class Flood:
    def __init__(self, target, port, status_file, connections, sources):
        self.target, self.port = target, port
        self.status_file = status_file
        self.wanted = connections
        self.sources = sources
        self.selector = selectors.DefaultSelector()
        self.open = 0
        self.connects = 0
        self.closed_by_server = 0
        self.connect_errors = 0
        self.slow_tls = []  # seconds the server kept each slow-TLS client
        self.slow_tls_bytes = []  # bytes of its ClientHello each had sent by then
        self.lock = threading.Lock()
        self.stopping = False
        self.hello_bytes = len(client_hello())

    def open_one(self, n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.bind((self.sources[n % len(self.sources)], 0))
            s.connect_ex((self.target, self.port))
        except OSError:
            s.close()
            self.connect_errors += 1
            return
        self.selector.register(s, selectors.EVENT_READ)
        self.open += 1
        self.connects += 1

    def run(self):
        threading.Thread(target=self.slow_tls_loop, daemon=True).start()
        last_status = 0.0
        budget, budget_at = REOPEN_PER_SECOND, time.time()
        while not self.stopping:
            now = time.time()
            if now - budget_at >= 1:
                budget, budget_at = REOPEN_PER_SECOND, now
            # The first N at once, then reopen what the server closed, paced.
            while self.open < self.wanted and (self.connects < self.wanted or budget > 0):
                if self.connects >= self.wanted:
                    budget -= 1
                self.open_one(self.connects)
            for key, _ in self.selector.select(timeout=0.05):
                s = key.fileobj
                try:
                    data = s.recv(1)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if data == b"":
                    self.selector.unregister(s)
                    s.close()
                    self.open -= 1
                    self.closed_by_server += 1
            if now - last_status >= 0.5:
                self.write_status()
                last_status = now

    def slow_tls_loop(self):
        hello = client_hello()
        while not self.stopping:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.bind((self.sources[0], 0))
                s.connect((self.target, self.port))
            except OSError:
                s.close()
                time.sleep(0.2)
                continue
            started, sent = time.time(), 0
            s.settimeout(SLOW_BYTE_INTERVAL)
            while sent < len(hello) and time.time() - started < 180:
                try:
                    s.sendall(hello[sent:sent + 1])
                    sent += 1
                    if s.recv(1) == b"":
                        break
                except socket.timeout:
                    continue
                except OSError:
                    break
            with self.lock:
                self.slow_tls.append(round(time.time() - started, 2))
                self.slow_tls_bytes.append(sent)
            s.close()

    def write_status(self):
        with self.lock:
            status = {"open": self.open, "connects": self.connects,
                      "closed_by_server": self.closed_by_server,
                      "connect_errors": self.connect_errors, "slow_tls": list(self.slow_tls),
                      "slow_tls_bytes": list(self.slow_tls_bytes),
                      "client_hello_bytes": self.hello_bytes}
        tmp = self.status_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(status, f)
        os.replace(tmp, self.status_file)


def probe(target, port) -> int:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((target, port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="crmd"):
                return 0
    except OSError as e:
        print(f"TLS handshake with {target}:{port} failed: {e}", file=sys.stderr)
        return 1


def main(argv) -> int:
    if len(argv) >= 3 and argv[0] == "probe":
        return probe(argv[1], int(argv[2]))
    if len(argv) < 4 or argv[0] != "flood":
        print(__doc__, file=sys.stderr)
        return 2
    options = dict(zip(argv[4::2], argv[5::2]))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    flood = Flood(argv[1], int(argv[2]), argv[3], int(options.get("--connections", "2000")),
                  options.get("--sources", "0.0.0.0").split(","))

    def stop(*_):
        flood.stopping = True

    signal.signal(signal.SIGTERM, stop)
    flood.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
