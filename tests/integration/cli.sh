#!/bin/sh
# The command line itself: version and help, exit codes and messages for bad
# command lines, option spellings runc's callers use, `spec`, `features`,
# `state` and `list` over a hand-written state dir, and the error line
# `--log-format json` appends for containerd.
. "$(dirname "$0")/lib.sh"

test_version_shape() {
	out=$("$HUSK" --version) || fail "--version exited $?"
	"$HUSK" --help >/dev/null || fail "--help exited $?"
	printf '%s\n' "$out" | sed -n 1p | grep -Eq '^husk version [0-9]+\.[0-9]+\.[0-9]+$' || fail "line 1: $out"
	printf '%s\n' "$out" | sed -n 2p | grep -Eq '^commit: .+$' || fail "line 2: $out"
	printf '%s\n' "$out" | sed -n 3p | grep -Eq '^spec: 1\.2\.0$' || fail "line 3: $out"
	printf '%s\n' "$out" | sed -n 4p | grep -Eq '^libseccomp: [0-9]+\.[0-9]+\.[0-9]+$' || fail "line 4: $out"
	[ "$(printf '%s\n' "$out" | wc -l)" -eq 4 ] || fail "want 4 lines: $out"
	[ "$("$HUSK" -v)" = "$out" ] || fail "-v differs from --version"
}

test_help_exits_zero() {
	"$HUSK" --help | grep -q '^Usage: husk' || fail "husk --help"
	"$HUSK" -h | grep -q '^  spec ' || fail "husk -h lists spec"
	"$HUSK" spec --help | grep -q -- '--bundle' || fail "husk spec --help"
	"$HUSK" list -h | grep -q -- '--format' || fail "husk list -h"
	"$HUSK" state --help | grep -q 'state \[options\] <container-id>' || fail "husk state --help"
}

test_validate_checks_the_config_and_husk_annotations() {
	make_bundle
	out=$("$HUSK" validate)
	case $out in *": valid (ociVersion "*) ;; *) fail "validate of a good bundle: $out" ;; esac
	cfg '.process.args = []'
	expect_fail 1 'process.args' "$HUSK" validate
	cfg '.process.args = ["true"] | .annotations["husk.net"] = "bridge"
	     | .annotations["husk.net.ports"] = "8080:70000"'
	expect_fail 1 'annotations\["husk.net.ports"\]: bad port "70000"' "$HUSK" validate --bundle "$BUNDLE"
}

test_unknown_command_exits_2() {
	expect_fail 2 '^husk: unknown command "foo" \(see husk --help\)$' "$HUSK" foo
	# Later milestones add these; no stub may answer for them before.
	expect_fail 2 'unknown command "checkpoint"' "$HUSK" checkpoint c1
	expect_fail 2 '^husk: missing command' "$HUSK"
}

test_unknown_flag_exits_2_naming_it() {
	expect_fail 2 '^husk: spec: unknown flag "--frobnicate" \(see husk spec --help\)$' \
		"$HUSK" spec --frobnicate
	expect_fail 2 'unknown flag "--nope"' "$HUSK" --nope list
	expect_fail 2 'unknown flag "-z"' "$HUSK" list -qz
	expect_fail 2 'flag "-b" needs a value' "$HUSK" spec -b
	expect_fail 2 'state: missing argument <container-id>' "$HUSK" --root "$ROOT" state
	expect_fail 2 'unexpected argument "b"' "$HUSK" --root "$ROOT" state a b
	expect_fail 2 'log-format must be text or json, got "xml"' "$HUSK" --log-format xml list
	expect_fail 2 'rootless must be true, false or auto' "$HUSK" --rootless maybe list
	# Error output is exactly one line.
	[ "$("$HUSK" spec --frobnicate 2>&1 | wc -l)" -eq 1 ] || fail "more than one line"
}

test_spec_writes_and_refuses_overwrite() {
	cd "$BUNDLE"
	"$HUSK" spec
	jq -e '.ociVersion == "1.2.0" and .process.args == ["sh"] and .root.path == "rootfs"' \
		config.json >/dev/null || fail "unexpected config"
	jq -e '[.linux.namespaces[].type] == ["pid","network","ipc","uts","mount","cgroup"]' \
		config.json >/dev/null || fail "namespaces"
	echo '{"mine": true}' >config.json
	expect_fail 1 "^husk: spec: config.json already exists in \"\\.\"$" "$HUSK" spec
	[ "$(cat config.json)" = '{"mine": true}' ] || fail "config.json was changed"
}

test_spec_rootless() {
	"$HUSK" spec --rootless --bundle "$BUNDLE"
	c=$BUNDLE/config.json
	jq -e '[.linux.namespaces[].type] | index("user") != null and index("network") == null' \
		"$c" >/dev/null || fail "user namespace / no network namespace"
	jq -e ".linux.uidMappings == [{\"containerID\":0,\"hostID\":$(id -u),\"size\":1}]" \
		"$c" >/dev/null || fail "uid mapping"
	jq -e '.linux.resources == null' "$c" >/dev/null || fail "rootless has no resources"
	jq -e '[.mounts[] | select(.destination == "/sys") | .options | index("rbind")] == [3]' \
		"$c" >/dev/null || fail "/sys is an rbind"
	jq -e '[.mounts[].options // [] | .[] | select(startswith("gid="))] == []' \
		"$c" >/dev/null || fail "no gid= options"
}

test_spec_option_spellings() {
	for form in "-bundle $WORK/a" "--bundle=$WORK/b" "-b $WORK/c" "--bundle $WORK/d" \
		"-bundle=$WORK/e"; do
		dir=${form##*[ =]}
		mkdir "$dir"
		# shellcheck disable=SC2086 # split on purpose
		"$HUSK" spec $form || fail "spec $form"
		[ -s "$dir/config.json" ] || fail "spec $form wrote nothing"
	done
	expect_fail 1 'spec: create ".*/missing/config.json": No such file or directory' \
		"$HUSK" spec -b "$WORK/missing"
}

test_features_document() {
	"$HUSK" features >f.json
	jq -e '.ociVersionMin == "1.0.0" and .ociVersionMax == "1.2.0"' f.json >/dev/null ||
		fail "versions"
	jq -e '.hooks | length == 6' f.json >/dev/null || fail "hooks"
	jq -e '.mountOptions | index("rbind") != null' f.json >/dev/null || fail "mountOptions"
	jq -e '.linux.namespaces | index("user") != null' f.json >/dev/null || fail "namespaces"
	jq -e '.linux.capabilities | index("CAP_SYS_ADMIN") != null' f.json >/dev/null || fail "caps"
	jq -e '.linux.seccomp.enabled == true and (.linux.seccomp.actions | index("SCMP_ACT_NOTIFY")) and .linux.cgroup.v2 == true and .linux.cgroup.v1 == true and .linux.cgroup.systemd == false' f.json >/dev/null ||
		fail "unimplemented features advertised"
	jq -e '.annotations["io.github.husk.version"] | test("^[0-9]")' f.json >/dev/null ||
		fail "version annotation"
}

test_state_missing_and_invalid_ids() {
	expect_fail 1 '^husk: state: container "nope" does not exist$' "$HUSK" --root "$ROOT" state nope
	expect_fail 1 'invalid container id' "$HUSK" --root "$ROOT" state ../x
	expect_fail 1 'invalid container id' "$HUSK" --root "$ROOT" state 'a/b'
	expect_fail 1 'invalid container id' "$HUSK" --root "$ROOT" state .hidden
}

test_list_empty_root() {
	out=$("$HUSK" --root "$ROOT/none" list)
	[ "$out" = "ID          PID         STATUS      BUNDLE      CREATED     OWNER" ] ||
		fail "header: '$out'"
	[ "$("$HUSK" --root "$ROOT/none" list --format json)" = "[]" ] || fail "json"
	[ "$("$HUSK" --root "$ROOT/none" list -format=json)" = "[]" ] || fail "-format=json"
	[ -z "$("$HUSK" --root "$ROOT/none" list -q)" ] || fail "quiet"
	[ ! -e "$ROOT/none" ] || fail "list created the root"
	expect_fail 2 'format must be table or json, got "yaml"' "$HUSK" --root "$ROOT" list -f yaml
}

# A state dir as create writes it, for a process we own.
fake_container() { # id pid
	st=$(awk '{print $22}' "/proc/$2/stat")
	mkdir -p "$ROOT/$1"
	chmod 700 "$ROOT" "$ROOT/$1"
	cat >"$ROOT/$1/state.json" <<JSON
{"ociVersion":"1.2.0","id":"$1","status":"running","pid":$2,"initStartTime":$st,
 "bundle":"$BUNDLE","rootfs":"$BUNDLE/rootfs","created":"2024-05-01T10:00:00.000000001Z",
 "owner":$(id -u),"annotations":{"k":"v"}}
JSON
}

test_state_and_list_follow_the_process() {
	sleep 300 </dev/null >/dev/null 2>&1 &
	pid=$!
	trap 'kill "$pid" 2>/dev/null || :' EXIT
	fake_container c1 "$pid"
	"$HUSK" --root "$ROOT" state c1 >s.json
	jq -e ".id == \"c1\" and .status == \"running\" and .pid == $pid" s.json >/dev/null ||
		fail "state: $(cat s.json)"
	jq -e ".bundle == \"$BUNDLE\" and .annotations.k == \"v\"" s.json >/dev/null || fail "fields"
	"$HUSK" --root "$ROOT" list | grep -Eq "^c1 +$pid +running +$BUNDLE +2024-05-01T" ||
		fail "list: $("$HUSK" --root "$ROOT" list)"
	"$HUSK" --root "$ROOT" list --format json | jq -e "length == 1 and .[0].status == \"running\"" \
		>/dev/null || fail "list json"
	[ "$("$HUSK" --root "$ROOT" list -q)" = c1 ] || fail "list -q"

	kill "$pid"
	wait "$pid" 2>/dev/null || :
	"$HUSK" --root "$ROOT" state c1 | jq -e '.status == "stopped" and .pid == 0' >/dev/null ||
		fail "state after kill"
	"$HUSK" --root "$ROOT" list | grep -Eq '^c1 +0 +stopped ' || fail "list after kill"
}

test_list_columns_align() {
	sleep 300 </dev/null >/dev/null 2>&1 &
	p1=$!
	trap 'kill "$p1" 2>/dev/null || :' EXIT
	fake_container a-rather-long-container-id "$p1"
	fake_container b "$p1"
	"$HUSK" --root "$ROOT" list >out
	kill "$p1"
	[ "$(wc -l <out)" -eq 3 ] || fail "rows: $(cat out)"
	# The ID column is as wide as the longest id (26) plus 3, so PID starts
	# at column 30 in the header and in every row.
	col=$(head -n1 out | awk '{print index($0, "PID")}')
	[ "$col" -eq 30 ] || fail "PID column at $col: $(cat out)"
	tail -n +2 out | while read -r line; do
		[ "$(printf '%s\n' "$line" | cut -c30-$((29 + ${#p1})))" = "$p1" ] || exit 1
	done || fail "misaligned rows: $(cat out)"
	"$HUSK" --root "$ROOT" list --format json | jq -e '[.[].id] == ["a-rather-long-container-id","b"]' \
		>/dev/null || fail "json order"
}

test_json_log_line() {
	log=$WORK/husk.log
	echo '{"level":"info","msg":"earlier"}' >"$log"
	expect_fail 1 'does not exist' "$HUSK" --log-format json --log "$log" --root "$ROOT" state gone
	[ "$(wc -l <"$log")" -eq 2 ] || fail "want 2 lines: $(cat "$log")"
	tail -n1 "$log" | jq -e '.level == "error" and .msg == "state: container \"gone\" does not exist"
		and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$"))' >/dev/null ||
		fail "line: $(tail -n1 "$log")"
	# Usage errors reach the log too: containerd sees only the file.
	expect_fail 2 'unknown flag' "$HUSK" --log-format json --log "$log" spec --nope
	tail -n1 "$log" | jq -e '.msg | test("unknown flag")' >/dev/null || fail "usage error line"
}

test_text_log_and_debug() {
	log=$WORK/text.log
	expect_fail 1 'does not exist' "$HUSK" --log "$log" --root "$ROOT" state gone
	grep -Eq '^time="[^"]+" level=error msg="state: container \\"gone\\" does not exist"$' "$log" ||
		fail "text line: $(cat "$log")"
	grep -q 'level=debug' "$log" && fail "debug line without --debug"
	"$HUSK" --debug --log "$log" --root "$ROOT" list >/dev/null
	grep -q 'level=debug msg="command list, root ' "$log" || fail "no debug line: $(cat "$log")"
	expect_fail 1 'open log file ".*/no/such/dir/log"' "$HUSK" --log "$WORK/no/such/dir/log" list
}

test_relative_root_is_absolute() {
	mkdir -p "$WORK/x"
	cd "$WORK/x"
	sleep 300 </dev/null >/dev/null 2>&1 &
	pid=$!
	trap 'kill "$pid" 2>/dev/null || :' EXIT
	fake_container r1 "$pid"
	cd "$WORK"
	# Same container reached through a relative --root.
	"$HUSK" --root root state r1 | jq -e '.id == "r1"' >/dev/null || fail "relative root"
	kill "$pid"
}

# Needs root to become another user; passes trivially elsewhere.
test_default_root_for_unprivileged_user() {
	if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
		echo "skipped: needs root and setpriv"
		return 0
	fi
	as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
	mkdir -m 0777 "$WORK/xdg"
	chmod 0755 "$WORK"
	expect_fail 1 '^husk: XDG_RUNTIME_DIR is not set: pass --root$' \
		as_nobody env -u XDG_RUNTIME_DIR "$HUSK" list
	as_nobody env XDG_RUNTIME_DIR="$WORK/xdg" "$HUSK" list | grep -q '^ID ' || fail "xdg list"
	as_nobody env -u XDG_RUNTIME_DIR "$HUSK" --root "$WORK/xdg/r" list | grep -q '^ID ' ||
		fail "--root without XDG_RUNTIME_DIR"
	# Commands that never touch the state root do not need one.
	as_nobody env -u XDG_RUNTIME_DIR "$HUSK" features >/dev/null || fail "features"
}

run_tests
