#!/usr/bin/env python3
"""Instruction profile of one pbench sample, from QEMU's execution log.

    iprof.py profile LOG KERNEL PBENCH USERDIR OUT.tsv [TOP]
    iprof.py diff A.tsv B.tsv [TOP]

profile: LOG is what `qemu -one-insn-per-tb -d exec,nochain` writes (a
FIFO from tools/iprof.sh): one "Trace" line before each instruction with
its pc.  The window is the instructions between the two calls of pbench's
profile_mark (excluding both).  Each kernel pc is charged to the kernel
function holding it; each run of user pcs between two kernel entries to
one program, the one of USERDIR/*.elf in whose text the most of the run's
pcs are instruction starts (programs share addresses), and then to its
function; OpenSBI's (M-mode instructions count too) to "(opensbi)".  Writes OUT.tsv (function, instructions, calls: entries at the
function's first instruction) and prints the TOP functions.

diff: the functions whose counts differ between two profiles, the largest
changes first.
"""
import bisect
import collections
import glob
import os
import subprocess
import sys


# Where OpenSBI runs (QEMU virt: RAM from 0x80000000, the kernel at
# 0x80200000); user programs' text is far below.
FIRMWARE = (0x80000000, 0x80200000)


def symbols(elf):
    """Sorted function starts and names of elf."""
    out = subprocess.run(["riscv64-unknown-elf-nm", "-n", elf], check=True,
                         capture_output=True, text=True).stdout
    starts, names = [], []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "tTwW":
            starts.append(int(f[0], 16))
            names.append(f[2])
    return starts, names


def insn_starts(elf):
    """Addresses of every instruction in elf's text."""
    out = subprocess.run(["riscv64-unknown-elf-objdump", "-d", "--no-show-raw-insn", elf],
                         check=True, capture_output=True, text=True).stdout
    pcs = set()
    for line in out.splitlines():
        head = line.split(":", 1)[0].strip()
        if line.startswith(" ") and head:
            try:
                pcs.add(int(head, 16))
            except ValueError:
                pass
    return pcs


def lookup(syms, pc):
    i = bisect.bisect_right(syms[0], pc) - 1
    return syms[1][i] if i >= 0 else "?"


def window(log, mark):
    """The pcs between the first two executions of mark.  Reads the log to
    its end: QEMU must not block on a FIFO nobody reads."""
    pcs, state = [], 0  # 0: before, 1: inside, 2: done
    with open(log, errors="replace") as f:
        for line in f:
            if state == 2 or not line.startswith("Trace"):
                continue
            b = line.find("[")
            pc = int(line[b + 1:line.index("]", b)].split("/")[1], 16)
            if pc == mark:
                state += 1
            elif state == 1:
                pcs.append(pc)
    if state != 2:
        sys.exit("iprof: the log has no complete window between two profile marks")
    return pcs


def profile(log, kernel, pbench, userdir, out, top):
    ksyms = symbols(kernel)
    mark = dict(zip(symbols(pbench)[1], symbols(pbench)[0])).get("profile_mark")
    if mark is None:
        sys.exit("iprof: %s has no profile_mark" % pbench)
    pcs = window(log, mark)
    progs = {}
    for elf in sorted(glob.glob(os.path.join(userdir, "*.elf"))):
        name = os.path.basename(elf)[:-4]
        progs[name] = (symbols(elf), insn_starts(elf))
    kstart = set(ksyms[0])
    counts, calls = collections.Counter(), collections.Counter()
    i = 0
    while i < len(pcs):
        pc = pcs[i]
        if pc >= 1 << 63:  # kernel: the upper half of Sv39
            f = lookup(ksyms, pc)
            counts[f] += 1
            if pc in kstart:
                calls[f] += 1
            i += 1
            continue
        if FIRMWARE[0] <= pc < FIRMWARE[1]:  # OpenSBI, M-mode
            counts["(opensbi)"] += 1
            i += 1
            continue
        j = i
        while j < len(pcs) and pcs[j] < FIRMWARE[0]:
            j += 1
        run = pcs[i:j]
        # pbench first on a tie: the profiled program.
        best = max(progs, key=lambda p: (sum(x in progs[p][1] for x in run), p == "pbench"))
        syms = progs[best][0]
        starts = set(syms[0])
        for x in run:
            f = "%s:%s" % (best, lookup(syms, x))
            counts[f] += 1
            if x in starts:
                calls[f] += 1
        i = j
    total = len(pcs)
    with open(out, "w") as f:
        f.write("# function\tinstructions\tcalls\n")
        for name, n in counts.most_common():
            f.write("%s\t%d\t%d\n" % (name, n, calls[name]))
    per_prog = collections.Counter()
    for k, n in counts.items():
        per_prog[k.split(":")[0] if ":" in k else "opensbi" if k == "(opensbi)" else "kernel"] += n
    print("iprof: %d instructions in the window: " % total +
          ", ".join("%s %d (%.1f%%)" % (p, n, 100.0 * n / total) for p, n in per_prog.most_common()))
    print("%-40s %9s %6s %6s" % ("function", "instr", "%", "calls"))
    for name, n in counts.most_common(top):
        print("%-40s %9d %6.1f %6d" % (name, n, 100.0 * n / total, calls[name]))


def load(path):
    rows = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                continue
            name, n, c = line.rstrip("\n").split("\t")
            rows[name] = (int(n), int(c))
    return rows


def diff(a_path, b_path, top):
    a, b = load(a_path), load(b_path)
    ta, tb = sum(v[0] for v in a.values()), sum(v[0] for v in b.values())
    print("iprof: %d -> %d instructions (%+d)" % (ta, tb, tb - ta))
    names = sorted(set(a) | set(b),
                   key=lambda k: -abs(b.get(k, (0, 0))[0] - a.get(k, (0, 0))[0]))
    print("%-40s %9s %9s %8s" % ("function", "a", "b", "b-a"))
    for k in names[:top]:
        na, nb = a.get(k, (0, 0))[0], b.get(k, (0, 0))[0]
        if na != nb:
            print("%-40s %9d %9d %+8d" % (k, na, nb, nb - na))


def main(argv):
    if len(argv) >= 7 and argv[1] == "profile":
        profile(argv[2], argv[3], argv[4], argv[5], argv[6], int(argv[7]) if len(argv) > 7 else 30)
    elif len(argv) >= 4 and argv[1] == "diff":
        diff(argv[2], argv[3], int(argv[4]) if len(argv) > 4 else 30)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
