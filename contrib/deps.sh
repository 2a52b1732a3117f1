#!/bin/sh
# Installs every build and test dependency from Debian's archive, once:
# quiet when everything is already present.  The container engines are for
# tests/clients/, which starts its own daemons: nothing here starts a service.
set -eu
PKGS="build-essential pkg-config libseccomp-dev libcap-dev libyajl-dev libmnl-dev check
clang libclang-rt-14-dev clang-format busybox-static jq iproute2 util-linux
cpio kmod qemu-system-x86 strace uidmap slirp4netns nftables
containerd docker.io podman conmon umoci skopeo"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "husk: missing packages:$missing (run 'make deps' as root)" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
