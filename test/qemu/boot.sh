#!/bin/bash
# QEMU boot tests: boot build/kernel.elf in self-test mode on several
# machines, check the result line, QEMU's exit code and the boot banner
# against what QEMU was given.  Prints one "PASS: name" / "FAIL: name: why"
# line per test; logs go to build/test/<name>.log.
#
# usage: test/qemu/boot.sh [kernel.elf]
set -u
KERNEL=${1:-build/kernel.elf}
LOGDIR=build/test
TIMEOUT=${QEMU_TIMEOUT:-120}
mkdir -p "$LOGDIR"

# run_qemu NAME MACHINE SMP MEM APPEND: boots, leaves the log in
# $LOGDIR/NAME.log and QEMU's exit status in $rc (124 = timeout).
run_qemu() {
	local name=$1 machine=$2 smp=$3 mem=$4 append=$5
	timeout --foreground -k 5 "$TIMEOUT" qemu-system-riscv64 \
		-machine "$machine" -smp "$smp" -m "$mem" -nographic \
		-bios default -semihosting-config enable=on,target=native \
		-kernel "$KERNEL" -append "$append" \
		</dev/null >"$LOGDIR/$name.log" 2>&1
	rc=$?
}

fail() {
	echo "FAIL: qemu/$1: $2"
	echo "      (log: $LOGDIR/$1.log)"
}

mib() {  # "128M" / "2G" -> MiB
	case $1 in
	*G) echo $((${1%G} * 1024)) ;;
	*M) echo "${1%M}" ;;
	esac
}

# check_banner NAME SMP MEM MACHINE: the banner matches what QEMU was given.
check_banner() {
	local name=$1 smp=$2 mem=$3 machine=$4 log=$LOGDIR/$1.log
	local want_mib usable ram present nusable boot total free rsv sum
	want_mib=$(mib "$mem")
	ram=$(sed -n 's/^ram total: \([0-9]*\) MiB.*/\1/p' "$log" | tr -d '\r')
	[ "$ram" = "$want_mib" ] || { fail "$name" "banner RAM '$ram' MiB, expected $want_mib"; return 1; }

	usable=$smp
	[ "$machine" = sifive_u ] && usable=$((smp - 1))   # hart 0 has no MMU
	present=$(sed -n 's/^harts: \([0-9]*\) present.*/\1/p' "$log" | tr -d '\r')
	nusable=$(sed -n 's/^harts: [0-9]* present, \([0-9]*\) usable.*/\1/p' "$log" | tr -d '\r')
	boot=$(sed -n 's/^harts: .*; boot hart \([0-9]*\).*/\1/p' "$log" | tr -d '\r')
	[ "$present" = "$smp" ] || { fail "$name" "banner shows $present harts, expected $smp"; return 1; }
	[ "$nusable" = "$usable" ] || { fail "$name" "banner shows $nusable usable harts, expected $usable"; return 1; }
	if [ "$machine" = sifive_u ]; then
		[ "$boot" != 0 ] || { fail "$name" "booted on hart 0 (the monitor core)"; return 1; }
		grep -q '^  hart 0: .*no MMU.*(excluded)' "$log" || { fail "$name" "hart 0 not excluded"; return 1; }
	fi

	# frames: T total, F free, reserved firmware a kernel b dtb c initrd d boot e
	read -r total free rsv <<<"$(sed -n 's/^frames: \([0-9]*\) total, \([0-9]*\) free, reserved\(.*\)/\1 \2 \3/p' "$log" | tr -d '\r')"
	[ "$total" = $((want_mib * 256)) ] || { fail "$name" "frames total '$total', expected $((want_mib * 256))"; return 1; }
	sum=$free
	for n in $(echo "$rsv" | grep -o '[0-9]\+'); do sum=$((sum + n)); done
	[ "$sum" = "$total" ] || { fail "$name" "free + reserved = $sum, total $total"; return 1; }
	return 0
}

# selftest NAME MACHINE SMP MEM [EXTRA_BOOTARGS]
selftest() {
	local name=$1 machine=$2 smp=$3 mem=$4 extra=${5:-}
	run_qemu "$name" "$machine" "$smp" "$mem" "selftest$extra semihost"
	local log=$LOGDIR/$name.log
	if [ "$rc" = 124 ]; then fail "$name" "timeout after ${TIMEOUT}s"; return; fi
	if grep -q PANIC "$log"; then fail "$name" "kernel panic: $(grep -m1 PANIC "$log" | tr -d '\r')"; return; fi
	if ! grep -q '^RESULT: PASS' "$log"; then fail "$name" "no 'RESULT: PASS' line"; return; fi
	if [ "$rc" != 0 ]; then fail "$name" "QEMU exit code $rc"; return; fi
	check_banner "$name" "$smp" "$mem" "$machine" || return
	echo "PASS: qemu/$name"
}

# The kernel must panic, with a backtrace, on a stray user access.
panic_test() {
	local name=virt-user-access-panic
	run_qemu "$name" virt 1 128M "selftest=panic semihost"
	local log=$LOGDIR/$name.log
	if [ "$rc" = 124 ]; then fail "$name" "timeout"; return; fi
	[ "$rc" = 3 ] || { fail "$name" "QEMU exit code $rc, expected 3 (panic)"; return; }
	grep -q 'PANIC on hart 0: kernel access to user address 0x1000' "$log" || { fail "$name" "no panic message"; return; }
	grep -q 'kernel trap: load page fault' "$log" || { fail "$name" "no decoded scause"; return; }
	grep -q 'stval 0x1000' "$log" || { fail "$name" "no stval"; return; }
	grep -q '<selftest_user_access_panic+' "$log" || { fail "$name" "no symbolic backtrace"; return; }
	grep -q '^RESULT: FAIL (panic)' "$log" || { fail "$name" "no result line"; return; }
	echo "PASS: qemu/$name"
}

# An initrd passed by the loader (QEMU -initrd: /chosen linux,initrd-*)
# replaces the embedded one: it holds the hello program under a name the
# embedded initrd does not have.
loader_initrd() {
	local name=virt-loader-initrd dir=$LOGDIR/loader-initrd log=$LOGDIR/virt-loader-initrd.log
	rm -rf "$dir" && mkdir -p "$dir"
	cp build/initrd/hello "$dir/loaded"
	(cd "$dir" && echo loaded | cpio --quiet -o -H newc -R 0:0 >../loader.cpio)
	timeout --foreground -k 5 "$TIMEOUT" qemu-system-riscv64 -machine virt -smp 1 -m 128M \
		-nographic -bios default -semihosting-config enable=on,target=native \
		-kernel "$KERNEL" -initrd "$LOGDIR/loader.cpio" -append "init=loaded semihost" \
		</dev/null >"$log" 2>&1
	rc=$?
	if [ "$rc" = 124 ]; then fail "$name" "timeout"; return; fi
	grep -q "^reserved: .* initrd" "$log" || { fail "$name" "no initrd in the banner"; return; }
	grep -q "root task 'loaded' started" "$log" || { fail "$name" "root task not from the loader's initrd"; return; }
	grep -q '^RESULT: PASS' "$log" || { fail "$name" "no 'RESULT: PASS' line"; return; }
	[ "$rc" = 0 ] || { fail "$name" "QEMU exit code $rc"; return; }
	echo "PASS: qemu/$name"
}

selftest virt-smp1-128M virt 1 128M
selftest virt-smp4-2G virt 4 2G
selftest virt-smp1-8G virt 1 8G "=quick"
selftest sifive_u-smp2 sifive_u 2 128M
selftest sifive_u-smp5 sifive_u 5 1G "=quick"
panic_test
loader_initrd
