#!/usr/bin/env bash
# End to end on a CIB file (pcs -f): systemd:/lsb: resources as pcs accepts them, with
# systemd answered by the fake systemctl (tests/fixtures/fake_systemctl, PULSE_SYSTEMCTL) and
# without systemd, and pcs alert's listing. Usage: pcs_services_alerts_test.sh PCS
set -u
PCS=$1
fixtures=$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

{
  echo '<cib epoch="3" num_updates="0" admin_epoch="0" validate-with="pacemaker-3.7">'
  sed -n '/^  <configuration>/,$p' "$fixtures/three_node_configuration.xml"
  echo '  <status/>'
  echo '</cib>'
} >cib.xml

# A node with systemd (the marker directory exists) and a unit web.service; an init script.
mkdir -p systemctl/units run-systemd init.d
ln -s "$fixtures/fake_systemctl" systemctl/systemctl
printf 'Description=the web server\nExecStart=sleep 1000\n' >systemctl/units/web.service
printf '#!/bin/sh\n### BEGIN INIT INFO\n# Short-Description: old style\n### END INIT INFO\nexit 0\n' \
  >init.d/legacy
chmod +x init.d/legacy
export PULSE_SYSTEMCTL=$dir/systemctl/systemctl PULSE_LSB_ROOT=$dir/init.d
with_systemd() { PULSE_SYSTEMD_DIR=$dir/run-systemd "$PCS" "$@"; }
without_systemd() { PULSE_SYSTEMD_DIR=$dir/no-such-dir "$PCS" "$@"; }

with_systemd resource standards >out 2>&1 || fail "standards: $(cat out)"
[[ $(tr '\n' ' ' <out) == "lsb ocf service systemd " ]] || fail "standards with systemd: $(cat out)"
without_systemd resource standards >out 2>&1
[[ $(tr '\n' ' ' <out) == "lsb ocf service " ]] || fail "standards without systemd: $(cat out)"
without_systemd resource agents lsb >out 2>&1
[[ $(cat out) == legacy ]] || fail "agents lsb: $(cat out)"

with_systemd resource describe systemd:web >out 2>&1 || fail "describe systemd:web: $(cat out)"
grep -q '^systemd:web - systemd unit file for web$' out || fail "describe systemd:web: $(cat out)"
grep -q '^the web server$' out || fail "describe: no unit description: $(cat out)"

# pcs checks the unit exists (through systemd) before it writes the primitive.
with_systemd -f cib.xml resource create web systemd:web >out 2>&1 || fail "create: $(cat out)"
grep -q '<primitive id="web" class="systemd" type="web">' cib.xml ||
  fail "create: no systemd primitive: $(grep -A8 'id="web"' cib.xml)"
grep -q 'name="start" interval="0s" timeout="100s"' cib.xml ||
  fail "create: the unit's start timeout (100 s) missing: $(grep -A8 'id="web"' cib.xml)"
with_systemd -f cib.xml resource create other systemd:nosuch >out 2>&1 &&
  fail "create systemd:nosuch accepted"
grep -q "unit nosuch.service not found, use --force to override" out ||
  fail "create systemd:nosuch: $(cat out)"
without_systemd -f cib.xml resource create web2 systemd:web >out 2>&1 &&
  fail "create without systemd accepted"
grep -q "Agent 'systemd:web' is not installed or does not provide valid metadata: .*systemd is not running on this node" out ||
  fail "create without systemd: $(cat out)"
without_systemd -f cib.xml resource create web2 systemd:web --force >out 2>&1 ||
  fail "create --force without systemd: $(cat out)"
without_systemd -f cib.xml resource create old lsb:legacy >out 2>&1 || fail "create lsb: $(cat out)"
grep -q '<primitive id="old" class="lsb" type="legacy">' cib.xml || fail "no lsb primitive"

# pcs alert: the listing, as pcs 0.11 prints it.
"$PCS" -f cib.xml alert config >out 2>&1 || fail "alert config: $(cat out)"
[[ $(cat out) == $'Alerts:\n No alerts defined' ]] || fail "alert config (none): $(cat out)"
"$PCS" -f cib.xml alert create path=/usr/share/pacemaker/alerts/alert_file.sh.sample id=file \
  description="to a file" options debug_exec_order=false meta timeout=15s >out 2>&1 ||
  fail "alert create: $(cat out)"
"$PCS" -f cib.xml alert recipient add file value=/var/log/alerts.log meta \
  timestamp-format="%H:%M %S" >out 2>&1 || fail "recipient add: $(cat out)"
"$PCS" -f cib.xml alert >out 2>&1 || fail "alert: $(cat out)"
expected='Alerts:
 Alert: file (path=/usr/share/pacemaker/alerts/alert_file.sh.sample)
  Description: to a file
  Options: debug_exec_order=false
  Meta options: timeout=15s
  Recipients:
   Recipient: file-recipient (value=/var/log/alerts.log)
    Meta options: timestamp-format="%H:%M %S"'
[[ $(cat out) == "$expected" ]] || fail "alert config: $(cat out)"

if ((failures)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "PASS"
