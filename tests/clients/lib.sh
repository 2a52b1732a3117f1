# Shared by the client suites (sourced, POSIX sh): containerd, Docker and
# podman driving husk end to end.  A suite sets CLIENT and CHECKS (run in
# that order: later checks use the container earlier ones left running),
# defines client_env (sets what every step needs, from $T alone),
# client_setup, client_teardown, client_state_left (prints husk state the
# client left) and check_* functions, and ends with `client_main "$@"`.
#
# Every step (setup, each check, teardown, the leftover check) runs as its
# own process, `sh SUITE --step NAME`, under a timeout that kills its whole
# process group: the suite never hangs.  Daemons are started with setsid, so
# they outlive the setup step and are stopped by the teardown step.  The
# suite writes "PASSED FAILED" to $HUSK_RESULTS as the integration suites do.
set -u
HUSK=${HUSK:-./husk}
HUSK=$(cd "$(dirname "$HUSK")" && pwd)/$(basename "$HUSK")
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
CHECK_TIMEOUT=${CHECK_TIMEOUT:-60}
IMAGE=localhost/busybox:latest
export HUSK TOP

fail() {
	echo "    FAIL: $*" >&2
	exit 1
}

# eq WANT GOT DESCRIPTION
eq() {
	[ "$1" = "$2" ] || fail "$3: want '$1', got '$2'"
}

# has PATTERN TEXT DESCRIPTION: TEXT matches the extended regex PATTERN.
has() {
	printf '%s\n' "$2" | grep -Eq -- "$1" || fail "$3: '$2' lacks /$1/"
}

# rc_of CMD...: prints CMD's exit status; its output goes to $T/out.
rc_of() {
	rc=0
	"$@" >"$T/out" 2>&1 || rc=$?
	echo "$rc"
}

# in_tty INPUT CMD: runs the shell command line CMD on a fresh pty (the
# clients' -t wants a terminal of their own), typing INPUT into it; prints
# what the terminal showed, CR stripped, and returns CMD's status.
# CMD is exec'd as the pty's session leader: a session leader keeps its
# process group, so a leading timeout(1) cannot move the client out of the
# terminal's foreground group (where setting raw mode stops it with SIGTTOU).
# SHELL is fixed because script(1) runs CMD with $SHELL -c.
in_tty() {
	rc=0
	printf '%s' "$1" | SHELL=/bin/sh script -qec "exec $2" /dev/null >"$T/tty.out" 2>&1 || rc=$?
	tr -d '\r' <"$T/tty.out"
	return $rc
}

# until_true SECONDS CMD...: retries CMD every 0.1 s for up to SECONDS.
until_true() {
	n=$(($1 * 10))
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

# gone PID: the process has exited (a zombie counts: PID 1 may not reap it).
gone() {
	! kill -0 "$1" 2>/dev/null || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# A script for containers: the memory limit and the CPU quota and period
# the container sees in its own cgroup, v2 files first, then v1 ones (at
# the cgroup mount's top, as runc bind-mounts them, or under the path
# /proc/self/cgroup names when the whole hierarchy is mounted).
CG_READ='v1() { p=$(grep -E "^[0-9]+:([^:]*,)?$1(,[^:]*)?:" /proc/self/cgroup | cut -d: -f3)
for d in "/sys/fs/cgroup/$1$p" "/sys/fs/cgroup/$1"; do [ -e "$d/$2" ] && { cat "$d/$2"; return; }; done; }
if [ -e /sys/fs/cgroup/memory.max ]; then echo "mem $(cat /sys/fs/cgroup/memory.max)"; echo "cpu $(cat /sys/fs/cgroup/cpu.max)"
else echo "mem $(v1 memory memory.limit_in_bytes)"; echo "cpu $(v1 cpu cpu.cfs_quota_us) $(v1 cpu cpu.cfs_period_us)"; fi'

# ---- the image -------------------------------------------------------------

# build_image DIR: a busybox OCI image built from Debian's busybox-static
# with umoci, as DIR/oci (an OCI layout), DIR/busybox.tar (a docker-archive
# every client loads) and DIR/rootfs (its unpacked root, for bundles).
build_image() {
	dir=$1
	rootfs=$dir/rootfs
	mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/root" "$rootfs/tmp" "$rootfs/proc" \
		"$rootfs/sys" "$rootfs/dev"
	cp /bin/busybox "$rootfs/bin/busybox"
	for applet in $("$rootfs/bin/busybox" --list); do
		[ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
	echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>"$rootfs/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
	tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -cf "$dir/layer.tar" . || return 1
	umoci init --layout "$dir/oci" || return 1
	umoci new --image "$dir/oci:latest" || return 1
	umoci raw add-layer --image "$dir/oci:latest" "$dir/layer.tar" || return 1
	umoci config --image "$dir/oci:latest" --config.cmd /bin/sh --config.workingdir / \
		--config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin || return 1
	rm -f "$dir/layer.tar"
	# skopeo runs as nobody: as root it would keep a blob cache in
	# /var/lib/containers, which the suite must not leave behind.
	chmod 711 "$T" "$dir"
	chmod -R a+rX "$dir/oci"
	mkdir "$dir/skopeo"
	chown 65534:65534 "$dir/skopeo"
	setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME="$dir/skopeo" PATH="$PATH" \
		skopeo copy -q "oci:$dir/oci:latest" "docker-archive:$dir/skopeo/busybox.tar:$IMAGE" ||
		return 1
	mv "$dir/skopeo/busybox.tar" "$dir/busybox.tar"
	rm -rf "$dir/skopeo"
}

# ---- what the suite leaves behind ------------------------------------------

# Prints "PID COMM" for every live process of this suite: one running our
# husk binary, naming the work dir $T on its command line (daemons, shims,
# conmon), or carrying the container marker.  Zombies are skipped: PID 1
# here does not reap the shims it inherits.
suite_processes() {
	pat=$(mktemp /tmp/husk-clients-pat.XXXXXX) # outside $T: grep must not find itself
	printf '%s\n' "$T" >"$pat"
	{
		find /proc -mindepth 2 -maxdepth 2 -name exe -lname "$HUSK" 2>/dev/null || :
		# processes come and go meanwhile: read errors are expected
		grep -lszF -f "$pat" /proc/[0-9]*/cmdline 2>/dev/null || :
		grep -lszxF "$MARK" /proc/[0-9]*/environ 2>/dev/null || :
	} | sed -n 's|^/proc/\([0-9]*\)/.*|\1|p' | sort -un | while read -r pid; do
		[ "$pid" != $$ ] || continue
		stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
		state=${stat##*) }
		[ "${state%% *}" != Z ] || continue
		echo "$pid $(cat "/proc/$pid/comm" 2>/dev/null)"
	done
	rm -f "$pat"
}

suite_mounts() {
	awk -v t="$T" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo
}

# Cgroups under the client's parent ($CGROUP_PARENT, e.g. docker) in every
# hierarchy, v1 and v2, one per line.  The leftover check skips those
# matching $CGROUP_KEEP (a regex): the client's own, not a container's.
client_cgroups() {
	for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
		[ -d "$h/$CGROUP_PARENT" ] && find "$h/$CGROUP_PARENT" -mindepth 1 -type d
	done 2>/dev/null | sort -u
}

# The leftover check: after the client removed every container and its
# daemon stopped, nothing of the suite remains: no process, no husk state
# (client_state_left), no mount under $T, no container cgroup.
step_leftovers() {
	left=$(suite_processes)
	[ -z "$left" ] || fail "processes left: $(echo "$left" | tr '\n' ' ')"
	left=$(client_state_left || :)$(outside_left)
	[ -z "$left" ] || fail "husk state left: $left"
	left=$(suite_mounts)
	[ -z "$left" ] || fail "mounts left: $(echo "$left" | tr '\n' ' ')"
	client_cgroups >"$T/cgroups.after"
	left=$(comm -13 "$T/cgroups.before" "$T/cgroups.after" | grep -Ev "${CGROUP_KEEP:-^$}" || :)
	[ -z "$left" ] || fail "cgroups left: $(echo "$left" | tr '\n' ' ')"
}

# Paths a client makes outside $T even with its state in $T: containerd
# 1.6 keeps shim sockets in /run/containerd/s whatever its config says,
# dockerd its plugin sockets in /run/docker/plugins, podman's image copy a
# cache in /var/lib/containers/cache, husk its seccomp cache in the state
# root podman uses, /run/husk/.cache.  outside_note (in setup, before the
# client runs) records which exist and the entries of /run/containerd/s;
# outside_left prints the new entries there (a shim that did not clean
# up); force_clean removes the paths the suite made.
outside_note() {
	for d; do
		[ -e "$d" ] && echo "$d" >>"$T/outside.existed"
		echo "$d" >>"$T/outside.all"
	done
	touch "$T/outside.existed"
	ls -A /run/containerd/s 2>/dev/null | sort >"$T/shim-sockets.before"
}

outside_left() {
	[ -e "$T/shim-sockets.before" ] || return 0
	ls -A /run/containerd/s 2>/dev/null | sort | comm -13 "$T/shim-sockets.before" - |
		sed 's|^|/run/containerd/s/|'
}

outside_clean() {
	[ -e "$T/outside.all" ] || return 0
	sort -r "$T/outside.all" | while read -r d; do
		grep -qxF "$d" "$T/outside.existed" && continue
		case $d in */.cache) rm -rf "$d" ;; esac # a cache, nobody's state
		if [ -d "$d" ]; then rmdir "$d" 2>/dev/null; else rm -f "$d"; fi
	done
}

# After the checks, whatever failed: ends what the suite started and
# removes what it made, so one failed run cannot spoil the next.
force_clean() {
	for pid in $(suite_processes | cut -d' ' -f1); do kill -KILL "$pid" 2>/dev/null; done
	sleep 0.2
	suite_mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	client_cgroups >"$T/cgroups.end"
	comm -13 "$T/cgroups.before" "$T/cgroups.end" | sort -r | while read -r d; do
		rmdir "$d" 2>/dev/null
	done
	# the parent cgroup the client made, when it did and it is now empty
	for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
		[ -d "$h/$CGROUP_PARENT" ] || continue
		grep -qxF "$h/$CGROUP_PARENT" "$T/parents.before" || rmdir "$h/$CGROUP_PARENT" 2>/dev/null
	done
	outside_clean
	rm -rf "$T"
}

# ---- the driver ------------------------------------------------------------

# run_step NAME SECONDS: runs step NAME in its own process with a timeout;
# its output goes to $T/step.log.
run_step() {
	timeout -k 5 "$2" sh "$SELF" --step "$1" >"$T/step.log" 2>&1
	rc=$?
	[ $rc -ne 124 ] && [ $rc -ne 137 ] ||
		echo "    FAIL: timed out (the step or one of its commands)" >>"$T/step.log"
	return $rc
}

report() { # NAME OK?
	if [ "$2" = ok ]; then
		_pass=$((_pass + 1))
		echo "  ok   $1"
	else
		_fail=$((_fail + 1))
		echo "  FAIL $1"
		sed 's/^/       /' "$T/step.log"
	fi
}

client_main() {
	if [ "${1:-}" = --step ]; then
		MARK="HUSK_CLIENT_MARK=$T"
		client_env
		set -e
		case $2 in
		setup | teardown) "client_$2" ;;
		leftovers) step_leftovers ;;
		*) "check_$2" ;;
		esac
		exit 0
	fi
	# CLIENT_CHECKS="a b" runs only those checks (setup and the rest still run)
	CHECKS=${CLIENT_CHECKS:-$CHECKS}
	_pass=0
	_fail=0
	start=$(now_ms)
	T=$(mktemp -d /tmp/husk-clients.XXXXXX)
	export T
	# every container of the suite carries it, so the leftover check finds
	# their processes
	MARK="HUSK_CLIENT_MARK=$T"
	client_env
	trap 'force_clean; exit 1' INT TERM
	echo "== clients/$CLIENT (husk: $HUSK)"
	for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
		[ -d "$h/$CGROUP_PARENT" ] && echo "$h/$CGROUP_PARENT"
	done >"$T/parents.before" 2>/dev/null
	client_cgroups >"$T/cgroups.before"
	if build_image "$T/image" >"$T/step.log" 2>&1 && run_step setup 120; then
		report setup ok
		for c in $CHECKS; do
			if run_step "$c" "$CHECK_TIMEOUT"; then report "$c" ok; else report "$c" fail; fi
		done
	else
		report setup fail
		for c in $CHECKS; do
			echo "    FAIL: not run: the setup failed" >"$T/step.log"
			report "$c" fail
		done
	fi
	if run_step teardown 120; then report teardown ok; else report teardown fail; fi
	if run_step leftovers 30; then report leftovers ok; else report leftovers fail; fi
	force_clean
	echo "   clients/$CLIENT: $_pass passed, $_fail failed in $((($(now_ms) - start) / 1000)) s"
	[ -n "${HUSK_RESULTS:-}" ] && echo "$_pass $_fail" >"$HUSK_RESULTS"
	[ "$_fail" -eq 0 ]
}
