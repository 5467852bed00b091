#!/usr/bin/env python3
"""pcs never shows a password in ps (/proc/PID/cmdline), whatever its spelling, and refuses an
abbreviated option (--pass, --passw=...) instead of guessing what it means; crmd refuses
abbreviations too.

A listener on 127.0.0.1 that accepts connections and never answers stands in for a node: pcs
host auth then waits for the TLS handshake, and its command line is read while it waits (once it
has connected, it is past its argument handling).
Usage: pcs_argv_test.py PCS CRMD"""
import os
import select
import socket
import subprocess
import sys
import tempfile
import time

SECRET = "s3cret-argv-test"


def watch(args, listener, env):
    """Runs pcs until it connects to `listener` (then reads its command line as ps would and
    kills it) or exits. ("connected", cmdline) or ("exited", (rc, stderr))."""
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if select.select([listener], [], [], 0.05)[0]:
                conn, _ = listener.accept()
                with open(f"/proc/{proc.pid}/cmdline", "rb") as fh:
                    cmdline = fh.read().replace(b"\0", b" ").decode()
                conn.close()
                return "connected", cmdline
            if proc.poll() is not None:
                return "exited", (proc.returncode, proc.stderr.read())
        return "hung", None
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stderr.close()


def main():
    pcs, crmd = sys.argv[1], sys.argv[2]
    failures = []
    env = dict(os.environ, no_proxy="*")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    with tempfile.TemporaryDirectory() as state:
        base = [pcs, "--state-dir", state, "host", "auth", "n1", f"addr=127.0.0.1:{port}",
                "-u", "hacluster"]
        for spelling in (["-p", SECRET], ["-p" + SECRET], ["--password", SECRET],
                         ["--password=" + SECRET]):
            what, detail = watch(base + spelling, listener, env)
            if what != "connected":
                failures.append(f"{spelling}: pcs did not connect: {what} {detail}")
            elif SECRET in detail or "x" * len(SECRET) not in detail:
                failures.append(f"{spelling}: the password shows in ps: {detail}")

        for spelling in (["--pass", SECRET], ["--passw=" + SECRET], ["--pa", SECRET]):
            what, detail = watch(base + spelling, listener, env)
            name = spelling[0].split("=")[0]
            if what == "connected":
                failures.append(f"{spelling}: guessed to be --password; ps shows: {detail}")
            elif what != "exited" or detail[0] != 1 or \
                    f"unrecognised option '{name}'" not in detail[1]:
                failures.append(f"{spelling}: not refused as an unknown option: {what} {detail}")
            elif SECRET in detail[1]:
                failures.append(f"{spelling}: the password is printed: {detail[1]!r}")

        out = subprocess.run([crmd, "--stat", state, "passwd"], input="x\n", capture_output=True,
                             text=True, timeout=20)
        if out.returncode != 2 or "unrecognised option '--stat'" not in out.stderr:
            failures.append(f"crmd --stat: not refused: rc {out.returncode}, {out.stderr!r}")
    listener.close()
    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print("ok: no password in ps for any spelling; abbreviations refused")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
