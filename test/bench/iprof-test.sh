#!/bin/bash
# The instruction profiler of `make profile` (tools/iprof.py, iprof.sh).
#
#   test/bench/iprof-test.sh KERNEL USERDIR
#
# 1. iprof.py on a made-up execution log (no QEMU): exactly the
#    instructions between the two profile marks, each charged to its
#    kernel function, user program or OpenSBI, calls counted at function
#    starts; a log with one mark fails; diff shows a change.
# 2. A real profile (tools/iprof.sh, about a minute): the window agrees
#    with pbench's own rdinstret count of the sample, the counts add up to
#    the window, and the fork's landmarks are there (one clone of the
#    page tables, procsrv's and pbench's code).
# Prints one PASS:/FAIL: line per check.
set -u
cd "$(dirname "$0")/../.."
KERNEL=${1:-build/kernel.elf}
USERDIR=${2:-build/user}
W=build/test/iprof
rm -rf "$W"
mkdir -p "$W"

check() { # check NAME STATUS (0 = pass) [detail]
	if [ "$2" -eq 0 ]; then
		echo "PASS: bench/$1"
	else
		echo "FAIL: bench/$1${3:+: $3}"
	fi
}

addr() { # addr ELF SYMBOL: its address in hex
	riscv64-unknown-elf-nm "$1" | awk -v s="$2" '$3 == s { print $1; exit }'
}

line() { printf 'Trace 0: 0x7f0000000000 [0000000000000000/%016x/00209003/ff020201] \n' "$1"; }

mark=0x$(addr "$USERDIR/pbench.elf" profile_mark)
sys=0x$(addr "$KERNEL" kern_syscall)
umain=0x$(addr "$USERDIR/pbench.elf" main)
{
	line "$sys"                # before the window: not counted
	line "$mark"
	line "$sys"                # kern_syscall, a call
	line $((sys + 4))          # kern_syscall, no call
	echo "Stopped execution of TB chain before 0x7f0000000000 [0000000080000110] "
	line 0x80000110            # OpenSBI
	line "$umain"              # pbench's main, a call
	line "$mark"
	line "$sys"                # after: not counted
} >"$W/fake.log"
python3 tools/iprof.py profile "$W/fake.log" "$KERNEL" "$USERDIR/pbench.elf" "$USERDIR" \
	"$W/fake.tsv" >"$W/fake.out" 2>&1
rc=$?
want=$(printf 'kern_syscall\t2\t1\n(opensbi)\t1\t0\npbench:main\t1\t1')
got=$(grep -v '^#' "$W/fake.tsv" 2>/dev/null | sort)
[ $rc = 0 ] && [ "$got" = "$(printf '%s\n' "$want" | sort)" ] &&
	grep -q '^iprof: 4 instructions in the window' "$W/fake.out"
check iprof-window $? "$(tr '\n' '|' <"$W/fake.tsv" 2>/dev/null)"

head -5 "$W/fake.log" >"$W/half.log" # one mark only
python3 tools/iprof.py profile "$W/half.log" "$KERNEL" "$USERDIR/pbench.elf" "$USERDIR" \
	"$W/half.tsv" >"$W/half.out" 2>&1
[ $? != 0 ] && grep -q 'no complete window' "$W/half.out"
check iprof-no-window $?

sed 's/^kern_syscall\t2/kern_syscall\t5/' "$W/fake.tsv" >"$W/more.tsv"
python3 tools/iprof.py diff "$W/fake.tsv" "$W/more.tsv" >"$W/diff.out" 2>&1 &&
	grep -q '^iprof: 4 -> 7 instructions (+3)' "$W/diff.out" &&
	grep -Eq '^kern_syscall +2 +5 +\+3$' "$W/diff.out"
check iprof-diff $?

# The real thing.
IPROF_OUT=$W bash tools/iprof.sh "$KERNEL" "$USERDIR" 0 >"$W/real.out" 2>&1
rc=$?
measured=$(sed -n 's/^pbench: profiled sample: \([0-9]*\) instructions$/\1/p' "$W/real.out")
window=$(sed -n 's/^iprof: \([0-9]*\) instructions in the window.*/\1/p' "$W/real.out")
sum=$(awk -F'\t' '!/^#/ { s += $2 } END { print s + 0 }' "$W/profile-0m.tsv" 2>/dev/null)
# The window also holds the marks' returns and one_fork_exit_wait's
# prologue and epilogue around the rdinstret pair: a few dozen.
[ $rc = 0 ] && [ -n "$measured" ] && [ -n "$window" ] && [ "$sum" = "$window" ] &&
	[ "$window" -ge "$measured" ] && [ $((window - measured)) -le 64 ]
check iprof-real-window $? "exit $rc, window ${window:-?}, measured ${measured:-?}, sum ${sum:-?}"
grep -Eq $'^arch_pt_clone\t[0-9]+\t1$' "$W/profile-0m.tsv" &&
	grep -q '^procsrv:' "$W/profile-0m.tsv" && grep -q '^pbench:' "$W/profile-0m.tsv"
check iprof-real-landmarks $?
