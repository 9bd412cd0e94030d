#!/bin/bash
# Plots of the benchmark results, with gnuplot.
#
# usage: tools/benchplot.sh [RESULTS.csv [OUTDIR]]
#        (default build/bench/results.csv and its directory)
#
#   OUTDIR/fork.png  fork + exit + wait against heap size, copy-on-write
#                    and eager fork (fork_exit_wait_{cow,eager}_<N>m), both
#                    axes logarithmic; the 0 MiB heap is drawn at 1/4 MiB
#   OUTDIR/cow.png   the copy-on-write stores after a fork against the
#                    number of pages written: cow_write_<N>p on a
#                    logarithmic scale (left), cow_write_<N>p_per_page on
#                    a linear one (right) with ubench's cow_fault_copy, a
#                    single fault, as a reference line
set -euo pipefail
CSV=${1:-build/bench/results.csv}
OUT=${2:-$(dirname "$CSV")}
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "benchplot: gnuplot is missing (tools/deps.sh bench installs it)" >&2
	exit 1
fi
if [ "$(head -n 1 "$CSV")" != "benchmark,value,unit" ]; then
	echo "benchplot: $CSV is not a results file" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# heap-MiB cow eager, sorted by heap size
awk -F, '$1 ~ /^fork_exit_wait_(cow|eager)_[0-9]+m$/ {
	split($1, p, "_"); mib = p[5]; sub(/m$/, "", mib)
	v[mib, p[4]] = $2; have[mib] = 1
}
END { for (m in have) print m, ((m, "cow") in v ? v[m, "cow"] : "NaN"),
	((m, "eager") in v ? v[m, "eager"] : "NaN") }' "$CSV" | sort -n >"$tmp/fork.dat"
# pages total per-page, sorted by pages
awk -F, '$1 ~ /^cow_write_[0-9]+p(_per_page)?$/ {
	n = $1; sub(/^cow_write_/, "", n); per = sub(/p_per_page$/, "", n); sub(/p$/, "", n)
	if (per) pp[n] = $2; else tot[n] = $2
}
END { for (n in tot) print n, tot[n], (n in pp ? pp[n] : "NaN") }' "$CSV" | sort -n >"$tmp/cow.dat"
copy=$(awk -F, '$1 == "cow_fault_copy" { print $2 }' "$CSV")

if [ ! -s "$tmp/fork.dat" ] || [ ! -s "$tmp/cow.dat" ]; then
	echo "benchplot: no fork_exit_wait_* or cow_write_* rows in $CSV" >&2
	exit 1
fi

gnuplot <<EOF
set terminal pngcairo size 800,500 font "sans,10"
set grid
set key top left
set logscale xy
set format y "%.0s%c"

set output "$OUT/fork.png"
set title "fork + exit + wait against heap size (instructions, -icount shift=0)"
set xlabel "heap written before fork (MiB; 0 drawn at 1/4)"
set ylabel "instructions"
set xtics ("0" 0.25, "1" 1, "4" 4, "8" 8, "16" 16, "64" 64)
set xrange [0.2:80]
x(m) = m == 0 ? 0.25 : m
plot "$tmp/fork.dat" using (x(\$1)):3 with linespoints pt 7 title "eager fork (forkcopy)", \
     "" using (x(\$1)):2 with linespoints pt 5 title "copy-on-write fork"

set output "$OUT/cow.png"
set title "copy-on-write faults after fork against pages written (instructions)"
set xlabel "pages written after fork (one store each)"
set xtics ("1" 1, "16" 16, "256" 256, "4096" 4096)
set xrange [0.7:6000]
set ylabel "instructions, all N stores (log)"
set y2label "instructions per page"
set y2range [0:*]
set y2tics
set ytics nomirror
set key bottom right
plot "$tmp/cow.dat" using 1:2 with linespoints pt 7 title "all N stores (left)", \
     "" using 1:3 axes x1y2 with linespoints pt 5 title "per page (right)", \
     ${copy:-NaN} axes x1y2 with lines dt 2 title "ubench cow\\\\_fault\\\\_copy, one fault (right)"
EOF
echo "benchplot: $OUT/fork.png $OUT/cow.png"
