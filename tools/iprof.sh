#!/bin/bash
# Where the instructions of one fork + exit + wait (or fork + exec +
# wait) go, function by function: `make profile` (docs/BENCHMARKS.md,
# "Profiles").
#
#   tools/iprof.sh KERNEL USERDIR MIB|exec [MASK]
#
# Boots KERNEL with the process server running "pbench profile MIB|exec
# [MASK]" under -icount shift=0, with QEMU translating one instruction at
# a time and logging each before it runs (-d exec,nochain) into a pipe
# that tools/iprof.py reads: the instructions between pbench's two profile
# marks, charged to the kernel's functions and to the user programs'
# (USERDIR/*.elf).  Writes build/bench/profile-MIBm[-MASK].tsv or
# profile-exec[-MASK].tsv (or under
# $IPROF_OUT).  The log is about 1.4 GB for MIB 0, never written to disk;
# a run takes about half a minute.  Fails if the window is not what
# pbench counted (plus the few dozen instructions around its count).
set -euo pipefail
KERNEL=$1 USERDIR=$2 WHAT=$3 MASK=${4:-}
OUT=${IPROF_OUT:-build/bench}
mkdir -p "$OUT"
if [ "$WHAT" = exec ]; then
	name="profile-exec${MASK:+-$MASK}"
else
	name="profile-${WHAT}m${MASK:+-$MASK}"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One instruction per translation block: -singlestep until QEMU 8.1, an
# accelerator property since (the only spelling from 9.0).
ver=$(qemu-system-riscv64 --version | sed -n 's/^QEMU emulator version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
if [ -n "$ver" ] && [ $((${ver% *} * 100 + ${ver#* })) -ge 801 ]; then
	ONE="-accel tcg,one-insn-per-tb=on"
else
	ONE="-singlestep"
fi
# QEMU writes the log to its fd 3, the pipe to iprof.py, and its console
# to a file: if either side stops early the other sees the pipe closed,
# and nothing waits for a partner that never comes.
set +e
# shellcheck disable=SC2086 # $ONE is one or two words
timeout --foreground -k 5 600 qemu-system-riscv64 -machine virt -smp 1 -m 256M -nographic \
	-bios default -icount shift=0 $ONE -d exec,nochain -D /dev/fd/3 \
	-semihosting-config enable=on,target=native -kernel "$KERNEL" \
	-append "init=procsrv posix=pbench:profile:$WHAT${MASK:+:$MASK} semihost" \
	3>&1 >"$tmp/console" 2>&1 </dev/null |
	python3 tools/iprof.py profile /dev/stdin "$KERNEL" "$USERDIR/pbench.elf" "$USERDIR" \
		"$OUT/$name.tsv" "${TOP:-30}" >"$tmp/profile" 2>&1
rcs=("${PIPESTATUS[@]}")
set -e
tr -d '\r' <"$tmp/console" >"$OUT/$name.log"
if [ "${rcs[0]}" != 0 ] || [ "${rcs[1]}" != 0 ] || ! grep -q '^RESULT: PASS' "$OUT/$name.log"; then
	cat "$tmp/profile" >&2
	echo "iprof: the run failed (qemu ${rcs[0]}, iprof.py ${rcs[1]}); see $OUT/$name.log" >&2
	exit 1
fi
measured=$(sed -n 's/^pbench: profiled sample: \([0-9]*\) instructions$/\1/p' "$OUT/$name.log")
window=$(sed -n 's/^iprof: \([0-9]*\) instructions in the window.*/\1/p' "$tmp/profile")
grep '^pbench: profiled sample' "$OUT/$name.log"
cat "$tmp/profile"
# The window also holds the marks' returns and the prologue and epilogue
# of the function with pbench's rdinstret pair: a few dozen.
if [ -z "$measured" ] || [ -z "$window" ] || [ "$window" -lt "$measured" ] ||
	[ $((window - measured)) -gt 64 ]; then
	echo "iprof: the window (${window:-?}) is not what pbench counted (${measured:-?}):" \
		"the profile marks were not where expected" >&2
	exit 1
fi
echo "iprof: written to $OUT/$name.tsv"
