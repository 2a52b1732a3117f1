#!/bin/sh
# Runs inside the test VM (pure cgroup v2): `husk update` changes a running
# container's limits, read back from its cgroup files and from the config
# copy later commands use; pause and resume drive cgroup.freeze.
. "$(dirname "$0")/lib.sh"

test_update_writes_the_cgroup() {
	make_bundle
	# no cpuset limit at create: every offered controller is enabled anyway,
	# so update can set one later
	cfg '.linux.resources = {"memory": {"limit": 134217728}, "pids": {"limit": 100}}'
	args sleep 60
	h run -d c1
	d=$(jq -r .cgroupPath "$ROOT/c1/state.json")
	eq 134217728 "$(cat "$d/memory.max")" "memory.max at create"
	h update --memory 64m c1
	eq 67108864 "$(cat "$d/memory.max")" "memory.max after --memory 64m"
	h update --pids-limit 10 c1
	eq 10 "$(cat "$d/pids.max")" "pids.max after --pids-limit"
	h update --cpu-quota 50000 --cpu-period 100000 c1
	eq "50000 100000" "$(cat "$d/cpu.max")" "cpu.max after --cpu-quota/--cpu-period"
	# the quota set before is kept: cpu.max pairs it with the new period
	h update --cpu-period 200000 c1
	eq "50000 200000" "$(cat "$d/cpu.max")" "cpu.max after --cpu-period alone"
	echo '{"memory": {"limit": 33554432}, "cpu": {"shares": 2048}, "pids": {"limit": -1}}' |
		h update --resources - c1
	eq 33554432 "$(cat "$d/memory.max")" "memory.max from --resources -"
	eq 174 "$(cat "$d/cpu.weight")" "cpu.weight from 2048 shares"
	eq max "$(cat "$d/pids.max")" "pids.max from limit -1"
	# a flag overrides the file
	echo '{"pids": {"limit": 20}}' >"$WORK/r.json"
	h update -r "$WORK/r.json" --pids-limit 30 c1
	eq 30 "$(cat "$d/pids.max")" "pids.max: the flag over the file"
	eq "33554432 30 50000 200000 2048" \
		"$(jq -r '.linux.resources | "\(.memory.limit) \(.pids.limit) \(.cpu.quota) \(.cpu.period) \(.cpu.shares)"' "$ROOT/c1/config.json")" \
		"limits in the config copy"
	h update --cpuset-cpus 0 c1
	eq 0 "$(cat "$d/cpuset.cpus")" "cpuset.cpus set by update alone"
	expect_fail 1 'cpu.cpus: write "63" to cpuset.cpus' h update --cpuset-cpus 63 c1
	eq 33554432 "$(cat "$d/memory.max")" "memory.max after a refused update"
	h delete --force c1
	assert_clean
}

test_pause_and_resume() {
	make_bundle
	args sleep 60
	h run -d c1
	d=$(jq -r .cgroupPath "$ROOT/c1/state.json")
	h pause c1
	grep -qx 'frozen 1' "$d/cgroup.events" || fail "not frozen: $(cat "$d/cgroup.events")"
	eq paused "$(status_of c1)" "status after pause"
	h resume c1
	grep -qx 'frozen 0' "$d/cgroup.events" || fail "still frozen: $(cat "$d/cgroup.events")"
	eq running "$(status_of c1)" "status after resume"
	pid=$(h state c1 | jq -r .pid)
	eq "[$pid]" "$(h ps --format json c1)" "ps json"
	h delete --force c1
	assert_clean
}

run_tests
