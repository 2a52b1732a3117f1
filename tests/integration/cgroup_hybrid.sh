#!/bin/sh
# The container's cgroup2 directory on a host whose cgroup2 hierarchy is the
# hybrid one at /sys/fs/cgroup/unified (v1 controllers elsewhere): the v1
# driver puts the container there too (as runc: 0::/<path>), refuses a
# limit no hierarchy can apply with an error naming the field, and leaves
# nothing behind.  The v1 side is tests/integration/cgroup_v1.sh's.  On
# other hosts the suite has nothing to check (tests/integration-vm/ covers
# pure cgroup v2).
. "$(dirname "$0")/lib.sh"

V2=/sys/fs/cgroup/unified

hybrid_host() {
	[ "$(stat -f -c %T $V2 2>/dev/null)" = cgroup2fs ] &&
		[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]
}

test_container_lives_in_the_v2_hierarchy() {
	hybrid_host || return 0
	make_bundle
	cfg 'del(.linux.namespaces[] | select(.type == "cgroup"))'
	args sleep 60
	h run -d c1
	dir=$(cgroup_of c1)
	case "$dir" in $V2/husk-*-c1) ;; *) fail "cgroupPath '$dir' not under $V2" ;; esac
	[ -d "$dir" ] || fail "$dir missing"
	pid=$(h state c1 | jq -r .pid)
	eq "$pid" "$(cat "$dir/cgroup.procs")" "cgroup.procs"
	eq "0::${dir#$V2}" "$(grep '^0::' /proc/"$pid"/cgroup)" "/proc/$pid/cgroup"
	h delete --force c1
	[ ! -e "$dir" ] || fail "$dir left after delete"
	assert_clean
}

test_cgroups_path_is_honoured() {
	hybrid_host || return 0
	make_bundle
	name=husk-it-$$-$(basename "$WORK")
	cfg ".linux.cgroupsPath = \"/$name\""
	args sleep 60
	h create c1
	eq "$V2/$name" "$(cgroup_of c1)" "cgroupPath"
	[ -d "$V2/$name" ] || fail "$V2/$name missing"
	h delete --force c1
	[ ! -e "$V2/$name" ] || fail "$V2/$name left after delete"
	assert_clean
}

test_exec_joins_the_cgroup() {
	hybrid_host || return 0
	make_bundle
	args sleep 60
	h run -d c1
	dir=$(cgroup_of c1)
	h exec -d c1 sleep 61
	n=$(wc -l <"$dir/cgroup.procs")
	eq 2 "$n" "processes in the container's cgroup after exec"
	h delete --force c1
	[ ! -e "$dir" ] || fail "$dir left after delete"
	assert_clean
}

test_limit_without_a_hierarchy_refused_clearly() {
	hybrid_host || return 0
	make_bundle
	args true
	before=$(ls $V2)
	# memory is v1's here: a cgroup2 file of it cannot be written
	if ! grep -qw memory $V2/cgroup.controllers && [ -d /sys/fs/cgroup/memory ]; then
		cfg '.linux.resources.unified = {"memory.high": "1000000"}'
		expect_fail 1 'linux.resources.unified\["memory.high"\]: the memory controller is not available in the cgroup v2 hierarchy of this host \(it is bound to cgroup v1\)' \
			h run c1
	fi
	# net_cls is in no hierarchy on this kind of host
	if [ ! -d /sys/fs/cgroup/net_cls ] && [ ! -d /sys/fs/cgroup/net_cls,net_prio ]; then
		cfg 'del(.linux.resources.unified) | .linux.resources.network = {"classID": 1}'
		expect_fail 1 'linux.resources.network.classID: the net_cls controller is not mounted on this host' \
			h run c1
	fi
	eq "$before" "$(ls $V2)" "cgroups after the refused creates"
	assert_clean
}

test_kill_all_reaches_every_process() {
	hybrid_host || return 0
	make_bundle
	# no pid namespace: only the cgroup knows the container's processes
	cfg 'del(.linux.namespaces[] | select(.type == "pid"))'
	args sh -c 'sleep 60 & sleep 60 & wait'
	h run -d c1
	dir=$(cgroup_of c1)
	i=0
	while [ "$(wc -l <"$dir/cgroup.procs")" -lt 3 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	h kill --all c1 KILL
	i=0
	while [ -s "$dir/cgroup.procs" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ ! -s "$dir/cgroup.procs" ] || fail "left in the cgroup: $(cat "$dir/cgroup.procs")"
	h delete c1
	[ ! -e "$dir" ] || fail "$dir left after delete"
	assert_clean
}

test_freeze_via_library_files() {
	hybrid_host || return 0
	make_bundle
	args sleep 60
	h run -d c1
	dir=$(cgroup_of c1)
	# the core files the pause/resume commands will drive exist here
	[ -e "$dir/cgroup.freeze" ] && [ -e "$dir/cgroup.kill" ] || fail "no cgroup.freeze/kill in $dir"
	h delete --force c1
	assert_clean
}

# The device rules are an eBPF program on the container's cgroup2 directory,
# which works on a hybrid host too: a device outside the rules is refused at
# open() even to root; a rule that allows it lets the open reach the driver.
test_device_rules_enforced() {
	hybrid_host || return 0
	make_bundle
	cfg '.root.readonly = false'
	mknod "$BUNDLE/rootfs/loopdev" b 7 0
	args sh -c 'head -c 1 /loopdev >/dev/null 2>"/tmp/err"; cat /tmp/err'
	cfg '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
	out=$(h run c1)
	case "$out" in *"Operation not permitted"*) ;; *) fail "denied device opened: '$out'" ;; esac
	cfg '.linux.resources.devices += [{"allow": true, "type": "b", "major": 7, "minor": 0, "access": "r"}]'
	out=$(h run c2)
	case "$out" in *"Operation not permitted"*) fail "allowed device refused: '$out'" ;; esac
	assert_clean
}

run_tests
