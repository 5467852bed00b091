#!/usr/bin/env bash
# pe-simulate's command line on bad input: a clear message naming what was
# wrong, the documented exit code, and nothing on stdout that could be
# mistaken for a valid result.
set -u
pe=${1:?usage: pe_simulate_cli_test.sh PE_SIMULATE EXAMPLE_CIB}
example=${2:?usage: pe_simulate_cli_test.sh PE_SIMULATE EXAMPLE_CIB}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# expect NAME EXIT_CODE STDERR_PATTERN -- ARGS...   (pattern "-": stderr not checked)
expect() {
  local name=$1 code=$2 pattern=$3
  shift 4
  "$pe" "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  local ok=1
  [[ $rc -eq $code ]] || ok=0
  if [[ $pattern != "-" ]]; then grep -qE "$pattern" "$work/err" || ok=0; fi
  if [[ $code -ne 0 && -s $work/out ]]; then ok=0; fi
  if [[ $ok -eq 1 ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit $rc (want $code), stderr: $(head -c 300 "$work/err"), stdout bytes: $(wc -c <"$work/out")"
  fi
}

printf '<cib>\n<configuration>\n<resources>\n</configuration>\n</cib>\n' >"$work/malformed.xml"
head -c 2000 "$example" >"$work/truncated.xml"
sed 's/score="200"/score="lots"/' "$example" >"$work/score.xml"
sed 's#</constraints>#<rsc_colocation id="ghost-coloc" rsc="pgsql" with-rsc="ghost" score="10"/></constraints>#' \
  "$example" >"$work/unknown.xml"
sed 's#</constraints>#<rsc_order id="o-a" first="pgsql" then="web"/><rsc_order id="o-b" first="web" then="pgsql"/></constraints>#' \
  "$example" >"$work/cycle.xml"
sed 's#<resources>#<resources><widget id="w1"/>#' "$example" >"$work/element.xml"
head -c 100000 /dev/urandom >"$work/garbage.xml"

expect malformed 1 'malformed XML at line [0-9]+' -- -x "$work/malformed.xml" -S
expect truncated 1 'malformed XML at line [0-9]+' -- -x "$work/truncated.xml" -S
expect score 1 'not a score.*lots' -- -x "$work/score.xml" -S
expect unknown-resource 1 "ghost-coloc.*'ghost' does not exist" -- -x "$work/unknown.xml" -S
expect cycle 1 'cycle' -- -x "$work/cycle.xml" -S
expect unknown-element 1 '<widget id="w1"> \(line [0-9]+\)' -- -x "$work/element.xml" -S
expect garbage 1 'malformed XML|root element' -- -x "$work/garbage.xml" -S
expect missing-file 3 "cannot read" -- -x "$work/does-not-exist.xml" -S
expect bad-date 1 "not an ISO 8601" -- -x "$example" -S -t yesterday
expect no-cib 2 "no CIB given" -- -S
expect unknown-option 2 "unrecognised|unrecognized" -- -x "$example" --frobnicate
expect valid 0 - -- -x "$example" -S
grep -q "^Transition Summary:" "$work/out" || { echo "FAIL valid: no Transition Summary"; failed=$((failed + 1)); }

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
