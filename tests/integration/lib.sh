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
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" -eq "$code" ] || fail "'$*' exited $rc, want $code (stderr: $out)"
	printf '%s\n' "$out" | grep -Eq -- "$pat" || fail "'$*' stderr '$out' lacks /$pat/"
}

run_tests() {
	for t in $(grep -o '^test_[a-z0-9_]*' "$0" | sort -u); do
		work=$(mktemp -d /tmp/husk-it.XXXXXX)
		if (
			cd "$work" && ROOT="$work/root" BUNDLE="$work/bundle" WORK="$work" && \
			export ROOT BUNDLE WORK && mkdir -p "$BUNDLE" && set -e && $t
		) >"$work.log" 2>&1; then
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
