#!/bin/sh
# podman on husk: `podman --runtime husk`, with husk registered by
# contrib/clients/containers.conf, runs every container through conmon,
# which calls husk (create, start, exec) as podman itself does (kill,
# pause, update, delete).  No daemon: podman's storage and run dirs live in
# a temp dir, cgroups are cgroupfs ones, containers use --network none, and
# the default ulimits are lowered to what this VM allows.  husk keeps its
# state in its default root, /run/husk: podman passes runtime flags to the
# cleanup process it leaves to conmon, so a --root there would be lost.
. "$(dirname "$0")/lib.sh"
CLIENT=podman

client_env() {
	PM=$T/podman
	CGROUP_PARENT=libpod_parent # podman's cgroupfs parent: /libpod_parent/libpod-ID
	CGROUP_KEEP=/libpod_parent/conmon$ # where conmon puts itself, and stays
	CONTAINERS_CONF=$PM/containers.conf
	CONTAINERS_STORAGE_CONF=$PM/storage.conf
	CONTAINERS_REGISTRIES_CONF=$PM/registries.conf
	export CONTAINERS_CONF CONTAINERS_STORAGE_CONF CONTAINERS_REGISTRIES_CONF
	P_LINE="timeout -k 5 60 podman --runtime husk"
	RUN_FLAGS="--network none -e $MARK"
}

p() {
	$P_LINE "$@"
}

# every container's id goes to a file, for the leftover check
cidfile() {
	echo "$PM/cids/$(date +%s%N)"
}

prun() {
	$P_LINE run --cidfile "$(cidfile)" $RUN_FLAGS "$@"
}

status_of() { # NAME
	p inspect -f '{{.State.Status}}' "$1"
}

status_is() { # NAME STATUS
	[ "$(status_of "$1")" = "$2" ]
}

wait_status() { # NAME STATUS
	until_true 10 status_is "$1" "$2" || fail "$1: status '$(status_of "$1")', want $2"
}

husk_status() { # NAME
	"$HUSK" state "$(p inspect -f '{{.Id}}' "$1")" | jq -r .status
}

client_setup() {
	mkdir -p "$PM/cids" "$PM/tmp"
	outside_note /run/husk /run/husk/.cache /var/lib/containers /var/lib/containers/cache \
		/var/lib/containers/cache/blob-info-cache-v1.boltdb
	# the contrib snippet, with this tree's husk and this suite's settings
	sed -e "s|/usr/local/bin/husk|$HUSK|" -e "/^\[engine\]$/a\\
cgroup_manager = \"cgroupfs\"\\
events_logger = \"none\"\\
tmp_dir = \"$PM/tmp\"" "$TOP/contrib/clients/containers.conf" >"$CONTAINERS_CONF"
	cat >>"$CONTAINERS_CONF" <<-EOF
	[containers]
	default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
	[network]
	network_config_dir = "$PM/net"
	EOF
	cat >"$CONTAINERS_STORAGE_CONF" <<-EOF
	[storage]
	driver = "overlay"
	graphroot = "$PM/storage"
	runroot = "$PM/run"
	EOF
	echo 'unqualified-search-registries = []' >"$CONTAINERS_REGISTRIES_CONF"
	p load -q -i "$T/image/busybox.tar" >/dev/null
}

client_teardown() {
	[ -e "$CONTAINERS_CONF" ] || return 0
	p rm --all --force --time 0 >/dev/null
	p rmi --all --force >/dev/null
}

client_state_left() {
	cat "$PM"/cids/* 2>/dev/null | while read -r id; do
		[ ! -e "/run/husk/$id" ] || echo "/run/husk/$id"
	done
}

check_run_echo() {
	eq hello "$(prun --rm "$IMAGE" echo hello)" "output"
}

check_exit_code() {
	eq 3 "$(rc_of prun --rm "$IMAGE" sh -c 'exit 3')" "exit status"
}

check_env_cwd_user() {
	out=$(prun --rm -e FOO=bar -w /tmp -u 65534:65534 "$IMAGE" \
		sh -c 'echo "$FOO $(pwd) $(id -u):$(id -g)"')
	eq "bar /tmp 65534:65534" "$out" "env, cwd and user"
}

check_read_only_root() {
	out=$(prun --rm --read-only "$IMAGE" sh -c 'touch /x 2>&1; echo "rc=$?"')
	has 'Read-only file system' "$out" "writing to /"
	has 'rc=1' "$out" "touch's status"
}

check_hostname() {
	eq hc-podman "$(prun --rm --hostname hc-podman "$IMAGE" hostname)" "hostname"
}

check_memory_limit() {
	has '^mem 67108864$' "$(prun --rm -m 64m "$IMAGE" sh -c "$CG_READ")" "memory limit seen inside"
}

check_cpu_limit() {
	has '^cpu 50000 100000$' "$(prun --rm --cpus 0.5 "$IMAGE" sh -c "$CG_READ")" \
		"CPU quota and period seen inside"
}

check_tty_interactive() {
	rc=0
	out=$(in_tty 'echo marker-$((6*7)); tty
exit 5
' "$P_LINE run --rm -it --cidfile $(cidfile) $RUN_FLAGS $IMAGE sh") || rc=$?
	has 'marker-42' "$out" "the shell's answer"
	has '/dev/pts/[0-9]+$' "$out" "the shell's terminal"
	eq 5 "$rc" "exit status"
}

check_tty_without_stdin() {
	has '^/dev/pts/[0-9]+' "$(prun --rm -t "$IMAGE" tty </dev/null)" "-t without -i"
}

check_detached() {
	prun -d --name hc-d1 "$IMAGE" sleep 1000 >/dev/null
	wait_status hc-d1 running
	eq running "$(husk_status hc-d1)" "husk state"
}

check_exec() {
	rc=0
	out=$(p exec hc-d1 sh -c 'echo in-exec; exit 4') || rc=$?
	eq in-exec "$out" "exec output"
	eq 4 "$rc" "exec status"
}

check_exec_tty() {
	has '^/dev/pts/[0-9]+' "$(p exec -t hc-d1 tty </dev/null)" "exec -t"
	rc=0
	out=$(in_tty 'echo exec-$((6*7))
exit 6
' "$P_LINE exec -it hc-d1 sh") || rc=$?
	has 'exec-42' "$out" "exec -it: the shell's answer"
	eq 6 "$rc" "exec -it: exit status"
}

check_ps() {
	p exec -d hc-d1 sleep 500 >/dev/null
	out=$(p top hc-d1)
	eq 2 "$(echo "$out" | awk 'NR > 1' | wc -l)" "processes in podman top ($out)"
	has 'sleep 500' "$out" "the exec'd process"
}

check_pause_resume() {
	p pause hc-d1 >/dev/null
	wait_status hc-d1 paused
	eq paused "$(husk_status hc-d1)" "husk state when paused"
	p unpause hc-d1 >/dev/null
	wait_status hc-d1 running
	eq resumed "$(p exec hc-d1 echo resumed)" "exec after unpause"
}

check_update_memory() {
	p update --memory 128m --memory-swap 256m hc-d1 >/dev/null
	has '^mem 134217728$' "$(p exec hc-d1 sh -c "$CG_READ")" "memory limit after update"
	# an update of the CPU alone leaves the memory limit as it is
	p update --cpus 0.25 hc-d1 >/dev/null
	out=$(p exec hc-d1 sh -c "$CG_READ")
	has '^mem 134217728$' "$out" "memory limit after a CPU update"
	has '^cpu 25000 100000$' "$out" "CPU quota after a CPU update"
}

check_stop() {
	t0=$(now_ms)
	p stop -t 1 hc-d1 >/dev/null 2>"$T/stop.err"
	took=$(($(now_ms) - t0))
	[ "$took" -ge 1000 ] || fail "stopped in $took ms, before the 1 s grace period"
	eq 137 "$(p inspect -f '{{.State.ExitCode}}' hc-d1)" "exit status"
}

check_start_again() {
	p start hc-d1 >/dev/null
	wait_status hc-d1 running
	eq again "$(p exec hc-d1 echo again)" "exec after start"
}

check_kill() {
	p kill hc-d1 >/dev/null
	wait_status hc-d1 exited
	eq 137 "$(p inspect -f '{{.State.ExitCode}}' hc-d1)" "exit status"
}

check_rm() {
	p rm hc-d1 >/dev/null
	eq "" "$(p ps -aq --filter name=hc-d1)" "container after rm"
	eq "" "$(client_state_left)" "husk state after rm"
}

check_error_message() {
	rc=$(rc_of prun --rm "$IMAGE" /nonexistent)
	eq 127 "$rc" "status of a missing program"
	has 'exec:? "/nonexistent"' "$(cat "$T/out")" "the runtime's message through podman"
}

CHECKS="run_echo exit_code env_cwd_user read_only_root hostname memory_limit cpu_limit
tty_interactive tty_without_stdin detached exec exec_tty ps pause_resume update_memory stop
start_again kill rm error_message"
client_main "$@"
