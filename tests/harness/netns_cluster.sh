#!/usr/bin/env bash
# Pulse multi-node test cluster on one machine: every node is a network namespace, wired through
# a Linux bridge that itself lives in a namespace, so host networking is never touched.
#
#   P-br   bridge namespace: bridge br0 (plus brp1.. while partitioned), ports vn1..vnN
#   P-nI   node I: interface eth0 = 192.0.2.(10+I)/24, lo up, on-link route to 198.51.100.0/24
#          (the VIP range), so a VIP added on any node is reachable from every other node.
#          Processes run with `start` and `exec` see their own /run/resource-agents (HA_RSCTMP,
#          where agents such as Dummy and IPaddr2 keep their state): RUN/rsctmp/nI bind-mounted
#          in the mount namespace `ip netns exec` makes, so that nodes do not share agent state
#          files as they would not on separate machines.
#
# Run state lives in $PULSE_NETNS_BASE/P (default /run/pulse-netns/P): owner pid, node count,
# pid files and logs of the processes started with `start`. Prefixes must look like
# pulse-[A-Za-z0-9_]+ so leftovers of dead runs can be found; `up` sweeps runs whose owner process
# is gone, and namespaces named like ours that have no run directory at all.
#
# Run `netns_cluster.sh help` for the subcommands.
set -euo pipefail

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
BASE=${PULSE_NETNS_BASE:-/run/pulse-netns}
NODE_NET=192.0.2
NODE_OFFSET=10
VIP_NET=198.51.100.0/24
MAX_NODES=64
PREFIX_RE='^pulse-[A-Za-z0-9_]{1,40}$'
NS_RE='^(pulse-[A-Za-z0-9_]{1,40})-(br|n[0-9]+)$'

PREFIX=${PULSE_NETNS_PREFIX:-}

usage() {
  cat <<'EOF'
usage: netns_cluster.sh [--prefix P] COMMAND [ARGS...]

Cluster:
  up N [--prefix P] [--owner PID]  create bridge namespace P-br and nodes P-n1..P-nN; prints the
                                   layout. Default prefix pulse-<random>; owner defaults to the
                                   calling process (the run counts as stale once it is gone;
                                   --owner 0 = never stale)
  down | cleanup [--prefix P]      kill every process in the run's namespaces, delete them and the
                                   run directory (idempotent); with PULSE_NETNS_KEEP_LOGS=DIR the
                                   process logs are first copied to DIR/P/
  cleanup --all                    the same for every harness run on this machine
  sweep                            remove runs whose owner is dead and orphaned namespaces
  status                           layout, link state, bridges, addresses, processes
  runs                             list the prefixes of existing runs
Nodes (NODE = 3, n3 or P-n3):
  exec NODE CMD...                 run CMD in the node's namespace (env PULSE_NODE, PULSE_NODE_ADDR)
  addr NODE                        print the node's address
  start NODE NAME CMD...           start CMD in the background (own session) in the node; pid file
                                   and log (RUNDIR/logs/nI.NAME.log) in the run directory
  stop NODE NAME [TIMEOUT]         SIGTERM the process group, wait (default 10 s), then SIGKILL
  kill NODE NAME                   SIGKILL the process group and wait until it is gone
  freeze NODE NAME | thaw NODE NAME  SIGSTOP / SIGCONT the process group
  pid NODE NAME | log NODE NAME    print the pid (exit 1 if not running) / the log file path
Network:
  cut NODE | heal NODE             link down / up on the node's bridge port (node loses carrier)
  partition "1 2" "3 4 5" ...      each group on its own bridge (carrier kept); nodes not named
                                   stay on br0
  unpartition                      every node back on br0 (cut links stay cut)
  loss NODE PERCENT                netem packet loss on the node's eth0 (0 removes it); exits 3
                                   if the kernel has no netem
  power-off NODE | power-on NODE   a fence device: off kills every process of the node, drops its
                                   VIPs and its link; on restores the link (restart processes)
  power-status NODE                prints on/off; exit 0 on, 2 off
  vip-add NODE ADDR/PLEN           ip addr add on the node's eth0 + gratuitous ARP
  vip-del NODE ADDR/PLEN           ip addr del
  ping NODE ADDR [TIMEOUT]         one ICMP echo from the node (exit 0 = reply)
  probe NODE ARGS...               run netprobe.py ARGS in the node (ping/garp/serve/get)
EOF
}

die() {
  printf 'netns_cluster: %s\n' "$*" >&2
  exit 1
}

valid_prefix() {
  [[ $1 =~ $PREFIX_RE ]] || die "bad prefix '$1' (must match pulse-[A-Za-z0-9_]+, at most 46 characters)"
}

# Resolve the prefix: --prefix, $PULSE_NETNS_PREFIX, or the only run on this machine.
need_prefix() {
  if [[ -z $PREFIX ]]; then
    local runs=()
    if [[ -d $BASE ]]; then
      local d
      for d in "$BASE"/pulse-*; do
        [[ -d $d ]] && runs+=("${d##*/}")
      done
    fi
    ((${#runs[@]} == 1)) || die "no --prefix and ${#runs[@]} runs exist (${runs[*]:-none}); pass --prefix or set PULSE_NETNS_PREFIX"
    PREFIX=${runs[0]}
  fi
  valid_prefix "$PREFIX"
  RUN=$BASE/$PREFIX
}

need_run() {
  need_prefix
  [[ -f $RUN/nodes ]] || die "run $PREFIX is not up (no $RUN/nodes)"
  NODES=$(<"$RUN/nodes")
}

# NODE argument -> IDX (1-based), NS (namespace name).
node() {
  local arg=$1
  arg=${arg#"$PREFIX"-}
  arg=${arg#n}
  if [[ ! $arg =~ ^[0-9]+$ ]] || ((10#$arg < 1 || 10#$arg > NODES)); then
    die "no node '$1' (nodes are 1..$NODES)"
  fi
  IDX=$((10#$arg))
  NS=$PREFIX-n$IDX
}

node_addr() { printf '%s.%d' "$NODE_NET" $((NODE_OFFSET + $1)); }

ns_exists() { [[ -e /run/netns/$1 ]]; }

list_ns() { ip netns list 2>/dev/null | awk '{print $1}'; }

# --- process helpers -------------------------------------------------------------------------

# A recorded pid counts as alive if it exists, is not a zombie and still lives in NS.
alive() {
  local pid=$1 ns=$2 state
  [[ -r /proc/$pid/stat ]] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ $state != Z ]] || return 1
  [[ $(ip netns identify "$pid" 2>/dev/null) == "$ns" ]]
}

proc_files() {
  PIDF=$RUN/procs/n$IDX.$1.pid
  LOGF=$RUN/logs/n$IDX.$1.log
}

valid_name() { [[ $1 =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad process name '$1'"; }

signal_group() {
  local sig=$1 pid=$2
  kill "-$sig" -- "-$pid" 2>/dev/null || kill "-$sig" "$pid" 2>/dev/null || true
}

wait_gone() {
  local pid=$1 ns=$2 timeout=$3 waited=0
  while alive "$pid" "$ns"; do
    ((waited >= timeout * 10)) && return 1
    sleep 0.1
    waited=$((waited + 1))
  done
}

recorded_pid() {
  [[ -f $PIDF ]] || die "no process '$1' on node $IDX"
  local pid
  pid=$(<"$PIDF")
  alive "$pid" "$NS" || { rm -f "$PIDF"; die "process '$1' on node $IDX is not running (pid $pid)"; }
  printf '%s' "$pid"
}

# --- teardown --------------------------------------------------------------------------------

# Every process of namespace $1 killed. When this script runs inside that namespace (a node
# fencing itself: its crmd runs fence_pulse_netns, which runs power-off here), it is one of
# those processes: it skips itself, or it would die halfway and leave the node half powered
# off (link up, VIPs on, whatever came after it in the list still running), where a PDU cuts
# everything whoever asked. Each round kills the whole listing with the builtin first (a node
# must not outlive its agents long enough to act on their deaths), then lists again: a process
# may fork between the listing and its death. Done when only this script and zombies are left.
kill_ns_procs() {
  local ns=$1 pid state round live
  ns_exists "$ns" || return 0
  for round in 1 2 3 4 5 6 7 8 9 10; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      [[ $pid == "$$" || $pid == "$BASHPID" ]] || kill -KILL "$pid" 2>/dev/null || true
    done
    live=0
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
      state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null) || state=
      [[ -z $state || $state == Z || $state == X ]] || live=$((live + 1))
    done
    ((live == 0)) && return 0
    ((round == 10)) || sleep 0.05
  done
}

teardown_prefix() {
  local p=$1 ns f pid
  valid_prefix "$p"
  # Recorded processes first (whole groups), then anything else living in the namespaces:
  # processes keep a namespace alive after `ip netns del`.
  if [[ -d $BASE/$p/procs ]]; then
    for f in "$BASE/$p"/procs/*.pid; do
      [[ -f $f ]] || continue
      pid=$(<"$f")
      ns=$p-$(basename "$f" | cut -d. -f1)
      if [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" "$ns"; then
        signal_group KILL "$pid"
      fi
    done
  fi
  for ns in $(list_ns); do
    [[ $ns =~ $NS_RE && ${BASH_REMATCH[1]} == "$p" ]] || continue
    kill_ns_procs "$ns"
  done
  for ns in $(list_ns); do
    [[ $ns =~ $NS_RE && ${BASH_REMATCH[1]} == "$p" ]] || continue
    ip netns del "$ns" 2>/dev/null || true
  done
  if [[ -n ${PULSE_NETNS_KEEP_LOGS:-} && -d $BASE/$p/logs ]]; then
    mkdir -p "$PULSE_NETNS_KEEP_LOGS/$p"
    cp -a "$BASE/$p/logs/." "$PULSE_NETNS_KEEP_LOGS/$p/" || true
  fi
  rm -rf "${BASE:?}/$p"
}

cmd_sweep() {
  local d p owner ns
  if [[ -d $BASE ]]; then
    for d in "$BASE"/pulse-*; do
      [[ -d $d ]] || continue
      p=${d##*/}
      [[ $p =~ $PREFIX_RE ]] || continue
      owner=$(cat "$d/owner" 2>/dev/null || echo dead)
      [[ $owner == 0 ]] && continue
      if [[ ! $owner =~ ^[0-9]+$ ]] || ! kill -0 "$owner" 2>/dev/null; then
        printf 'sweep: removing stale run %s (owner %s gone)\n' "$p" "$owner" >&2
        teardown_prefix "$p"
      fi
    done
  fi
  for ns in $(list_ns); do
    [[ $ns =~ $NS_RE ]] || continue
    p=${BASH_REMATCH[1]}
    if [[ ! -d $BASE/$p ]]; then
      printf 'sweep: removing orphaned namespace %s\n' "$ns" >&2
      kill_ns_procs "$ns"
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
}

cmd_down() {
  local all=0
  while (($#)); do
    case $1 in
      --prefix) PREFIX=${2:?--prefix needs a value}; shift 2 ;;
      --all) all=1; shift ;;
      *) die "down: unexpected argument '$1'" ;;
    esac
  done
  if ((all)); then
    local d ns
    if [[ -d $BASE ]]; then
      for d in "$BASE"/pulse-*; do
        [[ -d $d ]] && teardown_prefix "${d##*/}"
      done
    fi
    for ns in $(list_ns); do
      [[ $ns =~ $NS_RE ]] && teardown_prefix "${BASH_REMATCH[1]}"
    done
    return 0
  fi
  if [[ -z $PREFIX && ! -d $BASE ]]; then
    return 0 # nothing exists at all: idempotent
  fi
  need_prefix
  teardown_prefix "$PREFIX"
}

# --- bring-up --------------------------------------------------------------------------------

cmd_up() {
  local n="" owner=$PPID
  while (($#)); do
    case $1 in
      --prefix) PREFIX=${2:?--prefix needs a value}; shift 2 ;;
      --owner) owner=${2:?--owner needs a value}; shift 2 ;;
      *) [[ -z $n ]] || die "up: unexpected argument '$1'"; n=$1; shift ;;
    esac
  done
  if [[ ! $n =~ ^[0-9]+$ ]] || ((10#$n < 1 || 10#$n > MAX_NODES)); then
    die "up: N must be 1..$MAX_NODES"
  fi
  n=$((10#$n))
  [[ $owner =~ ^[0-9]+$ ]] || die "up: --owner must be a pid"
  [[ -n $PREFIX ]] || PREFIX=pulse-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
  valid_prefix "$PREFIX"
  RUN=$BASE/$PREFIX
  cmd_sweep
  [[ ! -e $RUN ]] || die "run $PREFIX already exists ($RUN); run down first"
  local ns
  for ns in $(list_ns); do
    [[ $ns == "$PREFIX"-* ]] && die "namespace $ns already exists; run down --prefix $PREFIX"
  done
  mkdir -p "$RUN/procs" "$RUN/logs"
  printf '%s\n' "$owner" >"$RUN/owner"
  # From here on a failure must not leave half a cluster behind.
  trap 'teardown_prefix "$PREFIX"' ERR
  local br=$PREFIX-br i node addr
  ip netns add "$br"
  ip -n "$br" link set lo up
  ip -n "$br" link add br0 type bridge forward_delay 0 stp_state 0
  ip -n "$br" link set br0 up
  for ((i = 1; i <= n; i++)); do
    node=$PREFIX-n$i
    addr=$(node_addr "$i")
    ip netns add "$node"
    ip -n "$node" link set lo up
    # Both ends are created inside namespaces: nothing ever appears in the host namespace.
    ip -n "$br" link add "vn$i" type veth peer name eth0 netns "$node"
    ip -n "$br" link set "vn$i" master br0 up
    ip -n "$node" addr add "$addr/24" dev eth0
    ip -n "$node" link set eth0 up
    ip -n "$node" route add "$VIP_NET" dev eth0 metric 1000
  done
  printf '%s\n' "$n" >"$RUN/nodes"
  trap - ERR
  NODES=$n
  printf 'cluster %s up: %d nodes, run dir %s\n' "$PREFIX" "$n" "$RUN"
  printf '  bridge namespace %s (bridge br0)\n' "$br"
  for ((i = 1; i <= n; i++)); do
    printf '  node %d: namespace %s-n%d  eth0 %s/24  bridge port vn%d\n' "$i" "$PREFIX" "$i" "$(node_addr "$i")" "$i"
  done
  printf '  VIPs: %s, on-link from every node (vip-add NODE ADDR/24)\n' "$VIP_NET"
}

# --- status ----------------------------------------------------------------------------------

cmd_status() {
  while (($#)); do
    case $1 in
      --prefix) PREFIX=${2:?--prefix needs a value}; shift 2 ;;
      *) die "status: unexpected argument '$1'" ;;
    esac
  done
  need_run
  local br=$PREFIX-br i state master addrs f name pid pstate
  printf 'cluster %s: %d nodes, owner %s, run dir %s\n' "$PREFIX" "$NODES" "$(<"$RUN/owner")" "$RUN"
  for ((i = 1; i <= NODES; i++)); do
    if ip -n "$br" -o link show "vn$i" 2>/dev/null | grep -q '<[^>]*\bUP\b'; then state=up; else state=CUT; fi
    master=$(ip -n "$br" -o link show "vn$i" 2>/dev/null | sed -n 's/.* master \([^ ]*\).*/\1/p')
    addrs=$(ip -n "$PREFIX-n$i" -o -4 addr show dev eth0 2>/dev/null | awk '{printf "%s ", $4}')
    printf '  n%d  link %-4s bridge %-5s addrs %s\n' "$i" "$state" "${master:-none}" "$addrs"
  done
  for f in "$RUN"/procs/*.pid; do
    [[ -f $f ]] || continue
    name=$(basename "$f" .pid)
    pid=$(<"$f")
    if alive "$pid" "$PREFIX-${name%%.*}"; then
      pstate=$(awk '{print $3}' "/proc/$pid/stat")
      [[ $pstate == T ]] && pstate=frozen || pstate=running
    else
      pstate=dead
    fi
    printf '  proc %-20s pid %-8s %s\n' "$name" "$pid" "$pstate"
  done
}

cmd_runs() {
  [[ -d $BASE ]] || return 0
  local d
  for d in "$BASE"/pulse-*; do
    [[ -d $d ]] && printf '%s\n' "${d##*/}"
  done
  return 0
}

# --- processes -------------------------------------------------------------------------------

RSCTMP=/run/resource-agents

# The node's private agent state folder (see the top): created on demand, so runs made by an
# older harness keep working.
node_rsctmp() {
  local dir=$RUN/rsctmp/n$IDX
  mkdir -p "$dir" "$RSCTMP"
  printf '%s' "$dir"
}

node_exec() {
  local dir
  dir=$(node_rsctmp)
  # shellcheck disable=SC2016  # expanded by the inner shell
  PULSE_NODE=n$IDX PULSE_NODE_INDEX=$IDX PULSE_NODE_ADDR=$(node_addr "$IDX") PULSE_NETNS_PREFIX=$PREFIX \
    ip netns exec "$NS" bash -c 'mount --bind "$0" '"$RSCTMP"' && exec "$@"' "$dir" "$@"
}

cmd_start() {
  (($# >= 3)) || die "usage: start NODE NAME CMD..."
  node "$1"
  valid_name "$2"
  proc_files "$2"
  local name=$2
  shift 2
  if [[ -f $PIDF ]] && alive "$(<"$PIDF")" "$NS"; then
    die "process '$name' already running on node $IDX (pid $(<"$PIDF"))"
  fi
  rm -f "$PIDF"
  local dir
  dir=$(node_rsctmp)
  # setsid: own session and process group, so stop/kill reach its children too. The inner
  # shell gives the node its agent state folder, records its own pid (= the command's, thanks
  # to exec) and exec's the command.
  # shellcheck disable=SC2016  # expanded by the inner shell
  PULSE_NODE=n$IDX PULSE_NODE_INDEX=$IDX PULSE_NODE_ADDR=$(node_addr "$IDX") PULSE_NETNS_PREFIX=$PREFIX \
    setsid ip netns exec "$NS" bash -c 'mount --bind "$1" '"$RSCTMP"' || exit 1
      echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && shift && exec "$@"' "$PIDF" "$dir" "$@" \
    </dev/null >>"$LOGF" 2>&1 &
  local waited=0
  until [[ -f $PIDF ]]; do
    ((waited < 50)) || die "start: '$name' did not come up (see $LOGF)"
    sleep 0.05
    waited=$((waited + 1))
  done
  printf '%s\n' "$(<"$PIDF")"
}

cmd_signal() {
  local what=$1
  shift
  (($# >= 2)) || die "usage: $what NODE NAME"
  node "$1"
  valid_name "$2"
  proc_files "$2"
  local pid
  pid=$(recorded_pid "$2")
  case $what in
    stop)
      local timeout=${3:-10}
      [[ $timeout =~ ^[0-9]+$ ]] || die "stop: TIMEOUT must be whole seconds"
      signal_group CONT "$pid" # a frozen process cannot act on SIGTERM
      signal_group TERM "$pid"
      if ! wait_gone "$pid" "$NS" "$timeout"; then
        printf 'stop: %s on node %d ignored SIGTERM for %ss; SIGKILL\n' "$2" "$IDX" "$timeout" >&2
        signal_group KILL "$pid"
        wait_gone "$pid" "$NS" 5 || die "stop: pid $pid survived SIGKILL"
      fi
      rm -f "$PIDF"
      ;;
    kill)
      signal_group KILL "$pid"
      wait_gone "$pid" "$NS" 5 || die "kill: pid $pid survived SIGKILL"
      rm -f "$PIDF"
      ;;
    freeze | thaw)
      local sig=STOP
      [[ $what == thaw ]] && sig=CONT
      signal_group "$sig" "$pid"
      # Signals are delivered asynchronously: return once the state shows it.
      local waited=0 state
      while state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null); do
        if [[ $what == freeze ]]; then [[ $state == T ]] && break; else [[ $state != T ]] && break; fi
        ((waited < 50)) || die "$what: pid $pid is still in state $state"
        sleep 0.02
        waited=$((waited + 1))
      done
      ;;
  esac
}

# --- network ---------------------------------------------------------------------------------

cmd_link() {
  local updown=$1
  (($# == 2)) || die "usage: cut|heal NODE"
  node "$2"
  ip -n "$PREFIX-br" link set "vn$IDX" "$updown"
}

cmd_unpartition() {
  local br=$PREFIX-br i b
  for ((i = 1; i <= NODES; i++)); do
    ip -n "$br" link set "vn$i" master br0
  done
  for b in $(ip -n "$br" -o link show type bridge | awk -F': ' '{print $2}' | cut -d@ -f1); do
    [[ $b == br0 ]] || ip -n "$br" link del "$b"
  done
}

cmd_partition() {
  (($# >= 1)) || die "usage: partition \"1 2\" \"3 4 5\" ..."
  local -A seen=()
  local group n g=0 br=$PREFIX-br
  # Validate everything before touching the network.
  for group in "$@"; do
    [[ -n ${group// /} ]] || die "partition: empty group"
    for n in $group; do
      node "$n"
      [[ -z ${seen[$IDX]:-} ]] || die "partition: node $IDX is in two groups"
      seen[$IDX]=1
    done
  done
  cmd_unpartition
  for group in "$@"; do
    g=$((g + 1))
    ip -n "$br" link add "brp$g" type bridge forward_delay 0 stp_state 0
    ip -n "$br" link set "brp$g" up
    for n in $group; do
      node "$n"
      ip -n "$br" link set "vn$IDX" master "brp$g"
    done
  done
}

cmd_loss() {
  (($# == 2)) || die "usage: loss NODE PERCENT"
  node "$1"
  [[ $2 =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "loss: PERCENT must be a number"
  if [[ $2 =~ ^0+(\.0+)?$ ]]; then
    ip -n "$NS" link show eth0 >/dev/null
    tc -n "$NS" qdisc del dev eth0 root 2>/dev/null || true
    return 0
  fi
  local err
  if ! err=$(tc -n "$NS" qdisc replace dev eth0 root netem loss "$2%" 2>&1); then
    printf 'netns_cluster: loss: netem is not available here (%s); use cut/heal or partition\n' "$err" >&2
    exit 3
  fi
}

cmd_vip() {
  local op=$1
  (($# == 3)) || die "usage: vip-$op NODE ADDR/PLEN"
  node "$2"
  [[ $3 =~ ^([0-9.]+)/[0-9]+$ ]] || die "vip-$op: want ADDR/PLEN, got '$3'"
  local ip=${BASH_REMATCH[1]}
  ip -n "$NS" addr "$op" "$3" dev eth0
  if [[ $op == add ]]; then
    # Like IPaddr2: announce the move so neighbours update their ARP caches now.
    node_exec python3 "$HARNESS_DIR/netprobe.py" garp eth0 "$ip"
  fi
}

# power off|on|status NODE: what a fence device does to a machine. off kills every process in
# the node's namespace, removes every address but the node's own (its VIPs go with the
# machine) and takes its link down; on brings the link back (processes are started again by
# the caller, as after a boot). status prints on or off and exits 0 (on) or 2 (off), the
# fence-agents convention.
cmd_power() {
  local op=$1
  (($# == 2)) || die "usage: power-$op NODE"
  node "$2"
  local flag=$BASE/$PREFIX/power-n$IDX addr
  case $op in
    off)
      : >"$flag"
      kill_ns_procs "$NS"
      # An address may vanish meanwhile (the node's own self-fence, racing with this one).
      for addr in $(ip -n "$NS" -o -4 addr show dev eth0 | awk '{print $4}'); do
        [[ ${addr%/*} == "$(node_addr "$IDX")" ]] || ip -n "$NS" addr del "$addr" dev eth0 2>/dev/null || true
      done
      ip -n "$PREFIX-br" link set "vn$IDX" down
      ;;
    on)
      ip -n "$PREFIX-br" link set "vn$IDX" up
      rm -f "$flag"
      ;;
    status)
      if [[ -f $flag ]]; then
        echo off
        return 2
      fi
      echo on
      ;;
  esac
}

# --- main ------------------------------------------------------------------------------------

main() {
  while (($#)); do
    case $1 in
      --prefix) PREFIX=${2:?--prefix needs a value}; shift 2 ;;
      *) break ;;
    esac
  done
  (($#)) || { usage >&2; exit 2; }
  local cmd=$1
  shift
  case $cmd in
    help | -h | --help) usage ;;
    up) cmd_up "$@" ;;
    down | cleanup) cmd_down "$@" ;;
    sweep) cmd_sweep ;;
    runs) cmd_runs ;;
    status) cmd_status "$@" ;;
    *)
      need_run
      case $cmd in
        exec) (($# >= 2)) || die "usage: exec NODE CMD..."; node "$1"; shift; node_exec "$@" ;;
        addr) (($# == 1)) || die "usage: addr NODE"; node "$1"; node_addr "$IDX"; echo ;;
        start) cmd_start "$@" ;;
        stop | kill | freeze | thaw) cmd_signal "$cmd" "$@" ;;
        pid) (($# == 2)) || die "usage: pid NODE NAME"; node "$1"; valid_name "$2"; proc_files "$2"; recorded_pid "$2"; echo ;;
        log) (($# == 2)) || die "usage: log NODE NAME"; node "$1"; valid_name "$2"; proc_files "$2"; printf '%s\n' "$LOGF" ;;
        cut) cmd_link down "$@" ;;
        heal) cmd_link up "$@" ;;
        partition) cmd_partition "$@" ;;
        unpartition) cmd_unpartition ;;
        loss) cmd_loss "$@" ;;
        power-off) cmd_power off "$@" ;;
        power-on) cmd_power on "$@" ;;
        power-status) cmd_power status "$@" ;;
        vip-add) cmd_vip add "$@" ;;
        vip-del) cmd_vip del "$@" ;;
        ping) (($# == 2 || $# == 3)) || die "usage: ping NODE ADDR [TIMEOUT]"; node "$1"; node_exec python3 "$HARNESS_DIR/netprobe.py" ping "$2" --timeout "${3:-1}" ;;
        probe) (($# >= 2)) || die "usage: probe NODE ARGS..."; node "$1"; shift; node_exec python3 "$HARNESS_DIR/netprobe.py" "$@" ;;
        *) printf 'netns_cluster: unknown command %s\n' "$cmd" >&2; usage >&2; exit 2 ;;
      esac
      ;;
  esac
}

main "$@"
