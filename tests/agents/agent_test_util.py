"""What the agent tests share: how a missing tool is reported (a failure under CI, where
./dev deps must have installed it; skipped, exit 77, elsewhere), and how an agent's action is
run the way the cluster's executor runs it."""
import os
import subprocess
import sys

OCF_ROOT = "/usr/lib/ocf"


def missing(what, package):
    ci = os.environ.get("CI", "")
    if ci and ci.lower() != "false" and ci != "0":
        print(f"FAIL: {what} is not installed (Debian package {package}; ./dev deps installs "
              f"it), and CI={ci}")
        sys.exit(1)
    print(f"SKIPPED: {what} is not installed (Debian package {package}; ./dev deps installs it)")
    sys.exit(77)


def run_ocf_action(agent, action, agent_type, instance, rsctmp, params, timeout, env=None):
    """Runs `agent action` with the OCF environment the executor gives it (no inherited OCF_*
    variables, OCF_RESKEY_<k> for each of `params`, HA_RSCTMP `rsctmp`, cwd /) plus `env`;
    returns (exit code, the ocf-exit-reason text, all of stderr)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("OCF_")}
    full.update(OCF_ROOT=OCF_ROOT, OCF_RA_VERSION_MAJOR="1", OCF_RA_VERSION_MINOR="1",
                OCF_RESOURCE_INSTANCE=instance, OCF_RESOURCE_TYPE=agent_type,
                OCF_RESOURCE_PROVIDER="pulse", HA_RSCTMP=rsctmp, **(env or {}))
    for k, v in params.items():
        full[f"OCF_RESKEY_{k}"] = str(v)
    p = subprocess.run([agent, action], env=full, capture_output=True, text=True,
                       timeout=timeout, cwd="/")
    reasons = [line.split(":", 1)[1] for line in p.stderr.splitlines()
               if line.startswith("ocf-exit-reason:")]
    return p.returncode, " ".join(reasons), p.stderr
