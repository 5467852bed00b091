#!/usr/bin/env bash
# harness.netns_smoke: brings up a 3-node netns cluster with netns_cluster.sh and checks that
# reachability, cut/heal, partition, process control and VIP moves behave, that teardown leaves
# nothing behind and that host interfaces are untouched. Exit 77 (skipped) when network
# namespaces cannot be created here.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
H=$HERE/netns_cluster.sh
PREFIX=pulse-smoke$$
export PULSE_NETNS_PREFIX=$PREFIX
START=$(date +%s%N)
CHECKS=0
TORN_DOWN=0

skip() {
  printf 'SKIPPED: %s\n' "$*"
  exit 77
}

fail() {
  printf 'FAIL: %s\n' "$*"
  exit 1
}

ok() {
  CHECKS=$((CHECKS + 1))
  printf 'ok %2d - %s\n' "$CHECKS" "$*"
}

# check DESC CMD...: CMD must succeed. refute DESC CMD...: CMD must fail.
check() {
  local desc=$1
  shift
  if "$@" >/dev/null 2>&1; then ok "$desc"; else fail "$desc (command: $*)"; fi
}

refute() {
  local desc=$1
  shift
  if "$@" >/dev/null 2>&1; then fail "$desc (command unexpectedly succeeded: $*)"; else ok "$desc"; fi
}

# expect_out DESC WANT CMD...: CMD's trimmed output must equal WANT; retries for up to 3 s.
expect_out() {
  local desc=$1 want=$2 got="" i
  shift 2
  for ((i = 0; i < 30; i++)); do
    got=$("$@" 2>/dev/null | tr -d '\r\n') || true
    [[ $got == "$want" ]] && { ok "$desc"; return 0; }
    sleep 0.1
  done
  fail "$desc (wanted '$want', got '$got')"
}

# A killed process is gone once it has no /proc entry or is a zombie: it was orphaned when the
# harness's `start` exited, so whoever reaps orphans here (pid 1 or a subreaper) may do so late.
running() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ $state != Z ]]
}

host_links() { ip -o link show | sed 's/ link-netnsid [0-9]*//'; }

teardown() {
  ((TORN_DOWN)) && return 0
  TORN_DOWN=1
  "$H" down --prefix "$PREFIX" || printf 'WARNING: down failed\n'
}

on_exit() {
  local rc=$?
  teardown
  exit "$rc"
}

# --- preflight -------------------------------------------------------------------------------
[[ $(id -u) == 0 ]] || skip "needs root to create network namespaces (running as uid $(id -u))"
for tool in ip python3 setsid; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
probe_ns=pulse-chk$$
if ! err=$(ip netns add "$probe_ns" 2>&1); then
  skip "cannot create network namespaces here: $err"
fi
if ! err=$(ip -n "$probe_ns" link add vtest0 type veth peer name vtest1 2>&1 &&
  ip -n "$probe_ns" link add brtest type bridge 2>&1); then
  ip netns del "$probe_ns" 2>/dev/null || true
  skip "veth/bridge not available in a namespace: $err"
fi
ip netns del "$probe_ns"

HOST_BEFORE=$(host_links)
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- bring-up --------------------------------------------------------------------------------
"$H" up 3 --prefix "$PREFIX"
ok "up 3 nodes ($PREFIX)"

check "node1 pings node2 (192.0.2.12)" "$H" ping 1 192.0.2.12
check "node1 pings node3 (192.0.2.13)" "$H" ping 1 192.0.2.13
check "node3 pings node1 (192.0.2.11)" "$H" ping 3 192.0.2.11

# --- cut / heal ------------------------------------------------------------------------------
"$H" cut 3
refute "cut node3: node1 cannot reach node3" "$H" ping 1 192.0.2.13 0.5
refute "cut node3: node3 cannot reach node2" "$H" ping 3 192.0.2.12 0.5
check "cut node3: node1 still reaches node2" "$H" ping 1 192.0.2.12
"$H" heal 3
check "heal node3: node1 reaches node3 again" "$H" ping 1 192.0.2.13

# --- partition -------------------------------------------------------------------------------
"$H" partition 1 "2 3"
refute "partition 1 | 2 3: node1 cannot reach node2" "$H" ping 1 192.0.2.12 0.5
refute "partition 1 | 2 3: node1 cannot reach node3" "$H" ping 1 192.0.2.13 0.5
check "partition 1 | 2 3: node2 reaches node3" "$H" ping 2 192.0.2.13
"$H" unpartition
check "unpartition: node1 reaches node2" "$H" ping 1 192.0.2.12
check "unpartition: node1 reaches node3" "$H" ping 1 192.0.2.13

# --- processes -------------------------------------------------------------------------------
pid=$("$H" start 2 sleeper sleep 1000)
check "start: sleep 1000 runs on node2 (pid $pid)" running "$pid"
[[ $(ip netns identify "$pid") == "$PREFIX-n2" ]] || fail "start: pid $pid is not in $PREFIX-n2"
ok "start: pid $pid lives in namespace $PREFIX-n2"
"$H" freeze 2 sleeper
[[ $(awk '{print $3}' "/proc/$pid/stat") == T ]] || fail "freeze: pid $pid is not stopped"
ok "freeze: pid $pid is stopped (state T)"
"$H" thaw 2 sleeper
[[ $(awk '{print $3}' "/proc/$pid/stat") != T ]] || fail "thaw: pid $pid is still stopped"
ok "thaw: pid $pid runs again"
"$H" kill 2 sleeper
refute "kill: pid $pid is gone" running "$pid"
refute "kill: harness no longer reports it" "$H" pid 2 sleeper
pid=$("$H" start 3 sleeper sleep 1000)
"$H" stop 3 sleeper 5
refute "stop: SIGTERM ended sleep 1000 on node3 (pid $pid)" running "$pid"

# --- VIP move --------------------------------------------------------------------------------
"$H" start 2 whoami python3 "$HERE/netprobe.py" serve 7000 "$PREFIX-node2" >/dev/null
"$H" start 3 whoami python3 "$HERE/netprobe.py" serve 7000 "$PREFIX-node3" >/dev/null
"$H" vip-add 2 198.51.100.10/24
check "VIP 198.51.100.10 on node2: node1 pings it" "$H" ping 1 198.51.100.10
expect_out "VIP 198.51.100.10 on node2: node1's TCP connection is answered by node2" "$PREFIX-node2" \
  "$H" probe 1 get 198.51.100.10 7000
"$H" vip-del 2 198.51.100.10/24
"$H" vip-add 3 198.51.100.10/24
expect_out "VIP moved to node3: node1's TCP connection is answered by node3" "$PREFIX-node3" \
  "$H" probe 1 get 198.51.100.10 7000
check "VIP moved to node3: node1 pings it" "$H" ping 1 198.51.100.10

# --- loss (informational: netem may be missing from the kernel) -------------------------------
set +e
"$H" loss 1 10 2>/dev/null
rc=$?
set -e
if ((rc == 0)); then
  "$H" loss 1 0
  ok "loss: netem available (10% applied and removed on node1)"
elif ((rc == 3)); then
  ok "loss: netem not available in this kernel; harness reports it (exit 3)"
else
  fail "loss: unexpected exit code $rc"
fi

"$H" status

# --- teardown and leftovers ------------------------------------------------------------------
teardown
ok "down"
if ip netns list | awk '{print $1}' | grep -q "^$PREFIX-"; then
  fail "namespaces with prefix $PREFIX remain: $(ip netns list | grep "^$PREFIX-" | tr '\n' ' ')"
fi
ok "no namespace with prefix $PREFIX remains"
[[ ! -e ${PULSE_NETNS_BASE:-/run/pulse-netns}/$PREFIX ]] || fail "run directory remains"
ok "no run directory remains"
if pgrep -f "netprobe.py serve 7000 $PREFIX-node" | grep -q .; then
  # Only ours could match: the test gives them these exact command lines.
  fail "whoami servers survived teardown"
fi
ok "no process started by the test survives"
if ip -o link show | grep -q -e "$PREFIX" -e ' vn[0-9]*[@:]'; then
  fail "host has an interface from the harness"
fi
HOST_AFTER=$(host_links)
if [[ $HOST_BEFORE != "$HOST_AFTER" ]]; then
  diff <(printf '%s\n' "$HOST_BEFORE") <(printf '%s\n' "$HOST_AFTER") || true
  fail "host interfaces changed"
fi
ok "host interfaces untouched ($(printf '%s\n' "$HOST_AFTER" | wc -l) links, identical ip -o link)"

printf 'PASS: %d checks in %d ms\n' "$CHECKS" $((($(date +%s%N) - START) / 1000000))
