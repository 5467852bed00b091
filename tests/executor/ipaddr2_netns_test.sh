#!/usr/bin/env bash
# executor.ipaddr2_netns: Debian's ocf:heartbeat:IPaddr2 run by Pulse's agent runner inside
# node 1's namespace of a 2-node netns test cluster: start puts the VIP on node 1 (node 2 can
# ping it), monitor says running, stop removes it, monitor says not running. Host networking is
# never touched. Exit 77 (skipped) without root / namespaces, or without IPaddr2 outside CI.
set -euo pipefail

RUNNER=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
H=$HERE/../harness/netns_cluster.sh
export PULSE_NETNS_PREFIX=pulse-ipa$$
VIP=198.51.100.10
STEP=0

skip() { printf 'SKIPPED: %s\n' "$*"; exit 77; }
fail() { printf 'FAIL: %s\n' "$*"; exit 1; }
ok() { STEP=$((STEP + 1)); printf 'ok %d - %s\n' "$STEP" "$*"; }

[[ $(id -u) == 0 ]] || skip "needs root for network namespaces"
# shellcheck source=SCRIPTDIR/../fixtures/missing_tool.sh
source "$HERE/../fixtures/missing_tool.sh"
require_tool /usr/lib/ocf/resource.d/heartbeat/IPaddr2 resource-agents
ip netns add "pulse-ipaprobe$$" 2>/dev/null || skip "cannot create network namespaces here"
ip netns del "pulse-ipaprobe$$"

trap '"$H" down >/dev/null 2>&1 || true' EXIT
"$H" up 2 >/dev/null

# agent ACTION WANT_RC: runs IPaddr2 ACTION on node 1 and checks its exit status.
agent() {
  local rc=0
  "$H" exec 1 "$RUNNER" --resource=vip ocf:heartbeat:IPaddr2 "$1" ip=$VIP cidr_netmask=24 \
    >"/tmp/$PULSE_NETNS_PREFIX.out" 2>&1 || rc=$?
  [[ $rc == "$2" ]] || { cat "/tmp/$PULSE_NETNS_PREFIX.out"; fail "IPaddr2 $1: exit $rc, wanted $2"; }
  ok "IPaddr2 $1 -> $2"
}

agent monitor 7
agent start 0
agent monitor 0
# (No `| grep -q` under pipefail: grep's early exit would fail the pipeline with SIGPIPE.)
node1_has_vip() { [[ $(ip -n "$PULSE_NETNS_PREFIX-n1" -o addr show) == *" $VIP/24 "* ]]; }
node1_has_vip || fail "VIP not on node 1"
ok "VIP $VIP is on node 1"
"$H" ping 2 $VIP 2 >/dev/null || fail "node 2 cannot reach the VIP"
ok "node 2 reaches the VIP"
agent stop 0
agent monitor 7
node1_has_vip && fail "VIP still on node 1"
ok "VIP gone after stop"
rm -f "/tmp/$PULSE_NETNS_PREFIX.out"
