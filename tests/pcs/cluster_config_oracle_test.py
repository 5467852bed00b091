#!/usr/bin/env python3
"""`pcs cluster config [show] [--output-format text|cmd|json] --corosync_conf FILE`: Pulse's pcs
against Debian's pcs 0.11 on the same cluster config files (corosync.conf syntax, as `pcs
cluster setup` writes them): every transport, with and without each totem, crypto, transport
and quorum option pcs shows or hides, IPv4, IPv6 and host name addresses, 1-5 nodes; and the
refusals (a missing file, a node without a name, an unknown format, an extra word). Text and
cmd must be identical, json identical once parsed, exit codes equal.

usage: cluster_config_oracle_test.py PULSE_PCS [--oracle /usr/sbin/pcs]
Exit 0 all agree, 1 a difference, 77 skipped (no Debian pcs).
"""
import argparse
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile


def conf(rng, index):
    transport = rng.choice(["udp", "udpu", "knet"])
    totem = [("version", "2"), ("cluster_name", f"c{index}")]
    if rng.random() < 0.3:
        totem.append(("config_version", str(rng.randint(1, 9))))
    totem.append(("transport", transport))
    # Also configs Pulse refuses to run (consensus below token, expected_votes below the nodes'
    # votes, two_node with 3 nodes, auto_tie_breaker with last_man_standing and no wait_for_all
    # on an odd count): a viewer shows any file corosync's syntax allows, as pcs does.
    token = rng.choice(["300", "1000", "3000"])
    if rng.random() < 0.5:
        totem.append(("token", token))
    else:
        token = "1000"  # Pulse's default token
    if rng.random() < 0.5:
        totem.append(("consensus", str(int(int(token) * rng.choice([0.5, 1.2, 2])))))
    for key, values in (("join", ["60"]), ("crypto_cipher", ["aes256", "none"]),
                        ("crypto_hash", ["sha256", "sha1"]),
                        ("ip_version", ["ipv4", "ipv6", "ipv4-6"])):
        if rng.random() < 0.5:
            totem.append((key, rng.choice(values)))
    nodes = []
    for n in range(1, rng.randint(1, 5) + 1):
        address = rng.choice([f"192.0.2.{10 + n}", f"fd00::{n}", f"node{n}.example.com"])
        node = [("ring0_addr", address), ("name", f"n{n}"), ("nodeid", str(n))]
        if rng.random() < 0.2:
            node.append(("quorum_votes", "2"))
        nodes.append(node)
    quorum = [("provider", "corosync_votequorum")]
    votes = sum(2 if ("quorum_votes", "2") in node else 1 for node in nodes)
    for key, values in (("expected_votes", [str(votes), str(max(1, votes - 1))]), ("two_node", ["1"]),
                        ("wait_for_all", ["0", "1"]),
                        ("last_man_standing", ["1"]), ("last_man_standing_window", ["20000"]),
                        ("auto_tie_breaker", ["1"]), ("auto_tie_breaker_node", ["lowest", "1 2"])):
        if rng.random() < 0.3:
            quorum.append((key, rng.choice(values)))
    out = ["totem {"] + [f"    {k}: {v}" for k, v in totem] + ["}", "", "nodelist {"]
    for node in nodes:
        out += ["    node {"] + [f"        {k}: {v}" for k, v in node] + ["    }"]
    out += ["}", "", "quorum {"] + [f"    {k}: {v}" for k, v in quorum] + ["}", ""]
    return "\n".join(out) + "\n"


def run(pcs, args):
    r = subprocess.run([pcs, *args], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, LC_ALL="C"))
    return r.returncode, r.stdout, r.stderr.strip().splitlines()[:1]


def same(fmt, a, b):
    if a[0] != b[0]:
        return False
    if a[0] != 0:
        return a[2] == b[2]
    if fmt == "json":
        return json.loads(a[1]) == json.loads(b[1])
    return a[1] == b[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pcs")
    ap.add_argument("--oracle", default="/usr/sbin/pcs")
    ap.add_argument("--configs", type=int, default=40)
    a = ap.parse_args()
    if not shutil.which(a.oracle):
        print(f"skipped: {a.oracle} (Debian's pcs) is not installed")
        return 77
    rng = random.Random(2026)
    failures, compared = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        cases = []
        for i in range(a.configs):
            path = os.path.join(tmp, f"c{i}.conf")
            with open(path, "w", encoding="utf-8") as f:
                f.write(conf(rng, i))
            for fmt, show in itertools.product(("text", "cmd", "json"), ((), ("show",))):
                cases.append((fmt, [*show, f"--output-format={fmt}", "--corosync_conf", path]))
        nameless = os.path.join(tmp, "nameless.conf")
        with open(nameless, "w", encoding="utf-8") as f:
            f.write(conf(random.Random(1), 99).replace("        name: n1\n", ""))
        cases += [("text", ["--corosync_conf", os.path.join(tmp, "missing.conf")]),
                  ("text", ["--corosync_conf", nameless]),
                  ("text", ["--output-format=xml", "--corosync_conf", os.path.join(tmp, "c0.conf")])]
        for fmt, args in cases:
            ours = run(a.pcs, ["cluster", "config", *args])
            theirs = run(a.oracle, ["cluster", "config", *args])
            compared += 1
            if not same(fmt, ours, theirs):
                failures.append((args, ours, theirs))
    for args, ours, theirs in failures[:10]:
        print("DIFF pcs cluster config", " ".join(args))
        print("  Pulse :", ours)
        print("  Debian:", theirs)
    print(f"pcs cluster config: {compared - len(failures)}/{compared} agree with Debian's pcs")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
