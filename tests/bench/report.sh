# The bench's outputs from stats.tsv and facts.tsv (both written by
# bench.sh): the table on stdout (also table.md), results.json, the latency
# plot, and the final verdict.  Sourced by lib.sh, not run.
# shellcheck disable=SC2154 # top, OUT and the settings come from bench.sh

# The rows of the table: label, metric (the part of a driver key before the
# dot), and which figure: med p90 p99 cps (1 / mean) rss size.
report_rows() {
	cat <<-EOF
		run /bin/true, median (ms)|run|med
		run, p90 (ms)|run|p90
		run, p99 (ms)|run|p99
		run, containers/s|run|cps
		create, median (ms)|create|med
		start, median (ms)|start|med
		delete, median (ms)|delete|med
		exec /bin/true, median (ms)|exec|med
		exec, p90 (ms)|exec|p90
		exec, p99 (ms)|exec|p99
		run with Docker's seccomp profile, median (ms)|run-seccomp|med
		run with cgroup limits, median (ms)|run-limits|med
		run with husk's bridge network, median (ms)|run-net|med
		peak RSS, run (KiB)|run|rss
		peak RSS, create (KiB)|create|rss
		peak RSS, exec (KiB)|exec|rss
		binary, stripped (KiB)|size|size
	EOF
	for l in $LEVELS; do
		echo "run, $l created, median (ms)|scale$l-run|med"
		echo "list, $l created, median (ms)|scale$l-list|med"
	done
}

report() {
	report_rows >"$OUT/rows.txt"
	awk -F'\t' -v runtimes="$RUNTIMES" -v json="$OUT/results.json" \
		-f "$top/tests/bench/report.awk" "$OUT/facts.tsv" "$OUT/stats.tsv" "$OUT/rows.txt" |
		tee "$OUT/table.md"
	rm -f "$OUT/rows.txt"
	echo
	echo "results: $OUT/results.json (per figure), $OUT/raw.tsv (every timed command)"
}

# The run latency distributions: one cumulative curve per runtime.
plot() {
	command -v gnuplot >/dev/null || {
		note "gnuplot missing: no plot"
		return 0
	}
	mkdir -p "$OUT/plot"
	curves=
	for rt in $ACTIVE floor; do
		dat=$OUT/plot/run.$rt.dat
		awk -F'\t' -v k="run.$rt" '$1 == k && $4 == 0 { print $2 / 1e6 }' "$OUT/raw.tsv" | sort -g |
			awk '{ v[NR] = $1 } END { for (i = 1; i <= NR; i++) print v[i], i / NR }' >"$dat"
		[ -s "$dat" ] || continue
		title=$rt
		[ "$rt" != floor ] || title="floor (unshare)"
		curves="$curves${curves:+, }'$dat' using 1:2 with steps linewidth 2 title '$title'"
	done
	[ -n "$curves" ] || return 0
	gnuplot <<-EOF || note "gnuplot failed: no plot"
		set terminal svg size 900,500 dynamic background rgb 'white'
		set output '$OUT/latency.svg'
		set title 'run of /bin/true: latency distribution (N=$N, $(uname -r), $(nproc) CPUs)'
		set xlabel 'latency (ms, log scale)'
		set ylabel 'fraction of runs at most this long'
		set logscale x
		set grid
		set key bottom right
		set yrange [0:1]
		plot $curves
	EOF
	[ ! -s "$OUT/latency.svg" ] || echo "plot: $OUT/latency.svg"
}

# Any timed command that failed fails the bench (a runtime refused at the
# probe never got that far).  Speed never does.
check_failures() {
	awk -F'\t' '$3 > 0 { printf "bench: %s failed %d of %d times: %s\n", $1, $3, $2 + $3, $10; bad = 1 }
		END { exit bad }' "$OUT/stats.tsv" >&2 || die "failures above"
}
