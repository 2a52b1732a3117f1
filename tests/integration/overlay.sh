#!/bin/sh
# The OverlayFS rootfs of hand-run bundles (annotation husk.rootfs.overlay):
# writes land in <root>/<id>/overlay/upper, never in the shared base or in
# another container, and delete removes them whatever they contain.
. "$(dirname "$0")/lib.sh"

# overlay_bundle: a bundle whose rootfs is an overlay over rootfs/.
overlay_bundle() {
	make_bundle
	cfg '.annotations["husk.rootfs.overlay"] = "true" | .root.readonly = false'
}

# Inside: the filesystem type of "/" (the field after " - " in mountinfo).
FSTYPE_OF_ROOT='awk '"'"'$5 == "/" {for (i = 7; $i != "-"; i++); print $(i + 1)}'"'"' /proc/self/mountinfo'

base_sum() {
	(cd "$BUNDLE/rootfs" && find . | sort | md5sum)
}

test_rootfs_is_an_overlay_and_writes_go_to_upper() {
	overlay_bundle
	before=$(base_sum)
	args sh -c 'echo hi >/newfile; echo x >/bin/added; rm /bin/cat; sleep 100'
	h create c1
	h start c1
	sleep 0.3
	upper="$ROOT/c1/overlay/upper"
	eq hi "$(cat "$upper/newfile")" "write in the upper dir"
	eq x "$(cat "$upper/bin/added")" "write under a lower dir"
	[ -c "$upper/bin/cat" ] || fail "no whiteout for the removed file"
	eq "$before" "$(base_sum)" "the base"
	h delete --force c1
	[ ! -e "$ROOT/c1" ] || fail "state directory left behind"
	args sh -c "$FSTYPE_OF_ROOT"
	eq overlay "$(h run c2 2>&1)" "root filesystem type"
	clean
}

test_containers_share_the_base_without_seeing_each_other() {
	overlay_bundle
	before=$(base_sum)
	args sleep 100
	h create a
	h create b
	h start a
	h start b
	h exec a sh -c 'echo from-a >/etc/shared; echo changed >/etc/passwd'
	eq "absent" "$(h exec b sh -c 'cat /etc/shared 2>/dev/null || echo absent')" "a's new file in b"
	eq root "$(h exec b sh -c 'cut -d: -f1 /etc/passwd')" "a's change in b"
	eq from-a "$(h exec a cat /etc/shared)" "a's file in a"
	eq "$before" "$(base_sum)" "the base"
	eq root "$(cut -d: -f1 "$BUNDLE/rootfs/etc/passwd")" "the base's passwd"
	h delete --force a
	h delete --force b
	clean
}

# Delete removes a deep tree, read-only files and directories, files of
# other owners, and symlinks pointing out, without following them.
test_delete_removes_any_upper_content() {
	overlay_bundle
	sentinel="/tmp/husk-sentinel-dir-$$"
	mkdir -p "$sentinel"
	echo keep >"$sentinel/file"
	trap 'rm -rf "$sentinel"' EXIT
	cfg '.process.capabilities.bounding += ["CAP_CHOWN", "CAP_FOWNER"]
	     | .process.capabilities.effective += ["CAP_CHOWN", "CAP_FOWNER"]
	     | .process.capabilities.permitted += ["CAP_CHOWN", "CAP_FOWNER"]'
	args sh -c "mkdir -p /deep && cd /deep && i=0 &&
		while [ \$i -lt 400 ]; do mkdir d && cd d && i=\$((i+1)); done &&
		echo x >f && chown 4321:8765 f && chmod 0400 f && ln -s $sentinel out &&
		ln -s / root && mkdir ro && echo y >ro/g && chmod 0500 ro && chmod 0000 /deep/d && echo made"
	eq made "$(h run c1 2>&1)" "tree made"
	eq "" "$(ls -A "$ROOT")" "state root after run"
	eq keep "$(cat "$sentinel/file")" "sentinel behind a symlink"
	[ ! -e "$BUNDLE/rootfs/deep" ] || fail "the tree reached the base"
	clean
}

test_extra_lowers_sit_below_the_rootfs() {
	overlay_bundle
	mkdir -p "$WORK/a/etc" "$WORK/b/etc" "$WORK/b/opt"
	echo from-a >"$WORK/a/etc/passwd"
	echo from-a >"$WORK/a/etc/layer"
	echo from-b >"$WORK/b/etc/layer"
	echo from-b >"$WORK/b/opt/only-b"
	cfg ".annotations[\"husk.rootfs.overlay.lowers\"] = \"$WORK/a:$WORK/b\""
	args sh -c 'cut -d: -f1 /etc/passwd; cat /etc/layer /opt/only-b; echo w >/opt/new'
	eq "root from-a from-b" "$(h run c1 2>&1 | tr '\n' ' ' | sed 's/ $//')" "layer order"
	[ ! -e "$WORK/b/opt/new" ] || fail "write reached a lower"
	clean
}

test_relative_lower_is_taken_from_the_bundle() {
	overlay_bundle
	mkdir -p "$BUNDLE/extra/srv"
	echo rel >"$BUNDLE/extra/srv/x"
	cfg '.annotations["husk.rootfs.overlay.lowers"] = "extra"'
	args cat /srv/x
	eq rel "$(h run c1 2>&1)" "relative lower"
	clean
}

test_readonly_root_with_overlay() {
	overlay_bundle
	cfg '.root.readonly = true'
	args sh -c "touch /x 2>/dev/null && echo rw || echo ro; $FSTYPE_OF_ROOT"
	eq "ro overlay" "$(h run c1 2>&1 | tr '\n' ' ' | sed 's/ $//')" "write to the root, its type"
	clean
}

test_missing_lower_fails_create_cleanly() {
	overlay_bundle
	cfg ".annotations[\"husk.rootfs.overlay.lowers\"] = \"$WORK/nope\""
	args true
	expect_fail 1 "overlay rootfs: lower \"$WORK/nope\": No such file or directory" h create c1
	clean
}

test_bad_annotation_value() {
	overlay_bundle
	cfg '.annotations["husk.rootfs.overlay"] = "yes"'
	args true
	expect_fail 1 'annotation "husk.rootfs.overlay": expected "true" or "false", got "yes"' h create c1
	cfg '.annotations["husk.rootfs.overlay"] = "false"'
	eq "" "$(h run c1 2>&1)" "overlay off"
	clean
}

test_volatile_annotation() {
	overlay_bundle
	cfg '.annotations["husk.rootfs.overlay.volatile"] = "true"'
	args sh -c 'grep " / / " /proc/self/mountinfo | grep -c volatile'
	eq 1 "$(h run c1 2>&1)" "volatile option"
	clean
}

test_overlay_rootfs_in_user_namespace() {
	overlay_bundle
	chmod 755 "$WORK"
	cfg '.linux.namespaces += [{"type": "user"}]
	     | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
	     | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	args sh -c 'echo hi >/newfile; stat -c %u /newfile /; sleep 100'
	h create c1
	h start c1
	sleep 0.3
	eq 100000 "$(stat -c %u "$ROOT/c1/overlay/upper/newfile")" "owner of the write on the host"
	eq 100000 "$(stat -c %u "$ROOT/c1/overlay/upper")" "owner of the upper dir"
	h delete --force c1
	clean
}

test_annotation_and_root_overlay_entry_conflict() {
	overlay_bundle
	mkdir -p "$WORK/up" "$WORK/wk"
	cfg ".mounts += [{\"destination\": \"/\", \"type\": \"overlay\", \"source\": \"overlay\",
	      \"options\": [\"lowerdir=$BUNDLE/rootfs\", \"upperdir=$WORK/up\", \"workdir=$WORK/wk\"]}]"
	args true
	expect_fail 1 'both define the rootfs' h run c1
	clean
}

run_tests
