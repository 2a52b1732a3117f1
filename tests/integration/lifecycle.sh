#!/bin/sh
# Container lifecycle: create, start, state, kill, delete, run, with status
# at each step, exit codes, stdio, pid files and the error cases, each
# checked to leave nothing behind.
. "$(dirname "$0")/lib.sh"

test_create_start_kill_delete_cycle() {
	make_bundle
	args sleep 100
	h create --pid-file "$WORK/pid" c1
	eq created "$(status_of c1)" "status after create"
	pid=$(h state c1 | jq -r .pid)
	eq "$pid" "$(cat "$WORK/pid")" "pid file"
	# the user's program has not run: the init still waits on exec.fifo
	check "init is not sleep yet" [ "$(cat /proc/"$pid"/comm)" != sleep ]
	h start c1
	eq running "$(status_of c1)" "status after start"
	eq sleep "$(cat /proc/"$pid"/comm)" "the init became the program"
	h kill c1 KILL
	wait_status c1 stopped
	eq stopped "$(status_of c1)" "status after kill"
	h delete c1
	expect_fail 1 'does not exist' h state c1
	assert_clean
}

test_state_json_shape() {
	make_bundle
	args sleep 100
	cfg '.annotations = {"org.example.k": "v"}'
	h create c1
	h state c1 >"$WORK/state.json"
	for key in ociVersion id pid status bundle rootfs created owner; do
		jq -e "has(\"$key\")" "$WORK/state.json" >/dev/null || fail "state lacks $key"
	done
	eq "$BUNDLE" "$(jq -r .bundle "$WORK/state.json")" "bundle"
	eq v "$(jq -r '.annotations["org.example.k"]' "$WORK/state.json")" "annotation"
	eq c1 "$(h list -q)" "list -q"
	h list --format json | jq -e '.[0].status == "created"' >/dev/null
	h delete c1
	assert_clean
}

test_run_exit_codes() {
	make_bundle
	args true
	h run c0 || fail "true exited $?"
	args sh -c 'exit 3'
	rc=0
	h run c3 || rc=$?
	eq 3 "$rc" "exit 3"
	# pid 1 cannot SIGKILL itself from inside its namespace: kill it from here
	args sleep 100
	"$HUSK" --root "$ROOT" run c9 &
	runpid=$!
	wait_status c9 running
	h kill c9 KILL
	rc=0
	wait $runpid || rc=$?
	eq 137 "$rc" "killed by SIGKILL"
	assert_clean
}

test_run_stdio_passthrough() {
	make_bundle
	args sh -c 'read line; echo "out:$line"; echo "err:$line" >&2'
	echo hello | h run c1 >"$WORK/out" 2>"$WORK/err"
	eq out:hello "$(cat "$WORK/out")" "stdout"
	eq err:hello "$(cat "$WORK/err")" "stderr"
	assert_clean
}

test_run_forwards_signals() {
	make_bundle
	args sh -c 'trap "echo got-term; exit 42" TERM; while :; do sleep 0.1; done'
	"$HUSK" --root "$ROOT" run c1 >"$WORK/out" &
	runpid=$!
	wait_status c1 running
	sleep 0.3
	kill -TERM $runpid
	rc=0
	wait $runpid || rc=$?
	eq 42 "$rc" "exit status after the forwarded SIGTERM"
	eq got-term "$(cat "$WORK/out")" "the container saw SIGTERM"
	assert_clean
}

test_run_keep_and_detach() {
	make_bundle
	args true
	h run --keep c1
	eq stopped "$(status_of c1)" "kept after exit"
	h delete c1
	args sleep 100
	h run -d c2
	eq running "$(status_of c2)" "detached run"
	h delete --force c2
	assert_clean
}

test_errors_unknown_and_duplicate_id() {
	make_bundle
	args sleep 100
	expect_fail 1 'container "nope" does not exist' h start nope
	expect_fail 1 'container "nope" does not exist' h kill nope
	expect_fail 1 'container "nope" does not exist' h delete nope
	h create c1
	expect_fail 1 'container "c1" already exists' h create c1
	eq created "$(status_of c1)" "the first c1 is untouched"
	h delete c1
	assert_clean
}

test_errors_start_twice_and_delete_running() {
	make_bundle
	args sleep 100
	h create c1
	h start c1
	expect_fail 1 'cannot start a container that has already started' h start c1
	expect_fail 1 'cannot delete container "c1" that is not stopped: running' h delete c1
	eq running "$(status_of c1)" "still running after the refused delete"
	h delete --force c1
	expect_fail 1 'container not running|does not exist' h kill c1
	assert_clean
}

test_errors_bad_executable() {
	make_bundle
	args nosuch-program
	expect_fail 1 'create "c1": exec "nosuch-program": executable file not found in \$PATH' \
		h create c1
	args /bin/nosuch
	expect_fail 1 'exec "/bin/nosuch": no such file or directory' h run c2
	assert_clean
}

test_errors_bad_cwd() {
	make_bundle
	args true
	cfg '.process.cwd = "/does/not/exist"'
	expect_fail 1 'chdir "/does/not/exist": No such file or directory' h create c1
	assert_clean
}

test_errors_bundle_without_rootfs() {
	make_bundle
	rm -rf "$BUNDLE/rootfs"
	expect_fail 1 'rootfs "'"$BUNDLE"'/rootfs": No such file or directory' h create c1
	expect_fail 1 'bundle "/nonexistent": No such file or directory' h create -b /nonexistent c2
	assert_clean
}

test_errors_invalid_config_leaves_nothing() {
	make_bundle
	cfg '.linux.namespaces += [{"type": "pid"}]'
	expect_fail 1 'config.json: linux.namespaces\[[0-9]+\].type: duplicate namespace "pid"' \
		h create c1
	assert_clean
}

test_kill_signal_forms() {
	make_bundle
	args sh -c 'trap "exit 10" USR1; trap "exit 11" HUP; while :; do sleep 0.1; done'
	for sig in USR1 SIGUSR1 10; do
		h create c1
		h start c1
		sleep 0.3
		h kill c1 "$sig"
		i=0
		while [ "$(status_of c1)" != stopped ] && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		eq stopped "$(status_of c1)" "stopped by $sig"
		h delete c1
	done
	h create c2
	expect_fail 2 'invalid signal "SIGFOO"' h kill c2 SIGFOO
	h delete c2
	assert_clean
}

test_kill_all_without_pid_namespace() {
	make_bundle
	cfg 'del(.linux.namespaces[] | select(.type == "pid"))'
	args sh -c 'sleep 100 & sleep 100 & wait'
	h create c1
	h start c1
	sleep 0.3
	h kill c1 KILL
	wait_status c1 stopped
	sleep 0.2
	h delete c1
	assert_clean
}

test_no_pivot() {
	make_bundle
	args sh -c 'cat /proc/1/comm; ls /'
	out=$(h run --no-pivot c1)
	case "$out" in *bin*) ;; *) fail "no rootfs listing: $out" ;; esac
	assert_clean
}

test_kill_all_with_pid_namespace() {
	make_bundle
	args sh -c 'trap "" TERM; sleep 100 & sleep 100 & wait'
	h create c1
	h start c1
	sleep 0.3
	pid=$(h state c1 | jq -r .pid)
	n=$(grep -l "^PPid:[[:space:]]*$pid\$" /proc/[0-9]*/status 2>/dev/null | wc -l)
	[ "$n" -ge 2 ] || fail "want 2 children of the init, got $n"
	h kill --all c1 KILL
	wait_status c1 stopped
	h delete c1
	assert_clean
}

test_socket_activation_fds() {
	make_bundle
	args sh -c 'echo "$LISTEN_FDS $LISTEN_PID"; cat <&3'
	echo activated >"$WORK/f"
	out=$(LISTEN_FDS=1 "$HUSK" --root "$ROOT" run c1 3<"$WORK/f")
	eq "1 1
activated" "$out" "LISTEN_FDS, LISTEN_PID and fd 3"
	assert_clean
}

test_json_log_for_containerd() {
	make_bundle
	args nosuch
	expect_fail 1 'executable file not found' h --log "$WORK/log.json" --log-format json create c1
	jq -e 'select(.level == "error") | .msg | test("create \"c1\": exec \"nosuch\": executable file not found")' \
		"$WORK/log.json" >/dev/null || fail "log: $(cat "$WORK/log.json")"
	assert_clean
}

run_tests
