#!/bin/sh
# Prepares what the test VM boots, under build/vm/ (git-ignored), and only
# what is missing or stale:
#   kernel/   Debian's kernel package, unpacked: boot/vmlinuz-VER and
#             lib/modules/VER (with depmod run, so the guest can modprobe)
#   initramfs.cpio.gz  busybox, the modules that mount the host's root over
#             virtio-9p as an overlay, and tests/vm/init as /init
# The kernel comes from Debian's archive through apt only; it is fetched once
# and kept while build/ lives.  The initramfs is rebuilt when the kernel, this
# script or tests/vm/init changes.
# Usage: tests/vm/build.sh        (prints nothing when everything is current)
set -eu
export PATH="$PATH:/usr/sbin:/sbin"
cd "$(dirname "$0")/../.."
top=$(pwd)
vm=$top/build/vm
kdir=$vm/kernel
# Load order matters: each module's dependencies first (see `modprobe
# --show-depends`); what the kernel has built in is skipped.
MODULES="virtio_pci 9pnet_virtio 9p overlay"

die() {
	echo "husk-vm: $*" >&2
	exit 1
}

for tool in qemu-system-x86_64 depmod modprobe cpio gzip dpkg-deb apt-get; do
	command -v "$tool" >/dev/null 2>&1 || die "'$tool' missing: run 'make deps' as root"
done
[ -x /bin/busybox ] || die "/bin/busybox missing: apt-get install busybox-static"

# The package linux-image-amd64 points at, e.g. linux-image-6.1.0-56-amd64.
resolve_kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1
}

fetch_kernel() {
	pkg=$(resolve_kernel_pkg)
	if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		pkg=$(resolve_kernel_pkg)
	fi
	[ -n "$pkg" ] || die "cannot resolve the kernel package behind 'linux-image-amd64' (apt-cache depends found none)"
	echo "husk-vm: fetching $pkg from Debian's archive"
	dl=$vm/download
	rm -rf "$dl" "$kdir.new"
	mkdir -p "$dl"
	# apt's sandbox user cannot write into build/: a world-writable scratch
	# dir keeps the download quiet and sandboxed.
	chmod 0777 "$dl"
	if ! (cd "$dl" && apt-get download -q "$pkg" >/dev/null 2>&1); then
		# stale package lists name a version the archive no longer has
		[ "$(id -u)" -eq 0 ] && apt-get update -qq >/dev/null 2>&1
		pkg=$(resolve_kernel_pkg)
		(cd "$dl" && apt-get download -q "$pkg" >/dev/null) || die "apt-get download '$pkg' failed"
	fi
	deb=$(ls "$dl"/*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || die "apt-get download '$pkg' left no .deb"
	mkdir -p "$kdir.new"
	dpkg-deb -x "$deb" "$kdir.new" || die "unpacking '$deb' failed"
	rm -rf "$dl" "$kdir.new/usr" # usr/ holds only the package's docs
	ver=$(ls "$kdir.new/lib/modules" | head -n 1)
	[ -n "$ver" ] && [ -f "$kdir.new/boot/vmlinuz-$ver" ] || die "'$pkg' has no vmlinuz or modules"
	# Debian runs depmod in the package's postinst, which dpkg-deb -x skips.
	depmod -b "$kdir.new" "$ver" || die "depmod for '$ver' failed"
	echo "$ver" >"$kdir.new/VERSION"
	rm -rf "$kdir"
	mv "$kdir.new" "$kdir"
}

kernel_ok() {
	[ -s "$kdir/VERSION" ] || return 1
	v=$(cat "$kdir/VERSION")
	[ -f "$kdir/boot/vmlinuz-$v" ] && [ -f "$kdir/lib/modules/$v/modules.dep" ]
}

mkdir -p "$vm"
kernel_ok || fetch_kernel
ver=$(cat "$kdir/VERSION")

# The stamp names every input of the initramfs; a change in any rebuilds it.
stamp=$(cat tests/vm/init tests/vm/build.sh /bin/busybox | cksum | cut -d' ' -f1)
stamp="$ver $stamp $MODULES"
initrd=$vm/initramfs.cpio.gz
if [ -f "$initrd" ] && [ "$(cat "$vm/initramfs.stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

root=$vm/initramfs.root
rm -rf "$root"
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/lib/modules"
cp /bin/busybox "$root/bin/busybox"
cp tests/vm/init "$root/init"
chmod 0755 "$root/init"
: >"$root/modules.load"
for m in $MODULES; do
	deps=$(modprobe -d "$kdir" -S "$ver" --show-depends "$m") ||
		die "module '$m' is neither built into '$ver' nor shipped with it"
	printf '%s\n' "$deps" | while read -r kind path _; do
		[ "$kind" = insmod ] || continue # "builtin NAME": nothing to load
		name=$(basename "$path")
		grep -qx "$name" "$root/modules.load" && continue
		cp "$path" "$root/lib/modules/$name"
		echo "$name" >>"$root/modules.load"
	done
done
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$initrd.new"
mv "$initrd.new" "$initrd"
rm -rf "$root"
echo "$stamp" >"$vm/initramfs.stamp"
echo "husk-vm: initramfs for $ver ready"
