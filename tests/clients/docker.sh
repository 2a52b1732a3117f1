#!/bin/sh
# Docker on husk: dockerd (with the containerd it starts itself) registers
# husk from contrib/clients/daemon.json and runs every container with
# `docker run --runtime husk`; the runc v2 shim then calls husk as it calls
# runc.  dockerd keeps its state in a temp dir and touches no network:
# no bridge, no iptables, containers with --network none.  /usr/bin/docker
# is Debian's client (a newer one may sit earlier in PATH).
. "$(dirname "$0")/lib.sh"
CLIENT=docker

client_env() {
	DK=$T/docker
	CGROUP_PARENT=docker # Docker's cgroupfs parent: /docker/ID
	DOCKER_HOST=unix://$DK/docker.sock
	DOCKER_CONFIG=$DK/cli
	export DOCKER_HOST DOCKER_CONFIG
	D_LINE="timeout -k 5 30 /usr/bin/docker"
	RUN_FLAGS="--runtime husk --network none -e $MARK"
}

dk() {
	$D_LINE "$@"
}

drun() {
	$D_LINE run $RUN_FLAGS "$@"
}

status_of() { # NAME
	dk inspect -f '{{.State.Status}}' "$1"
}

status_is() { # NAME STATUS
	[ "$(status_of "$1")" = "$2" ]
}

wait_status() { # NAME STATUS
	until_true 10 status_is "$1" "$2" || fail "$1: status '$(status_of "$1")', want $2"
}

# husk's state root for Docker's containers: the shim's, under dockerd's
# exec root
husk_root() {
	for d in "$DK"/exec/runtime-*/moby; do [ -d "$d" ] && echo "$d"; done
}

husk_status() { # NAME
	"$HUSK" --root "$(husk_root)" state "$(dk inspect -f '{{.Id}}' "$1")" | jq -r .status
}

client_setup() {
	mkdir -p "$DK"
	outside_note /run/containerd /run/containerd/s /run/docker /run/docker/plugins
	jq --arg husk "$HUSK" --arg dk "$DK" '.runtimes.husk.path = $husk | . + {
		"data-root": "\($dk)/data", "exec-root": "\($dk)/exec", "pidfile": "\($dk)/docker.pid",
		"hosts": ["unix://\($dk)/docker.sock"], "deprecated-key-path": "\($dk)/key.json",
		"bridge": "none", "iptables": false, "ip6tables": false, "ip-masq": false,
		"userland-proxy": false}' "$TOP/contrib/clients/daemon.json" >"$DK/daemon.json"
	setsid dockerd --config-file "$DK/daemon.json" >"$DK/log" 2>&1 </dev/null &
	echo $! >"$DK/pid"
	until_true 30 dk version || fail "dockerd did not start: $(tail -n 5 "$DK/log")"
	dk load -q -i "$T/image/busybox.tar" >/dev/null
}

client_teardown() {
	[ -e "$DK/pid" ] || return 0
	ids=$(dk ps -aq)
	[ -z "$ids" ] || dk rm -f $ids >/dev/null
	dk rmi "$IMAGE" >/dev/null
	pid=$(cat "$DK/pid")
	kill -TERM "$pid"
	# dockerd stops the containerd it started
	until_true 20 gone "$pid" || fail "dockerd did not stop"
}

# container state dirs (ids never start with a dot; .cache is husk's
# seccomp cache)
client_state_left() {
	for d in $(husk_root); do ls "$d"; done
}

check_run_echo() {
	eq hello "$(drun --rm "$IMAGE" echo hello)" "output"
}

check_exit_code() {
	eq 3 "$(rc_of drun --rm "$IMAGE" sh -c 'exit 3')" "exit status"
}

check_env_cwd_user() {
	out=$(drun --rm -e FOO=bar -w /tmp -u 65534:65534 "$IMAGE" \
		sh -c 'echo "$FOO $(pwd) $(id -u):$(id -g)"')
	eq "bar /tmp 65534:65534" "$out" "env, cwd and user"
}

check_read_only_root() {
	out=$(drun --rm --read-only "$IMAGE" sh -c 'touch /x 2>&1; echo "rc=$?"')
	has 'Read-only file system' "$out" "writing to /"
	has 'rc=1' "$out" "touch's status"
}

check_hostname() {
	eq hc-docker "$(drun --rm --hostname hc-docker "$IMAGE" hostname)" "hostname"
}

check_memory_limit() {
	has '^mem 67108864$' "$(drun --rm -m 64m "$IMAGE" sh -c "$CG_READ")" "memory limit seen inside"
}

check_cpu_limit() {
	has '^cpu 50000 100000$' "$(drun --rm --cpus 0.5 "$IMAGE" sh -c "$CG_READ")" \
		"CPU quota and period seen inside"
}

check_tty_interactive() {
	rc=0
	out=$(in_tty 'echo marker-$((6*7)); tty
exit 5
' "$D_LINE run --rm -it $RUN_FLAGS $IMAGE sh") || rc=$?
	has 'marker-42' "$out" "the shell's answer"
	has '/dev/pts/[0-9]+$' "$out" "the shell's terminal"
	eq 5 "$rc" "exit status"
}

check_tty_without_stdin() {
	has '^/dev/pts/[0-9]+' "$(drun --rm -t "$IMAGE" tty </dev/null)" "-t without -i"
}

check_detached() {
	drun -d --name hc-d1 "$IMAGE" sleep 1000 >/dev/null
	wait_status hc-d1 running
	eq running "$(husk_status hc-d1)" "husk state"
}

check_exec() {
	rc=0
	out=$(dk exec hc-d1 sh -c 'echo in-exec; exit 4') || rc=$?
	eq in-exec "$out" "exec output"
	eq 4 "$rc" "exec status"
}

check_exec_tty() {
	has '^/dev/pts/[0-9]+' "$(dk exec -t hc-d1 tty </dev/null)" "exec -t"
	rc=0
	out=$(in_tty 'echo exec-$((6*7))
exit 6
' "$D_LINE exec -it hc-d1 sh") || rc=$?
	has 'exec-42' "$out" "exec -it: the shell's answer"
	eq 6 "$rc" "exec -it: exit status"
}

check_ps() {
	dk exec -d hc-d1 sleep 500
	out=$(dk top hc-d1)
	eq 2 "$(echo "$out" | awk 'NR > 1' | wc -l)" "processes in docker top ($out)"
	has 'sleep 500' "$out" "the exec'd process"
}

check_pause_resume() {
	dk pause hc-d1 >/dev/null
	wait_status hc-d1 paused
	eq paused "$(husk_status hc-d1)" "husk state when paused"
	dk unpause hc-d1 >/dev/null
	wait_status hc-d1 running
	eq resumed "$(dk exec hc-d1 echo resumed)" "exec after unpause"
}

check_update_memory() {
	dk update --memory 128m --memory-swap 256m hc-d1 >/dev/null
	has '^mem 134217728$' "$(dk exec hc-d1 sh -c "$CG_READ")" "memory limit after update"
	# an update of the CPU alone leaves the memory limit as it is
	dk update --cpus 0.25 hc-d1 >/dev/null
	out=$(dk exec hc-d1 sh -c "$CG_READ")
	has '^mem 134217728$' "$out" "memory limit after a CPU update"
	has '^cpu 25000 100000$' "$out" "CPU quota after a CPU update"
}

check_stop() {
	t0=$(now_ms)
	dk stop -t 1 hc-d1 >/dev/null
	took=$(($(now_ms) - t0))
	[ "$took" -ge 1000 ] || fail "stopped in $took ms, before the 1 s grace period"
	eq 137 "$(dk inspect -f '{{.State.ExitCode}}' hc-d1)" "exit status"
}

check_start_again() {
	dk start hc-d1 >/dev/null
	wait_status hc-d1 running
	eq again "$(dk exec hc-d1 echo again)" "exec after start"
}

check_kill() {
	dk kill hc-d1 >/dev/null
	wait_status hc-d1 exited
	eq 137 "$(dk inspect -f '{{.State.ExitCode}}' hc-d1)" "exit status"
}

check_rm() {
	dk rm hc-d1 >/dev/null
	eq "" "$(dk ps -aq --filter name=hc-d1)" "container after rm"
	eq "" "$(client_state_left)" "husk state after rm"
}

check_error_message() {
	rc=$(rc_of drun --rm "$IMAGE" /nonexistent)
	eq 127 "$rc" "status of a missing program"
	has 'exec:? "/nonexistent"' "$(cat "$T/out")" "the runtime's message through Docker"
}

CHECKS="run_echo exit_code env_cwd_user read_only_root hostname memory_limit cpu_limit
tty_interactive tty_without_stdin detached exec exec_tty ps pause_resume update_memory stop
start_again kill rm error_message"
client_main "$@"
