#!/usr/bin/env bash
# End to end with the real binaries on 127.0.0.1: crmd passwd, crmd on a free port (it logs
# the port it bound), pcs host auth with the right and a wrong password, the token and pin in
# pcs's known-hosts, pcs host deauth (which revokes the token on the node), crmd stopping
# cleanly (exit 0) on SIGTERM, and crmd refusing to run from an invalid cluster config.
# Usage: host_auth_e2e_test.sh CRMD PCS
set -euo pipefail
CRMD=$1
PCS=$2
WORK=$(mktemp -d)
CRMD_PID=
cleanup() {
  if [[ -n $CRMD_PID ]] && kill -0 "$CRMD_PID" 2>/dev/null; then kill -KILL "$CRMD_PID"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- crmd log:" >&2
  cat "$WORK/crmd.log" >&2 || true
  exit 1
}
export no_proxy='*'
NODE_DIR=$WORK/node
CLIENT_DIR=$WORK/client
mkdir -m 0700 "$NODE_DIR" "$CLIENT_DIR"

# The password comes from stdin (not a terminal), never from argv.
echo 'e2e-secret' | "$CRMD" passwd --state-dir "$NODE_DIR" 2>/dev/null || fail "crmd passwd"
[[ $(stat -c %a "$NODE_DIR/hacluster.passwd") == 600 ]] || fail "password file mode"

# The log exists before the loop reads it (the background job may not have opened it yet).
: >"$WORK/crmd.log"
"$CRMD" --state-dir "$NODE_DIR" --listen 127.0.0.1:0 --name n1 2>>"$WORK/crmd.log" &
CRMD_PID=$!
PORT=
for _ in $(seq 100); do
  PORT=$(sed -n 's/.* listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$WORK/crmd.log")
  [[ -n $PORT ]] && break
  kill -0 "$CRMD_PID" 2>/dev/null || fail "crmd exited early"
  sleep 0.05
done
[[ -n $PORT ]] || fail "crmd did not report its port"
[[ $(stat -c %a "$NODE_DIR/crmd.key") == 600 ]] || fail "key file mode"

# Not on a terminal and no fingerprint given: trusted on first use, with a warning naming the
# fingerprint that `crmd fingerprint` prints on the node; pcs says what it pinned.
FP=$("$CRMD" fingerprint --state-dir "$NODE_DIR") || fail "crmd fingerprint"
[[ $FP =~ ^SHA256:[A-Za-z0-9+/]{43}$ ]] || fail "crmd fingerprint: $FP"
out=$("$PCS" --state-dir "$CLIENT_DIR" host auth n1 addr=127.0.0.1:"$PORT" -u hacluster \
  -p e2e-secret 2>"$WORK/auth.err") || fail "pcs host auth with the right password"
[[ $out == "n1: Authorized (certificate $FP)" ]] || fail "unexpected output: $out"
grep -q "^Warning: n1 (127.0.0.1:$PORT): certificate $FP trusted on first use" "$WORK/auth.err" ||
  fail "no first-use warning: $(cat "$WORK/auth.err")"
[[ $(stat -c %a "$CLIENT_DIR/known-hosts") == 600 ]] || fail "known-hosts mode"
grep -q "^n1 127.0.0.1:$PORT [0-9a-f]\{64\} [0-9a-f]\{64\}$" "$CLIENT_DIR/known-hosts" ||
  fail "known-hosts entry"

# Password from stdin, and the pinned certificate is accepted on the second connection.
out=$(echo e2e-secret | "$PCS" --state-dir "$CLIENT_DIR" host auth n1 addr=127.0.0.1:"$PORT" \
  -u hacluster 2>"$WORK/auth.err") || fail "pcs host auth with the password on stdin"
[[ $out == "n1: Authorized (certificate $FP)" ]] || fail "unexpected output: $out"
[[ ! -s $WORK/auth.err ]] || fail "a pinned host warned: $(cat "$WORK/auth.err")"

# Without -u, pcs asks "Username: " and reads it before the password, as guides show.
out=$(printf 'hacluster\ne2e-secret\n' | "$PCS" --state-dir "$CLIENT_DIR" host auth n1 \
  addr=127.0.0.1:"$PORT" 2>"$WORK/auth.err") || fail "pcs host auth reading Username: first"
[[ $out == "Username: n1: Authorized (certificate $FP)" ]] || fail "unexpected output: $out"
set +e
printf 'root\ne2e-secret\n' | "$PCS" --state-dir "$CLIENT_DIR" host auth n1 \
  addr=127.0.0.1:"$PORT" >/dev/null 2>"$WORK/auth.err"
rc=$?
set -e
[[ $rc == 1 ]] && grep -q "must be hacluster" "$WORK/auth.err" ||
  fail "a username other than hacluster: exit $rc, $(cat "$WORK/auth.err")"

set +e
err=$("$PCS" --state-dir "$CLIENT_DIR" host auth n1 addr=127.0.0.1:"$PORT" -u hacluster \
  -p bad-pw-e2e 2>&1 >/dev/null)
rc=$?
set -e
[[ $rc == 1 ]] || fail "wrong password: exit code $rc"
[[ $err == "Error: Unable to authenticate n1: Username and/or password is incorrect" ]] ||
  fail "wrong password: $err"

# An unreachable node: an error within the timeout, not a hang.
set +e
err=$(timeout 20 "$PCS" --state-dir "$CLIENT_DIR" host auth n2 addr=127.0.0.1:1 -u hacluster -p x 2>&1)
rc=$?
set -e
[[ $rc == 1 && $err == "Error: Unable to authenticate n2: "* ]] || fail "unreachable: $rc $err"

# Secrets never reach the log.
! grep -q -e e2e-secret -e bad-pw-e2e "$WORK/crmd.log" || fail "a secret in the log"
token=$(cut -d' ' -f3 "$CLIENT_DIR/known-hosts")
! grep -q "$token" "$WORK/crmd.log" "$NODE_DIR/tokens" || fail "a token in the log or store"

entry=$(cat "$CLIENT_DIR/known-hosts")
"$PCS" --state-dir "$CLIENT_DIR" host deauth n1 || fail "pcs host deauth"
[[ ! -s $CLIENT_DIR/known-hosts ]] || fail "deauth left the entry"
# deauth revoked the token on the node: the old entry is refused from now on.
printf '%s\n' "$entry" >"$CLIENT_DIR/known-hosts"
set +e
err=$("$PCS" --state-dir "$CLIENT_DIR" cluster corosync n1 2>&1)
rc=$?
set -e
[[ $rc == 1 && $err == *"invalid authentication token"* ]] || fail "revoked token: $rc $err"
: >"$CLIENT_DIR/known-hosts"
set +e
err=$("$PCS" --state-dir "$CLIENT_DIR" host deauth n9 2>&1)
rc=$?
set -e
[[ $rc == 1 && $err == "Error: Following hosts were not found: 'n9'" ]] || fail "deauth n9: $err"

kill -TERM "$CRMD_PID"
set +e
wait "$CRMD_PID"
rc=$?
set -e
CRMD_PID=
[[ $rc == 0 ]] || fail "crmd exit code after SIGTERM: $rc"
grep -q "received SIGTERM, shutting down" "$WORK/crmd.log" || fail "no shutdown line"

# An invalid cluster config: crmd says which file and line, and exits 1 instead of running.
printf 'totem {\n    version: 2\n    cluster_name: x\n    tokn: 1000\n}\n' >"$NODE_DIR/corosync.conf"
set +e
"$CRMD" --state-dir "$NODE_DIR" --listen 127.0.0.1:0 --name n1 2>"$WORK/crmd-bad.log"
rc=$?
set -e
[[ $rc == 1 ]] || fail "crmd with an invalid config: exit code $rc"
grep -q "cannot start: $NODE_DIR/corosync.conf: line 4" "$WORK/crmd-bad.log" ||
  fail "crmd with an invalid config: $(cat "$WORK/crmd-bad.log")"
echo "PASS"
