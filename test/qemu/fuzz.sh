#!/bin/bash
# Syscall fuzzers: boot the kernel with the fuzz root task (user/fuzz/) for
# a few fixed seeds and a bounded number of calls each, then the
# multi-process fuzzer (user/pfuzz/: PFUZZ_PROCS processes at once through
# procsrv, forking while they fuzz).  A run passes if it ends with
# "RESULT: PASS" (no leak, DEBUG_CHECK clean; for pfuzz also its own
# "PASS: pfuzz" and procsrv's teardown check), QEMU exits 0, the kernel
# never panics and nothing hangs.  Prints one "PASS: fuzz/seed-N" or
# "FAIL: fuzz/seed-N: why" line per seed (pfuzz/seed-N for the second);
# logs go to build/test/fuzz-seed-N.log and pfuzz-seed-N.log.
#
# usage: test/qemu/fuzz.sh [kernel.elf]
#   FUZZ_SEEDS="1 2 3"  FUZZ_CALLS=20000  QEMU_TIMEOUT=40
#   PFUZZ_SEEDS="1"  PFUZZ_CALLS=3000  PFUZZ_PROCS=4 (PFUZZ_SEEDS="" skips it)
set -u
KERNEL=${1:-build/kernel.elf}
LOGDIR=build/test
TIMEOUT=${QEMU_TIMEOUT:-40}
SEEDS=${FUZZ_SEEDS:-"1 2 3"}
CALLS=${FUZZ_CALLS:-20000}
PSEEDS=${PFUZZ_SEEDS-"1"}
PCALLS=${PFUZZ_CALLS:-3000}
PPROCS=${PFUZZ_PROCS:-4}
mkdir -p "$LOGDIR"

failed=0
# run TEST NAME APPEND [MUST-SEE]: one boot, one PASS/FAIL line, on
# $SMP harts.
SMP=1
run() {
	local test=$1 name=$2 append=$3 must=${4:-} log=$LOGDIR/$1-$2.log rc why
	timeout --foreground -k 5 "$TIMEOUT" qemu-system-riscv64 \
		-machine virt -smp "$SMP" -m 128M -nographic \
		-bios default -semihosting-config enable=on,target=native \
		-kernel "$KERNEL" -append "$append" \
		</dev/null 2>&1 | tr -d '\r' >"$log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" = 124 ]; then
		why="timeout after ${TIMEOUT}s (hang?)"
	elif grep -q PANIC "$log"; then
		why="kernel panic: $(grep -m1 PANIC "$log")"
	elif grep -q "^FAIL: $test" "$log"; then
		why=$(grep -m1 "^FAIL: $test" "$log" | sed "s/^FAIL: $test: //")
	elif ! grep -q '^RESULT: PASS' "$log"; then
		why="no 'RESULT: PASS' line"
	elif [ -n "$must" ] && ! grep -q "$must" "$log"; then
		why="no '$must' line"
	elif [ "$rc" != 0 ]; then
		why="QEMU exit code $rc"
	else
		echo "PASS: $test/$name"
		return
	fi
	echo "FAIL: $test/$name: $why (log: $log)"
	failed=1
}

for seed in $SEEDS; do
	run fuzz "seed-$seed" "init=fuzz semihost seed=$seed calls=$CALLS"
done
for seed in $PSEEDS; do
	run pfuzz "seed-$seed" "init=procsrv semihost posix=pfuzz:$seed:$PCALLS:$PPROCS" '^PASS: pfuzz'
done
# The same with 4 harts: the fuzzers' threads and processes run at once
# (slower under QEMU: four harts share this machine's processors).
SMP=4
TIMEOUT=$((TIMEOUT * 4))
for seed in $PSEEDS; do
	run fuzz "smp4-seed-$seed" "init=fuzz semihost seed=$seed calls=$CALLS"
	run pfuzz "smp4-seed-$seed" "init=procsrv semihost posix=pfuzz:$seed:$PCALLS:$PPROCS" '^PASS: pfuzz'
done
exit $failed
