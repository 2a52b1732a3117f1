#!/bin/sh
# Builds the libFuzzer targets (libFuzzer + ASan + UBSan) and runs them.
#   FUZZ_TARGETS  which to run (default "config seccomp state"):
#                   config   config.json parse + validate (config_fuzz.c)
#                   seccomp  linux.seccomp -> compiled filter (seccomp_fuzz.c)
#                   state    husk's own state.json decoding (state_fuzz.c)
#   FUZZ_SECONDS  how long to run each (default 600)
#   FUZZ_PARALLEL 1 runs the targets side by side instead of one after another
#   CC            a clang with libFuzzer (default clang)
# The checked-in seeds in tests/fuzz/corpus/<target> stay untouched: each
# fuzzer grows a working copy in build/fuzz/<target>/corpus.  Exits non-zero
# when a target finds a crash; reproducers are left in
# build/fuzz/<target>/artifacts/.
set -eu

cd "$(dirname "$0")/../.."
CC=${CC:-clang}
case "$CC" in
cc | gcc | */gcc*) CC=clang ;; # libFuzzer needs clang
esac
SECONDS_TO_RUN=${FUZZ_SECONDS:-600}
TARGETS=${FUZZ_TARGETS:-config seccomp state}

# Leaks of libraries husk cannot fix (each explained in the file).
LSAN_OPTIONS="suppressions=$(pwd)/tests/fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

VERSION=$(cat VERSION 2>/dev/null || echo 0.0.0)
COMMIT=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

build() {
	out=build/fuzz/$1
	mkdir -p "$out/corpus" "$out/artifacts"
	echo "fuzz: building $out/fuzzer"
	# shellcheck disable=SC2046
	"$CC" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -g -O1 \
		-std=gnu11 -D_GNU_SOURCE -Iinclude -Ilibcontainer $(pkg-config --cflags yajl) \
		-DHUSK_VERSION="\"$VERSION\"" -DHUSK_COMMIT="\"$COMMIT\"" \
		-o "$out/fuzzer" libcontainer/*.c libcontainer/*/*.c "tests/fuzz/$1_fuzz.c" \
		$(pkg-config --libs libseccomp libcap yajl libmnl) -lm
}

# run TARGET: one fuzzing session; prints one summary line.
run() {
	out=build/fuzz/$1
	cp -n "tests/fuzz/corpus/$1"/* "$out/corpus/" 2>/dev/null || true
	# Only artifacts from this run count.
	rm -f "$out"/artifacts/crash-* "$out"/artifacts/leak-* "$out"/artifacts/timeout-* \
		"$out"/artifacts/oom-*
	status=0
	"./$out/fuzzer" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/artifacts/" \
		"$out/corpus" >"$out/fuzz.log" 2>&1 || status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log")
	crashes=$(find "$out/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' \
		-o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
	corpus=$(find "$out/corpus" -type f | wc -l)
	echo "fuzz $1: ${execs:-0} executions, $corpus corpus entries, $crashes crashes" \
		"(log: $out/fuzz.log)"
	if [ "$crashes" -ne 0 ] || [ "$status" -ne 0 ]; then
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$out/fuzz.log" | head -n 5 || true
		find "$out/artifacts" -type f | sed 's/^/fuzz: reproducer /'
		return 1
	fi
}

for t in $TARGETS; do
	[ -f "tests/fuzz/${t}_fuzz.c" ] || { echo "fuzz: unknown target \"$t\"" >&2; exit 2; }
	build "$t"
done
echo "fuzz: running ${TARGETS} for ${SECONDS_TO_RUN}s each"
failed=0
if [ "${FUZZ_PARALLEL:-0}" = 1 ]; then
	pids=""
	for t in $TARGETS; do
		run "$t" &
		pids="$pids $!"
	done
	for p in $pids; do
		wait "$p" || failed=1
	done
else
	for t in $TARGETS; do
		run "$t" || failed=1
	done
fi
exit $failed
