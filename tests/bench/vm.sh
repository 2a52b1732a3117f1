#!/bin/sh
# make bench-vm: the bench inside the test VM (tests/vm/README.md), whose
# pure cgroup v2 kernel lets crun run too.  The VM emulates its CPU (qemu
# TCG), so its absolute times mean little: the ratios of one run are the
# figures to quote.  Results land in build/bench/vm/ on the host.
# Env: BENCH_N (default 20 here), BENCH_SCALE (default "10 100"),
#      HUSK_VM_TIMEOUT (seconds, default 1800), and the rest of bench.sh's.
set -eu
cd "$(dirname "$0")/../.."
out=$(pwd)/build/bench/vm
mkdir -p "$out"
# Prepared on the host: the guest's root is this host's, read-only, so it
# cannot install packages, and building the bundle there takes a minute.
BENCH_OUT=$out sh tests/bench/bench.sh --prepare
HUSK_VM_TIMEOUT=${HUSK_VM_TIMEOUT:-1800} sh tests/vm/run.sh --out "$out" -- \
	env BENCH_OUT="$out" BENCH_STATE=/run/husk-bench BENCH_N="${BENCH_N:-20}" \
	BENCH_SCALE="${BENCH_SCALE:-10 100}" BENCH_PLOT="${BENCH_PLOT:-1}" sh tests/bench/bench.sh
