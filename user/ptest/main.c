/*
 * ptest runner: every test of tests.c in turn (or only those named on the
 * command line), each in a child process of its own, with a leak check: free frames and live
 * objects of every type must be back at their values before the test, and the kernel's invariant
 * audit (DEBUG_CHECK) must pass.  Exits 0 when all passed.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "ptest.h"

extern const test_t ptests[], pipe_tests[], trace_tests[], fault_tests[], inject_tests[];
extern const int nptests, npipe_tests, ntrace_tests, nfault_tests, ninject_tests;

/* Test k of all: the fault, pipe, trace and inject tests first
 * (zero-intact, in ptests, must come last). */
static const test_t *test_at(int k)
{
	if (k < nfault_tests)
		return &fault_tests[k];
	k -= nfault_tests;
	if (k < npipe_tests)
		return &pipe_tests[k];
	k -= npipe_tests;
	if (k < ntrace_tests)
		return &trace_tests[k];
	k -= ntrace_tests;
	if (k < ninject_tests)
		return &inject_tests[k];
	k -= ninject_tests;
	return k < nptests ? &ptests[k] : NULL;
}

static char why[200];

int test_fail(int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (why[0] != '\0')
		return 1;
	n = snprintf(why, sizeof(why), "line %d: ", line);
	va_start(ap, fmt);
	vsnprintf(why + n, sizeof(why) - (size_t)n, fmt, ap);
	va_end(ap);
	return 1;
}

void stats(kstats_t *out)
{
	sys_invoke(SLOT_DEBUG, DEBUG_STATS, (unsigned long)out, 0, 0, 0, 0);
}

unsigned long frames_free(void)
{
	static kstats_t st;

	stats(&st);
	return st.frames_free;
}

static int objects_equal(const kstats_t *a, const kstats_t *b)
{
	for (int t = 0; t < CAP_NTYPES; t++) {
		if (a->objects[t] != b->objects[t])
			return 0;
	}
	return a->frames_free == b->frames_free;
}

int settle(unsigned long want)
{
	for (int i = 0; i < 20000; i++) {
		if (frames_free() == want)
			return 1;
		sys_yield();
	}
	return 0;
}

int wait_for(pid_t pid)
{
	int st = 0;

	return waitpid(pid, &st, 0) == pid ? st : -1;
}

extern char __data_start[], _end[];

char big_bss[BIG_BSS_SIZE] __attribute__((aligned(4096)));

static void touch_stack(unsigned kib)
{
	volatile char buf[1024];

	buf[0] = buf[1023] = 0;
	if (kib > 1)
		touch_stack(kib - 1);
}

void touch_private(unsigned stack_kib)
{
	for (volatile char *p = __data_start; p < _end; p += PAGE) {
		if (p >= big_bss && p < big_bss + BIG_BSS_SIZE)
			continue; /* stays zero pages */
		*p = *p;
	}
	touch_stack(stack_kib);
}

int wait_state(pid_t pid, int state)
{
	for (;;) {
		proc_entry_t e;
		int i = 0;

		while ((i = proc_list(i, &e)) >= 0 && e.pid != pid)
			;
		if (i < 0)
			return -1; /* gone */
		if (e.state == state)
			return 0;
		sys_yield();
	}
}

void sleep_ms(unsigned long ms)
{
	uint64_t end = rd_time() + ms * 10000;

	while (rd_time() < end)
		sys_yield();
}

static uint32_t next(uint32_t x)
{
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

void pattern_fill(uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t x = seed | 1;

	for (size_t i = 0; i < n; i++) {
		x = next(x);
		p[i] = (uint8_t)x;
	}
}

int pattern_check(const uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t x = seed | 1;

	for (size_t i = 0; i < n; i++) {
		x = next(x);
		if (p[i] != (uint8_t)x)
			return 0;
	}
	return 1;
}

int all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != v)
			return 0;
	}
	return 1;
}

static int wanted(int argc, char **argv, const char *name)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], name) == 0)
			return 1;
	}
	return 0;
}

/*
 * "ptest --bss": a program just exec'd with 16 MiB of bss.  Its pool pays
 * for the image but big_bss, the stack and page tables; reading big_bss
 * costs nothing and reads zero; a store to each of N pages costs exactly N
 * frames, each a zero fill, no copy.
 */
int bss_main(void)
{
	static kstats_t k0, k1;
	static procinfo_t p0, p1;
	const unsigned long n = 40, image = ((unsigned long)_end - PROC_IMAGE_LO) / PAGE;
	unsigned long sum = 0;

	/* Warm every page the measurements write (data, bss, stack). */
	touch_private(64);
	stats(&k0);
	stats(&k1);
	procinfo(0, &p0);
	procinfo(0, &p1);
	stats(&k0);
	procinfo(0, &p0);
	/* Without the zero frame, big_bss alone would be 4096 frames. */
	if (p0.used > image - BIG_BSS_SIZE / PAGE + 128) {
		printf("FAIL: bss: %lu frames used, image %lu pages\n", p0.used, image);
		return 2;
	}
	for (unsigned long i = 0; i < BIG_BSS_SIZE / 8; i++)
		sum |= ((volatile uint64_t *)big_bss)[i];
	stats(&k1);
	procinfo(0, &p1);
	if (sum != 0 || p1.used != p0.used || k1.frames_free != k0.frames_free ||
	    k1.zero_fills != k0.zero_fills) {
		printf("FAIL: bss: reading: sum %#lx, %ld used, %ld frames, %ld fills\n", sum,
		       (long)(p1.used - p0.used), (long)(k0.frames_free - k1.frames_free),
		       (long)(k1.zero_fills - k0.zero_fills));
		return 3;
	}
	for (unsigned long i = 0; i < n; i++)
		big_bss[i * 97 * PAGE + i] = (char)(i + 1);
	stats(&k1);
	procinfo(0, &p1);
	if (p1.used - p0.used != n || k0.frames_free - k1.frames_free != n ||
	    k1.zero_fills - k0.zero_fills != n || k1.cow_copies != k0.cow_copies) {
		printf(
		    "FAIL: bss: writing %lu pages: %ld used, %ld frames, %ld fills, %ld copies\n",
		    n, (long)(p1.used - p0.used), (long)(k0.frames_free - k1.frames_free),
		    (long)(k1.zero_fills - k0.zero_fills), (long)(k1.cow_copies - k0.cow_copies));
		return 4;
	}
	for (unsigned long i = 0; i < BIG_BSS_SIZE; i += 8) {
		uint64_t w = *(volatile uint64_t *)(big_bss + i);
		unsigned long pg = i / PAGE;
		uint64_t want = 0;

		if (pg % 97 == 0 && pg / 97 < n && i / 8 == (pg * PAGE + pg / 97) / 8)
			want = (uint64_t)(uint8_t)(pg / 97 + 1) << (8 * ((pg / 97) % 8));
		if (w != want) {
			printf("FAIL: bss: word at offset %#lx is %#lx\n", i, (unsigned long)w);
			return 5;
		}
	}
	return 0;
}

/*
 * "ptest --sleep": an instance for exec-share (tests.c).  share_data is
 * 8 KiB of initialised data, so whole pages of it come copy-on-write from
 * the initrd.  Exits 3 if they do not hold their initial values (someone
 * wrote into the image), else stamps its own pid into them, yields, checks
 * that no other instance's store showed through (exit 4), and waits to be
 * killed.
 */
unsigned share_data[2048] = {[0] = 0x51a7e, [1000] = 1000, [2047] = 2047};

static int sleep_main(void)
{
	if (share_data[0] != 0x51a7e || share_data[1000] != 1000 || share_data[2047] != 2047)
		return 3;
	unsigned me = (unsigned)getpid();
	share_data[0] = share_data[1000] = share_data[2047] = me;
	for (;;) {
		for (int i = 0; i < 50; i++)
			sys_yield();
		if (share_data[0] != me || share_data[1000] != me || share_data[2047] != me)
			return 4;
	}
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	if (argc == 2 && strcmp(argv[1], "--bss") == 0)
		return bss_main();
	if (argc == 2 && strcmp(argv[1], "--sleep") == 0)
		return sleep_main();

	/* Grow the stack and set up malloc's arena once, before any baseline. */
	touch_private(256);
	free(malloc(64));
	for (int k = 0; test_at(k) != NULL; k++) {
		const test_t *t = test_at(k);
		kstats_t before, after;
		int r = 0, st;
		pid_t pid;

		if (!wanted(argc, argv, t->name))
			continue;
		stats(&before);
		/* Each test runs in a child of its own: whatever it maps (heap,
		 * page tables, stack) goes when it exits, and a failure cannot
		 * leave the runner with a broken heap. */
		pid = fork();
		if (pid == 0) {
			why[0] = '\0';
			touch_private(64);
			r = t->fn();
			if (r != 0)
				printf("FAIL: %s: %s\n", t->name, why[0] ? why : "failed");
			_exit(r ? 1 : 0);
		}
		if (pid < 0) {
			printf("FAIL: %s: fork: errno %d\n", t->name, errno);
			failed++;
			continue;
		}
		st = wait_for(pid);
		if (st != 0) {
			if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 1)
				printf("FAIL: %s: test process ended with status %#x\n", t->name,
				       (unsigned)st);
			failed++;
			settle(before.frames_free);
			continue;
		}
		settle(before.frames_free);
		stats(&after);
		if (!objects_equal(&before, &after)) {
			printf("FAIL: %s: leak: %ld frames, %ld threads, %ld aspaces, %ld pools\n",
			       t->name, (long)(before.frames_free - after.frames_free),
			       (long)(after.objects[CAP_THREAD] - before.objects[CAP_THREAD]),
			       (long)(after.objects[CAP_ASPACE] - before.objects[CAP_ASPACE]),
			       (long)(after.objects[CAP_POOL] - before.objects[CAP_POOL]));
			failed++;
			continue;
		}
		/* The kernel's invariant audit: every frame and object count
		 * against the page tables and capabilities after each test. */
		long e = sys_invoke(SLOT_DEBUG, DEBUG_CHECK, 0, 0, 0, 0, 0).r0;
		if (e != 0) {
			printf("FAIL: %s: DEBUG_CHECK returned %ld (kernel log has why)\n", t->name,
			       e);
			failed++;
			continue;
		}
		printf("PASS: %s\n", t->name);
		passed++;
	}
	printf("ptest: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
