#!/bin/sh
# Runs every test suite and ends with one line "N passed, M failed" over all
# of them.  Suites: unit (Check), unit under ASan+UBSan, format check, and
# every tests/integration/*.sh.  Exits non-zero when anything failed.
# Usage: tests/run-all.sh [integration]
set -u
cd "$(dirname "$0")/.."
results=$(mktemp -d /tmp/husk-results.XXXXXX)
trap 'rm -rf "$results"' EXIT
total_pass=0
total_fail=0

add() { # suite-name passed failed
	echo "== $1: $2 passed, $3 failed"
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
}

run_unit() { # name binary
	f="$results/$1"
	if HUSK_FIXTURES=tests/fixtures HUSK_RESULTS="$f" "$2"; then :; fi
	if [ -s "$f" ]; then
		read -r p m <"$f"
		add "$1" "$p" "$m"
	else
		add "$1" 0 1 # the runner itself crashed
	fi
}

if [ "${1:-}" != integration ]; then
	run_unit unit build/husk-unit
	run_unit unit-asan build/husk-unit-asan
	if make --no-print-directory format-check >"$results/format.log" 2>&1; then
		add format-check 1 0
	else
		head -n 20 "$results/format.log"
		add format-check 0 1
	fi
	if make --no-print-directory check-headers >"$results/headers.log" 2>&1; then
		add check-headers 1 0
	else
		cat "$results/headers.log"
		add check-headers 0 1
	fi
fi

# Mount points (and their filesystem types) before the integration suites:
# any difference afterwards is a leaked mount and fails the run.
mounts() { awk '{ for (i = 7; $i != "-"; i++); print $5, $(i + 1) }' /proc/self/mountinfo | sort; }
mounts >"$results/mounts.before"
# Likewise the cgroups husk names itself (husk-<tag>-<id>, and the tests'
# husk-* cgroupsPaths) in every hierarchy: the cgroup2 one wherever it is
# mounted and each v1 one, at any depth (v1 places them under the caller's
# own cgroup, which need not be the root).
husk_cgroups() { find /sys/fs/cgroup -mindepth 1 -type d -name 'husk-*' -prune 2>/dev/null | sort; }
husk_cgroups >"$results/cgroups.before"
# And the host's network: link names (veths, bridges) and nftables tables.
net_state() {
	ip -o link show 2>/dev/null | awk -F': ' '{ sub("@.*", "", $2); print "link", $2 }'
	nft list tables 2>/dev/null | sed 's/^/nft /'
}
net_state | sort >"$results/net.before"

for t in tests/integration/*.sh; do
	[ -e "$t" ] || continue
	case "$t" in */lib.sh) continue ;; esac
	name=$(basename "$t" .sh)
	f="$results/int-$name"
	HUSK_RESULTS="$f" HUSK=./husk sh "$t"
	if [ -s "$f" ]; then
		read -r p m <"$f"
		add "integration/$name" "$p" "$m"
	else
		add "integration/$name" 0 1
	fi
done
if [ "${1:-}" != integration ]; then # containerd, Docker, podman on husk: tests/clients/
	sh tests/clients/run.sh "$results/clients"
	while read -r name p m; do add "clients/$name" "$p" "$m"; done <"$results/clients"
fi

mounts >"$results/mounts.after"
if diff "$results/mounts.before" "$results/mounts.after" >"$results/mounts.diff"; then
	add mount-leak-check 1 0
else
	echo "mounts changed during the integration suites:"
	sed 's/^/  /' "$results/mounts.diff"
	add mount-leak-check 0 1
fi

husk_cgroups >"$results/cgroups.after"
if diff "$results/cgroups.before" "$results/cgroups.after" >"$results/cgroups.diff"; then
	add cgroup-leak-check 1 0
else
	echo "cgroups changed during the integration suites:"
	sed 's/^/  /' "$results/cgroups.diff"
	add cgroup-leak-check 0 1
fi

net_state | sort >"$results/net.after"
if diff "$results/net.before" "$results/net.after" >"$results/net.diff"; then
	add network-leak-check 1 0
else
	echo "links or nftables tables changed during the integration suites:"
	sed 's/^/  /' "$results/net.diff"
	add network-leak-check 0 1
fi

# The benchmark, once with a tiny N, so it cannot rot (it times nothing).
if [ "${1:-}" != integration ]; then
	if make --no-print-directory bench-smoke >"$results/bench.log" 2>&1; then
		add bench-smoke 1 0
	else
		tail -n 20 "$results/bench.log"
		add bench-smoke 0 1
	fi
fi

# Suites that need a pure cgroup v2 host run inside a VM (tests/vm/README.md);
# a VM that cannot run them is a failed suite, never a skip.
sh tests/vm/suites.sh "$results/vm"
if [ -s "$results/vm" ]; then
	while read -r name p m; do
		add "vm/$name" "$p" "$m"
	done <"$results/vm"
else
	add vm 0 1
fi

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
