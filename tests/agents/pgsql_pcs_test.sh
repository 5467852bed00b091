#!/usr/bin/env bash
# pgsql_pcs_test.sh PCS OCF_ROOT: what a user sees of ocf:pulse:pgsql through pcs —
# `pcs resource agents` lists it, `pcs resource describe` shows its parameters and its
# per-role monitors, and `pcs -f FILE resource create db ocf:pulse:pgsql ... promotable
# notify=true` makes a promotable clone with notifications (the missing required pgdata is
# refused). Exit 0 pass, 1 fail.
set -u
# shellcheck source=SCRIPTDIR/agent_pcs_lib.sh
. "$(dirname "$0")/agent_pcs_lib.sh"

"$PCS" resource agents ocf:pulse >agents.out 2>&1 || fail "pcs resource agents ocf:pulse: $(cat agents.out)"
expect_line pgsql agents.out "pcs resource agents ocf:pulse"

if "$PCS" resource describe ocf:pulse:pgsql >describe.out 2>&1; then
  expect_line "ocf:pulse:pgsql - PostgreSQL primary and streaming standbys" describe.out "describe"
  expect_line "  pgdata (required) (unique): Data directory" describe.out "describe"
  expect_line "  primary_address: Primary's floating address" describe.out "describe"
  expect_line "  synchronous: Synchronous replication (off, on, strict)" describe.out "describe"
  expect_line "    interval=3s timeout=20s role=Promoted" describe.out "describe: the primary's monitor"
  expect_line "    interval=4s timeout=20s role=Unpromoted" describe.out "describe: a standby's monitor"
  expect_line "  promote:" describe.out "describe: promote is a default operation"
  expect_line "  notify:" describe.out "describe: notify is a default operation"
  # The long description (filled to 80 columns) tells the operator how to force a promotion.
  tr '\n' ' ' <describe.out | grep -qF "runs 'pcs resource promote RSC NODE --allow-data-loss'" ||
    fail "describe: the long description does not name pcs resource promote: $(cat describe.out)"
else
  fail "pcs resource describe ocf:pulse:pgsql: $(cat describe.out)"
fi

empty_cib cib.xml n1 n2 n3

if "$PCS" -f cib.xml resource create db ocf:pulse:pgsql pgdata=/var/lib/postgresql/15/pulse \
  primary_address=10.0.0.100 synchronous=on promotable notify=true >out 2>&1; then
  tr -s ' ' <cib.xml | sed 's/^ //' >flat.xml
  expect_line '<clone id="db-clone">' flat.xml "create ... promotable: the clone"
  expect_line '<primitive id="db" class="ocf" provider="pulse" type="pgsql">' flat.xml \
    "create ... promotable: the primitive"
  grep -q 'name="promotable" value="true"' flat.xml || fail "no promotable meta attribute in: $(cat cib.xml)"
  grep -q 'name="notify" value="true"' flat.xml || fail "no notify meta attribute in: $(cat cib.xml)"
  grep -q 'name="monitor" interval="3s" timeout="20s" role="Promoted"' flat.xml ||
    fail "no Promoted monitor in: $(cat cib.xml)"
else
  fail "pcs -f cib.xml resource create db ocf:pulse:pgsql ... promotable notify=true: $(cat out)"
fi

if "$PCS" -f cib.xml resource create db2 ocf:pulse:pgsql promotable >out 2>&1; then
  fail "create without pgdata was accepted"
else
  grep -q "required resource option 'pgdata' is missing" out ||
    fail "create without pgdata: unexpected error: $(cat out)"
fi

# pcs resource promote --allow-data-loss on a CIB as the cluster leaves it when the primary (n3)
# and the other synchronous standby were lost together: n1 runs db as a standby, n2 too, and
# n2's promote was refused by the agent's guard (on-fail=demote: demoted, not promoted again).
cat >lost.xml <<'XML'
<cib epoch="9" num_updates="4" admin_epoch="0" validate-with="pacemaker-3.7">
  <configuration>
    <crm_config/>
    <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes>
    <resources>
      <clone id="db-clone">
        <meta_attributes id="db-clone-meta_attributes">
          <nvpair id="db-clone-meta_attributes-promotable" name="promotable" value="true"/>
          <nvpair id="db-clone-meta_attributes-notify" name="notify" value="true"/>
        </meta_attributes>
        <primitive id="db" class="ocf" provider="pulse" type="pgsql">
          <instance_attributes id="db-instance_attributes">
            <nvpair id="db-instance_attributes-pgdata" name="pgdata" value="/var/lib/pg"/>
          </instance_attributes>
        </primitive>
      </clone>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="1"><lrm_resources>
        <lrm_resource id="db" class="ocf" provider="pulse" type="pgsql">
          <lrm_rsc_op id="db_last_0" operation_key="db_start_0" operation="start" call-id="3"
                      rc-code="0" op-status="0" interval="0"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
    <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member">
      <transient_attributes id="2"><instance_attributes id="status-2">
        <nvpair id="status-2-master-db" name="master-db" value="990"/>
      </instance_attributes></transient_attributes>
      <lrm id="2"><lrm_resources>
        <lrm_resource id="db" class="ocf" provider="pulse" type="pgsql">
          <lrm_rsc_op id="db_last_0" operation_key="db_demote_0" operation="demote" call-id="7"
                      rc-code="0" op-status="0" interval="0"/>
          <lrm_rsc_op id="db_last_failure_0" operation_key="db_promote_0" operation="promote"
                      call-id="6" rc-code="1" op-status="0" interval="0" last-rc-change="1700000000"
                      exit-reason="synchronous standby n1 has not reported its position: it may hold acknowledged commits n2 lacks (to accept that loss: pcs resource promote db n2 --allow-data-loss)"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
  </status>
</cib>
XML
chmod 0640 lost.xml
cp lost.xml lost.saved
"$PCS" -f lost.xml status >status.out 2>&1 || fail "pcs -f lost.xml status: $(cat status.out)"
grep -qF "db_promote_0 on n2 'error' (1)" status.out ||
  fail "pcs status does not show the refused promote: $(cat status.out)"
grep -qF "exitreason='synchronous standby n1 has not reported its position" status.out ||
  fail "pcs status does not say why the promote was refused: $(cat status.out)"
# refused: without the flag (saying what may be lost and why), where db does not run, and
# for a resource that is not promotable; the file is left as it was.
# refused WANT WORDS...: pcs -f lost.xml resource promote WORDS fails saying WANT, file untouched.
refused() {
  local want=$1
  shift
  "$PCS" -f lost.xml resource promote "$@" >out 2>err && fail "promote $* succeeded"
  grep -qF -- "$want" err || fail "promote $*: '$(cat err)'"
  cmp -s lost.xml lost.saved || fail "promote $* changed the file"
}
refused "may lose transactions that the lost primary committed and acknowledged to clients but n2 never received (db's agent refused it: synchronous standby n1 has not reported" db-clone n2
refused "unknown option '--force'" db-clone n2 --allow-data-loss --force
refused "db does not run on n3" db n3 --allow-data-loss
refused "Node 'n9' does not exist." db-clone n9 --allow-data-loss
refused "Resource 'nope' does not exist." nope n2 --allow-data-loss
refused "invalid usage of 'pcs resource promote'" db-clone
if "$PCS" -f lost.xml resource promote db-clone n2 --allow-data-loss >out 2>err; then
  expect_line "Set node attribute db-allow-data-loss=true on n2 (the agent's promote reads it and removes it once n2 is promoted)" out "promote --allow-data-loss"
  expect_line "Cleaned up db on n2" out "promote --allow-data-loss"
  tr -s ' ' <lost.xml | sed 's/^ //' >flat.xml
  grep -q 'name="db-allow-data-loss" value="true"' flat.xml || fail "no db-allow-data-loss in: $(cat lost.xml)"
  grep -c '<lrm_resource id="db"' flat.xml | grep -qx 1 || fail "n2's history of db was not cleaned up: $(cat lost.xml)"
  grep -q 'name="master-db" value="990"' flat.xml || fail "promote removed n2's promotion score"
  grep -q '<cib epoch="9"' lost.xml || fail "promote changed the configuration epoch"
else
  fail "pcs -f lost.xml resource promote db-clone n2 --allow-data-loss: $(cat err)"
fi
# Right after the refusal, before the demotion runs, the engine shows n2's instance promoted
# (a failed promote's role): it is no primary, and the command works the same.
sed '/operation_key="db_demote_0"/{s/operation_key="db_demote_0" operation="demote" call-id="7"/operation_key="db_promote_0" operation="promote" call-id="6"/;n;s/rc-code="0"/rc-code="1"/}' \
  lost.saved >refused.xml
chmod 0640 refused.xml
grep -q 'id="db_last_0" operation_key="db_promote_0" operation="promote" call-id="6"' refused.xml ||
  fail "the refused.xml variant was not made: $(cat refused.xml)"
"$PCS" -f refused.xml resource promote db-clone n2 >out 2>err &&
  fail "promote without the flag succeeded before the demotion"
grep -qF "may lose transactions" err || fail "promote before the demotion: '$(cat err)'"
"$PCS" -f refused.xml resource promote db-clone n2 --allow-data-loss >out 2>err ||
  fail "promote --allow-data-loss before the demotion: '$(cat err)'"
# Never a second primary: with db promoted on n1, forcing n2 is refused.
sed 's/operation_key="db_start_0" operation="start"/operation_key="db_promote_0" operation="promote"/' \
  lost.saved >promoted.xml
chmod 0640 promoted.xml
"$PCS" -f promoted.xml resource promote db n2 --allow-data-loss >out 2>err &&
  fail "promote with db promoted on n1 succeeded"
grep -qF "db is promoted on n1" err || fail "promote with db promoted on n1: '$(cat err)'"

finish "pcs lists, describes and creates ocf:pulse:pgsql as a promotable clone; pcs resource promote --allow-data-loss"
