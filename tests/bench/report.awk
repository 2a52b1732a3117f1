# Reads facts.tsv, stats.tsv (tests/bench/driver.c stats) and the row list
# (label|metric|figure), prints the table (markdown pipes, readable as plain
# text) and writes the same figures as JSON to the file `json`.
# Variables: runtimes (the runtimes asked for, in column order), json.

function jstr(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	gsub(/\t/, " ", s)
	return "\"" s "\""
}

function jnum(s) {
	return (s == "-" || s == "") ? "null" : s
}

# The raw figure (a number) or "" when there is none.
function raw(metric, rt, fig, key) {
	if (fig == "size")
		return (rt in size) ? size[rt] / 1024 : ""
	key = metric "." rt
	if (!(key in ok) || ok[key] == 0)
		return ""
	if (fig == "med") return med[key] / 1000
	if (fig == "p90") return p90[key] / 1000
	if (fig == "p99") return p99[key] / 1000
	if (fig == "cps") return 1e6 / mean[key]
	if (fig == "rss") return rss[key]
	return ""
}

function cell(metric, rt, fig, v) {
	if (fig != "size" && rt != "floor" && (("all" SUBSEP rt) in na || (metric SUBSEP rt) in na))
		return "n/a"
	v = raw(metric, rt, fig)
	if (v == "")
		return rt == "floor" ? "" : "-"
	if (fig == "cps" && v < 10)
		return sprintf("%.2f", v)
	if (fig == "cps" || fig == "rss" || fig == "size")
		return sprintf("%d", v + 0.5)
	return sprintf("%.2f", v)
}

function ratio(metric, other, fig, a, b) {
	if (fig != "size" && ("all" SUBSEP other) in na)
		return "n/a"
	a = raw(metric, "husk", fig)
	b = raw(metric, other, fig)
	if (a == "" || b == "" || b == 0)
		return ""
	return sprintf("%.2f", a / b)
}

FILENAME ~ /facts.tsv$/ {
	if ($1 == "na") {
		na[$2, $3] = $4
		na_order[++n_na] = $2 SUBSEP $3
	} else if ($1 == "size") {
		size[$2] = $4
	} else if ($1 == "version") {
		version[$2] = $4
	} else {
		fact[$1, $2] = $4
	}
	next
}

FILENAME ~ /stats.tsv$/ {
	ok[$1] = $2; failed[$1] = $3; med[$1] = $4; p90[$1] = $5; p99[$1] = $6
	min[$1] = $7; mean[$1] = $8; rss[$1] = $9; err[$1] = $10
	keys[++n_keys] = $1
	next
}

{
	split($0, r, "|")
	rows[++n_rows] = $0
}

END {
	n_rt = split(runtimes " floor", rt, " ")
	printf "machine: %s CPUs (%s), kernel %s, cgroup %s, %s; N=%s\n",
		fact["machine", "nproc"], fact["machine", "cpu"], fact["machine", "kernel"],
		fact["machine", "cgroup"], fact["machine", "date"], fact["param", "n"]
	for (i = 1; i < n_rt; i++)
		if (rt[i] in version)
			printf "%s: %s\n", rt[i], version[rt[i]]
	print ""
	head = "| figure |"
	line = "| --- |"
	for (i = 1; i <= n_rt; i++) {
		head = head " " (rt[i] == "floor" ? "floor (unshare)" : rt[i]) " |"
		line = line " ---: |"
	}
	print head " husk/crun | husk/runc |"
	print line " ---: | ---: |"
	for (j = 1; j <= n_rows; j++) {
		split(rows[j], r, "|")
		out = "| " r[1] " |"
		for (i = 1; i <= n_rt; i++)
			out = out " " cell(r[2], rt[i], r[3]) " |"
		print out " " ratio(r[2], "crun", r[3]) " | " ratio(r[2], "runc", r[3]) " |"
	}
	print ""
	print "Ratios are husk's figure over the other runtime's: below 1 means husk is faster or"
	print "smaller, except for containers/s where above 1 is better. floor: the same namespaces"
	print "made by unshare(1) around /bin/true, the kernel's share of a run."
	for (i = 1; i <= n_na; i++) {
		split(na_order[i], k, SUBSEP)
		if (k[1] == "all" && na[na_order[i]] ~ /hybrid/)
			printf "%s: n/a: %s (this host's cgroups are hybrid: husk is compared with the remaining runtimes only)\n",
				k[2], na[na_order[i]]
		else
			printf "%s%s: n/a: %s\n", k[2], (k[1] == "all" ? "" : " (" k[1] ")"), na[na_order[i]]
	}

	printf "{\n  \"date\": %s,\n  \"n\": %s,\n", jstr(fact["machine", "date"]), fact["param", "n"] > json
	printf "  \"machine\": {\"nproc\": %s, \"cpu\": %s, \"kernel\": %s, \"cgroup\": %s},\n",
		fact["machine", "nproc"], jstr(fact["machine", "cpu"]), jstr(fact["machine", "kernel"]),
		jstr(fact["machine", "cgroup"]) > json
	printf "  \"runtimes\": {" > json
	for (i = 1; i < n_rt; i++) {
		printf "%s\n    %s: {\"version\": %s, \"available\": %s, \"reason\": %s, \"stripped_bytes\": %s}",
			(i > 1 ? "," : ""), jstr(rt[i]), (rt[i] in version) ? jstr(version[rt[i]]) : "null",
			(("all" SUBSEP rt[i]) in na) ? "false" : "true",
			(("all" SUBSEP rt[i]) in na) ? jstr(na["all", rt[i]]) : "null",
			(rt[i] in size) ? size[rt[i]] : "null" > json
	}
	printf "\n  },\n  \"figures\": [" > json
	for (i = 1; i <= n_keys; i++) {
		key = keys[i]
		dot = match(key, /\.[^.]*$/)
		printf "%s\n    {\"metric\": %s, \"runtime\": %s, \"ok\": %s, \"failed\": %s, ",
			(i > 1 ? "," : ""), jstr(substr(key, 1, dot - 1)), jstr(substr(key, dot + 1)),
			ok[key], failed[key] > json
		printf "\"median_us\": %s, \"p90_us\": %s, \"p99_us\": %s, \"min_us\": %s, ",
			jnum(med[key]), jnum(p90[key]), jnum(p99[key]), jnum(min[key]) > json
		printf "\"mean_us\": %s, \"maxrss_kb\": %s, \"first_error\": %s}",
			jnum(mean[key]), jnum(rss[key]), err[key] == "-" ? "null" : jstr(err[key]) > json
	}
	printf "\n  ],\n  \"not_applicable\": [" > json
	for (i = 1; i <= n_na; i++) {
		split(na_order[i], k, SUBSEP)
		printf "%s\n    {\"metric\": %s, \"runtime\": %s, \"reason\": %s}", (i > 1 ? "," : ""),
			jstr(k[1]), jstr(k[2]), jstr(na[na_order[i]]) > json
	}
	printf "\n  ]\n}\n" > json
}
