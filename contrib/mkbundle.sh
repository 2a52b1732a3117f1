#!/bin/sh
# Builds an OCI bundle with a busybox rootfs from Debian's busybox-static.
# No download: the rootfs is /bin/busybox plus one link per applet.
# Usage: contrib/mkbundle.sh DIR [HUSK]   (HUSK: the binary that writes config.json)
set -eu
dir=$1
husk=${2:-./husk}
# busybox-static installs a static /bin/busybox; the rootfs needs nothing else.
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "mkbundle: $busybox missing: apt-get install busybox-static" >&2; exit 1; }
rootfs=$dir/rootfs
mkdir -p "$rootfs/bin" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/tmp" "$rootfs/etc" "$rootfs/root"
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"
rm -f "$dir/config.json"
"$husk" spec --bundle "$dir"
