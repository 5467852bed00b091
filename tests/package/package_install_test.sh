#!/usr/bin/env bash
# package.install: builds the Debian package from the build folder (cpack), installs it with
# dpkg into a fresh Debian 12 root (chroot) and checks what a user of a new machine sees: crmd,
# pcs and pe-simulate run from it, the man pages are there and say what --help says, pcs's
# completion works, the hacluster user and haclient group exist, and nothing was enabled or
# started. Then a purge removes the programs.
#
# The fresh root is `mmdebstrap --variant=minbase bookworm`: Essential and Priority:required
# packages only, what a new Debian 12 (a container image) has. A dpkg -i there succeeds only
# when the package's Depends are met by such a machine, and the programs run only when the
# libraries they need are in it. (An overlay of this machine's / would hide both: it carries
# every build library, and Debian's pcs, pacemaker and corosync whose files the package
# replaces, and a hacluster user.) The root is built once (about a minute) and kept as a tar
# in BUILD/package-test/ for a week; each run unpacks it anew (seconds).
#
# usage: package_install_test.sh BUILD_DIR VERSION          (root; exit 77 = skipped)
set -euo pipefail
# shellcheck source=SCRIPTDIR/../fixtures/missing_tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/../fixtures/missing_tool.sh"

(($# == 2)) || { echo "usage: package_install_test.sh BUILD_DIR VERSION" >&2; exit 2; }
build=$(cd "$1" && pwd -P)
version=$2
if [[ $(id -u) -ne 0 ]]; then
  echo "SKIPPED: needs root (dpkg -i into a chroot)"
  exit 77
fi
require_tool cpack cmake
require_tool dpkg-shlibdeps dpkg-dev
require_tool mmdebstrap mmdebstrap

failures=0
pass() { printf 'PASS: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; failures=$((failures + 1)); }
check() {  # check WHAT COMMAND...
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

work=$build/package-test
mkdir -p "$work"

# 1. The package, as ./dev package makes it.
rm -f "$build"/package/*.deb
(cd "$build" && cpack --config CPackConfig.cmake) >"$work/cpack.log" 2>&1 ||
  { tail -n 30 "$work/cpack.log"; echo "FAIL: cpack (log: $work/cpack.log)"; exit 1; }
deb=$(find "$build/package" -maxdepth 1 -name "pulse-cluster_${version}_*.deb" -print -quit)
[[ -n $deb ]] || { echo "FAIL: cpack wrote no pulse-cluster_${version}_*.deb"; exit 1; }
printf '# %s: %s\n' "${deb##*/}" "$(du -h "$deb" | cut -f1)"
printf '# Depends: %s\n' "$(dpkg-deb --field "$deb" Depends)"

# 2. A fresh Debian 12 root.
tarball=$work/bookworm-minbase.tar
if [[ ! -s $tarball || -n $(find "$tarball" -mtime +7) ]]; then
  echo "# mmdebstrap --variant=minbase bookworm (kept in $tarball)"
  mmdebstrap --variant=minbase --mode=root --quiet bookworm "$work/bookworm-minbase.part.tar" \
    >"$work/mmdebstrap.log" 2>&1 ||
    { tail -n 20 "$work/mmdebstrap.log"; echo "FAIL: mmdebstrap"; exit 1; }
  mv "$work/bookworm-minbase.part.tar" "$tarball"
fi
root=$(mktemp -d "$work/root.XXXXXX")
# Nothing is mounted in the root, so removing it touches nothing outside.
trap 'rm -rf --one-file-system "$root"' EXIT
tar -C "$root" -xf "$tarball"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
boot_links() {
  find "$root/etc/systemd/system" -mindepth 2 -maxdepth 2 -type l \
    \( -path '*.wants/*' -o -path '*.requires/*' \) -printf '%P\n' 2>/dev/null | sort
}
in_root getent passwd hacluster >/dev/null && { echo "FAIL: the fresh root has hacluster"; exit 1; }
links_before=$(boot_links)

# 3. The install.
cp "$deb" "$root/tmp/pulse-cluster.deb"
if ! in_root dpkg -i /tmp/pulse-cluster.deb >"$work/dpkg.log" 2>&1; then
  cat "$work/dpkg.log"
  echo "FAIL: dpkg -i into a fresh Debian 12 root"
  exit 1
fi
pass "dpkg -i ${deb##*/} into a fresh Debian 12 root (its Depends met there)"
started=()
for proc in /proc/[0-9]*; do
  [[ $(readlink "$proc/root" 2>/dev/null) == "$root" ]] && started+=("${proc#/proc/}")
done
check "no process runs in the root after the install" test ${#started[@]} -eq 0
check "no unit enabled by the install" test "$(boot_links)" == "$links_before"

# 4. What a user runs.
out=$(in_root crmd --version 2>&1) || true
check "crmd --version prints $version (got: $out)" test "$out" == "$version"
out=$(in_root pcs --version 2>&1) || true
check "pcs --version answers (got: $out)" test "$out" == "0.11.5 (pulse)"
out=$(in_root ldd /usr/sbin/crmd 2>&1) || true
check "crmd's shared libraries are all in the fresh root (ldd: libc, none not found)" \
  test -n "$(grep -F libc.so.6 <<<"$out")" -a -z "$(grep -F "not found" <<<"$out")"
out=$(in_root pe-simulate -x /usr/share/doc/pulse/examples/web-cluster.xml -S 2>&1) || true
check "pe-simulate runs the example CIB" grep -q "Transition Summary" <<<"$out"
complete_in_root() {  # complete_in_root LINE: what pcs's bash completion offers at its end
  # shellcheck disable=SC2016  # expanded by the bash in the root
  in_root bash -c 'source /usr/share/bash-completion/completions/pcs
    COMP_LINE=$1; COMP_POINT=${#1}; _pulse_pcs; echo "${COMPREPLY[*]}"' _ "$1" 2>&1 || true
}
out=$(complete_in_root "pcs cluster s")
check "bash completion: pcs cluster s<TAB> offers setup start stop (got: $out)" \
  test "$out" == "setup start stop"
out=$(complete_in_root "pcs resource describe ocf:pulse:hap")
check "bash completion: the installed agent ocf:pulse:haproxy (got: $out)" test "$out" == "haproxy"

# Each page is there, and names every option its program's --help names (help2man writes a
# hyphen as \-).
for page in man8/crmd.8 man8/pcs.8 man1/pe-simulate.1 man8/crm_attribute.8 man8/crm_node.8 \
  man8/crm_mon.8 man8/crm_resource.8; do
  file=$root/usr/share/man/$page.gz
  program=${page#*/}
  program=${program%.*}
  if [[ ! -s $file ]]; then
    fail "man page $page.gz is installed"
    continue
  fi
  text=$(gzip -dc "$file" | sed 's/\\-/-/g')
  missing=()
  while read -r option; do
    grep -qF -- "$option" <<<"$text" || missing+=("$option")
  done < <(in_root "$program" --help 2>&1 | grep -oE -- '--[a-z][a-z-]+' | sort -u)
  check "man page $page names every option of $program --help${missing:+ (missing: ${missing[*]})}" \
    test ${#missing[@]} -eq 0
done
if command -v man >/dev/null 2>&1; then
  out=$(MANWIDTH=80 man -l "$root/usr/share/man/man8/crmd.8.gz" 2>/dev/null) || true
  check "man -l shows crmd(8)" grep -qE "crmd +- +Pulse cluster node daemon" <<<"$out"
fi

# 5. The cluster's user and group.
group=$(in_root id -gn hacluster 2>&1) || true
uid=$(in_root id -u hacluster 2>&1) || true
check "id hacluster: a system user (uid $uid) in group haclient (got: $group)" \
  test "$group" == haclient -a "$uid" -lt 1000

# 6. A purge removes the programs.
in_root dpkg --purge pulse-cluster >>"$work/dpkg.log" 2>&1 || fail "dpkg --purge pulse-cluster"
check "dpkg --purge removes crmd and pcs" \
  test ! -e "$root/usr/sbin/crmd" -a ! -e "$root/usr/sbin/pcs"

if ((failures)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "every check passed"
