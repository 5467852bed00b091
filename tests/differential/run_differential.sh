#!/usr/bin/env bash
# Differential test: Pulse's pe-simulate against Pacemaker's crm_simulate on random CIBs.
#
# For each seed, pulse-cibgen writes a small random CIB (2-6 nodes, 3-25 resources: tier1
# features and, in most seeds, clones, promotable clones, fencing with unclean nodes, attribute
# and date rules, resource sets and tickets); both schedulers run `-x CIB -S`; the Transition Summaries (and the revised
# placement) are compared with ../shared/conformance/normalize_summary.py --compare --loose
# --placement. Disagreeing CIBs, both outputs and the diff are kept for replay. Seeds where
# crm_simulate's transition is invalid, where it crashes, or where pe-simulate --pacemaker-defects
# (reproducing the Pacemaker 2.1.5 defects README lists under "Known differences") agrees with
# it are listed but not counted.
#
# Usage: run_differential.sh [--seeds N] [--first-seed S] [--keep DIR] [--jobs J]
#                            [--min PERCENT] [--nodes A-B] [--resources A-B]
#                            [--cibgen PATH] [--pe-simulate PATH] [--max-report N]
#   run_differential.sh --seeds 500 --keep /tmp/diffs      # list disagreements as a tool
#
# Environment: PULSE_DIFF_SEEDS (default 200), PULSE_DIFF_MIN (minimum agreement in percent,
# default 100), PULSE_SHARED (default <repo>/../shared), PULSE_BUILD_DIR (default <repo>/build).
# Exit: 0 agreement >= minimum, 1 below minimum, 2 usage or setup error,
#       77 skipped (crm_simulate is not installed; in CI that is a failure, exit 1).
set -euo pipefail

SCRIPT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/$(basename "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SCRIPT")/../.." && pwd -P)

# ------------------------------------------------------------------------------ one seed
# Worker mode: run_differential.sh --worker SEED (configuration comes from DIFF_* variables).
# Writes $DIFF_WORK/SEED.result: "<status> <nodes> <resources> <detail>" and SEED.diff.
run_seed() {
  local seed=$1 dir=$DIFF_WORK/$1
  mkdir -p "$dir"
  local cib=$dir/cib.xml sizes
  if ! sizes=$("$DIFF_CIBGEN" --seed "$seed" --nodes "$DIFF_NODES" --resources "$DIFF_RESOURCES" \
      -v -o "$cib" 2>&1); then
    echo "error 0 0 pulse-cibgen failed: $sizes" > "$DIFF_WORK/$seed.result"
    return
  fi
  local nodes resources
  nodes=$(sed -n 's/.* nodes=\([0-9]*\).*/\1/p' <<<"$sizes")
  resources=$(sed -n 's/.* resources=\([0-9]*\).*/\1/p' <<<"$sizes")

  local rc_crm=0 rc_pe=0
  LC_ALL=C CIB_shadow_dir=$dir timeout 120 crm_simulate -x "$cib" -S \
    > "$dir/crm_simulate.out" 2> "$dir/crm_simulate.err" || rc_crm=$?
  LC_ALL=C timeout 120 "$DIFF_PE" -x "$cib" -S > "$dir/pe-simulate.out" 2> "$dir/pe-simulate.err" \
    || rc_pe=$?

  # Pacemaker 2.1.5 sometimes cannot finish its own transition (a Serialize order left on an
  # unrunnable action). Its Transition Summary is still meaningful; its revised status is not.
  local stalled=0
  if grep -qE '^(Transition failed|An invalid transition was produced)' \
      "$dir/crm_simulate.out" "$dir/crm_simulate.err"; then
    stalled=1
  fi
  # crm_simulate 2.1.5 aborts on some valid inputs (a promotable clone's instance with no node
  # at pcmk_sched_promotable.c:318): there is no reference to compare with.
  if [[ $rc_crm -ne 0 ]] && grep -q 'Triggered fatal assertion' "$dir/crm_simulate.err"; then
    echo "oracle-crash $nodes $resources crm_simulate: $(grep -m1 -o 'Triggered fatal assertion.*' \
      "$dir/crm_simulate.err")" > "$DIFF_WORK/$seed.result"
    return
  fi
  if [[ $rc_crm -ne 0 && $stalled -eq 0 ]]; then
    echo "oracle-error $nodes $resources crm_simulate exit $rc_crm: $(head -c 200 \
      "$dir/crm_simulate.err" | tr '\n' ' ')" > "$DIFF_WORK/$seed.result"
    return
  fi
  if [[ $rc_pe -ne 0 ]]; then
    local why="exit $rc_pe"
    [[ $rc_pe -eq 124 ]] && why="timed out after 120 s"
    echo "disagree $nodes $resources pe-simulate $why: $(head -c 200 "$dir/pe-simulate.err" \
      | tr '\n' ' ')" > "$DIFF_WORK/$seed.result"
    return
  fi
  local status=agree
  if ! compare_outputs "$dir/crm_simulate.out" "$dir/pe-simulate.out" "$stalled" \
      > "$DIFF_WORK/$seed.diff" 2>&1; then
    status=disagree
  fi
  # A Pacemaker 2.1.5 defect that README lists under "Known differences" (a cloned group's
  # instance left on a node uncounted, so the node gets two instances): when pe-simulate made
  # to reproduce those defects agrees, the defect explains the whole difference.
  local detail=""
  if [[ $status == disagree && $stalled -eq 0 ]] \
      && LC_ALL=C timeout 120 "$DIFF_PE" -x "$cib" -S --pacemaker-defects \
        > "$dir/pe-simulate-defects.out" 2> /dev/null \
      && compare_outputs "$dir/crm_simulate.out" "$dir/pe-simulate-defects.out" 0 \
        > /dev/null 2>&1; then
    status=oracle-defect
    detail="crm_simulate's result follows a known Pacemaker 2.1.5 defect (README, Known differences)"
  fi
  [[ $stalled -eq 1 ]] && status=$status-stalled
  echo "$status $nodes $resources${detail:+ $detail}" > "$DIFF_WORK/$seed.result"
  [[ $status == agree* ]] && rm -rf "$dir"
  return 0
}

# Transition Summary items of a crm_simulate-style output, when normalize_summary.py is absent:
# one line per item, whitespace squeezed, reasons and clone instance numbers dropped, sorted.
summary_items() {
  awk '/^Transition Summary:/ {on = 1; next}
       /^(Executing [Cc]luster [Tt]ransition|Revised [Cc]luster [Ss]tatus):/ {on = 0}
       on && $1 == "*" {
         line = $0
         blocked = line ~ /blocked\)?[[:space:]]*$/
         if ($2 == "Fence" || $2 == "Shutdown") {
           sub(/[[:space:]]*\x27.*$/, "", line)        # fence reason
         } else if (index(line, ")") > 0) {
           line = substr(line, 1, index(line, ")"))   # the details end at the first ")"
         }
         gsub(/[[:space:]]+/, " ", line)
         gsub(/:[0-9]+ /, " ", line)                   # clone instance numbers
         gsub(/\( /, "(", line)
         gsub(/ \)/, ")", line)
         sub(/^ /, "", line)
         print line (blocked ? " blocked" : "")
       }' "$1" | LC_ALL=C sort
}

# Prints the differences; returns 0 when the outputs agree. $3 = 1: Transition Summary only.
compare_outputs() {
  local expected=$1 actual=$2 summary_only=$3
  if [[ -n $DIFF_NORMALIZE ]]; then
    local args=(--compare --loose)
    [[ $summary_only -eq 0 ]] && args+=(--placement)
    python3 "$DIFF_NORMALIZE" "${args[@]}" "$expected" "$actual"
    return
  fi
  if ! grep -q '^Transition Summary:' "$actual"; then
    echo "+ no 'Transition Summary:' block in pe-simulate's output"
    return 1
  fi
  local differences
  differences=$(diff <(summary_items "$expected") <(summary_items "$actual") \
    | sed -n 's/^< /- /p; s/^> /+ /p' || true)
  [[ -z $differences ]] && return 0
  echo "$differences"
  return 1
}

if [[ ${1:-} == --worker ]]; then
  run_seed "$2"
  exit 0
fi

# ------------------------------------------------------------------------------ driver
usage() {
  sed -n '2,/^set -euo/p' "$SCRIPT" | sed '$d; s/^# \{0,1\}//'
}

seeds=${PULSE_DIFF_SEEDS:-200}
min=${PULSE_DIFF_MIN:-100}
shared=${PULSE_SHARED:-$REPO/../shared}
build=${PULSE_BUILD_DIR:-$REPO/build}
first=1 keep="" jobs=$(nproc 2>/dev/null || echo 2) nodes=2-6 resources=3-25 max_report=50
cibgen="" pe=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --seeds) seeds=$2; shift 2 ;;
    --first-seed) first=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --min) min=$2; shift 2 ;;
    --nodes) nodes=$2; shift 2 ;;
    --resources) resources=$2; shift 2 ;;
    --cibgen) cibgen=$2; shift 2 ;;
    --pe-simulate) pe=$2; shift 2 ;;
    --max-report) max_report=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run_differential.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ $seeds =~ ^[0-9]+$ && $seeds -ge 1 ]] || { echo "run_differential.sh: bad seed count '$seeds'" >&2; exit 2; }
[[ $first =~ ^[0-9]+$ ]] || { echo "run_differential.sh: bad --first-seed '$first'" >&2; exit 2; }
min=${min%\%}
[[ $min =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "run_differential.sh: bad minimum '$min' (percent)" >&2; exit 2; }
cibgen=${cibgen:-$build/bin/pulse-cibgen}
pe=${pe:-$build/bin/pe-simulate}

# Without crm_simulate: fails in CI, skipped (exit 77) elsewhere.
# shellcheck source=SCRIPTDIR/../fixtures/missing_tool.sh
source "$REPO/tests/fixtures/missing_tool.sh"
require_tool crm_simulate pacemaker-cli-utils
for tool in "$cibgen" "$pe"; do
  [[ -x $tool ]] || { echo "run_differential.sh: $tool is missing; build first (./dev build)" >&2; exit 2; }
done
normalize=$shared/conformance/normalize_summary.py
if [[ ! -f $normalize ]] || ! command -v python3 > /dev/null; then
  echo "note: $normalize (or python3) not found; comparing Transition Summary lines only"
  normalize=""
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pulse-differential.XXXXXX")
trap 'rm -rf "$work"' EXIT
export DIFF_WORK=$work DIFF_CIBGEN=$cibgen DIFF_PE=$pe DIFF_NODES=$nodes
export DIFF_RESOURCES=$resources DIFF_NORMALIZE=$normalize

last=$((first + seeds - 1))
echo "differential: seeds $first..$last (nodes $nodes, resources $resources), $jobs jobs"
echo "  pe-simulate:  $pe"
echo "  crm_simulate: $(crm_simulate --version 2>/dev/null | head -1)"
start=$(date +%s)
if [[ -n $keep ]]; then
  mkdir -p "$keep"
  keep=$(cd "$keep" && pwd -P)
  rm -f "$keep"/seed-*
fi
seq "$first" "$last" | xargs -P "$jobs" -I{} "$SCRIPT" --worker {} || true

agree=0 disagree=0 stalled=0 errors=0 reported=0 no_reference=0 crashed=0 defects=0
for seed in $(seq "$first" "$last"); do
  status=error n="?" r="?" detail="no result (worker crashed)"
  [[ -f $work/$seed.result ]] && read -r status n r detail < "$work/$seed.result"
  case $status in
    agree|agree-stalled)
      agree=$((agree + 1))
      [[ $status == agree-stalled ]] && stalled=$((stalled + 1))
      continue ;;
    # crm_simulate produced a transition that cannot complete (it says "An invalid
    # transition was produced"): a difference there is listed but is no evidence
    # against Pulse, so it counts neither way.
    disagree-stalled) stalled=$((stalled + 1)); no_reference=$((no_reference + 1)) ;;
    # crm_simulate itself crashed (a failed assertion): listed, counted neither way.
    oracle-crash) crashed=$((crashed + 1)); no_reference=$((no_reference + 1)) ;;
    # crm_simulate's result is a known Pacemaker defect's (pe-simulate reproducing that
    # defect agrees with it): listed, counted neither way.
    oracle-defect) defects=$((defects + 1)); no_reference=$((no_reference + 1)) ;;
    oracle-error|error) errors=$((errors + 1)) ;;
  esac
  disagree=$((disagree + 1))
  if [[ -n $keep && -d $work/$seed ]]; then
    # A generator failure leaves no CIB; the remaining files are still worth keeping.
    cp "$work/$seed/cib.xml" "$keep/seed-$seed.xml" 2> /dev/null || true
    for f in crm_simulate.out crm_simulate.err pe-simulate.out pe-simulate.err \
        pe-simulate-defects.out; do
      cp "$work/$seed/$f" "$keep/seed-$seed.$f" 2> /dev/null || true
    done
    [[ -f $work/$seed.diff ]] && cp "$work/$seed.diff" "$keep/seed-$seed.diff"
  fi
  reported=$((reported + 1))
  if [[ $reported -le $max_report ]]; then
    echo
    echo "seed $seed ($n nodes, $r resources): ${status^^}${detail:+ - $detail}"
    if [[ -s $work/$seed.diff ]]; then
      head -n 15 "$work/$seed.diff" | sed 's/^/    /'
      lines=$(wc -l < "$work/$seed.diff")
      [[ $lines -gt 15 ]] && echo "    ... $((lines - 15)) more lines"
    fi
    [[ $status == *stalled ]] && echo "    (crm_simulate could not finish its transition: summary compared only)"
    if [[ -n $keep ]]; then
      echo "    replay: $pe -x $keep/seed-$seed.xml -S"
    fi
  fi
done
[[ $reported -gt $max_report ]] && echo && echo "... $((reported - max_report)) more disagreements not shown"

total=$((seeds - no_reference))
[[ $total -gt 0 ]] || total=1
pct=$(awk -v a="$agree" -v t="$total" 'BEGIN {printf "%.1f", 100 * a / t}')
echo
echo "agreement: $agree/$total seeds ($pct%) in $(( $(date +%s) - start )) s; minimum $min%"
[[ $stalled -gt 0 ]] && echo "  $stalled seed(s) where crm_simulate stalled were compared on the Transition Summary only"
invalid=$((no_reference - crashed - defects))
[[ $invalid -gt 0 ]] && echo "  $invalid seed(s) differ where crm_simulate's own transition was invalid: listed above, not counted"
[[ $defects -gt 0 ]] && echo "  $defects seed(s) differ by a known Pacemaker 2.1.5 defect (README, Known differences): listed above, not counted"
[[ $crashed -gt 0 ]] && echo "  $crashed seed(s) where crm_simulate crashed (failed assertion): listed above, not counted"
[[ $errors -gt 0 ]] && echo "  $errors seed(s) failed in the generator or in crm_simulate itself (counted as disagreements)"
if [[ -n $keep && $disagree -gt 0 ]]; then
  echo "  disagreeing CIBs and outputs: $keep"
elif [[ $disagree -gt 0 ]]; then
  echo "  (use --keep DIR to keep the disagreeing CIBs)"
fi
if awk -v a="$agree" -v t="$total" -v m="$min" 'BEGIN {exit !(100 * a / t + 1e-9 >= m)}'; then
  echo "PASS"
  exit 0
fi
echo "FAIL: agreement $pct% is below the minimum $min% (PULSE_DIFF_MIN)"
exit 1
