#!/bin/sh
# OCI hooks: every kind at its point of the lifecycle, in order, with the
# state on stdin; timeouts; a failing create hook unwinds, a failing
# poststart/poststop hook only warns.
. "$(dirname "$0")/lib.sh"

# hook_script NAME: a hook on the host that appends "NAME <status> <pid-ok>"
# and its stdin to $WORK/hooks.log.
hook_script() {
	cat >"$WORK/$1" <<-EOF
	#!/bin/sh
	state=\$(cat)
	status=\$(printf '%s' "\$state" | jq -r .status)
	id=\$(printf '%s' "\$state" | jq -r .id)
	pid=\$(printf '%s' "\$state" | jq -r .pid)
	echo "$1 \$id \$status \$pid" >>"$WORK/hooks.log"
	EOF
	chmod 755 "$WORK/$1"
}

all_hooks_config() {
	w=$WORK
	cfg ".hooks = {
	  prestart: [{path: \"$w/prestart\"}],
	  createRuntime: [{path: \"$w/createRuntime\"}],
	  createContainer: [{path: \"$w/createContainer\"}],
	  startContainer: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"echo startContainer-in-container >/tmp/started; cat >/dev/null\"]}],
	  poststart: [{path: \"$w/poststart\"}],
	  poststop: [{path: \"$w/poststop\"}]}"
}

test_every_hook_kind_in_order() {
	make_bundle
	cfg '.root.readonly = false'
	for k in prestart createRuntime createContainer poststart poststop; do
		hook_script $k
	done
	all_hooks_config
	args sh -c 'cat /tmp/started; sleep 100'
	h create c1 >"$WORK/out"
	pid=$(h state c1 | jq -r .pid)
	eq "prestart c1 creating $pid
createRuntime c1 creating $pid
createContainer c1 creating $pid" "$(cat "$WORK/hooks.log")" "hooks after create"
	h start c1
	eq "poststart c1 running $pid" "$(tail -n 1 "$WORK/hooks.log")" "poststart"
	sleep 0.3
	eq startContainer-in-container "$(h exec c1 cat /tmp/started)" \
		"startContainer ran inside the container"
	h delete --force c1
	eq "poststop c1 stopped" "$(tail -n 1 "$WORK/hooks.log" | cut -d' ' -f1-3)" "poststop"
	assert_clean
}

test_hook_args_env_and_stdin() {
	make_bundle
	cat >"$WORK/h" <<-EOF
	#!/bin/sh
	{ echo "args: \$*"; echo "env: \$(env | grep -v '^PWD=\\|^SHLVL=\\|^_=' | sort | tr '\n' ' ')"; cat; echo; } >"$WORK/h.out"
	EOF
	chmod 755 "$WORK/h"
	cfg ".hooks.createRuntime = [{path: \"$WORK/h\", args: [\"h\", \"one\", \"two\"], env: [\"A=1\", \"B=2\"]}]"
	args true
	h run c1
	grep -qx 'args: one two' "$WORK/h.out" || fail "args: $(cat "$WORK/h.out")"
	grep -q '^env: A=1 B=2 $' "$WORK/h.out" || fail "env: $(cat "$WORK/h.out")"
	sed -n '3,$p' "$WORK/h.out" | jq -e '.id == "c1" and .status == "creating" and .pid > 0' \
		>/dev/null ||
		fail "stdin: $(cat "$WORK/h.out")"
	assert_clean
}

test_failing_create_hook_unwinds() {
	make_bundle
	printf '#!/bin/sh\necho broken-hook >&2\nexit 3\n' >"$WORK/bad"
	chmod 755 "$WORK/bad"
	cfg ".hooks.createRuntime = [{path: \"$WORK/bad\"}]"
	args sleep 100
	expect_fail 1 'createRuntime hook "'"$WORK"'/bad".*exited with status 3.*broken-hook' h create c1
	assert_clean
}

test_hook_timeout() {
	make_bundle
	printf '#!/bin/sh\necho $$ >%s/hook.pid\nexec sleep 30\n' "$WORK" >"$WORK/slow"
	chmod 755 "$WORK/slow"
	# createRuntime runs in the host's pid namespace, so hook.pid is ours to check
	cfg ".hooks.createRuntime = [{path: \"$WORK/slow\", timeout: 1}]"
	args sleep 100
	start=$(date +%s)
	expect_fail 1 'createRuntime hook .* timed out after 1s' h create c1
	took=$(($(date +%s) - start))
	[ "$took" -le 5 ] || fail "the timeout took ${took}s"
	hp=$(cat "$WORK/hook.pid")
	[ ! -e /proc/"$hp" ] || fail "the timed-out hook still runs"
	assert_clean
}

test_failing_poststart_and_poststop_only_warn() {
	make_bundle
	printf '#!/bin/sh\nexit 1\n' >"$WORK/bad"
	chmod 755 "$WORK/bad"
	cfg ".hooks.poststart = [{path: \"$WORK/bad\"}] | .hooks.poststop = [{path: \"$WORK/bad\"}]"
	args sleep 100
	h create c1
	h start c1 2>"$WORK/err" || fail "start failed on a poststart hook"
	grep -q 'warning: .*poststart hook' "$WORK/err" || fail "no warning: $(cat "$WORK/err")"
	eq running "$(status_of c1)" "status after a failed poststart hook"
	h delete --force c1 2>"$WORK/err" || fail "delete failed on a poststop hook"
	grep -q 'warning: .*poststop hook' "$WORK/err" || fail "no warning: $(cat "$WORK/err")"
	assert_clean
}

run_tests
