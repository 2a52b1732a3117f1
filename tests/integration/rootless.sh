#!/bin/sh
# Rootless containers: husk run by an ordinary user.  The suite creates two
# users for itself (A with /etc/subuid and /etc/subgid ranges, B with none)
# and removes them at the end; each test runs husk as A (or B) with its own
# XDG_RUNTIME_DIR, so the default state root is exercised.  Covers the
# spec --rootless defaults, id maps (own id, and subordinate ids through
# newuidmap), exec/kill/delete/ps, the overlay rootfs with userxattr, a
# read-only bind that keeps the source's locked flags, slirp4netns with a
# published port and outbound traffic (in a network namespace the test
# makes), one user kept out of another's containers, and the errors.
# The delegated cgroup v2 case runs in the VM (integration-vm/rootless_cgroup.sh).
. "$(dirname "$0")/lib.sh"

USER_A=husk-rl-a$$
USER_B=husk-rl-b$$

# ---- suite setup: users and the tun device -------------------------------

setup_users() {
	# A gets subordinate ids from useradd (it picks free ranges), B none.
	useradd -M -s /bin/sh "$USER_A" || return 1
	useradd -M -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$USER_B" || return 1
	grep -q "^$USER_A:" /etc/subuid && grep -q "^$USER_A:" /etc/subgid
}

cleanup_suite() {
	userdel -f "$USER_A" 2>/dev/null
	userdel -f "$USER_B" 2>/dev/null
	sed -i "/^$USER_A:/d; /^$USER_B:/d" /etc/subuid /etc/subgid 2>/dev/null
	[ -n "${TUN_MODE:-}" ] && chmod "$TUN_MODE" /dev/net/tun
}

if ! setup_users; then
	echo "rootless: cannot create the test users" >&2
	cleanup_suite
	exit 1
fi
trap cleanup_suite EXIT
# slirp4netns opens /dev/net/tun as the user: udev makes it 0666, a host
# without udev may not.  Put back as found when the suite ends.
if [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
	TUN_MODE=$(stat -c %a /dev/net/tun)
	chmod 0666 /dev/net/tun
fi
UID_A=$(id -u "$USER_A")
GID_A=$(id -g "$USER_A")
SUBUID_A=$(awk -F: -v u="$USER_A" '$1 == u { print $2; exit }' /etc/subuid)
SUBGID_A=$(awk -F: -v u="$USER_A" '$1 == u { print $2; exit }' /etc/subgid)

# ---- helpers ------------------------------------------------------------

# as USER CMD...: CMD as USER (ids and groups from passwd, the environment
# kept), with the user's own XDG_RUNTIME_DIR under $WORK.
as() {
	u=$1
	shift
	XDG_RUNTIME_DIR=$WORK/xdg-$u setpriv --reuid="$u" --regid="$u" --init-groups "$@"
}

# ha ARGS... / hb ARGS...: husk as A or B, default state root.
ha() { as "$USER_A" "$HUSK" "$@"; }
hb() { as "$USER_B" "$HUSK" "$@"; }

# rootless_bundle: the busybox bundle with `husk spec --rootless` written
# by A into a bundle A owns, rootfs included, as a developer unpacks one.
rootless_bundle() {
	chmod 0755 "$WORK"
	make_bundle
	for u in "$USER_A" "$USER_B"; do
		mkdir -m 0700 "$WORK/xdg-$u"
		chown "$u:" "$WORK/xdg-$u"
	done
	ROOT=$WORK/xdg-$USER_A/husk
	chown -R "$USER_A:" "$BUNDLE"
	rm -f "$BUNDLE/config.json"
	ha spec --rootless --bundle "$BUNDLE"
	cfg ".process.terminal = false | .process.env += [\"HUSK_TEST_MARK=$WORK\"]"
}

# user_dir NAME MODE: a directory under $WORK owned by A.
user_dir() {
	mkdir -m "$2" "$WORK/$1"
	chown "$USER_A:" "$WORK/$1"
	chmod "$2" "$WORK/$1"
	echo "$WORK/$1"
}

# helper_gone PID: the slirp4netns process is gone (or a zombie: this
# machine's PID 1 may be slow to reap what it inherits).
helper_gone() {
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
	[ -z "$st" ] || [ "$st" = Z ]
}

# ---- tests ----------------------------------------------------------------

test_spec_rootless_run_is_root_inside_the_caller_outside() {
	rootless_bundle
	d=$(user_dir shared 0755)
	cfg ".mounts += [{\"destination\": \"/shared\", \"type\": \"bind\", \"source\": \"$d\", \"options\": [\"rbind\"]}]"
	args sh -c 'id -u; id -g; echo made >/shared/f'
	out=$(ha run c1 2>&1)
	eq "0
0" "$out" "ids inside"
	eq "$UID_A:$GID_A" "$(stat -c %u:%g "$d/f")" "the file's owner outside"
	jq -e '.linux.namespaces | map(.type) | index("user") and (index("network") | not)' \
		"$BUNDLE/config.json" >/dev/null || fail "rootless namespaces"
	eq "$UID_A" "$(jq '.linux.uidMappings[0].hostID' "$BUNDLE/config.json")" "uid mapping"
	[ "$(stat -c %a "$ROOT")" = 700 ] || fail "state root mode $(stat -c %a "$ROOT")"
	eq "$UID_A" "$(stat -c %u "$ROOT")" "state root owner"
	assert_clean
}

test_state_dirs_are_private_and_owned() {
	rootless_bundle
	args sleep 100
	ha create c1
	eq 700 "$(stat -c %a "$ROOT/c1")" "state dir mode"
	eq "$UID_A" "$(stat -c %u "$ROOT/c1")" "state dir owner"
	eq "$USER_A" "$(ha list --format json | jq -r '.[0].owner')" "owner in list"
	ha delete --force c1
	assert_clean
}

# Container ids 0-65535 on A's subordinate ids: a file chowned to 1000
# inside is owned by SUBUID+1000 outside, written through newuidmap.
test_multi_range_mapping_through_newuidmap() {
	rootless_bundle
	d=$(user_dir shared 0777)
	# the rootfs is A's, which this mapping leaves unmapped: the mount
	# point must exist already
	mkdir "$BUNDLE/rootfs/shared"
	cfg ".linux.uidMappings = [{\"containerID\": 0, \"hostID\": $SUBUID_A, \"size\": 65536}]
	     | .linux.gidMappings = [{\"containerID\": 0, \"hostID\": $SUBGID_A, \"size\": 65536}]
	     | .mounts += [{\"destination\": \"/shared\", \"type\": \"bind\", \"source\": \"$d\", \"options\": [\"rbind\"]}]
	     | .process.capabilities.bounding += [\"CAP_CHOWN\"]
	     | .process.capabilities.effective += [\"CAP_CHOWN\"]
	     | .process.capabilities.permitted += [\"CAP_CHOWN\"]"
	args sh -c 'touch /shared/f && chown 1000:1000 /shared/f && cat /proc/self/uid_map /proc/self/setgroups'
	out=$(ha run c1 2>&1) || fail "run: $out"
	echo "$out" | grep -Eq "^ +0 +$SUBUID_A +65536$" || fail "uid_map: $out"
	echo "$out" | grep -qx allow || fail "setgroups should stay allowed with subordinate gids: $out"
	eq "$((SUBUID_A + 1000)):$((SUBGID_A + 1000))" "$(stat -c %u:%g "$d/f")" "owner outside"
	assert_clean
}

test_exec_kill_delete_ps_of_own_container() {
	rootless_bundle
	args sleep 100
	ha run -d c1
	eq running "$(ha state c1 | jq -r .status)" status
	eq 0 "$(ha exec c1 id -u)" "exec runs as root inside"
	eq "sleep 100" "$(ha exec c1 cat /proc/1/cmdline | tr '\0' ' ' | sed 's/ $//')" "exec sees the init"
	pid=$(ha state c1 | jq -r .pid)
	eq "[$pid]" "$(ha ps --format json c1 | jq -c .)" "ps through /proc without a cgroup"
	expect_fail 1 'has no cgroup .*delegated' ha pause c1
	ha kill c1 KILL
	wait_status_a c1 stopped
	ha delete c1
	assert_clean
}

wait_status_a() {
	i=0
	while [ "$(ha state "$1" 2>/dev/null | jq -r .status)" != "$2" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	eq "$2" "$(ha state "$1" | jq -r .status)" "status of $1"
}

test_overlay_rootfs_with_userxattr() {
	rootless_bundle
	cfg '.annotations["husk.rootfs.overlay"] = "true" | .root.readonly = false'
	args sh -c 'echo hi >/newfile; rm /bin/cat; mkdir -p /etc/d && rm -r /etc/d; sleep 100'
	ha create c1
	ha start c1
	sleep 0.5
	upper=$ROOT/c1/overlay/upper
	eq hi "$(cat "$upper/newfile")" "the write is in the upper dir"
	[ -c "$upper/bin/cat" ] || fail "no whiteout for the removed file"
	[ -e "$BUNDLE/rootfs/bin/cat" ] || fail "the base changed"
	ha exec c1 grep -q ' / .* - overlay .*userxattr' /proc/self/mountinfo || fail "no userxattr"
	ha delete --force c1
	[ ! -e "$ROOT/c1" ] || fail "state (overlay work dir) left behind"
	assert_clean
}

test_readonly_bind_keeps_locked_flags() {
	rootless_bundle
	src=$WORK/locked
	mkdir "$src"
	mount -t tmpfs -o nosuid,nodev,noexec,mode=0755 husk-locked "$src"
	echo data >"$src/f"
	cfg ".mounts += [{\"destination\": \"/locked\", \"type\": \"bind\", \"source\": \"$src\", \"options\": [\"bind\", \"ro\"]}]"
	args sh -c 'grep " /locked " /proc/self/mountinfo; cat /locked/f; touch /locked/g 2>/dev/null && echo writable; true'
	out=$(ha run c1 2>&1)
	rc=$?
	umount "$src"
	[ $rc -eq 0 ] || fail "run: $out"
	opts=$(echo "$out" | head -n 1 | awk '{ print $6 }')
	for f in ro nosuid nodev noexec; do
		echo ",$opts," | grep -q ",$f," || fail "/locked lacks $f: $opts"
	done
	echo "$out" | grep -qx data || fail "content: $out"
	echo "$out" | grep -q writable && fail "read-only bind was writable"
	assert_clean
}

test_own_netns_gets_only_lo() {
	rootless_bundle
	cfg '.linux.namespaces += [{"type": "network"}]'
	args sh -c 'ip -o link | cut -d: -f2 | tr -d " "; ip -o link show lo | grep -q "UP" && echo lo-up'
	eq "lo
lo-up" "$(ha run c1 2>&1)" "interfaces"
	assert_clean
}

test_network_publishes_a_port_on_loopback() {
	rootless_bundle
	port=$((20000 + $$ % 20000))
	cfg ".linux.namespaces += [{\"type\": \"network\"}]
	     | .annotations[\"husk.net\"] = \"bridge\"
	     | .annotations[\"husk.net.ports\"] = \"$port:80\""
	args sh -c 'ip -o -4 addr show tap0 | awk "{ print \$4 }" >/dev/shm/addr; echo hello | nc -l -p 80'
	ha create c1
	ha start c1
	helper=$(cut -d' ' -f1 "$ROOT/c1/slirp4netns.pid")
	eq "$UID_A" "$(stat -c %u "/proc/$helper")" "the helper runs as the user"
	sleep 0.3
	eq 10.0.2.100/24 "$(ha exec c1 cat /dev/shm/addr)" "the container's address"
	i=0
	until out=$(busybox nc -w 2 127.0.0.1 "$port" </dev/null 2>/dev/null) && [ -n "$out" ]; do
		i=$((i + 1))
		[ $i -lt 30 ] || fail "no answer on 127.0.0.1:$port"
		sleep 0.2
	done
	eq hello "$out" "answer through the published port"
	ha delete --force c1
	helper_gone "$helper" || fail "slirp4netns $helper outlived delete"
	assert_clean
}

# Outbound traffic leaves through the user's own sockets: here inside a
# network namespace this test makes, to a listener on an address of its lo.
test_network_outbound_through_the_helper() {
	rootless_bundle
	ns=husk-rl-$$
	ip netns add "$ns"
	# the test runs in a subshell: a failing step must not leave the namespace
	trap 'ip netns del "$ns" 2>/dev/null || :' EXIT
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add 10.251.7.1/32 dev lo
	ip netns exec "$ns" busybox nc -l -p 7777 >"$WORK/got" &
	lpid=$!
	cfg '.linux.namespaces += [{"type": "network"}] | .annotations["husk.net"] = "bridge"'
	args sh -c 'sleep 0.3; echo out-ok | nc -w 3 10.251.7.1 7777 && echo sent'
	out=$(ip netns exec "$ns" setpriv --reuid="$USER_A" --regid="$USER_A" --init-groups \
		env XDG_RUNTIME_DIR="$WORK/xdg-$USER_A" "$HUSK" run c1 2>&1)
	kill "$lpid" 2>/dev/null || :
	wait "$lpid" 2>/dev/null || :
	ip netns del "$ns"
	eq sent "$out" "the container's side"
	eq out-ok "$(cat "$WORK/got")" "what the listener got"
	assert_clean
}

test_another_user_cannot_touch_the_container() {
	rootless_bundle
	args sleep 100
	ha run -d c1
	for cmd in "state c1" "kill c1 KILL" "delete --force c1" "exec c1 true" "list"; do
		# shellcheck disable=SC2086
		expect_fail 1 'Permission denied|belongs to uid' hb --root "$ROOT" $cmd
	done
	# a root of A's that B could read would still be A's, not B's
	open=$(user_dir open-root 0755)
	expect_fail 1 "state root \"$open\" belongs to uid $UID_A" hb --root "$open" list
	eq "" "$(hb list -q)" "B's own root"
	eq running "$(ha state c1 | jq -r .status)" "A's container after B's tries"
	ha delete --force c1
	assert_clean
}

# A create that fails after the helper started takes the helper with it:
# a port already taken on the host, and an init that fails after attach.
test_failed_create_stops_the_helper() {
	rootless_bundle
	port=$((20000 + ($$ + 7) % 20000))
	busybox nc -l -p "$port" </dev/null >/dev/null 2>&1 &
	lpid=$!
	sleep 0.2
	cfg ".linux.namespaces += [{\"type\": \"network\"}]
	     | .annotations[\"husk.net\"] = \"bridge\"
	     | .annotations[\"husk.net.ports\"] = \"$port:80\""
	before=$(pgrep -u "$USER_A" -x slirp4netns | sort)
	expect_fail 1 "rootless network: publish 127.0.0.1:$port: " ha create c1
	kill "$lpid" 2>/dev/null || :
	wait "$lpid" 2>/dev/null || :
	cfg '.annotations["husk.net.ports"] = "" | .mounts += [{"destination": "/x", "type": "bind", "source": "/nonexistent-husk-src", "options": ["bind"]}]'
	expect_fail 1 'nonexistent-husk-src' ha create c1
	for p in $(pgrep -u "$USER_A" -x slirp4netns); do
		echo "$before" | grep -qx "$p" && continue
		helper_gone "$p" || fail "slirp4netns $p outlived the failed create"
	done
	assert_clean
}

# ---- errors ---------------------------------------------------------------

test_error_without_xdg_runtime_dir() {
	rootless_bundle
	expect_fail 1 'XDG_RUNTIME_DIR is not set: pass --root' \
		setpriv --reuid="$USER_A" --regid="$USER_A" --init-groups env -u XDG_RUNTIME_DIR "$HUSK" list
}

test_error_without_subordinate_ids() {
	rootless_bundle
	chown "$USER_B:" "$BUNDLE"
	uid_b=$(id -u "$USER_B")
	gid_b=$(id -g "$USER_B")
	cfg ".linux.uidMappings = [{\"containerID\": 0, \"hostID\": $uid_b, \"size\": 1}, {\"containerID\": 1, \"hostID\": $SUBUID_A, \"size\": 100}]
	     | .linux.gidMappings = [{\"containerID\": 0, \"hostID\": $gid_b, \"size\": 1}]"
	expect_fail 1 "linux.uidMappings\[1\]: host ids $SUBUID_A-$((SUBUID_A + 99)) need subordinate ids, and user \"$USER_B\" \(uid $uid_b\) has none in /etc/subuid" \
		hb run c1
	# A's own ranges, but asking beyond them
	chown "$USER_A:" "$BUNDLE"
	cfg ".linux.uidMappings = [{\"containerID\": 0, \"hostID\": $SUBUID_A, \"size\": 70000}]
	     | .linux.gidMappings = [{\"containerID\": 0, \"hostID\": $GID_A, \"size\": 1}]"
	expect_fail 1 "linux.uidMappings\[0\]: host ids .* are not subordinate ids of user \"$USER_A\"" ha run c1
	assert_clean
	[ ! -e "$WORK/xdg-$USER_B/husk/c1" ] || fail "B's state left behind"
}

test_error_without_newuidmap() {
	rootless_bundle
	cfg ".linux.uidMappings = [{\"containerID\": 0, \"hostID\": $SUBUID_A, \"size\": 65536}]"
	expect_fail 1 'linux.uidMappings: mapping more than your own id .* needs newuidmap, which is not in \$PATH \(Debian package "uidmap"\)' \
		as "$USER_A" env PATH=/nonexistent "$HUSK" run c1
	cfg '.linux.namespaces += [{"type": "network"}] | .annotations["husk.net"] = "bridge"
	     | del(.linux.uidMappings[0]) | .linux.uidMappings = [{"containerID": 0, "hostID": '"$UID_A"', "size": 1}]'
	expect_fail 1 'annotations\["husk.net"\]: a rootless container.s network needs slirp4netns, which is not in \$PATH' \
		as "$USER_A" env PATH=/nonexistent "$HUSK" run c1
	assert_clean
}

test_error_limits_without_delegation() {
	rootless_bundle
	cfg '.linux.resources = {"memory": {"limit": 67108864}}'
	expect_fail 1 'linux.resources.memory.limit: a rootless container gets a cgroup only inside a delegated cgroup v2 subtree.*not writable by uid' \
		ha run c1
	cfg 'del(.linux.resources) | .linux.cgroupsPath = "mine"'
	expect_fail 1 'linux.cgroupsPath: a rootless container gets a cgroup only' ha run c1
	assert_clean
}

test_error_without_user_namespace() {
	rootless_bundle
	cfg '.linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)'
	expect_fail 1 'linux.namespaces: a container run by an unprivileged user needs a user namespace' ha run c1
	assert_clean
}

test_error_ports_and_idmap_checked_before_anything() {
	rootless_bundle
	cfg '.linux.namespaces += [{"type": "network"}] | .annotations["husk.net"] = "bridge"
	     | .annotations["husk.net.ports"] = "8080:70000"'
	expect_fail 1 'annotations\["husk.net.ports"\]: bad port "70000" in "8080:70000"' ha run c1
	cfg '.annotations["husk.net.ports"] = "8080:80"
	     | .mounts += [{"destination": "/m", "type": "bind", "source": "/tmp", "options": ["bind", "idmap"],
	        "uidMappings": [{"containerID": 0, "hostID": 0, "size": 1}],
	        "gidMappings": [{"containerID": 0, "hostID": 0, "size": 1}]}]'
	expect_fail 1 'mounts\[[0-9]+\]: an idmapped mount needs privilege' ha run c1
	assert_clean
}

run_tests
