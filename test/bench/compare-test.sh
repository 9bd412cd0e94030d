#!/bin/bash
# The comparison of `make bench-compare` (tools/benchcompare.sh) on small
# made-up results: which rows it marks, and its exit status.  No QEMU.
# Prints one PASS:/FAIL: line per case.
set -u
cd "$(dirname "$0")/../.."
W=build/test/bench-compare
rm -rf "$W"
mkdir -p "$W"

# csv FILE ROW...: a results file with these rows.
csv() {
	local f=$1
	shift
	{
		echo "benchmark,value,unit"
		for r in "$@"; do echo "$r"; done
	} >"$f"
}

# case NAME STATUS MUST MUSTNOT: compare $W/NAME.base with $W/NAME.cur;
# the exit status must be STATUS, the output must have a line matching the
# extended regex MUST (if not empty) and none matching MUSTNOT (if not
# empty).
case_() {
	local name=$1 want=$2 must=$3 mustnot=$4 out=$W/$1.out status
	bash tools/benchcompare.sh "$W/$name.base" "$W/$name.cur" >"$out" 2>&1
	status=$?
	if [ "$status" != "$want" ]; then
		echo "FAIL: bench/compare-$name: exit status $status, expected $want (see $out)"
	elif [ -n "$must" ] && ! grep -qE "$must" "$out"; then
		echo "FAIL: bench/compare-$name: no line matching '$must' (see $out)"
	elif [ -n "$mustnot" ] && grep -qE "$mustnot" "$out"; then
		echo "FAIL: bench/compare-$name: a line matches '$mustnot' (see $out)"
	else
		echo "PASS: bench/compare-$name"
	fi
}

ROWS=("a_cost,1000,instructions" "b_cost,20,frames" "c_rate,500,ops/s")
csv "$W/identical.base" "${ROWS[@]}"
csv "$W/identical.cur" "${ROWS[@]}"
case_ identical 0 "^benchcompare: no row" "<<<"

# Exactly 5% worse is within the limit; 5.1% is not.
csv "$W/at-limit.base" "a_cost,1000,instructions" "b_cost,20,frames"
csv "$W/at-limit.cur" "a_cost,1050,instructions" "b_cost,21,frames"
case_ at-limit 0 "^a_cost .*\+5\.0%" "<<<"
csv "$W/over-limit.base" "a_cost,1000,instructions" "b_cost,20,frames"
csv "$W/over-limit.cur" "a_cost,1051,instructions" "b_cost,20,frames"
case_ over-limit 1 "^a_cost .*<<< REGRESSION" "^b_cost .*<<<"
csv "$W/frames-worse.base" "a_cost,1000,instructions" "b_cost,20,frames"
csv "$W/frames-worse.cur" "a_cost,1000,instructions" "b_cost,22,frames"
case_ frames-worse 1 "^b_cost .*<<< REGRESSION" "^a_cost .*<<<"
csv "$W/decimal.base" "a_cost,12.5,instructions/page"
csv "$W/decimal.cur" "a_cost,13.2,instructions/page"
case_ decimal 1 "^a_cost .*<<< REGRESSION" ""

# Lower costs are improvements, never regressions.
csv "$W/cheaper.base" "a_cost,1000,instructions"
csv "$W/cheaper.cur" "a_cost,500,instructions"
case_ cheaper 0 "^a_cost .*-50\.0% .*improved" "<<<"

# Rates: lower is worse.
csv "$W/rate-lower.base" "c_rate,500,ops/s"
csv "$W/rate-lower.cur" "c_rate,470,ops/s"
case_ rate-lower 1 "^c_rate .*<<< REGRESSION" ""
csv "$W/rate-higher.base" "c_rate,500,ops/s"
csv "$W/rate-higher.cur" "c_rate,600,ops/s"
case_ rate-higher 0 "^c_rate .*improved" "<<<"

# A zero baseline: any cost above it is worse.
csv "$W/from-zero.base" "a_cost,0,frames" "b_cost,0,frames"
csv "$W/from-zero.cur" "a_cost,1,frames" "b_cost,0,frames"
case_ from-zero 1 "^a_cost .*<<< REGRESSION" "^b_cost .*<<<"

# Rows that appear, disappear or change unit.
csv "$W/new-row.base" "a_cost,1000,instructions"
csv "$W/new-row.cur" "a_cost,1000,instructions" "z_new,5,instructions"
case_ new-row 0 "^z_new .* new$" "<<<"
csv "$W/missing-row.base" "a_cost,1000,instructions" "b_cost,20,frames"
csv "$W/missing-row.cur" "a_cost,1000,instructions"
case_ missing-row 1 "^b_cost .*<<< MISSING" ""
csv "$W/unit-changed.base" "a_cost,1000,instructions"
csv "$W/unit-changed.cur" "a_cost,1000,frames"
case_ unit-changed 1 "^a_cost .*<<< UNIT CHANGED" ""

# Timed rows (per million timebase ticks) differ from run to run: shown,
# never marked by their value, slower or faster, in the baseline or not.
csv "$W/timed-slower.base" "a_cost,1000,instructions" "p_rate,100.0,forks/Mtick"
csv "$W/timed-slower.cur" "a_cost,1000,instructions" "p_rate,20.5,forks/Mtick"
case_ timed-slower 0 "^p_rate .*-79\.5% .*timed, not compared$" "<<<"
csv "$W/timed-faster.base" "p_rate,100.0,forks/Mtick"
csv "$W/timed-faster.cur" "p_rate,300.0,forks/Mtick"
case_ timed-faster 0 "^p_rate .*timed, not compared$" "<<<|improved"
csv "$W/timed-new.base" "a_cost,1000,instructions"
csv "$W/timed-new.cur" "a_cost,1000,instructions" "p_rate,20.5,forks/Mtick"
case_ timed-new 0 "^p_rate .* new, timed, not compared$" "<<<"
csv "$W/timed-summary.base" "a_cost,1000,instructions" "p_rate,100.0,forks/Mtick"
csv "$W/timed-summary.cur" "a_cost,1000,instructions" "p_rate,50.0,forks/Mtick" \
	"q_rate,7,forks/Mtick"
case_ timed-summary 0 "^benchcompare: no row .*\(2 timed rows not compared\)$" "<<<"
# ... but the counted rows beside them still are, and a timed row that is
# missing or changed its unit still fails.
csv "$W/timed-and-worse.base" "a_cost,1000,instructions" "p_rate,100.0,forks/Mtick"
csv "$W/timed-and-worse.cur" "a_cost,1100,instructions" "p_rate,100.0,forks/Mtick"
case_ timed-and-worse 1 "^a_cost .*<<< REGRESSION" "^p_rate .*<<<"
csv "$W/timed-missing.base" "a_cost,1000,instructions" "p_rate,100.0,forks/Mtick"
csv "$W/timed-missing.cur" "a_cost,1000,instructions"
case_ timed-missing 1 "^p_rate .*<<< MISSING" ""
csv "$W/timed-unit.base" "p_rate,100,instructions"
csv "$W/timed-unit.cur" "p_rate,100,forks/Mtick"
case_ timed-unit 1 "^p_rate .*<<< UNIT CHANGED" ""

# Files that are not results files.
printf 'a_cost,1000,instructions\n' >"$W/no-header.base"
csv "$W/no-header.cur" "a_cost,1000,instructions"
case_ no-header 2 "not a results file" ""
csv "$W/bad-value.base" "a_cost,1000,instructions"
csv "$W/bad-value.cur" "a_cost,lots,instructions"
case_ bad-value 2 "not a row" ""
csv "$W/duplicate.base" "a_cost,1000,instructions"
csv "$W/duplicate.cur" "a_cost,1000,instructions" "a_cost,2000,instructions"
case_ duplicate 2 "second row named a_cost" ""
