#!/bin/sh
# The bad-input table: configs and command lines husk must refuse.  Every
# case gives exactly one error line naming the field or argument, a
# non-zero exit, and leaves nothing behind: no state dir, mount, process
# or cgroup.  Cases run through `husk run`, so a refusal that only comes
# from the init (a listener that is not there, a filter the kernel will not
# take) is covered as well as the validator's.
. "$(dirname "$0")/lib.sh"

_n=0

# one_error CODE PATTERN COMMAND...: exit CODE, stderr one line matching
# PATTERN (grep -E).
one_error() {
	code=$1
	pat=$2
	shift 2
	rc=0
	out=$("$@" 2>&1 >/dev/null) || rc=$?
	[ "$rc" -eq "$code" ] || fail "'$*' exited $rc, want $code (stderr: $out)"
	lines=$(printf '%s\n' "$out" | wc -l)
	[ "$lines" -eq 1 ] || fail "'$*': $lines lines on stderr: $out"
	printf '%s\n' "$out" | grep -Eq -- "$pat" || fail "'$*': stderr '$out' lacks /$pat/"
}

# no_cgroup ID: no cgroup of this container anywhere under /sys/fs/cgroup.
no_cgroup() {
	left=$(find /sys/fs/cgroup -maxdepth 3 -type d -name "husk-*-$1" 2>/dev/null | head -n 1)
	[ -z "$left" ] || fail "cgroup left behind: $left"
}

# bad_cfg PATTERN JQ-EXPR: the bundle's config with JQ-EXPR applied must be
# refused by run with one line matching PATTERN.
bad_cfg() {
	_n=$((_n + 1))
	cp "$WORK/base.json" "$BUNDLE/config.json"
	cfg "$2"
	id="bad$$-$_n" # unique: other suites' containers may run meanwhile
	one_error 1 "$1" h run "$id"
	assert_clean
	no_cgroup "$id"
}

base_bundle() {
	make_bundle
	args true
	cp "$BUNDLE/config.json" "$WORK/base.json"
}

sc() {
	printf '.linux.seccomp = %s' "$1"
}

test_seccomp_sections() {
	base_bundle
	bad_cfg '^husk: .*config.json: linux.seccomp: expected object, got array' "$(sc '[]')"
	bad_cfg 'linux.seccomp.defaultAction: required' "$(sc '{}')"
	bad_cfg 'linux.seccomp.defaultAction: unknown action "SCMP_ACT_FOO"' \
		"$(sc '{defaultAction: "SCMP_ACT_FOO"}')"
	bad_cfg 'linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action' \
		"$(sc '{defaultAction: "SCMP_ACT_NOTIFY", listenerPath: "/run/l.sock"}')"
	bad_cfg 'linux.seccomp.defaultErrnoRet: -1 is out of range for unsigned 32-bit integer' \
		"$(sc '{defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: -1}')"
	bad_cfg 'linux.seccomp.architectures\[0\]: unknown architecture "SCMP_ARCH_PDP11"' \
		"$(sc '{defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_PDP11"]}')"
	bad_cfg 'linux.seccomp.architectures\[0\]: add "SCMP_ARCH_S390X": byte order' \
		"$(sc '{defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_S390X"]}')"
	bad_cfg 'linux.seccomp.flags\[0\]: unknown flag "SECCOMP_FILTER_FLAG_FAST"' \
		"$(sc '{defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_FAST"]}')"
	bad_cfg 'linux.seccomp.syscalls\[0\].names: must be a non-empty array' \
		"$(sc '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: [], action: "SCMP_ACT_ERRNO"}]}')"
	bad_cfg 'linux.seccomp.syscalls\[0\].names: expected array of strings, got string' \
		"$(sc '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: "read", action: "SCMP_ACT_ERRNO"}]}')"
	bad_cfg 'linux.seccomp.syscalls\[0\].action: required' \
		"$(sc '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["read"]}]}')"
	bad_cfg 'linux.seccomp.syscalls\[1\].action: unknown action "SCMP_ACT_EXPLODE"' \
		"$(sc '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["read"], action: "SCMP_ACT_LOG"},
		      {names: ["mkdir"], action: "SCMP_ACT_EXPLODE"}]}')"
	bad_cfg 'linux.seccomp.syscalls\[0\].errnoRet: 70000 does not fit in 16 bits' \
		"$(sc '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO", errnoRet: 70000}]}')"
	bad_cfg 'linux.seccomp.syscalls\[0\].args\[0\].index: must be less than 6' \
		"$(sc '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO",
		      args: [{index: 6, value: 0, op: "SCMP_CMP_EQ"}]}]}')"
	bad_cfg 'linux.seccomp.syscalls\[0\].args\[0\].op: unknown operator "SCMP_CMP_APPROX"' \
		"$(sc '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO",
		      args: [{index: 0, value: 0, op: "SCMP_CMP_APPROX"}]}]}')"
	bad_cfg 'linux.seccomp.syscalls\[0\].args\[0\].value: -1 is out of range for unsigned 64-bit integer' \
		"$(sc '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO",
		      args: [{index: 0, value: -1, op: "SCMP_CMP_EQ"}]}]}')"
	bad_cfg 'linux.seccomp.syscalls\[0\].args: at most 6 conditions, got 7' \
		"$(sc '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO",
		      args: [range(7) | {index: (. % 6), value: 0, op: "SCMP_CMP_EQ"}]}]}')"
	bad_cfg 'linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY' \
		"$(sc '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}')"
	bad_cfg 'linux.seccomp.listenerPath: must be an absolute path' \
		"$(sc '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: "l.sock",
		      syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}')"
	bad_cfg 'linux.seccomp.listenerPath: longer than a unix socket path' \
		"$(sc "{defaultAction: \"SCMP_ACT_ALLOW\", listenerPath: \"/$(printf '%0120d' 0)\",
		      syscalls: [{names: [\"mkdir\"], action: \"SCMP_ACT_NOTIFY\"}]}")"
	# the init loads the filter before the listener is asked for: a
	# listener that is not there fails create and the init is taken down
	bad_cfg 'linux.seccomp.listenerPath: connect to "/nonexistent/husk.sock": No such file' \
		"$(sc '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/nonexistent/husk.sock",
		      syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}')"
}

# A syscall list so long the config passes the parser's size limit.
test_huge_syscall_list() {
	base_bundle
	jq -c '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	         syscalls: [{names: [range(5000000) | "no_such_syscall_\(.)"], action: "SCMP_ACT_ERRNO"}]}' \
		"$WORK/base.json" >"$BUNDLE/config.json"
	one_error 1 'config.json.*: larger than [0-9]+ bytes' h run "huge$$"
	assert_clean
	no_cgroup "huge$$"
}

test_capability_sets() {
	base_bundle
	bad_cfg 'process.capabilities.bounding\[[0-9]+\]: unknown capability "CAP_FLY"' \
		'.process.capabilities.bounding += ["CAP_FLY"]'
	bad_cfg 'process.capabilities.effective\[0\]: unknown capability "cap_chown"' \
		'.process.capabilities.effective = ["cap_chown"]'
	bad_cfg 'process.capabilities.permitted\[0\]: unknown capability "12"' \
		'.process.capabilities.permitted = ["12"]'
	bad_cfg 'process.capabilities.ambient: expected array of strings, got string' \
		'.process.capabilities.ambient = "CAP_KILL"'
	bad_cfg 'process.capabilities.inheritable\[0\]: expected string, got number' \
		'.process.capabilities.inheritable = [1]'
	# the kernel's rule, reported by the init with the field's name
	bad_cfg 'process.capabilities.ambient: raise CAP_NET_RAW .*must also be in permitted and inheritable' \
		'.process.capabilities.ambient = ["CAP_NET_RAW"]'
}

test_labels() {
	base_bundle
	bad_cfg 'process.selinuxLabel: must be user:role:type\[:level\]' \
		'.process.selinuxLabel = "container_t"'
	bad_cfg 'process.apparmorProfile: contains a control character' \
		'.process.apparmorProfile = "p\nexec unconfined"'
	bad_cfg "linux.mountLabel: contains '\"'" \
		'.linux.mountLabel = "u:r:t\",nosuid"'
	bad_cfg 'process.apparmorProfile: expected string, got number' \
		'.process.apparmorProfile = 7'
	if h features | jq -e '.annotations["io.github.husk.host.apparmor"] == "disabled"' >/dev/null; then
		bad_cfg 'process.apparmorProfile: "docker-default" needs AppArmor, which is not enabled' \
			'.process.apparmorProfile = "docker-default"'
	fi
	if h features | jq -e '.annotations["io.github.husk.host.selinux"] == "disabled"' >/dev/null; then
		bad_cfg 'process.selinuxLabel: "u:r:t:s0" needs SELinux, which is not enabled' \
			'.process.selinuxLabel = "u:r:t:s0"'
		bad_cfg 'linux.mountLabel: "u:r:t:s0" needs SELinux, which is not enabled' \
			'.linux.mountLabel = "u:r:t:s0"'
	fi
}

test_process_fields() {
	base_bundle
	bad_cfg 'process.oomScoreAdj: must be between -1000 and 1000, got 2000' \
		'.process.oomScoreAdj = 2000'
	bad_cfg 'process.ioPriority.class: unknown class "IOPRIO_CLASS_X"' \
		'.process.ioPriority = {class: "IOPRIO_CLASS_X", priority: 0}'
	bad_cfg 'process.scheduler.policy: unknown policy "SCHED_X"' \
		'.process.scheduler = {policy: "SCHED_X"}'
	bad_cfg 'process.execCPUAffinity.final: invalid list "3-1"' \
		'.process.execCPUAffinity = {final: "3-1"}'
	bad_cfg 'process.cwd "/proc/self/fd/6": outside the container.s root filesystem' \
		'.process.cwd = "/proc/self/fd/6"'
	bad_cfg 'mount on "/proc": only proc may be mounted in /proc, got type "tmpfs"' \
		'.mounts += [{destination: "/proc", type: "tmpfs", source: "tmpfs"}]'
}

# exec's own arguments: refused before anything runs in the container.
test_exec_arguments() {
	make_bundle
	args sleep 100
	trap 'h delete --force "x$$" 2>/dev/null || :' EXIT
	h run -d "x$$"
	pids=$(h ps "x$$" | wc -l)
	one_error 1 '--cap "CAP_SYS_ADMIN": not in the container.s bounding set' \
		h exec --cap CAP_SYS_ADMIN "x$$" true
	one_error 1 '--cap "CAP_WHATEVER": unknown capability' h exec --cap CAP_WHATEVER "x$$" true
	one_error 1 '--process-label: must be user:role:type' h exec --process-label x "x$$" true
	one_error 1 '--apparmor: contains a control character' h exec --apparmor "$(printf 'a\tb')" "x$$" true
	one_error 1 'process.cwd: must be an absolute path' h exec --cwd tmp "x$$" true
	eq "$pids" "$(h ps "x$$" | wc -l)" "processes in the container"
	h delete --force "x$$"
	trap - EXIT
	assert_clean
	no_cgroup "x$$"
}

run_tests
