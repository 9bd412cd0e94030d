#!/usr/bin/env python3
"""Drive the shell over QEMU's serial console with a scripted session.

usage: shell.py KERNEL MACHINE SMP MEM NAME LOG

Boots KERNEL (init=procsrv: init runs sh), types commands the way a person
would, waits for the answers, and prints one "PASS: shell-NAME/<step>" or
"FAIL: shell-NAME/<step>: why" line per step, then one for the run: no
kernel panic, RESULT: PASS after `exit`, QEMU's exit code 0.  The whole
console transcript goes to LOG.

Waiting is for output, never for time: every expect() has a generous
deadline only so that a hung system fails instead of blocking forever.
"""
import os
import re
import subprocess
import sys
import threading
import time

KERNEL, MACHINE, SMP, MEM, NAME, LOG = sys.argv[1:7]
DEADLINE = float(os.environ.get("SHELL_STEP_TIMEOUT", "60"))
PROMPT = "$ "


class Console:
    def __init__(self):
        args = ["qemu-system-riscv64", "-machine", MACHINE, "-smp", SMP, "-m", MEM,
                "-nographic", "-bios", "default",
                "-semihosting-config", "enable=on,target=native",
                "-kernel", KERNEL, "-append", "init=procsrv semihost"]
        self.p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.buf = ""
        self.pos = 0  # expect() looks at buf[pos:]
        self.lock = threading.Lock()
        self.more = threading.Condition(self.lock)
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        while True:
            data = os.read(self.p.stdout.fileno(), 65536)
            with self.lock:
                if not data:
                    self.buf += "\0EOF"
                    self.more.notify_all()
                    return
                self.buf += data.decode("latin-1").replace("\r", "")
                self.more.notify_all()

    def send(self, text):
        self.p.stdin.write(text.encode("latin-1"))
        self.p.stdin.flush()

    def expect(self, pattern, timeout=DEADLINE):
        """Wait for pattern after the current position; the match, or None."""
        rx = re.compile(pattern, re.M)
        end = time.monotonic() + timeout
        with self.lock:
            while True:
                m = rx.search(self.buf, self.pos)
                if m:
                    self.pos = m.end()
                    return m
                left = end - time.monotonic()
                if left <= 0 or "\0EOF" in self.buf[self.pos:]:
                    return None
                self.more.wait(left)

    def line(self, cmd):
        """Type a command line and wait for its echo."""
        self.send(cmd + "\n")
        return self.expect(re.escape(cmd) + r"\n")

    def finish(self, timeout=DEADLINE):
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
            rc = "timeout"
        with self.lock:
            text = self.buf
        with open(LOG, "w") as f:
            f.write(text)
        return rc, text


results = []


def check(step, ok, why=""):
    results.append(ok)
    if ok:
        print(f"PASS: shell-{NAME}/{step}", flush=True)
    else:
        print(f"FAIL: shell-{NAME}/{step}: {why} (log: {LOG})", flush=True)
    return ok


def run_cmd(c, cmd, want, step, timeout=DEADLINE):
    """Type cmd, expect the regex want, then the next prompt."""
    ok = c.line(cmd) is not None
    m = c.expect(want, timeout) if ok else None
    ok = m is not None and c.expect(r"^\$ ", timeout) is not None
    check(step, ok, f"no /{want}/ after '{cmd}'")
    return m


def capture(c, cmd):
    """Type cmd; everything it printed before the next prompt, or None."""
    if c.line(cmd) is None:
        return None
    start = c.pos
    if c.expect(r"^\$ ") is None:
        return None
    with c.lock:
        return c.buf[start:c.pos]


def free_frames(c, step):
    m = run_cmd(c, "free", r"^frames: total (\d+) free (\d+) used (\d+)$", step)
    return int(m.group(2)) if m else None


def session(c):
    if not check("prompt", c.expect(r"^\$ ") is not None, "no prompt"):
        return
    # Warm up every path of the shell once, so that the frames it keeps
    # (stack, heap) are in place before the first count.
    run_cmd(c, "echo warm | cat | wc", r"^1 1 5$", "warm-up")
    # A background job: the shell reports it done at the next prompt or
    # at wait, whichever comes first (with several harts it may end before
    # the shell prints its prompt).
    ok = c.line("ptrue &") is not None
    m = c.expect(r"^\[(\d+)\]$") if ok else None
    mark = c.pos
    ok = m is not None and c.expect(r"^\$ ") is not None
    check("warm-up-bg", ok, "no '[N]' after 'ptrue &'")
    ok = ok and c.line("wait") is not None and c.expect(r"^\$ ") is not None
    with c.lock:
        seen = c.buf[mark:c.pos]
    check("warm-up-wait",
          ok and re.search(rf"^\[{m.group(1)}\] done, status 0$", seen, re.M) is not None,
          "no '[N] done, status 0' by the end of 'wait'")
    # ... and the console server's input buffers (a paste wraps them).
    c.line("wc")
    c.send("".join("y" * 63 + "\n" for i in range(256)))
    c.send("\x04")
    check("warm-up-paste", c.expect(r"^256 256 16384$") is not None, "no count")
    c.expect(r"^\$ ")
    before = free_frames(c, "free-before")

    run_cmd(c, "echo hello 'big   world'", r"^hello big   world$", "args")
    run_cmd(c, "echo one two three | cat | wc", r"^1 3 14$", "pipeline-3")
    run_cmd(c, "nosuch x", r"^sh: nosuch: command not found$", "unknown-command")
    run_cmd(c, "echo " + "y" * 1100, r"^sh: line too long \(at most 1022 bytes\)$", "long-line")
    run_cmd(c, "ls", r"^forktest$", "ls")
    run_cmd(c, "forktest 8", r"^forktest: OK$", "forktest")
    run_cmd(c, "help", r"^built-ins:", "help")
    # The kernel's event trace of a copy-on-write fault: entry, fault,
    # copy, exit (the store resumes), one thread on one hart (trace lists
    # each hart's ring in turn).
    run_cmd(c, "trace -m trap,fault forktest 1",
            r"^\d+ h(\d+) t(\d+) trap-enter cause=0xf pc=(0x[0-9a-f]+)\n"
            r"\d+ h\1 t\2 fault addr=0x[0-9a-f]+ cause=0xf\n"
            r"\d+ h\1 t\2 cow-copy va=0x[0-9a-f]+000 frame=0x[0-9a-f]+\n"
            r"\d+ h\1 t\2 trap-exit pc=\3$", "trace-cow")

    # Line editing: backspace and Ctrl-U.
    c.send("echo abX\x7fc\n")
    check("backspace", c.expect(r"^abc$") is not None and c.expect(r"^\$ ") is not None,
          "no 'abc'")
    c.send("echo le\x1b[Aft\x1b[D\n")  # arrow keys are swallowed
    check("escape-keys", c.expect(r"^left$") is not None and c.expect(r"^\$ ") is not None,
          "arrow keys left bytes in the line")
    c.send("echo wrong\x15echo right\n")
    check("ctrl-u", c.expect(r"^right$") is not None and c.expect(r"^\$ ") is not None,
          "no 'right'")

    # A background job, seen by ps, then killed.
    m = run_cmd(c, "spin &", r"^\[(\d+)\]$", "background")
    if m:
        pid = m.group(1)
        run_cmd(c, "ps", rf"^\s+{pid}\s+\d+\s+{pid}\s+run(\s+\d+){{6}}\s+spin$", "ps")
        c.line(f"kill {pid}")
        check("kill", c.expect(rf"^\[{pid}\] killed by signal 9") is not None,
              "no kill report")
        c.expect(r"^\$ ")

    # Ctrl-C of a spinning foreground job, once it says it spins.
    c.line("spin")
    if check("spin", c.expect(r"^spin: spinning$") is not None, "spin did not start"):
        c.send("\x03")
        check("ctrl-c", c.expect(r"^\^C$") is not None and c.expect(r"^\$ ") is not None,
              "no prompt after ^C")
        out = capture(c, "ps")
        check("ctrl-c-gone", out is not None and "PID" in out and " spin" not in out,
              f"spin still listed or no ps output: {out!r}")

    # Ctrl-C drops what was typed ahead (more than procsrv's input queue
    # holds, so some still sits in the console server): none of those
    # lines may run after it.
    c.line("spin")
    if check("spin-2", c.expect(r"^spin: spinning$") is not None, "spin did not start"):
        c.send("".join(f"echo typed-ahead-{i:03d}\n" for i in range(250)))
        c.expect(r"^echo typed-ahead-249$")
        c.send("\x03")
        c.expect(r"^\^C$")
        start = c.pos
        c.expect(r"^\$ ")  # the shell is back: type only now
        out = capture(c, "echo after")
        with c.lock:
            since = c.buf[start:c.pos]
        check("ctrl-c-typeahead", out is not None and "after" in out and
              re.search(r"^typed-ahead-\d+$", since, re.M) is None,
              "a typed-ahead line ran after ^C")
    # Ctrl-C while a program floods the console.
    c.line("spin print")
    if check("flood", c.expect(r"^spin 100$") is not None, "no flood"):
        c.send("\x03")
        # The echo of ^C comes wherever the flood's output has got to,
        # maybe in the middle of a line (a terminal does the same).
        check("ctrl-c-flood", c.expect(r"\^C\n") is not None and c.expect(r"^\$ ") is not None,
              "no prompt after ^C of a flood")
    # A 64 KiB paste into wc: 1024 lines of 63 bytes and a newline.
    c.line("wc")
    paste = "".join(f"{i:05d}" + "x" * 58 + "\n" for i in range(1024))
    c.send(paste)
    c.send("\x04")
    check("paste-64k", c.expect(r"^1024 1024 65536$", 4 * DEADLINE) is not None,
          "wc did not count 1024 lines, 1024 words, 65536 bytes")
    c.expect(r"^\$ ")

    after = free_frames(c, "free-after")
    check("no-leak", before is not None and before == after,
          f"free frames {before} before, {after} after")

    if NAME != "virt":
        # exit ends the background jobs still running.
        m = run_cmd(c, "spin &", r"^\[(\d+)\]$", "background-2")
        c.send("exit\n")
        check("exit-ends-jobs",
              m is not None and c.expect(rf"^sh: ending background job {m.group(1)} \(spin\)$")
              is not None, "no 'ending background job' line")
        return
    # Server failure: kill the console server.  procsrv says so, prints
    # through the debug console from then on, and the shell's next read
    # is end of file, so it exits and the system ends cleanly.
    out = capture(c, "ps")
    m = re.search(r"^\s+(\d+)\s+0\s+\d+\s+run\s+.*console$", out or "", re.M)
    if check("console-listed", m is not None, f"no console server in ps: {out!r}"):
        c.line(f"kill {m.group(1)}")
        check("console-killed",
              c.expect(rf"^procsrv: the console server \(pid {m.group(1)}\) ended") is not None,
              "no report of the console server's end")


def main():
    c = Console()
    try:
        session(c)
    finally:
        rc, text = c.finish()
    if "PANIC" in text:
        check("run", False, "kernel panic")
    elif rc == "timeout":
        check("run", False, "QEMU did not exit")
    elif "RESULT: PASS" not in text:
        check("run", False, "no 'RESULT: PASS' line")
    elif rc != 0:
        check("run", False, f"QEMU exit code {rc}")
    else:
        check("run", True)
    return 0 if all(results) else 1


sys.exit(main())
