#!/bin/sh
# pause, resume, ps and update on this host: the freezer stops and restarts
# the container's processes, ps lists what its cgroup holds, and update
# refuses a limit the host's cgroup2 hierarchy cannot apply, changing
# nothing.  Needs a cgroup2 hierarchy (unified or hybrid); the limits
# themselves are read back in the VM (tests/integration-vm/update.sh).
. "$(dirname "$0")/lib.sh"

has_cgroup2() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] ||
		[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]
}

test_pause_stops_and_resume_restarts() {
	has_cgroup2 || return 0
	counting_container c1
	check "counter advances before pause" advancing
	h pause c1
	eq paused "$(status_of c1)" "status after pause"
	eq paused "$(h list -f json | jq -r '.[0].status')" "list status after pause"
	dir=$(jq -r .cgroupPath "$ROOT/c1/state.json")
	fz=$(jq -r '.cgroupPaths.freezer // empty' "$ROOT/c1/state.json")
	if [ -n "$fz" ]; then # the v1 freezer (tests/integration/cgroup_v1.sh)
		grep -qx FROZEN "$fz/freezer.state" || fail "freezer.state: $(cat "$fz/freezer.state")"
	else
		grep -qx 'frozen 1' "$dir/cgroup.events" || fail "cgroup.events: $(cat "$dir/cgroup.events")"
	fi
	a=$(count)
	sleep 0.5
	eq "$a" "$(count)" "counter while paused"
	expect_fail 1 'container "c1" is not running' h pause c1
	h resume c1
	eq running "$(status_of c1)" "status after resume"
	check "counter advances after resume" advancing
	expect_fail 1 'resume "c1": container "c1" is not paused' h resume c1
	h delete --force c1
	assert_clean
}

test_delete_force_of_a_paused_container() {
	has_cgroup2 || return 0
	make_bundle
	args sleep 60
	h run -d c1
	h pause c1
	h delete --force c1
	assert_clean
}

test_pause_resume_of_a_stopped_container() {
	has_cgroup2 || return 0
	make_bundle
	args true
	h run -d c1
	wait_status c1 stopped
	expect_fail 1 '^husk: pause "c1": container "c1" is not running$' h pause c1
	expect_fail 1 '^husk: resume "c1": container "c1" is not paused$' h resume c1
	expect_fail 1 'container "c2" does not exist' h pause c2
	expect_fail 2 'missing argument' h resume
	h delete c1
	assert_clean
}

test_ps_json_lists_the_cgroup() {
	has_cgroup2 || return 0
	make_bundle
	args sleep 60
	h run -d c1
	pid=$(h state c1 | jq -r .pid)
	eq "[$pid]" "$(h ps --format json c1)" "ps json with the init alone"
	h exec -d --pid-file "$WORK/exec.pid" c1 sleep 61
	epid=$(cat "$WORK/exec.pid")
	got=$(h ps -f json c1 | jq -c 'sort')
	want=$(printf '%s\n%s\n' "$pid" "$epid" | jq -cs 'sort')
	eq "$want" "$got" "ps json after exec"
	expect_fail 2 'format must be table or json' h ps --format yaml c1
	h delete --force c1
	expect_fail 1 'container "c1" does not exist' h ps c1
	assert_clean
}

test_ps_table_filters_ps_output() {
	has_cgroup2 || return 0
	[ -x /bin/ps ] || [ -x /usr/bin/ps ] || return 0
	make_bundle
	args sleep 60
	h run -d c1
	pid=$(h state c1 | jq -r .pid)
	out=$(h ps c1)
	printf '%s\n' "$out" | head -n 1 | grep -q 'PID.*CMD' || fail "no header: $out"
	eq 2 "$(printf '%s\n' "$out" | wc -l)" "lines of ps -ef output (header + init)"
	printf '%s\n' "$out" | tail -n 1 | grep -Eq "^[^ ]+ +$pid .*sleep 60" || fail "init line: $out"
	# ps arguments after the id are passed on
	out=$(h ps c1 -o pid,comm)
	eq "$(printf '  PID COMMAND\n%5d sleep' "$pid")" "$out" "ps -o pid,comm"
	expect_fail 1 'no PID column' h ps c1 -o comm
	h delete --force c1
	assert_clean
}

test_update_refused_on_the_hybrid_host() {
	[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] || return 0
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || return 0
	grep -qw memory /sys/fs/cgroup/unified/cgroup.controllers && return 0
	# v1 memory and pids: the v1 driver applies them (cgroup_v1.sh)
	[ -d /sys/fs/cgroup/memory ] && return 0
	make_bundle
	args sleep 60
	h run -d c1
	before=$(cat "$ROOT/c1/config.json")
	expect_fail 1 'update "c1": linux.resources.memory.limit: the memory controller is not available in the cgroup v2 hierarchy of this hybrid host' \
		h update --memory 64m c1
	echo '{"pids": {"limit": 10}}' >"$WORK/r.json"
	expect_fail 1 'linux.resources.pids.limit: the pids controller is not available' \
		h update --resources "$WORK/r.json" c1
	eq "$before" "$(cat "$ROOT/c1/config.json")" "config copy after refused updates"
	expect_fail 2 '--memory: expected bytes' h update --memory 64x c1
	expect_fail 1 'stdin: .*pids.limit: expected' sh -c "echo '{\"pids\": {\"limit\": \"x\"}}' | \"$HUSK\" --root \"$ROOT\" update -r - c1"
	eq running "$(status_of c1)" "status after refused updates"
	h delete --force c1
	expect_fail 1 'container "c1" does not exist' h update --pids-limit 5 c1
	assert_clean
}

run_tests
