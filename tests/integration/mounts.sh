#!/bin/sh
# Mounts as the container sees them: every option class read back from
# /proc/self/mountinfo inside, bind vs rbind, propagation, tmpcopyup, rro,
# overlay entries, custom device nodes, and destinations that try to leave
# the rootfs through symlinks.
. "$(dirname "$0")/lib.sh"

# add_mount JSON: appends one mounts[] entry.
add_mount() {
	cfg ".mounts += [$1]"
}

# mnt_opts DEST: the per-mount options (field 6) of DEST inside.
mnt_opts() {
	inside "awk '\$5 == \"$1\" {print \$6}' /proc/self/mountinfo"
}

# fstype_of DEST: awk program printing the filesystem type mounted on DEST.
fstype_of() {
	echo "awk '\$5 == \"$1\" {for (i = 7; \$i != \"-\"; i++); print \$(i + 1)}' /proc/self/mountinfo"
}

has_word() {
	case ",$2," in *",$1,"*) return 0 ;; esac
	return 1
}

test_flag_options_read_back() {
	make_bundle
	add_mount '{"destination": "/m", "type": "tmpfs", "source": "tmpfs",
	            "options": ["ro", "nosuid", "nodev", "noexec", "noatime"]}'
	opts=$(mnt_opts /m)
	for w in ro nosuid nodev noexec noatime; do
		has_word "$w" "$opts" || fail "/m options '$opts' lack $w"
	done
	cfg '.mounts[-1].options = ["rw", "nodiratime"]'
	opts=$(mnt_opts /m)
	has_word rw "$opts" || fail "/m options '$opts' lack rw"
	has_word nodiratime "$opts" || fail "/m options '$opts' lack nodiratime"
	has_word nosuid "$opts" && fail "/m options '$opts' have nosuid"
	clean
}

test_atime_options_read_back() {
	make_bundle
	add_mount '{"destination": "/m", "type": "tmpfs", "source": "tmpfs", "options": ["relatime"]}'
	has_word relatime "$(mnt_opts /m)" || fail "relatime missing"
	# strictatime: neither relatime nor noatime is shown
	cfg '.mounts[-1].options = ["strictatime"]'
	opts=$(mnt_opts /m)
	has_word relatime "$opts" && fail "strictatime mount shows relatime: $opts"
	has_word noatime "$opts" && fail "strictatime mount shows noatime: $opts"
	clean
}

test_sync_dirsync_are_superblock_options() {
	make_bundle
	add_mount '{"destination": "/m", "type": "tmpfs", "source": "tmpfs", "options": ["sync", "dirsync"]}'
	# field after " - type source": the superblock options
	sb=$(inside "grep ' /m ' /proc/self/mountinfo | sed 's/.* - [^ ]* [^ ]* //'")
	has_word sync "$sb" || fail "superblock options '$sb' lack sync"
	has_word dirsync "$sb" || fail "superblock options '$sb' lack dirsync"
	clean
}

test_data_options_reach_the_filesystem() {
	make_bundle
	add_mount '{"destination": "/m", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k", "mode=710"]}'
	eq "710 64" "$(inside 'stat -c %a /m; df -k /m | awk "NR==2 {print \$2}"' | tr '\n' ' ' | sed 's/ $//')" \
		"mode and size of /m"
	clean
}

# A bind source with a submount: bind leaves the submount out, rbind takes it.
setup_src_with_submount() {
	mkdir -p "$WORK/src/sub"
	echo top >"$WORK/src/file"
	mount -t tmpfs -o size=1m husk-sub "$WORK/src/sub"
	echo under >"$WORK/src/sub/marker"
	trap 'umount -l "$WORK/src/sub" 2>/dev/null || :' EXIT
}

test_bind_vs_rbind_submounts() {
	make_bundle
	setup_src_with_submount
	add_mount "{\"destination\": \"/b\", \"type\": \"bind\", \"source\": \"$WORK/src\", \"options\": [\"bind\"]}"
	eq "top absent" "$(inside 'cat /b/file; cat /b/sub/marker 2>/dev/null || echo absent' | tr '\n' ' ' | sed 's/ $//')" \
		"bind without the submount"
	cfg '.mounts[-1].options = ["rbind"]'
	eq "top under" "$(inside 'cat /b/file; cat /b/sub/marker' | tr '\n' ' ' | sed 's/ $//')" \
		"rbind with the submount"
	umount "$WORK/src/sub"
	clean
}

test_ro_vs_rro_on_submounts() {
	make_bundle
	setup_src_with_submount
	add_mount "{\"destination\": \"/b\", \"type\": \"bind\", \"source\": \"$WORK/src\", \"options\": [\"rbind\", \"ro\"]}"
	# plain ro covers the top mount only
	out=$(inside 'touch /b/x 2>/dev/null && echo top-rw || echo top-ro; touch /b/sub/x 2>/dev/null && echo sub-rw || echo sub-ro')
	eq "top-ro sub-rw" "$(echo $out)" "ro on an rbind"
	cfg '.mounts[-1].options = ["rbind", "rro"]'
	out=$(inside 'touch /b/x 2>/dev/null && echo top-rw || echo top-ro; touch /b/sub/x 2>/dev/null && echo sub-rw || echo sub-ro')
	eq "top-ro sub-ro" "$(echo $out)" "rro on an rbind"
	has_word ro "$(mnt_opts /b/sub)" || fail "submount not ro in mountinfo"
	umount "$WORK/src/sub"
	clean
}

# propagation WORD: whether a host mount made under a shared bind source
# after the container started shows up inside ("yes"/"no").
propagation_seen() {
	cfg ".mounts = [.mounts[] | select(.destination != \"/p\")]"
	add_mount "{\"destination\": \"/p\", \"type\": \"bind\", \"source\": \"$WORK/shared\", \"options\": [\"rbind\", \"$1\"]}"
	args sleep 100
	h create c1
	h start c1
	mkdir -p "$WORK/shared/late"
	mount -t tmpfs -o size=1m husk-late "$WORK/shared/late"
	seen=$(h exec c1 sh -c 'grep -q " /p/late " /proc/self/mountinfo && echo yes || echo no')
	umount "$WORK/shared/late"
	h delete --force c1
	echo "$seen"
}

test_bind_propagation() {
	make_bundle
	mkdir -p "$WORK/shared"
	mount --bind "$WORK/shared" "$WORK/shared"
	mount --make-shared "$WORK/shared"
	trap 'umount -l "$WORK/shared/late" 2>/dev/null || :; umount -l "$WORK/shared" 2>/dev/null || :' EXIT
	eq yes "$(propagation_seen rslave)" "host mount seen with rslave"
	eq yes "$(propagation_seen rshared)" "host mount seen with rshared"
	eq no "$(propagation_seen rprivate)" "host mount seen with rprivate"
	umount "$WORK/shared"
	clean
}

test_tmpcopyup_copies_the_hidden_directory() {
	make_bundle
	mkdir -p rootfs/etc/app/conf.d
	echo value >rootfs/etc/app/conf.d/a.conf
	chmod 0640 rootfs/etc/app/conf.d/a.conf
	ln -s conf.d/a.conf rootfs/etc/app/link
	chmod 0750 rootfs/etc/app
	add_mount '{"destination": "/etc/app", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "nosuid"]}'
	out=$(inside "$(fstype_of /etc/app)"'; cat /etc/app/link;
		stat -c %a /etc/app /etc/app/conf.d/a.conf; echo new >/etc/app/added; cat /etc/app/added')
	eq "tmpfs value 750 640 new" "$(echo $out)" "copied tree inside the tmpfs"
	[ ! -e rootfs/etc/app/added ] || fail "a write in the tmpfs reached the rootfs"
	# read-only tmpfs: copied first, then made read-only
	cfg '.mounts[-1].options = ["tmpcopyup", "ro"]'
	out=$(inside 'cat /etc/app/conf.d/a.conf; touch /etc/app/x 2>/dev/null && echo rw || echo ro')
	eq "value ro" "$(echo $out)" "read-only tmpcopyup"
	clean
}

test_tmpcopyup_needs_tmpfs() {
	make_bundle
	add_mount '{"destination": "/m", "type": "proc", "source": "proc", "options": ["tmpcopyup"]}'
	args true
	expect_fail 1 'tmpcopyup needs type "tmpfs"' h run c1
	clean
}

# idmap_mount OPTIONS_JSON: a bind of $WORK/src on /b mapping on-disk ids
# 0 -> 1000 (uids) and 0 -> 2000 (gids).
idmap_mount() {
	add_mount "{\"destination\": \"/b\", \"type\": \"bind\", \"source\": \"$WORK/src\", \"options\": $1,
	            \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],
	            \"gidMappings\": [{\"containerID\": 0, \"hostID\": 2000, \"size\": 1}]}"
}

test_idmap_shows_mapped_owners() {
	make_bundle
	mkdir -p "$WORK/src"
	echo x >"$WORK/src/root-owned"
	echo y >"$WORK/src/other"
	chown 5:5 "$WORK/src/other"
	idmap_mount '["bind", "idmap"]'
	eq "1000 2000 65534 65534" "$(inside 'stat -c "%u %g" /b/root-owned /b/other' | tr '\n' ' ' | sed 's/ $//')" \
		"owners through the idmapped mount"
	eq "0 0" "$(stat -c '%u %g' "$WORK/src/root-owned")" "owner on the host"
	clean
}

test_ridmap_maps_submounts_and_idmap_does_not() {
	make_bundle
	setup_src_with_submount
	idmap_mount '["rbind", "idmap"]'
	eq "1000 0" "$(inside 'stat -c %u /b/file /b/sub/marker' | tr '\n' ' ' | sed 's/ $//')" "idmap on an rbind"
	cfg '.mounts[-1].options = ["rbind", "ridmap"]'
	eq "1000 1000" "$(inside 'stat -c %u /b/file /b/sub/marker' | tr '\n' ' ' | sed 's/ $//')" "ridmap"
	umount "$WORK/src/sub"
	clean
}

# The common use: host files owned by root appear owned by the root of a
# container with its own user namespace, and its writes land as host root.
test_idmap_in_user_namespace() {
	make_bundle
	chmod 755 "$WORK"
	mkdir -p "$WORK/src" rootfs/b
	echo x >"$WORK/src/file"
	cfg '.linux.namespaces += [{"type": "user"}]
	     | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
	     | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	add_mount "{\"destination\": \"/b\", \"type\": \"bind\", \"source\": \"$WORK/src\", \"options\": [\"bind\", \"idmap\"],
	            \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],
	            \"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]}"
	eq "0 0 w" "$(inside 'stat -c "%u %g" /b/file; echo w >/b/new && cat /b/new' | tr '\n' ' ' | sed 's/ $//')" \
		"root-owned file seen by the container's root"
	eq "0 0" "$(stat -c '%u %g' "$WORK/src/new")" "owner of the container's write on the host"
	clean
}

test_idmap_needs_mappings_and_a_bind() {
	make_bundle
	mkdir -p "$WORK/src"
	add_mount "{\"destination\": \"/b\", \"type\": \"bind\", \"source\": \"$WORK/src\", \"options\": [\"bind\", \"idmap\"]}"
	args true
	expect_fail 1 'mount on "/b": idmap: uidMappings and gidMappings are required' h run c1
	cfg '.mounts[-1] = {"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["ridmap"],
	     "uidMappings": [{"containerID": 0, "hostID": 1, "size": 1}],
	     "gidMappings": [{"containerID": 0, "hostID": 1, "size": 1}]}'
	expect_fail 1 'mount on "/t": idmap: only bind mounts with a source can be idmapped' h run c1
	clean
}

test_custom_device_node() {
	make_bundle
	cfg '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3,
	                        "fileMode": 384, "uid": 1000, "gid": 1000}]'
	eq "1 3 600 1000 1000" "$(inside 'stat -c "%t %T %a %u %g" /dev/mynull')" "device node"
	eq "c" "$(inside 'stat -c %F /dev/mynull | cut -c1')" "character device"
	clean
}

# A symlink in the rootfs must resolve inside it: tmpfs on /etc/x with
# /etc -> / lands on the rootfs's /x, never on the host's.
test_symlink_to_root_stays_in_rootfs() {
	make_bundle
	name="husk-sentinel-$$"
	rm -rf rootfs/etc
	ln -s / rootfs/etc
	add_mount "{\"destination\": \"/etc/$name\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}"
	out=$(inside "$(fstype_of "/$name")")
	eq tmpfs "$out" "mount inside the rootfs at /$name"
	[ ! -e "/$name" ] || { rm -rf "/$name"; fail "husk created /$name on the host"; }
	[ -d "rootfs/$name" ] || fail "the mount point was not created in the rootfs"
	clean
}

test_dotdot_symlink_stays_in_rootfs() {
	make_bundle
	sentinel="/tmp/husk-sentinel-dir-$$"
	mkdir -p "$sentinel"
	echo keep >"$sentinel/file"
	trap 'rm -rf "$sentinel"' EXIT
	ln -s "../../../../../../../..$sentinel" rootfs/data
	add_mount '{"destination": "/data/sub", "type": "tmpfs", "source": "tmpfs"}'
	add_mount "{\"destination\": \"/data/file\", \"type\": \"bind\", \"source\": \"$BUNDLE/config.json\", \"options\": [\"bind\"]}"
	out=$(inside "awk '\$5 ~ /husk-sentinel/ {print \$5}' /proc/self/mountinfo")
	eq "$sentinel/sub $sentinel/file" "$(echo $out)" "mounts inside the rootfs"
	eq "file" "$(ls "$sentinel")" "host sentinel directory"
	eq keep "$(cat "$sentinel/file")" "host sentinel file"
	[ -d "rootfs$sentinel/sub" ] || fail "the mount point was not created in the rootfs"
	clean
}

test_symlinked_destination_for_a_file_bind() {
	make_bundle
	echo secret >"$WORK/hostfile"
	ln -s /../../../../etc/passwd rootfs/pw
	add_mount "{\"destination\": \"/pw\", \"type\": \"bind\", \"source\": \"$BUNDLE/config.json\", \"options\": [\"bind\", \"ro\"]}"
	eq yes "$(inside 'grep -q ociVersion /etc/passwd && echo yes')" \
		"bind landed on the rootfs's /etc/passwd"
	grep -q ociVersion /etc/passwd && fail "the host's /etc/passwd was covered"
	clean
}

test_proc_destination_guard() {
	make_bundle
	add_mount '{"destination": "/proc/sys", "type": "tmpfs", "source": "tmpfs"}'
	args true
	expect_fail 1 'only proc may be mounted in /proc' h run c1
	clean
}

# An overlay entry built from host directories; the write goes to upper.
test_overlay_mount_entry() {
	make_bundle
	mkdir -p "$WORK/l1" "$WORK/l2" "$WORK/up" "$WORK/wk"
	echo one >"$WORK/l1/a"
	echo two >"$WORK/l2/a"
	echo low >"$WORK/l2/b"
	add_mount "{\"destination\": \"/ov\", \"type\": \"overlay\", \"source\": \"overlay\",
	            \"options\": [\"lowerdir=$WORK/l1:$WORK/l2\", \"upperdir=$WORK/up\", \"workdir=$WORK/wk\", \"volatile\"]}"
	out=$(inside 'cat /ov/a /ov/b; echo w >/ov/c; grep " /ov " /proc/self/mountinfo | grep -c volatile')
	eq "one low 1" "$(echo $out)" "overlay view"
	eq w "$(cat "$WORK/up/c")" "write in upperdir"
	[ ! -e "$WORK/l1/c" ] || fail "write reached a lower"
	clean
}

# An overlay entry on "/" replaces the rootfs bind.
test_overlay_entry_as_rootfs() {
	make_bundle
	mkdir -p "$WORK/up" "$WORK/wk"
	cfg '.root.readonly = false'
	add_mount "{\"destination\": \"/\", \"type\": \"overlay\", \"source\": \"overlay\",
	            \"options\": [\"lowerdir=$BUNDLE/rootfs\", \"upperdir=$WORK/up\", \"workdir=$WORK/wk\"]}"
	out=$(inside "$(fstype_of /)"'; echo hi >/written; cat /written')
	eq "overlay hi" "$(echo $out)" "root is the overlay"
	eq hi "$(cat "$WORK/up/written")" "write in upperdir"
	[ ! -e rootfs/written ] || fail "write reached the lower"
	clean
}

# In a user namespace the entry needs userxattr (no trusted.* xattrs) and
# layers the mapped root can write.
test_overlay_entry_in_user_namespace() {
	make_bundle
	chmod 755 "$WORK"
	mkdir -p "$WORK/l1" "$WORK/up" "$WORK/wk" rootfs/ov
	echo low >"$WORK/l1/a"
	chown 100000:100000 "$WORK/up" "$WORK/wk"
	cfg '.linux.namespaces += [{"type": "user"}]
	     | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
	     | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	add_mount "{\"destination\": \"/ov\", \"type\": \"overlay\", \"source\": \"overlay\",
	            \"options\": [\"lowerdir=$WORK/l1\", \"upperdir=$WORK/up\", \"workdir=$WORK/wk\", \"userxattr\"]}"
	out=$(inside 'cat /ov/a; echo w >/ov/c; grep " /ov " /proc/self/mountinfo | grep -c userxattr')
	eq "low 1" "$(echo $out)" "overlay view in a user namespace"
	eq "100000 w" "$(stat -c %u "$WORK/up/c") $(cat "$WORK/up/c")" "owner and content in upper"
	clean
}

run_tests
