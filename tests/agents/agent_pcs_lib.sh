# shellcheck shell=bash
# Sourced by the *_pcs_test.sh scripts, which take PCS OCF_ROOT: OCF_ROOT exported, fail and
# expect_line, a scratch folder as the working directory, empty_cib FILE NODE... (a CIB with
# just those nodes, as pcs -f starts from), and finish MESSAGE (exit 1 after any failure).
(($# == 2)) || { echo "usage: $(basename "$0") PCS OCF_ROOT" >&2; exit 2; }
# shellcheck disable=SC2034 # PCS is for the scripts that source this
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

empty_cib() {
  local file=$1 id=0 node
  shift
  {
    echo '<cib epoch="3" num_updates="0" admin_epoch="0" validate-with="pacemaker-3.7">'
    echo '  <configuration>'
    echo '    <crm_config/>'
    echo '    <nodes>'
    for node in "$@"; do
      id=$((id + 1))
      echo "      <node id=\"$id\" uname=\"$node\"/>"
    done
    echo '    </nodes>'
    echo '    <resources/>'
    echo '    <constraints/>'
    echo '  </configuration>'
    echo '  <status/>'
    echo '</cib>'
  } >"$file"
  chmod 0640 "$file"
}

finish() {
  if ((failures > 0)); then
    echo "$failures check(s) failed"
    exit 1
  fi
  echo "PASS: $1"
}
