#!/usr/bin/env python3
"""pcs.crm_tools_netns: Pulse's crm_attribute, crm_master and crm_node against a real 2-node
cluster (crmd in network namespaces), run on a node as root without any pcs token (the
local-admin file crmd writes), as resource agents run them:

  - crm_attribute sets a transient attribute from n1 for n2 (written through the DC); it is in
    every node's CIB status and a query on either node prints it in Pacemaker's format; -q
    prints the value only; delete, then the query fails with Pacemaker's text and exit 105;
  - an unknown node and a missing name are refused with Pacemaker's errors and exit codes;
    without a crmd the error says so (exit 102);
  - crm_node -n/-i/-l/-p/-q/-N print Pacemaker's output (and a node that left as lost);
  - corosync-cmapctl lists the members' keys as corosync does (ip(ADDRESS), joined), -g reads
    one key, -s is refused, and without a crmd it fails with corosync's error;
  - Debian's ocf:pacemaker:Stateful, run with the executor's environment (HA_SBIN_DIR = the
    directory of Pulse's programs), sets master-RSC on start (5), promote (10) and demote (5) and
    deletes it on stop; crm_master sets it too, and so does ocf-shellfuncs'
    ocf_promotion_score in an agent (via crm_master or crm_attribute -p).

usage: crm_tools_netns_test.py CRMD PCS   (exit 0 pass, 1 fail, 77 skipped)
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cluster"))
from pulse_netns import Checks, NetnsCluster, node_address  # noqa: E402

CHECKS = Checks()
ok = CHECKS.ok
check = CHECKS.check
STATEFUL = "/usr/lib/ocf/resource.d/pacemaker/Stateful"


def run(crmd, pcs):
    bindir = os.path.dirname(os.path.abspath(crmd))
    with NetnsCluster(2, crmd, pcs, prefix=f"pulse-attr{os.getpid()}") as c:

        def tool(i, name, *args, env=None):
            extra = [f"{k}={v}" for k, v in (env or {}).items()]
            return c.harness("exec", str(i), "/usr/bin/env", f"PULSE_STATE_DIR={c.state_dir(i)}",
                             *extra, os.path.join(bindir, name), *args, check=False)

        def cib(i):
            with open(os.path.join(c.state_dir(i), "cib.xml"), encoding="utf-8") as f:
                return f.read()

        c.start_all_crmd()
        c.form("attrs")
        c.wait_for(lambda: c.pcs(1, "cluster", "cib", check=False).returncode == 0, 20,
                   "the DC to finish its sync")
        ok("2 nodes formed")

        for i in (1, 2):
            mode = oct(os.stat(os.path.join(c.state_dir(i), "local-admin")).st_mode & 0o777)
            check(mode == "0o600", f"n{i}'s local-admin file is mode 0600", mode)

        out = tool(1, "crm_attribute", "-N", "n2", "-n", "site", "-l", "reboot", "-v", "east")
        check(out.returncode == 0 and out.stdout == "" and out.stderr == "",
              "crm_attribute -N n2 -n site -l reboot -v east on n1", out.stdout + out.stderr)
        for i in (1, 2):
            check('name="site" value="east"' in cib(i) and "transient_attributes" in cib(i),
                  f"n{i}'s CIB status holds site=east")
        for i in (1, 2):
            out = tool(i, "crm_attribute", "-N", "n2", "-n", "site", "-l", "reboot", "-G")
            check(out.returncode == 0 and out.stdout == "scope=status  name=site value=east\n",
                  f"query on n{i} prints Pacemaker's line", repr(out.stdout + out.stderr))
        out = tool(2, "crm_attribute", "-n", "site", "-l", "reboot", "-G", "-q")
        check(out.returncode == 0 and out.stdout == "east\n",
              "on n2 the node defaults to the local node; -q prints the value only",
              repr(out.stdout + out.stderr))
        out = tool(1, "crm_attribute", "-n", "site", "-G", "-q")
        check(out.returncode == 105 and out.stderr ==
              "crm_attribute: Error performing operation: No such device or address\n",
              "the same name as a cluster option does not exist (exit 105)",
              f"{out.returncode} {out.stderr!r}")

        out = tool(2, "crm_attribute", "-N", "n2", "-n", "site", "-l", "reboot", "-D")
        check(out.returncode == 0 and 'name="site"' not in cib(1) and 'name="site"' not in cib(2),
              "delete removes it from every node's CIB", out.stderr)
        out = tool(1, "crm_attribute", "-N", "n2", "-n", "site", "-l", "reboot", "-G")
        check(out.returncode == 105 and out.stdout == "" and out.stderr ==
              "crm_attribute: Error performing operation: No such device or address\n",
              "a query of the deleted attribute: Pacemaker's error, exit 105",
              f"{out.returncode} {out.stderr!r}")
        out = tool(1, "crm_attribute", "-N", "n2", "-n", "site", "-l", "reboot", "-G", "-d", "x")
        check(out.returncode == 0 and out.stdout == "scope=status  name=site value=x\n",
              "-d prints the default when there is none", repr(out.stdout))
        out = tool(1, "crm_attribute", "-N", "n2", "-n", "site", "-l", "reboot", "-D")
        check(out.returncode == 0, "deleting an absent attribute succeeds", out.stderr)

        out = tool(1, "crm_attribute", "-N", "n9", "-n", "site", "-l", "reboot", "-v", "1")
        check(out.returncode == 105 and
              out.stderr == "crm_attribute: Could not map name=n9 to a UUID\n",
              "an unknown node: Pacemaker's error, exit 105", f"{out.returncode} {out.stderr!r}")
        out = tool(1, "crm_attribute", "-l", "reboot", "-D")
        check(out.returncode == 64 and "must specify attribute name" in out.stderr,
              "delete without a name: exit 64", f"{out.returncode} {out.stderr!r}")
        out = tool(1, "crm_attribute", "--bogus")
        check(out.returncode == 64 and out.stderr == "crm_attribute: Unknown option --bogus\n",
              "a bad option: exit 64", f"{out.returncode} {out.stderr!r}")
        out = subprocess.run([os.path.join(bindir, "crm_attribute"), "-n", "x", "-G"],
                             env=dict(os.environ, PULSE_STATE_DIR="/nonexistent-pulse"),
                             capture_output=True, text=True)
        check(out.returncode == 102 and "crmd running" in out.stderr,
              "no crmd: a clear error, exit 102", f"{out.returncode} {out.stderr!r}")

        out = tool(1, "crm_attribute", "--type", "crm_config", "-n", "cluster-delay", "-v", "61s")
        check(out.returncode == 0 and 'name="cluster-delay" value="61s"' in cib(2),
              "--type crm_config sets a cluster option", out.stderr)
        out = tool(2, "crm_attribute", "--type", "crm_config", "-n", "cluster-delay", "-G")
        check(out.stdout == "scope=crm_config  name=cluster-delay value=61s\n",
              "and queries it", repr(out.stdout + out.stderr))

        # crm_node
        out = tool(2, "crm_node", "-n")
        check(out.returncode == 0 and out.stdout == "n2\n", "crm_node -n on n2", out.stdout)
        out = tool(2, "crm_node", "-n", env={"OCF_RESKEY_CRM_meta_on_node": "other"})
        check(out.stdout == "other\n", "crm_node -n prefers the agent's on_node", out.stdout)
        out = tool(2, "crm_node", "-i")
        node2_id = out.stdout.strip()
        check(out.returncode == 0 and node2_id.isdigit(), "crm_node -i", out.stdout)
        out = tool(1, "crm_node", "-l")
        lines = out.stdout.splitlines()
        check(out.returncode == 0 and len(lines) == 2 and lines[0].endswith(" n1 member") and
              lines[1] == f"{node2_id} n2 member", "crm_node -l: id name state", out.stdout)
        out = tool(1, "crm_node", "-p")
        check(out.stdout == "n1 n2 \n", "crm_node -p", repr(out.stdout))
        out = tool(1, "crm_node", "-q")
        check(out.returncode == 0 and out.stdout == "1\n", "crm_node -q", out.stdout)
        out = tool(1, "crm_node", "-N", node2_id)
        check(out.stdout == "n2\n", "crm_node -N ID", out.stdout)
        out = tool(1, "crm_node", "-N", "999")
        check(out.returncode == 68 and out.stderr == "Node is not known to cluster\n",
              "crm_node -N unknown id: exit 68", f"{out.returncode} {out.stderr!r}")
        out = tool(1, "crm_node")
        check(out.returncode == 64 and "Usage" in out.stderr, "crm_node without a command: 64")

        # corosync-cmapctl, as the guides check membership: `corosync-cmapctl | grep members`.
        out = tool(1, "corosync-cmapctl")
        members = [line for line in out.stdout.splitlines() if "members" in line]
        check(f"runtime.members.{node2_id}.ip (str) = r(0) ip({node_address(2)}) " in members and
              f"runtime.members.{node2_id}.status (str) = joined" in members,
              "corosync-cmapctl | grep members: n2's ip() and status joined", out.stdout)
        check(out.returncode == 0 and len(members) == 8, "both members, 4 keys each", out.stdout)
        out = tool(2, "corosync-cmapctl", "-g", "runtime.votequorum.quorate")
        check(out.returncode == 0 and out.stdout == "runtime.votequorum.quorate (u8) = 1\n",
              "corosync-cmapctl -g runtime.votequorum.quorate", repr(out.stdout + out.stderr))
        out = tool(2, "corosync-cmapctl", "-s", "totem.token", "u32", "300")
        check(out.returncode == 1 and "pcs" in out.stderr, "corosync-cmapctl -s is refused",
              repr(out.stderr))
        out = subprocess.run([os.path.join(bindir, "corosync-cmapctl")],
                             env=dict(os.environ, PULSE_STATE_DIR="/nonexistent-pulse"),
                             capture_output=True, text=True)
        check(out.returncode == 1 and "CS_ERR_LIBRARY" in out.stderr,
              "corosync-cmapctl without a crmd: corosync's error, exit 1", repr(out.stderr))

        # Debian's Stateful agent with the executor's environment (pulse_run_agent runs it
        # through runAgent, as crmd's executor does).
        if not os.path.exists(STATEFUL):
            print(f"# {STATEFUL} not installed (pacemaker-resource-agents): "
                  "the agent checks are skipped")
        else:
            state = os.path.join(c.state_dir(2), "stateful.state")

            def agent(action):
                return tool(2, "pulse_run_agent", "--resource=db", "ocf:pacemaker:Stateful", action,
                            f"state={state}")

            def score(i=1):
                out = tool(i, "crm_attribute", "-N", "n2", "-p", "db", "-G", "-q")
                return out.stdout.strip() if out.returncode == 0 else None

            out = agent("start")
            check(out.returncode == 0 and score() == "5",
                  "Stateful start sets master-db=5 on n2 through Pulse's crm_attribute",
                  out.stdout + out.stderr + f" score={score()}")
            out = agent("promote")
            check(out.returncode == 0 and score() == "10", "Stateful promote sets master-db=10",
                  out.stdout + out.stderr)
            check('name="master-db" value="10"' in cib(1), "master-db is in the DC's CIB status")
            out = agent("demote")
            check(out.returncode == 0 and score() == "5", "Stateful demote sets master-db=5",
                  out.stdout + out.stderr)
            out = agent("stop")
            check(out.returncode == 0 and score() is None, "Stateful stop deletes master-db",
                  out.stdout + out.stderr)
            out = tool(2, "crm_master", "-r", "db", "-l", "reboot", "-v", "7")
            check(out.returncode == 0 and score() == "7", "crm_master -r db -l reboot -v 7",
                  out.stdout + out.stderr)

            # ocf-shellfuncs' ocf_promotion_score from an agent run as the executor runs it: through
            # crm_master, or crm_attribute -p when the agent is told a feature set >= 3.10.0.
            root = os.path.join(c.state_dir(2), "ocf")
            os.makedirs(os.path.join(root, "resource.d", "test"))
            promo = os.path.join(root, "resource.d", "test", "Promo")
            with open(promo, "w", encoding="utf-8") as f:
                f.write("#!/bin/sh\nOCF_FUNCTIONS_DIR=/usr/lib/ocf/lib/heartbeat\n"
                        ". $OCF_FUNCTIONS_DIR/ocf-shellfuncs\n"
                        "ocf_promotion_score -v \"$OCF_RESKEY_score\"\n")
            os.chmod(promo, 0o755)
            for feature_set, value in (("", "11"), ("3.16.2", "12")):
                out = tool(2, "pulse_run_agent", f"--ocf-root={root}", "--resource=db",
                           "ocf:test:Promo", "start", f"score={value}",
                           f"crm_feature_set={feature_set}")
                check(out.returncode == 0 and score() == value,
                      f"ocf_promotion_score in an agent (crm_feature_set '{feature_set}')",
                      out.stdout + out.stderr + f" score={score()}")

        # n2 leaves: n1's crm_node sees it lost; n2's programs say crmd is not there.
        c.stop_crmd(2)
        c.wait_for(lambda: tool(1, "crm_node", "-p").stdout == "n1 \n", 20, "n1 to see n2 leave")
        out = tool(1, "crm_node", "-l")
        check(out.stdout.splitlines()[1] == f"{node2_id} n2 lost", "crm_node -l: n2 lost",
              out.stdout)
        out = tool(2, "crm_node", "-i")
        check(out.returncode == 102 and out.stderr.startswith(
            "error: Could not connect to controller: "), "crm_node without crmd: exit 102",
            f"{out.returncode} {out.stderr!r}")


if __name__ == "__main__":
    sys.exit(CHECKS.main(__doc__, run))
