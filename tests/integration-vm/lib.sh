# Shared helpers for the suites that run inside the test VM (sourced, POSIX
# sh): those of tests/integration/lib.sh, two of them redone for TCG, where
# every exec costs about 0.1 s:
# - make_bundle unpacks the bundle the host built before boot
#   ($HUSK_VM_OUT/bundle.tar, from tests/vm/suites.sh) instead of forking once
#   per busybox applet;
# - assert_clean finds marked processes with one grep, not two per process.
# Both check and build the same things as the originals: keep them in step.
. "$(dirname "$0")/../integration/lib.sh"

[ "${HUSK_IN_VM:-}" = 1 ] || {
	echo "$(basename "$0"): runs inside the VM: tests/vm/run.sh sh $0" >&2
	exit 2
}

if [ -f "${HUSK_VM_OUT:-}/bundle.tar" ]; then
	make_bundle() {
		tar -xf "$HUSK_VM_OUT/bundle.tar" -C "$BUNDLE"
		cfg ".process.terminal = false | .process.env += [\"HUSK_TEST_MARK=$WORK\"]"
		cd "$BUNDLE" || exit 1
	}
fi

assert_clean() {
	# .cache (compiled seccomp filters) is the state root's, not a container's
	if [ -d "$ROOT" ] && [ -n "$(ls -A "$ROOT" | grep -vx .cache)" ]; then
		fail "state left behind: $(ls -A "$ROOT")"
	fi
	if grep -q " $BUNDLE" /proc/self/mountinfo; then
		fail "mount left behind: $(grep " $BUNDLE" /proc/self/mountinfo | head -n 3)"
	fi
	# environ files are NUL-separated: -z makes each variable one record
	left=$(grep -lsxzF "HUSK_TEST_MARK=$WORK" /proc/[0-9]*/environ)
	if [ -n "$left" ]; then
		p=$(echo "$left" | head -n 1 | cut -d/ -f3)
		fail "process left behind: $p ($(cat "/proc/$p/comm" 2>/dev/null))"
	fi
}
