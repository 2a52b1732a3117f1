#!/bin/sh
# containerd on husk: ctr drives containerd's runc v2 shim with
# --runc-binary husk; the shim calls husk exactly as it calls runc
# (--root R --log BUNDLE/log.json --log-format json before each command).
# containerd runs from a temp dir with its own sockets, and without the CRI
# plugin; ctr 1.6 cannot set a hostname or a user, so those checks hand it
# a whole config (ctr run --config), and it has no `update`, so that check
# runs husk with the shim's own argument list.
. "$(dirname "$0")/lib.sh"
CLIENT=containerd

client_env() {
	CTD=$T/containerd
	RUNC_ROOT=$T/runc
	NS=clients-test
	CGROUP_PARENT=$NS # ctr's default cgroup: /NAMESPACE/ID
	# as strings, for in_tty too (paths under /tmp hold no spaces)
	CTR_LINE="timeout -k 5 30 ctr --address $CTD/containerd.sock --namespace $NS"
	RUN_FLAGS="--runc-binary $HUSK --runc-root $RUNC_ROOT --fifo-dir $T/fifo --env $MARK"
}

c() {
	$CTR_LINE "$@"
}

crun() {
	$CTR_LINE run $RUN_FLAGS "$@"
}

# ctr's default config has no cgroup mount; Docker's and the CRI plugin's do
CG_MOUNT=type=cgroup,src=cgroup,dst=/sys/fs/cgroup,options=ro:nosuid:nodev:noexec

task_status() { # ID
	c task ls | awk -v id="$1" '$1 == id { print $3 }'
}

status_is() { # ID STATUS
	[ "$(task_status "$1")" = "$2" ]
}

wait_status() { # ID STATUS
	until_true 10 status_is "$1" "$2" || fail "$1: status '$(task_status "$1")', want $2"
}

husk_status() { # ID
	"$HUSK" --root "$RUNC_ROOT/$NS" state "$1" | jq -r .status
}

# spec_run NAME JQ: runs a container from a whole config: husk's default
# one over the image's root (read-only), edited by JQ.
spec_run() {
	mkdir -p "$T/spec-$1"
	"$HUSK" spec --bundle "$T/spec-$1"
	jq --arg root "$T/image/rootfs" --arg mark "$MARK" --arg cg "/$NS/$1" \
		".process.terminal = false | .root = {path: \$root, readonly: true} |
		 .process.env += [\$mark] | .linux.cgroupsPath = \$cg | $2" \
		"$T/spec-$1/config.json" >"$T/spec-$1/spec.json"
	c run --rm --runc-binary "$HUSK" --runc-root "$RUNC_ROOT" --fifo-dir "$T/fifo" \
		--config "$T/spec-$1/spec.json" "$1"
}

client_setup() {
	mkdir -p "$CTD" "$T/fifo"
	outside_note /run/containerd /run/containerd/s
	cat >"$CTD/config.toml" <<-EOF
	version = 2
	root = "$CTD/root"
	state = "$CTD/state"
	disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
	  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
	  "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp",
	  "io.containerd.internal.v1.tracing"]
	[grpc]
	  address = "$CTD/containerd.sock"
	[ttrpc]
	  address = "$CTD/containerd.sock.ttrpc"
	[debug]
	  address = ""
	[metrics]
	  address = ""
	[plugins."io.containerd.internal.v1.opt"]
	  path = "$CTD/opt"
	EOF
	# the contrib snippet is valid, and containerd reads it as a CRI runtime
	printf 'version = 2\nimports = ["%s"]\n' "$TOP/contrib/clients/containerd.toml" \
		>"$CTD/snippet.toml"
	containerd --config "$CTD/snippet.toml" config dump >"$CTD/dump.toml"
	grep -q 'BinaryName = "/usr/local/bin/husk"' "$CTD/dump.toml" ||
		fail "contrib/clients/containerd.toml is not in containerd's merged config"
	setsid containerd --config "$CTD/config.toml" >"$CTD/log" 2>&1 </dev/null &
	echo $! >"$CTD/pid"
	until_true 20 c version || fail "containerd did not start: $(tail -n 5 "$CTD/log")"
	c image import "$T/image/busybox.tar" >/dev/null
}

client_teardown() {
	[ -e "$CTD/pid" ] || return 0
	for id in $(c task ls -q); do
		c task kill -a -s KILL "$id" || :
		c task rm -f "$id" || :
	done
	for id in $(c container ls -q); do c container rm "$id"; done
	c image rm "$IMAGE" >/dev/null
	pid=$(cat "$CTD/pid")
	kill -TERM "$pid"
	until_true 15 gone "$pid" || fail "containerd did not stop"
	# a shim whose task is gone exits on its own, and fast
	until_true 5 no_shims || :
}

no_shims() {
	! pgrep -f "containerd-shim-runc-v2 .*$CTD" >/dev/null
}

# container state dirs (ids never start with a dot; .cache is husk's
# seccomp cache)
client_state_left() {
	ls "$RUNC_ROOT/$NS" 2>/dev/null || :
}

check_run_echo() {
	eq hello "$(crun --rm "$IMAGE" hc-echo echo hello)" "output"
}

check_exit_code() {
	eq 3 "$(rc_of crun --rm "$IMAGE" hc-exit sh -c 'exit 3')" "exit status"
}

check_env_cwd_user() {
	out=$(crun --rm --env FOO=bar --cwd /tmp "$IMAGE" hc-env sh -c 'echo "$FOO $(pwd)"')
	eq "bar /tmp" "$out" "env and cwd from ctr's flags"
	out=$(spec_run hc-user '.process.user = {uid: 65534, gid: 65534} | .process.cwd = "/tmp" |
		.process.env += ["FOO=baz"] | .process.args = ["sh", "-c", "echo $FOO $(pwd) $(id -u):$(id -g)"]')
	eq "baz /tmp 65534:65534" "$out" "env, cwd and user from a config"
}

check_read_only_root() {
	out=$(crun --rm --read-only "$IMAGE" hc-ro sh -c 'touch /x 2>&1; echo "rc=$?"')
	has 'Read-only file system' "$out" "writing to /"
	has 'rc=1' "$out" "touch's status"
}

check_hostname() {
	eq hc-ctr "$(spec_run hc-host '.hostname = "hc-ctr" | .process.args = ["hostname"]')" "hostname"
}

check_memory_limit() {
	out=$(crun --rm --mount "$CG_MOUNT" --memory-limit 67108864 "$IMAGE" hc-mem sh -c "$CG_READ")
	has '^mem 67108864$' "$out" "memory limit seen inside"
}

check_cpu_limit() {
	out=$(crun --rm --mount "$CG_MOUNT" --cpus 0.5 "$IMAGE" hc-cpu sh -c "$CG_READ")
	has '^cpu 50000 100000$' "$out" "CPU quota and period seen inside"
}

check_tty_interactive() {
	rc=0
	out=$(in_tty 'echo marker-$((6*7)); tty
exit 5
' "$CTR_LINE run --rm -t $RUN_FLAGS $IMAGE hc-tty sh") || rc=$?
	has 'marker-42' "$out" "the shell's answer"
	has '/dev/pts/[0-9]+$' "$out" "the shell's terminal"
	eq 5 "$rc" "exit status"
}

check_tty_output() {
	out=$(in_tty '' "$CTR_LINE run --rm -t $RUN_FLAGS $IMAGE hc-tty2 tty")
	has '/dev/pts/[0-9]+$' "$out" "tty without input"
}

check_detached() {
	crun -d --mount "$CG_MOUNT" "$IMAGE" hc-d1 sleep 1000
	wait_status hc-d1 RUNNING
	eq running "$(husk_status hc-d1)" "husk state"
}

check_exec() {
	rc=0
	out=$(c task exec --fifo-dir "$T/fifo" --exec-id e1 hc-d1 sh -c 'echo in-exec; exit 4') || rc=$?
	eq in-exec "$out" "exec output"
	eq 4 "$rc" "exec status"
}

check_exec_tty() {
	out=$(in_tty '' "$CTR_LINE task exec -t --fifo-dir $T/fifo --exec-id e2 hc-d1 tty")
	has '/dev/pts/[0-9]+$' "$out" "exec's terminal"
}

check_ps() {
	c task exec -d --fifo-dir "$T/fifo" --exec-id e3 hc-d1 sleep 500
	init=$(c task ls | awk '$1 == "hc-d1" { print $2 }')
	pids=$(c task ps hc-d1 | awk 'NR > 1 { print $1 }' | sort -n | tr '\n' ' ')
	eq 2 "$(echo $pids | wc -w)" "processes listed ($pids)"
	has "(^| )$init( |$)" "$pids" "the init among them"
}

check_pause_resume() {
	c task pause hc-d1
	wait_status hc-d1 PAUSED
	eq paused "$(husk_status hc-d1)" "husk state when paused"
	c task resume hc-d1
	wait_status hc-d1 RUNNING
	eq resumed "$(c task exec --fifo-dir "$T/fifo" --exec-id e4 hc-d1 echo resumed)" "exec after resume"
}

check_update_memory() {
	printf '%s' '{"memory": {"limit": 134217728}, "cpu": {"shares": 512}}' |
		"$HUSK" --root "$RUNC_ROOT/$NS" --log "$T/update-log.json" --log-format json \
			update --resources - hc-d1
	out=$(c task exec --fifo-dir "$T/fifo" --exec-id e5 hc-d1 sh -c "$CG_READ")
	has '^mem 134217728$' "$out" "memory limit after update"
}

check_stop() {
	c task kill hc-d1
	sleep 1
	eq RUNNING "$(task_status hc-d1)" "after SIGTERM (pid 1 ignores it)"
	c task kill -s KILL hc-d1
	wait_status hc-d1 STOPPED
	has 'exit code 137' "$(c task rm hc-d1 2>&1)" "exit status"
}

check_start_again() {
	c task start -d --fifo-dir "$T/fifo" hc-d1
	wait_status hc-d1 RUNNING
	eq again "$(c task exec --fifo-dir "$T/fifo" --exec-id e6 hc-d1 echo again)" "exec after start"
}

check_kill() {
	c task exec -d --fifo-dir "$T/fifo" --exec-id e7 hc-d1 sleep 500
	c task kill --all -s KILL hc-d1
	wait_status hc-d1 STOPPED
	c task rm hc-d1 >/dev/null 2>&1
	eq "" "$(task_status hc-d1)" "task after kill and rm"
}

check_rm() {
	c container rm hc-d1
	eq "" "$(c container ls -q | grep -x hc-d1)" "container after rm"
	eq "" "$(client_state_left)" "husk state after rm"
}

check_error_message() {
	rc=$(rc_of crun --rm "$IMAGE" hc-err /nonexistent)
	[ "$rc" -ne 0 ] || fail "a missing program ran"
	has 'exec:? "/nonexistent"' "$(cat "$T/out")" "the runtime's message through containerd"
}

CHECKS="run_echo exit_code env_cwd_user read_only_root hostname memory_limit cpu_limit
tty_interactive tty_output detached exec exec_tty ps pause_resume update_memory stop start_again
kill rm error_message"
client_main "$@"
