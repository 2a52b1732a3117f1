#!/bin/sh
# Masked and read-only paths, sysctls and the execution domain, each seen
# from inside the container, and the host checked to be unchanged.
. "$(dirname "$0")/lib.sh"

# The first file of husk spec's maskedPaths that this kernel has (kernels
# differ: /proc/kcore needs CONFIG_PROC_KCORE).
masked_proc_file() {
	for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats; do
		if [ -f "$f" ]; then
			echo "$f"
			return
		fi
	done
}

test_masked_proc_file_reads_empty() {
	make_bundle
	f=$(masked_proc_file)
	[ -n "$f" ] || fail "no masked /proc file on this kernel"
	jq -e --arg f "$f" '.linux.maskedPaths | index($f)' config.json >/dev/null ||
		fail "$f is not in the default maskedPaths"
	[ -n "$(head -c 1 "$f")" ] || [ "$f" = /proc/kcore ] || fail "$f is empty on the host"
	eq 0 "$(inside "wc -c <$f")" "bytes read from $f"
	eq "1,3" "$(inside "stat -c %t,%T $f")" "$f is /dev/null"
	assert_clean
}

test_masked_file_in_rootfs() {
	make_bundle
	echo top-secret >rootfs/etc/secret
	cfg '.linux.maskedPaths += ["/etc/secret"]'
	eq "" "$(inside 'cat /etc/secret')" "masked file content"
	eq top-secret "$(cat rootfs/etc/secret)" "the file itself"
	assert_clean
}

test_masked_dir_is_empty_and_read_only() {
	make_bundle
	mkdir rootfs/hidden
	echo a >rootfs/hidden/a
	cfg '.root.readonly = false | .linux.maskedPaths += ["/hidden"]'
	out=$(inside 'ls -A /hidden | wc -l; touch /hidden/x 2>&1; touch /elsewhere && echo wrote')
	case "$out" in
	"0"*"Read-only file system"*wrote) ;;
	*) fail "masked dir: $out" ;;
	esac
	[ ! -e rootfs/hidden/x ] || fail "a file appeared under the masked dir"
	# /proc/acpi is a masked directory too: an empty read-only tmpfs
	if [ -d /proc/acpi ]; then
		eq "tmpfs ro" "$(inside "awk '\$5 == \"/proc/acpi\" {print \$9, substr(\$6, 1, 2)}' \
			/proc/self/mountinfo")" "/proc/acpi mount"
	fi
	assert_clean
}

test_masked_missing_path_is_skipped() {
	make_bundle
	cfg '.linux.maskedPaths += ["/no/such/path", "/proc/no-such-file"]'
	eq ok "$(inside 'echo ok')" "run with missing masked paths"
	assert_clean
}

test_masked_symlink_refused() {
	make_bundle
	ln -s /etc/passwd rootfs/etc/link
	cfg '.linux.maskedPaths += ["/etc/link"]'
	args true
	expect_fail 1 'mask "/etc/link": refusing a symbolic link' h run c1
	assert_clean
}

test_readonly_proc_sys() {
	make_bundle
	jq -e '.linux.readonlyPaths | index("/proc/sys")' config.json >/dev/null ||
		fail "/proc/sys is not in the default readonlyPaths"
	out=$(inside 'echo x >/proc/sys/kernel/domainname 2>&1; cat /proc/sys/kernel/ostype')
	case "$out" in
	*"Read-only file system"*Linux) ;;
	*) fail "write to /proc/sys: $out" ;;
	esac
	# the same write works once /proc/sys is not read-only (the container
	# has its own UTS namespace, so the host keeps its name)
	cfg '.linux.readonlyPaths = []'
	eq x "$(inside 'echo x >/proc/sys/kernel/domainname && cat /proc/sys/kernel/domainname')" \
		"domainname written"
	[ "$(cat /proc/sys/kernel/domainname)" != x ] || fail "the host's domainname changed"
	assert_clean
}

test_readonly_path_in_rootfs() {
	make_bundle
	mkdir rootfs/data
	echo kept >rootfs/data/file
	cfg '.root.readonly = false | .linux.readonlyPaths += ["/data", "/no/such/dir"]'
	out=$(inside 'cat /data/file; echo y >/data/file 2>&1; touch /data/new 2>&1;
		touch /tmp/elsewhere && echo wrote')
	case "$out" in
	kept*"Read-only file system"*"Read-only file system"*wrote) ;;
	*) fail "read-only /data: $out" ;;
	esac
	eq kept "$(cat rootfs/data/file)" "file on the host"
	assert_clean
}

test_sysctl_net_in_own_namespace() {
	make_bundle
	host=$(cat /proc/sys/net/ipv4/ip_forward)
	want=$((1 - host))
	cfg ".linux.sysctl = {\"net.ipv4.ip_forward\": \"$want\"}"
	eq "$want" "$(inside 'cat /proc/sys/net/ipv4/ip_forward')" "ip_forward inside"
	eq "$host" "$(cat /proc/sys/net/ipv4/ip_forward)" "ip_forward on the host"
	assert_clean
}

test_sysctl_ipc_and_slash_keys() {
	make_bundle
	host_shm=$(cat /proc/sys/kernel/shmmax)
	host_dom=$(cat /proc/sys/kernel/domainname)
	cfg '.linux.sysctl = {"kernel.shmmax": "123456789", "kernel/domainname": "via.slash",
	                      "fs.mqueue.msg_max": "17"}'
	out=$(inside 'cat /proc/sys/kernel/shmmax /proc/sys/kernel/domainname \
		/proc/sys/fs/mqueue/msg_max | tr "\n" " "')
	eq "123456789 via.slash 17 " "$out" "sysctls inside"
	eq "$host_shm" "$(cat /proc/sys/kernel/shmmax)" "shmmax on the host"
	eq "$host_dom" "$(cat /proc/sys/kernel/domainname)" "domainname on the host"
	assert_clean
}

test_sysctl_net_refused_without_network_namespace() {
	make_bundle
	cfg '.linux.namespaces |= map(select(.type != "network"))
	     | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	args true
	expect_fail 1 'linux\.sysctl\["net\.ipv4\.ip_forward"\]: requires a new network namespace' \
		h run c1
	assert_clean
}

test_sysctl_refused_in_host_network_namespace() {
	make_bundle
	cfg '(.linux.namespaces[] | select(.type == "network")) |= {type: "network", path: "/proc/self/ns/net"}
	     | .linux.sysctl = {"net.core.somaxconn": "1024"}'
	args true
	expect_fail 1 'linux\.sysctl\["net\.core\.somaxconn"\]: not allowed in the host.s network namespace' \
		h run c1
	assert_clean
}

test_sysctl_global_key_refused() {
	make_bundle
	cfg '.linux.sysctl = {"vm.swappiness": "10"}'
	args true
	expect_fail 1 'linux\.sysctl\["vm\.swappiness"\]: is not namespaced and cannot be set for a container' \
		h run c1
	assert_clean
}

test_sysctl_bad_value_fails_create() {
	make_bundle
	cfg '.linux.sysctl = {"kernel.shmmax": "lots"}'
	args true
	expect_fail 1 'sysctl "kernel\.shmmax" = "lots": Invalid argument' h run c1
	assert_clean
}

test_personality_linux32() {
	make_bundle
	cfg '.linux.personality = {"domain": "LINUX32"}'
	case "$(uname -m)" in
	x86_64) eq i686 "$(inside 'uname -m')" "machine under LINUX32" ;;
	aarch64) eq armv8l "$(inside 'uname -m')" "machine under LINUX32" ;;
	*) eq ok "$(inside 'echo ok')" "run under LINUX32" ;;
	esac
	cfg '.linux.personality = {"domain": "LINUX"}'
	eq "$(uname -m)" "$(inside 'uname -m')" "machine under LINUX"
	assert_clean
}

test_personality_applies_to_exec() {
	[ "$(uname -m)" = x86_64 ] || return 0
	make_bundle
	cfg '.linux.personality = {"domain": "LINUX32"}'
	args sleep 1000
	trap 'h delete --force c1 >/dev/null 2>&1 || :' EXIT
	h create c1
	h start c1
	eq i686 "$(h exec c1 uname -m)" "machine seen by exec"
	h delete --force c1
	assert_clean
}

run_tests
