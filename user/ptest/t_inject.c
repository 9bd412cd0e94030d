/*
 * Out of memory at every allocation of fork, exec, sbrk and a
 * copy-on-write fault, with the kernel's allocation-failure injector (DEBUG_FAILNTH,
 * DEBUG kernels only), and a full process table.
 *
 * fork and exec allocate in procsrv, which works on the caller's request
 * while it owes the caller its reply: FAILNTH_SERVED aims the injector at
 * exactly those allocations (procsrv's own page tables included), and not
 * at the copy-on-write faults of parent and child afterwards.  For each
 * N = 1, 2, ... until the operation succeeds with the injector armed:
 * fork must return -1 with ENOMEM and leave no child and nothing
 * allocated; sbrk likewise, the break unchanged; execv must return -1 with ENOMEM and leave the
 * caller as it was (exec allocates nothing past its point of no return); a store that needs a copy
 * must kill only the storing child, with FAULT_OOM.  procsrv must answer every request after each
 * failure, and the operation must then work without injection.  Each walk prints the N it covered.
 */
#include <stdlib.h>

#include "ptest.h"

#define WALK_MAX 300
#define MAX_KIDS 64 /* procsrv's NPROC: more cannot be */

typedef struct injstat {
	long err;
	unsigned long failures, taken, armed;
} injstat_t;

static long inject_arm(unsigned long n, unsigned long flags)
{
	return sys_invoke(SLOT_DEBUG, DEBUG_FAILNTH, n, flags, 0, 0, 0).r0;
}

static injstat_t inject_disarm(void)
{
	sysret_t r = sys_invoke(SLOT_DEBUG, DEBUG_FAILNTH, 0, 0, 0, 0, 0);
	injstat_t s = {r.r0, r.r[0], r.r[1], r.r[2]};

	return s;
}

/* Frames and objects back at k0 (waiting for init to reap what it must). */
static int back_to(const kstats_t *k0, const char *what, unsigned long n)
{
	kstats_t k1;

	settle(k0->frames_free);
	stats(&k1);
	if (k1.frames_free != k0->frames_free)
		return FAIL("%s, N = %lu: %ld frames leaked", what, n,
			    (long)(k0->frames_free - k1.frames_free));
	for (int t = 0; t < CAP_NTYPES; t++)
		if (k1.objects[t] != k0->objects[t])
			return FAIL("%s, N = %lu: %ld objects of type %d leaked", what, n,
				    (long)(k1.objects[t] - k0->objects[t]), t);
	if (sys_invoke(SLOT_DEBUG, DEBUG_CHECK, 0, 0, 0, 0, 0).r0 != 0)
		return FAIL("%s, N = %lu: DEBUG_CHECK failed", what, n);
	return 0;
}

static int t_inject_fork(void)
{
	kstats_t k0;

	touch_private(32);
	for (unsigned long n = 1; n <= WALK_MAX; n++) {
		stats(&k0);
		CHECK_EQ(inject_arm(n, FAILNTH_SERVED), 0);
		pid_t pid = fork();
		if (pid == 0)
			_exit(7);
		int e = errno;
		injstat_t s = inject_disarm();
		if (pid > 0) {
			/* Fewer than n allocations: exactly n - 1, or an
			 * earlier N would have worked. */
			CHECK_EQ(s.failures, 0);
			CHECK_EQ(s.taken, n - 1);
			int st = wait_for(pid);
			CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
			if (back_to(&k0, "fork", n))
				return 1;
			CHECK(n > 6); /* pool, cspace, thread, aspace, page tables... */
			printf("inject: fork: N = 1..%lu fail cleanly\n", n - 1);
			return 0;
		}
		CHECK_EQ(pid, -1);
		CHECK_EQ(e, ENOMEM);
		CHECK(s.failures > 0);
		CHECK(s.taken <= n - 1);
		if (back_to(&k0, "fork", n))
			return 1;
		/* procsrv is fine and fork works again. */
		pid = fork();
		if (pid == 0)
			_exit(7);
		CHECK(pid > 0);
		int st = wait_for(pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
		if (back_to(&k0, "fork (retried)", n))
			return 1;
	}
	return FAIL("fork: still failing at N = %d", WALK_MAX);
}

/* pecho's checksum of its arguments (as tests.c's argv_sum). */
static unsigned sum_of(char *const *argv)
{
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	unsigned h = (unsigned)argc;
	for (int i = 0; i < argc; i++) {
		for (const char *s = argv[i]; *s != '\0'; s++)
			h = h * 31 + (unsigned char)*s;
		h = h * 31 + 0xff;
	}
	return h % 251;
}

static char *exec_argv[] = {"pecho", "sum", "under injection", NULL};
static char *retry_argv[] = {"pecho", "sum", "retried", NULL};
static volatile unsigned long exec_marker = 0x5eed;

/* The child of one step of the exec walk: exec with the nth allocation
 * failing; after a failure check that we are unchanged and exec again
 * without injection.  Exit 251..255 if something is wrong (a checksum
 * is below 251). */
static void exec_child(unsigned long n)
{
	if (inject_arm(n, FAILNTH_SERVED) != 0)
		_exit(251);
	execv("pecho", exec_argv);
	int e = errno;
	injstat_t s = inject_disarm();
	if (e != ENOMEM)
		_exit(252);
	if (s.failures == 0 || s.taken > n - 1)
		_exit(253);
	if (exec_marker != 0x5eed)
		_exit(254);
	execv("pecho", retry_argv);
	_exit(255);
}

static int t_inject_exec(void)
{
	unsigned ok = sum_of(exec_argv), retried = sum_of(retry_argv);
	kstats_t k0;

	CHECK(ok != retried);
	touch_private(32);
	for (unsigned long n = 1; n <= WALK_MAX; n++) {
		stats(&k0);
		pid_t pid = fork();
		if (pid == 0)
			exec_child(n);
		CHECK(pid > 0);
		int st = wait_for(pid);
		injstat_t s = inject_disarm(); /* the child's arming */
		CHECK(st != -1 && WIFEXITED(st));
		if (back_to(&k0, "exec", n))
			return 1;
		if (WEXITSTATUS(st) == retried)
			continue; /* failed cleanly, then worked */
		if (WEXITSTATUS(st) != ok)
			return FAIL("exec, N = %lu: child exited %d", n, WEXITSTATUS(st));
		/* It worked under injection: fewer than n allocations. */
		CHECK_EQ(s.failures, 0);
		CHECK_EQ(s.taken, n - 1);
		CHECK(n > 4); /* aspace, page tables, argument page... */
		printf("inject: exec: N = 1..%lu fail cleanly\n", n - 1);
		return 0;
	}
	return FAIL("exec: still failing at N = %d", WALK_MAX);
}

#define COW_PAGES 8

static int t_inject_cow(void)
{
	uint8_t *b = sbrk(COW_PAGES * PAGE);
	kstats_t k0;

	CHECK(b != (void *)-1);
	pattern_fill(b, COW_PAGES * PAGE, 7);
	touch_private(32);
	for (unsigned long n = 1; n <= WALK_MAX; n++) {
		stats(&k0);
		pid_t pid = fork();
		if (pid == 0) {
			if (inject_arm(n, FAILNTH_OWN) != 0)
				_exit(3);
			for (int i = 0; i < COW_PAGES; i++)
				b[i * PAGE + 5] ^= 0xff;
			injstat_t s = inject_disarm();
			_exit(s.failures == 0 && s.taken == n - 1 ? 0 : 4);
		}
		CHECK(pid > 0);
		int st = wait_for(pid);
		inject_disarm();
		CHECK(pattern_check(b, COW_PAGES * PAGE, 7)); /* ours untouched */
		if (back_to(&k0, "cow", n))
			return 1;
		if (st == 0) {
			CHECK(n > COW_PAGES);
			printf("inject: cow: N = 1..%lu fail cleanly\n", n - 1);
			return 0;
		}
		if (st == -1 || !WIFSIGNALED(st) || WFAULTKIND(st) != FAULT_OOM)
			return FAIL("cow, N = %lu: child ended with status %#x", n, (unsigned)st);
	}
	return FAIL("cow: still failing at N = %d", WALK_MAX);
}

/* sbrk's page tables, in a fresh child each time (tables outlive an
 * unmap): the break stays where it was on failure.  Exit 0: failed
 * cleanly; 1: worked under injection; 2 and up: wrong. */
#define SBRK_GROW (6UL << 20) /* several leaf tables */

static int sbrk_child(unsigned long n)
{
	char *old = sbrk(0);

	if (inject_arm(n, FAILNTH_SERVED) != 0)
		return 2;
	char *p = sbrk((ptrdiff_t)SBRK_GROW);
	int e = errno;
	injstat_t s = inject_disarm();
	if (p != (void *)-1)
		return p == old && s.failures == 0 && s.taken == n - 1 ? 1 : 3;
	if (e != ENOMEM || s.failures == 0 || sbrk(0) != old)
		return 4;
	p = sbrk((ptrdiff_t)SBRK_GROW); /* without injection */
	if (p != old)
		return 5;
	p[SBRK_GROW - 1] = 1;
	return 0;
}

static int t_inject_sbrk(void)
{
	kstats_t k0;

	touch_private(32);
	for (unsigned long n = 1; n <= WALK_MAX; n++) {
		stats(&k0);
		pid_t pid = fork();
		if (pid == 0)
			_exit(sbrk_child(n));
		CHECK(pid > 0);
		int st = wait_for(pid);
		if (back_to(&k0, "sbrk", n))
			return 1;
		CHECK(st != -1 && WIFEXITED(st));
		if (WEXITSTATUS(st) == 1) {
			CHECK(n > 2);
			printf("inject: sbrk: N = 1..%lu fail cleanly\n", n - 1);
			return 0;
		}
		if (WEXITSTATUS(st) != 0)
			return FAIL("sbrk, N = %lu: child exited %d", n, WEXITSTATUS(st));
	}
	return FAIL("sbrk: still failing at N = %d", WALK_MAX);
}

/* Fork until procsrv's process table is full: EAGAIN, and every child
 * (blocked reading a pipe) ends normally when the pipe closes. */
static int t_proc_table_full(void)
{
	static pid_t kids[MAX_KIDS];
	int fd[2], n = 0;
	pid_t pid;

	CHECK_EQ(pipe(fd), 0);
	for (;;) {
		pid = fork();
		if (pid == 0) {
			char c;

			close(fd[1]);
			_exit(read(fd[0], &c, 1) == 0 ? 0 : 1);
		}
		if (pid < 0)
			break;
		CHECK(n < MAX_KIDS);
		kids[n++] = pid;
	}
	CHECK_EQ(errno, EAGAIN);
	CHECK(n > 10);
	close(fd[1]);
	close(fd[0]);
	for (int i = 0; i < n; i++)
		CHECK_EQ(wait_for(kids[i]), 0);
	/* And forking works again. */
	pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK(pid > 0);
	CHECK_EQ(wait_for(pid), 0);
	printf("inject: process table full after %d children\n", n);
	return 0;
}

const test_t inject_tests[] = {
    {"inject-fork", t_inject_fork},	    {"inject-exec", t_inject_exec},
    {"inject-cow", t_inject_cow},	    {"inject-sbrk", t_inject_sbrk},
    {"proc-table-full", t_proc_table_full},
};
const int ninject_tests = sizeof(inject_tests) / sizeof(inject_tests[0]);
