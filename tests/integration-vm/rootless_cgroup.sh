#!/bin/sh
# Runs inside the test VM (pure cgroup v2): rootless containers and cgroup
# delegation.  Root hands a test user a subtree the way systemd's
# Delegate=yes does (the directory, cgroup.procs, cgroup.subtree_control and
# cgroup.threads become the user's) and puts the user's commands in a leaf
# of it; the user's container then gets a cgroup inside the subtree with its
# limits, which the kernel enforces, and pause, ps, exec, kill and delete
# act on it.  Without delegation a limit is refused.  The user exists only
# in the guest (its root is a throwaway overlay).
. "$(dirname "$0")/lib.sh"

USER_R=husk-rl-vm
id "$USER_R" >/dev/null 2>&1 || useradd -M -s /bin/sh "$USER_R" || {
	echo "rootless_cgroup: cannot create the test user" >&2
	exit 1
}

# delegate DIR: a cgroup subtree given to the test user, with a leaf
# "shell" for the user's own commands.
delegate() {
	mkdir "$1" "$1/shell"
	chown "$USER_R:" "$1" "$1/cgroup.procs" "$1/cgroup.subtree_control" "$1/cgroup.threads"
	chown -R "$USER_R:" "$1/shell"
}

# in_cgroup DIR CMD...: CMD as the test user, from the cgroup DIR (the
# kernel lets a process move only between cgroups whose common ancestor's
# cgroup.procs it may write, so the user's commands start inside).
in_cgroup() {
	cg=$1
	shift
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" \
		setpriv --reuid="$USER_R" --regid="$USER_R" --init-groups \
		env XDG_RUNTIME_DIR="$WORK/xdg" "$@"
}

rootless_bundle() {
	chmod 0755 "$WORK"
	make_bundle
	mkdir -m 0700 "$WORK/xdg"
	chown "$USER_R:" "$WORK/xdg"
	chown -R "$USER_R:" "$BUNDLE"
	rm -f "$BUNDLE/config.json"
	setpriv --reuid="$USER_R" --regid="$USER_R" --init-groups "$HUSK" spec --rootless --bundle "$BUNDLE"
	ROOT=$WORK/xdg/husk
}

test_delegated_subtree_gets_the_limits() {
	rootless_bundle
	deleg=/sys/fs/cgroup/husk-deleg-$$
	delegate "$deleg"
	trap 'rmdir "$deleg/shell" "$deleg" 2>/dev/null' EXIT
	cfg ".process.terminal = false | .process.env += [\"HUSK_TEST_MARK=$WORK\"]
	     | .linux.resources = {\"memory\": {\"limit\": 33554432}, \"pids\": {\"limit\": 40}}
	     | .process.args = [\"sleep\", \"100\"]"
	u() { in_cgroup "$deleg/shell" "$HUSK" "$@"; }
	u run -d c1
	d=$(jq -r .cgroupPath "$ROOT/c1/state.json")
	case "$d" in "$deleg"/husk-*-c1) ;; *) fail "cgroupPath '$d' is not in the delegated subtree" ;; esac
	eq 33554432 "$(cat "$d/memory.max")" memory.max
	eq 40 "$(cat "$d/pids.max")" pids.max
	pid=$(jq -r .pid "$ROOT/c1/state.json")
	eq "$pid" "$(cat "$d/cgroup.procs")" "the init is in the cgroup"
	eq "$(id -u "$USER_R")" "$(stat -c %u "$d")" "the cgroup is the user's"
	eq "[$pid]" "$(u ps --format json c1 | tr -d ' \n')" "ps through the cgroup"
	u pause c1
	eq paused "$(u state c1 | jq -r .status)" "status after pause"
	grep -q "frozen 1" "$d/cgroup.events" || fail "not frozen"
	u resume c1
	eq 0 "$(u exec c1 id -u)" "exec into the cgroup"
	u delete --force c1
	gone=1
	[ -e "$d" ] && gone=0
	eq 1 "$gone" "cgroup removed by delete"
	# the kernel enforces the limit: a hog is OOM-killed
	# tail keeps the one endless "line" of /dev/zero in memory
	cfg '.linux.resources.memory.swap = 33554432 | .process.args = ["tail", "/dev/zero"]'
	rc=0
	u run c2 >/dev/null 2>&1 || rc=$?
	eq 137 "$rc" "exit status of the OOM-killed container"
	assert_clean
}

test_no_delegation_refuses_a_limit() {
	rootless_bundle
	cfg ".process.terminal = false | .linux.resources = {\"memory\": {\"limit\": 33554432}}"
	# the VM's commands run in /init.scope, which is root's
	expect_fail 1 'linux.resources.memory.limit: a rootless container gets a cgroup only inside a delegated cgroup v2 subtree' \
		setpriv --reuid="$USER_R" --regid="$USER_R" --init-groups \
		env XDG_RUNTIME_DIR="$WORK/xdg" "$HUSK" run c1
	cfg 'del(.linux.resources) | .process.args = ["true"]'
	setpriv --reuid="$USER_R" --regid="$USER_R" --init-groups \
		env XDG_RUNTIME_DIR="$WORK/xdg" "$HUSK" run c1 || fail "no limit: runs without a cgroup"
	assert_clean
}

run_tests
