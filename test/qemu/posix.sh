#!/bin/bash
# POSIX layer tests: boot the kernel with the process server as the root
# task (init=procsrv), which starts init, which runs ptest (user/ptest):
# fork, copy-on-write, exec, wait, kill, out of memory, leaks.  Reports
# ptest's own "PASS: name" / "FAIL: name: why" lines as posix/<name>
# (posix-sifive_u/<name> for the second machine),
# checks that the fault lines procsrv prints for killed processes appeared
# (store page fault, out of memory, and one of each fault class),
# then one line for the run: it must end with "RESULT: PASS" (init exited
# 0 and procsrv found no leak after tearing everything down), leave QEMU
# with exit code 0 and never panic.  Log: build/test/posix-<name>.log.
#
# usage: test/qemu/posix.sh [kernel.elf]
set -u
KERNEL=${1:-build/kernel.elf}
LOGDIR=build/test
TIMEOUT=${QEMU_TIMEOUT:-120}
mkdir -p "$LOGDIR"

# run NAME PREFIX MACHINE SMP MEM COMMANDS (init's commands: posix=CMD,...)
# Test lines become PASS: PREFIX/<test>.
run() {
	local name=$1 prefix=$2 machine=$3 smp=$4 mem=$5 cmds=$6 log=$LOGDIR/posix-$1.log rc
	timeout --foreground -k 5 "$TIMEOUT" qemu-system-riscv64 \
		-machine "$machine" -smp "$smp" -m "$mem" -nographic \
		-bios default -semihosting-config enable=on,target=native \
		-kernel "$KERNEL" -append "init=procsrv semihost posix=$cmds" \
		</dev/null 2>&1 | tr -d '\r' >"$log"
	rc=${PIPESTATUS[0]}
	sed -n "s#^\(PASS\|FAIL\): #\1: $prefix/#p" "$log"
	if grep -qE '^pid [0-9]+ \(ptest\): killed: store page fault at 0x[0-9a-f]+ pc 0x[0-9a-f]+$' "$log" &&
		grep -qE '^pid [0-9]+ \(ptest\): killed: out of memory at 0x[0-9a-f]+ pc 0x[0-9a-f]+$' "$log"; then
		echo "PASS: $prefix/fault-lines"
	else
		echo "FAIL: $prefix/fault-lines: no 'killed: store page fault' or 'killed: out of memory' line (log: $log)"
	fi
	# One line per fault class of user/ptest/t_faultclass.c (a misaligned
	# AMO is a "misaligned load" on QEMU 7.2, "misaligned store/AMO" by the
	# spec: either will do).
	local cls missing=
	for cls in 'illegal instruction at 0 ' 'breakpoint at 0 ' 'misaligned [a-zA-Z/]+ at 0x' \
		'load page fault at 0xffffffc000000000 ' 'store page fault at 0xffffffff80200000 ' \
		'instruction page fault at 0x10000000 pc 0x10000000$' 'instruction page fault at 0x40'; do
		grep -qE "^pid [0-9]+ \(ptest\): killed: $cls" "$log" || missing="$missing '$cls'"
	done
	if [ -z "$missing" ]; then
		echo "PASS: $prefix/fault-class-lines"
	else
		echo "FAIL: $prefix/fault-class-lines: no killed line for$missing (log: $log)"
	fi
	n=$(grep -cE '^console-writer [0-9]{2} w{237}$' "$log")
	if [ "$n" = 40 ]; then
		echo "PASS: $prefix/console-lines"
	else
		echo "FAIL: $prefix/console-lines: $n of 40 whole 256-byte lines from console-writers (log: $log)"
	fi
	if [ "$rc" = 124 ]; then
		echo "FAIL: qemu/posix-$name: timeout after ${TIMEOUT}s (log: $log)"
	elif grep -q PANIC "$log"; then
		echo "FAIL: qemu/posix-$name: kernel panic: $(grep -m1 PANIC "$log") (log: $log)"
	elif ! grep -q '^RESULT: PASS' "$log"; then
		echo "FAIL: qemu/posix-$name: no 'RESULT: PASS' line (log: $log)"
	elif [ "$rc" != 0 ]; then
		echo "FAIL: qemu/posix-$name: QEMU exit code $rc (log: $log)"
	else
		echo "PASS: qemu/posix-$name"
	fi
}

run virt posix virt 1 128M ptest
run sifive_u posix-sifive_u sifive_u 2 256M ptest
# SMP: every hart runs processes (slower under QEMU: four harts share
# this machine's processors; about 40 s and 55 s alone on 2 cores).
TIMEOUT=$((TIMEOUT * 2))
run virt-smp4 posix-smp4 virt 4 128M ptest
run sifive_u-smp5 posix-sifive_u-smp5 sifive_u 5 256M ptest
