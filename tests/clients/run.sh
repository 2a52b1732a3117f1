#!/bin/sh
# Runs the client suites: tests/clients/cli-forms.sh (the clients' command
# lines against husk alone), then containerd, Docker and podman driving
# ./husk end to end.  Writes one line "NAME PASSED FAILED" per suite to
# RESULTS (a suite that wrote no result counts as one failure); without
# RESULTS it prints the counts and a closing "N passed, M failed" line.
# Usage: tests/clients/run.sh [RESULTS]
# Env: HUSK (the runtime, default ./husk), CHECK_TIMEOUT (seconds per
# check, default 60), CLIENT_CHECKS (only these checks).
set -u
if [ $# -gt 0 ]; then
	case $1 in /*) results=$1 ;; *) results=$(pwd)/$1 ;; esac
fi
cd "$(dirname "$0")/../.." || exit 1
if [ $# -eq 0 ]; then
	tmp=$(mktemp /tmp/husk-clients-results.XXXXXX)
	sh tests/clients/run.sh "$tmp"
	rc=$?
	awk '{ print "== clients/" $1 ": " $2 " passed, " $3 " failed"; p += $2; f += $3 }
		END { print p + 0 " passed, " f + 0 " failed" }' "$tmp"
	rm -f "$tmp"
	exit $rc
fi
: >"$results"
rc=0
start=$(date +%s)
for name in cli-forms containerd docker podman; do
	f=$(mktemp /tmp/husk-clients-suite.XXXXXX)
	HUSK_RESULTS="$f" HUSK=${HUSK:-./husk} sh "tests/clients/$name.sh" || rc=1
	if [ -s "$f" ]; then
		read -r p m <"$f"
		echo "$name $p $m" >>"$results"
	else
		echo "clients: suite '$name' left no result" >&2
		echo "$name 0 1" >>"$results"
		rc=1
	fi
	rm -f "$f"
done
echo "   clients: all suites in $(($(date +%s) - start)) s"
exit $rc
