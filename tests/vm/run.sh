#!/bin/sh
# Boots the test VM (a pure cgroup v2 Debian kernel under qemu's TCG, whose
# root is this host's / seen read-only through virtio-9p with a tmpfs overlay)
# and runs one command in it as root, in the caller's working directory.
# The guest's console (kernel messages and the command's output) streams to
# stdout.  Exits with the command's status, or 125 when the VM could not run
# it (no kernel, boot failure, timeout).
# Usage: tests/vm/run.sh [-i] [--out DIR] [--] [CMD [ARG...]]
#   -i         interactive: the console is this terminal (default CMD: sh)
#   --out DIR  host dir the guest can write, at the same path (env
#              HUSK_VM_OUT); kept afterwards.  Default: a temporary one.
# Env: HUSK_VM_TIMEOUT (seconds, default 600), HUSK_VM_MEM (MiB, 2048),
#      HUSK_VM_CPUS (2).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
vm=$top/build/vm
cwd=$(pwd)

die() {
	echo "husk-vm: $*" >&2
	exit 125
}

interactive=0
out=
while [ $# -gt 0 ]; do
	case $1 in
	-i) interactive=1 ;;
	--out)
		[ $# -ge 2 ] || die "--out needs a directory"
		out=$2
		shift
		;;
	--) shift && break ;;
	-*) die "unknown option '$1'" ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || [ $interactive = 1 ] || die "usage: tests/vm/run.sh [-i] [--out DIR] [--] CMD [ARG...]"
[ $# -gt 0 ] || set -- sh -i

sh "$here/build.sh" || die "cannot prepare the VM (see above)"
ver=$(cat "$vm/kernel/VERSION")

if [ -z "$out" ]; then
	mkdir -p "$vm/out"
	out=$(mktemp -d "$vm/out/run.XXXXXX") || die "cannot make an out dir"
	trap 'rm -rf "$out"' EXIT
	trap 'exit 130' HUP INT PIPE TERM
fi
mkdir -p "$out" && out=$(cd "$out" && pwd) || die "out dir '$out' unusable"
# Both travel on the kernel command line, which splits at white space.
case "$out$vm" in *[[:space:]]*) die "paths with white space are not supported: '$out'" ;; esac
rm -f "$out/exit-status" "$out/cmd.sh"

quote() { # ARG: ARG as one single-quoted sh word
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}
{
	echo "cd $(quote "$cwd") || exit 126"
	printf 'exec'
	for a in "$@"; do printf ' %s' "$(quote "$a")"; done
	echo
} >"$out/cmd.sh"

append="console=ttyS0 quiet panic=-1 cgroup_no_v1=all mitigations=off"
append="$append husk.out=$out husk.modules=$vm/kernel/lib/modules/$ver"
serial=stdio
if [ $interactive = 1 ]; then
	append="$append husk.tty=1"
	serial=mon:stdio
fi

qemu() { # [PREFIX...]: e.g. a timeout command
	"$@" qemu-system-x86_64 \
		-accel tcg,thread=multi -cpu "${HUSK_VM_CPU:-max}" -m "${HUSK_VM_MEM:-2048}" -smp "${HUSK_VM_CPUS:-2}" \
		-nodefaults -no-user-config -display none -no-reboot -serial "$serial" \
		-kernel "$vm/kernel/boot/vmlinuz-$ver" -initrd "$vm/initramfs.cpio.gz" -append "$append" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$out,mount_tag=husk_out,security_model=none,multidevs=remap"
}

start=$(date +%s)
if [ $interactive = 1 ]; then
	# No timeout here: timeout(1) would put qemu in a background process
	# group, which the terminal stops as soon as it reads.
	qemu
	qrc=$?
else
	# The console speaks CRLF; the exit status of qemu survives the pipe in a file.
	{
		qemu timeout -k 10 "${HUSK_VM_TIMEOUT:-600}" </dev/null 2>&1
		echo $? >"$out/qemu-status"
	} | tr -d '\r' | tee "$out/console.log"
	qrc=$(cat "$out/qemu-status" 2>/dev/null || echo 1)
fi
secs=$(($(date +%s) - start))

if [ -s "$out/exit-status" ]; then
	rc=$(cat "$out/exit-status")
	echo "husk-vm: '$*' exited $rc after ${secs}s"
else
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "husk-vm: timed out after ${HUSK_VM_TIMEOUT:-600}s, the guest was killed" >&2
	elif grep -q HUSK-VM-INIT-FAILED "$out/console.log" 2>/dev/null; then
		echo "husk-vm: the guest's init failed: $(grep HUSK-VM-INIT-FAILED "$out/console.log")" >&2
	else
		echo "husk-vm: the guest ended without an exit status (qemu exited $qrc)" >&2
	fi
	rc=125
fi
exit "$rc"
