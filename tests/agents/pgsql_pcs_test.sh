#!/usr/bin/env bash
# pgsql_pcs_test.sh PCS OCF_ROOT: what a user sees of ocf:pulse:pgsql through pcs —
# `pcs resource agents` lists it, `pcs resource describe` shows its parameters and its
# per-role monitors, and `pcs -f FILE resource create db ocf:pulse:pgsql ... promotable
# notify=true` makes a promotable clone with notifications (the missing required pgdata is
# refused). Exit 0 pass, 1 fail.
set -u
(($# == 2)) || { echo "usage: pgsql_pcs_test.sh PCS OCF_ROOT" >&2; exit 2; }
PCS=$(realpath "$1")
OCF_ROOT=$(realpath "$2")
export OCF_ROOT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect_line TEXT FILE WHAT: FILE has a line equal to TEXT.
expect_line() { grep -qxF -- "$1" "$2" || fail "$3: no line '$1' in:"$'\n'"$(cat "$2")"; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1

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
else
  fail "pcs resource describe ocf:pulse:pgsql: $(cat describe.out)"
fi

cat >cib.xml <<'XML'
<cib epoch="3" num_updates="0" admin_epoch="0" validate-with="pacemaker-3.7">
  <configuration>
    <crm_config/>
    <nodes>
      <node id="1" uname="n1"/>
      <node id="2" uname="n2"/>
      <node id="3" uname="n3"/>
    </nodes>
    <resources/>
    <constraints/>
  </configuration>
  <status/>
</cib>
XML
chmod 0640 cib.xml

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

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "PASS: pcs lists, describes and creates ocf:pulse:pgsql as a promotable clone"
