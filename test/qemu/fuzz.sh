#!/bin/bash
# Syscall fuzzer: boot the kernel with the fuzz root task (user/fuzz/) for
# a few fixed seeds and a bounded number of calls each.  A run passes if
# the root task ends with "RESULT: PASS" (no leak, DEBUG_CHECK clean), QEMU
# exits 0, the kernel never panics and nothing hangs.  Prints one
# "PASS: fuzz/seed-N" or "FAIL: fuzz/seed-N: why" line per seed; logs go to
# build/test/fuzz-seed-N.log.  Not part of test/run.sh.
#
# usage: test/qemu/fuzz.sh [kernel.elf]
#   FUZZ_SEEDS="1 2 3"  FUZZ_CALLS=20000  QEMU_TIMEOUT=40
set -u
KERNEL=${1:-build/kernel.elf}
LOGDIR=build/test
TIMEOUT=${QEMU_TIMEOUT:-40}
SEEDS=${FUZZ_SEEDS:-"1 2 3"}
CALLS=${FUZZ_CALLS:-20000}
mkdir -p "$LOGDIR"

failed=0
for seed in $SEEDS; do
	name=seed-$seed
	log=$LOGDIR/fuzz-$name.log
	timeout --foreground -k 5 "$TIMEOUT" qemu-system-riscv64 \
		-machine virt -smp 1 -m 128M -nographic \
		-bios default -semihosting-config enable=on,target=native \
		-kernel "$KERNEL" -append "init=fuzz semihost seed=$seed calls=$CALLS" \
		</dev/null 2>&1 | tr -d '\r' >"$log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" = 124 ]; then
		why="timeout after ${TIMEOUT}s (hang?)"
	elif grep -q PANIC "$log"; then
		why="kernel panic: $(grep -m1 PANIC "$log")"
	elif grep -q '^FAIL: fuzz' "$log"; then
		why=$(grep -m1 '^FAIL: fuzz' "$log" | sed 's/^FAIL: fuzz: //')
	elif ! grep -q '^RESULT: PASS' "$log"; then
		why="no 'RESULT: PASS' line"
	elif [ "$rc" != 0 ]; then
		why="QEMU exit code $rc"
	else
		echo "PASS: fuzz/$name"
		continue
	fi
	echo "FAIL: fuzz/$name: $why (log: $log)"
	failed=1
done
exit $failed
