#!/bin/bash
# Run the in-guest benchmarks and collect their results.
#
# Boots QEMU virt with one hart under -icount shift=0, where rdinstret
# counts guest instructions exactly and results repeat bit for bit, with
# the benchmark root task (user/ubench).  It prints lines
#   BENCH: <name> <value> <unit>
# which become build/bench/results.csv (benchmark,value,unit).
set -euo pipefail
KERNEL=${1:-build/kernel.elf}
OUT=build/bench
mkdir -p "$OUT"
log=$OUT/bench.log
set +e
timeout --foreground -k 5 600 qemu-system-riscv64 -machine virt -smp 1 -m 256M \
	-nographic -bios default -icount shift=0 \
	-semihosting-config enable=on,target=native \
	-kernel "$KERNEL" -append "init=ubench semihost" </dev/null 2>&1 | tr -d '\r' >"$log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" != 0 ] || ! grep -q '^RESULT: PASS' "$log"; then
	echo "bench: the benchmark run failed (exit $rc); see $log" >&2
	exit 1
fi
{
	echo "benchmark,value,unit"
	sed -n 's/^BENCH: \([^ ]*\) \([0-9]*\) \(.*\)$/\1,\2,\3/p' "$log"
} >"$OUT/results.csv"
cat "$OUT/results.csv"
