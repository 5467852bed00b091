#!/usr/bin/env bash
# haproxy_pcs_test.sh PCS OCF_ROOT: what a user sees of ocf:pulse:haproxy through pcs —
# `pcs resource agents` lists it, `pcs resource describe` shows its meta-data, and
# `pcs -f FILE resource create web ocf:pulse:haproxy conffile=... clone` is accepted (the
# missing required conffile is refused). Exit 0 pass, 1 fail.
set -u
# shellcheck source=SCRIPTDIR/agent_pcs_lib.sh
. "$(dirname "$0")/agent_pcs_lib.sh"

"$PCS" resource agents ocf:pulse >agents.out 2>&1 || fail "pcs resource agents ocf:pulse: $(cat agents.out)"
expect_line haproxy agents.out "pcs resource agents ocf:pulse"

if "$PCS" resource describe ocf:pulse:haproxy >describe.out 2>&1; then
  expect_line "ocf:pulse:haproxy - HAProxy load balancer" describe.out "describe"
  expect_line "  conffile (required) (unique): Configuration file" describe.out "describe"
  grep -qE '^    Default: /.*/haproxy-\$\{OCF_RESOURCE_INSTANCE\}\.pid$' describe.out ||
    fail "describe: no pidfile default per resource instance in: $(cat describe.out)"
  expect_line "  extra_options: Extra HAProxy options" describe.out "describe"
  expect_line "  reload:" describe.out "describe: reload is a default operation"
else
  fail "pcs resource describe ocf:pulse:haproxy: $(cat describe.out)"
fi

empty_cib cib.xml n1 n2

if "$PCS" -f cib.xml resource create web ocf:pulse:haproxy conffile=/etc/haproxy/haproxy.cfg \
  clone >out 2>&1; then
  tr -s ' ' <cib.xml | sed 's/^ //' >flat.xml
  expect_line '<clone id="web-clone">' flat.xml "create ... clone: the clone"
  expect_line '<primitive id="web" class="ocf" provider="pulse" type="haproxy">' flat.xml \
    "create ... clone: the primitive"
  grep -q 'name="conffile" value="/etc/haproxy/haproxy.cfg"' flat.xml ||
    fail "create ... clone: no conffile nvpair in: $(cat cib.xml)"
else
  fail "pcs -f cib.xml resource create web ocf:pulse:haproxy conffile=... clone: $(cat out)"
fi

if "$PCS" -f cib.xml resource create web2 ocf:pulse:haproxy clone >out 2>&1; then
  fail "create without conffile was accepted"
else
  grep -q "required resource option 'conffile' is missing" out ||
    fail "create without conffile: unexpected error: $(cat out)"
fi

finish "pcs lists, describes and creates ocf:pulse:haproxy"
