#!/usr/bin/env python3
"""Count the conformance tests whose allocation scores (pe-simulate -s) match Pacemaker 2.1.5's.

  score_agreement.py --engine build/bin/pe-simulate [--min PERCENT] [--tests A,B] [--diff NAME]

Runs '<engine> -x xml/NAME.xml -sS' once for every test of the suite that has
scores/NAME.scores. A test *passes* when its Transition Summary and revised placement agree
with summary/NAME.summary (the same loose comparison as run_tier.py). Among the passing tests,
a test *matches* when its score lines equal the stored ones: "<stage>: <rsc> allocation score
on <node>: <score>", "<rsc> promotion score on <node>: <score>" and the utilization lines,
whitespace squeezed, compared as sorted lists (the stored files are sorted).

Prints "scores: X of Y passing tests match (Z%)" and the differing tests with the first
differing line of each. --diff NAME prints the full difference for one test. Exit codes: 0,
1 below --min PERCENT or the engine is missing, 77 the shared folder is absent (CTest skip).

Environment: PULSE_SHARED  the shared folder (default: <repo>/../shared).
Python 3 standard library only.
"""

import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

SKIP = 77
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCORE_LINE = re.compile(r"^[A-Za-z_0-9:.@-]+: .* score on .*: |^[^ ]+ promotion score on |"
                        r"utilization on ")


def score_lines(text):
    """The score lines of crm_simulate -s output, whitespace squeezed, sorted."""
    out = []
    for ln in text.splitlines():
        if SCORE_LINE.search(ln):
            out.append(re.sub(r"\s+", " ", ln).rstrip())
    return sorted(out)


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def run_one(name, suite, engine, timeout, shadow):
    """Returns (name, passing, expected score lines, our score lines)."""
    from normalize_summary import compare
    xml = os.path.join(suite, "xml", name + ".xml")
    env = dict(os.environ, LC_ALL="C", CIB_shadow_dir=shadow)
    try:
        p = subprocess.run([engine, "-x", xml, "-sS"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, env=env, timeout=timeout)
        text = p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        text = ""
    expected_summary = read(os.path.join(suite, "summary", name + ".summary"))
    passing = bool(text) and compare(expected_summary, text, loose=True,
                                     with_placement=True)[0]
    expected = score_lines(read(os.path.join(suite, "scores", name + ".scores")))
    return name, passing, expected, score_lines(text)


def first_difference(expected, got):
    for line in difflib.unified_diff(expected, got, lineterm="", n=0):
        if line[:1] in "+-" and not line.startswith(("+++", "---")):
            return line
    return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", required=True, help="path of pe-simulate")
    ap.add_argument("--min", type=float, default=None, metavar="PERCENT",
                    help="exit 1 when fewer than PERCENT %% of the passing tests match")
    ap.add_argument("--tests", default="", help="comma-separated names (default: all)")
    ap.add_argument("--diff", default=None, metavar="NAME", help="print one test's difference")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=20, help="seconds per test")
    a = ap.parse_args()

    shared = os.environ.get("PULSE_SHARED") or os.path.join(os.path.dirname(REPO), "shared")
    conformance = os.path.join(shared, "conformance")
    suite = os.path.join(conformance, "pacemaker-2.1.5")
    if not os.path.isfile(os.path.join(conformance, "normalize_summary.py")) or \
            not os.path.isdir(os.path.join(suite, "scores")):
        print("scores: skipped: no conformance suite at %s (set PULSE_SHARED to the shared "
              "folder)" % conformance)
        return SKIP
    if not os.access(a.engine, os.X_OK):
        print("scores: FAILED: the engine %s is not built" % a.engine)
        return 1
    sys.path.insert(0, conformance)

    names = sorted(f[:-4] for f in os.listdir(os.path.join(suite, "xml")) if f.endswith(".xml")
                   and os.path.isfile(os.path.join(suite, "scores", f[:-4] + ".scores")))
    if a.diff:
        names = [a.diff]
    elif a.tests:
        want = set(a.tests.split(","))
        names = [n for n in names if n in want]
    shadow = tempfile.mkdtemp(prefix="score-shadow-")
    with ThreadPoolExecutor(max_workers=a.jobs) as ex:
        results = list(ex.map(lambda n: run_one(n, suite, a.engine, a.timeout, shadow), names))

    if a.diff:
        _, passing, expected, got = results[0]
        print("%s: transition summary %s" % (a.diff, "agrees" if passing else "differs"))
        for line in difflib.unified_diff(expected, got, "pacemaker", "pe-simulate",
                                         lineterm="", n=0):
            print(line)
        return 0

    passing = [r for r in results if r[1]]
    differ = [(r[0], first_difference(r[2], r[3])) for r in passing if r[2] != r[3]]
    match = len(passing) - len(differ)
    percent = 100.0 * match / max(len(passing), 1)
    print("scores: %d of %d passing tests match (%.1f%%)" % (match, len(passing), percent))
    if differ:
        print("  differ (%d), first differing line (- Pacemaker, + ours):" % len(differ))
        for name, line in differ:
            print("    %s  %s" % (name, line))
    if a.min is not None and percent < a.min:
        print("scores: FAILED: %.1f%% match, at least %.1f%% must" % (percent, a.min))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
