#!/usr/bin/env python3
"""crm_mon's watch mode (and pcs status --watch) on a CIB file, without daemons.

crm_mon without -1 runs with its standard output on a pipe (not a terminal), so each new status
is printed after a blank line. The CIB file is changed twice while it runs (a node put in
standby, then a resource disabled, each replacing the file as pcs -f does); exactly three
statuses must come out, the last showing both changes, and Ctrl-C (SIGINT) must end it with
exit 0. pcs -f FILE status --watch is run the same way. An unknown option is refused with exit
64 naming it.

Usage: crm_mon_watch_test.py CRM_MON PCS FIXTURE_CIB
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time



def wait_for(proc_out, count, heading, timeout=15.0):
    """Reads until `count` statuses have been printed (or timeout); returns the text."""
    deadline = time.time() + timeout
    text = b""
    os.set_blocking(proc_out.fileno(), False)
    while time.time() < deadline and text.decode().count(heading) < count:
        chunk = proc_out.read()
        if chunk:
            text += chunk
        time.sleep(0.05)
    return text.decode()


def run_watch(command, cib, pcs, env, heading):
    """Each status starts with `heading`."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        first = wait_for(proc.stdout, 1, heading)
        assert first.count(heading) == 1, "no first status: %r" % first
        # Unchanged input: nothing is redrawn (a watch draws changes, not clock ticks).
        time.sleep(1.5)
        idle = wait_for(proc.stdout, 1, heading, timeout=0.2)
        assert heading not in idle, "redrawn without a change: %r" % idle
        subprocess.run([pcs, "-f", cib, "node", "standby", "n2"], check=True, env=env)
        second = wait_for(proc.stdout, 1, heading)
        subprocess.run([pcs, "-f", cib, "resource", "disable", "vip"], check=True, env=env,
                       stderr=subprocess.DEVNULL)
        third = wait_for(proc.stdout, 1, heading)
        proc.send_signal(signal.SIGINT)
        rc = proc.wait(timeout=10)
        rest = proc.stdout.read() or b""
    finally:
        if proc.poll() is None:
            proc.kill()
    text = first + second + third + rest.decode()
    statuses = text.split("\n" + heading)
    assert text.count(heading) == 3, "expected 3 statuses, got %d:\n%s" % (
        text.count(heading), text)
    assert "\n\n" + heading in text, "statuses not separated by a blank line:\n" + text
    assert rc == 0, "Ctrl-C exit code %d (stderr %r)" % (rc, proc.stderr.read())
    assert "standby" not in statuses[0], statuses[0]
    assert "n2: standby" in statuses[1] and "(disabled)" not in statuses[1], statuses[1]
    assert "n2: standby" in statuses[2] and "(disabled)" in statuses[2], statuses[2]
    return text


def main():
    crm_mon, pcs, fixture = sys.argv[1:4]
    env = dict(os.environ, TZ="UTC")
    with tempfile.TemporaryDirectory() as tmp:
        cib = os.path.join(tmp, "cib.xml")
        shutil.copy(fixture, cib)
        run_watch([crm_mon, "-i", "200ms"], cib, pcs, dict(env, CIB_file=cib), "Cluster Summary:")
        print("ok: crm_mon watch printed 3 statuses and exited 0 on Ctrl-C")
        shutil.copy(fixture, cib)
        run_watch([pcs, "-f", cib, "status", "--watch"], cib, pcs, env, "Cluster name:")
        print("ok: pcs status --watch printed 3 statuses and exited 0 on Ctrl-C")
    bad = subprocess.run([crm_mon, "-1", "--bogus"], capture_output=True, text=True, env=env)
    assert bad.returncode == 64 and "--bogus" in bad.stderr, (bad.returncode, bad.stderr)
    missing = subprocess.run([crm_mon, "-1"], capture_output=True, text=True,
                             env=dict(env, CIB_file="/nonexistent/cib.xml"))
    assert missing.returncode == 102 and "/nonexistent/cib.xml" in missing.stderr, (
        missing.returncode, missing.stderr)
    print("ok: unknown option exit 64, unreadable CIB file exit 102")
    return 0


if __name__ == "__main__":
    sys.exit(main())
