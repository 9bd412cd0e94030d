#!/bin/bash
# Turn the benchmarks' console lines into result files.
#
# usage: tools/benchresults.sh OUTDIR LOG...
#
# Reads every "BENCH: <name> <value> <unit>" line of the logs, in order,
# and writes OUTDIR/results.csv (header benchmark,value,unit, one row per
# line) and OUTDIR/results.json (the same rows: an array of
# {"benchmark": name, "value": number, "unit": unit}).  A name is
# [a-z0-9_]+, a value a JSON number without sign or exponent (an integer,
# or digits with one decimal point), a unit [A-Za-z_/]+ (forks/Mtick has a
# capital): such rows need no quoting in either format.  Any other BENCH
# line, a name seen twice, or no row at all is an error (exit 1) and leaves
# OUTDIR's results as they were.
set -euo pipefail
if [ $# -lt 2 ]; then
	echo "usage: $0 OUTDIR LOG..." >&2
	exit 2
fi
out=$1
shift
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

awk -v csv="$tmp/results.csv" -v json="$tmp/results.json" '
function bad(why) {
	printf "benchresults: %s:%d: %s: %s\n", FILENAME, FNR, why, $0 > "/dev/stderr"
	err = 1
	exit 1
}
BEGIN { print "benchmark,value,unit" > csv; n = 0 }
{ sub(/\r$/, "") }
/^BENCH:/ {
	if (NF != 4 || $0 != "BENCH: " $2 " " $3 " " $4)
		bad("not \"BENCH: name value unit\"")
	if ($2 !~ /^[a-z0-9_]+$/)
		bad("bad name")
	if ($3 !~ /^(0|[1-9][0-9]*)(\.[0-9]+)?$/)
		bad("bad value")
	if ($4 !~ /^[A-Za-z_\/]+$/)
		bad("bad unit")
	if ($2 in seen)
		bad("second row named " $2)
	seen[$2] = 1
	print $2 "," $3 "," $4 > csv
	row[n++] = sprintf("  {\"benchmark\": \"%s\", \"value\": %s, \"unit\": \"%s\"}", $2, $3, $4)
}
END {
	if (err)
		exit 1
	if (n == 0) {
		print "benchresults: no BENCH lines" > "/dev/stderr"
		exit 1
	}
	print "[" > json
	for (i = 0; i < n; i++)
		print row[i] (i < n - 1 ? "," : "") > json
	print "]" > json
}' "$@"

mv "$tmp/results.csv" "$out/results.csv"
mv "$tmp/results.json" "$out/results.json"
