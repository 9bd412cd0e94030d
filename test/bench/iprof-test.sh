#!/bin/bash
# The instruction profiler of `make profile` (tools/iprof.py, iprof.sh).
#
#   test/bench/iprof-test.sh KERNEL USERDIR
#
# 1. iprof.py on a made-up execution log (no QEMU): exactly the
#    instructions between pbench's two calls of its profile mark (an
#    execution of the mark's address not followed by a return to pbench
#    is another program's instruction), each charged
#    by its privilege to its kernel function, user program (a run that
#    only procsrv's text explains to procsrv) or OpenSBI, a block QEMU
#    logged but stopped before running not counted, calls counted at
#    function starts; a log with one mark fails; diff shows a change; a
#    QEMU that exits at once makes iprof.sh fail without waiting.
# 2. Real profiles (tools/iprof.sh, half a minute each): the window
#    agrees with pbench's own rdinstret count of the sample and the fork's
#    landmarks are there (one clone of the page tables, procsrv's fork,
#    pbench's sample), of fork + exit + wait and of fork + exec + wait.
# Prints one PASS:/FAIL: line per check.
set -u
cd "$(dirname "$0")/../.."
KERNEL=${1:-build/kernel.elf}
USERDIR=${2:-build/user}
W=build/test/iprof
rm -rf "$W"
mkdir -p "$W"

. test/bench/check.sh

addr() { # addr ELF SYMBOL: its address in hex
	riscv64-unknown-elf-nm "$1" | awk -v s="$2" '$3 == s { print $1; exit }'
}

line() { # line PC [MODE]: QEMU's Trace line (MODE 0 user, 1 supervisor, 3 machine)
	printf 'Trace 0: 0x7f0000000000 [0000000000000000/%016x/0020900%d/ff020201] \n' "$1" "${2:-1}"
}

mark=0x$(addr "$USERDIR/pbench.elf" profile_mark)
sys=0x$(addr "$KERNEL" kern_syscall)
umain=0x$(addr "$USERDIR/pbench.elf" main)
# Where a call of profile_mark returns to (in profile_sample): what
# confirms that an execution of the mark's address is pbench's.
ret=0x$(riscv64-unknown-elf-objdump -d --no-show-raw-insn "$USERDIR/pbench.elf" |
	awk '/jal.*<profile_mark>$/ { getline; sub(":", "", $1); print $1; exit }')
# The first six instructions of procsrv's proc_fork: a run only procsrv's
# text explains.
mapfile -t fork6 < <(riscv64-unknown-elf-objdump -d --no-show-raw-insn \
	--disassemble=proc_fork "$USERDIR/procsrv.elf" | sed -n 's/^ *\([0-9a-f]*\):.*/0x\1/p' | head -6)
{
	line "$sys"                # before the window: not counted
	line "$mark" 1             # the mark's address in the kernel's mode: not the mark
	line "$mark" 0             # another program's instruction there, and
	line "$umain" 0            # before a return to pbench ...
	line "$sys"
	line "$mark" 0             # ... the mark, confirmed by ...
	line "$ret" 0              # ... its return: pbench's profile_sample
	line "$sys"                # kern_syscall, a call
	line $((sys + 4))          # kern_syscall, no call
	line $((sys + 8))          # logged, then not run: taken back
	echo "Stopped execution of TB chain before 0x7f0000000000 [$(printf '%016x' $((sys + 8)))] "
	line 0x80000110 3          # OpenSBI
	line "$umain" 0            # pbench's main, a call
	line "$sys"                # a kernel entry ends the user run
	for pc in "${fork6[@]}"; do line "$pc" 0; done
	line "$sys"
	line "$mark" 0             # the mark's address, but no return follows:
	for i in $(seq 17); do line "$umain" 0; done # another program's, counted
	line "$sys"
	line "$mark" 0             # the second mark
	line "$ret" 0
	line "$sys"                # after: not counted
} >"$W/fake.log"
python3 tools/iprof.py profile "$W/fake.log" "$KERNEL" "$USERDIR/pbench.elf" "$USERDIR" \
	"$W/fake.tsv" >"$W/fake.out" 2>&1
rc=$?
want=$(printf '%s\t%s\t%s\n' kern_syscall 5 4 '(opensbi)' 1 0 pbench:main 18 18 \
	pbench:profile_mark 1 1 pbench:profile_sample 1 0 procsrv:proc_fork 6 1 | sort)
got=$(grep -v '^#' "$W/fake.tsv" 2>/dev/null | sort)
[ $rc = 0 ] && [ "${#fork6[@]}" = 6 ] && [ "$ret" != 0x ] && [ "$got" = "$want" ] &&
	grep -q '^iprof: 32 instructions in the window' "$W/fake.out"
check iprof-window $? "$(tr '\n' '|' <"$W/fake.tsv" 2>/dev/null)"

head -10 "$W/fake.log" >"$W/half.log" # one mark only
python3 tools/iprof.py profile "$W/half.log" "$KERNEL" "$USERDIR/pbench.elf" "$USERDIR" \
	"$W/half.tsv" >"$W/half.out" 2>&1
[ $? != 0 ] && grep -q 'no complete window' "$W/half.out"
check iprof-no-window $?

sed 's/^kern_syscall\t5/kern_syscall\t8/' "$W/fake.tsv" >"$W/more.tsv"
python3 tools/iprof.py diff "$W/fake.tsv" "$W/more.tsv" >"$W/diff.out" 2>&1 &&
	grep -q '^iprof: 32 -> 35 instructions (+3)' "$W/diff.out" &&
	grep -Eq '^kern_syscall +5 +8 +\+3$' "$W/diff.out"
check iprof-diff $?

# A QEMU that stops at once (as one refusing an option would): iprof.sh
# fails, and does not wait for it.
mkdir -p "$W/bin"
cat >"$W/bin/qemu-system-riscv64" <<'FAKE'
#!/bin/sh
[ "$1" = --version ] && echo "QEMU emulator version 7.2.0" && exit 0
echo "qemu-system-riscv64: -singlestep: invalid option" >&2
exit 1
FAKE
chmod +x "$W/bin/qemu-system-riscv64"
PATH=$W/bin:$PATH IPROF_OUT=$W/early timeout 60 bash tools/iprof.sh "$KERNEL" "$USERDIR" 0 \
	>"$W/early.out" 2>&1
rc=$?
[ $rc != 0 ] && [ $rc != 124 ] && grep -q 'the run failed' "$W/early.out"
check iprof-qemu-fails $? "exit $rc"


# The real thing.  tools/iprof.sh itself fails if the window is not
# pbench's own count plus a few dozen (the marks' returns and
# one_fork_exit_wait's prologue and epilogue around its rdinstret pair).
IPROF_OUT=$W bash tools/iprof.sh "$KERNEL" "$USERDIR" 0 >"$W/real.out" 2>&1
rc=$?
measured=$(sed -n 's/^pbench: profiled sample: \([0-9]*\) instructions$/\1/p' "$W/real.out")
window=$(sed -n 's/^iprof: \([0-9]*\) instructions in the window.*/\1/p' "$W/real.out")
[ $rc = 0 ] && [ -n "$measured" ] && [ -n "$window" ] &&
	[ "$window" -ge "$measured" ] && [ $((window - measured)) -le 64 ]
check iprof-real-window $? "exit $rc, window ${window:-?}, measured ${measured:-?}"
grep -Eq $'^arch_pt_clone\t[0-9]+\t1$' "$W/profile-0m.tsv" &&
	grep -q '^procsrv:proc_fork' "$W/profile-0m.tsv" && grep -q '^pbench:one_fork_exit_wait' "$W/profile-0m.tsv"
check iprof-real-landmarks $?

# fork + exec + wait: the child runs ptrue, which has instructions at the
# address of pbench's mark; the window must still be pbench's sample.
IPROF_OUT=$W bash tools/iprof.sh "$KERNEL" "$USERDIR" exec >"$W/exec.out" 2>&1
rc=$?
grep -q '^ptrue:' "$W/profile-exec.tsv" 2>/dev/null && grep -q '^procsrv:exec_build' "$W/profile-exec.tsv"
check iprof-real-exec $([ $rc = 0 ] && echo $? || echo 1) "exit $rc"
