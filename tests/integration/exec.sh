#!/bin/sh
# exec: extra processes in a running container, foreground and detached,
# from the command line and from --process, with and without a terminal.
. "$(dirname "$0")/lib.sh"

start_sleeper() {
	make_bundle
	cfg '.hostname = "exec-box"'
	args sleep 1000
	h create c1
	h start c1
}

test_exec_joins_the_container() {
	start_sleeper
	out=$(h exec c1 sh -c 'echo "$(hostname) $(cat /proc/1/comm) $$"')
	set -- $out
	eq exec-box "$1" "hostname seen by exec"
	eq sleep "$2" "pid 1 seen by exec"
	[ "$3" -gt 1 ] || fail "exec's pid inside is $3"
	eq "$(h exec c1 stat -L -c %i /proc/self/ns/net)" \
		"$(stat -L -c %i /proc/"$(h state c1 | jq -r .pid)"/ns/net)" "network namespace"
	h delete --force c1
	assert_clean
}

test_exec_exit_status_and_stdio() {
	start_sleeper
	rc=0
	h exec c1 sh -c 'exit 7' || rc=$?
	eq 7 "$rc" "exit status"
	eq in:x "$(echo x | h exec c1 sh -c 'read l; echo in:$l')" "stdin/stdout"
	eq err "$(h exec c1 sh -c 'echo err >&2' 2>&1 >/dev/null)" "stderr"
	h delete --force c1
	assert_clean
}

test_exec_resets_inherited_signal_dispositions() {
	start_sleeper
	# grep itself, not through sh: busybox sh ignores SIGQUIT for its children
	out=$(trap '' INT QUIT PIPE HUP; h exec c1 grep -E '^Sig(Ign|Blk):' /proc/self/status)
	eq "SigBlk:	0000000000000000
SigIgn:	0000000000000000" "$out" "blocked and ignored signals in the exec'd process"
	h delete --force c1
	assert_clean
}

test_exec_env_cwd_user_caps() {
	make_bundle
	# --cap grants only what the container's bounding set allows
	cfg '.hostname = "exec-box" | .process.capabilities.bounding += ["CAP_NET_RAW"]'
	args sleep 1000
	h create c1
	h start c1
	out=$(h exec -e A=1 --env B=2 --cwd /tmp -u 1000:1000 c1 sh -c 'echo "$A$B $(pwd) $(id -u):$(id -g)"')
	eq "12 /tmp 1000:1000" "$out" "env, cwd, user"
	eff=$(h exec --cap CAP_NET_RAW c1 awk '/^CapEff:/ {print $2}' /proc/self/status)
	eq 0000000020002420 "$eff" "effective set with --cap CAP_NET_RAW"
	eq 1 "$(h exec --no-new-privs c1 awk '/^NoNewPrivs:/ {print $2}' /proc/self/status)" "nnp"
	h delete --force c1
	assert_clean
}

test_exec_process_file() {
	start_sleeper
	cat >"$WORK/p.json" <<-'EOF'
	{"args": ["sh", "-c", "echo $P; pwd; exit 3"], "env": ["P=from-file"], "cwd": "/etc",
	 "user": {"uid": 0, "gid": 0}}
	EOF
	rc=0
	out=$(h exec --process "$WORK/p.json" c1) || rc=$?
	eq "from-file
/etc" "$out" "output"
	eq 3 "$rc" "exit status"
	echo '{"args": "sh"}' >"$WORK/bad.json"
	expect_fail 1 'bad.json: args: expected array of strings, got string|args' \
		h exec --process "$WORK/bad.json" c1
	h delete --force c1
	assert_clean
}

test_exec_detach_and_pid_file() {
	start_sleeper
	h exec -d --pid-file "$WORK/epid" c1 sleep 500
	pid=$(cat "$WORK/epid")
	eq sleep "$(cat /proc/"$pid"/comm)" "detached process runs"
	h delete --force c1
	sleep 0.2
	[ ! -e /proc/"$pid" ] || [ "$(awk '{print $3}' /proc/"$pid"/stat)" = Z ] ||
		fail "detached exec survived delete --force"
	assert_clean
}

test_exec_errors() {
	start_sleeper
	expect_fail 1 'exec "c1": exec "nosuch": executable file not found in \$PATH' h exec c1 nosuch
	expect_fail 1 'chdir "/nope"' h exec --cwd /nope c1 true
	expect_fail 1 'container "c2" does not exist' h exec c2 true
	expect_fail 2 'missing argument' h exec c1
	h kill c1 KILL
	wait_status c1 stopped
	expect_fail 1 'container not running' h exec c1 true
	h delete c1
	assert_clean
}

test_exec_tty_via_console_socket() {
	start_sleeper
	"$TOP/build/helpers/console-receiver" "$WORK/console.sock" --once --out "$WORK/tty.out" \
		2>"$WORK/tty.name" &
	rpid=$!
	wait_socket "$WORK/console.sock"
	h exec -t --console-socket "$WORK/console.sock" c1 sh -c 'tty; echo via-pty'
	wait $rpid
	grep -q '^/dev/pts/' "$WORK/tty.out" || fail "tty inside: $(cat "$WORK/tty.out")"
	grep -q via-pty "$WORK/tty.out" || fail "output: $(cat "$WORK/tty.out")"
	h delete --force c1
	assert_clean
}

test_create_with_terminal_via_console_socket() {
	make_bundle
	cfg '.process.terminal = true'
	args sh -c 'tty; echo hello-tty; echo via-console >/dev/console'
	"$TOP/build/helpers/console-receiver" "$WORK/console.sock" --once --out "$WORK/tty.out" \
		2>/dev/null &
	rpid=$!
	wait_socket "$WORK/console.sock"
	h create --console-socket "$WORK/console.sock" c1
	h start c1
	wait $rpid
	grep -q hello-tty "$WORK/tty.out" || fail "output: $(cat "$WORK/tty.out")"
	grep -q via-console "$WORK/tty.out" || fail "/dev/console is not the pty: $(cat "$WORK/tty.out")"
	expect_fail 1 'no --console-socket' h create c2
	wait_status c1 stopped
	h delete c1
	assert_clean
}

run_tests
