"""What the agent tests share: how a missing tool is reported (a failure under CI, where
./dev deps must have installed it; skipped, exit 77, elsewhere)."""
import os
import sys


def missing(what, package):
    ci = os.environ.get("CI", "")
    if ci and ci.lower() != "false" and ci != "0":
        print(f"FAIL: {what} is not installed (Debian package {package}; ./dev deps installs "
              f"it), and CI={ci}")
        sys.exit(1)
    print(f"SKIPPED: {what} is not installed (Debian package {package}; ./dev deps installs it)")
    sys.exit(77)
