#!/bin/sh
# The cgroup v1 driver on a host with v1 hierarchies (this machine: hybrid,
# every controller v1 but hugetlb, which sits in cgroup2): every limit read
# back from the v1 files on the host and from inside the container, the
# kernel enforcing them (OOM kill with exit 137 and an "oom" event, the
# freezer), update, stats, kill --all, and nothing left in any hierarchy
# after delete, delete --force or a failed create.  On a pure cgroup v2
# host there is nothing to check (tests/integration-vm/ covers that).
. "$(dirname "$0")/lib.sh"

v1_host() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] &&
		grep -q ' - cgroup cgroup ' /proc/self/mountinfo
}

# dirs_of ID: every directory state.json records.
dirs_of() {
	jq -r '.cgroupPath, (.cgroupPaths // {} | .[])' "$ROOT/$1/state.json" | sort -u
}

# left NAME: directories of that name in any hierarchy.
left() {
	find /sys/fs/cgroup -type d -name "$1" 2>/dev/null
}

# gone NAME: no hierarchy has a cgroup NAME.
gone() {
	l=$(left "$1")
	[ -z "$l" ] || fail "cgroups left behind: $l"
}

# A block device of this machine, for the throttle limits: MAJ:MIN.
block_dev() {
	for d in /sys/block/vd* /sys/block/sd* /sys/block/nvme* /sys/block/loop0; do
		[ -r "$d/dev" ] && cat "$d/dev" && return 0
	done
	return 1
}

test_every_resource_read_back() {
	v1_host || return 0
	dev=$(block_dev)
	maj=${dev%:*}
	min=${dev#*:}
	make_bundle
	cfg ".linux.resources = {
		\"memory\": {\"limit\": 67108864, \"reservation\": 33554432, \"swap\": 134217728,
			\"swappiness\": 10, \"disableOOMKiller\": false, \"kernelTCP\": 16777216},
		\"cpu\": {\"shares\": 512, \"quota\": 50000, \"period\": 100000,
			\"realtimePeriod\": 1000000, \"realtimeRuntime\": 10000,
			\"cpus\": \"0\", \"mems\": \"0\"},
		\"pids\": {\"limit\": 100},
		\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 1048576}],
			\"throttleWriteIOPSDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 300}]},
		\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}]}"
	args sleep 60
	h run -d c1
	m=$(dir_of c1 memory)
	c=$(dir_of c1 cpu)
	eq 67108864 "$(cat "$m/memory.limit_in_bytes")" memory.limit_in_bytes
	eq 33554432 "$(cat "$m/memory.soft_limit_in_bytes")" memory.soft_limit_in_bytes
	eq 134217728 "$(cat "$m/memory.memsw.limit_in_bytes")" "memory.memsw.limit_in_bytes (OCI swap)"
	eq 10 "$(cat "$m/memory.swappiness")" memory.swappiness
	eq 16777216 "$(cat "$m/memory.kmem.tcp.limit_in_bytes")" memory.kmem.tcp.limit_in_bytes
	grep -qx 'oom_kill_disable 0' "$m/memory.oom_control" || fail "oom_control: $(cat "$m/memory.oom_control")"
	eq 512 "$(cat "$c/cpu.shares")" "cpu.shares (no conversion on v1)"
	eq 50000 "$(cat "$c/cpu.cfs_quota_us")" cpu.cfs_quota_us
	eq 100000 "$(cat "$c/cpu.cfs_period_us")" cpu.cfs_period_us
	eq 1000000 "$(cat "$c/cpu.rt_period_us")" cpu.rt_period_us
	eq 10000 "$(cat "$c/cpu.rt_runtime_us")" cpu.rt_runtime_us
	eq 0 "$(cat "$(dir_of c1 cpuset)/cpuset.cpus")" cpuset.cpus
	eq 0 "$(cat "$(dir_of c1 cpuset)/cpuset.mems")" cpuset.mems
	eq 100 "$(cat "$(dir_of c1 pids)/pids.max")" pids.max
	b=$(dir_of c1 blkio)
	eq "$dev 1048576" "$(cat "$b/blkio.throttle.read_bps_device")" blkio.throttle.read_bps_device
	eq "$dev 300" "$(cat "$b/blkio.throttle.write_iops_device")" blkio.throttle.write_iops_device
	# hugetlb: v1 when mounted so, else in the cgroup2 directory
	hd=$(dir_of c1 hugetlb)
	if [ -n "$hd" ]; then
		eq 4194304 "$(cat "$hd/hugetlb.2MB.limit_in_bytes")" hugetlb.2MB.limit_in_bytes
	else
		eq 4194304 "$(cat "$(jq -r .cgroupPaths.unified "$ROOT/c1/state.json")/hugetlb.2MB.max")" \
			"hugetlb.2MB.max (cgroup2)"
	fi
	# the same from inside, through the container's own /sys/fs/cgroup
	eq 67108864 "$(h exec c1 cat /sys/fs/cgroup/memory/memory.limit_in_bytes)" "memory limit inside"
	eq 134217728 "$(h exec c1 cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes)" "memsw inside"
	eq 50000 "$(h exec c1 cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)" "quota inside"
	eq 512 "$(h exec c1 cat /sys/fs/cgroup/cpu/cpu.shares)" "shares inside"
	eq 100 "$(h exec c1 cat /sys/fs/cgroup/pids/pids.max)" "pids.max inside"
	eq 0 "$(h exec c1 cat /sys/fs/cgroup/cpuset/cpuset.cpus)" "cpuset inside"
	eq "$dev 1048576" "$(h exec c1 cat /sys/fs/cgroup/blkio/blkio.throttle.read_bps_device)" \
		"blkio inside"
	pid=$(h state c1 | jq -r .pid)
	# the init is in every hierarchy's directory, cgroup2's included
	for d in $(dirs_of c1); do
		grep -qx "$pid" "$d/cgroup.procs" || fail "init $pid not in $d"
	done
	eq "${m#/sys/fs/cgroup/memory}" "$(awk -F: '$2 == "memory" {print $3}' /proc/"$pid"/cgroup)" \
		"memory line of /proc/$pid/cgroup"
	u=$(jq -r '.cgroupPaths.unified // empty' "$ROOT/c1/state.json")
	[ -z "$u" ] || eq "0::${u#/sys/fs/cgroup/unified}" "$(grep '^0::' /proc/"$pid"/cgroup)" \
		"0:: line of /proc/$pid/cgroup"
	h delete --force c1
	gone "${m##*/}"
	assert_clean
}

test_unlimited_values_and_defaults() {
	v1_host || return 0
	make_bundle
	cfg '.linux.resources = {"memory": {"limit": -1}, "cpu": {"quota": -1, "period": 50000},
		"pids": {"limit": -1}}'
	args sleep 60
	h create c1
	m=$(dir_of c1 memory)
	# v1's "no limit": the largest page-aligned value below 2^63
	eq 9223372036854771712 "$(cat "$m/memory.limit_in_bytes")" memory.limit_in_bytes
	eq 9223372036854771712 "$(cat "$m/memory.memsw.limit_in_bytes")" memsw
	eq -1 "$(cat "$(dir_of c1 cpu)/cpu.cfs_quota_us")" cpu.cfs_quota_us
	eq 50000 "$(cat "$(dir_of c1 cpu)/cpu.cfs_period_us")" cpu.cfs_period_us
	eq max "$(cat "$(dir_of c1 pids)/pids.max")" pids.max
	# the memory cgroup sits under our own, not at the hierarchy's root
	own=$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
	case "$m" in "/sys/fs/cgroup/memory${own%/}/husk-"*) ;; *) fail "memory dir '$m' not under '$own'" ;; esac
	h delete --force c1
	assert_clean
}

test_device_list_is_the_rules() {
	v1_host || return 0
	[ -d /sys/fs/cgroup/devices ] || return 0
	make_bundle
	cfg '.linux.resources.devices = [{"allow": false, "access": "rwm"},
		{"allow": true, "type": "b", "major": 7, "minor": 0, "access": "r"}]'
	args sleep 60
	h run -d c1
	list=$(cat "$(dir_of c1 devices)/devices.list")
	# deny all, then the rule and the defaults every container gets
	for want in 'b 7:0 r' 'c 1:3 rwm' 'c 136:* rwm' 'c *:* m' 'b *:* m'; do
		printf '%s\n' "$list" | grep -qxF "$want" || fail "no '$want' in devices.list: $list"
	done
	printf '%s\n' "$list" | grep -qx 'a \*:\* rwm' && fail "devices.list allows everything"
	h delete --force c1
	assert_clean
}

test_oom_kill_exits_137_with_an_event() {
	v1_host || return 0
	make_bundle
	cfg '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	# the pause lets `events` start watching before the hog eats memory;
	# tail keeps the one endless "line" of /dev/zero in memory
	args sh -c 'sleep 2; exec tail /dev/zero'
	h run c1 2>"$WORK/run.err" &
	run=$!
	wait_for "state.json" test -e "$ROOT/c1/state.json"
	name=$(name_of c1)
	h events --interval 60s c1 >"$WORK/events" 2>"$WORK/events.err" &
	ev=$!
	rc=0
	wait $run || rc=$?
	eq 137 "$rc" "exit status of the OOM-killed container"
	grep -q 'container "c1" was killed by the kernel.s OOM killer (memory.limit_in_bytes 32 MiB)' \
		"$WORK/run.err" || fail "no OOM notice: $(cat "$WORK/run.err")"
	wait $ev || fail "events failed: $(cat "$WORK/events.err")"
	grep -qx '{"type":"oom","id":"c1"}' "$WORK/events" ||
		fail "no oom event: $(cat "$WORK/events") $(cat "$WORK/events.err")"
	gone "$name"
	assert_clean
}

test_pause_and_resume_with_the_v1_freezer() {
	v1_host || return 0
	[ -d /sys/fs/cgroup/freezer ] || return 0
	counting_container c1
	f=$(dir_of c1 freezer)
	h pause c1
	eq FROZEN "$(cat "$f/freezer.state")" "freezer.state after pause"
	eq paused "$(status_of c1)" "status after pause"
	a=$(count)
	sleep 0.5
	eq "$a" "$(count)" "counter while paused"
	h resume c1
	eq THAWED "$(cat "$f/freezer.state")" "freezer.state after resume"
	check "counter advances after resume" advancing
	# a paused container is killed and removed by delete --force
	h pause c1
	name=$(name_of c1)
	h delete --force c1
	gone "$name"
	assert_clean
}

test_update_writes_v1_files() {
	v1_host || return 0
	make_bundle
	cfg '.linux.resources = {"memory": {"limit": 67108864, "swap": 67108864}, "pids": {"limit": 100}}'
	args sleep 60
	h run -d c1
	m=$(dir_of c1 memory)
	# raising both: memory.limit_in_bytes must never pass memsw, so the
	# driver writes memsw first here (and the limit first when lowering)
	h update --memory 256m --memory-swap 512m c1
	eq 268435456 "$(cat "$m/memory.limit_in_bytes")" "limit after raising"
	eq 536870912 "$(cat "$m/memory.memsw.limit_in_bytes")" "memsw after raising"
	h update --memory 32m --memory-swap 32m c1
	eq 33554432 "$(cat "$m/memory.limit_in_bytes")" "limit after lowering"
	eq 33554432 "$(cat "$m/memory.memsw.limit_in_bytes")" "memsw after lowering"
	h update --pids-limit 10 --cpu-quota 20000 --cpu-period 50000 --cpu-shares 256 c1
	eq 10 "$(cat "$(dir_of c1 pids)/pids.max")" pids.max
	eq 20000 "$(cat "$(dir_of c1 cpu)/cpu.cfs_quota_us")" cpu.cfs_quota_us
	eq 50000 "$(cat "$(dir_of c1 cpu)/cpu.cfs_period_us")" cpu.cfs_period_us
	eq 256 "$(cat "$(dir_of c1 cpu)/cpu.shares")" cpu.shares
	h update --cpuset-cpus 0 c1
	eq 0 "$(cat "$(dir_of c1 cpuset)/cpuset.cpus")" "cpuset.cpus by update"
	eq 10 "$(h exec c1 cat /sys/fs/cgroup/pids/pids.max)" "pids.max inside after update"
	expect_fail 1 'cpu.cpus: write "63" to cpuset.cpus' h update --cpuset-cpus 63 c1
	expect_fail 1 'cpu.shares: must be between 2 and 262144 on cgroup v1' h update --cpu-shares 1 c1
	eq 33554432 "$(cat "$m/memory.limit_in_bytes")" "limit after refused updates"
	eq "33554432 10" "$(jq -r '.linux.resources | "\(.memory.limit) \(.pids.limit)"' "$ROOT/c1/config.json")" \
		"the config copy"
	expect_fail 2 '--memory: expected bytes' h update --memory 64x c1
	h delete --force c1
	assert_clean
}

test_events_and_stats_from_v1_counters() {
	v1_host || return 0
	make_bundle
	cfg '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 50},
		"cpu": {"quota": 50000, "period": 100000}}'
	args sleep 60
	h run -d c1
	h events --stats c1 >"$WORK/ev"
	jq -e '.type == "stats" and .id == "c1"
		and .data.memory.usage.limit == 67108864
		and .data.memory.usage.usage > 0
		and (.data.memory.raw.rss | type) == "number"
		and .data.pids.current == 1 and .data.pids.limit == 50
		and .data.cpu.usage.total > 0
		and (.data.cpu.throttling.periods | type) == "number"
		and .data.oomKills == 0' "$WORK/ev" >/dev/null ||
		fail "events --stats: $(cat "$WORK/ev")"
	h stats c1 >"$WORK/table"
	grep -q '^CPU limit  *0.50 CPUs' "$WORK/table" || fail "stats: $(cat "$WORK/table")"
	grep -q '^memory used  *.* of 64.0 MiB ' "$WORK/table" || fail "stats: $(cat "$WORK/table")"
	grep -q '^pids  *1 of 50 ' "$WORK/table" || fail "stats: $(cat "$WORK/table")"
	h delete --force c1
	assert_clean
}

test_kill_all_ps_and_exec() {
	v1_host || return 0
	make_bundle
	# no pid namespace: only the cgroup knows the container's processes
	cfg 'del(.linux.namespaces[] | select(.type == "pid"))'
	args sh -c 'sleep 60 & sleep 60 & wait'
	h run -d c1
	p=$(dir_of c1 pids)
	wait_for "three processes" sh -c "[ \$(wc -l <'$p/cgroup.procs') -ge 3 ]"
	h exec -d --pid-file "$WORK/exec.pid" c1 sleep 61
	epid=$(cat "$WORK/exec.pid")
	# the exec'd process joined every hierarchy, as the init did
	pid=$(h state c1 | jq -r .pid)
	eq "$(cat /proc/"$pid"/cgroup)" "$(cat /proc/"$epid"/cgroup)" "exec'd process's cgroups"
	eq 4 "$(h ps -f json c1 | jq length)" "ps json"
	h kill --all c1 KILL
	wait_for "an empty cgroup" sh -c "[ ! -s '$p/cgroup.procs' ]"
	name=$(name_of c1)
	h delete c1
	gone "$name"
	assert_clean
}

# A new user namespace leaves the init unable to write root's cgroup files
# itself: husk moves it instead, and the processes end up in the same places.
test_user_namespace_init_and_exec_join_every_hierarchy() {
	v1_host || return 0
	make_bundle
	chmod 755 "$WORK"
	cfg '.linux.namespaces += [{"type": "user"}]
	     | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
	     | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
	     | .linux.resources = {"pids": {"limit": 50}}'
	args sleep 60
	h run -d c1
	pid=$(h state c1 | jq -r .pid)
	for d in $(dirs_of c1); do
		grep -qx "$pid" "$d/cgroup.procs" || fail "init $pid not in $d"
	done
	h exec -d --pid-file "$WORK/exec.pid" c1 sleep 61
	eq "$(cat /proc/"$pid"/cgroup)" "$(cat /proc/"$(cat "$WORK/exec.pid")"/cgroup)" \
		"exec'd process's cgroups"
	# the cgroup namespace was made after the move: rooted at the container
	eq "" "$(h exec c1 cat /proc/self/cgroup | grep -v ':/$')" "cgroup paths inside"
	name=$(name_of c1)
	h delete --force c1
	gone "$name"
	assert_clean
}

test_nothing_left_after_a_failed_create() {
	v1_host || return 0
	make_bundle
	name=husk-v1-failed-$$
	# refused by the kernel after every hierarchy's directory exists
	cfg ".linux.cgroupsPath = \"$name\" | .linux.resources.cpu = {\"cpus\": \"63\"}"
	args true
	expect_fail 1 'linux.resources.cpu.cpus: write "63" to cpuset.cpus' h create c1
	gone "$name"
	# refused before anything is made
	cfg '.linux.resources = {"network": {"classID": 1048577}}'
	if [ ! -d /sys/fs/cgroup/net_cls ] && [ ! -d /sys/fs/cgroup/net_cls,net_prio ]; then
		expect_fail 1 'linux.resources.network.classID: the net_cls controller is not mounted on this host' \
			h create c1
	fi
	cfg '.linux.resources = {"memory": {"limit": 1048576, "swap": 100}}'
	expect_fail 1 'memory.swap: must be at least the memory limit' h create c1
	gone "$name"
	# the init fails after the cgroup is made
	cfg 'del(.linux.resources) | .process.args = ["/no/such/binary"]'
	expect_fail 1 'no/such/binary' h run c1
	gone "$name"
	assert_clean
}

test_nothing_left_after_delete_and_delete_force() {
	v1_host || return 0
	make_bundle
	args true
	h run --keep c1 2>/dev/null || true
	wait_status c1 stopped
	name=$(name_of c1)
	[ -n "$(left "$name")" ] || fail "no cgroup for the stopped container"
	h delete c1
	gone "$name"
	args sleep 60
	h run -d c2
	name=$(name_of c2)
	h delete --force c2
	gone "$name"
	# created, never started
	h create c3
	name=$(name_of c3)
	h delete --force c3
	gone "$name"
	assert_clean
}

test_cgroup_mount_without_a_cgroup_namespace() {
	v1_host || return 0
	make_bundle
	cfg 'del(.linux.namespaces[] | select(.type == "cgroup")) | .linux.resources.pids = {"limit": 77}'
	args sh -c 'cat /sys/fs/cgroup/pids/pids.max; ls /sys/fs/cgroup/pids | grep -c husk-;
		touch /sys/fs/cgroup/pids/x 2>&1 | grep -c Read-only; ls /sys/fs/cgroup'
	out=$(h run c1)
	eq 77 "$(printf '%s\n' "$out" | sed -n 1p)" "the container's own pids.max, bound"
	eq 0 "$(printf '%s\n' "$out" | sed -n 2p)" "no sibling cgroups visible"
	eq 1 "$(printf '%s\n' "$out" | sed -n 3p)" "read-only"
	for hier in $(ls /sys/fs/cgroup); do
		printf '%s\n' "$out" | grep -qx "$hier" || fail "hierarchy $hier missing: $out"
	done
	assert_clean
}

run_tests
