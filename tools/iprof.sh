#!/bin/bash
# Where the instructions of one fork + exit + wait go, function by
# function: `make profile` (docs/BENCHMARKS.md, "Profiles").
#
#   tools/iprof.sh KERNEL USERDIR MIB [MASK]
#
# Boots KERNEL with the process server running "pbench profile MIB
# [MASK]" under -icount shift=0, with QEMU translating one instruction at
# a time and logging each before it runs (-singlestep -d exec,nochain)
# into a FIFO that tools/iprof.py reads: the instructions between pbench's
# two profile marks, charged to the kernel's functions and to the user
# programs' (USERDIR/*.elf).  Writes build/bench/profile-MIBm[-MASK].tsv
# (or under $IPROF_OUT).
# The log is about 1.4 GB for MIB 0, never written to disk; a run takes
# about half a minute.
set -euo pipefail
KERNEL=$1 USERDIR=$2 MIB=$3 MASK=${4:-}
OUT=${IPROF_OUT:-build/bench}
mkdir -p "$OUT"
name="profile-${MIB}m${MASK:+-$MASK}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkfifo "$tmp/log"
python3 tools/iprof.py profile "$tmp/log" "$KERNEL" "$USERDIR/pbench.elf" "$USERDIR" \
	"$OUT/$name.tsv" "${TOP:-30}" >"$tmp/profile" &
reader=$!
set +e
timeout --foreground -k 5 600 qemu-system-riscv64 -machine virt -smp 1 -m 256M -nographic \
	-bios default -icount shift=0 -singlestep -d exec,nochain -D "$tmp/log" \
	-semihosting-config enable=on,target=native -kernel "$KERNEL" \
	-append "init=procsrv posix=pbench:profile:$MIB${MASK:+:$MASK} semihost" \
	</dev/null 2>&1 | tr -d '\r' >"$OUT/$name.log"
rc=${PIPESTATUS[0]}
wait $reader
prc=$?
set -e
if [ "$rc" != 0 ] || [ "$prc" != 0 ] || ! grep -q '^RESULT: PASS' "$OUT/$name.log"; then
	cat "$tmp/profile" >&2
	echo "iprof: the run failed (qemu $rc, iprof.py $prc); see $OUT/$name.log" >&2
	exit 1
fi
grep '^pbench: profiled sample' "$OUT/$name.log"
cat "$tmp/profile"
echo "iprof: written to $OUT/$name.tsv"
