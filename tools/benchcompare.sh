#!/bin/bash
# Compare benchmark results with a baseline and flag regressions.
#
# usage: tools/benchcompare.sh BASELINE.csv CURRENT.csv
#
# Both files are results files of `make bench` (header benchmark,value,unit).
# Prints every row of CURRENT beside its baseline value with the change in
# percent, then every baseline row that CURRENT lacks.  A row is marked
# "REGRESSION" when it is more than 5% worse than its baseline.  Worse
# depends on the unit: for costs (instructions, instructions/page, frames,
# and any unit not listed below) a higher value is worse; for rates (a unit
# ending in "/s") a lower one is.  A row that changed its unit, or a
# baseline row that CURRENT lacks, also fails the comparison; a row new in
# CURRENT does not.  Rows per million timebase ticks (a unit ending in
# "/Mtick", the parallel fork rows) are timed, not counted, and differ from
# run to run: they are printed, marked "timed, not compared", and never
# fail the comparison by their value (a missing one or a changed unit still
# does).
#
# Exit status: 0 no regression, 1 a regression (or a missing row or a
# changed unit), 2 bad usage or a file that is not a results file.
set -euo pipefail
if [ $# -ne 2 ]; then
	echo "usage: $0 BASELINE.csv CURRENT.csv" >&2
	exit 2
fi
for f in "$1" "$2"; do
	if [ ! -r "$f" ] || [ "$(head -n 1 "$f" | tr -d '\r')" != "benchmark,value,unit" ]; then
		echo "benchcompare: $f is not a results file (header benchmark,value,unit)" >&2
		exit 2
	fi
done

awk -F, -v basefile="$1" -v limit=5 '
function num(v) { return v ~ /^[0-9]+(\.[0-9]+)?$/ }
function bad(why) {
	printf "benchcompare: %s:%d: %s\n", FILENAME, FNR, why > "/dev/stderr"
	broken = 1
	exit 2
}
# Rates (per second) are better higher; everything else is a cost.
function higher_is_better(unit) { return unit ~ /\/s$/ }
# Per million timebase ticks: a time, not deterministic; never compared.
function timed(unit) { return unit ~ /\/Mtick$/ }
function line(name, base, cur, change, unit, mark,	l) {
	l = sprintf("%-34s %12s %12s %8s  %-18s %s", name, base, cur, change, unit, mark)
	sub(/ +$/, "", l)
	print l
}
function pct(base, cur) {
	if (base == 0)
		return cur == 0 ? "+0.0%" : "n/a"
	return sprintf("%+.1f%%", (cur - base) * 100 / base)
}
FNR == 1 { file++; next }
{ sub(/\r$/, "") }
NF == 0 { next }
NF != 3 || $1 == "" || !num($2) || $3 == "" { bad("not a row \"name,value,unit\"") }
file == 1 {
	if ($1 in bval)
		bad("second row named " $1)
	bval[$1] = $2; bunit[$1] = $3; border[nbase++] = $1
	next
}
{
	if ($1 in cval)
		bad("second row named " $1)
	cval[$1] = $2; corder[ncur++] = $1; cunit[$1] = $3
}
END {
	if (broken)
		exit 2
	line("benchmark", "baseline", "current", "change", "unit", "")
	for (i = 0; i < ncur; i++) {
		n = corder[i]; cur = cval[n]; unit = cunit[n]
		if (!(n in bval)) {
			if (timed(unit))
				ntimed++
			line(n, "-", cur, "", unit, timed(unit) ? "new, timed, not compared" : "new")
			continue
		}
		base = bval[n]; mark = ""
		if (bunit[n] != unit) {
			mark = "<<< UNIT CHANGED (" bunit[n] " -> " unit ")"
			bad_rows++
		} else if (timed(unit)) {
			mark = "timed, not compared"
			ntimed++
		} else if (higher_is_better(unit) ? cur * 100 < base * (100 - limit) \
						   : cur * 100 > base * (100 + limit)) {
			mark = "<<< REGRESSION (more than " limit "% worse)"
			bad_rows++
		} else if (higher_is_better(unit) ? cur * 100 > base * (100 + limit) \
						  : cur * 100 < base * (100 - limit)) {
			mark = "improved"
		}
		line(n, base, cur, pct(base, cur), unit, mark)
	}
	for (i = 0; i < nbase; i++) {
		n = border[i]
		if (!(n in cval)) {
			line(n, bval[n], "-", "", bunit[n], "<<< MISSING")
			bad_rows++
		}
	}
	if (bad_rows) {
		printf "benchcompare: %d of %d rows marked <<< against %s\n", bad_rows, nbase, basefile
		exit 1
	}
	printf "benchcompare: no row more than %d%% worse than %s", limit, basefile
	if (ntimed)
		printf " (%d timed row%s not compared)", ntimed, ntimed == 1 ? "" : "s"
	printf "\n"
}' "$1" "$2"
