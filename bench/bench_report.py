"""What every benchmark here reports, one way: progress on stderr, then a table of
(figure, value, target, verdict) rows on stdout, the samples' percentiles, and the verdict line
and exit status (finish()). Kept in one place so that the benchmarks' PASS/FAIL rules and exit
codes cannot drift apart.

Exit statuses: 0 every target PASSed, 3 a target FAILed or the run stopped early (./dev bench
says so in words); the benchmarks themselves use 1 for a failed setup, 2 for bad usage and 130
for an interruption.
"""

import os
import shutil
import sys
import time

EXIT_FAIL = 3


def log(msg):
    """Progress on stderr, so that stdout holds only the table."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def on_signal(signum, _frame):
    """Ctrl-C / SIGTERM / SIGHUP: turn into an exception so that the finally blocks run."""
    raise KeyboardInterrupt(f"signal {signum}")


def setup(name, bindir, root=True, tools=()):
    """crmd's and pcs's paths in `bindir` when `name` can run here; otherwise None, once it has
    printed why on stderr ('NAME: setup failed: ...': a binary not built, not root when the
    network namespaces need it, a program of `tools` not installed). The caller exits 1."""
    crmd, pcs = os.path.join(bindir, "crmd"), os.path.join(bindir, "pcs")
    why = next((f"no {prog} (build it first: cmake --build build --target crmd pcs)"
                for prog in (crmd, pcs) if not os.access(prog, os.X_OK)), None)
    if why is None and root and os.geteuid() != 0:
        why = "needs root (network namespaces)"
    if why is None:
        why = next((f"{tool} is not installed (./dev deps)" for tool in tools
                    if not shutil.which(tool)), None)
    if why is not None:
        print(f"{name}: setup failed: {why}", file=sys.stderr)
        return None
    return crmd, pcs


def nearest_rank(samples, pct):
    """Nearest-rank percentile: with 20 samples p50 is the 10th, p99 the 20th (the max)."""
    s = sorted(samples)
    rank = max(1, -(-len(s) * pct // 100))  # ceil(n * pct / 100)
    return s[int(rank) - 1]


def verdict(ok):
    return "PASS" if ok else "FAIL"


def ms(seconds):
    return f"{seconds * 1000:.0f} ms"


def spread(values):
    return (f"min {ms(min(values))}, p50 {ms(nearest_rank(values, 50))}, "
            f"p99 {ms(nearest_rank(values, 99))}, max {ms(max(values))}")


def table(rows):
    """Markdown table of (figure, value, target, verdict) rows."""
    header = ("Figure", "Value", "Target", "Verdict")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]

    def line(r):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"

    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in rows]
    return "\n".join(out)


def finish(name, rows, stopped=None):
    """Prints `name`'s verdict after its table and returns the exit status: EXIT_FAIL when a
    row's verdict is FAIL or the run stopped early (`stopped` says why), else 0."""
    failed = [r[0] for r in rows if r[3] == verdict(False)]
    if stopped:
        print(f"stopped early: {stopped}")
    if failed or stopped:
        why = [f"{len(failed)} target(s) missed: " + "; ".join(failed)] if failed else []
        why += ["the run stopped early"] if stopped else []
        print(f"{name}: FAIL: " + "; ".join(why))
        return EXIT_FAIL
    print(f"{name}: PASS: every target met")
    return 0
