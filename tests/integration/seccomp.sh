#!/bin/sh
# linux.seccomp in real containers: Docker's default profile under busybox,
# what it refuses, the notify listener (tests/helpers/seccomp-listener) for
# the init and for exec, and a profile libseccomp refuses failing create.
. "$(dirname "$0")/lib.sh"

LISTENER=$TOP/build/helpers/seccomp-listener
FIXTURE=$TOP/tests/fixtures/seccomp/docker-default.json

# docker_profile: Docker's default profile as the bundle's linux.seccomp
# (and a writable root, for mkdir).
docker_profile() {
	cfg '.root.readonly = false'
	jq --slurpfile p "$FIXTURE" '.linux.seccomp = $p[0].linux.seccomp' "$BUNDLE/config.json" \
		>"$BUNDLE/config.json.new" && mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# caps CAP...: the process gets exactly these capabilities in every set.
caps() {
	set_=$(jq -cn '$ARGS.positional' --args -- "$@")
	cfg ".process.capabilities = {bounding: $set_, effective: $set_, permitted: $set_}"
}

# start_listener MODE: the helper on $WORK/l.sock, logging to $WORK/l.log.
start_listener() {
	[ -x "$LISTENER" ] || fail "$LISTENER missing: make helpers"
	"$LISTENER" "$WORK/l.sock" "$WORK/l.log" "$1" &
	listener_pid=$!
	trap 'kill $listener_pid 2>/dev/null || :' EXIT
	i=0
	while [ ! -S "$WORK/l.sock" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -S "$WORK/l.sock" ] || fail "listener did not start"
}

notify_mkdir_profile() {
	cfg '.root.readonly = false'
	cfg ".linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\", listenerPath: \"$WORK/l.sock\",
	     listenerMetadata: \"meta-$$\", flags: [\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],
	     syscalls: [{names: [\"mkdir\", \"mkdirat\"], action: \"SCMP_ACT_NOTIFY\"}]}"
}

test_docker_profile_runs_busybox() {
	make_bundle
	docker_profile
	for nnp in true false; do
		cfg ".process.noNewPrivileges = $nnp"
		out=$(inside 'mkdir /tmp/d && test -d /tmp/d && rmdir /tmp/d && echo mkdir-ok;
			ps -o pid,comm | grep -q "ps" && echo ps-ok; cat /proc/self/status | grep ^Seccomp:')
		eq "mkdir-ok
ps-ok
Seccomp:	2" "$out" "busybox under the profile (noNewPrivileges $nnp)"
	done
	assert_clean
}

test_docker_profile_ping() {
	make_bundle
	docker_profile
	# the host's network namespace, for a loopback that is up; ping needs
	# a raw socket, which Docker's default capabilities allow
	cfg 'del(.linux.namespaces[] | select(.type == "network"))'
	caps CAP_NET_RAW
	out=$(inside 'ping -c 1 -W 2 127.0.0.1 >/dev/null && echo ping-ok')
	eq ping-ok "$out" "ping"
	assert_clean
}

test_docker_profile_refuses_unshare_and_mount() {
	make_bundle
	# with CAP_SYS_ADMIN both work: what refuses them below is the filter
	caps CAP_SYS_ADMIN CAP_SETUID CAP_SETGID
	probe='unshare -U true && echo unshare-ok; mount -t tmpfs none /tmp && echo mount-ok; true'
	eq "unshare-ok
mount-ok" "$(inside "$probe")" "without seccomp"
	docker_profile
	out=$(inside "$probe")
	printf '%s\n' "$out" | grep -q ok && fail "allowed under the profile: $out"
	printf '%s\n' "$out" | grep -q "Operation not permitted" || fail "no EPERM: $out"
	assert_clean
}

test_notify_answers_mkdir_without_running_it() {
	make_bundle
	start_listener success
	notify_mkdir_profile
	out=$(inside 'mkdir /tmp/n && echo made; test -d /tmp/n && echo exists || echo absent')
	eq "made
absent" "$out" "mkdir answered by the listener"
	grep -q '^notify pid=[0-9]* syscall=mkdir[a-z]* path=/tmp/n$' "$WORK/l.log" ||
		fail "listener saw no mkdir: $(cat "$WORK/l.log")"
	state=$(sed -n 's/^state \(.*\) fds=1$/\1/p' "$WORK/l.log")
	eq seccompFd "$(printf '%s' "$state" | jq -r '.fds[0]')" "fds"
	eq "meta-$$" "$(printf '%s' "$state" | jq -r .metadata)" "metadata"
	eq "c$$" "$(printf '%s' "$state" | jq -r .state.id)" "state.id"
	eq creating "$(printf '%s' "$state" | jq -r .state.status)" "state.status"
	[ "$(printf '%s' "$state" | jq -r .pid)" -gt 0 ] || fail "pid: $state"
	assert_clean
}

test_notify_errno_reaches_the_container() {
	make_bundle
	start_listener errno:13
	notify_mkdir_profile
	cfg '.process.noNewPrivileges = false'
	out=$(inside 'mkdir /tmp/n; echo rc=$?')
	printf '%s\n' "$out" | grep -q "Permission denied" || fail "no EACCES: $out"
	printf '%s\n' "$out" | grep -q "rc=1" || fail "mkdir succeeded: $out"
	assert_clean
}

test_notify_for_exec() {
	make_bundle
	start_listener success
	notify_mkdir_profile
	args sleep 100
	h create c1
	h start c1
	out=$(h exec c1 sh -c 'mkdir /tmp/e && echo made; test -d /tmp/e && echo exists || echo absent')
	eq "made
absent" "$out" "mkdir in exec answered"
	eq 2 "$(grep -c '^state ' "$WORK/l.log")" "connections (init and exec)"
	eq running "$(sed -n 's/^state \(.*\) fds=1$/\1/p' "$WORK/l.log" | tail -n 1 |
		jq -r .state.status)" "exec's state.status"
	h delete --force c1
	assert_clean
}

# Every flag, a name no libseccomp knows (skipped, not fatal) and an
# argument condition, enforced in a real container: chmod to a mode whose
# permission bits are 0700 fails with EACCES, other modes pass.
test_flags_unknown_names_and_arg_conditions() {
	make_bundle
	cfg '.root.readonly = false'
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	     flags: ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
	     syscalls: [
	       {names: ["no_such_syscall_of_any_kernel", "chmod"], action: "SCMP_ACT_ERRNO", errnoRet: 13,
	        args: [{index: 1, value: 511, valueTwo: 448, op: "SCMP_CMP_MASKED_EQ"}]},
	       {names: ["fchmodat"], action: "SCMP_ACT_ERRNO", errnoRet: 13,
	        args: [{index: 2, value: 511, valueTwo: 448, op: "SCMP_CMP_MASKED_EQ"}]},
	       {names: ["getpriority"], action: "SCMP_ACT_ERRNO", errnoRet: 1,
	        args: [{index: 0, value: 0, op: "SCMP_CMP_NE"}, {index: 1, value: 100, op: "SCMP_CMP_GT"}]}]}'
	out=$(inside 'touch /tmp/f; chmod 755 /tmp/f && echo 755-ok; chmod 4700 /tmp/f || echo 4700-refused;
		chmod 700 /tmp/f || echo 700-refused; grep ^Seccomp_filters: /proc/self/status')
	eq "755-ok
4700-refused
700-refused
Seccomp_filters:	1" "$(printf '%s\n' "$out" | grep -v 'Permission denied')" "conditions"
	printf '%s\n' "$out" | grep -q "Permission denied" || fail "no EACCES: $out"
	assert_clean
}

test_refused_profile_fails_create() {
	make_bundle
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_S390X"]}'
	expect_fail 1 'linux.seccomp.architectures\[0\]: add "SCMP_ARCH_S390X": byte order' \
		h run c1
	assert_clean
}

run_tests
