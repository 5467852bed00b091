#!/usr/bin/env bash
# End to end: the real pcs binary edits a CIB file (pcs -f), then pe-simulate schedules it.
# Usage: pcs_file_test.sh PCS PE_SIMULATE. Needs ocf:heartbeat:IPaddr2 and Dummy under
# $OCF_ROOT (default /usr/lib/ocf); without them it fails in CI and is skipped (exit 77)
# elsewhere.
set -u
PCS=$1
SIMULATE=$2
OCF_ROOT=${OCF_ROOT:-/usr/lib/ocf}
export OCF_ROOT
# shellcheck source=SCRIPTDIR/../fixtures/missing_tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/../fixtures/missing_tool.sh"
for agent in IPaddr2 Dummy; do
  require_tool "$OCF_ROOT/resource.d/heartbeat/$agent" resource-agents
done

fixtures=$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# A three-node cluster as `pcs cluster cib` saves it before any resource: all nodes online, no
# resource history (so every resource shows Stopped).
{
  echo '<cib epoch="3" num_updates="0" admin_epoch="0" validate-with="pacemaker-3.7">'
  sed -n '/^  <configuration>/,$p' "$fixtures/three_node_configuration.xml"
  cat <<'XML'
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="3" uname="n3" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>
XML
} > cib.xml
chmod 0640 cib.xml

epoch() { sed -n 's/.*<cib[^>]* epoch="\([0-9]*\)".*/\1/p' cib.xml | head -1; }

# Each edit must succeed and grow the epoch by exactly one.
edit() {
  local before after
  before=$(epoch)
  if ! "$PCS" -f cib.xml "$@" >out 2>err; then
    fail "pcs -f cib.xml $*: $(cat err)"
    return
  fi
  after=$(epoch)
  [[ $after == $((before + 1)) ]] || fail "pcs $*: epoch $before -> $after"
}

edit resource create vip ocf:heartbeat:IPaddr2 ip=198.51.100.10 cidr_netmask=24 \
  op monitor interval=5s --group web
edit resource create proxy ocf:heartbeat:Dummy --group web
edit constraint location web prefers n2
edit property set stonith-enabled=false
edit node standby n3
[[ $(epoch) == 8 ]] || fail "epoch after five edits is $(epoch), want 8"
[[ $(stat -c %a cib.xml) == 640 ]] || fail "mode changed to $(stat -c %a cib.xml)"
grep -q 'id="vip-monitor-interval-5s" name="monitor" interval="5s"' cib.xml ||
  fail "vip's monitor op not as typed"
grep -q 'id="proxy-monitor-interval-10s" name="monitor" interval="10s" timeout="20s"' cib.xml ||
  fail "proxy lacks Dummy's default monitor"

# Errors: exit 1, "Error: ..." on stderr, the file byte-identical.
cp cib.xml saved.xml
expect_error() {
  local want=$1
  shift
  "$PCS" -f cib.xml "$@" >out 2>err
  local rc=$?
  [[ $rc == 1 ]] || fail "pcs $*: exit $rc, want 1"
  grep -qF "Error: $want" err || fail "pcs $*: stderr '$(cat err)', want 'Error: $want'"
  cmp -s cib.xml saved.xml || fail "pcs $*: changed the file"
}
expect_error "required resource option 'ip' is missing" \
  resource create vip2 ocf:heartbeat:IPaddr2 cidr_netmask=24
expect_error "Resource 'nope' does not exist." resource enable nope
expect_error "Agent 'ocf:heartbeat:NoSuchAgent' is not installed or does not provide valid metadata" \
  resource create x ocf:heartbeat:NoSuchAgent
[[ -e cib.xml.tmp ]] && fail "a temporary file was left behind"
# Without -f pcs goes to the live CIB through the local crmd; with none running it says so.
"$PCS" --state-dir "$PWD/no-node" resource create y ocf:heartbeat:Dummy >out 2>err &&
  fail "create without -f and without a cluster succeeded"
grep -qF "Error: Unable to find the local node" err || fail "no -f: '$(cat err)'"
cmp -s cib.xml saved.xml || fail "pcs without -f changed the file"

# Views.
"$PCS" -f cib.xml status >status.txt 2>err || fail "status: $(cat err)"
for want in "Cluster name: web" "Current DC: NONE (CIB file cib.xml" "3 nodes configured" \
  "2 resource instances configured" "Resource Group: web" \
  "vip	(ocf:heartbeat:IPaddr2):	 Stopped" "proxy	(ocf:heartbeat:Dummy):	 Stopped" \
  "n3: standby"; do
  grep -qF "$want" status.txt || fail "status lacks '$want'"
done
"$PCS" -f cib.xml status --output-format=json >status.json 2>err || fail "status json: $(cat err)"
python3 -c 'import json,sys; d=json.load(open("status.json")); assert d["dc"] is None, d; assert d["file"]=="cib.xml", d' ||
  fail "status json: $(cat status.json)"
"$PCS" -f cib.xml constraint list >constraints.txt 2>err || fail "constraint list: $(cat err)"
grep -qF "resource 'web' prefers node 'n2' with score INFINITY" constraints.txt ||
  fail "constraint list: $(cat constraints.txt)"
"$PCS" -f cib.xml constraint list --output-format=json >constraints.json || fail "json list"
python3 -c 'import json; json.load(open("constraints.json"))' || fail "constraint json invalid"
"$PCS" -f cib.xml property config | grep -q "stonith-enabled=false" || fail "property config"
"$PCS" resource agents ocf:heartbeat | grep -qx IPaddr2 || fail "resource agents"
"$PCS" resource describe ocf:heartbeat:IPaddr2 | grep -q "ip (required)" || fail "describe"

# Fence devices, with Pulse's own fence agent standing in for /usr/sbin/fence_*.
export PULSE_FENCE_AGENT_DIRS
PULSE_FENCE_AGENT_DIRS=$(cd "$(dirname "$0")/../../resource-agents/fence" && pwd)
"$PCS" stonith list >list.txt 2>err || fail "stonith list: $(cat err)"
grep -qx "fence_pulse_netns - Fence agent for Pulse's namespace test cluster" list.txt ||
  fail "stonith list: $(cat list.txt)"
edit stonith create fence1 fence_pulse_netns pcmk_host_list=n1,n2,n3 prefix=t
grep -q '<op id="fence1-monitor-interval-60s" name="monitor" interval="60s"' cib.xml ||
  fail "fence1 lacks its only operation, a 60s monitor"
cp cib.xml saved.xml
expect_error "Agent 'stonith:fence_nope' is not installed or does not provide valid metadata" \
  stonith create f2 fence_nope
expect_error "invalid resource option 'bogus'" stonith create f2 fence_pulse_netns bogus=1
expect_error "Resource 'vip' is not a stonith resource or does not exist" stonith delete vip
expect_error "pcs stonith fence does not work with -f" stonith fence n3
"$PCS" -f cib.xml stonith config >stonith.txt 2>err || fail "stonith config: $(cat err)"
grep -qx "Resource: fence1 (class=stonith type=fence_pulse_netns)" stonith.txt ||
  fail "stonith config: $(cat stonith.txt)"
"$PCS" -f cib.xml resource config | grep -q fence1 && fail "resource config lists fence1"
"$PCS" -f cib.xml stonith config --output-format=json >stonith.json 2>err || fail "stonith json"
python3 -c 'import json; d=json.load(open("stonith.json")); assert [p["id"] for p in d["primitives"]]==["fence1"], d' ||
  fail "stonith json: $(cat stonith.json)"
grep -qxF "Warning: Only 'text' output format is supported for stonith levels" err ||
  fail "stonith json warning: '$(cat err)'"
# resource config in JSON: the group with its members (sorted by id), fence1 left out; an
# unknown id warns, only unknown ids fail as pcs does.
"$PCS" -f cib.xml resource config web nope --output-format=json >resources.json 2>err ||
  fail "resource json: $(cat err)"
python3 -c 'import json; d=json.load(open("resources.json")); assert [p["id"] for p in d["primitives"]]==["proxy","vip"] and d["groups"][0]["member_ids"]==["vip","proxy"], d' ||
  fail "resource json: $(cat resources.json)"
grep -qxF "Warning: Unable to find resource 'nope'" err || fail "resource json warning: '$(cat err)'"
"$PCS" -f cib.xml resource config fence1 --output-format=json >out 2>err &&
  fail "resource json listed a stonith device"
grep -qxF "Error: No resource found" err || fail "resource json of fence1: '$(cat err)'"
"$PCS" -f cib.xml stonith status | grep -qF "fence1	(stonith:fence_pulse_netns):	 Stopped" ||
  fail "stonith status"
edit stonith delete fence1
grep -q fence1 cib.xml && fail "stonith delete left fence1 behind"
"$PCS" --state-dir "$PWD/no-node" stonith fence n3 >out 2>err && fail "fence without a cluster succeeded"
grep -qF "Error: Unable to find the local node" err || fail "fence without a cluster: '$(cat err)'"

# --wait: refused on a file and with a bad value, before anything is written.
cp cib.xml saved.xml
expect_error "Cannot use '-f' together with '--wait'" resource disable vip --wait
expect_error "'0' is not a valid number of seconds to wait" resource disable vip --wait=0

# resource cleanup: vip failed on n1 (fail count 2) and db ran there cleanly.
cat > hist.xml <<'XML'
<cib epoch="3" num_updates="7" admin_epoch="0" validate-with="pacemaker-3.7">
  <configuration>
    <crm_config/>
    <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
    <resources>
      <primitive id="vip" class="ocf" provider="heartbeat" type="Dummy"/>
      <primitive id="db" class="ocf" provider="heartbeat" type="Dummy"/>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
      <transient_attributes id="1"><instance_attributes id="status-1">
        <nvpair id="status-1-fc" name="fail-count-vip#monitor_10000" value="2"/>
        <nvpair id="status-1-lf" name="last-failure-vip#monitor_10000" value="1700000000"/>
        <nvpair id="status-1-other" name="other" value="1"/>
      </instance_attributes></transient_attributes>
      <lrm id="1"><lrm_resources>
        <lrm_resource id="vip" class="ocf" provider="heartbeat" type="Dummy">
          <lrm_rsc_op id="vip_last_0" operation_key="vip_start_0" operation="start" call-id="3"
                      rc-code="0" op-status="0" interval="0"/>
          <lrm_rsc_op id="vip_last_failure_0" operation_key="vip_monitor_10000" operation="monitor"
                      call-id="5" rc-code="7" op-status="0" interval="10000" exit-reason="gone"
                      last-rc-change="1700000000" exec-time="12"/>
        </lrm_resource>
        <lrm_resource id="db" class="ocf" provider="heartbeat" type="Dummy">
          <lrm_rsc_op id="db_last_0" operation_key="db_start_0" operation="start" call-id="4"
                      rc-code="0" op-status="0" interval="0"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
    <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>
XML
cp hist.xml hist.saved
"$PCS" -f hist.xml status >status.txt 2>err || fail "status with a failure: $(cat err)"
grep -qx "Failed Resource Actions:" status.txt || fail "status lacks Failed Resource Actions"
# Pulse's readable line (attempts: the fail count), then crm_mon --show-detail's fields.
grep -qE "^  \* vip: 10s-interval monitor on n1 failed: not running \(exit 7\) at .*, 2 attempts: gone$" \
  status.txt || fail "status lacks vip's readable failure: $(cat status.txt)"
grep -qF "    vip_monitor_10000 on n1 'not running' (7): call=5, status='complete', exitreason='gone'" \
  status.txt || fail "status lacks vip's failed monitor: $(cat status.txt)"
grep -q "Operations:" status.txt && fail "plain status shows the operation history"
"$PCS" -f hist.xml status --full >full.txt 2>err || fail "status --full: $(cat err)"
for want in "Migration Summary:" "    * vip: migration-threshold=1000000 fail-count=2" "Operations:" \
  "  * Node: n1 (1):" "      * (4) start: last-rc-change=" \
  "      * (5) monitor (interval 10000ms): last-rc-change="; do
  grep -qF -- "$want" full.txt || fail "status --full lacks '$want': $(cat full.txt)"
done
for bad in "nope|Error: Resource 'nope' does not exist." "vip --node n9|Error: Node 'n9' does not exist."; do
  # shellcheck disable=SC2086
  "$PCS" -f hist.xml resource cleanup ${bad%%|*} >out 2>err && fail "cleanup ${bad%%|*} succeeded"
  grep -qF "${bad#*|}" err || fail "cleanup ${bad%%|*}: '$(cat err)'"
  cmp -s hist.xml hist.saved || fail "cleanup ${bad%%|*} changed the file"
done
"$PCS" -f hist.xml resource cleanup vip --node n1 >out 2>err || fail "cleanup vip: $(cat err)"
[[ $(cat out) == "Cleaned up vip on n1" ]] || fail "cleanup vip printed '$(cat out)'"
grep -q 'lrm_resource id="vip"' hist.xml && fail "cleanup left vip's history"
grep -q 'fail-count-vip\|last-failure-vip' hist.xml && fail "cleanup left vip's fail count"
grep -q 'lrm_resource id="db"' hist.xml || fail "cleanup of vip removed db's history"
grep -q 'name="other"' hist.xml || fail "cleanup removed an unrelated node attribute"
grep -q '<cib epoch="3"' hist.xml || fail "cleanup changed the configuration epoch"
"$PCS" -f hist.xml status | grep -q "Failed Resource Actions" && fail "failure shown after cleanup"
cp hist.saved hist.xml
"$PCS" -f hist.xml resource cleanup >out 2>err || fail "cleanup: $(cat err)"
grep -qx "Cleaned up all resources on all nodes" out || fail "cleanup printed '$(cat out)'"
grep -q 'lrm_resource id="vip"' hist.xml && fail "cleanup without a resource kept failed vip"
grep -q 'lrm_resource id="db"' hist.xml || fail "cleanup without a resource removed healthy db"

# move/ban/clear --promoted on a promotable clone promoted on n1 (a PostgreSQL switchover):
# the constraints hold the Promoted role, and without a node they act where it is promoted.
op() {  # node resource operation rc: one lrm_rsc_op of st's history
  echo "<lrm_rsc_op id=\"st_$3_0\" operation_key=\"st_$3_0\" operation=\"$3\" crm-debug-origin=\"do_update_resource\" crm_feature_set=\"3.0.7\" op-digest=\"f2317cad3d54cec5d7d7aa7d0bf35cf8\" transition-key=\"1:1:0:x\" transition-magic=\"0:$4;1:1:0:x\" call-id=\"$5\" rc-code=\"$4\" op-status=\"0\" interval=\"0\" on_node=\"$1\"/>"
}
{
  echo '<cib epoch="3" num_updates="0" admin_epoch="0" validate-with="pacemaker-3.7"><configuration>'
  echo '<crm_config><cluster_property_set id="o"><nvpair id="o-s" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>'
  echo '<nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes>'
  echo '<resources><clone id="st-clone"><meta_attributes id="st-clone-meta"><nvpair id="st-clone-p" name="promotable" value="true"/></meta_attributes>'
  echo '<primitive id="st" class="ocf" provider="heartbeat" type="Dummy"/></clone>'
  echo '<primitive id="plain" class="ocf" provider="heartbeat" type="Dummy"/></resources><constraints/></configuration><status>'
  for i in 1 2 3; do
    echo "<node_state id=\"$i\" uname=\"n$i\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"><lrm id=\"$i\"><lrm_resources><lrm_resource id=\"st\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">"
    if [[ $i == 1 ]]; then op n1 st promote 0 2; else op "n$i" st start 0 1; fi
    echo '</lrm_resource></lrm_resources></lrm></node_state>'
  done
  echo '</status></cib>'
} >promo.xml
cp promo.xml promo.saved
promo() { "$PCS" -f promo.xml "$@" >out 2>err || fail "pcs -f promo.xml $*: $(cat err)"; }
promo_error() {
  local want=$1
  shift
  "$PCS" -f promo.xml "$@" >out 2>err && fail "pcs -f promo.xml $* succeeded"
  grep -qF "Error: $want" err || fail "pcs $*: stderr '$(cat err)', want 'Error: $want'"
  cmp -s promo.xml promo.saved || fail "pcs $*: changed the file"
}
"$PCS" -f promo.xml status >promo-status.txt 2>&1
grep -qF "Promoted: [ n1 ]" promo-status.txt || fail "promo.xml: st not promoted on n1: $(cat promo-status.txt)"
promo_error "when specifying --promoted you must use the promotable clone id (st-clone)" \
  resource move st n2 --promoted
promo_error "to move promotable clone resources you must use --promoted and the promotable clone id (st-clone)" \
  resource move st n2
promo_error "when specifying --promoted you must use the promotable clone id" resource ban plain n2 --promoted
promo_error "Error performing operation: Situation already as requested" \
  resource move st-clone n1 --promoted
promo_error "Specified option '--promoted' is not supported in this command" resource enable plain --promoted
promo resource ban st-clone --promoted
grep -qF '<rsc_location id="cli-ban-st-clone-on-n1" rsc="st-clone" role="Promoted" node="n1" score="-INFINITY" />' promo.xml ||
  fail "ban --promoted without a node: $(grep rsc_location promo.xml)"
promo resource clear st-clone --promoted
grep -q rsc_location promo.xml && fail "clear --promoted left $(grep rsc_location promo.xml)"
promo resource move st-clone n2 --promoted
grep -qF '<rsc_location id="cli-prefer-st-clone" rsc="st-clone" role="Promoted" node="n2" score="INFINITY" />' promo.xml ||
  fail "move --promoted n2: $(grep rsc_location promo.xml)"
# The engine demotes n1 and promotes n2, and stops nothing.
"$SIMULATE" -x promo.xml -S >promo-simulate.txt 2>&1 || fail "pe-simulate: $(cat promo-simulate.txt)"
grep -qE "^  \* Demote +st:[0-9] +\( +Promoted -> Unpromoted n1 \)$" promo-simulate.txt ||
  fail "move --promoted: n1 not demoted: $(cat promo-simulate.txt)"
grep -qE "^  \* Promote +st:[0-9] +\( +Unpromoted -> Promoted n2 \)$" promo-simulate.txt ||
  fail "move --promoted: n2 not promoted: $(cat promo-simulate.txt)"
grep -qE "^  \* (Stop|Restart)" promo-simulate.txt && fail "move --promoted stops: $(cat promo-simulate.txt)"
promo resource ban st-clone n3 --promoted
promo resource clear st-clone n3
grep -q 'cli-ban-st-clone-on-n3' promo.xml && fail "clear st-clone n3 kept the ban on n3"
grep -q 'cli-prefer-st-clone' promo.xml || fail "clear st-clone n3 removed the move to n2"

# cluster cib-push --config on a file: only the configuration is replaced, the status stays
# (a status-only marker survives), the target's epoch goes up by one.
cp cib.xml pushed.xml
"$PCS" -f pushed.xml resource create extra ocf:heartbeat:Dummy >/dev/null 2>&1 ||
  fail "pcs -f pushed.xml resource create extra"
sed 's|</status>|<node_state id="9" uname="marker"/></status>|' cib.xml >target.xml
target_epoch=$(sed -n 's/.*<cib[^>]* epoch="\([0-9]*\)".*/\1/p' target.xml | head -1)
"$PCS" -f target.xml cluster cib-push pushed.xml --config >out 2>err || fail "cib-push --config: $(cat err)"
[[ $(cat err) == "CIB updated" ]] || fail "cib-push --config said '$(cat err)'"
grep -q '<primitive id="extra"' target.xml || fail "cib-push --config: extra not pushed"
grep -q 'uname="marker"' target.xml || fail "cib-push --config: the status was replaced"
grep -q "<cib[^>]* epoch=\"$((target_epoch + 1))\"" target.xml ||
  fail "cib-push --config: epoch not $((target_epoch + 1)): $(head -1 target.xml)"
"$PCS" -f target.xml cluster cib-push pushed.xml --config scope=configuration >out 2>err
grep -qF "Error: Cannot use both scope and --config" err || fail "scope with --config: $(cat err)"

# resource config --output-format=cmd: the commands that create the resources again.
"$PCS" -f cib.xml resource config --output-format=cmd >out 2>err || fail "config cmd: $(cat err)"
head -1 out | grep -qxF 'pcs resource create --no-default-ops --force -- vip ocf:heartbeat:IPaddr2 \' ||
  fail "config cmd: $(head -3 out)"
grep -qxF 'pcs resource group add web \' out || fail "config cmd lacks the group: $(cat out)"

# The fencing history: pcs refuses -f for stonith history; pcs status shows it from the CIB.
"$PCS" -f cib.xml stonith history >out 2>err
grep -qxF "Error: Specified option '-f' is not supported in this command" err ||
  fail "stonith history -f: $(cat err)"
sed 's|</status>|<pulse_fence_history><fence_event id="n3-1" target="n3" action="reboot" state="done" delegate="n1" client="pacemaker-controld.7" origin="n1" devices="fence" started="1765127410" completed="1765127412"/><fence_event id="n2-1" target="n2" action="off" state="failed" delegate="n1" client="pcs" origin="n1" exit-reason="fence: timed out" started="1765127400" completed="1765127401"/></pulse_fence_history></status>|' \
  cib.xml >fenced.xml
TZ=UTC "$PCS" -f fenced.xml status --full >out 2>err || fail "status --full with history: $(cat err)"
grep -qxF "  * off of n2 failed (fence: timed out): delegate=n1, client=pcs, origin=n1, completed='2025-12-07 17:10:01Z'" out ||
  fail "status --full: no failed fencing line: $(cat out)"
grep -A1 -xF "Fencing History:" out | grep -qxF "  * reboot of n3 successful: delegate=n1, client=pacemaker-controld.7, origin=n1, completed='2025-12-07 17:10:12Z'" ||
  fail "status --full: no Fencing History: $(cat out)"
TZ=UTC "$PCS" -f fenced.xml status >out 2>err || fail "status with history: $(cat err)"
grep -qxF "  * off of n2 by n1 for pcs@n1 last failed (fence: timed out) at 2025-12-07 17:10:01Z" out ||
  fail "status: no failed fencing line: $(cat out)"
grep -q "Fencing History" out && fail "status without --full shows the whole fencing history"

# The policy engine on the result: the group starts on n2, where it is preferred.
"$SIMULATE" -x cib.xml -S >simulate.txt 2>&1 || fail "pe-simulate: $(cat simulate.txt)"
for rsc in vip proxy; do
  grep -qE "^  \* Start +$rsc +\( +n2 \)$" simulate.txt || fail "simulate does not start $rsc on n2"
done

if ((failures)); then
  echo "--- status"; cat status.txt; echo "--- simulate"; cat simulate.txt
  echo "$failures failure(s)"
  exit 1
fi
echo "PASS"
