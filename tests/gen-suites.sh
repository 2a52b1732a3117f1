#!/bin/sh
# Emits the unit runner's suite table from `Suite *NAME_suite(void)` lines.
set -eu
names=$(grep -h -o '^Suite \*[a-z0-9_]*_suite(void)' "$@" | sed 's/^Suite \*\([a-z0-9_]*\)(void)/\1/' | sort -u)
for n in $names; do echo "Suite *$n(void);"; done
echo "static Suite *(*const unit_suites[])(void) = {"
for n in $names; do echo "	$n,"; done
echo "};"
