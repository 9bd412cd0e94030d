/*
 * The tests: fork isolation and copy-on-write, big and layered heaps,
 * kernel stores into shared pages, text and rodata protection, exactness
 * of copies, zeroed heap pages, many rounds without leaks, out of memory
 * (fork, copy-on-write fault, fork bomb), exec, wait and kill, and the
 * zero frame (untouched heap, bss and stack pages cost no frame).
 */
#include <signal.h>
#include <stdlib.h>

#include "ptest.h"

/* ---- helpers ---- */

static uint8_t *heap(size_t pages)
{
	void *p = sbrk((ptrdiff_t)(pages * PAGE));

	return p == (void *)-1 ? NULL : p;
}

static void unheap(size_t pages)
{
	sbrk(-(ptrdiff_t)(pages * PAGE));
}

static pid_t fork_mode(int eager)
{
	return eager ? forkcopy() : fork();
}

/* ---- isolation ---- */

static int isolation(int eager)
{
	const size_t n = 64 * PAGE, half = n / 2;
	uint8_t *b = heap(64);
	pid_t pid;
	int st;

	CHECK(b != NULL);
	memset(b, 0x11, n);
	pid = fork_mode(eager);
	CHECK(pid >= 0);
	if (pid == 0) {
		memset(b, 0xcc, half);
		sys_yield();
		_exit(all_bytes(b, half, 0xcc) && all_bytes(b + half, half, 0x11) ? 0 : 1);
	}
	memset(b + half, 0x99, half);
	st = wait_for(pid);
	CHECK(EXITED_OK(st));
	CHECK(all_bytes(b, half, 0x11));
	CHECK(all_bytes(b + half, half, 0x99));
	unheap(64);
	return 0;
}

static int t_isolation(void)
{
	return isolation(0);
}

static int t_isolation_eager(void)
{
	return isolation(1);
}

/* ---- a heap bigger than half of free RAM, forked twice ---- */

static int t_bigheap(void)
{
	procinfo_t pi;
	unsigned long room, pages, before;
	uint8_t *b;

	CHECK_EQ(procinfo(0, &pi), 0);
	room = pi.quota - pi.used;
	if (room > frames_free())
		room = frames_free();
	pages = room * 55 / 100;
	b = heap(pages);
	CHECK(b != NULL);
	for (unsigned long i = 0; i < pages; i++)
		b[i * PAGE] = (uint8_t)i;
	for (int round = 0; round < 2; round++) {
		pid_t pid = fork();

		CHECK(pid >= 0);
		if (pid == 0) {
			int ok = 1;

			for (unsigned long i = 0; i < pages; i += 97)
				ok &= b[i * PAGE] == (uint8_t)i;
			b[0] = 0x77; /* one copy */
			_exit(ok ? 0 : 1);
		}
		CHECK_EQ(wait_for(pid), 0);
	}
	CHECK_EQ(b[0], 0);
	/* An eager copy cannot fit: it fails and leaves nothing behind. */
	before = frames_free();
	errno = 0;
	CHECK_EQ(forkcopy(), -1);
	CHECK_EQ(errno, ENOMEM);
	CHECK_EQ(frames_free(), before);
	unheap(pages);
	return 0;
}

/* ---- three generations sharing a heap, exiting in every order ---- */

#define GEN_PAGES 4

static int gen_view_ok(const uint8_t *b, int level)
{
	for (int part = 0; part < 3; part++) {
		uint8_t want = part == level ? (uint8_t)(0x20 + level) : 0x11;

		if (!all_bytes(b + part * GEN_PAGES * PAGE, GEN_PAGES * PAGE, want))
			return 0;
	}
	return 1;
}

__attribute__((noreturn)) static void gen_body(uint8_t *b, int level, const int *rank, uint64_t t0)
{
	int ok;

	while (level < 2 && fork() == 0)
		level++; /* the child is the next generation */
	memset(b + level * GEN_PAGES * PAGE, 0x20 + level, GEN_PAGES * PAGE);
	ok = gen_view_ok(b, level);
	/* Exit in the order of rank: 40 ms apart. */
	while (rd_time() < t0 + (uint64_t)(rank[level] + 1) * 400000)
		sys_yield();
	ok &= gen_view_ok(b, level);
	if (!ok)
		printf("FAIL: generations: generation %d saw another's data\n", level + 1);
	_exit(ok ? 0 : 1);
}

static int t_generations(void)
{
	static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
					 {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	uint8_t *b = heap(3 * GEN_PAGES);
	unsigned long base;

	CHECK(b != NULL);
	memset(b, 0x11, 3 * GEN_PAGES * PAGE);
	base = frames_free();
	for (int o = 0; o < 6; o++) {
		uint64_t t0 = rd_time();
		pid_t pid = fork();

		CHECK(pid >= 0);
		if (pid == 0)
			gen_body(b, 0, orders[o], t0);
		CHECK_EQ(wait_for(pid), 0);
		if (!settle(base))
			return FAIL("order %d: %ld frames not back", o,
				    (long)(base - frames_free()));
		CHECK(all_bytes(b, 3 * GEN_PAGES * PAGE, 0x11));
	}
	unheap(3 * GEN_PAGES);
	return 0;
}

/* ---- kernel stores into copy-on-write pages ---- */

static int t_kernel_cow(void)
{
	uint8_t *b = heap(4);
	kstats_t *mine;
	pid_t pid;

	CHECK(b != NULL);
	memset(b, 0x5a, 4 * PAGE);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		/* Page 0 private, page 1 still shared: a buffer across both. */
		kstats_t *k = (kstats_t *)(b + PAGE - 64);
		uint64_t *regs = (uint64_t *)(b + 2 * PAGE + 128);
		int ok = 1;

		b[0] = 0x5b;
		ok &= sys_invoke(SLOT_DEBUG, DEBUG_STATS, (unsigned long)k, 0, 0, 0, 0).r0 == 0;
		ok &= k->frames_total != 0x5a5a5a5a5a5a5a5aUL && k->frames_total > 0;
		ok &=
		    sys_invoke(SLOT_THREAD, THREAD_READ_REGS, (unsigned long)regs, 0, 0, 0, 0).r0 ==
		    0;
		ok &= regs[0] > 0x100000 && regs[0] < 0x200000; /* a pc in our text */
		ok &= all_bytes(b + 3 * PAGE, PAGE, 0x5a);
		_exit(ok ? 0 : 1);
	}
	/* The parent writes page 3 through the kernel while the child shares it. */
	mine = (kstats_t *)(b + 3 * PAGE + 256);
	CHECK_EQ(sys_invoke(SLOT_DEBUG, DEBUG_STATS, (unsigned long)mine, 0, 0, 0, 0).r0, 0);
	CHECK_EQ(wait_for(pid), 0);
	CHECK(all_bytes(b, 3 * PAGE, 0x5a));
	CHECK(all_bytes(b + 3 * PAGE, 256, 0x5a));
	CHECK(mine->frames_total > 0);
	unheap(4);
	return 0;
}

/* ---- stores to text and rodata ---- */

static const char ro_string[64] = "read-only data: a store here kills";

__attribute__((noinline)) static int victim(int x)
{
	return x * 3 + 1;
}

/* Store through p in a child (in a grandchild with nested); the status. */
static int store_in_child(volatile uint32_t *p, int nested)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (nested) {
			int st = store_in_child(p, 0);

			_exit(WIFSIGNALED(st) && WTERMSIG(st) == PS_SIGSEGV ? 0 : 1);
		}
		*p = 0;
		_exit(0);
	}
	return pid < 0 ? -1 : wait_for(pid);
}

static int t_store_text(void)
{
	uint8_t copy[64];
	volatile uint32_t *text = (volatile uint32_t *)(uintptr_t)victim;
	int st;

	memcpy(copy, (const void *)(uintptr_t)victim, sizeof(copy));
	st = store_in_child(text, 0);
	CHECK(st != -1 && WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), PS_SIGSEGV);
	CHECK_EQ(WFAULTKIND(st), FAULT_PAGE);
	CHECK_EQ(store_in_child(text, 1), 0);
	CHECK(memcmp(copy, (const void *)(uintptr_t)victim, sizeof(copy)) == 0);
	CHECK_EQ(victim(2), 7);
	return 0;
}

static int t_store_rodata(void)
{
	char copy[64];
	volatile uint32_t *ro = (volatile uint32_t *)(uintptr_t)ro_string;
	int st;

	memcpy(copy, ro_string, sizeof(copy));
	st = store_in_child(ro, 0);
	CHECK(st != -1 && WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), PS_SIGSEGV);
	CHECK_EQ(store_in_child(ro, 1), 0);
	CHECK(memcmp(copy, ro_string, sizeof(copy)) == 0);
	return 0;
}

/* ---- copies are exact ---- */

static int copy_exact(int eager)
{
	const size_t pages = 32;
	uint8_t *b = heap(pages);
	pid_t pid;

	CHECK(b != NULL);
	pattern_fill(b, pages * PAGE, 0x1234567 + eager);
	pid = fork_mode(eager);
	CHECK(pid >= 0);
	if (pid == 0) {
		int ok = pattern_check(b, pages * PAGE, 0x1234567 + eager);

		/* One store per page copies it: the rest must be intact. */
		for (size_t i = 0; i < pages; i++)
			b[i * PAGE + (i * 131) % PAGE] ^= 0xff;
		for (size_t i = 0; i < pages; i++)
			b[i * PAGE + (i * 131) % PAGE] ^= 0xff;
		ok &= pattern_check(b, pages * PAGE, 0x1234567 + eager);
		_exit(ok ? 0 : 1);
	}
	CHECK_EQ(wait_for(pid), 0);
	CHECK(pattern_check(b, pages * PAGE, 0x1234567 + eager));
	unheap(pages);
	return 0;
}

static int t_copy_exact(void)
{
	return copy_exact(0);
}

static int t_copy_exact_eager(void)
{
	return copy_exact(1);
}

/* ---- heap pages ---- */

static int t_heap_zero(void)
{
	uint8_t *b = heap(8), *c;
	unsigned long before;
	uint8_t *brk0;

	CHECK(b != NULL);
	CHECK(all_bytes(b, 8 * PAGE, 0));
	memset(b, 0xff, 8 * PAGE); /* each page gets its frame now */
	before = frames_free();
	unheap(8);
	CHECK(frames_free() >= before + 8);
	c = heap(8);
	CHECK(c == b);
	CHECK(all_bytes(c, 8 * PAGE, 0));
	unheap(8);
	/* Unaligned steps: the break moves by bytes, pages follow. */
	brk0 = sbrk(0);
	CHECK(sbrk(100) == brk0);
	CHECK(sbrk(5000) == brk0 + 100);
	CHECK(all_bytes(brk0, 5100, 0));
	memset(brk0, 0xee, 5100);
	CHECK(sbrk(-5100) == brk0 + 5100);
	CHECK(sbrk(0) == brk0);
	CHECK(sbrk(-(ptrdiff_t)(1UL << 40)) == (void *)-1);
	CHECK_EQ(errno, ENOMEM);
	return 0;
}

static int t_malloc_printf(void)
{
	char buf[80];
	size_t n = 200 * 1024;
	char *p = malloc(n);

	CHECK(p != NULL);
	memset(p, 'x', n);
	CHECK(p[n - 1] == 'x');
	free(p);
	snprintf(buf, sizeof(buf), "%d %5s %-3x| %lu %c %%", -42, "ab", 0xab, 1UL << 40, 'z');
	CHECK(strcmp(buf, "-42    ab ab | 1099511627776 z %") == 0);
	return 0;
}

static int grow(int depth)
{
	volatile char frame[1024];

	frame[0] = (char)depth;
	return depth ? grow(depth - 1) + frame[0] : 0;
}

static int t_stack_growth(void)
{
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0)
		_exit(grow(600) > 0 ? 0 : 1); /* ~650 KiB below the start */
	CHECK_EQ(wait_for(pid), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(grow(2000) > 0 ? 0 : 1); /* past PROC_STACK_MAX: killed */
	{
		int st = wait_for(pid);

		CHECK(st != -1 && WIFSIGNALED(st));
	}
	return 0;
}

/* ---- many rounds ---- */

static int rounds(int n, int touch, int eager)
{
	uint8_t *b = heap(4);
	unsigned long base;

	CHECK(b != NULL);
	memset(b, 1, 4 * PAGE);
	base = frames_free();
	for (int i = 0; i < n; i++) {
		pid_t pid = fork_mode(eager);
		int st;

		if (pid == 0) {
			if (touch)
				memset(b, 2, 4 * PAGE);
			_exit(i & 0xff);
		}
		if (pid < 0)
			return FAIL("round %d: fork: errno %d", i, errno);
		st = wait_for(pid);
		if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != (i & 0xff))
			return FAIL("round %d: status %#x", i, st);
	}
	CHECK_EQ(frames_free(), base);
	CHECK(all_bytes(b, 4 * PAGE, 1));
	unheap(4);
	return 0;
}

static int t_rounds(void)
{
	return rounds(1000, 0, 0);
}

static int t_rounds_touch(void)
{
	return rounds(1000, 1, 0);
}

static int t_rounds_eager(void)
{
	return rounds(200, 1, 1);
}

/* Forks from every hart at once: one worker per hart that runs threads
 * (at least two), each forking, storing in and reaping children round
 * after round.  The runner then checks every frame and object back and
 * the kernel's audit. */
#define STORM_WORKERS 8
#define STORM_ROUNDS  150
static int t_fork_storm(void)
{
	static volatile char page[PAGE] __attribute__((aligned(PAGE)));
	pid_t w[STORM_WORKERS];
	kstats_t k;
	unsigned n;

	stats(&k);
	n = k.harts >= 2 && k.harts <= STORM_WORKERS ? (unsigned)k.harts : 2;
	page[0] = 1;
	for (unsigned i = 0; i < n; i++) {
		w[i] = fork();
		if (w[i] == 0) {
			for (int r = 0; r < STORM_ROUNDS; r++) {
				pid_t pid = fork();

				if (pid == 0) {
					page[0] = (char)(r + 2); /* a copy of its own */
					_exit(r & 0xff);
				}
				if (pid < 0)
					_exit(2);
				if (wait_for(pid) != PS_STATUS_EXITED(r & 0xff))
					_exit(3);
				if (page[0] != 1)
					_exit(4);
			}
			_exit(0);
		}
		CHECK(w[i] > 0);
	}
	for (unsigned i = 0; i < n; i++) {
		int st = wait_for(w[i]);

		if (st != 0)
			return FAIL("worker %u: status %#x", i, (unsigned)st);
	}
	return 0;
}

/* ---- out of memory ---- */

/* In a child with a small quota: fork while the heap eats the room left,
 * one page at a time; every failed fork must leave the counts alone.
 * Each failure checked is reported with a byte on fd. */
static int fork_oom_body(int fd)
{
	int fails = 0;

	touch_private(16);
	for (int i = 0; i < 400 && fails < 12; i++) {
		procinfo_t a, b;
		unsigned long before = frames_free();
		pid_t pid;

		procinfo(0, &a);
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid > 0) {
			/* The child's first store to a shared page may find the
			 * quota spent: killed by FAULT_OOM, which is fine. */
			int st = wait_for(pid);

			if (st != 0 && (st == -1 || WFAULTKIND(st) != FAULT_OOM))
				return 1;
		} else {
			procinfo(0, &b);
			if (errno != ENOMEM || frames_free() != before || b.used != a.used) {
				printf("FAIL: fork-oom: errno %d, %ld frames, %ld used\n", errno,
				       (long)(before - frames_free()), (long)(b.used - a.used));
				return 1;
			}
			fails++;
			write(fd, "f", 1);
		}
		/* A new heap page is the zero frame until written: write it,
		 * so that the heap does eat the room. */
		uint8_t *pg = sbrk(PAGE);

		if (pg == (void *)-1)
			break;
		pg[0] = 1;
	}
	return fails > 0 ? 0 : 2;
}

/* With one hart the child of a fork runs first and exits before its
 * parent writes again; with several, the parent's own next store may need
 * a copy of a page the child still shares, find the quota spent and kill
 * it with FAULT_OOM: right too (the teardown check still counts every
 * frame), though then maybe before any fork failed.  The one-hart runs
 * of this test are the ones that must see failed forks. */
static int t_fork_oom(void)
{
	int fds[2], st, checked = 0;
	kstats_t k;
	char c;
	pid_t pid;

	CHECK_EQ(pipe(fds), 0);
	pid = forkq(90, 0);
	CHECK(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		_exit(fork_oom_body(fds[1]));
	}
	close(fds[1]);
	while (read(fds[0], &c, 1) == 1)
		checked++;
	close(fds[0]);
	st = wait_for(pid);
	stats(&k);
	if (k.harts > 1 && st != -1 && WIFSIGNALED(st) && WFAULTKIND(st) == FAULT_OOM)
		printf("fork-oom: killed by FAULT_OOM after %d failed forks (SMP)\n", checked);
	else
		CHECK_EQ(st, 0);
	return 0;
}

/* A child with a small quota forks; its child writes more pages than the
 * quota holds and dies of FAULT_OOM alone. */
static int cow_oom_body(void)
{
	procinfo_t pi;
	unsigned long pages;
	uint8_t *b;
	pid_t pid;
	int st;

	touch_private(16);
	procinfo(0, &pi);
	pages = pi.quota - pi.used - 40;
	b = heap(pages);
	if (b == NULL)
		return 2;
	pattern_fill(b, pages * PAGE, 99);
	pid = fork();
	if (pid == 0) {
		memset(b, 0, pages * PAGE);
		_exit(0);
	}
	if (pid < 0)
		return 3;
	st = wait_for(pid);
	if (st == -1 || !WIFSIGNALED(st) || WFAULTKIND(st) != FAULT_OOM)
		return 4;
	return pattern_check(b, pages * PAGE, 99) ? 0 : 5;
}

static int t_cow_oom(void)
{
	pid_t pid = forkq(200, 0);

	CHECK(pid >= 0);
	if (pid == 0)
		_exit(cow_oom_body());
	CHECK_EQ(wait_for(pid), 0);
	return 0;
}

static void bomb(int depth)
{
	for (int i = 0; i < 3 && depth < 5; i++) {
		pid_t pid = fork();

		if (pid < 0)
			break;
		if (pid == 0) {
			depth++;
			i = -1;
		}
	}
	while (wait(NULL) > 0)
		;
	_exit(0);
}

static int t_fork_bomb(void)
{
	pid_t pid = forkq(300, 0);

	CHECK(pid >= 0);
	if (pid == 0)
		bomb(0);
	CHECK_EQ(wait_for(pid), 0);
	/* Still usable. */
	pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK(pid > 0);
	CHECK_EQ(wait_for(pid), 0);
	return 0;
}

/* ---- exec ---- */

static unsigned argv_sum(int argc, char *const *argv)
{
	unsigned h = (unsigned)argc;

	for (int i = 0; i < argc; i++) {
		for (const char *s = argv[i]; *s != '\0'; s++)
			h = h * 31 + (unsigned char)*s;
		h = h * 31 + 0xff;
	}
	return h % 251;
}

static int exec_sum(char *const *argv, int argc)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		execv("pecho", argv);
		_exit(255);
	}
	if (pid < 0)
		return FAIL("fork: errno %d", errno);
	st = wait_for(pid);
	CHECK(st != -1 && WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), argv_sum(argc, argv));
	return 0;
}

static int t_exec_args(void)
{
	static char *short_argv[] = {"pecho", "sum", "hello", "", "with space", "\x7f\x01", NULL};
	static char many[60][12];
	char *long_argv[64];
	int r;

	if ((r = exec_sum(short_argv, 6)) != 0)
		return r;
	long_argv[0] = "pecho";
	long_argv[1] = "sum";
	for (int i = 0; i < 60; i++) {
		snprintf(many[i], sizeof(many[i]), "arg%02d-%05d", i, i * 977);
		long_argv[i + 2] = many[i];
	}
	long_argv[62] = NULL;
	return exec_sum(long_argv, 62);
}

static int t_exec_errors(void)
{
	static char *argv[] = {"x", NULL};
	static char big[1100];
	char *big_argv[] = {big, NULL};
	volatile int alive = 1234;

	CHECK_EQ(execv("no-such-program", argv), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(execv("badelf", argv), -1);
	CHECK_EQ(errno, ENOEXEC);
	CHECK_EQ(execv("notelf", argv), -1);
	CHECK_EQ(errno, ENOEXEC);
	memset(big, 'a', sizeof(big) - 1);
	CHECK_EQ(execv("pecho", big_argv), -1);
	CHECK_EQ(errno, E2BIG);
	CHECK_EQ(alive, 1234);
	CHECK_EQ(victim(1), 4);
	return 0;
}

/* After exec the child no longer shares the heap: the parent's stores
 * need no copies. */
static int t_exec_releases(void)
{
	static char *argv[] = {"pecho", "sleep", NULL};
	const size_t pages = 64;
	uint8_t *b = heap(pages);
	procinfo_t pi = {0};
	unsigned long before;
	pid_t pid;
	int st;

	CHECK(b != NULL);
	memset(b, 3, pages * PAGE);
	pid = fork();
	if (pid == 0) {
		execv("pecho", argv);
		_exit(255);
	}
	CHECK(pid > 0);
	for (int i = 0; i < 10000 && pi.execs == 0; i++) {
		if (procinfo(pid, &pi) < 0)
			break;
		sys_yield();
	}
	CHECK_EQ(pi.execs, 1);
	before = frames_free();
	memset(b, 4, pages * PAGE);
	CHECK_EQ(frames_free(), before);
	CHECK_EQ(kill(pid, SIGKILL), 0);
	st = wait_for(pid);
	CHECK(st != -1 && WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), SIGKILL);
	unheap(pages);
	return 0;
}

/*
 * Ten instances of one program share its text and read-only data, which
 * are the initrd's own frames: a process exec'd from it is charged for no
 * more frames than a forked copy of the runner (which shares everything
 * copy-on-write) plus the few pages exec must copy (segment boundaries,
 * the stack's argument page).  Their initialised data are private copies:
 * each instance stamps its pid in and checks it (ptest --sleep), and an
 * eleventh run finds the original values, so the image is intact.
 */
static int t_exec_share(void)
{
	static char *argv[] = {"ptest", "--sleep", NULL};
	enum { N = 10 };
	pid_t pid[N], forked;
	procinfo_t pi = {0}, fi = {0};
	int st;

	forked = fork();
	if (forked == 0) {
		for (;;)
			sys_yield();
	}
	CHECK(forked > 0);
	CHECK_EQ(procinfo(forked, &fi), 0);
	for (int i = 0; i < N; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			execv("ptest", argv);
			_exit(255);
		}
		CHECK(pid[i] > 0);
	}
	for (int i = 0; i < N; i++) {
		pi.execs = 0;
		for (int k = 0; k < 10000 && pi.execs == 0; k++) {
			if (procinfo(pid[i], &pi) < 0)
				break;
			sys_yield();
		}
		CHECK_EQ(pi.execs, 1);
	}
	for (int k = 0; k < 200; k++) /* let them all stamp and check */
		sys_yield();
	for (int i = 0; i < N; i++) {
		CHECK_EQ(procinfo(pid[i], &pi), 0);
		if (pi.used > fi.used + 4)
			return FAIL("instance %d uses %lu frames, a forked copy %lu", i, pi.used,
				    fi.used);
		CHECK_EQ(kill(pid[i], 0), 0); /* still alive: no exit 3 or 4 */
	}
	for (int i = 0; i < N; i++) {
		CHECK_EQ(kill(pid[i], SIGKILL), 0);
		st = wait_for(pid[i]);
		CHECK(st != -1 && WIFSIGNALED(st));
	}
	CHECK_EQ(kill(forked, SIGKILL), 0);
	wait_for(forked);
	/* The image still holds the original data. */
	pid[0] = fork();
	if (pid[0] == 0) {
		execv("ptest", argv);
		_exit(255);
	}
	for (int k = 0; k < 400; k++)
		sys_yield();
	CHECK_EQ(kill(pid[0], 0), 0);
	CHECK_EQ(kill(pid[0], SIGKILL), 0);
	st = wait_for(pid[0]);
	CHECK(st != -1 && WIFSIGNALED(st));
	return 0;
}

/* ---- wait, kill, pids ---- */

static int t_wait_kill(void)
{
	pid_t me = getpid(), pid;
	int st = 0;

	CHECK(me > 1);
	CHECK(getppid() >= 1 && getppid() < me);
	CHECK_EQ(waitpid(-1, &st, 0), -1);
	CHECK_EQ(errno, ECHILD);
	pid = fork();
	if (pid == 0) {
		for (;;)
			sys_yield();
	}
	CHECK(pid > me);
	CHECK_EQ(waitpid(pid, &st, WNOHANG), 0);
	CHECK_EQ(kill(pid, 0), 0);
	CHECK_EQ(kill(pid, SIGTERM), 0);
	st = wait_for(pid);
	CHECK(st != -1 && WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), SIGKILL);
	CHECK_EQ(kill(pid, 0), -1);
	CHECK_EQ(errno, ESRCH);
	CHECK_EQ(waitpid(pid, &st, 0), -1);
	/* The child sees its parent. */
	pid = fork();
	if (pid == 0)
		_exit(getppid() == me ? 0 : 1);
	CHECK_EQ(wait_for(pid), 0);
	return 0;
}

static int t_orphans(void)
{
	unsigned long base = frames_free();
	pid_t pid = fork();

	if (pid == 0) {
		/* The grandchild outlives its parent and is handed to init. */
		if (fork() == 0) {
			for (int i = 0; i < 10000 && getppid() != 1; i++)
				sys_yield();
			if (getppid() != 1)
				printf("FAIL: orphans: not re-parented to init\n");
			_exit(0);
		}
		_exit(7);
	}
	CHECK(pid > 0);
	CHECK_EQ(WEXITSTATUS(wait_for(pid)), 7);
	CHECK(settle(base));
	return 0;
}

/* ---- the zero frame: untouched heap, bss and stack cost nothing ---- */

#define ZERO_HEAP_PAGES 4096 /* 16 MiB */

/* Page tables for n pages: one level-0 table per 2 MiB, maybe one level-1. */
static unsigned long tables_for(unsigned long pages)
{
	return pages / 512 + 2;
}

/* Stores to n pages spread over b (npages pages): frames, pool charge and
 * zero fills grow by exactly n, no copies.  The runner warmed the stack
 * and data, so the measurements themselves cost nothing. */
static int write_pages_exact(uint8_t *b, unsigned long npages, unsigned long n)
{
	static kstats_t k0, k1;
	static procinfo_t p0, p1;

	stats(&k0);
	procinfo(0, &p0);
	for (unsigned long i = 0; i < n; i++)
		b[(i * (npages / n)) * PAGE + i * 8] = (uint8_t)(i + 1);
	stats(&k1);
	procinfo(0, &p1);
	CHECK_EQ(k0.frames_free - k1.frames_free, n);
	CHECK_EQ(p1.used - p0.used, n);
	CHECK_EQ(k1.zero_fills - k0.zero_fills, n);
	CHECK_EQ(k1.cow_copies, k0.cow_copies);
	for (unsigned long i = 0; i < n; i++)
		CHECK_EQ(b[(i * (npages / n)) * PAGE + i * 8], (uint8_t)(i + 1));
	return 0;
}

static unsigned long or_words(const uint8_t *b, size_t bytes)
{
	unsigned long sum = 0;

	for (size_t i = 0; i < bytes / 8; i++)
		sum |= ((const volatile uint64_t *)b)[i];
	return sum;
}

/* A 16 MiB heap only read costs page tables only and reads zero; a store
 * to each of N pages costs exactly N frames, all zero fills. */
static int t_zero_heap(void)
{
	static kstats_t k0, k1;
	static procinfo_t p0, p1;
	uint8_t *b;
	int r;

	stats(&k0);
	stats(&k1);
	procinfo(0, &p0);
	procinfo(0, &p1);
	stats(&k0);
	procinfo(0, &p0);
	b = heap(ZERO_HEAP_PAGES);
	CHECK(b != NULL);
	CHECK_EQ(or_words(b, ZERO_HEAP_PAGES * PAGE), 0);
	stats(&k1);
	procinfo(0, &p1);
	CHECK(p1.used - p0.used <= tables_for(ZERO_HEAP_PAGES));
	CHECK_EQ(k0.frames_free - k1.frames_free, p1.used - p0.used);
	CHECK_EQ(k1.zero_fills, k0.zero_fills);
	CHECK_EQ(k1.cow_copies, k0.cow_copies);
	if ((r = write_pages_exact(b, ZERO_HEAP_PAGES, 64)) != 0)
		return r;
	/* Shrinking frees the written pages' frames, and the page tables
	 * the growth made (each goes with its last leaf). */
	unheap(ZERO_HEAP_PAGES);
	CHECK_EQ(frames_free(), k0.frames_free);
	/* Grown again: zero pages once more, the old data is gone. */
	b = heap(ZERO_HEAP_PAGES);
	CHECK(b != NULL);
	CHECK_EQ(or_words(b, ZERO_HEAP_PAGES * PAGE), 0);
	CHECK_EQ(frames_free(), k1.frames_free);
	unheap(ZERO_HEAP_PAGES);
	return 0;
}

/* 16 MiB of bss: in a program just exec'd ("ptest --bss", main.c) and in
 * this process (big_bss, inherited untouched from the runner). */
static int t_zero_bss(void)
{
	static char *argv[] = {"ptest", "--bss", NULL};
	pid_t pid = fork();
	int r;

	if (pid == 0) {
		execv("ptest", argv);
		_exit(255);
	}
	CHECK(pid > 0);
	CHECK_EQ(wait_for(pid), 0);
	CHECK_EQ(or_words((uint8_t *)big_bss, BIG_BSS_SIZE), 0);
	if ((r = write_pages_exact((uint8_t *)big_bss, BIG_BSS_SIZE / PAGE, 32)) != 0)
		return r;
	return 0;
}

/* fork of a process with an untouched zero-page heap (and bss): the child
 * shares the zero pages; its stores get frames of its own, zero fills,
 * no copies; the parent still reads zeros. */
static int t_zero_fork(void)
{
	uint8_t *b = heap(ZERO_HEAP_PAGES);
	pid_t pid;

	CHECK(b != NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		touch_private(64);
		if (or_words(b, ZERO_HEAP_PAGES * PAGE) != 0 ||
		    or_words((uint8_t *)big_bss, BIG_BSS_SIZE) != 0)
			_exit(2);
		if (write_pages_exact(b, ZERO_HEAP_PAGES, 50) != 0 ||
		    write_pages_exact((uint8_t *)big_bss, BIG_BSS_SIZE / PAGE, 20) != 0)
			_exit(3);
		memset(b, 0x7e, 16 * PAGE);
		_exit(all_bytes(b, 16 * PAGE, 0x7e) ? 0 : 4);
	}
	CHECK_EQ(wait_for(pid), 0);
	CHECK_EQ(or_words(b, ZERO_HEAP_PAGES * PAGE), 0);
	CHECK_EQ(or_words((uint8_t *)big_bss, BIG_BSS_SIZE), 0);
	/* And the parent's own stores: frames of its own too. */
	if (write_pages_exact(b, ZERO_HEAP_PAGES, 10) != 0)
		return 1;
	unheap(ZERO_HEAP_PAGES);
	return 0;
}

/* Last: after every other test wrote to zero pages, the zero frame still
 * reads zero, wherever it is mapped: a fresh heap, the bss, and stack pages
 * below anything the runner touched (a load there grows the stack). */
static int t_zero_intact(void)
{
	const unsigned long lo = PROC_STACK_TOP - PROC_STACK_MAX * PAGE;
	const unsigned long half = PROC_STACK_MAX / 2 * PAGE;
	uint8_t *b = heap(1024);

	CHECK(b != NULL);
	CHECK_EQ(or_words(b, 1024 * PAGE), 0);
	CHECK_EQ(or_words((uint8_t *)big_bss, BIG_BSS_SIZE), 0);
	unheap(1024);
	CHECK_EQ(or_words((const uint8_t *)lo, half), 0);
	return 0;
}

const test_t ptests[] = {
    {"isolation", t_isolation},
    {"isolation-eager", t_isolation_eager},
    {"bigheap", t_bigheap},
    {"generations", t_generations},
    {"kernel-cow", t_kernel_cow},
    {"store-text", t_store_text},
    {"store-rodata", t_store_rodata},
    {"copy-exact", t_copy_exact},
    {"copy-exact-eager", t_copy_exact_eager},
    {"heap-zero", t_heap_zero},
    {"malloc-printf", t_malloc_printf},
    {"stack-growth", t_stack_growth},
    {"rounds", t_rounds},
    {"rounds-touch", t_rounds_touch},
    {"rounds-eager", t_rounds_eager},
    {"fork-storm", t_fork_storm},
    {"fork-oom", t_fork_oom},
    {"cow-oom", t_cow_oom},
    {"fork-bomb", t_fork_bomb},
    {"exec-args", t_exec_args},
    {"exec-errors", t_exec_errors},
    {"exec-releases", t_exec_releases},
    {"wait-kill", t_wait_kill},
    {"orphans", t_orphans},
    {"exec-share", t_exec_share},
    {"zero-heap", t_zero_heap},
    {"zero-bss", t_zero_bss},
    {"zero-fork", t_zero_fork},
    {"zero-intact", t_zero_intact}, /* last: after every other store */
};
const int nptests = sizeof(ptests) / sizeof(ptests[0]);
