#!/usr/bin/env python3
"""Pulse's pcs against Debian's pcs 0.11 (the oracle), command by command, on CIB files.

Usage: pcs_differential_test.py PULSE_PCS [--oracle PCS] [--floor N] [--only TEXT]

Every case (tests/pcs/pcs_differential_cases.py) names a starting CIB and a few pcs command
lines from pcs 0.11's man page and the cluster guides (HAProxy clone, PostgreSQL promotable,
VIP with the promoted role, rules, defaults, sets, tickets, tags, groups). Each starting CIB is
built once by the oracle; then both binaries run the case's commands with -f on their own copy.
A case agrees when every command has the same outcome (accepted or refused) and the resulting
<configuration> is the same after normalisation: attribute order and whitespace are ignored,
element order, ids and values are compared exactly; the status section and the <cib> counters
(epoch, num_updates, cib-last-written) are ignored.

Prints the agreement figure and every differing case, and exits 1 when the agreement is below
the floor (percent). Exit 77 (skipped) when Debian's pcs is not installed; the CMake wrapper
(pulse_tool_test) turns that into a failure in CI.
"""
import argparse
import concurrent.futures
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcs_differential_cases import BASES, CASES  # noqa: E402

# A three-node cluster as `cibadmin --empty` writes it (Debian's Pacemaker 2.1.5 refuses file
# CIBs with a newer feature set), before any resource.
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")


def configuration_fixture():
    """The <configuration> of tests/fixtures/three_node_configuration.xml, without its comment."""
    with open(os.path.join(FIXTURES, "three_node_configuration.xml"), encoding="utf-8") as f:
        text = f.read()
    return text[text.index("  <configuration>"):]


START_CIB = ("""<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="5" \
num_updates="0" admin_epoch="0">
""" + configuration_fixture() + """  <status/>
</cib>
""")

TIMEOUT = 60


def run(pcs, cib, command):
    """Runs `pcs -f cib COMMAND`; returns (exit status, stdout+stderr)."""
    env = dict(os.environ, LC_ALL="C")
    try:
        proc = subprocess.run([pcs, "-f", cib] + shlex.split(command), capture_output=True,
                              text=True, timeout=TIMEOUT, env=env, check=False)
    except subprocess.TimeoutExpired:
        return 124, "timed out"
    return proc.returncode, (proc.stdout + proc.stderr).strip()


def canonical(element, depth=0):
    """One line per element: tag, attributes sorted; text ignored (the CIB keeps none)."""
    attrs = " ".join(f'{k}="{v}"' for k, v in sorted(element.attrib.items()))
    lines = ["  " * depth + f"<{element.tag} {attrs}>".replace(" >", ">")]
    for child in element:
        if isinstance(child.tag, str):
            lines.extend(canonical(child, depth + 1))
    return lines


def configuration(path):
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as err:
        return [f"unreadable CIB: {err}"]
    conf = root.find("configuration")
    return canonical(conf) if conf is not None else ["no <configuration>"]


# The starting CIBs by name once built: a command may name one as {base:NAME} (the file
# `cluster cib-push` pushes).
BASE_FILES = {}


def run_case(pulse, oracle, base_file, commands):
    """Returns None when both agree, else a text describing the first difference."""
    with tempfile.TemporaryDirectory(prefix="pcsdiff-") as tmp:
        mine, theirs = os.path.join(tmp, "pulse.xml"), os.path.join(tmp, "oracle.xml")
        shutil.copy(base_file, mine)
        shutil.copy(base_file, theirs)
        for command in commands:
            command = re.sub(r"\{base:(\w+)\}", lambda m: BASE_FILES[m.group(1)], command)
            rc_mine, out_mine = run(pulse, mine, command)
            rc_theirs, out_theirs = run(oracle, theirs, command)
            if (rc_mine == 0) != (rc_theirs == 0):
                return (f"  `{command}`: pulse exit {rc_mine}, pcs exit {rc_theirs}\n"
                        f"    pulse: {out_mine[:300]}\n    pcs:   {out_theirs[:300]}")
        a, b = configuration(mine), configuration(theirs)
        if a != b:
            diff = list(difflib.unified_diff(b, a, "pcs", "pulse", lineterm="", n=1))[2:]
            return "  configurations differ (- pcs, + pulse):\n" + "\n".join(
                "    " + line for line in diff[:24])
    return None


def build_bases(oracle, tmp):
    """Each starting CIB: START_CIB plus the base's commands, run by the oracle."""
    start = os.path.join(tmp, "start.xml")
    with open(start, "w", encoding="utf-8") as f:
        f.write(START_CIB)
    files = {}
    for name, commands in BASES.items():
        path = os.path.join(tmp, f"base-{name}.xml")
        shutil.copy(start, path)
        for command in commands:
            rc, out = run(oracle, path, command)
            if rc != 0:
                sys.exit(f"FAIL: base {name}: the oracle refused `{command}`: {out}")
        files[name] = path
    return files


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("pulse_pcs")
    parser.add_argument("--oracle", default="/usr/sbin/pcs")
    parser.add_argument("--floor", type=float, default=0.0, help="minimum agreement, percent")
    parser.add_argument("--only", default="", help="run only cases containing this text")
    parser.add_argument("--jobs", type=int, default=4)
    args = parser.parse_args()
    if not os.access(args.oracle, os.X_OK):
        print(f"SKIPPED: Debian's pcs ({args.oracle}) is not installed")
        return 77
    cases = [c for c in CASES if args.only in " ; ".join(c[1])]
    with tempfile.TemporaryDirectory(prefix="pcsdiff-bases-") as tmp:
        bases = build_bases(args.oracle, tmp)
        BASE_FILES.update(bases)
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(
                lambda c: run_case(args.pulse_pcs, args.oracle, bases[c[0]], c[1]), cases))
    differing = [(c, r) for c, r in zip(cases, results) if r is not None]
    for (base, commands), why in differing:
        print(f"DIFFERS [{base}] " + " ; ".join(commands))
        print(why)
    agreed = len(cases) - len(differing)
    percent = 100.0 * agreed / len(cases) if cases else 0.0
    verdict = "PASS" if percent >= args.floor else "FAIL"
    print(f"{verdict}: pcs differential: {agreed}/{len(cases)} command sequences agree "
          f"({percent:.1f}%), floor {args.floor:.1f}%")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
