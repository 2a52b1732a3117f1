#!/bin/sh
# make bench: husk, crun and runc side by side on one busybox bundle.  Every
# figure is taken interleaved (husk crun runc husk crun runc ...) so machine
# noise hits all runtimes alike; the timing itself is done by
# tests/bench/driver.c, never by the shell.  A runtime that refuses the bundle
# on this host (crun on a hybrid cgroup host) is reported as "n/a: <its
# error>" and left out; so is a cgroup-limits run a runtime refuses.  No
# figure is ever compared with a threshold: the bench fails only when a
# command that worked in the probe fails later, or the bench itself breaks.
#
# Usage: tests/bench/bench.sh [--prepare]
#   --prepare   only install what is missing and build the bundles (the VM
#               mode prepares on the host, whose root the guest reads)
# Env: BENCH_N (containers per figure, default 200), BENCH_OUT (results,
#      default build/bench), BENCH_STATE (runtime state dirs, default
#      $BENCH_OUT/state), BENCH_RUNTIMES ("husk crun runc"), BENCH_PLOT (1;
#      0: no plot), BENCH_SCALE (containers kept for the scaling figures,
#      default "10 100 1000", fewer for a small BENCH_N), HUSK (./husk).
# Writes: $BENCH_OUT/results.json, stats.tsv, raw.tsv, table.md, latency.svg.
set -eu
cd "$(dirname "$0")/../.."
top=$(pwd)
N=${BENCH_N:-200}
OUT=${BENCH_OUT:-$top/build/bench}
STATE=${BENCH_STATE:-$OUT/state}
HUSK=${HUSK:-$top/husk}
DRIVER=${BENCH_DRIVER:-$top/build/bench/driver}
PLOT=${BENCH_PLOT:-1}
RUNTIMES=${BENCH_RUNTIMES:-husk crun runc}
. "$top/tests/bench/lib.sh"

case $N in '' | *[!0-9]* | 0) die "BENCH_N must be a positive integer, not '$N'" ;; esac
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
case "$OUT$STATE" in *[[:space:]]*) die "paths with white space are not supported: '$OUT'" ;; esac
[ -x "$HUSK" ] || die "'$HUSK' is not built: run make husk"
[ -x "$DRIVER" ] || die "'$DRIVER' is not built: run make build/bench/driver"
[ "$(id -u)" = 0 ] || die "the bench runs containers as root"

# The binary measured is a copy, so a rebuild during the run changes nothing.
if ! { cp "$HUSK" "$OUT/husk.bin.tmp" && mv "$OUT/husk.bin.tmp" "$OUT/husk.bin"; }; then
	die "cannot copy '$HUSK'"
fi
HUSK=$OUT/husk.bin
install_missing
make_bundles
[ "${1:-}" = --prepare ] && exit 0

trap cleanup EXIT
trap 'exit 130' INT TERM HUP
rm -rf "$STATE" "$OUT/raw.tsv" "$OUT/facts.tsv" "$OUT/plot"
mkdir -p "$STATE"
: >"$OUT/raw.tsv"
: >"$OUT/facts.tsv"

probe_runtimes
[ -n "$ACTIVE" ] || die "no runtime runs the bundle"
case " $ACTIVE " in *" husk "*) ;; *) die "husk cannot run the bench bundle (see above)" ;; esac
pick_scale_levels

note "N=$N, runtimes: $ACTIVE (+ floor: unshare), scale levels: ${LEVELS:-none}"
phase run "run of /bin/true x $N" plan_run
phase lifecycle "create / start / delete x $N" plan_lifecycle
phase exec "exec of /bin/true x $N" plan_exec
phase seccomp "run with Docker's seccomp profile x $N" plan_seccomp
probe_net
[ -z "$NETWORKED" ] || phase net "run with husk's bridge network x $N" plan_net
probe_limits
[ -z "$LIMITED" ] || phase limits "run with cgroup limits x $N" plan_limits
for level in $LEVELS; do
	phase "scale$level" "run and list with $level containers created" plan_scale "$level"
done
phase scale-cleanup "deleting the scaling containers" plan_scale_cleanup

binary_sizes
"$DRIVER" stats <"$OUT/raw.tsv" >"$OUT/stats.tsv"
report
[ "$PLOT" = 0 ] || plot
check_failures
