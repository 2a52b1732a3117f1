#!/bin/sh
# The compiled seccomp filter cache (libcontainer/seccomp-cache.c): a
# profile is compiled once per state root and read back afterwards, a
# changed profile gets its own entry, a damaged entry is compiled again, and
# a cached filter behaves exactly as a fresh one.
. "$(dirname "$0")/lib.sh"

FIXTURE=$TOP/tests/fixtures/seccomp/docker-default.json

docker_profile() {
	jq --slurpfile p "$FIXTURE" '.linux.seccomp = $p[0].linux.seccomp' "$BUNDLE/config.json" \
		>"$BUNDLE/config.json.new" && mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

entries() {
	ls "$ROOT/.cache/seccomp" 2>/dev/null | wc -l
}

# refused: mkdir under an ERRNO rule; allowed: the rest
probe='mkdir /tmp/x 2>/dev/null && rmdir /tmp/x && echo made || echo refused; grep ^Seccomp: /proc/self/status'

test_profile_compiled_once_then_read_back() {
	make_bundle
	docker_profile
	cfg '.root.readonly = false'
	args sh -c "$probe"
	first=$(h run c1 2>&1)
	eq 1 "$(entries)" "cache entries after the first run"
	eq 700 "$(stat -c %a "$ROOT/.cache/seccomp")" "cache directory mode"
	eq 600 "$(stat -c %a "$ROOT/.cache/seccomp/"*)" "cache entry mode"
	stamp=$(stat -c %Y.%i "$ROOT/.cache/seccomp/"*)
	second=$(h run c1 2>&1)
	eq "$first" "$second" "output with the cached filter"
	eq "made
Seccomp:	2" "$second" "Docker's profile lets mkdir through"
	eq "$stamp" "$(stat -c %Y.%i "$ROOT/.cache/seccomp/"*)" "entry untouched by a hit"
	assert_clean
}

test_changed_profile_gets_its_own_entry() {
	make_bundle
	cfg '.root.readonly = false'
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	     syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}'
	args sh -c "$probe"
	eq "refused
Seccomp:	2" "$(h run c1 2>&1)" "mkdir refused"
	cfg '.linux.seccomp.syscalls[0].names = ["chmod"]'
	eq "made
Seccomp:	2" "$(h run c1 2>&1)" "mkdir allowed by the changed profile"
	eq 2 "$(entries)" "one entry per profile"
	assert_clean
}

test_damaged_entry_is_compiled_again() {
	make_bundle
	cfg '.root.readonly = false'
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	     syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}'
	args sh -c "$probe"
	h run c1 >/dev/null 2>&1
	entry=$(ls "$ROOT/.cache/seccomp/"*)
	# a truncated entry, then one of garbage with the right magic
	head -c 20 "$entry" >"$entry.t" && mv "$entry.t" "$entry"
	eq "refused
Seccomp:	2" "$(h run c1 2>&1)" "after truncation"
	{ printf 'husk-seccomp-1\n'; head -c 64 /dev/urandom; } >"$entry"
	eq "refused
Seccomp:	2" "$(h run c1 2>&1)" "after garbage"
	assert_clean
}

test_exec_uses_the_cache_too() {
	make_bundle
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	     syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}'
	args sleep 1000
	h create c1
	h start c1
	eq refused "$(h exec c1 sh -c 'mkdir /tmp/y 2>/dev/null && echo made || echo refused')" \
		"exec under the cached filter"
	eq 1 "$(entries)" "create and exec share the entry"
	h delete --force c1
	assert_clean
}

run_tests
