#!/bin/sh
# The cgroup v1 driver on a legacy layout (v1 hierarchies, no cgroup2), made
# from this host's hierarchies without touching the host: in a mount
# namespace of its own the suite puts a tmpfs over /sys/fs/cgroup and binds
# the v1 hierarchies back into it, leaving cgroup2 out.  husk then detects a
# legacy host: no cgroup2 directory, kill --all through the freezer, limits
# whose controller sat in cgroup2 refused.  On a host without v1
# hierarchies there is nothing to check.
set -u

v1_host() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] &&
		grep -q ' - cgroup cgroup ' /proc/self/mountinfo
}

if [ "${HUSK_LEGACY_NS:-}" != 1 ] && v1_host; then
	HUSK_LEGACY_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi

if [ "${HUSK_LEGACY_NS:-}" = 1 ]; then
	# the v1 hierarchies under /sys/fs/cgroup, by directory name
	names=$(awk '$5 ~ "^/sys/fs/cgroup/[^/]+$" { for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup") { sub("^/sys/fs/cgroup/", "", $5); print $5 } }' /proc/self/mountinfo)
	saved=$(mktemp -d /tmp/husk-legacy.XXXXXX)
	# this namespace's copies only: the host keeps its mounts
	mount --rbind /sys/fs/cgroup "$saved" && umount -R /sys/fs/cgroup &&
		mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup || exit 1
	for n in $names; do
		mkdir "/sys/fs/cgroup/$n" && mount --bind "$saved/$n" "/sys/fs/cgroup/$n" || exit 1
	done
	umount -R "$saved" && rmdir "$saved"
fi

. "$(dirname "$0")/lib.sh"

legacy() {
	[ "${HUSK_LEGACY_NS:-}" = 1 ]
}

gone() {
	l=$(find /sys/fs/cgroup/ -type d -name "$1" 2>/dev/null)
	[ -z "$l" ] || fail "cgroups left behind: $l"
}

test_detected_as_legacy() {
	legacy || return 0
	[ ! -e /sys/fs/cgroup/unified ] || fail "cgroup2 still mounted"
	make_bundle
	args sleep 60
	h run -d c1
	eq null "$(jq -r .cgroupPaths.unified "$ROOT/c1/state.json")" "no cgroup2 directory"
	first=$(jq -r '.cgroupPaths | to_entries[0].value' "$ROOT/c1/state.json")
	eq "$first" "$(jq -r .cgroupPath "$ROOT/c1/state.json")" "cgroupPath: the first hierarchy's"
	pid=$(h state c1 | jq -r .pid)
	# in every v1 hierarchy's directory; in cgroup2, still where husk was
	for d in $(jq -r '.cgroupPaths[]' "$ROOT/c1/state.json"); do
		grep -qx "$pid" "$d/cgroup.procs" || fail "init not in $d"
	done
	eq "$(grep '^0::' /proc/self/cgroup)" "$(grep '^0::' /proc/"$pid"/cgroup)" "cgroup2 line"
	name=$(name_of c1)
	h delete --force c1
	gone "$name"
	assert_clean
}

test_limits_read_back() {
	legacy || return 0
	make_bundle
	cfg '.linux.resources = {"memory": {"limit": 67108864, "swap": 67108864},
		"cpu": {"shares": 256, "quota": 20000, "period": 100000, "cpus": "0"},
		"pids": {"limit": 64}}'
	args sleep 60
	h run -d c1
	eq 67108864 "$(cat "$(dir_of c1 memory)/memory.limit_in_bytes")" memory.limit_in_bytes
	eq 256 "$(cat "$(dir_of c1 cpu)/cpu.shares")" cpu.shares
	eq 20000 "$(cat "$(dir_of c1 cpu)/cpu.cfs_quota_us")" cpu.cfs_quota_us
	eq 0 "$(cat "$(dir_of c1 cpuset)/cpuset.cpus")" cpuset.cpus
	eq 64 "$(cat "$(dir_of c1 pids)/pids.max")" pids.max
	eq 67108864 "$(h exec c1 cat /sys/fs/cgroup/memory/memory.limit_in_bytes)" "memory limit inside"
	eq 64 "$(h exec c1 cat /sys/fs/cgroup/pids/pids.max)" "pids.max inside"
	h exec c1 ls /sys/fs/cgroup >"$WORK/ls"
	grep -qx unified "$WORK/ls" && fail "a cgroup2 directory inside: $(cat "$WORK/ls")"
	h update --pids-limit 32 c1
	eq 32 "$(cat "$(dir_of c1 pids)/pids.max")" "pids.max after update"
	h events --stats c1 >"$WORK/ev"
	jq -e '.data.memory.usage.limit == 67108864 and .data.pids.limit == 32
		and .data.cpu.usage.total > 0 and .data.pressure == null' "$WORK/ev" >/dev/null ||
		fail "events --stats: $(cat "$WORK/ev")"
	h delete --force c1
	assert_clean
}

test_cgroup2_limits_refused() {
	legacy || return 0
	make_bundle
	args true
	cfg '.linux.resources.unified = {"pids.max": "5"}'
	expect_fail 1 'linux.resources.unified\["pids.max"\]: this host has no cgroup v2 hierarchy' \
		h run c1
	if [ ! -d /sys/fs/cgroup/hugetlb ]; then
		cfg 'del(.linux.resources.unified) | .linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 0}]'
		expect_fail 1 'hugepageLimits\[0\]: the hugetlb controller is not mounted on this host' \
			h run c1
	fi
	assert_clean
}

test_oom_kill_exits_137_with_an_event() {
	legacy || return 0
	make_bundle
	cfg '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	args sh -c 'sleep 2; exec tail /dev/zero'
	h run c1 2>"$WORK/run.err" &
	run=$!
	wait_for "state.json" test -e "$ROOT/c1/state.json"
	h events --interval 60s c1 >"$WORK/events" 2>"$WORK/events.err" &
	ev=$!
	rc=0
	wait $run || rc=$?
	eq 137 "$rc" "exit status of the OOM-killed container"
	grep -q 'OOM killer (memory.limit_in_bytes 32 MiB)' "$WORK/run.err" ||
		fail "no OOM notice: $(cat "$WORK/run.err")"
	wait $ev || fail "events failed: $(cat "$WORK/events.err")"
	grep -qx '{"type":"oom","id":"c1"}' "$WORK/events" ||
		fail "no oom event: $(cat "$WORK/events") $(cat "$WORK/events.err")"
	assert_clean
}

test_freezer_kill_all_and_cleanup() {
	legacy || return 0
	make_bundle
	cfg 'del(.linux.namespaces[] | select(.type == "pid"))'
	args sh -c 'sleep 60 & sleep 60 & wait'
	h run -d c1
	p=$(dir_of c1 pids)
	wait_for "three processes" sh -c "[ \$(wc -l <'$p/cgroup.procs') -ge 3 ]"
	h pause c1
	eq FROZEN "$(cat "$(dir_of c1 freezer)/freezer.state")" "freezer.state after pause"
	h resume c1
	eq THAWED "$(cat "$(dir_of c1 freezer)/freezer.state")" "freezer.state after resume"
	eq 3 "$(h ps -f json c1 | jq length)" "ps"
	# no cgroup.kill: the freezer holds them still while each is signalled
	h kill --all c1 KILL
	wait_for "an empty cgroup" sh -c "[ ! -s '$p/cgroup.procs' ]"
	name=$(name_of c1)
	h delete c1
	gone "$name"
	# a paused one, by delete --force
	args sleep 60
	h run -d c2
	h pause c2
	name=$(name_of c2)
	h delete --force c2
	gone "$name"
	assert_clean
}

test_failed_create_leaves_nothing() {
	legacy || return 0
	make_bundle
	name=husk-legacy-failed-$$
	cfg ".linux.cgroupsPath = \"$name\" | .linux.resources.cpu = {\"cpus\": \"63\"}"
	args true
	expect_fail 1 'cpu.cpus: write "63" to cpuset.cpus' h create c1
	gone "$name"
	cfg 'del(.linux.resources) | .process.args = ["/no/such/binary"]'
	expect_fail 1 'no/such/binary' h run c1
	gone "$name"
	assert_clean
}

run_tests
