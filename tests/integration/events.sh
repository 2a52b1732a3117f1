#!/bin/sh
# `husk events` and `husk stats` on this host: the JSON has what the
# container's cgroup provides (on a hybrid host cpu.stat and the PSI files,
# no memory or pids controller; on pure v2 all of them) and leaves out what
# it does not; the stream ends when the container stops; a missing
# container or a bad --interval is a clear error.
. "$(dirname "$0")/lib.sh"

# has_file ID FILE...: the container's cgroup provides one of the FILEs (in
# its cgroup2 directory or, with the v1 driver, in any hierarchy's).
has_file() {
	id=$1
	shift
	for d in $(jq -r '.cgroupPath, (.cgroupPaths // {} | .[])' "$ROOT/$id/state.json"); do
		for f in "$@"; do
			[ -r "$d/$f" ] && return 0
		done
	done
	return 1
}

test_events_stats_prints_one_valid_event() {
	make_bundle
	args sleep 60
	h run -d c1
	out=$(h events --stats c1)
	eq 1 "$(printf '%s\n' "$out" | wc -l)" "one line"
	ev=$(printf '%s' "$out" | jq -c .) || fail "not JSON: $out"
	eq stats "$(echo "$ev" | jq -r .type)" type
	eq c1 "$(echo "$ev" | jq -r .id)" id
	total=$(echo "$ev" | jq '.data.cpu.usage.total')
	[ "$total" -gt 0 ] || fail "cpu.usage.total '$total'"
	eq number "$(echo "$ev" | jq -r '.data.cpu.throttling.periods | type')" throttling
	if has_file c1 pids.current; then
		[ "$(echo "$ev" | jq .data.pids.current)" -ge 1 ] || fail "pids.current: $ev"
	else
		eq null "$(echo "$ev" | jq -c .data.pids)" "pids without the controller"
	fi
	if has_file c1 memory.current memory.usage_in_bytes; then
		[ "$(echo "$ev" | jq .data.memory.usage.usage)" -gt 0 ] || fail "memory: $ev"
	else
		eq null "$(echo "$ev" | jq -c .data.memory)" "memory without the controller"
		eq null "$(echo "$ev" | jq -c .data.oomKills)" "oomKills without memory.events"
	fi
	if has_file c1 cpu.pressure; then
		eq number "$(echo "$ev" | jq -r '.data.pressure.cpu.some.avg10 | type')" "cpu PSI"
	fi
	h delete --force c1
	assert_clean
}

test_stats_prints_a_table() {
	make_bundle
	args sleep 60
	h run -d c1
	out=$(h stats c1)
	for label in "CPU used" "CPU limit" "memory used" "OOM kills" "pids" "pressure io"; do
		printf '%s\n' "$out" | grep -q "^$label " || fail "no '$label' row in: $out"
	done
	printf '%s\n' "$out" | grep -Eq '^CPU used +[0-9]+\.[0-9]{3} s' || fail "CPU used: $out"
	# the host's memory beside the container's
	printf '%s\n' "$out" | grep -Eq '^memory used .* [0-9.]+ [KMGT]iB of [0-9.]+ [KMGT]iB$' ||
		fail "host memory: $out"
	h delete --force c1
	assert_clean
}

test_events_stream_ends_when_the_container_stops() {
	make_bundle
	args sleep 60
	h run -d c1
	h events --interval 100ms c1 >"$WORK/events" &
	ev=$!
	i=0
	until [ -s "$WORK/events" ] || [ $i -ge 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	h kill c1 KILL
	wait $ev || fail "events exited $?"
	jq -e 'select(.type == "stats" and .id == "c1")' "$WORK/events" >/dev/null ||
		fail "no stats event: $(cat "$WORK/events")"
	h delete c1
	assert_clean
}

test_missing_container_and_bad_interval() {
	expect_fail 1 '^husk: events "nope": container "nope" does not exist$' h events --stats nope
	expect_fail 1 '^husk: stats "nope": container "nope" does not exist$' h stats nope
	expect_fail 2 'interval must be a positive duration' h events --interval soon c1
	expect_fail 2 'unexpected argument' h stats c1 c2
}

test_stopped_container_is_refused() {
	make_bundle
	args true
	h run --keep c1 2>/dev/null || true
	wait_status c1 stopped
	expect_fail 1 '^husk: events "c1": container not running$' h events --stats c1
	h delete c1
	assert_clean
}

run_tests
