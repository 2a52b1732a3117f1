#!/bin/sh
# Runs inside the test VM (from the repo's top dir): every
# tests/integration-vm/*.sh with ./husk, each writing "passed failed" to
# $HUSK_VM_OUT/suite-NAME for the host to read, and a console line
# "HUSK-VM-RESULT NAME PASSED FAILED".
set -u
[ "${HUSK_IN_VM:-}" = 1 ] || {
	echo "guest-suites: runs inside the VM only: use tests/vm/suites.sh" >&2
	exit 2
}
rc=0
for t in tests/integration-vm/*.sh; do
	[ -e "$t" ] || continue
	case "$t" in */lib.sh) continue ;; esac
	name=$(basename "$t" .sh)
	f=$HUSK_VM_OUT/suite-$name
	echo "== vm/$name"
	HUSK_RESULTS="$f" HUSK=./husk sh "$t" || rc=1
	if [ -s "$f" ]; then
		read -r p m <"$f"
		echo "HUSK-VM-RESULT $name $p $m"
	else
		echo "HUSK-VM-RESULT $name 0 1 (the suite wrote no result)"
		rc=1
	fi
done
exit $rc
