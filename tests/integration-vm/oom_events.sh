#!/bin/sh
# Runs inside the test VM (pure cgroup v2): OOM handling and the events
# stream against the kernel.  A memory hog ends `husk run` with 137 and a
# notice naming the limit, `husk events` watching it reports an "oom"
# event, the whole container goes (memory.oom.group), and `events --stats`
# reads the limits back.
. "$(dirname "$0")/lib.sh"

# wait_file PATH: up to 10 s for PATH to exist.
wait_file() {
	i=0
	until [ -e "$1" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "timed out waiting for $1"
		sleep 0.1
	done
}

test_oom_kill_ends_run_and_is_an_event() {
	make_bundle
	cfg '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	# the pause lets `events` start watching before the hog eats memory;
	# tail keeps the one endless "line" of /dev/zero in memory
	args sh -c 'sleep 2; exec tail /dev/zero'
	h run c1 2>"$WORK/run.err" &
	run=$!
	wait_file "$ROOT/c1/state.json"
	h events --interval 60s c1 >"$WORK/events" 2>"$WORK/events.err" &
	ev=$!
	rc=0
	wait $run || rc=$?
	eq 137 "$rc" "exit status of the OOM-killed container"
	grep -q 'container "c1" was killed by the kernel.s OOM killer (memory.max 32 MiB)' \
		"$WORK/run.err" || fail "no OOM notice: $(cat "$WORK/run.err")"
	wait $ev || fail "events failed: $(cat "$WORK/events.err")"
	grep -qx '{"type":"oom","id":"c1"}' "$WORK/events" ||
		fail "no oom event: $(cat "$WORK/events") $(cat "$WORK/events.err")"
	assert_clean
}

test_oom_kill_takes_the_whole_container() {
	make_bundle
	cfg '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	# without memory.oom.group only tail would die and the init would wait
	args sh -c 'tail /dev/zero; sleep 60'
	rc=0
	h run c1 2>/dev/null || rc=$?
	eq 137 "$rc" "the init was killed along with the hog"
	assert_clean
}

test_events_stats_and_oom_group() {
	make_bundle
	cfg '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 50},
		"cpu": {"quota": 50000, "period": 100000}}'
	args sleep 60
	h run -d c1
	d=$(cgroup_of c1)
	eq 1 "$(cat "$d/memory.oom.group")" "memory.oom.group by default"
	h events --stats c1 >"$WORK/ev"
	jq -e '.type == "stats" and .id == "c1"
		and .data.memory.usage.limit == 67108864
		and .data.memory.usage.usage > 0
		and (.data.memory.raw.anon | type) == "number"
		and .data.pids.current >= 1 and .data.pids.limit == 50
		and .data.cpu.usage.total > 0
		and (.data.cpu.throttling.periods | type) == "number"
		and .data.oomKills == 0
		and (.data.pressure.memory.some.avg10 | type) == "number"' "$WORK/ev" >/dev/null ||
		fail "events --stats: $(cat "$WORK/ev")"
	h stats c1 >"$WORK/table"
	grep -q '^CPU limit  *0.50 CPUs' "$WORK/table" || fail "stats: $(cat "$WORK/table")"
	grep -q '^memory used  *.* of 64.0 MiB ' "$WORK/table" || fail "stats: $(cat "$WORK/table")"
	h delete --force c1
	# the unified map, written after the defaults, can turn it off
	cfg '.linux.resources.unified = {"memory.oom.group": "0"}'
	h run -d c2
	eq 0 "$(cat "$(cgroup_of c2)/memory.oom.group")" "memory.oom.group from unified"
	h delete --force c2
	cfg 'del(.linux.resources.unified) | .annotations = {"husk.oom.group": "false"}'
	h run -d c3
	eq 0 "$(cat "$(cgroup_of c3)/memory.oom.group")" "memory.oom.group from the annotation"
	h delete --force c3
	assert_clean
}

run_tests
