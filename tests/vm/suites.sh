#!/bin/sh
# Host side of the VM suites: boots the test VM once, runs every
# tests/integration-vm/*.sh inside it (tests/vm/guest-suites.sh) and writes
# one line "NAME PASSED FAILED" per suite to RESULTS.  A suite that left no
# result counts as one failure; a VM that could not run at all (no kernel,
# boot failure, timeout) is the failed suite "run".  Without RESULTS it
# prints the counts and a closing "N passed, M failed" line instead.
# Usage: tests/vm/suites.sh [RESULTS]      Env: HUSK_VM_TIMEOUT (default 300)
set -u
if [ $# -gt 0 ]; then
	case $1 in /*) results=$1 ;; *) results=$(pwd)/$1 ;; esac
fi
cd "$(dirname "$0")/../.." || exit 1
if [ $# -eq 0 ]; then
	tmp=$(mktemp /tmp/husk-vm-results.XXXXXX)
	sh tests/vm/suites.sh "$tmp"
	rc=$?
	awk '{ print "== vm/" $1 ": " $2 " passed, " $3 " failed"; p += $2; f += $3 }
		END { print p + 0 " passed, " f + 0 " failed" }' "$tmp"
	rm -f "$tmp"
	exit $rc
fi
: >"$results"
mkdir -p build/vm/out
out=$(mktemp -d "$PWD/build/vm/out/suites.XXXXXX") || {
	echo "run 0 1" >"$results"
	exit 1
}
trap 'rm -rf "$out"' EXIT
# Built here in a second; in the guest, one fork per applet takes a minute.
if sh contrib/mkbundle.sh "$out/bundle" ./husk >/dev/null; then
	tar -C "$out/bundle" -cf "$out/bundle.tar" . && rm -rf "$out/bundle"
else
	echo "husk-vm: no bundle template: the suites build their own, slowly" >&2
fi
HUSK_VM_TIMEOUT=${HUSK_VM_TIMEOUT:-300} sh tests/vm/run.sh --out "$out" -- sh tests/vm/guest-suites.sh
rc=$?
if [ $rc -eq 125 ]; then
	echo "husk-vm: the VM suites did not run: see the messages above" >&2
	echo "run 0 1" >>"$results"
fi
for t in tests/integration-vm/*.sh; do
	[ -e "$t" ] || continue
	case "$t" in */lib.sh) continue ;; esac
	name=$(basename "$t" .sh)
	if [ -s "$out/suite-$name" ]; then
		read -r p m <"$out/suite-$name"
		echo "$name $p $m" >>"$results"
	elif [ $rc -ne 125 ]; then
		echo "husk-vm: suite '$name' left no result" >&2
		echo "$name 0 1" >>"$results"
	fi
done
[ $rc -eq 0 ]
