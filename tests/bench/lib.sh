# Functions of tests/bench/bench.sh: set-up, the plans each phase hands to
# the driver (tests/bench/driver.c documents the plan format), cleanup.
# The report and the plot live in report.sh.  Sourced, not run.
# $(rtc RUNTIME) and $FLOOR are split into words on purpose (no path here
# holds white space: bench.sh refuses such paths).
# shellcheck disable=SC2046,SC2086,SC2015,SC2154

die() {
	echo "bench: $*" >&2
	exit 1
}

note() {
	echo "bench: $*" >&2
}

# fact KIND A B VALUE: one line of facts.tsv, which the report reads.
fact() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$OUT/facts.tsv"
}

bin_of() { # RUNTIME: its binary, or nothing when it is not installed
	case $1 in
	husk) echo "$HUSK" ;;
	*) command -v "$1" || : ;;
	esac
}

rtc() { # RUNTIME: the words that start one of its commands on our state root
	echo "$(bin_of "$1") --root $STATE/$1"
}

# What the bench needs beyond `make deps`.  crun and runc are Debian's own
# packages; installing them is part of the bench, not of the build.
install_missing() {
	pkgs="runc crun busybox-static jq"
	[ "$PLOT" = 0 ] || pkgs="$pkgs gnuplot-nox"
	missing=
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	if ! command -v apt-get >/dev/null; then
		note "missing:$missing (no apt-get here: runtimes missing are left out)"
		return 0
	fi
	note "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # one word per package
	apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null; } ||
		note "could not install$missing: runtimes missing are left out"
}

# One rootfs, three configs.  ociVersion is 1.0.2 because crun 1.8 (Debian
# 12) refuses 1.2.0 outright, and these configs use nothing newer.  The
# rootfs path is absolute so the other bundles share it (runc refuses a
# symlinked rootfs).
make_bundles() {
	b=$OUT/bundle
	if [ ! -x "$b/rootfs/bin/busybox" ] || [ ! -L "$b/rootfs/bin/true" ]; then
		rm -rf "$b"
		sh contrib/mkbundle.sh "$b" "$HUSK" >/dev/null || die "cannot build the bundle"
		mv "$b/config.json" "$b/spec.json"
	fi
	set_config "$b" '.process.args = ["/bin/true"]'
	set_config "$OUT/bundle-sleep" '.process.args = ["/bin/sleep", "1000000"]'
	# Docker's default profile, as Docker, containerd and podman pass it
	jq -c .linux.seccomp tests/fixtures/seccomp/docker-default.json >"$OUT/seccomp.json" ||
		die "cannot read the seccomp fixture"
	set_config "$OUT/bundle-seccomp" '.process.args = ["/bin/true"] |
		.linux.seccomp = $seccomp[0]' --slurpfile seccomp "$OUT/seccomp.json"
	# husk's own bridge network (docs/network.md), on a subnet of its own
	set_config "$OUT/bundle-net" '.process.args = ["/bin/true"] |
		.annotations["husk.net"] = "bridge" | .annotations["husk.net.bridge"] = "huskbench0" |
		.annotations["husk.net.subnet"] = "10.231.0.0/16"'
	jq '.process.args = ["/bin/sleep", "1000000"]' "$OUT/bundle-net/config.json" \
		>"$OUT/bundle-net.sleep.json" || die "cannot write the sleeping network bundle"
	mkdir -p "$OUT/bundle-net-sleep" && mv "$OUT/bundle-net.sleep.json" "$OUT/bundle-net-sleep/config.json"
	set_config "$OUT/bundle-limits" '.process.args = ["/bin/true"] |
		.linux.resources.memory = {"limit": 268435456} |
		.linux.resources.cpu = {"quota": 50000, "period": 100000} |
		.linux.resources.pids = {"limit": 128}'
}

set_config() { # DIR JQ-FILTER [JQ-ARG...]: DIR/config.json from the spec husk wrote
	dir=$1 filter=$2
	shift 2
	mkdir -p "$dir"
	jq "$@" --arg root "$OUT/bundle/rootfs" '.ociVersion = "1.0.2" | .process.terminal = false |
		.root = {"path": $root, "readonly": true} | '"$filter" "$OUT/bundle/spec.json" >"$dir/config.json.tmp" &&
		mv "$dir/config.json.tmp" "$dir/config.json" || die "cannot write $dir/config.json"
}

# Every container of every runtime goes, on success, failure or interrupt.
cleanup() {
	rc=$?
	trap - EXIT INT TERM HUP
	for rt in $RUNTIMES; do
		[ -d "$STATE/$rt" ] && [ -n "$(bin_of "$rt")" ] || continue
		for id in $($(rtc "$rt") list -q 2>/dev/null); do
			$(rtc "$rt") delete --force "$id" >/dev/null 2>&1 ||
				note "cannot delete $rt container '$id'"
		done
	done
	rm -rf "$STATE"
	exit "$rc"
}

cgroup_mode() {
	if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
		echo v2
	elif grep -q ' /sys/fs/cgroup/unified cgroup2 ' /proc/mounts; then
		echo hybrid
	else
		echo v1
	fi
}

# Runs the bundle once per runtime: those that refuse it leave the bench.
probe_runtimes() {
	ACTIVE=
	fact machine nproc - "$(nproc)"
	fact machine kernel - "$(uname -r)"
	fact machine cpu - "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	fact machine cgroup - "$(cgroup_mode)"
	fact machine date - "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	fact param n - "$N"
	for rt in $RUNTIMES; do
		bin=$(bin_of "$rt")
		if [ -z "$bin" ]; then
			fact na all "$rt" "not installed"
			note "$rt: n/a: not installed"
			continue
		fi
		fact version "$rt" - "$("$bin" --version 2>/dev/null | head -n 1)"
		if $(rtc "$rt") run --bundle "$OUT/bundle" "$rt-probe" </dev/null >/dev/null 2>"$OUT/probe.err"; then
			ACTIVE="$ACTIVE $rt"
		else
			why=$(grep -m 1 . "$OUT/probe.err" || echo "exit status $?")
			fact na all "$rt" "$why"
			note "$rt: n/a: $why"
			$(rtc "$rt") delete --force "$rt-probe" >/dev/null 2>&1 || :
		fi
	done
	ACTIVE=${ACTIVE# }
}

# A runtime whose features document says it has no cgroup support of this
# host's kind would run the limits config without applying it: not timed.
probe_limits() {
	LIMITED=
	kind=v1
	[ "$(cgroup_mode)" != v2 ] || kind=v2
	for rt in $ACTIVE; do
		# (crun 1.8 has no features command; jq 1.6 -e passes on empty input)
		feat=$("$(bin_of "$rt")" features 2>/dev/null) || feat=
		if [ -n "$feat" ] && echo "$feat" | jq -e ".linux.cgroup.$kind == false" >/dev/null 2>&1; then
			fact na run-limits "$rt" "its features say no cgroup $kind support: the limits would not be applied"
			note "$rt: cgroup limits n/a: no cgroup $kind support"
		elif $(rtc "$rt") run --bundle "$OUT/bundle-limits" "$rt-lprobe" </dev/null >/dev/null 2>"$OUT/probe.err"; then
			LIMITED="$LIMITED $rt"
		else
			why=$(grep -m 1 . "$OUT/probe.err" || echo "exit status $?")
			fact na run-limits "$rt" "$why"
			note "$rt: cgroup limits n/a: $why"
			$(rtc "$rt") delete --force "$rt-lprobe" >/dev/null 2>&1 || :
		fi
	done
	LIMITED=${LIMITED# }
}

# Container counts kept for the scaling figures: 10, 100 and 1000 for a full
# run, less for a small N; a level the memory cannot hold (runc's waiting
# init keeps about 10 MB) is left out and said so.
pick_scale_levels() {
	if [ -n "${BENCH_SCALE:-}" ]; then
		want=$BENCH_SCALE
	elif [ "$N" -ge 200 ]; then
		want="10 100 1000"
	elif [ "$N" -ge 20 ]; then
		want="10 100"
	else
		want=$N
	fi
	avail=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	per=0 # KiB per created container, all runtimes together, with a margin
	for rt in $ACTIVE; do
		case $rt in runc) per=$((per + 12288)) ;; *) per=$((per + 4096)) ;; esac
	done
	LEVELS=
	for l in $want; do
		if [ $((l * per)) -gt "$avail" ]; then
			note "scale level $l left out: $((avail / 1024)) MiB of memory available"
			fact na "scale$l" all "not enough memory"
		else
			LEVELS="$LEVELS $l"
		fi
	done
	LEVELS=${LEVELS# }
	SCALE_M=$((N < 20 ? N : 20))
	SCALE_HAVE=0
}

step() { # KIND WORD...: one plan line (words may not hold tabs)
	printf '%s' "$1"
	shift
	for w in "$@"; do printf '\t%s' "$w"; done
	printf '\n'
}

# phase NAME TITLE PLAN-FUNCTION [ARG...]: writes the plan, has it run.
phase() {
	name=$1 title=$2
	shift 2
	plan=$OUT/plan.$name
	"$@" >"$plan"
	t0=$(date +%s)
	note "$title"
	"$DRIVER" run <"$plan" >>"$OUT/raw.tsv" || die "phase '$name' broke off (see above)"
	note "  ... $(($(date +%s) - t0)) s"
}

FLOOR="unshare --fork --pid --mount --uts --ipc --net --mount-proc /bin/true"

plan_run() {
	i=1
	while [ "$i" -le "$N" ]; do
		for rt in $ACTIVE; do
			step T "run.$rt" $(rtc "$rt") run --bundle "$OUT/bundle" "$rt-run-$i"
		done
		step T run.floor $FLOOR
		i=$((i + 1))
	done
}

plan_lifecycle() {
	i=1
	while [ "$i" -le "$N" ]; do
		for rt in $ACTIVE; do
			id=$rt-lc-$i
			step T "create.$rt" $(rtc "$rt") create --bundle "$OUT/bundle" "$id"
			step T "start.$rt" $(rtc "$rt") start "$id"
			step W sh -c "$(rtc "$rt") state $id | grep -q '\"stopped\"'"
			step T "delete.$rt" $(rtc "$rt") delete "$id"
		done
		i=$((i + 1))
	done
}

plan_exec() {
	for rt in $ACTIVE; do
		step U $(rtc "$rt") create --bundle "$OUT/bundle-sleep" "$rt-exec"
		step U $(rtc "$rt") start "$rt-exec"
	done
	i=1
	while [ "$i" -le "$N" ]; do
		for rt in $ACTIVE; do
			step T "exec.$rt" $(rtc "$rt") exec "$rt-exec" /bin/true
		done
		i=$((i + 1))
	done
	for rt in $ACTIVE; do
		step U $(rtc "$rt") delete --force "$rt-exec"
	done
}

plan_seccomp() {
	i=1
	while [ "$i" -le "$N" ]; do
		for rt in $ACTIVE; do
			step T "run-seccomp.$rt" $(rtc "$rt") run --bundle "$OUT/bundle-seccomp" "$rt-sec-$i"
		done
		i=$((i + 1))
	done
}

# husk alone: the other runtimes leave networking to their callers.
probe_net() {
	NETWORKED=
	case " $ACTIVE " in *" husk "*) ;; *) return 0 ;; esac
	if $(rtc husk) run --bundle "$OUT/bundle-net" husk-nprobe </dev/null >/dev/null 2>"$OUT/probe.err"; then
		NETWORKED=husk
	else
		why=$(grep -m 1 . "$OUT/probe.err" || echo "exit status $?")
		fact na run-net husk "$why"
		note "husk: bridge network n/a: $why"
		$(rtc husk) delete --force husk-nprobe >/dev/null 2>&1 || :
	fi
}

# One container keeps the bridge and its table up meanwhile, as on a host
# that runs containers: without it every run would make and remove both.
plan_net() {
	step U $(rtc husk) run -d --bundle "$OUT/bundle-net-sleep" husk-net-keeper
	i=1
	while [ "$i" -le "$N" ]; do
		step T run-net.husk $(rtc husk) run --bundle "$OUT/bundle-net" "husk-net-$i"
		i=$((i + 1))
	done
	step U $(rtc husk) delete --force husk-net-keeper
}

plan_limits() {
	i=1
	while [ "$i" -le "$N" ]; do
		for rt in $LIMITED; do
			step T "run-limits.$rt" $(rtc "$rt") run --bundle "$OUT/bundle-limits" "$rt-lim-$i"
		done
		i=$((i + 1))
	done
}

# Tops the created (never started) containers up to LEVEL, then times a run
# and a list SCALE_M times per runtime.
plan_scale() {
	level=$1
	k=$((SCALE_HAVE + 1))
	while [ "$k" -le "$level" ]; do
		for rt in $ACTIVE; do
			step U $(rtc "$rt") create --bundle "$OUT/bundle" "$rt-idle-$k"
		done
		k=$((k + 1))
	done
	SCALE_HAVE=$level
	j=1
	while [ "$j" -le "$SCALE_M" ]; do
		for rt in $ACTIVE; do
			step T "scale$level-run.$rt" $(rtc "$rt") run --bundle "$OUT/bundle" "$rt-sr$level-$j"
			step T "scale$level-list.$rt" $(rtc "$rt") list
		done
		j=$((j + 1))
	done
}

plan_scale_cleanup() {
	k=1
	while [ "$k" -le "$SCALE_HAVE" ]; do
		for rt in $ACTIVE; do
			step U $(rtc "$rt") delete --force "$rt-idle-$k"
		done
		k=$((k + 1))
	done
}

# The size of a stripped copy: what a distribution would ship.
binary_sizes() {
	for rt in $RUNTIMES; do
		bin=$(bin_of "$rt")
		[ -n "$bin" ] || continue
		if strip -o "$OUT/$rt.stripped" "$bin" 2>/dev/null; then
			fact size "$rt" - "$(stat -c %s "$OUT/$rt.stripped")"
		else
			fact size "$rt" - "$(stat -c %s "$bin")"
		fi
		rm -f "$OUT/$rt.stripped"
	done
}

. "$top/tests/bench/report.sh"
