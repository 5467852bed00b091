#!/usr/bin/env bash
# haproxy_ocf_tester.sh AGENT: Debian's ocf-tester on ocf:pulse:haproxy (meta-data against
# ra-api-1.dtd, the probe with binaries missing, start/monitor/stop twice each, reload), with a
# real HAProxy on a free 127.0.0.1 port. Exit 0 pass, 1 fail, 77 skipped (tool missing, CI unset).
set -euo pipefail
(($# == 1)) || { echo "usage: haproxy_ocf_tester.sh AGENT" >&2; exit 2; }
agent=$(cd "$(dirname "$1")" && pwd -P)/$(basename "$1")
# shellcheck source=SCRIPTDIR/../fixtures/missing_tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/../fixtures/missing_tool.sh"
require_tool ocf-tester resource-agents
require_tool haproxy haproxy
require_tool python3 python3

dir=$(mktemp -d /tmp/pulse-ocf-tester.XXXXXX)
export OCF_ROOT=/usr/lib/ocf HA_RSCTMP=$dir/run OCF_RESOURCE_INSTANCE=ocf-tester
cleanup() {
  OCF_RESKEY_conffile=$dir/haproxy.cfg "$agent" stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
# ocf-tester (as root) checks that user nobody can run the agent's meta-data: a copy with the
# agent's own mode in a 755 folder, so a checkout under a private home folder still passes.
chmod 755 "$dir"
cp -p "$agent" "$dir/haproxy"
agent=$dir/haproxy

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$dir/haproxy.cfg" <<CFG
defaults
    mode tcp
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:$port
    default_backend be
backend be
    server nowhere 127.0.0.1:9
CFG

ocf-tester -n ocf-tester -o conffile="$dir/haproxy.cfg" "$agent"
# ocf-tester ends with the resource stopped: nothing of it may be left running.
if pgrep -f -- "-p $HA_RSCTMP/haproxy-ocf-tester.pid" >/dev/null; then
  echo "FAIL: HAProxy still runs after ocf-tester stopped the resource" >&2
  exit 1
fi
echo "PASS: ocf-tester passed ocf:pulse:haproxy"
