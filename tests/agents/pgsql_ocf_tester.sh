#!/usr/bin/env bash
# pgsql_ocf_tester.sh AGENT: Debian's ocf-tester on ocf:pulse:pgsql (meta-data against
# ra-api-1.dtd, the probe with binaries missing, start/monitor/stop twice each, notify, and
# for a promotable agent promote/demote twice each), on a single PostgreSQL 15 instance
# (initdb'd here, a free 127.0.0.1 port): start brings it up as a standby, promote makes it the
# primary, demote a standby again. No cluster: crm_attribute and crm_node are the stand-ins in
# fake_cluster/ (HA_SBIN_DIR), which keep the promotion scores as files and name the node n1. PostgreSQL runs as
# user postgres, so this needs root. Exit 0 pass, 1 fail, 77 skipped (not root, tool missing,
# CI unset).
set -euo pipefail
(($# == 1)) || { echo "usage: pgsql_ocf_tester.sh AGENT" >&2; exit 2; }
agent=$(cd "$(dirname "$1")" && pwd -P)/$(basename "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=SCRIPTDIR/../fixtures/missing_tool.sh
source "$here/../fixtures/missing_tool.sh"
if ((EUID != 0)); then
  echo "SKIPPED: runs PostgreSQL as user postgres, which needs root"
  exit 77
fi
require_tool ocf-tester resource-agents
bindir=/usr/lib/postgresql/15/bin
require_tool "$bindir/initdb" postgresql-15
require_tool python3 python3

dir=$(mktemp -d /tmp/pulse-pgsql-ocf-tester.XXXXXX)
chmod 755 "$dir"
mkdir "$dir/sock" "$dir/cib" "$dir/run" "$dir/pg"
chown postgres "$dir/sock" "$dir/pg"
export OCF_ROOT=/usr/lib/ocf HA_RSCTMP=$dir/run OCF_RESOURCE_INSTANCE=ocf-tester
# No node_name parameter: the agent asks crm_node -n (the stand-in answers n1).
export HA_SBIN_DIR=$here/fake_cluster PULSE_FAKE_CIB=$dir/cib PULSE_FAKE_NODE=n1
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
params=(pgdata="$dir/pg/data" pghost="$dir/sock" pgport="$port" listen_addresses=127.0.0.1
  logfile="$dir/pg/postgresql.log")
cleanup() {
  env "${params[@]/#/OCF_RESKEY_}" "$agent" stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
(cd / && runuser -u postgres -- "$bindir/initdb" -D "$dir/pg/data" -A trust -U postgres \
  --no-sync >/dev/null)
echo "fsync = off" >>"$dir/pg/data/postgresql.conf"
# ocf-tester (as root) checks that user nobody can run the agent's meta-data: a copy with the
# agent's own mode in a 755 folder, so a checkout under a private home folder still passes.
cp -p "$agent" "$dir/pgsql"
cp -p "$(dirname "$agent")/pgsql-lib.sh" "$(dirname "$agent")/pgsql-roles.sh" "$dir/"
agent=$dir/pgsql

options=()
for p in "${params[@]}"; do options+=(-o "$p"); done
ocf-tester -n ocf-tester "${options[@]}" "$agent"
# ocf-tester ends with the resource stopped: no server may be left running, no score left.
if pgrep -f -- "-D $dir/pg/data" >/dev/null || [[ -e $dir/pg/data/postmaster.pid ]]; then
  echo "FAIL: PostgreSQL still runs after ocf-tester stopped the resource" >&2
  exit 1
fi
if [[ -e $dir/cib/status/n1/master-ocf-tester ]]; then
  echo "FAIL: the stopped resource kept its promotion score" >&2
  exit 1
fi
grep -q "^set status n1 master-ocf-tester 1001$" "$dir/cib/log" || {
  echo "FAIL: the promoted instance never set its promotion score 1001:" >&2
  cat "$dir/cib/log" >&2
  exit 1
}
echo "PASS: ocf-tester passed ocf:pulse:pgsql"
