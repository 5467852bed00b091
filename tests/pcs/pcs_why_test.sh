#!/usr/bin/env bash
# `pcs -f FILE resource why` and `crm_resource --why` (CIB_file) on a CIB that pcs edits the
# way an operator would (ban, standby, disable, ticket), checking the lines a user reads: the
# Pacemaker line, the constraint ids and scores, node state, the ticket; and bad input.
# Usage: pcs_why_test.sh PCS CRM_RESOURCE. No resource agent is needed (nothing is created).
set -u
PCS=$1
CRM_RESOURCE=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

cat > cib.xml <<'XML'
<cib epoch="3" num_updates="0" admin_epoch="0" validate-with="pacemaker-3.7" have-quorum="1">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="o1" name="stonith-enabled" value="false"/>
      </cluster_property_set>
    </crm_config>
    <nodes>
      <node id="1" uname="n1"/>
      <node id="2" uname="n2"/>
      <node id="3" uname="n3"/>
    </nodes>
    <resources>
      <primitive id="vip" class="ocf" provider="heartbeat" type="Dummy"/>
      <primitive id="web" class="ocf" provider="heartbeat" type="Dummy"/>
      <primitive id="db" class="ocf" provider="heartbeat" type="Dummy"/>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="3" uname="n3" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>
XML

edit() { "$PCS" -f cib.xml "$@" >/dev/null 2>err || fail "pcs -f cib.xml $*: $(cat err)"; }
# why RSC [NODE] must succeed and print each expected line (fixed strings).
expect_why() {
  local args=$1
  shift
  # shellcheck disable=SC2086
  "$PCS" -f cib.xml resource why $args >out 2>err
  local rc=$?
  if [[ $rc != 0 ]]; then
    fail "pcs resource why $args: exit $rc: $(cat err)"
    return
  fi
  for line in "$@"; do
    grep -qxF -- "$line" out || fail "pcs resource why $args: no line '$line' in:
$(cat out)"
  done
}

edit resource ban vip n1
edit constraint location vip prefers n2=INFINITY
edit node standby n2
expect_why vip \
  "Resource vip is not running" \
  "  Scheduled: Started on n3" \
  "    n1: location constraint cli-ban-vip-on-n1 (score -INFINITY)" \
  "    n2: location constraint location-vip-n2-INFINITY (score INFINITY)" \
  "    n2: node is in standby" \
  "  Scores of vip: n1 -INFINITY, n2 INFINITY (unavailable), n3 0; chosen: n3"
# With a node: only what concerns it.
expect_why "vip n1" \
  "Resource vip is not running on host n1" \
  "  Scheduled: not running on n1" \
  "    n1: location constraint cli-ban-vip-on-n1 (score -INFINITY)" \
  "  Scores of vip: n1 -INFINITY; chosen: n3"
grep -q "n2" out && fail "why vip n1 mentions n2: $(cat out)"

edit constraint colocation add web with vip INFINITY
edit resource disable vip
expect_why web \
  "Resource web is not running" \
  "  Scheduled: not running" \
  "    n1, n2, n3: colocation colocation-web-vip-INFINITY with vip (score INFINITY): vip is not placed anywhere (-INFINITY)"
expect_why vip "    every node: target-role=Stopped on vip (pcs resource enable vip)"

edit constraint ticket add site db loss-policy=stop
expect_why db \
  "    every node: ticket site is not granted (rsc_ticket ticket-site-db, loss-policy=stop): banned from every node"

# crm_resource --why reads CIB_file and prints the same text.
CIB_file=cib.xml "$CRM_RESOURCE" --why -r vip -N n1 >crm.out 2>err || fail "crm_resource: $(cat err)"
"$PCS" -f cib.xml resource why vip n1 >pcs.out 2>&1
cmp -s crm.out pcs.out || fail "crm_resource --why differs from pcs resource why: $(diff crm.out pcs.out)"

# Bad input: a clear error, exit 1 (pcs) / 105 as Pacemaker's crm_resource (no such object).
"$PCS" -f cib.xml resource why nosuch >out 2>err
rc=$?
[[ $rc == 1 ]] || fail "why of an unknown resource: exit $rc"
grep -qxF "Error: Resource 'nosuch' not found" err || fail "unknown resource: $(cat err)"
"$PCS" -f cib.xml resource why vip n9 >out 2>err
rc=$?
[[ $rc == 1 ]] || fail "why on an unknown node: exit $rc"
grep -qxF "Error: Node 'n9' not found" err || fail "unknown node: $(cat err)"
"$PCS" -f cib.xml resource why >out 2>err
[[ $? == 1 ]] || fail "why without a resource did not fail"
grep -qF "see pcs resource why --help" err || fail "why without a resource: $(cat err)"
"$PCS" resource why --help >out 2>&1 || fail "pcs resource why --help failed"
grep -qF "Usage: pcs [-f FILE] resource why <resource id> [<node>]" out || fail "help: $(cat out)"
CIB_file=cib.xml "$CRM_RESOURCE" --why -r nosuch >out 2>err
rc=$?
[[ $rc == 105 ]] || fail "crm_resource --why -r nosuch: exit $rc"
grep -qxF "crm_resource: Resource 'nosuch' not found" err || fail "crm_resource: $(cat err)"
"$CRM_RESOURCE" --cleanup -r vip >out 2>err
[[ $? == 64 ]] || fail "crm_resource --cleanup was not refused"

if ((failures > 0)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "pcs resource why: all checks passed"
