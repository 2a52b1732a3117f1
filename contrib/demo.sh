#!/bin/sh
# What a newcomer sees after `make demo`: a bundle built from busybox-static,
# its config written by `husk spec`, checked by `husk validate`, and the
# empty state store.  Later milestones run a container here.
set -eu
cd "$(dirname "$0")/.."
husk=./husk
demo=build/demo
root=$demo/state

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "husk --version"
$husk --version

step "building a busybox bundle in $demo/bundle (from Debian's busybox-static)"
rm -rf "$demo"
mkdir -p "$demo"
sh contrib/mkbundle.sh "$demo/bundle" "$husk" >/dev/null
echo "rootfs: $(ls "$demo/bundle/rootfs/bin" | wc -l) busybox applets"

step "husk spec wrote $demo/bundle/config.json; the essentials:"
jq '{ociVersion, args: .process.args, root: .root,
     namespaces: [.linux.namespaces[].type], capabilities: .process.capabilities.bounding}' \
	"$demo/bundle/config.json"

step "husk validate --bundle $demo/bundle"
$husk validate --bundle "$demo/bundle"

step "a broken config is refused with the field named"
jq '.linux.namespaces += [{"type": "pid"}]' "$demo/bundle/config.json" >"$demo/broken.json"
mkdir -p "$demo/broken" && mv "$demo/broken.json" "$demo/broken/config.json"
$husk validate --bundle "$demo/broken" || true

step "husk list (state root $root: nothing runs yet)"
$husk --root "$root" list

step "husk state demo"
$husk --root "$root" state demo || true
