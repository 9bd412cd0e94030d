#!/bin/bash
# Run the in-guest benchmarks and collect their results.
#
# Boots QEMU virt with one hart under -icount shift=0, where rdinstret
# counts guest instructions exactly and results repeat bit for bit:
#   1. the kernel benchmark root task (user/ubench: system calls, IPC,
#      copy-on-write faults);
#   2. the process server with the POSIX benchmark (user/pbench: fork,
#      exec, exit, wait).
# Both print lines "BENCH: <name> <value> <unit>", which become
# build/bench/results.csv (benchmark,value,unit) and results.json
# (tools/benchresults.sh).  Every row must be described in
# docs/BENCHMARKS.md (its name in backquotes), or the run fails.
set -euo pipefail
KERNEL=${1:-build/kernel.elf}
OUT=build/bench
DOC=docs/BENCHMARKS.md
mkdir -p "$OUT"

# boot LOG BOOTARGS: run one benchmark boot; fail unless RESULT: PASS.
boot() {
	local log=$1 args=$2 rc
	set +e
	timeout --foreground -k 5 900 qemu-system-riscv64 -machine virt -smp 1 -m 256M \
		-nographic -bios default -icount shift=0 \
		-semihosting-config enable=on,target=native \
		-kernel "$KERNEL" -append "$args semihost" </dev/null 2>&1 | tr -d '\r' >"$log"
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" != 0 ] || ! grep -q '^RESULT: PASS' "$log"; then
		echo "bench: the run '$args' failed (exit $rc); see $log" >&2
		exit 1
	fi
}

boot "$OUT/kernel.log" "init=ubench"
boot "$OUT/posix.log" "init=procsrv posix=pbench"
undocumented=""
for name in $(sed -n 's/^BENCH: \([^ ]*\) .*/\1/p' "$OUT/kernel.log" "$OUT/posix.log"); do
	grep -qF "\`$name\`" "$DOC" || undocumented="$undocumented $name"
done
if [ -n "$undocumented" ]; then
	echo "bench: rows not described in $DOC:$undocumented" >&2
	exit 1
fi
bash tools/benchresults.sh "$OUT" "$OUT/kernel.log" "$OUT/posix.log"
cat "$OUT/results.csv"
