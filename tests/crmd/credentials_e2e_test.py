#!/usr/bin/env python3
"""Credential lifecycle with real crmd and pcs on loopback (127.0.0.1-3). Before:
  * after `crmd passwd` the old password still worked and the new one was refused until a
    restart, and changing the password revoked nothing;
  * tokens never expired, and revoking one needed that very token;
  * `pcs cluster setup` copied the operator's tokens into every node's known-hosts;
  * `pcs cluster destroy` left the cluster hosts, tokens and peer credentials behind and said
    nothing of what it removed.
Now each of these is checked to behave as SECURITY.md says.

Usage: credentials_e2e_test.py CRMD PCS
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from local_crmd import Workspace, main  # noqa: E402


def tokens_in(path):
    """The tokens of a known-hosts style file (third field), {} when there is none."""
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return {fields[0]: fields[2] for fields in (line.split() for line in f) if fields}


def body(crmd, pcs, checks):
    check = checks.check
    with Workspace(crmd, pcs) as ws:
        n1 = ws.crmd("n1", password="first-pw", host="127.0.0.1")
        n2 = ws.crmd("n2", password="first-pw", host="127.0.0.2")

        def auth(state, node, daemon, password):
            return ws.pcs(state, "host", "auth", node, f"addr={daemon.address}",
                          "-u", "hacluster", "-p", password)

        def ask(state, node):
            """A call that needs a token; 'not in a cluster' means the token was accepted."""
            return ws.pcs(state, "cluster", "corosync", node)

        # --- the password changes at once ----------------------------------------------
        check(auth("op", "n1", n1, "first-pw").returncode == 0, "host auth with the password")
        ws.passwd("n1", "second-pw")  # crmd passwd while crmd runs
        r = auth("op", "n1", n1, "first-pw")
        check(r.returncode == 1 and "incorrect" in r.stderr,
              "after crmd passwd the old password is refused at once", r.stdout + r.stderr)
        r = auth("op", "n1", n1, "second-pw")
        check(r.returncode == 0, "...and the new one accepted, without a restart", r.stderr)

        # --- crmd passwd --revoke-tokens ----------------------------------------------
        check("not in a cluster" in ask("op", "n1").stderr, "the token works")
        out = ws.passwd("n1", "third-pw", "--revoke-tokens").stderr
        check("tokens revoked" in out, "crmd passwd --revoke-tokens says so", out)
        r = ask("op", "n1")
        check(r.returncode == 1 and "invalid authentication token" in r.stderr,
              "after --revoke-tokens the running crmd refuses the old token", r.stderr)

        # --- pcs host deauth with the password, for a caller that lost its token --------
        check(auth("op", "n1", n1, "third-pw").returncode == 0, "authenticated again")
        lost = tokens_in(os.path.join(ws.state_dir("op"), "known-hosts"))["n1"]
        r = ws.pcs("other", "host", "deauth", "n1", f"addr={n1.address}",
                   f"fingerprint={ws.fingerprint('n1')}", "-u", "hacluster", "-p", "third-pw")
        check(r.returncode == 0 and "n1: 2 token(s) from pcs host auth revoked" in r.stdout,
              "pcs host deauth -u hacluster revokes every host-auth token with the password",
              r.stdout + r.stderr)
        r = ask("op", "n1")
        check(r.returncode == 1 and "invalid authentication token" in r.stderr,
              "the lost token is refused", r.stderr)
        r = ws.pcs("other", "host", "deauth", "n1", f"addr={n1.address}", "-u", "hacluster",
                   "-p", "wrong")
        check(r.returncode == 1 and "incorrect" in r.stderr, "a wrong password revokes nothing",
              r.stderr)

        # --- token expiry ---------------------------------------------------------------
        n3 = ws.crmd("n3", password="pw3", host="127.0.0.3", args=["--token-lifetime", "2"])
        issued = time.time()
        check(auth("op", "n3", n3, "pw3").returncode == 0, "host auth on a node with a lifetime")
        r = ask("op", "n3")
        # A token lives at least its lifetime (whole seconds, auth_store.h); a slow machine may
        # take that long for the two calls, and then only the expiry below can be checked.
        check("not in a cluster" in r.stderr or time.time() - issued >= 2,
              "the fresh token works", r.stderr)
        time.sleep(max(0.0, issued + 3.2 - time.time()))
        r = ask("op", "n3")
        check(r.returncode == 1 and "token has expired; run pcs host auth again" in r.stderr,
              "an expired token is refused with a message saying what to do", r.stderr)

        # --- what cluster setup gives each node ------------------------------------------
        check(auth("op", "n1", n1, "third-pw").returncode == 0 and
              auth("op", "n2", n2, "first-pw").returncode == 0, "operator authenticated")
        r = ws.pcs("op", "cluster", "setup", "t", "n1", "addr=127.0.0.1", "n2", "addr=127.0.0.2")
        check(r.returncode == 0, "cluster setup", r.stdout + r.stderr)
        operator = set(tokens_in(os.path.join(ws.state_dir("op"), "known-hosts")).values())
        held = {}
        for node in ("n1", "n2"):
            for name in ("known-hosts", "cluster-hosts"):
                path = os.path.join(ws.state_dir(node), name)
                held[(node, name)] = tokens_in(path)
                text = open(path).read() if os.path.exists(path) else ""
                check(not any(t in text for t in operator),
                      f"{node}/{name} holds none of the operator's tokens")
        n1_tokens, n2_tokens = held[("n1", "cluster-hosts")], held[("n2", "cluster-hosts")]
        check(sorted(n2_tokens) == ["n1", "n2"] and
              not set(n1_tokens.values()) & set(n2_tokens.values()),
              "each node holds tokens issued for it alone", f"{n1_tokens} {n2_tokens}")
        check("cluster_name: t" in ask("n2", "n1").stdout,
              "pcs on n2 reaches n1 with n2's own token")
        check(ws.pcs("op", "host", "deauth").returncode == 0 and
              "cluster_name: t" in ask("n2", "n1").stdout,
              "the operator's deauth leaves the nodes' access alone")

        # --- cluster destroy removes the node's cluster state and says so ---------------
        r = ws.pcs("n2", "cluster", "destroy", "--all", "--force")
        for node in ("n1", "n2"):
            check(f"{node}: Successfully destroyed cluster" in r.stdout and
                  f"{node}: removed corosync.conf, authkey, "
                  "cluster-hosts, peer-secret, peer-hashes, 2 node tokens" in r.stdout,
                  f"destroy on {node} says what it removed", r.stdout + r.stderr)
            left = sorted(os.listdir(ws.state_dir(node)))
            check(not {"corosync.conf", "authkey", "cluster-hosts", "peer-secret",
                       "peer-hashes"} & set(left), f"{node}'s cluster files are gone", left)
            with open(os.path.join(ws.state_dir(node), "tokens")) as f:
                check("node:" not in f.read(), f"{node} forgot the node tokens it issued")
        r = ws.pcs("n2", "status", "corosync")
        check(r.returncode == 1 and "not in a cluster" in r.stderr,
              "pcs on the node still reaches its own crmd (local-admin)", r.stderr)


if __name__ == "__main__":
    sys.exit(main(__doc__, body))
