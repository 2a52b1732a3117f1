#!/bin/sh
# What the container's process sees: its namespaces, ids, capabilities,
# limits and environment, each checked from inside the container.
. "$(dirname "$0")/lib.sh"

ns_inode() {
	stat -L -c %i "/proc/self/ns/$1"
}

test_pid_namespace_init_is_pid_1() {
	make_bundle
	eq 1 "$(inside 'echo $$')" "pid inside"
	eq sh "$(inside 'cat /proc/1/comm; true')" "pid 1 is the container's process"
	# the host's processes are not visible: only pid 1 and the ps itself
	eq "1 2" "$(inside 'ps -o pid | tail -n +2 | head -n 2 | tr -d " " | tr "\n" " " | sed "s/ $//"')" \
		"pids inside"
	assert_clean
}

test_own_hostname_and_uts() {
	make_bundle
	cfg '.hostname = "box1" | .domainname = "example.test"'
	eq box1 "$(inside hostname)" "hostname"
	eq example.test "$(inside 'cat /proc/sys/kernel/domainname')" "domainname"
	eq "$(hostname)" "$(hostname)" "host hostname unchanged"
	[ "$(hostname)" != box1 ] || fail "the host's hostname changed"
	assert_clean
}

test_own_namespaces_differ_from_host() {
	make_bundle
	for ns in net ipc uts mnt pid cgroup; do
		inner=$(inside "stat -L -c %i /proc/self/ns/$ns")
		[ "$inner" != "$(ns_inode "$ns")" ] || fail "$ns namespace is the host's"
	done
	assert_clean
}

test_network_namespace_has_only_lo() {
	make_bundle
	eq lo "$(inside 'ls /sys/class/net')" "interfaces"
	assert_clean
}

test_join_network_namespace_by_path() {
	make_bundle
	name="husk-test-$$"
	ip netns add "$name"
	trap 'ip netns del "$name" 2>/dev/null || :' EXIT
	cfg "(.linux.namespaces[] | select(.type == \"network\")) |= {type: \"network\", path: \"/var/run/netns/$name\"}"
	want=$(stat -L -c %i "/var/run/netns/$name")
	eq "$want" "$(inside 'stat -L -c %i /proc/self/ns/net')" "joined network namespace"
	ip netns del "$name"
	assert_clean
}

test_user_namespace_mapping() {
	make_bundle
	# the mapped root must be able to reach the bundle
	chmod 755 "$WORK"
	cfg '.linux.namespaces += [{"type": "user"}]
	     | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
	     | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	args sh -c 'id -u; id -g; cat /proc/self/uid_map; sleep 100'
	h create c1
	h start c1
	pid=$(h state c1 | jq -r .pid)
	sleep 0.3
	eq 100000 "$(awk '/^Uid:/ {print $2}' /proc/"$pid"/status)" "uid seen from the host"
	h delete --force c1
	out=$(inside 'id -u; id -g')
	eq "0
0" "$out" "ids inside"
	assert_clean
}

test_time_namespace_offsets() {
	make_bundle
	cfg '.linux.namespaces += [{"type": "time"}]
	     | .linux.timeOffsets = {"monotonic": {"secs": 864000, "nanosecs": 0},
	                            "boottime": {"secs": 1728000, "nanosecs": 0}}'
	# /proc/uptime follows the boot time clock
	up=$(inside 'cut -d. -f1 /proc/uptime')
	[ "$up" -ge 1728000 ] || fail "uptime inside is $up, want >= 1728000"
	host=$(cut -d. -f1 /proc/uptime)
	[ "$host" -lt 1728000 ] || fail "the host's uptime moved too: $host"
	assert_clean
}

test_capabilities_dropped() {
	make_bundle
	# husk spec's default: CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE
	eq 0000000020000420 "$(inside "awk '/^CapEff:/ {print \$2}' /proc/self/status")" "CapEff"
	eq 0000000020000420 "$(inside "awk '/^CapBnd:/ {print \$2}' /proc/self/status")" "CapBnd"
	out=$(inside 'ping -c 1 -W 1 127.0.0.1 2>&1; echo "rc=$?"')
	case "$out" in *"rc=0"*) fail "ping worked without CAP_NET_RAW: $out" ;; esac
	case "$out" in *ermission*) ;; *) fail "ping failed for another reason: $out" ;; esac
	assert_clean
}

test_capability_added() {
	make_bundle
	cfg '.process.capabilities.bounding += ["CAP_NET_RAW", "CAP_NET_ADMIN"]
	     | .process.capabilities.effective += ["CAP_NET_RAW", "CAP_NET_ADMIN"]
	     | .process.capabilities.permitted += ["CAP_NET_RAW", "CAP_NET_ADMIN"]'
	out=$(inside 'ip link set lo up; ping -c 1 -W 1 127.0.0.1 >/dev/null 2>&1; echo "rc=$?"')
	eq rc=0 "$out" "ping with CAP_NET_RAW"
	assert_clean
}

test_no_new_privs() {
	make_bundle
	eq 1 "$(inside "awk '/^NoNewPrivs:/ {print \$2}' /proc/self/status")" "NoNewPrivs"
	cfg '.process.noNewPrivileges = false'
	eq 0 "$(inside "awk '/^NoNewPrivs:/ {print \$2}' /proc/self/status")" "NoNewPrivs off"
	assert_clean
}

test_rlimits_applied() {
	make_bundle
	cfg '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 777, "hard": 888},
	                         {"type": "RLIMIT_NPROC", "soft": 500, "hard": 600}]'
	eq "777 888 500" "$(inside 'echo $(ulimit -n) $(ulimit -Hn) $(ulimit -u)')" "limits"
	assert_clean
}

test_env_cwd_user_umask() {
	make_bundle
	cfg '.process.env += ["FOO=bar baz"] | .process.cwd = "/tmp"
	     | .process.user = {"uid": 1000, "gid": 1001, "additionalGids": [2000, 2001], "umask": 23}'
	out=$(inside 'echo "$FOO|$(pwd)|$(id -u)|$(id -g)|$(id -G)|$(umask)"')
	eq "bar baz|/tmp|1000|1001|1001 2000 2001|0027" "$out" "env, cwd, ids, groups, umask"
	assert_clean
}

test_no_husk_fd_leaks_into_container() {
	make_bundle
	eq "0 1 2" "$(inside 'ls /proc/self/fd | sort -n | head -n 3 | tr "\n" " " | sed "s/ $//"')" \
		"fds 0-2"
	# ls itself opens one fd for the directory; nothing else may be open
	eq 4 "$(inside 'ls /proc/self/fd | wc -l')" "open fds"
	assert_clean
}

test_preserve_fds() {
	make_bundle
	args sh -c 'cat <&3'
	echo passed-through >"$WORK/f"
	out=$("$HUSK" --root "$ROOT" run --preserve-fds 1 c1 3<"$WORK/f")
	eq passed-through "$out" "fd 3 content"
	assert_clean
}

test_readonly_root() {
	make_bundle
	out=$(inside 'touch /x 2>&1; echo "rc=$?"')
	case "$out" in *"rc=0"*) fail "wrote to a read-only root" ;; esac
	cfg '.root.readonly = false'
	eq rc=0 "$(inside 'touch /x; echo "rc=$?"')" "write to a writable root"
	assert_clean
}

test_default_devices() {
	make_bundle
	out=$(inside 'ls /dev | tr "\n" " "')
	for d in null zero full random urandom tty ptmx pts shm fd stdin stdout stderr; do
		case " $out " in *" $d "*) ;; *) fail "/dev/$d missing: $out" ;; esac
	done
	eq "c 1 3" "$(inside 'stat -c "%F %t %T" /dev/null' | sed 's/character special file/c/')" \
		"/dev/null"
	assert_clean
}

test_no_inherited_ignored_signals() {
	make_bundle
	# grep itself, not through sh: busybox sh ignores SIGQUIT for its children
	args grep -E '^Sig(Ign|Blk):' /proc/self/status
	out=$(trap '' INT QUIT PIPE HUP; h run c1)
	eq "SigBlk:	0000000000000000
SigIgn:	0000000000000000" "$out" "blocked and ignored signals inside"
	assert_clean
}

test_cgroup_mount_is_the_containers_own() {
	make_bundle
	host_dev=$(awk '$5 == "/sys/fs/cgroup" {print $3}' /proc/self/mountinfo)
	inner=$(inside "awk '\$5 == \"/sys/fs/cgroup\" {print \$3}' /proc/self/mountinfo")
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		eq cgroup2fs "$(inside 'stat -f -c %T /sys/fs/cgroup')" "cgroup2 inside"
	else
		# v1/hybrid with a cgroup namespace: a tmpfs of its own, with every
		# hierarchy mounted afresh (rooted at the namespace), read-only
		[ "$inner" != "$host_dev" ] || fail "the host's /sys/fs/cgroup tmpfs was bound"
		out=$(inside 'ls /sys/fs/cgroup | tr "\n" " "; touch /sys/fs/cgroup/x 2>&1 | grep -c Read-only')
		for hier in $(ls /sys/fs/cgroup); do
			case " $out " in *" $hier "*) ;; *) fail "hierarchy $hier missing: $out" ;; esac
		done
		case "$out" in *1) ;; *) fail "/sys/fs/cgroup is writable: $out" ;; esac
	fi
	assert_clean
}

run_tests
