#!/usr/bin/env python3
"""agents.haproxy.*: ocf:pulse:haproxy run for real, as the cluster runs it (OCF_* environment,
exit codes, ocf-exit-reason lines), against a real HAProxy on 127.0.0.1 ports chosen free at
runtime, forwarding to an echo server in this process. No root needed.

usage: haproxy_agent_test.py AGENT [unittest arguments, e.g. ActionsTest]
exit 0 pass, 1 fail, 77 skipped (haproxy or Debian's OCF shell library missing, and CI unset)."""
import os
import shutil
import signal
import socket
import socketserver
import sys
import tempfile
import threading
import time
import unittest

from agent_test_util import OCF_ROOT, missing, run_ocf_action

OCF_SUCCESS, OCF_ERR_GENERIC, OCF_ERR_INSTALLED, OCF_ERR_CONFIGURED, OCF_NOT_RUNNING = 0, 1, 5, 6, 7
AGENT = ""


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EchoHandler(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line)


class EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def echo(sock, text):
    """Sends one line on a connected socket and returns the line that comes back."""
    sock.sendall(text.encode() + b"\n")
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("connection closed by HAProxy")
        data += chunk
    return data.decode().rstrip("\n")


def alive(pid):
    """True when PID runs (a zombie, exited but not reaped, does not count)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return not any(line.startswith("State:\tZ") for line in f)
    except OSError:
        return False


class AgentCase(unittest.TestCase):
    """A fresh resource instance per test: its own HA_RSCTMP, frontend port and instance name,
    and an echo server as HAProxy's backend."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pulse-haproxy-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.backend = EchoServer(("127.0.0.1", 0), EchoHandler)
        threading.Thread(target=self.backend.serve_forever, daemon=True).start()
        self.addCleanup(self.backend.server_close)
        self.addCleanup(self.backend.shutdown)
        self.port = free_port()
        self.conf = self.write_conf("haproxy.cfg", self.port)
        self.instance = "web:0"
        self.params = {"conffile": self.conf}
        # Whatever a test leaves running is stopped, by the agent and then by force.
        self.addCleanup(self.force_stop)

    def write_conf(self, name, port, extra_global=""):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(f"""global
    maxconn 200
{extra_global}
defaults
    mode tcp
    timeout connect 2s
    timeout client 60s
    timeout server 60s
frontend fe
    bind 127.0.0.1:{port}
    default_backend be
backend be
    server echo 127.0.0.1:{self.backend.server_address[1]}
""")
        return path

    def run_agent(self, action, instance=None, timeout=30, **params):
        """Runs one action; returns (exit code, ocf-exit-reason text, all stderr)."""
        return run_ocf_action(AGENT, action, "haproxy", instance or self.instance,
                              os.path.join(self.dir, "run"), {**self.params, **params}, timeout)

    def assert_action(self, action, want, **params):
        rc, reason, stderr = self.run_agent(action, **params)
        self.assertEqual(rc, want, f"{action} returned {rc}, wanted {want}; stderr:\n{stderr}")
        return reason

    def pidfile(self, instance=None):
        return os.path.join(self.dir, "run", f"haproxy-{instance or self.instance}.pid")

    def pid(self, instance=None):
        with open(self.pidfile(instance)) as f:
            return int(f.readline())

    def connect(self, port=None):
        return socket.create_connection(("127.0.0.1", port or self.port), timeout=5)

    def force_stop(self):
        self.run_agent("stop")
        for name in os.listdir(self.dir):
            if name.endswith(".cfg"):
                for pid in self.processes_with(os.path.join(self.dir, name)):
                    os.kill(pid, signal.SIGKILL)

    @staticmethod
    def processes_with(arg):
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    args = f.read().split(b"\0")
            except OSError:
                continue
            if arg.encode() in args and alive(int(entry)):
                pids.append(int(entry))
        return pids


class ReloadCase(AgentCase):
    def reload_under_load(self, reloads=3, clients=4):
        """Reloads a started HAProxy while one connection stays open through it and CLIENTS
        threads keep connecting and exchanging a line; every exchange must succeed."""
        self.assert_action("start", OCF_SUCCESS)
        long_lived = self.connect()
        self.addCleanup(long_lived.close)
        self.assertEqual(echo(long_lived, "before"), "before")

        stop = threading.Event()
        lock = threading.Lock()
        results = {"ok": 0, "failed": []}

        def client(c):
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    with self.connect() as s:
                        answer = echo(s, f"client {c} line {n}")
                    if answer != f"client {c} line {n}":
                        raise ValueError(f"wrong answer {answer!r}")
                    with lock:
                        results["ok"] += 1
                except (OSError, ValueError) as e:  # refused, reset, closed, wrong answer
                    with lock:
                        results["failed"].append(f"client {c} attempt {n}: {e!r}")

        threads = [threading.Thread(target=client, args=(c,), daemon=True)
                   for c in range(clients)]
        for t in threads:
            t.start()
        pids = [self.pid()]
        served = []
        for i in range(reloads):
            before = results["ok"]
            self.assert_action("reload", OCF_SUCCESS)
            pids.append(self.pid())
            self.assertNotIn(pids[-1], pids[:-1], "reload did not start a new HAProxy")
            self.assert_action("monitor", OCF_SUCCESS)
            self.assertEqual(echo(long_lived, f"after reload {i + 1}"), f"after reload {i + 1}")
            time.sleep(0.1)
            served.append(results["ok"] - before)
        stop.set()
        for t in threads:
            t.join(10)
        self.assertEqual(results["failed"], [])
        self.assertTrue(all(n > 0 for n in served), f"new connections per reload: {served}")
        # The old processes still serve the long-lived connection and exit once it closes.
        self.assertTrue(alive(pids[0]), "the first HAProxy exited with a connection open")
        long_lived.close()
        deadline = time.monotonic() + 5
        while any(alive(p) for p in pids[:-1]) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(any(alive(p) for p in pids[:-1]),
                         "old HAProxy processes did not exit after their last connection closed")
        self.assert_action("monitor", OCF_SUCCESS)


class ActionsTest(AgentCase):
    def test_start_monitor_stop_report_the_ocf_codes_and_haproxy_serves_while_started(self):
        self.assert_action("monitor", OCF_NOT_RUNNING)
        self.assert_action("start", OCF_SUCCESS)
        self.assert_action("monitor", OCF_SUCCESS)
        with self.connect() as s:
            self.assertEqual(echo(s, "through haproxy"), "through haproxy")
        self.assert_action("start", OCF_SUCCESS)  # starting a started resource succeeds
        self.assertEqual(len(self.processes_with(self.conf)), 1, "a second start ran a second HAProxy")
        self.assert_action("stop", OCF_SUCCESS)
        self.assert_action("monitor", OCF_NOT_RUNNING)
        self.assertEqual(self.processes_with(self.conf), [])
        with self.assertRaises(ConnectionRefusedError):
            self.connect().close()
        self.assert_action("stop", OCF_SUCCESS)  # stopping a stopped resource succeeds

    def test_a_bad_configuration_fails_validate_all_and_start_with_haproxys_error(self):
        with open(self.conf, "a") as f:
            f.write("    bogus_keyword 1\n")
        for action in ("validate-all", "start"):
            reason = self.assert_action(action, OCF_ERR_CONFIGURED)
            self.assertIn("unknown keyword 'bogus_keyword'", reason)
            self.assertIn(f"{self.conf}:", reason)  # the file and line, as haproxy -c says
        self.assert_action("monitor", OCF_NOT_RUNNING)
        self.assertEqual(self.processes_with(self.conf), [])

    def test_a_missing_or_unset_conffile_is_a_configuration_error(self):
        missing = os.path.join(self.dir, "absent.cfg")
        reason = self.assert_action("start", OCF_ERR_CONFIGURED, conffile=missing)
        self.assertIn(f"{missing} does not exist", reason)
        reason = self.assert_action("validate-all", OCF_ERR_CONFIGURED, conffile="")
        self.assertIn("conffile parameter is required", reason)
        reason = self.assert_action("validate-all", OCF_ERR_CONFIGURED, conffile="haproxy.cfg")
        self.assertIn("absolute path", reason)

    def test_a_missing_binary_is_not_installed_and_a_probe_finds_it_stopped(self):
        binary = os.path.join(self.dir, "no-such-haproxy")
        for action in ("validate-all", "start"):
            reason = self.assert_action(action, OCF_ERR_INSTALLED, binary=binary)
            self.assertIn(binary, reason)
        self.assert_action("monitor", OCF_NOT_RUNNING, binary=binary, CRM_meta_interval=0)



class FailureTest(AgentCase):
    def test_haproxy_killed_with_sigkill_is_not_running_and_start_recovers(self):
        self.assert_action("start", OCF_SUCCESS)
        pid = self.pid()
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        # Not running (a recurring monitor expecting 0 fails on it), for a probe too: a pidfile
        # left behind by a crash or a power-off is no error to clean up.
        self.assert_action("monitor", OCF_NOT_RUNNING)
        self.assert_action("monitor", OCF_NOT_RUNNING, CRM_meta_interval=0)
        self.assert_action("start", OCF_SUCCESS)
        self.assertNotEqual(self.pid(), pid)
        with self.connect() as s:
            self.assertEqual(echo(s, "again"), "again")
        self.assert_action("stop", OCF_SUCCESS)

    def test_a_pidfile_naming_another_process_is_not_running(self):
        # A pid reused after a crash: HAProxy is not running, whatever now has that pid.
        self.assert_action("start", OCF_SUCCESS)
        real = self.pid()
        with open(self.pidfile(), "w") as f:
            f.write(f"{os.getpid()}\n")  # this test's own process: alive, not HAProxy
        self.assert_action("monitor", OCF_NOT_RUNNING)
        with open(self.pidfile(), "w") as f:
            f.write(f"{real}\n")
        self.assert_action("monitor", OCF_SUCCESS)



class StopAndClonesTest(AgentCase):
    def test_two_clone_instances_on_one_host_keep_apart(self):
        other_port = free_port()
        other_conf = self.write_conf("other.cfg", other_port)
        self.assert_action("start", OCF_SUCCESS)
        rc, _, err = self.run_agent("start", instance="web:1", conffile=other_conf)
        self.addCleanup(self.run_agent, "stop", instance="web:1", conffile=other_conf)
        self.assertEqual(rc, OCF_SUCCESS, err)
        self.assertNotEqual(self.pid(), self.pid("web:1"))
        self.assert_action("stop", OCF_SUCCESS)
        rc, _, err = self.run_agent("monitor", instance="web:1", conffile=other_conf)
        self.assertEqual(rc, OCF_SUCCESS, f"stopping web:0 stopped web:1 too: {err}")
        with self.connect(other_port) as s:
            self.assertEqual(echo(s, "web:1"), "web:1")

    def test_stop_ends_haproxy_before_the_timeout_even_with_a_connection_open(self):
        self.assert_action("start", OCF_SUCCESS)
        with self.connect() as s:
            self.assertEqual(echo(s, "open"), "open")
            began = time.monotonic()
            self.assert_action("stop", OCF_SUCCESS, CRM_meta_timeout=4000)
            took = time.monotonic() - began
            # The soft stop waits for the open connection until half the timeout, then
            # HAProxy is stopped at once: the stop returns before the 4 s timeout (2 s of
            # headroom: a loaded machine delays the agent's forks, not its deadline).
            self.assertGreaterEqual(took, 1.95)
            self.assertLess(took, 4.0)
            self.assertEqual(self.processes_with(self.conf), [])
            s.settimeout(5)
            self.assertIn(s.recv(10), (b"",))  # HAProxy closed it


class ReloadTest(ReloadCase):
    def test_reload_keeps_open_connections_and_accepts_new_ones_throughout(self):
        self.reload_under_load()
        self.assert_action("stop", OCF_SUCCESS)
        self.assertEqual(self.processes_with(self.conf), [])

    def test_reload_with_a_bad_configuration_keeps_the_running_haproxy(self):
        self.assert_action("start", OCF_SUCCESS)
        pid = self.pid()
        with open(self.conf, "a") as f:
            f.write("    bogus_keyword 1\n")
        reason = self.assert_action("reload", OCF_ERR_CONFIGURED)
        self.assertIn("unknown keyword 'bogus_keyword'", reason)
        self.assertEqual(self.pid(), pid)
        self.assert_action("monitor", OCF_SUCCESS)
        with self.connect() as s:
            self.assertEqual(echo(s, "still"), "still")

    def test_reload_of_a_stopped_resource_reports_not_running(self):
        reason = self.assert_action("reload", OCF_NOT_RUNNING)
        self.assertIn("does not run", reason)
        self.assertEqual(self.processes_with(self.conf), [])


class ReloadSocketTest(ReloadCase):
    def test_reload_takes_over_the_listeners_from_a_stats_socket_with_expose_fd(self):
        socket_path = os.path.join(self.dir, "admin.sock")
        self.write_conf("haproxy.cfg", self.port,
                        f"    stats socket {socket_path} mode 600 level admin expose-fd listeners")
        self.reload_under_load()
        # The new process was given the socket to take the listeners from.
        with open(f"/proc/{self.pid()}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
        self.assertIn(b"-x", args)
        self.assertEqual(args[args.index(b"-x") + 1], socket_path.encode())


class ReloadBindTest(AgentCase):
    def test_a_reload_that_cannot_bind_keeps_the_running_haproxy_serving(self):
        self.assert_action("start", OCF_SUCCESS)
        pid = self.pid()
        with self.connect() as s:
            self.assertEqual(echo(s, "before"), "before")
        # A port held by another program (no SO_REUSEPORT): haproxy -c accepts the
        # configuration, the new process cannot bind it.
        taken = socket.socket()
        self.addCleanup(taken.close)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with open(self.conf, "a") as f:
            f.write(f"frontend taken\n    bind 127.0.0.1:{taken.getsockname()[1]}\n"
                    "    default_backend be\n")
        reason = self.assert_action("reload", OCF_ERR_GENERIC)
        self.assertIn("cannot bind socket", reason)
        self.assertIn("the running one goes on", reason)
        self.assertEqual(self.pid(), pid)
        self.assert_action("monitor", OCF_SUCCESS)
        with self.connect() as s:
            self.assertEqual(echo(s, "after"), "after")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    AGENT = os.path.abspath(sys.argv.pop(1))
    if not shutil.which("haproxy"):
        missing("haproxy", "haproxy")
    if not os.path.exists(os.path.join(OCF_ROOT, "lib/heartbeat/ocf-shellfuncs")):
        missing("the OCF shell library", "resource-agents")
    unittest.main(verbosity=2)
