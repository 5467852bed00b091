#!/usr/bin/env python3
"""Run one tier of Pacemaker's scheduler regression suite through the shared oracle harness
and count the tests where our scheduler agrees with Pacemaker 2.1.5.

  run_tier.py --tier tier1 --engine build/bin/pe-simulate --out DIR [--min-agree 97]
  run_tier.py --tier tier3 --engine ... --out DIR --report-only [--budget 1200]

A test agrees when results.tsv (written by run_oracle.py) has "yes" in both ts_loose (the
Transition Summary, clone instance numbers ignored) and placement (ts_loose plus the revised
placement). Only the tests of exactly this tier are run (index.tsv column `tier`).

Prints "<tier>: N/M agree" and the names that do not, and writes that line to DIR/summary.txt
(./dev test prints those after ctest). Exit codes: 0 pass (always, with --report-only),
1 fewer than --min-agree agree or the harness failed, 77 the shared folder is absent (CTest skip).

Environment:
  PULSE_SHARED           the shared folder (default: <repo>/../shared)
  PULSE_CONFORMANCE_CMD  the command template instead of '<engine> -x {xml} -S {args}', e.g.
                         'crm_simulate -x {xml} -S {args}' to check the harness (expect M/M).
Python 3 standard library only.
"""

import argparse
import csv
import os
import shlex
import shutil
import subprocess
import sys
import textwrap

SKIP = 77
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tier_names(suite, tier):
    with open(os.path.join(suite, "index.tsv"), newline="") as f:
        return [row["name"] for row in csv.DictReader(f, delimiter="\t") if row["tier"] == tier]


def read_results(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def write_summary(out, line):
    """Prints LINE and keeps it in OUT/summary.txt, where ./dev test finds it."""
    print(line)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write(line + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tier", required=True, choices=["tier1", "tier2", "tier3"])
    ap.add_argument("--engine", required=True, help="path of pe-simulate")
    ap.add_argument("--out", required=True, help="folder for outputs (emptied first)")
    ap.add_argument("--min-agree", type=int, default=None)
    ap.add_argument("--report-only", action="store_true", help="never fail; print counts")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=20, help="seconds per test")
    ap.add_argument("--budget", type=float, default=None,
                    help="seconds for the whole run; beyond it the run is reported incomplete")
    a = ap.parse_args()
    failed_rc = 0 if a.report_only else 1

    shared = os.environ.get("PULSE_SHARED") or os.path.join(os.path.dirname(REPO), "shared")
    oracle = os.path.join(shared, "conformance", "run_oracle.py")
    suite = os.path.join(shared, "conformance", "pacemaker-2.1.5")
    if not os.path.isfile(oracle) or not os.path.isfile(os.path.join(suite, "index.tsv")):
        write_summary(a.out, "%s: skipped: no conformance suite at %s (set PULSE_SHARED to the "
                      "shared folder)" % (a.tier, os.path.dirname(oracle)))
        return SKIP

    template = os.environ.get("PULSE_CONFORMANCE_CMD")
    if template:
        print("%s: command from PULSE_CONFORMANCE_CMD: %s" % (a.tier, template))
    else:
        if not os.access(a.engine, os.X_OK):
            write_summary(a.out, "%s: FAILED: the engine %s is not built" % (a.tier, a.engine))
            return failed_rc
        template = "%s -x {xml} -S {args}" % shlex.quote(a.engine)

    names = tier_names(suite, a.tier)
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)
    cmd = [sys.executable, oracle, "--suite", suite, "--out", a.out, "--tier", a.tier,
           "--tests", ",".join(names), "--jobs", str(a.jobs), "--timeout", str(a.timeout),
           "--cmd", template]
    try:
        run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, timeout=a.budget)
    except subprocess.TimeoutExpired:
        write_summary(a.out, "%s: incomplete (the run took longer than %.0f s)" %
                      (a.tier, a.budget))
        return failed_rc
    results_path = os.path.join(a.out, "results.tsv")
    if run.returncode != 0 or not os.path.isfile(results_path):
        print(run.stdout)
        write_summary(a.out, "%s: FAILED: run_oracle.py exited %d" % (a.tier, run.returncode))
        return failed_rc

    results = read_results(results_path)
    agree = {r["name"] for r in results if r["ts_loose"] == "yes" and r["placement"] == "yes"}
    differ = sorted(r["name"] for r in results if r["name"] not in agree)
    crashed = [r["name"] for r in results if r["rc"] not in ("0", "timeout")]
    timed_out = [r["name"] for r in results if r["rc"] == "timeout"]

    write_summary(a.out, "%s: %d/%d agree" % (a.tier, len(agree), len(names)))
    if len(results) != len(names):
        print("  (run_oracle.py reported %d of the %d tests)" % (len(results), len(names)))
    if crashed or timed_out:
        print("  the command exited non-zero on %d tests and timed out on %d" %
              (len(crashed), len(timed_out)))
    if differ:
        print("  differ (%d):" % len(differ))
        print(textwrap.indent(textwrap.fill(" ".join(differ), 96, break_on_hyphens=False,
                                                  break_long_words=False), "    "))
        print("  outputs and diffs: %s (NAME.out, NAME.err, results.tsv)" % a.out)

    if a.min_agree is not None and len(agree) < a.min_agree and not a.report_only:
        print("%s: FAILED: %d agree, at least %d must" % (a.tier, len(agree), a.min_agree))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
