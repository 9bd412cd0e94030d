#!/bin/bash
# Run the in-guest benchmarks and collect their results.
#
# Boots QEMU virt with one hart under -icount shift=0, where rdinstret
# counts guest instructions exactly and results repeat bit for bit:
#   1. the kernel benchmark root task (user/ubench: system calls, IPC,
#      copy-on-write faults);
#   2. the process server with the POSIX benchmark (user/pbench: fork,
#      exec, exit, wait).
# Then once more with four harts and without -icount (QEMU 7.2 cannot
# start a second hart under -icount on virt), for rows that are timed, not
# counted, and so not deterministic:
#   3. the process server with "pbench parallel N ROUNDS RUNS" for N = 1,
#      2 and 4: processes forking at once, in forks per million ticks of
#      the 10 MHz timebase (unit forks/Mtick).
# All print lines "BENCH: <name> <value> <unit>", which become
# build/bench/results.csv (benchmark,value,unit) and results.json
# (tools/benchresults.sh).  Every row must be described in
# docs/BENCHMARKS.md (its name in backquotes), or the run fails.
set -euo pipefail
KERNEL=${1:-build/kernel.elf}
OUT=build/bench
DOC=docs/BENCHMARKS.md
# The parallel rows: harts, fork rounds per worker, runs (the median counts).
PAR_HARTS=4
PAR_ROUNDS=200
PAR_RUNS=5
mkdir -p "$OUT"

# boot LOG BOOTARGS QEMU-OPTION...: run one benchmark boot on virt with
# these options (-smp, -icount); fail unless RESULT: PASS.
boot() {
	local log=$1 args=$2 rc
	shift 2
	set +e
	timeout --foreground -k 5 900 qemu-system-riscv64 -machine virt "$@" -m 256M \
		-nographic -bios default \
		-semihosting-config enable=on,target=native \
		-kernel "$KERNEL" -append "$args semihost" </dev/null 2>&1 | tr -d '\r' >"$log"
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" != 0 ] || ! grep -q '^RESULT: PASS' "$log"; then
		echo "bench: the run '$args' failed (exit $rc); see $log" >&2
		exit 1
	fi
}

boot "$OUT/kernel.log" "init=ubench" -smp 1 -icount shift=0
boot "$OUT/posix.log" "init=procsrv posix=pbench" -smp 1 -icount shift=0
par=""
for n in 1 2 4; do
	par="$par${par:+,}pbench:parallel:$n:$PAR_ROUNDS:$PAR_RUNS"
done
# noconsole: procsrv prints through the kernel's debug console, and no
# console server thread competes for the harts.  (Through the console
# server, lines printed on virt -smp 4 sometimes come out with a piece
# repeated, which can break a BENCH line.)
boot "$OUT/parallel.log" "init=procsrv noconsole posix=$par" -smp $PAR_HARTS
# pbench says how many harts scheduled threads: all of them, or the rows
# would not be what they claim.
if [ "$(grep -c "^pbench: parallel .*, $PAR_HARTS harts," "$OUT/parallel.log")" != 3 ]; then
	echo "bench: the parallel rows did not run on $PAR_HARTS harts; see $OUT/parallel.log" >&2
	exit 1
fi
logs=("$OUT/kernel.log" "$OUT/posix.log" "$OUT/parallel.log")
undocumented=""
for name in $(sed -n 's/^BENCH: \([^ ]*\) .*/\1/p' "${logs[@]}"); do
	grep -qF "\`$name\`" "$DOC" || undocumented="$undocumented $name"
done
if [ -n "$undocumented" ]; then
	echo "bench: rows not described in $DOC:$undocumented" >&2
	exit 1
fi
bash tools/benchresults.sh "$OUT" "${logs[@]}"
cat "$OUT/results.csv"
