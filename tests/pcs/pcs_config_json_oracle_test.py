#!/usr/bin/env python3
"""pcs resource config / stonith config --output-format=json|cmd against Debian's pcs 0.11.

Usage: pcs_config_json_oracle_test.py PULSE_PCS [--oracle PCS] [--every N] [--min M]
                                      [--format json|cmd]

Runs both binaries with -f on a copy of every Nth conformance CIB
($PULSE_SHARED/conformance/pacemaker-2.1.5/xml, default N=20) and requires the same parsed JSON
(ListCibResourcesDto: keys, their order, lists and nulls) from `resource config`,
`stonith config`, and `resource config ID MISSING` for the CIB's first resource (the named
resource with everything inside it, sorted by id, plus the warning for MISSING on stderr).

With --format=cmd the same commands print the pcs commands that create the resources again,
compared as text, byte for byte.

Left out, and counted: CIBs with bundles (Pulse refuses bundles), with --format=json those with
a rule inside a resource's attribute set (Pulse refuses JSON for those rather than leave the
rule out; pcs's cmd output leaves rules out, and so does Pulse's), and CIBs Debian's pcs cannot
read. Prints the agreement figure and every difference; exits 1 on
any difference or when fewer than M (default 30) CIBs were compared. Exit 77 (skipped) without
Debian's pcs or the conformance folder.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

TIMEOUT = 60
FORMAT = "json"


def run(pcs, cib, words):
    """`pcs -f CIB WORDS --output-format=FORMAT` on a private copy: (exit, stdout, stderr)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "cib.xml")
        shutil.copyfile(cib, copy)
        env = dict(os.environ, LC_ALL="C")
        proc = subprocess.run([pcs, "-f", copy] + words + ["--output-format=" + FORMAT],
                              capture_output=True, text=True, timeout=TIMEOUT, env=env,
                              check=False)
        return proc.returncode, proc.stdout, proc.stderr


def parsed(text):
    """The JSON document in `text` with its key order kept, or the text when it is not JSON."""
    if FORMAT != "json":
        return text
    try:
        return json.loads(text, object_pairs_hook=lambda pairs: [list(p) for p in pairs])
    except ValueError:
        return text


def left_out(cib):
    """Why a CIB is not compared ("" when it is)."""
    try:
        resources = ET.parse(cib).getroot().find("configuration/resources")
    except ET.ParseError:
        return "not XML"
    if resources is None:
        return ""
    if resources.find(".//bundle") is not None:
        return "bundle"
    if FORMAT == "json" and resources.find(".//rule") is not None:
        return "rule in a resource's attribute set"
    return ""


def first_resource(cib):
    resources = ET.parse(cib).getroot().find("configuration/resources")
    for child in (resources if resources is not None else []):
        if child.get("id"):
            return child.get("id")
    return None


def compare(ours, oracle, cib):
    """The differences for one CIB (empty: identical), or None when the oracle cannot read it."""
    commands = [["resource", "config"], ["stonith", "config"]]
    first = first_resource(cib)
    if first:
        commands.append(["resource", "config", first, "no-such-resource"])
    diffs = []
    for words in commands:
        theirs = run(oracle, cib, words)
        if words == commands[0] and theirs[0] != 0:
            return None
        mine = run(ours, cib, words)
        if (mine[0], parsed(mine[1])) != (theirs[0], parsed(theirs[1])):
            diffs.append("%s: exit %d vs oracle %d\n  pulse:  %s\n  oracle: %s" % (
                " ".join(words), mine[0], theirs[0], mine[1].strip()[:400] or mine[2].strip(),
                theirs[1].strip()[:400] or theirs[2].strip()))
        # Debian's pcs warns about unknown ids in the order of a Python set (a new order each
        # run): the warnings are compared as a set of lines.
        elif sorted(mine[2].splitlines()) != sorted(theirs[2].splitlines()):
            diffs.append("%s: stderr %r vs oracle %r" % (" ".join(words), mine[2], theirs[2]))
    return diffs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pcs")
    ap.add_argument("--oracle", default="/usr/sbin/pcs")
    ap.add_argument("--every", type=int, default=20)
    ap.add_argument("--min", type=int, default=30)
    ap.add_argument("--format", choices=["json", "cmd"], default="json")
    a = ap.parse_args()
    global FORMAT  # pylint: disable=global-statement
    FORMAT = a.format
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    shared = os.environ.get("PULSE_SHARED") or os.path.join(os.path.dirname(repo), "shared")
    folder = os.path.join(shared, "conformance/pacemaker-2.1.5/xml")
    if not shutil.which(a.oracle) or not os.path.isdir(folder):
        print("SKIP: needs Debian's pcs (%s) and %s (set PULSE_SHARED)" % (a.oracle, folder))
        return 77
    names = sorted(n for n in os.listdir(folder) if n.endswith(".xml"))[::a.every]
    skipped = {}
    chosen = []
    for name in names:
        why = left_out(os.path.join(folder, name))
        if why:
            skipped.setdefault(why, []).append(name)
        else:
            chosen.append(name)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(chosen, pool.map(
            lambda n: compare(a.pcs, a.oracle, os.path.join(folder, n)), chosen)))
    compared = {n: d for n, d in results.items() if d is not None}
    same = sum(1 for d in compared.values() if not d)
    for name, diffs in sorted(compared.items()):
        for d in diffs:
            print("DIFF %s %s" % (name, d))
    unreadable = sorted(n for n, d in results.items() if d is None)
    for why, which in sorted(skipped.items()):
        print("left out (%s): %d: %s" % (why, len(which), " ".join(which)))
    if unreadable:
        print("left out (Debian's pcs cannot read it): %d: %s" % (len(unreadable),
                                                                  " ".join(unreadable)))
    print("resource/stonith config %s: %d of %d CIBs identical" % (
        "JSON" if FORMAT == "json" else "cmd", same, len(compared)))
    if len(compared) < a.min:
        print("FAIL: only %d CIBs compared (at least %d needed)" % (len(compared), a.min))
        return 1
    return 0 if same == len(compared) else 1


if __name__ == "__main__":
    sys.exit(main())
