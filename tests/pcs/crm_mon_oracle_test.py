#!/usr/bin/env python3
"""Pulse's crm_mon against Debian's (Pacemaker 2.1.5, the oracle) on the conformance CIBs.

For each CIB, both run with CIB_file=CIB: `crm_mon -1 -r -f -A` (text) and `crm_mon -1
--output-as=xml`. The text is split into crm_mon's sections (Cluster Summary, Node List, Full
List of Resources, Node Attributes, Migration Summary, Failed Resource Actions) and each is
compared line by line, except two summary lines that differ by design: "Stack:" (Pulse's is
"pulse") and "Last updated:" (the clock). The XML is compared as structure: the element paths
with the attributes of <node> (under <nodes>), <resource>, <group>, <clone>, <attribute> and
<failure>, and the element names of every section.

The CIBs in EXACT must agree in every section (the test fails otherwise); over the whole folder
the agreement per section is printed, and the node and resource list sections must agree on at
least the floor (the policy engine's own differences with Pacemaker on the rest are the
conformance suite's business, and are named by the engine's tests).

Usage: crm_mon_oracle_test.py PULSE_CRM_MON [--floor PERCENT] [--all]: the EXACT CIBs and every
tenth other one (Debian's crm_mon takes about a quarter of a second a CIB), or with --all every
CIB of the folder (about 3 minutes). Skipped (exit 77) without
Debian's crm_mon or the conformance folder ($PULSE_SHARED/conformance/pacemaker-2.1.5/xml;
PULSE_SHARED defaults to <repo>/../shared).
"""
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

# Primitives, groups, clones (anonymous and promotable), standby and offline nodes, node
# attributes, fail counts and failed actions (friendly lines with intervals and exit reasons).
EXACT = [
    "1-a-then-bm-move-b.xml", "bug-5025-1.xml", "bug-5014-GROUP-A-stopped-B-started.xml",
    "clone-anon-failcount.xml", "a-promote-then-b-migrate.xml", "anti-colocation-promoted.xml",
    "group-dependents.xml", "promoted-demote-block.xml", "10-a-then-bm-b-move-a-clone.xml",
    "standby.xml", "remote-unclean2.xml",
]
SECTIONS = ["Cluster Summary:", "Node List:", "Full List of Resources:", "Node Attributes:",
            "Migration Summary:", "Failed Resource Actions:"]
XML_ATTRS = {"node", "resource", "group", "clone", "attribute", "failure", "ban"}
# Attributes Pulse does not have: a node's feature_set (the Pacemaker build's CRM feature set),
# and a ping attribute's expected score (crm_mon works it out from the ping resource's
# multiplier and host list).
XML_SKIP = {"feature_set", "expected"}


def run(binary, cib, args):
    env = dict(os.environ, CIB_file=cib, TZ="UTC")
    p = subprocess.run([binary] + args, env=env, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout


def sections(text):
    out, current = {}, None
    for line in text.splitlines():
        if line in SECTIONS:
            current = line
            out[current] = []
        elif current and line.strip():
            if re.match(r"  \* (Stack|Last updated):", line):
                continue
            out[current].append(line)
    return out


def xml_shape(text):
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        return ["unparsable: %s" % e]
    shape = []

    def walk(e, path):
        here = path + "/" + e.tag
        if e.tag in XML_ATTRS and not here.startswith("/pacemaker-result/node_history"):
            attrs = {k: v for k, v in e.attrib.items() if k not in XML_SKIP}
            shape.append(here + " " + " ".join("%s=%s" % kv for kv in attrs.items()))
        else:
            shape.append(here)
        for c in e:
            walk(c, here)

    for child in root:
        if child.tag in ("summary", "status", "node_history"):
            shape.append("/" + child.tag)
            continue
        walk(child, "/pacemaker-result")
    return shape


def main():
    ours = sys.argv[1]
    floor = float(sys.argv[sys.argv.index("--floor") + 1]) if "--floor" in sys.argv else 0
    oracle = shutil.which("crm_mon", path="/usr/sbin:/usr/bin")
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    shared = os.environ.get("PULSE_SHARED") or os.path.join(os.path.dirname(repo), "shared")
    folder = os.path.join(shared, "conformance/pacemaker-2.1.5/xml")
    if not oracle or not os.path.isdir(folder):
        print("SKIP: needs Debian's crm_mon (pacemaker-cli-utils) and %s" % folder)
        return 77
    failures = []
    agree = {s: 0 for s in SECTIONS + ["xml"]}
    total = 0
    every = "--all" in sys.argv
    names = sorted(n for n in os.listdir(folder) if n.endswith(".xml"))
    for i, name in enumerate(names):
        if not every and name not in EXACT and i % 10 != 0:
            continue
        cib = os.path.join(folder, name)
        rc_theirs, theirs = run(oracle, cib, ["-1", "-r", "-f", "-A"])
        if rc_theirs != 0 or not theirs.startswith("Cluster Summary:"):
            continue  # a CIB the oracle cannot show either
        total += 1
        _, mine = run(ours, cib, ["-1", "-r", "-f", "-A"])
        a, b = sections(theirs), sections(mine)
        for s in SECTIONS:
            if a.get(s) == b.get(s):
                agree[s] += 1
            elif name in EXACT:
                failures.append("%s: section %s differs:\n  Debian: %s\n  Pulse:  %s" % (
                    name, s, a.get(s), b.get(s)))
        _, xa = run(oracle, cib, ["-1", "--output-as=xml"])
        _, xb = run(ours, cib, ["-1", "--output-as=xml"])
        if xml_shape(xa) == xml_shape(xb):
            agree["xml"] += 1
        elif name in EXACT:
            diff = [l for l in xml_shape(xa) if l not in xml_shape(xb)][:3] + ["--"] + \
                   [l for l in xml_shape(xb) if l not in xml_shape(xa)][:3]
            failures.append("%s: XML structure differs: %s" % (name, diff))
    for s in SECTIONS + ["xml"]:
        print("%-28s %4d of %d agree (%.1f%%)" % (s, agree[s], total, 100.0 * agree[s] / total))
    for s in ("Node List:", "Full List of Resources:"):
        if 100.0 * agree[s] / total < floor:
            failures.append("%s agrees on %.1f%% of the CIBs, below the floor %.1f%%" % (
                s, 100.0 * agree[s] / total, floor))
    for f in failures:
        print("FAIL: " + f)
    print("PASS" if not failures else "FAIL: %d problem(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
