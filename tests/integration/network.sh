#!/bin/sh
# Bridge networking (husk.net=bridge): addresses, routes, NAT, published
# ports, generated files, parallel creates, and that delete and every
# failure leave no link, rule or allocation behind.
#
# Traffic goes only to loopback and to namespaces these tests create: an
# "upstream" namespace joined to the host by a veth on 198.51.100.0/30
# (TEST-NET-2), checked with `ip route get` before anything is sent.  Each
# test uses its own bridge name and subnet, and removes every namespace,
# link and process it made, also when it fails (trap).
. "$(dirname "$0")/lib.sh"

BR="hkt$(($$ % 100000))"
SUBNET=10.123.0.0/24
UP_NS="husk-up-$$"
UP_LINK="hkup$(($$ % 100000))"
UP_HOST=198.51.100.1
UP_PEER=198.51.100.2
# husk turns IPv4 forwarding on and leaves it on (docs/network.md); the tests
# put back what the host had
FORWARD_BEFORE=$(cat /proc/sys/net/ipv4/ip_forward)

# net_bundle [PORTS]: a bundle on this test's bridge.
net_bundle() {
	make_bundle
	cfg ".annotations[\"husk.net\"] = \"bridge\"
	     | .annotations[\"husk.net.bridge\"] = \"$BR\"
	     | .annotations[\"husk.net.subnet\"] = \"$SUBNET\""
	[ -z "${1:-}" ] || cfg ".annotations[\"husk.net.ports\"] = \"$1\""
}

# create_fails ID PATTERN [CMD]: `h create ID` (or CMD create ID) must fail
# with PATTERN on stderr.  stderr goes to a file, not a pipe: a create that
# wrongly succeeds leaves an init holding it open.
create_fails() {
	if ${3:-h} create "$1" >/dev/null 2>"$WORK/create.err" </dev/null; then
		${3:-h} delete --force "$1"
		fail "create $1 succeeded, want an error matching /$2/"
	fi
	grep -Eq -- "$2" "$WORK/create.err" ||
		fail "create $1: stderr '$(cat "$WORK/create.err")' lacks /$2/"
}

addr_of() {
	h state "$1" | jq -r '.annotations["husk.net.address"]'
}

# What the host's network looks like: link names, the whole nftables ruleset,
# and this state root's allocator files.
snapshot() {
	ip -o link | awk '{print $2}' | sort
	nft list ruleset
	cat "$ROOT"/.net/*.addresses 2>/dev/null || :
}

# The husk parts of the host that must be gone with the last container.
assert_no_network() {
	if ip -o link | grep -Eq " ($BR|hk[0-9a-f]{8})[:@]"; then
		fail "link left behind: $(ip -o link | grep -E " ($BR|hk[0-9a-f]{8})[:@]")"
	fi
	if nft list tables | grep -q "husk-$BR"; then
		fail "nftables table left behind: $(nft list tables)"
	fi
	[ ! -e "$ROOT/.net" ] || fail "allocator left behind: $(ls -A "$ROOT/.net")"
}

cleanup() {
	for id in $(h list -q 2>/dev/null); do h delete --force "$id" 2>/dev/null || :; done
	[ -z "${HTTPD_PID:-}" ] || kill "$HTTPD_PID" 2>/dev/null || :
	ip link del "$UP_LINK" 2>/dev/null || :
	ip netns del "$UP_NS" 2>/dev/null || :
	ip link del "$BR" 2>/dev/null || :
	nft delete table ip "husk-$BR" 2>/dev/null || :
	echo "$FORWARD_BEFORE" >/proc/sys/net/ipv4/ip_forward
}

# The upstream namespace with a busybox httpd on :8080 whose CGI answers
# with the client's address as it sees it.
upstream_setup() {
	ip netns add "$UP_NS"
	ip link add "$UP_LINK" type veth peer name eth0 netns "$UP_NS"
	ip addr add "$UP_HOST/30" dev "$UP_LINK"
	ip link set "$UP_LINK" up
	ip -n "$UP_NS" addr add "$UP_PEER/30" dev eth0
	ip -n "$UP_NS" link set eth0 up
	ip -n "$UP_NS" link set lo up
	# both ways must go through the test's own veth, never elsewhere
	ip route get "$UP_PEER" | grep -q "dev $UP_LINK " || fail "route to $UP_PEER: $(ip route get "$UP_PEER")"
	ip -n "$UP_NS" route get "$UP_HOST" | grep -q "dev eth0 " || fail "route back to $UP_HOST"
	mkdir -p "$WORK/www/cgi-bin"
	echo "upstream page" >"$WORK/www/index.html"
	printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%%s\\n" "$REMOTE_ADDR"\n' \
		>"$WORK/www/cgi-bin/ip"
	chmod 755 "$WORK/www/cgi-bin/ip"
	ip netns exec "$UP_NS" busybox httpd -f -p 8080 -h "$WORK/www" &
	HTTPD_PID=$!
}

# get HOST PORT PATH: a shell command printing the body of an HTTP GET,
# through busybox nc (Debian 12's static busybox wget crashes on start).
get() {
	printf "printf 'GET %s HTTP/1.0\\r\\n\\r\\n' | nc -w 3 %s %s | sed '1,/^\\r\$/d'" "$3" "$1" "$2"
}

# fetch HOST PORT PATH [NETNS]: the page, retried for up to 5 s while a
# server starts.
fetch() {
	i=0
	while [ $i -lt 50 ]; do
		if [ -n "${4:-}" ]; then
			out=$(ip netns exec "$4" busybox sh -c "$(get "$1" "$2" "$3")")
		else
			out=$(busybox sh -c "$(get "$1" "$2" "$3")")
		fi
		[ -z "$out" ] || break
		sleep 0.1
		i=$((i + 1))
	done
	printf '%s' "$out"
}

test_no_annotation_no_network() {
	trap cleanup EXIT
	make_bundle
	before=$(snapshot)
	args sh -c 'ls /sys/class/net; ls /etc'
	out=$(h run c1)
	eq lo "$(echo "$out" | head -n 1)" "interfaces"
	echo "$out" | grep -q '^hosts$' && fail "/etc/hosts appeared: $out"
	eq "$before" "$(snapshot)" "host network"
	assert_clean
}

test_netns_path_gets_nothing() {
	trap 'cleanup; ip netns del "husk-t-$$" 2>/dev/null || :' EXIT
	net_bundle
	ip netns add "husk-t-$$"
	cfg "(.linux.namespaces[] | select(.type == \"network\")) |= {type: \"network\", path: \"/var/run/netns/husk-t-$$\"}"
	args sh -c 'ls /sys/class/net'
	before=$(snapshot)
	out=$(h run c1 2>"$WORK/err")
	eq lo "$out" "interfaces of the joined namespace"
	grep -q 'annotation "husk.net" ignored' "$WORK/err" || fail "no warning: $(cat "$WORK/err")"
	eq "$before" "$(snapshot)" "host network"
	assert_no_network
	assert_clean
}

test_container_gets_address_route_and_files() {
	trap cleanup EXIT
	net_bundle
	cfg '.hostname = "web1"'
	args sleep 100
	h create c1 || fail "create c1"
	eq 10.123.0.2 "$(addr_of c1)" "first address"
	h list --format json | jq -e '.[0].annotations["husk.net.address"] == "10.123.0.2"' >/dev/null ||
		fail "list: $(h list --format json)"
	h start c1 || fail "start c1"
	out=$(h exec c1 ip -o -4 addr show eth0)
	echo "$out" | grep -q 'inet 10.123.0.2/24' || fail "eth0: $out"
	eq "default via 10.123.0.1 dev eth0" "$(h exec c1 ip route | grep '^default' | sed 's/ *$//')" "route"
	eq 2 "$(h exec c1 ip -o link | grep -Ec '^[0-9]+: (lo|eth0@if[0-9]+): <[A-Z,_]*,UP[,>]')" "lo and eth0 up"
	h exec c1 cat /etc/hosts | grep -q "^10.123.0.2	web1$" || fail "hosts: $(h exec c1 cat /etc/hosts)"
	eq web1 "$(h exec c1 cat /etc/hostname)" "/etc/hostname"
	want=$(grep -v '^[[:space:]]*nameserver[[:space:]]*\(127\.\|::1\)' /etc/resolv.conf)
	eq "$want" "$(h exec c1 cat /etc/resolv.conf)" "resolv.conf"
	ip -o link show "$BR" | grep -q "alias husk $ROOT" || fail "bridge alias: $(ip -o link show "$BR")"
	# a fixed gateway MAC, not the lowest port's, which changes with the ports
	ip -o link show "$BR" | grep -q "link/ether 02:68:0a:7b:00:01 " || fail "bridge MAC: $(ip -o link show "$BR")"
	h delete --force c1 || fail "delete --force c1"
	assert_no_network
	assert_clean
}

test_bundle_mounts_win_over_generated_files() {
	trap cleanup EXIT
	net_bundle
	echo "1.2.3.4 mine" >"$WORK/myhosts"
	cfg ".mounts += [{\"destination\": \"/etc/hosts\", \"type\": \"bind\", \"source\": \"$WORK/myhosts\", \"options\": [\"bind\"]}]"
	args sh -c 'cat /etc/hosts; cat /etc/hostname'
	out=$(h run c1)
	eq "1.2.3.4 mine
husk" "$out" "the bundle's hosts and the generated hostname"
	assert_no_network
	assert_clean
}

test_user_namespace_container() {
	trap cleanup EXIT
	net_bundle
	chmod 755 "$WORK"
	# the mapped root cannot create mount points in a rootfs root owns
	touch "$BUNDLE/rootfs/etc/hosts" "$BUNDLE/rootfs/etc/hostname" "$BUNDLE/rootfs/etc/resolv.conf"
	cfg '.linux.namespaces += [{"type": "user"}]
	     | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
	     | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	args sh -c 'ip -o -4 addr show eth0 | grep -o "inet [0-9./]*"; grep web /etc/hosts || grep 10.123 /etc/hosts'
	out=$(h run c1)
	eq "inet 10.123.0.2/24
10.123.0.2	husk" "$out" "address and hosts in a user namespace"
	assert_no_network
	assert_clean
}

test_container_reaches_upstream_masqueraded() {
	trap cleanup EXIT
	upstream_setup
	net_bundle
	args sleep 100
	h create c1 || fail "create c1"
	h start c1 || fail "start c1"
	# the container's packets must leave through the test's veth
	ip route get "$UP_PEER" from 10.123.0.2 iif "$BR" | grep -q "dev $UP_LINK " ||
		fail "route from the container: $(ip route get "$UP_PEER" from 10.123.0.2 iif "$BR")"
	eq "upstream page" "$(h exec c1 sh -c "$(get "$UP_PEER" 8080 /)")" "page"
	# masquerade: upstream sees the host's address on its link
	src=$(h exec c1 sh -c "$(get "$UP_PEER" 8080 /cgi-bin/ip)" | sed 's/^\[::ffff://; s/\]$//')
	eq "$UP_HOST" "$src" "source seen upstream"
	h delete --force c1 || fail "delete --force c1"
	assert_no_network
	assert_clean
}

test_published_port_from_upstream_and_host() {
	trap cleanup EXIT
	upstream_setup
	net_bundle "18080:80, 18081:8081/tcp"
	mkdir -p "$BUNDLE/rootfs/www"
	echo "container page" >"$BUNDLE/rootfs/www/index.html"
	args httpd -f -p 80 -h /www
	h run -d c1 || fail "run -d c1"
	nft list table ip "husk-$BR" | grep -q "tcp dport 18080 dnat to 10.123.0.2:80" ||
		fail "rule: $(nft list table ip "husk-$BR")"
	eq "container page" "$(fetch "$UP_HOST" 18080 / "$UP_NS")" "from upstream"
	eq "container page" "$(fetch 127.0.0.1 18080 /)" "from the host's loopback"
	eq "container page" "$(fetch "$UP_HOST" 18080 /)" "from the host's own address"
	h delete --force c1 || fail "delete --force c1"
	nft list ruleset | grep -q "18080" && fail "port rule left: $(nft list ruleset)"
	assert_no_network
	assert_clean
}

test_two_containers_reach_each_other() {
	trap cleanup EXIT
	net_bundle "18082:80"
	mkdir -p "$BUNDLE/rootfs/www"
	echo "from a" >"$BUNDLE/rootfs/www/index.html"
	args httpd -f -p 80 -h /www
	h run -d a || fail "run -d a"
	args sleep 100
	h run -d b || fail "run -d b"
	eq 10.123.0.3 "$(addr_of b)" "second address"
	eq "from a" "$(h exec b sh -c "$(get "$(addr_of a)" 80 /)")" "b to a directly"
	# through the published port on the gateway: answered via the host
	eq "from a" "$(h exec b sh -c "$(get 10.123.0.1 18082 /)")" "b to a's published port"
	h delete --force a || fail "delete --force a"
	# the bridge stays while b uses it
	ip link show "$BR" >/dev/null || fail "bridge gone with b still on it"
	h delete --force b || fail "delete --force b"
	assert_no_network
	assert_clean
}

test_parallel_creates_get_distinct_addresses() {
	trap cleanup EXIT
	net_bundle "19000:80"
	args sleep 100
	before=$(snapshot)
	h create keeper || fail "create keeper"
	with_keeper=$(snapshot)
	pids=""
	for i in $(seq 1 20); do
		h create "p$i" 2>"$WORK/err.$i" &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || fail "a parallel create failed: $(cat "$WORK"/err.*)"; done
	addrs=$(for i in $(seq 1 20); do addr_of "p$i"; done | sort -u)
	eq 20 "$(echo "$addrs" | wc -l)" "distinct addresses"
	echo "$addrs" | grep -qx 10.123.0.2 && fail "keeper's address handed out again"
	eq 21 "$(grep -c '^10\.123\.' "$ROOT/.net/$BR.addresses")" "allocator entries"
	eq 21 "$(ip -o link | grep -c "master $BR ")" "veths on the bridge"
	# host ports are per container here: same port twice is the user's call
	pids=""
	for i in $(seq 1 20); do
		h delete --force "p$i" &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || fail "a parallel delete failed"; done
	eq "$with_keeper" "$(snapshot)" "host network after deleting the 20"
	h delete --force keeper || fail "delete --force keeper"
	eq "$before" "$(snapshot)" "host network after deleting all"
	assert_no_network
	assert_clean
}

test_failed_create_releases_address_and_link() {
	trap cleanup EXIT
	net_bundle "18083:80"
	before=$(snapshot)
	args /no/such/program
	create_fails c1 'no/such/program'
	eq "$before" "$(snapshot)" "host network after a failed exec path"
	assert_no_network
	# a failure at the attach step: the veth's name is taken
	args sleep 100
	ip link add hk0a7b0002 type bridge || fail "make a link named hk0a7b0002"
	create_fails c2 'network: create veth "hk0a7b0002": File exists'
	ip link del hk0a7b0002
	eq "$before" "$(snapshot)" "host network after a failed attach"
	# a failure before any link: the bridge's name belongs to someone else
	ip link add "$BR" type bridge || fail "make a link named $BR"
	create_fails c3 "bridge \"$BR\": a link of that name exists and husk did not make it"
	ip link del "$BR"
	eq "$before" "$(snapshot)" "host network after a refused bridge"
	assert_no_network
	assert_clean
}

test_bad_annotations_are_clear_errors() {
	trap cleanup EXIT
	net_bundle
	before=$(snapshot)
	bad() { # KEY VALUE PATTERN
		cfg ".annotations[\"$1\"] = \"$2\""
		create_fails c1 "$3"
		cfg "del(.annotations[\"$1\"])"
	}
	bad husk.net.ports 8080:70000 'config.json: annotations\["husk.net.ports"\]: bad port "70000" in "8080:70000"'
	bad husk.net.ports 8080 'annotations\["husk.net.ports"\]: bad port mapping "8080"'
	bad husk.net.ports 80:80/sctp 'bad protocol "sctp" in "80:80/sctp"'
	bad husk.net.ports "80:80,80:81" 'host port 80/tcp given twice'
	bad husk.net.subnet 10.123.0.0/33 'annotations\["husk.net.subnet"\]: bad value "10.123.0.0/33": prefix length'
	bad husk.net.subnet 10.123.0.1/24 'bad value "10.123.0.1/24": host bits are set'
	bad husk.net.subnet 127.0.0.0/8 'reserved range'
	bad husk.net.bridge "a/b" 'annotations\["husk.net.bridge"\]: bad value "a/b": may hold only'
	bad husk.net.bridge "averyveryverylongname" 'expected 1 to 15 characters'
	bad husk.net.address 10.9.9.9 'annotations\["husk.net.address"\]: bad value "10.9.9.9": not a container address'
	bad husk.net brige 'annotations\["husk.net"\]: bad value "brige": expected "bridge" or "none"'
	eq "$before" "$(snapshot)" "host network"
	assert_no_network
	assert_clean
}

test_requested_address_and_conflicts() {
	trap 'cleanup; h2 delete --force o1 2>/dev/null || :' EXIT
	net_bundle
	args sleep 100
	cfg '.annotations["husk.net.address"] = "10.123.0.50"'
	h create c1 || fail "create c1"
	eq 10.123.0.50 "$(addr_of c1)" "requested address"
	create_fails c2 'network: address 10.123.0.50 is used by container "c1"'
	# the same bridge from another state root is refused
	h2() { "$HUSK" --root "$WORK/root2" "$@"; }
	cfg 'del(.annotations["husk.net.address"])'
	create_fails "o1" "bridge \"$BR\" belongs to the state root \"$ROOT\"" h2
	# another subnet on the same bridge is refused
	cfg '.annotations["husk.net.subnet"] = "10.124.0.0/24"'
	create_fails c3 "bridge \"$BR\" has the subnet 10.123.0.0/24, not 10.124.0.0/24"
	h delete --force c1 || fail "delete --force c1"
	assert_no_network
	rm -rf "$WORK/root2"
	assert_clean
}

test_stale_entry_is_reclaimed() {
	trap cleanup EXIT
	net_bundle "18084:80"
	args sleep 100
	h create c1 || fail "create c1"
	h create c2 || fail "create c2"
	# c1 vanishes as if husk crashed mid-way and its state was lost
	pid=$(h state c1 | jq -r .pid)
	# its cgroup directories: the cgroup2 one and, on v1 hosts, one per hierarchy
	cgs=$(jq -r '[.cgroupPath // empty] + [(.cgroupPaths // {})[]] | unique | .[]' \
		"$ROOT/c1/state.json")
	kill -9 "$pid"
	i=0
	while [ -e "/proc/$pid" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	rm -rf "${ROOT:?}/c1"
	for cg in $cgs; do
		rmdir "$cg" || fail "remove c1's cgroup $cg"
	done
	h create c3 || fail "create c3"
	eq 10.123.0.2 "$(addr_of c3)" "c1's address, reclaimed"
	eq 2 "$(nft list table ip "husk-$BR" | grep -c 'dport 18084 dnat to 10.123.0.2:80')" "c3's rules only"
	nft list table ip "husk-$BR" | grep -q '"husk 10.123.0.2 c1"' && fail "c1's rules left"
	h delete --force c2 || fail "delete --force c2"
	h delete --force c3 || fail "delete --force c3"
	assert_no_network
	assert_clean
}

run_tests
