/*
 * Pipes and file descriptors (procsrv's file.c): contents, end of file,
 * EPIPE, errors and limits, inheritance across fork and exec, large
 * transfers both ways, a read into a buffer shared copy-on-write, many
 * pipes at once.
 */
#include <signal.h>
#include <stdlib.h>

#include "ptest.h"

/* Read exactly n bytes (less only at end of file); the count or -1. */
static long read_full(int fd, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, (char *)buf + done, n - done);

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (long)done;
}

static int t_pipe_basic(void)
{
	int fds[2];
	char buf[16];

	CHECK_EQ(pipe(fds), 0);
	CHECK(fds[0] > 2 && fds[1] > 2 && fds[0] != fds[1]);
	CHECK_EQ(write(fds[1], "hello", 5), 5);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	/* the wrong end of each */
	CHECK_EQ(read(fds[1], buf, 1), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(write(fds[0], "x", 1), -1);
	CHECK_EQ(errno, EBADF);
	/* zero-byte reads and writes return at once (the write hung) */
	CHECK_EQ(read(fds[0], buf, 0), 0);
	CHECK_EQ(write(fds[1], "", 0), 0);
	CHECK_EQ(close(fds[1]), 0);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 0); /* end of file */
	CHECK_EQ(close(fds[0]), 0);
	CHECK_EQ(close(fds[0]), -1);
	CHECK_EQ(errno, EBADF);
	return 0;
}

/* A reply carries nothing of an earlier one: a raw read of an empty pipe
 * after someone read a secret from another pipe gets zeros in its words
 * (it got the secret's bytes before the fix). */
static int t_reply_words(void)
{
	int a[2], b[2];
	char buf[32];
	msg_t m = {0};
	sysret_t r;

	CHECK_EQ(pipe(a), 0);
	CHECK_EQ(pipe(b), 0);
	CHECK_EQ(write(a[1], "SECRET-0SECRET-1SECRET-2", 24), 24);
	CHECK_EQ(read(a[0], buf, 24), 24);
	m.info = MSG_INFO(PS_READ, 4);
	m.w[0] = (unsigned long)b[0];
	m.w[1] = PS_IO_CHUNK;
	m.w[2] = PS_READ_NOWAIT;
	r = sys_call(PSLOT_PROCSRV, &m);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ((long)r.r[1], E_AGAIN);
	CHECK(r.r[2] == 0 && r.r[3] == 0 && r.r[4] == 0);
	for (int i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
	}
	return 0;
}

/* Many processes printing whole 256-byte lines at once: every write
 * completes (40 of them deadlocked the console ring before the fix) and
 * each line comes out in one piece (test/qemu/posix.sh counts them). */
static int t_console_writers(void)
{
	pid_t pids[40];
	int st;

	for (int i = 0; i < 40; i++) {
		pids[i] = fork();
		CHECK(pids[i] >= 0);
		if (pids[i] == 0) {
			char line[256];
			int n = snprintf(line, sizeof(line), "console-writer %02d ", i);

			memset(line + n, 'w', sizeof(line) - (size_t)n - 1);
			line[255] = '\n';
			_exit(write(1, line, 256) == 256 ? 0 : 1);
		}
	}
	for (int i = 0; i < 40; i++) {
		st = wait_for(pids[i]);
		CHECK_EQ(st, 0);
	}
	return 0;
}

static int t_fd_errors(void)
{
	char c;

	CHECK_EQ(close(99), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(close(-1), -1);
	CHECK_EQ(read(PS_NFD, &c, 1), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(write(7, "x", 1), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(dup(9), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(dup2(1, PS_NFD), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(dup2(12, 5), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(dup2(1, 1), 1);
	return 0;
}

/* dup until the table is full, then pipe fails too; all closes. */
static int t_fd_limit(void)
{
	int fds[2], n = 0, first = -1, fd;

	while ((fd = dup(1)) >= 0) {
		if (first < 0)
			first = fd;
		n++;
	}
	CHECK_EQ(errno, EMFILE);
	CHECK_EQ(n, PS_NFD - 3);
	CHECK_EQ(pipe(fds), -1);
	CHECK_EQ(errno, EMFILE);
	CHECK_EQ(close(first), 0);
	CHECK_EQ(pipe(fds), -1); /* one free descriptor is not enough */
	CHECK_EQ(errno, EMFILE);
	for (fd = first + 1; fd < PS_NFD; fd++)
		CHECK_EQ(close(fd), 0);
	CHECK_EQ(pipe(fds), 0);
	CHECK_EQ(close(fds[0]), 0);
	CHECK_EQ(close(fds[1]), 0);
	return 0;
}

static int t_pipe_dup(void)
{
	int fds[2], d;
	char buf[8];

	CHECK_EQ(pipe(fds), 0);
	d = dup(fds[1]);
	CHECK(d >= 0);
	CHECK_EQ(close(fds[1]), 0);
	CHECK_EQ(write(d, "abc", 3), 3); /* still open through the copy */
	CHECK_EQ(dup2(fds[0], 10), 10);
	CHECK_EQ(close(fds[0]), 0);
	CHECK_EQ(read(10, buf, sizeof(buf)), 3);
	CHECK(memcmp(buf, "abc", 3) == 0);
	CHECK_EQ(close(d), 0);
	CHECK_EQ(read(10, buf, sizeof(buf)), 0); /* last writer gone */
	CHECK_EQ(close(10), 0);
	return 0;
}

static int t_pipe_epipe(void)
{
	int fds[2], st;
	pid_t pid;

	CHECK_EQ(pipe(fds), 0);
	CHECK_EQ(close(fds[0]), 0);
	CHECK_EQ(write(fds[1], "x", 1), -1);
	CHECK_EQ(errno, EPIPE);
	CHECK_EQ(close(fds[1]), 0);
	/* A writer blocked on a full pipe learns when the reader goes. */
	CHECK_EQ(pipe(fds), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char *big = calloc(1, 16384);
		ssize_t w;

		close(fds[0]);
		w = write(fds[1], big, 16384); /* fills 4 KiB, then waits */
		_exit(w > 0 && w < 16384 ? 0 : 1);
	}
	CHECK_EQ(close(fds[1]), 0);
	/* Close the reading end once the child waits on the full pipe
	 * (procsrv says so), however long it takes to get there. */
	CHECK_EQ(wait_state(pid, PS_STATE_IOWAIT), 0);
	CHECK_EQ(close(fds[0]), 0);
	st = wait_for(pid);
	CHECK(EXITED_OK(st));
	return 0;
}

#define LARGE (256 * 1024)

/* 256 KiB from parent to child and a different 256 KiB back. */
static int t_pipe_large(void)
{
	uint8_t *buf = malloc(LARGE);
	int down[2], up[2], st;
	pid_t pid;

	CHECK(buf != NULL);
	CHECK_EQ(pipe(down), 0);
	CHECK_EQ(pipe(up), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		if (read_full(down[0], buf, LARGE) != LARGE || !pattern_check(buf, LARGE, 1))
			_exit(1);
		if (read(down[0], buf, 1) != 0)
			_exit(2);
		pattern_fill(buf, LARGE, 2);
		_exit(write(up[1], buf, LARGE) == LARGE ? 0 : 3);
	}
	close(down[0]);
	close(up[1]);
	pattern_fill(buf, LARGE, 1);
	CHECK_EQ(write(down[1], buf, LARGE), LARGE);
	CHECK_EQ(close(down[1]), 0);
	memset(buf, 0, LARGE);
	CHECK_EQ(read_full(up[0], buf, LARGE), LARGE);
	CHECK(pattern_check(buf, LARGE, 2));
	CHECK_EQ(read(up[0], buf, 1), 0);
	CHECK_EQ(close(up[0]), 0);
	st = wait_for(pid);
	CHECK_EQ(st, 0);
	return 0;
}

/* The child reads into a buffer it shares copy-on-write with the parent:
 * its copy gets the bytes, the parent's stays as it was. */
static int t_pipe_cow(void)
{
	uint8_t *shared = malloc(3 * PAGE), *c = malloc(2 * PAGE);
	int fds[2], st;
	pid_t pid;

	CHECK(shared != NULL && c != NULL);
	memset(shared, 'P', 3 * PAGE);
	CHECK_EQ(pipe(fds), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(fds[1]);
		if (read_full(fds[0], shared + 100, 2 * PAGE) != (long)(2 * PAGE))
			_exit(1);
		_exit(all_bytes(shared + 100, 2 * PAGE, 'C') && all_bytes(shared, 100, 'P') ? 0
											    : 2);
	}
	close(fds[0]);
	memset(c, 'C', 2 * PAGE);
	CHECK_EQ(write(fds[1], c, 2 * PAGE), (long)(2 * PAGE));
	close(fds[1]);
	st = wait_for(pid);
	CHECK_EQ(st, 0);
	CHECK(all_bytes(shared, 3 * PAGE, 'P'));
	return 0;
}

#define MANY 12

/* MANY children, each with a pipe of its own, all writing at once. */
static int t_pipe_many(void)
{
	uint8_t *buf = malloc(6000);
	int rd[MANY], fds[2], st;
	pid_t pids[MANY];

	CHECK(buf != NULL);
	for (int i = 0; i < MANY; i++) {
		CHECK_EQ(pipe(fds), 0);
		pids[i] = fork();
		CHECK(pids[i] >= 0);
		if (pids[i] == 0) {
			close(fds[0]);
			pattern_fill(buf, 6000, 100 + (uint32_t)i);
			_exit(write(fds[1], buf, 6000) == 6000 ? 0 : 1);
		}
		close(fds[1]);
		rd[i] = fds[0];
	}
	for (int i = MANY - 1; i >= 0; i--) {
		CHECK_EQ(read_full(rd[i], buf, 6000), 6000);
		CHECK(pattern_check(buf, 6000, 100 + (uint32_t)i));
		CHECK_EQ(read(rd[i], buf, 1), 0);
		CHECK_EQ(close(rd[i]), 0);
	}
	for (int i = 0; i < MANY; i++) {
		st = wait_for(pids[i]);
		CHECK_EQ(st, 0);
	}
	return 0;
}

/* Descriptors survive fork and exec: pecho prints into our pipe. */
static int t_fd_exec(void)
{
	char buf[256];
	int fds[2], st;
	long n;
	pid_t pid;

	CHECK_EQ(pipe(fds), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char *argv[] = {"pecho", "print", "through", "a pipe", NULL};

		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execv("pecho", argv);
		_exit(127);
	}
	CHECK_EQ(close(fds[1]), 0);
	n = read_full(fds[0], buf, sizeof(buf) - 1);
	CHECK(n >= 0);
	buf[n] = '\0';
	CHECK(strcmp(buf, "pecho: argv[0] = \"pecho\"\npecho: argv[1] = \"print\"\n"
			  "pecho: argv[2] = \"through\"\npecho: argv[3] = \"a pipe\"\n") == 0);
	CHECK_EQ(close(fds[0]), 0);
	st = wait_for(pid);
	CHECK_EQ(st, 0);
	return 0;
}

/* Process groups and the console's foreground group. */
static int t_pgrp(void)
{
	pid_t pid, me = getpid();
	int st;

	CHECK_EQ(getpgid(0), getpgrp());
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		for (;;)
			sys_yield();
	}
	CHECK_EQ(getpgid(pid), getpgrp()); /* inherited */
	CHECK_EQ(setpgid(pid, 0), 0);
	CHECK_EQ(getpgid(pid), pid);
	CHECK_EQ(setpgid(1, 0), -1); /* not ours */
	/* The console's foreground group: our own or a child's only. */
	CHECK_EQ(tcsetpgrp(0, 1), getpgrp() == 1 ? 0 : -1);
	CHECK_EQ(tcsetpgrp(0, 12345), -1);
	CHECK_EQ(errno, EPERM);
	CHECK_EQ(tcsetpgrp(0, pid), 0);
	CHECK_EQ(tcgetpgrp(0), pid);
	CHECK_EQ(kill(pid, 9), 0);
	st = wait_for(pid);
	CHECK(WIFSIGNALED(st));
	CHECK_EQ(tcgetpgrp(0), 0); /* the group's last process went */
	CHECK_EQ(getpgid(me), getpgrp());
	return 0;
}

/* ps's view: this process, its parent and a child. */
static int t_proc_list(void)
{
	proc_entry_t e;
	int i = 0, seen_me = 0, seen_child = 0;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		for (;;)
			sys_yield();
	}
	while ((i = proc_list(i, &e)) >= 0) {
		if (e.pid == getpid()) {
			seen_me = 1;
			CHECK_EQ(e.ppid, getppid());
			CHECK(strcmp(e.name, "ptest") == 0);
			CHECK(e.frames > 0);
			CHECK_EQ(e.state, PS_STATE_RUN);
		}
		if (e.pid == pid) {
			seen_child = 1;
			CHECK_EQ(e.ppid, getpid());
		}
	}
	CHECK_EQ(errno, ESRCH);
	CHECK(seen_me && seen_child);
	kill(pid, 9);
	wait_for(pid);
	return 0;
}

static int my_entry(proc_entry_t *out)
{
	int i = 0;

	while ((i = proc_list(i, out)) >= 0) {
		if (out->pid == getpid())
			return 0;
	}
	return -1;
}

/* ps's counters are the kernel's: 5 stores to shared pages are exactly 5
 * copy-on-write copies (and 5 more faults) in the child's entry. */
static int t_proc_counters(void)
{
	uint8_t *buf = malloc(8 * PAGE);
	proc_entry_t a, b;
	pid_t pid;
	int st;

	CHECK(buf != NULL);
	memset(buf, 1, 8 * PAGE);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (my_entry(&a) || my_entry(&a)) /* twice: its own stack is private now */
			_exit(1);
		for (int i = 0; i < 5; i++)
			buf[(size_t)i * PAGE + 7] = 2;
		if (my_entry(&b))
			_exit(2);
		if (b.cow_copies - a.cow_copies != 5 || b.faults - a.faults != 5)
			_exit(3);
		_exit(b.ipc > a.ipc && b.switches > 0 && b.resident > 0 ? 0 : 4);
	}
	st = wait_for(pid);
	CHECK_EQ(st, 0);
	CHECK_EQ(my_entry(&a), 0);
	CHECK(a.faults >= a.cow_copies);
	return 0;
}

/* A process's own thread capability is READ only: it may read its
 * registers and counters, not raise its priority above procsrv's (and
 * starve the system), suspend itself or rewrite its registers. */
static int t_thread_cap(void)
{
	static uint64_t regs[32];
	thread_stats_t ts;

	CHECK_EQ(sys_invoke(SLOT_THREAD, THREAD_SET_PRIORITY, 30, 0, 0, 0, 0).r0, E_PERM);
	CHECK_EQ(sys_invoke(SLOT_THREAD, THREAD_SUSPEND, 0, 0, 0, 0, 0).r0, E_PERM);
	CHECK_EQ(sys_invoke(SLOT_THREAD, THREAD_WRITE_REGS, (unsigned long)regs, 0, 0, 0, 0).r0,
		 E_PERM);
	CHECK_EQ(sys_invoke(SLOT_THREAD, THREAD_READ_REGS, (unsigned long)regs, 0, 0, 0, 0).r0, 0);
	CHECK_EQ(sys_invoke(SLOT_THREAD, THREAD_STATS, (unsigned long)&ts, 0, 0, 0, 0).r0, 0);
	CHECK(ts.switches > 0);
	return 0;
}

static int t_initrd_list(void)
{
	char name[32];
	int i = 0, n = 0, sh = 0, pecho = 0;

	while ((i = initrd_list(i, name, sizeof(name))) >= 0) {
		n++;
		sh |= strcmp(name, "sh") == 0;
		pecho |= strcmp(name, "pecho") == 0;
	}
	CHECK(n > 10 && sh && pecho);
	return 0;
}

const test_t pipe_tests[] = {
    {"pipe-basic", t_pipe_basic},
    {"reply-words", t_reply_words},
    {"console-writers", t_console_writers},
    {"fd-errors", t_fd_errors},
    {"fd-limit", t_fd_limit},
    {"pipe-dup", t_pipe_dup},
    {"pipe-epipe", t_pipe_epipe},
    {"pipe-large", t_pipe_large},
    {"pipe-cow", t_pipe_cow},
    {"pipe-many", t_pipe_many},
    {"fd-exec", t_fd_exec},
    {"pgrp", t_pgrp},
    {"proc-list", t_proc_list},
    {"proc-counters", t_proc_counters},
    {"thread-cap", t_thread_cap},
    {"initrd-list", t_initrd_list},
};
const int npipe_tests = sizeof(pipe_tests) / sizeof(pipe_tests[0]);
