# Shared helpers for integration suites (sourced, POSIX sh).
# A suite defines test_* functions and ends with `run_tests`; each test runs in
# a subshell with a fresh state root and bundle dir, and fails on any non-zero
# command or a failed `check`.
set -u
HUSK=${HUSK:-./husk}
HUSK=$(cd "$(dirname "$HUSK")" && pwd)/$(basename "$HUSK")
TOP=$(cd "$(dirname "$0")/../.." && pwd)
_pass=0
_fail=0

fail() {
	echo "    FAIL: $*" >&2
	exit 1
}

# check DESCRIPTION COMMAND...: runs COMMAND, fails the test when it fails.
check() {
	desc=$1
	shift
	"$@" || fail "$desc"
}

# expect_fail EXIT_CODE PATTERN COMMAND...: COMMAND must exit with EXIT_CODE
# and print PATTERN (grep -E) on stderr.
expect_fail() {
	code=$1
	pat=$2
	shift 2
	rc=0
	out=$("$@" 2>&1 >/dev/null) || rc=$?
	[ "$rc" -eq "$code" ] || fail "'$*' exited $rc, want $code (stderr: $out)"
	printf '%s\n' "$out" | grep -Eq -- "$pat" || fail "'$*' stderr '$out' lacks /$pat/"
}

run_tests() {
	for t in $(grep -o '^test_[a-z0-9_]*' "$0" | sort -u); do
		work=$(mktemp -d /tmp/husk-it.XXXXXX)
		# Not under `if`: there the shell would ignore the test's set -e,
		# and a failing command in the middle of a test would go unseen.
		(
			cd "$work" && ROOT="$work/root" BUNDLE="$work/bundle" WORK="$work" &&
				export ROOT BUNDLE WORK && mkdir -p "$BUNDLE" || exit 1
			set -e
			$t
		) >"$work.log" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ]; then
			_pass=$((_pass + 1))
			echo "  ok   $t"
		else
			_fail=$((_fail + 1))
			echo "  FAIL $t"
			sed 's/^/       /' "$work.log"
		fi
		rm -rf "$work" "$work.log"
	done
	[ -n "${HUSK_RESULTS:-}" ] && echo "$_pass $_fail" >"$HUSK_RESULTS"
	[ "$_fail" -eq 0 ]
}

# make_bundle: a busybox bundle in $BUNDLE with terminal off (tests read the
# container's output through pipes).
make_bundle() {
	sh "$TOP/contrib/mkbundle.sh" "$BUNDLE" "$HUSK" >/dev/null
	# the marker lets assert_clean find this test's processes
	cfg ".process.terminal = false | .process.env += [\"HUSK_TEST_MARK=$WORK\"]"
	cd "$BUNDLE"
}

# cfg JQ-EXPR: edits $BUNDLE/config.json in place.
cfg() {
	jq "$1" "$BUNDLE/config.json" >"$BUNDLE/config.json.new" && mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# args CMD...: sets process.args.
args() {
	cfg ".process.args = $(jq -cn '$ARGS.positional' --args -- "$@")"
}

# h ARGS...: husk with this test's state root.
h() {
	"$HUSK" --root "$ROOT" "$@"
}

status_of() {
	h state "$1" 2>/dev/null | jq -r .status
}

# wait_status ID STATUS: up to 5 s for the container to reach STATUS.
wait_status() {
	i=0
	while [ "$(status_of "$1")" != "$2" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	eq "$2" "$(status_of "$1")" "status of $1"
}

# assert_clean: nothing of this test remains: no state dir entry, no mount
# under the bundle, no process carrying this test's marker.
assert_clean() {
	# .cache (compiled seccomp filters) is the state root's, not a container's
	if [ -d "$ROOT" ] && [ -n "$(ls -A "$ROOT" | grep -vx .cache)" ]; then
		fail "state left behind: $(ls -A "$ROOT")"
	fi
	if grep -q " $BUNDLE" /proc/self/mountinfo; then
		fail "mount left behind: $(grep " $BUNDLE" /proc/self/mountinfo | head -n 3)"
	fi
	# one grep over every environment (NUL-separated entries, -z)
	left=$(grep -lsxzF "HUSK_TEST_MARK=$WORK" /proc/[0-9]*/environ 2>/dev/null | head -n 1)
	if [ -n "$left" ]; then
		p=${left%/environ}
		fail "process left behind: ${p#/proc/} ($(cat "$p/comm" 2>/dev/null))"
	fi
}

# eq WANT GOT DESCRIPTION
eq() {
	[ "$1" = "$2" ] || fail "$3: want '$1', got '$2'"
}

# wait_socket PATH: up to 5 s for a unix socket to appear.
wait_socket() {
	i=0
	while [ ! -S "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -S "$1" ] || fail "socket $1 never appeared"
}

# wait_for DESC COMMAND...: up to 5 s for COMMAND to succeed.
wait_for() {
	desc=$1
	shift
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -lt 50 ] || fail "timed out: $desc"
		sleep 0.1
	done
}

# counting_container ID: a container whose init bumps a counter in
# /tmp/count of its writable rootfs (renamed into place: never half-written).
counting_container() {
	make_bundle
	cfg '.root.readonly = false'
	args sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/tmp/n; mv /tmp/n /tmp/count; done'
	h run -d "$1"
	wait_for "the counter" test -s "$BUNDLE/rootfs/tmp/count"
}

count() {
	cat "$BUNDLE/rootfs/tmp/count"
}

# advancing: the counter moves within 2 s.
advancing() {
	a=$(count)
	i=0
	while [ "$(count)" = "$a" ] && [ $i -lt 20 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(count)" != "$a" ]
}

# inside CMD...: runs a shell command in a fresh container, prints its output.
inside() {
	args sh -c "$*"
	h run "c$$" 2>&1
}

# clean: assert_clean plus no mount anywhere under this test's directory
# (bind sources and sentinels live outside the bundle).
clean() {
	assert_clean
	if grep -q " $WORK" /proc/self/mountinfo; then
		fail "mount left behind: $(grep " $WORK" /proc/self/mountinfo | head -n 3)"
	fi
}

# cgroup_of ID: the directory state.json recorded as cgroupPath.
cgroup_of() {
	jq -r .cgroupPath "$ROOT/$1/state.json"
}

# name_of ID: the cgroup's base name.
name_of() {
	basename "$(cgroup_of "$1")"
}

# dir_of ID CONTROLLER: the container's directory in that v1 hierarchy.
dir_of() {
	jq -r --arg c "$2" '.cgroupPaths | to_entries[]
		| select(.key | split(",") | index($c)) | .value' "$ROOT/$1/state.json"
}
