#!/bin/bash
# The result writer of `make bench` (tools/benchresults.sh) on fixtures:
# console logs in, results.csv and results.json out, compared byte for byte
# with test/bench/fixtures/results.{csv,json}; the JSON must parse; bad
# rows must fail and leave earlier results alone.  No QEMU, no timing.
# Prints one PASS:/FAIL: line per check.
set -u
cd "$(dirname "$0")/../.."
FIX=test/bench/fixtures
W=build/test/bench-results
rm -rf "$W"
mkdir -p "$W"

. test/bench/check.sh

# rejects NAME LINE: a log with LINE among good rows must fail, keep the
# earlier results and say why on stderr.
rejects() {
	local dir=$W/$1
	mkdir -p "$dir"
	cp "$FIX/results.csv" "$FIX/results.json" "$dir/"
	printf 'BENCH: good_row 1 instructions\n%s\n' "$2" >"$dir/bench.log"
	if bash tools/benchresults.sh "$dir" "$dir/bench.log" 2>"$dir/stderr"; then
		check "results-rejects-$1" 1 "accepted '$2'"
	elif ! cmp -s "$dir/results.csv" "$FIX/results.csv" ||
		! cmp -s "$dir/results.json" "$FIX/results.json"; then
		check "results-rejects-$1" 1 "results changed by a failed run"
	elif ! grep -q '^benchresults: ' "$dir/stderr"; then
		check "results-rejects-$1" 1 "no message"
	else
		check "results-rejects-$1" 0
	fi
}

bash tools/benchresults.sh "$W" "$FIX/bench.log" "$FIX/bench2.log" 2>"$W/stderr"
check results-runs $? "$(cat "$W/stderr")"
cmp -s "$W/results.csv" "$FIX/results.csv"
check results-csv-format $? "$(diff "$FIX/results.csv" "$W/results.csv" | head -4 | tr "\n" " ")"
cmp -s "$W/results.json" "$FIX/results.json"
check results-json-format $? "$(diff "$FIX/results.json" "$W/results.json" | head -4 | tr "\n" " ")"
python3 -m json.tool "$W/results.json" >/dev/null 2>&1
check results-json-valid $?
# The JSON's rows are the CSV's rows, in order.
python3 - "$W/results.csv" "$W/results.json" <<'EOF' >/dev/null 2>&1
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1])))
data = json.load(open(sys.argv[2]))
assert rows[0] == ["benchmark", "value", "unit"]
assert [[d["benchmark"], str(d["value"]), d["unit"]] for d in data] == rows[1:]
EOF
check results-json-matches-csv $?

rejects missing-unit 'BENCH: row 5'
rejects extra-field 'BENCH: row 5 instructions more'
rejects two-spaces 'BENCH: row  5 instructions'
rejects upper-case-name 'BENCH: Row 5 instructions'
rejects quote-in-name 'BENCH: ro"w 5 instructions'
rejects negative 'BENCH: row -5 instructions'
rejects leading-zero 'BENCH: row 05 instructions'
rejects not-a-number 'BENCH: row 5k instructions'
rejects comma-in-unit 'BENCH: row 5 instr,uctions'
rejects digit-in-unit 'BENCH: row 5 forks/Mtick2'
rejects duplicate 'BENCH: good_row 2 instructions'

dir=$W/no-rows
mkdir -p "$dir"
printf 'no rows here\nRESULT: PASS\n' >"$dir/bench.log"
if bash tools/benchresults.sh "$dir" "$dir/bench.log" 2>/dev/null || [ -e "$dir/results.csv" ]; then
	check results-rejects-no-rows 1 "a log without rows made results"
else
	check results-rejects-no-rows 0
fi
