#!/bin/sh
# Runs inside the test VM (pure cgroup v2, every controller at the root):
# husk's cgroup v2 driver against the kernel.  Limits are set in config.json
# and read back from the container's cgroup files; the kernel is then seen
# enforcing them (throttling, OOM kill, pids.max); kill --all, exec and
# delete act on the cgroup; nothing is left after delete or a failed create.
. "$(dirname "$0")/lib.sh"

# gone DIR: the cgroup was removed.
gone() {
	[ ! -e "$1" ] || fail "cgroup $1 left behind"
}

test_resources_read_back() {
	make_bundle
	cfg '.linux.resources = {
		"memory": {"limit": 67108864, "reservation": 33554432, "swap": 134217728},
		"cpu": {"shares": 1024, "quota": 50000, "period": 100000, "burst": 1000,
			"idle": 0, "cpus": "0", "mems": "0"},
		"pids": {"limit": 100},
		"blockIO": {"weight": 500},
		"hugepageLimits": [{"pageSize": "2MB", "limit": 0}],
		"unified": {"memory.high": "52428800"}}'
	args sleep 60
	h create c1
	d=$(cgroup_of c1)
	case "$d" in /sys/fs/cgroup/husk-*-c1) ;; *) fail "cgroupPath '$d'" ;; esac
	eq 67108864 "$(cat "$d/memory.max")" memory.max
	eq 33554432 "$(cat "$d/memory.low")" memory.low
	eq 67108864 "$(cat "$d/memory.swap.max")" "memory.swap.max (swap - limit)"
	eq 52428800 "$(cat "$d/memory.high")" "memory.high (unified)"
	eq 100 "$(cat "$d/cpu.weight")" "cpu.weight from 1024 shares"
	eq "50000 100000" "$(cat "$d/cpu.max")" cpu.max
	eq 1000 "$(cat "$d/cpu.max.burst")" cpu.max.burst
	eq 0 "$(cat "$d/cpu.idle")" cpu.idle
	eq 0 "$(cat "$d/cpuset.cpus")" cpuset.cpus
	eq 0 "$(cat "$d/cpuset.mems")" cpuset.mems
	eq 100 "$(cat "$d/pids.max")" pids.max
	eq "default 4950" "$(cat "$d/io.weight")" io.weight
	eq 0 "$(cat "$d/hugetlb.2MB.max")" hugetlb.2MB.max
	pid=$(h state c1 | jq -r .pid)
	eq "$pid" "$(cat "$d/cgroup.procs")" "the init is in the cgroup"
	h delete --force c1
	gone "$d"
	assert_clean
}

test_unlimited_values() {
	make_bundle
	cfg '.linux.resources = {"memory": {"limit": -1}, "cpu": {"quota": -1, "period": 50000},
		"pids": {"limit": -1}}'
	args true
	h create c1
	d=$(cgroup_of c1)
	eq max "$(cat "$d/memory.max")" memory.max
	eq max "$(cat "$d/memory.swap.max")" memory.swap.max
	eq "max 50000" "$(cat "$d/cpu.max")" cpu.max
	eq max "$(cat "$d/pids.max")" pids.max
	h delete --force c1
	gone "$d"
	assert_clean
}

test_cpu_max_throttles() {
	make_bundle
	cfg '.linux.resources.cpu = {"quota": 10000, "period": 100000}'
	args sh -c 'while :; do :; done'
	h run -d c1
	d=$(cgroup_of c1)
	sleep 1
	n=$(awk '$1 == "nr_throttled" { print $2 }' "$d/cpu.stat")
	[ "$n" -gt 0 ] || fail "nr_throttled is $n after a second of busy loop"
	h delete --force c1
	gone "$d"
	assert_clean
}

test_memory_hog_is_oom_killed() {
	make_bundle
	cfg '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	# tail keeps the one endless "line" of /dev/zero in memory
	args tail /dev/zero
	rc=0
	h run c1 || rc=$?
	eq 137 "$rc" "exit status of the OOM-killed container"
	assert_clean
}

test_pids_max_stops_fork_bomb() {
	make_bundle
	cfg '.linux.resources.pids = {"limit": 8}'
	args sh -c 'i=0; while [ $i -lt 30 ]; do sleep 60 & i=$((i + 1)); done 2>/dev/null; sleep 60'
	h run -d c1
	d=$(cgroup_of c1)
	wait_for "pids.max hit" grep -q '^max [1-9]' "$d/pids.events"
	n=$(cat "$d/pids.current")
	[ "$n" -le 8 ] || fail "pids.current $n above pids.max 8"
	h delete --force c1
	gone "$d"
	assert_clean
}

test_kill_all_empties_the_cgroup() {
	make_bundle
	cfg 'del(.linux.namespaces[] | select(.type == "pid"))'
	args sh -c 'sleep 60 & sleep 60 & wait'
	h run -d c1
	d=$(cgroup_of c1)
	wait_for "three processes" sh -c "[ \$(wc -l <'$d/cgroup.procs') -ge 3 ]"
	h kill --all c1 KILL
	wait_for "an empty cgroup" sh -c "[ ! -s '$d/cgroup.procs' ]"
	h delete c1
	gone "$d"
	assert_clean
}

test_exec_lands_in_the_cgroup() {
	make_bundle
	args sleep 60
	h run -d c1
	d=$(cgroup_of c1)
	h exec -d c1 sleep 61
	eq 2 "$(wc -l <"$d/cgroup.procs")" "processes in the cgroup after exec"
	h exec c1 cat /proc/self/cgroup >"$WORK/out"
	eq "0::/" "$(cat "$WORK/out")" "exec'd process in the container's cgroup namespace"
	h delete --force c1
	gone "$d"
	assert_clean
}

test_failed_create_leaves_no_cgroup() {
	make_bundle
	cfg '.linux.cgroupsPath = "/husk-vm-failed" | .linux.resources.unified = {"pids.max": "bogus"}'
	args true
	expect_fail 1 'linux.resources.unified\["pids.max"\]: write "bogus" to pids.max' h create c1
	gone /sys/fs/cgroup/husk-vm-failed
	# a limit the kernel refuses after the cgroup exists: cpuset on a cpu
	# the VM lacks
	cfg 'del(.linux.resources.unified) | .linux.resources.cpu = {"cpus": "63"}'
	expect_fail 1 'linux.resources.cpu.cpus: write "63" to cpuset.cpus' h create c1
	gone /sys/fs/cgroup/husk-vm-failed
	assert_clean
}

run_tests
