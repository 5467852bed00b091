"""Real crmd daemons on loopback addresses for end-to-end tests of crmd and pcs (python3
standard library only): each with its own state directory, port 0, and its log in a file.

    with Workspace() as ws:
        n1 = ws.crmd("n1", password="pw")           # 127.0.0.1, a free port
        ws.pcs("client", "host", "auth", "n1", f"addr={n1.address}", "-p", "pw")
"""
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time


class Crmd:
    def __init__(self, binary, state_dir, name, host, log_path, extra_args):
        self.name = name
        self.host = host
        self.state_dir = state_dir
        self.log_path = log_path
        with open(log_path, "w") as log:
            self.process = subprocess.Popen(
                [binary, "--state-dir", state_dir, "--listen", f"{host}:0", "--name", name,
                 *extra_args], stdout=log, stderr=subprocess.STDOUT)
        self.port = None
        deadline = time.time() + 10
        pattern = re.compile(rf"listening on {re.escape(host)}:(\d+) ")
        while self.port is None:
            match = pattern.search(self.log())
            if match:
                self.port = int(match.group(1))
            elif self.process.poll() is not None or time.time() > deadline:
                raise AssertionError(f"crmd {name} did not start:\n{self.log()}")
            else:
                time.sleep(0.05)

    @property
    def address(self):
        return f"{self.host}:{self.port}"

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Workspace:
    """A temporary folder with state directories, the crmds started in it, and pcs runs."""

    def __init__(self, crmd_binary, pcs_binary):
        self.crmd_binary = os.path.abspath(crmd_binary)
        self.pcs_binary = os.path.abspath(pcs_binary)
        self.daemons = []
        self.env = dict(os.environ, no_proxy="*")

    def __enter__(self):
        self.root = tempfile.mkdtemp(prefix="pulse-e2e-")
        return self

    def __exit__(self, *exc):
        for daemon in self.daemons:
            daemon.stop()
        if exc[0] is not None:
            for daemon in self.daemons:
                print(f"--- crmd {daemon.name} log:\n{daemon.log()}", file=sys.stderr)
        shutil.rmtree(self.root, ignore_errors=True)
        return False

    def state_dir(self, name):
        path = os.path.join(self.root, name)
        os.makedirs(path, mode=0o700, exist_ok=True)
        return path

    def passwd(self, name, password, *args):
        return subprocess.run([self.crmd_binary, "passwd", "--state-dir", self.state_dir(name),
                               *args], input=password + "\n", text=True, capture_output=True,
                              check=True, env=self.env)

    def fingerprint(self, name):
        return subprocess.run([self.crmd_binary, "fingerprint", "--state-dir",
                               self.state_dir(name)], text=True, capture_output=True,
                              check=True, env=self.env).stdout.strip()

    def crmd(self, name, password=None, host="127.0.0.1", args=()):
        if password is not None:
            self.passwd(name, password)
        daemon = Crmd(self.crmd_binary, self.state_dir(name), name, host,
                      os.path.join(self.root, f"{name}.log"), list(args))
        self.daemons.append(daemon)
        return daemon

    def pcs(self, state, *args, input=None, timeout=60):
        """pcs with the state directory `state`; stdin is not a terminal."""
        return subprocess.run([self.pcs_binary, "--state-dir", self.state_dir(state), *args],
                              input=input if input is not None else "", text=True,
                              capture_output=True, timeout=timeout, env=self.env)

    def pcs_on_terminal(self, state, *args, dialogue=(), timeout=30):
        """pcs with a pseudo-terminal as stdin, stdout and stderr. `dialogue`: (expected text,
        answer) pairs: each answer is typed once its text has appeared. Returns (exit code,
        everything pcs wrote)."""
        pid, fd = pty.fork()
        if pid == 0:
            os.environ.update(self.env)
            os.execv(self.pcs_binary,
                     [self.pcs_binary, "--state-dir", self.state_dir(state), *args])
        output = b""
        pending = list(dialogue)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if pending and pending[0][0].encode() in output:
                os.write(fd, (pending.pop(0)[1] + "\n").encode())
            ready, _, _ = select.select([fd], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the terminal closes when pcs exits
                break
            if not chunk:
                break
            output += chunk
        else:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        return code, output.decode(errors="replace").replace("\r\n", "\n")


class Checks:
    def __init__(self):
        self.count = 0

    def check(self, condition, what, detail=""):
        if not condition:
            raise AssertionError(what + (f": {detail}" if detail else ""))
        self.count += 1
        print(f"ok {self.count:2d} - {what}", flush=True)


def main(doc, body):
    if len(sys.argv) != 3:
        print(doc)
        return 2
    checks = Checks()
    try:
        body(sys.argv[1], sys.argv[2], checks)
    except AssertionError as e:
        print(f"FAIL: {e}")
        return 1
    print(f"PASS: {checks.count} checks")
    return 0
