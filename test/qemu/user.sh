#!/bin/bash
# User-space tests: boot the kernel with a test root task (init=NAME) and
# report the root task's own "PASS: ..." / "FAIL: ..." lines, then one
# line for the run as a whole: it must end with "RESULT: PASS", leave QEMU
# with exit code 0 and never panic.  Logs go to build/test/<name>.log.
#
# usage: test/qemu/user.sh [kernel.elf]
set -u
KERNEL=${1:-build/kernel.elf}
LOGDIR=build/test
TIMEOUT=${QEMU_TIMEOUT:-180}
mkdir -p "$LOGDIR"

# run NAME PROG MACHINE SMP MEM
run() {
	local name=$1 prog=$2 machine=$3 smp=$4 mem=$5 log=$LOGDIR/$1.log rc
	timeout --foreground -k 5 "$TIMEOUT" qemu-system-riscv64 \
		-machine "$machine" -smp "$smp" -m "$mem" -nographic \
		-bios default -semihosting-config enable=on,target=native \
		-kernel "$KERNEL" -append "init=$prog semihost" \
		</dev/null 2>&1 | tr -d '\r' >"$log"
	rc=${PIPESTATUS[0]}
	# The root task's own test lines, prefixed with the machine.
	sed -n "s#^\(PASS\|FAIL\|SKIP\): #\1: $name/#p" "$log"
	if [ "$rc" = 124 ]; then
		echo "FAIL: qemu/$name: timeout after ${TIMEOUT}s (log: $log)"
	elif grep -q PANIC "$log"; then
		echo "FAIL: qemu/$name: kernel panic: $(grep -m1 PANIC "$log") (log: $log)"
	elif ! grep -q '^RESULT: PASS' "$log"; then
		echo "FAIL: qemu/$name: no 'RESULT: PASS' line (log: $log)"
	elif [ "$rc" != 0 ]; then
		echo "FAIL: qemu/$name: QEMU exit code $rc (log: $log)"
	else
		echo "PASS: qemu/$name"
	fi
}

run hello-virt hello virt 1 128M
if [ -d user/utest ]; then
	run utest-virt utest virt 1 128M
	run utest-sifive_u utest sifive_u 2 256M
	# SMP: 4 harts on virt, 4 of 5 on sifive_u (hart 0 has no MMU).
	run utest-virt-smp4 utest virt 4 256M
	run utest-sifive_u-smp5 utest sifive_u 5 256M
fi
