#!/bin/sh
# The command lines the clients send, word for word, run against husk
# without the clients: containerd's runc shim (behind Docker too) puts
# `--root R --log BUNDLE/log.json --log-format json` before each command;
# podman's conmon uses the `=` forms and reads the pid file and the log.
# The client suites show the same calls work end to end; this one pins
# each form and the words the shim relies on, in a second.
. "$(dirname "$0")/../integration/lib.sh"

# shim ARGS...: husk as containerd's shim calls it
shim() {
	"$HUSK" --root "$ROOT" --log "$WORK/log.json" --log-format json "$@"
}

# conmon ARGS...: husk as podman calls it (for a runtime it knows takes JSON)
conmon() {
	"$HUSK" --root="$ROOT" --log-format=json --log "$WORK/oci-log" "$@"
}

start_by_shim() {
	make_bundle
	args sleep 100
	shim create --bundle "$BUNDLE" --pid-file "$WORK/init.pid" c1
	shim start c1
	wait_status c1 running
}

test_shim_lifecycle_and_words() {
	start_by_shim
	pid=$(cat "$WORK/init.pid")
	jq -e --argjson p "$pid" '. == [$p]' >/dev/null <<-EOF || fail "ps: $(shim ps --format json c1)"
	$(shim ps --format json c1)
	EOF
	shim pause c1
	wait_status c1 paused
	shim resume c1
	wait_status c1 running
	shim kill c1 15 # the init is pid 1 of its namespace: SIGTERM is ignored
	sleep 0.2
	eq running "$(status_of c1)" "after kill ID 15"
	shim kill --all c1 9
	wait_status c1 stopped
	eq "[]" "$(shim ps --format json c1)" "ps of a stopped container: an empty array"
	expect_fail 1 'container not running' shim kill c1 9
	shim delete c1
	# the shim deletes again, forced, after a delete that worked
	shim delete --force c1
	expect_fail 1 'container "c1" does not exist' shim kill c1 9
	# the shim shows its user the last error line of log.json
	tail -n 1 "$WORK/log.json" | jq -e '.level == "error" and
		(.msg | test("kill \"c1\": container \"c1\" does not exist"))' >/dev/null ||
		fail "log: $(cat "$WORK/log.json")"
	assert_clean
}

# create's stdio is the container's when a shim or conmon calls it: with a
# log, warnings go there only
test_warnings_go_to_the_log() {
	make_bundle
	args true
	cfg '.linux.resources.memory = {"kernel": 67108864}' # ignored by every driver
	shim create --bundle "$BUNDLE" --pid-file "$WORK/init.pid" c1 2>"$WORK/err"
	eq "" "$(cat "$WORK/err")" "create's stderr"
	jq -e 'select(.level == "warning") | .msg | test("memory.kernel")' "$WORK/log.json" \
		>/dev/null || fail "log: $(cat "$WORK/log.json")"
	h delete --force c1 2>"$WORK/err"
	grep -q 'warning: .*memory.kernel' "$WORK/err" && fail "warned again at delete: $(cat "$WORK/err")"
	assert_clean
}

test_kill_numeric_signals() {
	start_by_shim
	shim kill c1 9
	wait_status c1 stopped
	shim delete c1
	assert_clean
}

test_exec_process_detach_pid_file_console_socket() {
	start_by_shim
	echo '{"args": ["sleep", "200"], "cwd": "/", "user": {"uid": 0, "gid": 0}}' >"$WORK/p.json"
	shim exec --process "$WORK/p.json" --detach --pid-file "$WORK/e1.pid" c1
	eq sleep "$(cat /proc/"$(cat "$WORK/e1.pid")"/comm)" "detached exec's pid file"
	# a terminal from process.terminal, its master over the socket
	echo '{"terminal": true, "args": ["sh", "-c", "tty; echo via-pty; sleep 200"], "cwd": "/",
	  "env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0}}' >"$WORK/t.json"
	"$TOP/build/helpers/console-receiver" "$WORK/console.sock" --once --out "$WORK/tty.out" \
		2>/dev/null </dev/null &
	rpid=$!
	wait_socket "$WORK/console.sock"
	shim exec --process "$WORK/t.json" --detach --pid-file "$WORK/e2.pid" \
		--console-socket "$WORK/console.sock" c1
	[ -s "$WORK/e2.pid" ] || fail "no pid file for the exec with a terminal"
	i=0
	while ! grep -q via-pty "$WORK/tty.out" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q '^/dev/pts/[0-9]' "$WORK/tty.out" || fail "tty inside: $(cat "$WORK/tty.out")"
	eq 3 "$(shim ps --format json c1 | jq length)" "processes: init and two execs"
	shim delete --force c1
	wait $rpid
	assert_clean
}

# hugetlb is the one controller cgroup v2 has on a hybrid host too; update
# changes it through linux.resources.unified (hugepageLimits stay as
# created, as with runc)
test_update_resources_stdin_and_file() {
	start_by_shim
	cg=/sys/fs/cgroup/unified
	[ -e /sys/fs/cgroup/cgroup.controllers ] && cg=/sys/fs/cgroup
	dir=$cg$(sed -n 's/^0:://p' /proc/"$(cat "$WORK/init.pid")"/cgroup)
	[ -e "$dir/hugetlb.2MB.max" ] || fail "no hugetlb.2MB.max in $dir"
	echo '{"unified": {"hugetlb.2MB.max": "4194304"}}' |
		shim update --resources - c1
	eq 4194304 "$(cat "$dir/hugetlb.2MB.max")" "limit from stdin"
	echo '{"unified": {"hugetlb.2MB.max": "8388608"}}' >"$WORK/r.json"
	conmon update --resources="$WORK/r.json" c1
	eq 8388608 "$(cat "$dir/hugetlb.2MB.max")" "limit from --resources=FILE"
	# Docker's update: every number, 0 for those it leaves as they are
	echo '{"memory": {"limit": 0, "reservation": 0, "kernel": 0},
	  "cpu": {"shares": 0, "quota": 0, "period": 0}, "pids": {"limit": 0},
	  "blockIO": {"weight": 0}, "unified": {"hugetlb.2MB.max": "2097152"}}' |
		shim update --resources - c1
	eq 2097152 "$(cat "$dir/hugetlb.2MB.max")" "limit from Docker's update"
	eq "null null null" "$(jq -c '.linux.resources | "\(.memory.limit) \(.cpu.quota) \(.pids.limit)"' \
		-r "$ROOT/c1/config.json")" "zeros kept out of the config copy"
	shim delete --force c1
	assert_clean
}

test_conmon_forms() {
	make_bundle
	args sh -c 'exit 0'
	conmon create --bundle "$BUNDLE" --pid-file "$WORK/pidfile" c1
	[ -s "$WORK/pidfile" ] || fail "no pid file"
	conmon start c1
	wait_status c1 stopped
	conmon delete --force c1
	# conmon's cleanup may come after podman's own: nothing to delete is fine
	conmon delete --force c1
	[ ! -s "$WORK/oci-log" ] || fail "log: $(cat "$WORK/oci-log")"
	args nosuch
	expect_fail 1 'executable file not found' conmon create --bundle "$BUNDLE" \
		--pid-file "$WORK/pidfile" c2
	jq -e 'select(.level == "error") | .msg | test("create \"c2\": exec \"nosuch\"")' \
		"$WORK/oci-log" >/dev/null || fail "log: $(cat "$WORK/oci-log")"
	expect_fail 1 'container "c3" does not exist' conmon delete c3
	assert_clean
}

test_version_and_features() {
	"$HUSK" --version | head -n 1 | grep -Eq '^husk version [0-9]' || fail "--version"
	"$HUSK" features | jq -e '.ociVersionMin and .ociVersionMax' >/dev/null || fail "features"
}

run_tests
