#!/bin/sh
# The runtime binary cannot be overwritten from inside a container (the
# class of CVE-2019-5736).  A container that gets the kernel to execute
# /proc/self/exe at its first exec (directly, or as a script's "#!"
# interpreter) would run the runtime's own binary as a container process;
# with a hostile ELF interpreter in its rootfs (tests/helpers/nolibc/
# exe-grabber.c) it keeps that binary open and writes to it once husk has
# exited.  Each test runs a copy of husk and checks the copy is unchanged.
. "$(dirname "$0")/lib.sh"

GRABBER=$TOP/build/helpers/exe-grabber

# attack ARGS_JSON: create + start with a copy of husk, wait for the
# container's verdict, and check the copy's bytes.
attack() {
	[ -x "$GRABBER" ] || fail "$GRABBER missing: make helpers"
	make_bundle
	cp "$HUSK" "$WORK/husk-copy"
	sum_before=$(sha256sum <"$WORK/husk-copy")
	interp=$(readelf -l "$WORK/husk-copy" | sed -n 's/.*program interpreter: \(.*\)]/\1/p')
	[ -n "$interp" ] || fail "no interpreter in husk's ELF headers"
	mkdir -p "$BUNDLE/rootfs$(dirname "$interp")"
	cp "$GRABBER" "$BUNDLE/rootfs$interp"
	printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/evil.sh"
	chmod 755 "$BUNDLE/rootfs/evil.sh"
	cfg ".process.args = $1 | .root.readonly = false"
	"$WORK/husk-copy" --root "$ROOT" create --bundle "$BUNDLE" c1 >"$WORK/out" 2>&1
	"$WORK/husk-copy" --root "$ROOT" start c1
	i=0
	while [ "$(status_of c1)" != stopped ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	h delete --force c1
	out=$(cat "$WORK/out")
	case $out in *overwritten*) fail "the container wrote to husk's binary: $out" ;; esac
	eq "$sum_before" "$(sha256sum <"$WORK/husk-copy")" "husk's binary after the attack"
	assert_clean
}

test_exec_of_proc_self_exe_cannot_write_husk() {
	attack '["/proc/self/exe"]'
}

test_script_interpreted_by_proc_self_exe_cannot_write_husk() {
	attack '["/evil.sh"]'
}

run_tests
