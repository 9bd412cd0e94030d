#!/bin/bash
# Run every test and print the summary line `N passed, N failed`.
#
# Tiers: host unit tests (build/unit/test_*, sanitizers on), the SPIN
# model of the copy-on-write protocol (test/model/), the layout check,
# the benchmark tools (test/bench/: on fixtures, and the profiler once on
# QEMU), and the QEMU tests (test/qemu/).  Each prints "PASS: name" / "FAIL: name" lines;
# a binary that dies without printing its own FAIL line (a sanitizer
# abort) counts as one failure.
set -u
cd "$(dirname "$0")/.."
mkdir -p build/test
results=build/test/results.txt
: >"$results"

record() {  # record the PASS/FAIL lines of a command's output
	tee -a "$results"
}

echo "== host unit tests"
for t in build/unit/test_*; do
	[ -x "$t" ] || continue
	case $t in *.d) continue ;; esac
	out=$("$t" 2>&1)
	status=$?
	printf '%s\n' "$out" | record
	if [ $status -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL:'; then
		echo "FAIL: $(basename "$t"): exited with status $status" | record
	fi
done

echo "== model checking (SPIN)"
bash test/model/run.sh | record

echo "== layout"
if grep -rnE 'asm|csr[rsw]' kern/; then
	echo "FAIL: layout/no-hardware-access-in-kern" | record
else
	echo "PASS: layout/no-hardware-access-in-kern" | record
fi

echo "== benchmark tools"
bash test/bench/results-test.sh | record
bash test/bench/compare-test.sh | record
bash test/bench/iprof-test.sh build/kernel.elf build/user | record

echo "== QEMU boot tests"
bash test/qemu/boot.sh build/kernel.elf | record

echo "== QEMU user-space tests"
bash test/qemu/user.sh build/kernel.elf | record
bash test/qemu/posix.sh build/kernel.elf | record
bash test/qemu/shell.sh build/kernel.elf | record
bash test/qemu/uboot.sh build/Image | record

echo "== syscall fuzzer"
bash test/qemu/fuzz.sh build/kernel.elf | record

passed=$(grep -c '^PASS:' "$results")
failed=$(grep -c '^FAIL:' "$results")
skipped=$(grep -c '^SKIP:' "$results")
if [ "$failed" -ne 0 ]; then
	echo "failed tests:"
	grep '^FAIL:' "$results" | sed 's/^/  /'
fi
if [ "$skipped" -ne 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
