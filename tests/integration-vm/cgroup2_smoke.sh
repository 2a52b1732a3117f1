#!/bin/sh
# Runs inside the test VM (tests/vm/): the host is pure cgroup v2 with every
# controller delegated from the root, and husk runs containers on it, with
# and without a cgroup namespace.
. "$(dirname "$0")/lib.sh"

test_host_is_pure_cgroup2() {
	eq cgroup2fs "$(stat -f -c %T /sys/fs/cgroup)" "filesystem type of /sys/fs/cgroup"
	# no v1 hierarchy anywhere: mountinfo's fs type follows the " - "
	if grep -q ' - cgroup ' /proc/self/mountinfo; then
		fail "a cgroup v1 hierarchy is mounted: $(grep ' - cgroup ' /proc/self/mountinfo | head -n 1)"
	fi
}

test_controllers_available_and_delegated() {
	for c in cpu memory pids io; do
		grep -qw "$c" /sys/fs/cgroup/cgroup.controllers || fail "controller $c missing"
		grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control || fail "controller $c not enabled at the root"
	done
}

test_run_exits_with_status() {
	make_bundle
	args sh -c 'echo "in:$(hostname)"; exit 3'
	rc=0
	h run c1 >"$WORK/out" || rc=$?
	eq 3 "$rc" "exit status of husk run"
	eq in:"$(jq -r .hostname config.json)" "$(cat "$WORK/out")" "container output"
	args true
	h run c2 || fail "true exited $?"
	assert_clean
}

test_run_in_cgroup_namespace_sees_root() {
	# the test runs in a non-root cgroup, so "0::/" can only come from a
	# namespace rooted at the container's cgroup
	case "$(cat /proc/self/cgroup)" in
	0::/) fail "the test itself runs in the root cgroup" ;;
	esac
	make_bundle
	jq -e '.linux.namespaces | any(.type == "cgroup")' config.json >/dev/null ||
		cfg '.linux.namespaces += [{"type": "cgroup"}]'
	args cat /proc/self/cgroup
	h run c1 >"$WORK/out"
	eq "0::/" "$(cat "$WORK/out")" "/proc/self/cgroup in a cgroup namespace"
	assert_clean
}

test_run_without_cgroup_namespace_sees_path() {
	make_bundle
	cfg 'del(.linux.namespaces[] | select(.type == "cgroup"))'
	args cat /proc/self/cgroup
	h run c1 >"$WORK/out"
	out=$(cat "$WORK/out")
	case "$out" in
	0::/?*) ;;
	*) fail "/proc/self/cgroup without a cgroup namespace: want '0::/PATH', got '$out'" ;;
	esac
	assert_clean
}

run_tests
