#!/bin/sh
# Regression tests for the known runtime escapes and for husk's own
# privilege handling.  Each test fails without the protection it names:
#   leaked descriptors and cwd through /proc/self/fd/N (CVE-2024-21626 class)
#   mount targets swapped to symlinks during create (CVE-2021-30465 class)
#   something other than procfs over /proc (CVE-2019-16884 class)
#   masked paths of `husk spec`, the state directory's mode, state.json
#   edited behind husk's back, exec --cap beyond the bounding set,
#   LSM labels on a host without the LSM, oomScoreAdj / ioPriority /
#   scheduler / execCPUAffinity / ambient capabilities applied.
# The /proc/self/exe overwrite (CVE-2019-5736 class) has its own suite.
. "$(dirname "$0")/lib.sh"

# ---- descriptors ------------------------------------------------------------

# Only 0, 1, 2 (and what --preserve-fds passes) reach the container, even
# when husk's caller leaves descriptors open without close-on-exec.  Read
# from the host, so no shell or pipe inside adds descriptors of its own.
fds_of() {
	ls /proc/"$1"/fd | sort -n | tr '\n' ' '
}

test_container_sees_only_std_and_preserved_fds() {
	make_bundle
	args sleep 100
	h run -d c1 5<"$BUNDLE/config.json" 7>"$WORK/seven"
	eq "0 1 2 " "$(fds_of "$(h state c1 | jq -r .pid)")" "fds of the container's init"
	h run -d --preserve-fds 1 c2 3<"$BUNDLE/config.json" 5<"$BUNDLE/config.json"
	eq "0 1 2 3 " "$(fds_of "$(h state c2 | jq -r .pid)")" "fds with --preserve-fds 1"
	h exec -d --pid-file "$WORK/exec.pid" c1 sleep 100 6<"$BUNDLE/config.json"
	eq "0 1 2 " "$(fds_of "$(cat "$WORK/exec.pid")")" "fds of an exec'd process"
	h delete --force c1
	h delete --force c2
	assert_clean
}

# strace every call that makes a descriptor during run, exec and delete:
# each must ask for close-on-exec (dup2/dup3 onto 0-2 excepted: those are
# the process's stdio).  Calls after the container's own execve are not
# husk's and are not judged.
test_every_fd_husk_opens_is_cloexec() {
	command -v strace >/dev/null || fail "strace missing"
	make_bundle
	cfg '.hooks.createRuntime = [{path: "/bin/true"}]'
	args sleep 100
	mkdir "$WORK/trace"
	t="$WORK/trace/t"
	calls=open,openat,openat2,creat,socket,socketpair,pipe,pipe2,dup,dup2,dup3,fcntl,accept,accept4
	calls=$calls,memfd_create,eventfd2,signalfd4,epoll_create1,inotify_init1,fsopen,fsmount
	calls=$calls,open_tree,fspick,timerfd_create,recvmsg,execve
	# -b execve: stop following a process at its execve (the container's
	# program, a hook), which is where husk's part ends
	for cmd in "run -d c1" "exec c1 true" "delete --force c1"; do
		# shellcheck disable=SC2086
		strace -qq -b execve -ff -o "$t" -e trace="$calls" "$HUSK" --root "$ROOT" $cmd
	done
	# dup2 onto a number above 2 is fine when the next call sets
	# FD_CLOEXEC on it (hooks.c's error pipe, in a one-thread child)
	bad=$(awk '
		FNR == 1 { if (pend != "") print pend; pend = "" }
		pend != "" {
			if ($0 !~ "^fcntl\\(" target ", F_SETFD, FD_CLOEXEC\\)") print pend
			pend = ""
		}
		/ = -1 / { next }
		/^(open|openat|openat2|creat|socket|socketpair|pipe|pipe2|dup|accept|accept4|memfd_create|eventfd2|signalfd4|epoll_create1|inotify_init1|fsopen|fsmount|open_tree|fspick|timerfd_create)\(/ {
			if ($0 !~ /CLOEXEC/) print FILENAME ": " $0
			next
		}
		/^dup[23]\(/ {
			if ($0 ~ /CLOEXEC/) next
			target = $0; sub(/^dup[23]\([0-9]+, /, "", target); sub(/[,)].*$/, "", target)
			if (target + 0 > 2) pend = FILENAME ": " $0
			next
		}
		/^fcntl\(.*F_DUPFD[,)]/ { print FILENAME ": " $0; next }
		/^recvmsg\(.*SCM_RIGHTS/ { if ($0 !~ /MSG_CMSG_CLOEXEC/) print FILENAME ": " $0 }
		END { if (pend != "") print pend }
	' "$t".*)
	[ -z "$bad" ] || fail "descriptors without close-on-exec:
$bad"
	# the trace did see husk's calls
	grep -qh 'O_CLOEXEC' "$t".* || fail "strace saw no opens"
	assert_clean
}

# cwd "/proc/self/fd/N" names one of husk's own descriptors while the init
# runs; for a directory of the host (the state dir, the cgroup) that put the
# container's process outside its root.  Every N either fails create with
# a clear error or leaves the process inside.
test_cwd_through_proc_self_fd_stays_inside() {
	make_bundle
	: >"$BUNDLE/rootfs/.inside-mark"
	n=3
	while [ $n -le 16 ]; do
		cfg ".process.cwd = \"/proc/self/fd/$n\""
		args sh -c 'ls -a ../../../../../../../.. | grep -c "^.inside-mark$"'
		rc=0
		out=$(h run "c$n" 2>&1) || rc=$?
		if [ $rc -eq 0 ]; then
			eq 1 "$out" "cwd /proc/self/fd/$n: the root above it"
		else
			printf '%s\n' "$out" | grep -q 'process.cwd\|chdir' ||
				fail "cwd /proc/self/fd/$n: unclear error: $out"
		fi
		n=$((n + 1))
	done
	# and through exec --cwd
	cfg '.process.cwd = "/"'
	args sleep 100
	h run -d c1
	n=3
	while [ $n -le 16 ]; do
		rc=0
		out=$(h exec --cwd "/proc/self/fd/$n" c1 sh -c \
			'ls -a ../../../../../../../.. | grep -c "^.inside-mark$"' 2>&1) || rc=$?
		[ $rc -eq 0 ] && eq 1 "$out" "exec --cwd /proc/self/fd/$n"
		n=$((n + 1))
	done
	h delete --force c1
	assert_clean
}

# ---- mounts -----------------------------------------------------------------

# A background loop swaps the rootfs's /race between a directory and a
# symlink to a host directory while containers mount a tmpfs on /race/m.
# The host directory is a shared mount and the containers' root propagation
# "shared", so a mount that followed the symlink on the host would show up
# in the host's mount table.
test_mount_target_symlink_race() {
	make_bundle
	outside="$WORK/outside"
	mkdir -p "$outside"
	mount --bind "$outside" "$outside"
	mount --make-shared "$outside"
	trap 'kill $racer 2>/dev/null; umount -R "$outside" 2>/dev/null || :' EXIT
	# the detector works: a mount made there in another namespace shows
	unshare -m --propagation unchanged sh -c "mkdir $outside/probe && mount -t tmpfs p $outside/probe"
	grep -q " $outside/probe " /proc/self/mountinfo || fail "propagation probe not seen"
	umount "$outside/probe"
	rmdir "$outside/probe"

	cfg '.linux.rootfsPropagation = "shared" | .root.readonly = false'
	cfg '.mounts += [{destination: "/race/m", type: "tmpfs", source: "tmpfs"}]'
	args true
	(
		# the swaps race with husk and with each other's leftovers
		set +e
		cd "$BUNDLE/rootfs"
		while :; do
			rm -rf race
			ln -s "$outside" race
			rm -f race
			mkdir race
		done
	) &
	racer=$!
	i=0
	while [ $i -lt 30 ]; do
		h run "r$i" >/dev/null 2>&1 || :
		i=$((i + 1))
	done
	kill $racer 2>/dev/null || :
	wait $racer 2>/dev/null || :
	left=$(grep -c " $outside/" /proc/self/mountinfo || :)
	eq 0 "$left" "mounts that landed under $outside"
	eq "" "$(ls -A "$outside")" "entries created in $outside"
	umount "$outside"
	trap - EXIT
	assert_clean
}

# Only a procfs may cover /proc: by type, by bind source, and whatever name
# a symlink in the rootfs gives the destination.
test_only_procfs_on_proc() {
	make_bundle
	mkdir -p "$WORK/fakeproc"
	args true
	base=$(jq -c '.mounts' "$BUNDLE/config.json")
	try_proc_mount() {
		cfg ".mounts = $base + [$1]"
		expect_fail 1 "$2" h run c1
		assert_clean
	}
	try_proc_mount '{"destination": "/proc", "type": "tmpfs", "source": "tmpfs"}' \
		'mount on "/proc": only proc may be mounted in /proc, got type "tmpfs"'
	try_proc_mount "{\"destination\": \"/proc\", \"type\": \"bind\", \"source\": \"$WORK/fakeproc\", \"options\": [\"bind\"]}" \
		'bind source ".*fakeproc" is not a procfs'
	# CVE-2019-16884's shape: type "proc", but a bind of a plain directory
	try_proc_mount "{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"$WORK/fakeproc\", \"options\": [\"bind\"]}" \
		'is not a procfs'
	ln -s proc "$BUNDLE/rootfs/altproc"
	try_proc_mount '{"destination": "/altproc", "type": "tmpfs", "source": "tmpfs"}' \
		'mount on "/altproc": only proc may be mounted in /proc'
	ln -s /proc/sys "$BUNDLE/rootfs/altsys"
	try_proc_mount '{"destination": "/altsys/kernel", "type": "tmpfs", "source": "tmpfs"}' \
		'mount on "/altsys/kernel": only proc may be mounted in /proc'
	# a bind of the host's procfs is a procfs
	cfg ".mounts = $base + [{destination: \"/proc\", type: \"bind\", source: \"/proc\", options: [\"rbind\"]}]"
	args sh -c 'test -r /proc/self/status && echo procfs'
	eq procfs "$(h run c1)" "host procfs bound on /proc"
	assert_clean
}

# `husk spec` masks the kernel's sensitive files, and a container run from
# it cannot read them.
test_spec_masks_sensitive_paths() {
	h spec --bundle "$WORK"
	masked=$(jq -r '.linux.maskedPaths[]' "$WORK/config.json")
	for p in /proc/acpi /proc/asound /proc/kcore /proc/keys /proc/latency_stats \
		/proc/timer_list /proc/timer_stats /proc/sched_debug /proc/scsi /sys/firmware \
		/sys/devices/virtual/powercap; do
		printf '%s\n' "$masked" | grep -qx "$p" || fail "husk spec does not mask $p"
	done
	readonly=$(jq -r '.linux.readonlyPaths[]' "$WORK/config.json")
	for p in /proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger; do
		printf '%s\n' "$readonly" | grep -qx "$p" || fail "husk spec leaves $p writable"
	done
	make_bundle
	jq --slurpfile s "$WORK/config.json" \
		'.linux.maskedPaths = $s[0].linux.maskedPaths | .linux.readonlyPaths = $s[0].linux.readonlyPaths' \
		"$BUNDLE/config.json" >"$BUNDLE/c.json" && mv "$BUNDLE/c.json" "$BUNDLE/config.json"
	out=$(inside 'for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
			[ -e $f ] && echo "$f $(head -c 16 $f | wc -c)"; done
		echo "firmware $(ls -A /sys/firmware | wc -l)"
		(echo x > /proc/sysrq-trigger) 2>/dev/null && echo sysrq-writable; true')
	printf '%s\n' "$out" | grep -v '^firmware' | grep -v ' 0$' && fail "readable: $out"
	printf '%s\n' "$out" | grep -qx 'firmware 0' || fail "/sys/firmware not masked: $out"
	printf '%s\n' "$out" | grep -q sysrq-writable && fail "/proc/sysrq-trigger writable"
	# kernels differ in which of them exist; some must
	printf '%s\n' "$out" | grep -q '^/proc/[a-z_]* 0$' || fail "no masked file seen: $out"
	assert_clean
}

# ---- the state store --------------------------------------------------------

test_state_dir_private_to_the_caller() {
	make_bundle
	args sleep 100
	h create c1
	eq "700 $(id -u)" "$(stat -c '%a %u' "$ROOT")" "state root"
	eq "700 $(id -u)" "$(stat -c '%a %u' "$ROOT/c1")" "container's state dir"
	eq "600 $(id -u)" "$(stat -c '%a %u' "$ROOT/c1/state.json")" "state.json"
	eq "600" "$(stat -c '%a' "$ROOT/c1/config.json")" "config copy"
	h delete --force c1
	assert_clean
}

# tamper JQ-EXPR: rewrites c1's state.json (the original is kept in $WORK).
tamper() {
	jq -c "$1" "$WORK/state.orig" >"$ROOT/c1/state.json"
}

# Each edit gives a clear error and no action: the container keeps running
# untouched, a bystander process is never signalled, no cgroup is removed.
test_tampered_state_never_acts() {
	make_bundle
	args sleep 100
	h run -d c1
	cp "$ROOT/c1/state.json" "$WORK/state.orig"
	init=$(jq -r .pid "$WORK/state.orig")
	cg=$(jq -r .cgroupPath "$WORK/state.orig")
	sleep 100 &
	bystander=$!
	trap 'kill $bystander 2>/dev/null || :' EXIT

	printf '{"id": "c1", "status": ' >"$ROOT/c1/state.json"
	for cmd in "state c1" "kill c1 KILL" "exec c1 true" "delete c1" "pause c1"; do
		# shellcheck disable=SC2086
		expect_fail 1 'state of container "c1": state.json: line 1' h $cmd
	done
	for edit in '.bundle = "../../etc"' '.rootfs = "/x/../../etc"' \
		'.cgroupPath = "/sys/fs/cgroup/unified/../../.."' '.pid = 1' '.id = "../c1"' \
		'.cgroupPath = "/sys/fs/cgroup/unified/"'; do
		tamper "$edit"
		field=$(printf '%s' "$edit" | sed 's/^\.\([a-zA-Z]*\).*/\1/')
		for cmd in "state c1" "kill --all c1 KILL" "delete c1"; do
			# shellcheck disable=SC2086
			expect_fail 1 "state.json: line 1, column [0-9]+: \\\$\\.$field: " h $cmd
		done
	done
	# the pid (and start time) of another process: the container looks
	# stopped, and nothing signals that process
	start=$(awk '{ sub(/^.*\) /, ""); print $20 }' /proc/$bystander/stat)
	tamper ".pid = $bystander | .initStartTime = $start"
	eq stopped "$(h state c1 | jq -r .status)" "status with another process's pid"
	expect_fail 1 'container not running' h kill c1 KILL
	expect_fail 1 'stopped container' h exec c1 true
	kill -0 $bystander || fail "the bystander was signalled"

	cp "$WORK/state.orig" "$ROOT/c1/state.json"
	eq running "$(h state c1 | jq -r .status)" "restored"
	kill -0 "$init" || fail "the container's init was signalled"
	[ -d "$cg" ] || fail "the container's cgroup was removed"
	kill $bystander
	trap - EXIT
	h delete --force c1
	assert_clean
}

# ---- privileges -------------------------------------------------------------

test_exec_cap_only_within_bounding_set() {
	make_bundle
	args sleep 100
	h run -d c1
	expect_fail 1 '--cap "CAP_SYS_ADMIN": not in the container.s bounding set' \
		h exec --cap CAP_SYS_ADMIN c1 true
	expect_fail 1 '--cap "CAP_NOPE": unknown capability' h exec --cap CAP_NOPE c1 true
	eq 0000000020000420 "$(h exec --cap CAP_KILL c1 awk '/^CapBnd:/ {print $2}' /proc/self/status)" \
		"bounding set unchanged by --cap"
	h delete --force c1
	assert_clean
}

test_ambient_capabilities_honoured() {
	make_bundle
	cfg '.process.user = {uid: 1000, gid: 1000}
	     | .process.capabilities = {bounding: ["CAP_NET_BIND_SERVICE"],
	        effective: ["CAP_NET_BIND_SERVICE"], permitted: ["CAP_NET_BIND_SERVICE"],
	        inheritable: ["CAP_NET_BIND_SERVICE"], ambient: ["CAP_NET_BIND_SERVICE"]}'
	out=$(inside "awk '/^Cap(Amb|Bnd|Eff):/ {print \$2}' /proc/self/status | tr '\n' ' '")
	eq "0000000000000400 0000000000000400 0000000000000400 " "$out" "CapEff CapBnd CapAmb as uid 1000"
	assert_clean
}

# oomScoreAdj, ioPriority, scheduler and execCPUAffinity, read from the host.
test_process_scheduling_fields_applied() {
	make_bundle
	cfg '.process.oomScoreAdj = 456 | .process.ioPriority = {class: "IOPRIO_CLASS_IDLE", priority: 0}
	     | .process.scheduler = {policy: "SCHED_BATCH", nice: 7}
	     | .process.execCPUAffinity = {initial: "0", final: "0"}'
	args sleep 100
	h run -d c1
	pid=$(h state c1 | jq -r .pid)
	eq 456 "$(cat /proc/$pid/oom_score_adj)" "oom_score_adj"
	eq 1 "$(awk '/^Cpus_allowed_list:/ {print ($2 == "0")}' /proc/$pid/status)" "cpu affinity"
	eq 3 "$(awk '{print $41}' /proc/$pid/stat)" "policy (SCHED_BATCH)"
	eq 7 "$(awk '{print $19}' /proc/$pid/stat)" "nice"
	ionice -p "$pid" | grep -q '^idle' || fail "io class: $(ionice -p "$pid")"
	h delete --force c1
	assert_clean
}

# ---- LSM labels on a host without the LSM ------------------------------------

test_labels_refused_without_their_lsm() {
	make_bundle
	args true
	host_aa=$(h features | jq -r '.annotations["io.github.husk.host.apparmor"]')
	host_se=$(h features | jq -r '.annotations["io.github.husk.host.selinux"]')
	eq "true true" "$(h features | jq -r '"\(.linux.apparmor.enabled) \(.linux.selinux.enabled)"')" \
		"features: supported"
	[ "$host_aa" = disabled ] && [ "$host_se" = disabled ] || {
		echo "    (skipped: this host has an LSM: $host_aa $host_se)"
		return 0
	}
	eq ok "$(h run c1 >/dev/null && echo ok)" "no label requested"
	orig=$(cat config.json)
	cfg '.process.apparmorProfile = "docker-default"'
	expect_fail 1 'process.apparmorProfile: "docker-default" needs AppArmor, which is not enabled on this host' h run c1
	assert_clean
	printf '%s\n' "$orig" >config.json
	cfg '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
	expect_fail 1 'process.selinuxLabel: ".*" needs SELinux, which is not enabled' h run c1
	assert_clean
	printf '%s\n' "$orig" >config.json
	cfg '.linux.mountLabel = "system_u:object_r:container_file_t:s0"'
	expect_fail 1 'linux.mountLabel: ".*" needs SELinux, which is not enabled' h run c1
	assert_clean
	printf '%s\n' "$orig" >config.json
	args sleep 100
	h run -d c1
	expect_fail 1 '--apparmor: "p" needs AppArmor' h exec --apparmor p c1 true
	expect_fail 1 '--process-label: "u:r:t" needs SELinux' h exec --process-label u:r:t c1 true
	expect_fail 1 '--process-label: must be user:role:type' h exec --process-label bad c1 true
	h delete --force c1
	assert_clean
}

run_tests
