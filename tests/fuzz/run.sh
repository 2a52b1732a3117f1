#!/bin/sh
# Builds the config fuzzer (libFuzzer + ASan + UBSan) and runs it.
#   FUZZ_SECONDS  how long to run (default 600)
#   CC            a clang with libFuzzer (default clang)
# The checked-in seeds in tests/fuzz/corpus stay untouched: the fuzzer grows
# a working copy in build/fuzz/corpus.  Exits non-zero when it finds a crash;
# the reproducer is left in build/fuzz/artifacts/.
set -eu

cd "$(dirname "$0")/../.."
CC=${CC:-clang}
case "$CC" in
cc | gcc | */gcc*) CC=clang ;; # libFuzzer needs clang
esac
SECONDS_TO_RUN=${FUZZ_SECONDS:-600}
OUT=build/fuzz
BIN=$OUT/config_fuzz

VERSION=$(cat VERSION 2>/dev/null || echo 0.0.0)
COMMIT=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

mkdir -p "$OUT/corpus" "$OUT/artifacts"

echo "fuzz: building $BIN"
# shellcheck disable=SC2046
"$CC" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -g -O1 \
	-std=gnu11 -D_GNU_SOURCE -Iinclude -Ilibcontainer $(pkg-config --cflags yajl) \
	-DHUSK_VERSION="\"$VERSION\"" -DHUSK_COMMIT="\"$COMMIT\"" \
	-o "$BIN" libcontainer/*.c libcontainer/*/*.c tests/fuzz/config_fuzz.c \
	$(pkg-config --libs libseccomp libcap yajl libmnl) -lm

cp -n tests/fuzz/corpus/* "$OUT/corpus/" 2>/dev/null || true
# Only artifacts from this run count.
rm -f "$OUT"/artifacts/crash-* "$OUT"/artifacts/leak-* "$OUT"/artifacts/timeout-* \
	"$OUT"/artifacts/oom-*

echo "fuzz: running for ${SECONDS_TO_RUN}s"
status=0
"./$BIN" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$OUT/artifacts/" "$OUT/corpus" \
	>"$OUT/fuzz.log" 2>&1 || status=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/fuzz.log")
crashes=$(find "$OUT/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
	-o -name 'oom-*' \) | wc -l)
corpus=$(find "$OUT/corpus" -type f | wc -l)
echo "fuzz: ${execs:-0} executions, $corpus corpus entries, $crashes crashes (log: $OUT/fuzz.log)"

if [ "$crashes" -ne 0 ] || [ "$status" -ne 0 ]; then
	grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$OUT/fuzz.log" | head -n 5 || true
	find "$OUT/artifacts" -type f | sed 's/^/fuzz: reproducer /'
	exit 1
fi
