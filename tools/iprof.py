#!/usr/bin/env python3
"""Instruction profile of one pbench sample, from QEMU's execution log.

    iprof.py profile LOG KERNEL PBENCH USERDIR OUT.tsv [TOP]
    iprof.py diff A.tsv B.tsv [TOP]

profile: LOG is what QEMU writes with one instruction per translation
block and `-d exec,nochain` (a pipe from tools/iprof.sh): one "Trace"
line before each instruction with its pc and privilege.  The window is
the instructions between pbench's two calls of profile_mark (from after
the first's entry to the second's; a user-mode execution of its address
counts only if a return to one of its call sites follows).  Each
supervisor-mode pc is charged to the kernel function holding it; each
run of user-mode pcs between two kernel entries to one program, the one
of USERDIR/*.elf in whose text the most of the run's pcs are instruction
starts (programs share addresses), and then to its function; each
machine-mode one (OpenSBI: they count too) to "(opensbi)".  Writes
OUT.tsv (function, instructions, calls: entries at the function's first
instruction) and prints the TOP functions.

diff: the functions whose counts differ between two profiles, the largest
changes first.
"""
import bisect
import collections
import glob
import os
import subprocess
import sys


# The kernel's virtual addresses: the top of Sv39's upper half.
KERNEL_BASE = 0xffffffff80000000


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


def return_sites(elf, func):
    """The addresses right after each call of func in elf."""
    out = subprocess.run(["riscv64-unknown-elf-objdump", "-d", "--no-show-raw-insn", elf],
                         check=True, capture_output=True, text=True).stdout
    sites, after_call = set(), False
    for line in out.splitlines():
        head = line.split(":", 1)[0].strip()
        if not line.startswith(" ") or not head:
            continue
        try:
            addr = int(head, 16)
        except ValueError:
            continue
        if after_call:
            sites.add(addr)
        after_call = "jal" in line and line.rstrip().endswith("<%s>" % func)
    return sites


def trace_lines(log):
    """(pc, mode) of each instruction QEMU's log says ran.  mode is the
    privilege in the low bits of the TB flags (MEM_IDX: 0 user, 1 or 2
    supervisor, 3 machine).  A "Stopped execution of TB chain before ...
    [pc]" line right after the Trace line of that pc means the block did
    not run (it runs, and is logged, again later): that line is dropped."""
    held = None
    with open(log, errors="replace") as f:
        for line in f:
            if line.startswith("Stopped execution of TB chain before"):
                b = line.find("[")
                if held is not None and held[0] == int(line[b + 1:line.index("]", b)], 16):
                    held = None
                continue
            if not line.startswith("Trace"):
                continue
            b = line.find("[")
            fields = line[b + 1:line.index("]", b)].split("/")
            if held is not None:
                yield held
            held = (int(fields[1], 16), int(fields[2], 16) & 3)
    if held is not None:
        yield held


def window(log, mark, returns):
    """The (pc, mode) of the instructions between pbench's two calls of
    its profile mark.  Other programs may have an instruction at the same
    address: an execution of mark in user mode counts only if one of its
    return sites (returns) follows within 16 user-mode instructions, with
    no other execution of mark before it (that one is then the candidate).
    Reads the log to its end: QEMU must not block on a pipe nobody reads."""
    pcs, state = [], 0  # state 0: before, 1: inside, 2: done
    pending, after, users = False, [], 0  # a mark not yet confirmed
    for pc, mode in trace_lines(log):
        if state == 2:
            continue
        if pending and mode == 0 and pc == mark:  # the earlier one was not pbench's
            if state == 1:
                pcs.append((mark, 0))
                pcs.extend(after)
            after, users = [], 0
            continue
        if pending:
            after.append((pc, mode))
            if mode == 0 and pc in returns:  # pbench's mark: confirmed
                pending = False
                if state == 0:
                    pcs = after  # the rest of the mark's body is in
                state += 1
            elif mode == 0:
                users += 1
                if users > 16:  # another program's instruction
                    pending = False
                    if state == 1:
                        pcs.append((mark, 0))
                        pcs.extend(after)
            continue
        if pc == mark and mode == 0:
            pending, after, users = True, [], 0
        elif state == 1:
            pcs.append((pc, mode))
    if state != 2:
        sys.exit("iprof: the log has no complete window between two profile marks")
    return pcs


class Program:
    """A user program: its functions and its instruction starts."""

    def __init__(self, elf):
        self.syms = symbols(elf)
        self.starts = set(self.syms[0])
        self.insns = insn_starts(elf)


def charge(pcs, ksyms, progs, counts, calls):
    """Charge each (pc, mode) of pcs to a function in counts, and each
    function entry to calls."""
    kstart = set(ksyms[0])
    i = 0
    while i < len(pcs):
        pc, mode = pcs[i]
        if mode == 3:  # OpenSBI, M-mode: its instructions count too
            counts["(opensbi)"] += 1
            i += 1
            continue
        if mode != 0:  # the kernel
            f = lookup(ksyms, pc) if pc >= KERNEL_BASE else "(kernel, untranslated)"
            counts[f] += 1
            calls[f] += pc in kstart
            i += 1
            continue
        j = i
        while j < len(pcs) and pcs[j][1] == 0:
            j += 1
        run = [x for x, _ in pcs[i:j]]
        # The program whose text explains the run best; pbench, the
        # profiled program, on a tie.
        name = max(progs, key=lambda p: (sum(x in progs[p].insns for x in run), p == "pbench"))
        prog = progs[name]
        for x in run:
            f = "%s:%s" % (name, lookup(prog.syms, x))
            counts[f] += 1
            calls[f] += x in prog.starts
        i = j


def profile(log, kernel, pbench, userdir, out, top):
    starts, names = symbols(pbench)
    if "profile_mark" not in names:
        sys.exit("iprof: %s has no profile_mark" % pbench)
    mark = starts[names.index("profile_mark")]
    pcs = window(log, mark, return_sites(pbench, "profile_mark"))
    progs = {os.path.basename(elf)[:-4]: Program(elf)
             for elf in sorted(glob.glob(os.path.join(userdir, "*.elf")))}
    counts, calls = collections.Counter(), collections.Counter()
    charge(pcs, symbols(kernel), progs, counts, calls)
    with open(out, "w") as f:
        f.write("# function\tinstructions\tcalls\n")
        for name, n in counts.most_common():
            f.write("%s\t%d\t%d\n" % (name, n, calls[name]))
    total = len(pcs)

    def share(n):
        return 100.0 * n / max(total, 1)

    per_prog = collections.Counter()
    for k, n in counts.items():
        per_prog[k.split(":")[0] if ":" in k else "opensbi" if k == "(opensbi)" else "kernel"] += n
    print("iprof: %d instructions in the window: " % total +
          ", ".join("%s %d (%.1f%%)" % (p, n, share(n)) for p, n in per_prog.most_common()))
    print("%-40s %9s %6s %6s" % ("function", "instr", "%", "calls"))
    for name, n in counts.most_common(top):
        print("%-40s %9d %6.1f %6d" % (name, n, share(n), calls[name]))


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
