"""A 3-node namespace cluster set up to run resources, shared by the resource namespace tests
(resources_netns_test.py) and the failover benchmark (bench/failover_bench.py).

On top of NetnsCluster it adds: a client namespace (the last one, running no crmd) from which
VIPs are probed; a tiny TCP service on every node (netprobe.py serve, port 7000, answering the
node's name) so that a client can tell which node answers a VIP; the two ways a lost node gets
fenced, chosen per test:

  fence mode     a stonith resource `fence` with resource-agents/fence/fence_pulse_netns (the
                 harness's power switch), created with `pcs stonith create`;
  watchdog mode  no fence device; crmd runs with the watchdog (--watchdog-timeout and
                 --self-fence-command=resource-agents/fence/pulse_self_fence_netns) and the
                 cluster property stonith-watchdog-timeout tells survivors how long to wait.

Fence agents are found through PULSE_FENCE_AGENT_DIRS (set by NetnsCluster); crmd runs agents
from the build's OCF root (build/ocf), so ocf:pulse agents run.

the watchdog options are only passed when `crmd --help` lists them (they arrive with another
branch), so the same test runs before and after they land; extra
options can be given with PULSE_TEST_CRMD_ARGS. Everything is judged through pcs's user-facing
output (`pcs status`, read by pcs_status.py) and through the nodes' network state.
"""
import os
import shlex
import subprocess
import time
import traceback

from pcs_status import parse_status
from pulse_netns import HARNESS, NetnsCluster

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FENCE_DIR = os.path.join(REPO, "resource-agents", "fence")
FENCE_AGENT = os.path.join(FENCE_DIR, "fence_pulse_netns")
SELF_FENCE = os.path.join(FENCE_DIR, "pulse_self_fence_netns")
NETPROBE = os.path.join(REPO, "tests", "harness", "netprobe.py")
SERVICE_PORT = 7000
WATCHDOG_MS = int(os.environ.get("PULSE_TEST_WATCHDOG_MS", "300"))  # W, as self_fence_netns
# stonith-watchdog-timeout: negative = the minimum the controller computes from the timings.
WATCHDOG_PROPERTY = os.environ.get("PULSE_TEST_STONITH_WATCHDOG_TIMEOUT", "-1")


def crmd_features(crmd: str) -> dict:
    """Which optional crmd options this build has (from its --help)."""
    try:
        text = subprocess.run([crmd, "--help"], capture_output=True, text=True,
                              timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        text = ""
    # The build's OCF root (build/ocf: Debian's agents plus Pulse's ocf:pulse ones), next to
    # build/bin where crmd is.
    ocf_root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(crmd))), "ocf")
    return {"watchdog": "--watchdog-timeout" in text and "--self-fence-command" in text
            and os.access(SELF_FENCE, os.X_OK),
            "ocf_root": ocf_root if "--ocf-root" in text and os.path.isdir(
                os.path.join(ocf_root, "resource.d", "pulse")) else None}


def crmd_args_for(crmd: str):
    features = crmd_features(crmd)
    args = []
    if features["watchdog"]:
        args += [f"--watchdog-timeout={WATCHDOG_MS}", f"--self-fence-command={SELF_FENCE}"]
    # --ocf-root and --fence-agent-path come from NetnsCluster.crmd_args() (the build tree's).
    args += shlex.split(os.environ.get("PULSE_TEST_CRMD_ARGS", ""))
    return args, features


class ResourceCluster(NetnsCluster):
    """nodes crmd nodes plus one client namespace (index nodes + 1)."""

    def __init__(self, crmd, pcs, nodes=3, prefix=None, state_root=None, keep=False):
        """state_root, keep: as NetnsCluster's (the demo leaves its cluster running)."""
        args, self.features = crmd_args_for(crmd)
        super().__init__(nodes, crmd, pcs, extra_namespaces=1, prefix=prefix,
                         state_root=state_root, keep=keep, crmd_args=args)
        self.client = nodes + 1
        # pcs checks ocf:pulse agents' options against the build's OCF root (NetnsCluster
        # already points pcs and crmd at resource-agents/fence for fence agents).
        # A test: crmd must never arm the default self-fence (a host reboot).
        self.env["PULSE_TEST"] = "1"
        if self.features["ocf_root"]:
            self.env["OCF_ROOT"] = self.features["ocf_root"]

    def client_namespace(self) -> str:
        return self.namespace(self.client)

    def node_namespaces(self) -> dict:
        return {f"n{i}": self.namespace(i) for i in range(1, self.nodes + 1)}

    # --- bring-up --------------------------------------------------------------------------
    def bring_up(self, name="res", options=()):
        """options: more `pcs cluster setup` words (`totem token=300`)."""
        self.start_all_crmd()
        self.form(name, options)
        self.wait_for(lambda: self.pcs(1, "cluster", "cib", check=False).returncode == 0, 20,
                      "the DC to finish its sync")
        for i in range(1, self.nodes + 1):
            self.start_service(i)

    def start_service(self, i: int):
        self.harness("stop", str(i), "web", check=False)
        self.harness("start", str(i), "web", "python3", NETPROBE, "serve", str(SERVICE_PORT),
                     f"n{i}")

    def use_fence_device(self) -> bool:
        """fence mode: the stonith resource `fence` (fence_pulse_netns) for every node. With a
        pcs that has no `stonith create` yet, the same primitive through `resource create
        stonith:...` (--force: that pcs does not know fence agents' metadata). False when
        neither works."""
        hosts = " ".join(f"n{i}" for i in range(1, self.nodes + 1))
        params = [f"prefix={self.prefix}", f"harness={HARNESS}", f"pcmk_host_list={hosts}"]
        if self.pcs(1, "stonith", "create", "fence", "fence_pulse_netns", *params,
                    check=False).returncode == 0:
            return True
        return self.pcs(1, "resource", "create", "fence", "stonith:fence_pulse_netns", *params,
                        "--force", check=False).returncode == 0

    def drop_fence_device(self):
        self.pcs(1, "stonith", "delete", "fence", check=False)
        self.pcs(1, "resource", "delete", "fence", check=False)

    def use_watchdog(self):
        """watchdog mode: survivors wait stonith-watchdog-timeout for a lost node."""
        self.pcs(1, "property", "set", f"stonith-watchdog-timeout={WATCHDOG_PROPERTY}")

    # --- reading the cluster -----------------------------------------------------------------
    def status(self, i: int = None):
        """`pcs status` from node i (default: the first node whose crmd is running)."""
        for node in ([i] if i else range(1, self.nodes + 1)):
            if not i and self.harness("pid", str(node), "crmd", check=False).returncode != 0:
                continue
            out = self.pcs(node, "status", check=False, timeout=30)
            if out.returncode == 0:
                return parse_status(out.stdout), out.stdout
            if i:
                raise AssertionError(f"pcs status on n{node} exited {out.returncode}: "
                                     f"{out.stderr.strip()}")
        raise AssertionError("no node answers pcs status")

    def wait_status(self, predicate, timeout, what, i=None):
        """Polls pcs status until predicate(Status) is true; the last output in the error."""
        deadline = time.time() + timeout
        last = ""
        while True:
            try:
                status, last = self.status(i)
                if predicate(status):
                    return status
            except AssertionError as e:
                last = str(e)
            if time.time() >= deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}; last pcs "
                                     f"status:\n{last}")
            time.sleep(0.3)

    def wait_started(self, rsc, timeout=30, on=None, not_on=None, i=None):
        """Waits until rsc is Started on one node (on / not on the given ones); returns it."""
        def good(s):
            where = s.where(rsc)
            return where and s.resources[rsc].state == "Started" and \
                (on is None or where in on) and (not_on is None or where not in not_on)
        status = self.wait_status(good, timeout, f"{rsc} started" +
                                  (f" on {on}" if on else "") +
                                  (f" not on {not_on}" if not_on else ""), i)
        return status.where(rsc)

    def ask_service(self, addr: str, timeout=1.0):
        """Which node's service answers a TCP connection to addr, from the client (None)."""
        out = self.harness("probe", str(self.client), "get", addr, str(SERVICE_PORT),
                           "--timeout", str(timeout), check=False)
        return out.stdout.strip() if out.returncode == 0 else None

    def members_of(self, i: int):
        try:
            return self.pcs_json(i, "status", "corosync")["members"]
        except (AssertionError, ValueError, KeyError):
            return []

    def wait_members(self, count, timeout=30, via=1):
        self.wait_for(lambda: len(self.members_of(via)) == count, timeout,
                      f"n{via} to see {count} members")

    def agent_state_files(self, name_part):
        """{node index: [file]} of agent state files containing name_part, per node."""
        out = {}
        for i in range(1, self.nodes + 1):
            try:
                found = [f for f in os.listdir(self.rsctmp(i)) if name_part in f]
            except FileNotFoundError:
                found = []
            if found:
                out[i] = found
        return out

    def dc_log_tail(self, lines=15):
        status = None
        try:
            status, _ = self.status()
        except AssertionError:
            pass
        i = int(status.dc[1:]) if status and status.dc else 1
        return f"crmd log of n{i} (last {lines} lines):\n" + "\n".join(
            t for _, t in self.log_lines(i)[-lines:])


def run_scenarios(c, scenarios, wanted, prepare, results):
    """Runs each (name, body) of `scenarios` (only those in `wanted`, when given) after
    prepare(c), recording (name, "PASS"/"FAIL", first line of the failure) in `results`; a
    failing scenario is reported with the DC's log tail and the next one runs."""
    for name, body in scenarios:
        if wanted and name not in wanted:
            continue
        print(f"# --- {name}", flush=True)
        try:
            prepare(c)
            body(c)
            results.append((name, "PASS", ""))
        except Exception as e:  # noqa: BLE001 - report and go on with the next scenario
            detail = str(e) if isinstance(e, AssertionError) else traceback.format_exc()
            print(f"not ok - {name}: {detail}\n# {c.dc_log_tail()}".replace("\n", "\n# "),
                  flush=True)
            results.append((name, "FAIL", detail.splitlines()[0] if detail else ""))


def print_scenario_results(results):
    print("# scenario results:")
    for name, verdict, detail in results:
        print(f"#   {verdict} {name}" + (f": {detail}" if detail else ""))


def raise_if_failed(results):
    failed = [name for name, verdict, _ in results if verdict == "FAIL"]
    if failed:
        raise AssertionError(f"{len(failed)} of {len(results)} scenarios failed: "
                             + ", ".join(failed))
