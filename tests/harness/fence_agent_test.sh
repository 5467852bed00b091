#!/usr/bin/env bash
# harness.fence_agent: resource-agents/fence/fence_pulse_netns, run from node 1's namespace as
# a surviving node's executor would, powers node 3 off: its processes die, its VIP stops
# answering, status says off (exit 2); on brings its link back. Run from node 2's own namespace
# against node 2 (a DC fencing itself), the power-off is just as complete: the agent and the
# harness are processes of the node they switch off, and must not stop halfway when they kill
# themselves. Exit 77 without root.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
H=$HERE/netns_cluster.sh
AGENT=$HERE/../../resource-agents/fence/fence_pulse_netns
export PULSE_NETNS_PREFIX=pulse-fence$$
[[ $(id -u) == 0 ]] || { echo "SKIPPED: needs root"; exit 77; }
trap '"$H" down >/dev/null 2>&1 || true' EXIT
fail() { echo "FAIL: $*"; exit 1; }
fence() { "$H" exec 1 "$AGENT" <<<"$1"; }

"$H" up 3 >/dev/null
pid=$("$H" start 3 sleeper sleep 600)
"$H" vip-add 3 198.51.100.30/24
"$H" probe 1 ping 198.51.100.30 >/dev/null || fail "the VIP does not answer before fencing"

fence $'action=status\nplug=n3' | grep -q "Status: ON" || fail "status before fencing"
fence $'action=off\nplug=n3' | grep -q "Success: Powered OFF" || fail "action=off"
! "$H" pid 3 sleeper >/dev/null 2>&1 || fail "a process of the fenced node (pid $pid) survived"
! "$H" probe 1 ping 198.51.100.30 >/dev/null 2>&1 || fail "the fenced node's VIP still answers"
set +e
fence $'action=status\nport=3' >/dev/null
rc=$?
set -e
[[ $rc == 2 ]] || fail "status of a fenced node: exit $rc, want 2"
fence $'action=on\nnodename=n3' >/dev/null || fail "action=on"
"$H" probe 1 ping "$("$H" addr 3)" >/dev/null || fail "node 3 unreachable after power on"
# A node fencing itself: every process of it dies (those started after the harness too), its
# VIP and its link go, whoever ran the agent.
"$H" start 2 sleeper sleep 600 >/dev/null
"$H" vip-add 2 198.51.100.20/24
"$H" exec 2 "$AGENT" <<<$'action=off\nplug=n2' >/dev/null 2>&1 || true
# The agent dies with its node; the harness it ran finishes the power-off on its own.
for _ in $(seq 50); do
  [[ -z $(ip netns pids "$PULSE_NETNS_PREFIX-n2") ]] && break
  sleep 0.1
done
"$H" pid 2 sleeper >/dev/null 2>&1 && fail "a process of the node that fenced itself survived"
[[ -z $(ip netns pids "$PULSE_NETNS_PREFIX-n2") ]] ||
  fail "processes of the node that fenced itself survived: $(ip netns pids "$PULSE_NETNS_PREFIX-n2")"
! "$H" probe 1 ping 198.51.100.20 >/dev/null 2>&1 || fail "the self-fenced node's VIP still answers"
! "$H" probe 1 ping "$("$H" addr 2)" >/dev/null 2>&1 || fail "the self-fenced node's link is up"
fence $'action=metadata' | grep -q '<resource-agent name="fence_pulse_netns"' || fail "metadata"
set +e
fence $'action=off\nplug=bogus' 2>/dev/null
rc=$?
set -e
[[ $rc == 1 ]] || fail "a bad plug: exit $rc, want 1"
echo "PASS"
