#!/usr/bin/env bash
# pe-simulate -x reads a gzip-compressed CIB (the DC's saved pe-input-N.xml.gz) exactly as the
# plain file, and refuses a damaged one with a message and exit 1 instead of a wrong answer.
set -u
pe=${1:?usage: pe_simulate_gzip_test.sh PE_SIMULATE EXAMPLE_CIB}
example=${2:?usage: pe_simulate_gzip_test.sh PE_SIMULATE EXAMPLE_CIB}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

gzip -c "$example" >"$work/pe-input-3.xml.gz"
now=2026-01-01T00:00:00Z
"$pe" -x "$example" -S -t "$now" >"$work/plain.out" 2>&1 || fail "plain run exited $?"
"$pe" -x "$work/pe-input-3.xml.gz" -S -t "$now" >"$work/gz.out" 2>&1 || fail "gzip run exited $?"
grep -q "Transition Summary" "$work/gz.out" || fail "gzip run printed no Transition Summary"
cmp -s "$work/plain.out" "$work/gz.out" || fail "gzip run differs: $(diff "$work/plain.out" "$work/gz.out" | head -5)"

# Cut in the middle: a damaged stream, not a shorter CIB.
size=$(stat -c %s "$work/pe-input-3.xml.gz")
head -c $((size / 2)) "$work/pe-input-3.xml.gz" >"$work/cut.xml.gz"
"$pe" -x "$work/cut.xml.gz" -S >"$work/cut.out" 2>"$work/cut.err"
rc=$?
[[ $rc -eq 1 ]] || fail "damaged gzip: exit $rc, want 1"
grep -q "cut.xml.gz': damaged gzip data" "$work/cut.err" || fail "damaged gzip: stderr $(head -c 200 "$work/cut.err")"
[[ -s $work/cut.out ]] && fail "damaged gzip: printed a result"

if [[ $failed -ne 0 ]]; then exit 1; fi
echo "pe-simulate gzip input: all checks passed"
