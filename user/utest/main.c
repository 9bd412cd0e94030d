/*
 * utest: the root task that tests the kernel's system calls.
 *
 * Runs every test group in turn and prints one line per test,
 * "PASS: utest/<name>" or "FAIL: utest/<name>: <why>", then a summary and
 * "RESULT: PASS" or "RESULT: FAIL", the line the QEMU harness looks for.
 *
 * Around every test the runner reads DEBUG_STATS: a test passes only if
 * the free frame count and every live-object count are back to their
 * values before the test, every slot it allocated is empty again, nothing
 * is left mapped in the test window, and DEBUG_CHECK finds the kernel's
 * invariants intact.  After a test (passing or not) the runner suspends any
 * thread and deletes any capability the test left behind, so a failure is
 * reported once and does not disturb the tests after it.
 */
#include <stdarg.h>

#include <lib/fmt.h>
#include <string.h>

#include "utest.h"

const bootinfo_t *test_bi;

static char fail_why[240];

static const char *base_name(const char *path)
{
	const char *slash = strchr(path, '/');

	while (slash != NULL) {
		path = slash + 1;
		slash = strchr(path, '/');
	}
	return path;
}

int test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (fail_why[0] != '\0')
		return TEST_FAILED;
	n = fmt_snprintf(fail_why, sizeof(fail_why), "%s:%d: ", base_name(file), line);
	if (n < 0 || (size_t)n >= sizeof(fail_why))
		return TEST_FAILED;
	va_start(ap, fmt);
	fmt_vsnprintf(fail_why + n, sizeof(fail_why) - (size_t)n, fmt, ap);
	va_end(ap);
	return TEST_FAILED;
}

/* Errors print by name, other values in hex. */
static void value_str(char *buf, size_t n, long v)
{
	const char *name = error_name((int)v);

	if (v < 0 && v >= E_AGAIN && name[2] != '?')
		fmt_snprintf(buf, n, "%s", name);
	else
		fmt_snprintf(buf, n, "%#lx", (unsigned long)v);
}

static const char *skip_why;

int test_skip(const char *why)
{
	skip_why = why;
	return TEST_SKIPPED;
}

int test_fail_eq(const char *file, int line, const char *what, long got, long want)
{
	char g[24], w[24];

	value_str(g, sizeof(g), got);
	value_str(w, sizeof(w), want);
	if (got < 0 && want == 0)
		return test_fail(file, line, "%s failed: %s", what, g);
	return test_fail(file, line, "%s is %s, want %s", what, g, w);
}

/* ---- helpers for the tests ---- */

long inv(unsigned long slot, unsigned long label, unsigned long a2, unsigned long a3,
	 unsigned long a4, unsigned long a5, unsigned long a6)
{
	return sys_invoke(slot, label, a2, a3, a4, a5, a6).r0;
}

capinfo_t cap_info(unsigned long cspace, unsigned long slot)
{
	sysret_t r = sys_invoke(cspace, CSPACE_INFO, slot, 0, 0, 0, 0);
	capinfo_t ci = {r.r0, r.r[0], r.r[1], r.r[2]};

	return ci;
}

long thread_state(unsigned long thread)
{
	sysret_t r = sys_invoke(thread, THREAD_INFO, 0, 0, 0, 0, 0);

	return r.r0 < 0 ? r.r0 : (long)r.r[0];
}

long thread_prio(unsigned long thread)
{
	sysret_t r = sys_invoke(thread, THREAD_INFO, 0, 0, 0, 0, 0);

	return r.r0 < 0 ? r.r0 : (long)r.r[1];
}

#define STACK_SIZE (16 * 1024)
static uint8_t stacks[NSTACKS][STACK_SIZE] __attribute__((aligned(16)));

void *stack_top(int i)
{
	return stacks[i] + STACK_SIZE;
}

long spawn(thread_fn_t fn, unsigned long arg, int stack, unsigned prio, unsigned long fault_ep)
{
	return thread_spawn_local_ep(fn, arg, stack_top(stack), prio, fault_ep);
}

static void park(unsigned long arg)
{
}

long parked_thread(void)
{
	long t = spawn(park, 0, 0, 17, NO_FAULT_EP);

	if (t >= 0 && thread_state(t) != THREAD_SUSPENDED) {
		kill_thread(t);
		return E_BUSY;
	}
	return t;
}

void kill_thread(unsigned long thread)
{
	inv(thread, THREAD_SUSPEND, 0, 0, 0, 0, 0);
	cap_delete(thread);
}

void spin_ms(unsigned long ms)
{
	uint64_t hz = test_bi->timebase_hz ? test_bi->timebase_hz : 10000000;
	uint64_t end = rd_time() + hz / 1000 * ms;

	while (rd_time() < end)
		;
}

unsigned long wait_flag(volatile unsigned long *flag, int n)
{
	while (*flag == 0 && n-- > 0)
		sys_yield();
	return *flag;
}

/* ---- the runner ---- */

/* tests_irq last: its last test destroys the root task's IRQ handler. */
static const struct {
	const test_t *tests;
	const int *count;
} groups[] = {
    {tests_basic, &tests_basic_count},	 {tests_batch, &tests_batch_count},
    {tests_uptr, &tests_uptr_count},	 {tests_cspace, &tests_cspace_count},
    {tests_pool, &tests_pool_count},	 {tests_aspace, &tests_aspace_count},
    {tests_thread, &tests_thread_count}, {tests_ipc, &tests_ipc_count},
    {tests_ntfn, &tests_ntfn_count},	 {tests_fault, &tests_fault_count},
    {tests_sched, &tests_sched_count},	 {tests_spawn, &tests_spawn_count},
    {tests_cow, &tests_cow_count},	 {tests_zero, &tests_zero_count},
    {tests_stats, &tests_stats_count},	 {tests_smp, &tests_smp_count},
    {tests_inject, &tests_inject_count}, {tests_irq, &tests_irq_count},
};

/* Every page a test may map in the root's aspace, checked and cleaned. */
static unsigned long test_page(int i)
{
	if (i < TWIN_PAGES)
		return TWIN_VA(i);
	return i == TWIN_PAGES ? TOP_PAGE : LIBOS_SCRATCH_VA;
}
#define NTEST_PAGES (TWIN_PAGES + 2)

/* A passing test must have emptied its slots and unmapped its pages. */
static int check_clean(unsigned long mark)
{
	for (unsigned long s = mark; s < slot_mark(); s++) {
		long type = cap_type(s);

		if (type != CAP_NULL)
			return FAIL("slot %lu left holding a cap of type %ld", s, type);
	}
	for (int i = 0; i < NTEST_PAGES; i++) {
		if (INV1(SLOT_ASPACE, ASPACE_QUERY, test_page(i)) != 0)
			return FAIL("page %#lx left mapped", test_page(i));
	}
	return 0;
}

/* Undo whatever a test left: stop its threads, unmap, delete its caps. */
static void cleanup(unsigned long mark)
{
	unsigned long end = slot_mark();

	INV1(SLOT_DEBUG, DEBUG_FAILNTH, 0); /* a failed walk may leave it armed */
	for (unsigned long s = mark; s < end; s++) {
		if (cap_type(s) == CAP_THREAD)
			INV0(s, THREAD_SUSPEND);
	}
	for (int i = 0; i < NTEST_PAGES; i++) {
		if (INV1(SLOT_ASPACE, ASPACE_QUERY, test_page(i)) != 0)
			INV1(SLOT_ASPACE, ASPACE_UNMAP, test_page(i));
	}
	for (unsigned long s = end; s-- > mark;)
		if (cap_type(s) != CAP_NULL)
			cap_delete(s);
	slot_release(mark);
}

static unsigned destroyed_type; /* test_expect_destroyed, for this test */

void test_expect_destroyed(unsigned type)
{
	destroyed_type = type;
}

static int check_stats(const kstats_t *before)
{
	kstats_t after;
	long err = kstats(&after);
	unsigned long gone = destroyed_type ? 1 : 0;

	if (err < 0)
		return FAIL("DEBUG_STATS failed: %s", error_name((int)err));
	if (after.frames_free != before->frames_free + gone)
		return FAIL("leak: frames_free %lu, was %lu%s", after.frames_free,
			    before->frames_free, gone ? " (one object destroyed)" : "");
	for (int t = 0; t < CAP_NTYPES; t++) {
		unsigned long want =
		    before->objects[t] - ((unsigned)t == destroyed_type ? gone : 0);

		if (after.objects[t] != want)
			return FAIL("leak: %lu objects of type %d, want %lu", after.objects[t], t,
				    want);
	}
	return 0;
}

/* Run one test; returns 1 if it passed. */
static int run_one(const test_t *t)
{
	unsigned long mark = slot_mark();
	kstats_t before;
	long err;
	int rc;

	fail_why[0] = '\0';
	skip_why = NULL;
	destroyed_type = CAP_NULL;
	err = kstats(&before);
	if (err < 0) {
		rc = FAIL("DEBUG_STATS failed: %s", error_name((int)err));
	} else {
		rc = t->fn();
		if (rc == TEST_SKIPPED)
			rc = 0; /* still checked for leaks below */
		if (rc == 0)
			rc = check_clean(mark);
	}
	cleanup(mark);
	if (rc == 0 && err >= 0)
		rc = check_stats(&before);
	if (rc == 0) {
		err = INV0(SLOT_DEBUG, DEBUG_CHECK);
		if (err != 0)
			rc = FAIL("DEBUG_CHECK: %s", error_name((int)err));
	}
	if (rc == 0 && skip_why)
		uprintf("SKIP: utest/%s: %s\n", t->name, skip_why);
	else if (rc == 0)
		uprintf("PASS: utest/%s\n", t->name);
	else
		uprintf("FAIL: utest/%s: %s\n", t->name, fail_why[0] ? fail_why : "(no reason)");
	return rc == 0;
}

/*
 * Page tables the kernel allocates for a first mapping may outlive the
 * mapping.  Touch every page-table path the tests use once, before any
 * baseline is taken, so that such tables are not counted as leaks.
 */
static void warm_up(void)
{
	unsigned long vas[] = {TWIN, TOP_PAGE, LIBOS_SCRATCH_VA};

	for (size_t i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		long f = frame_alloc_map(vas[i], RIGHT_READ);

		if (f >= 0) {
			INV1(SLOT_ASPACE, ASPACE_UNMAP, vas[i]);
			cap_delete((unsigned long)f);
			slot_release((unsigned long)f);
		}
	}
	/* The zero-frame window's tables (t_zero.c). */
	if (INV3(SLOT_ASPACE, ASPACE_MAP_ZERO, ZWIN, ZWIN_PAGES, RIGHT_READ) == 0)
		for (unsigned long i = 0; i < ZWIN_PAGES; i++)
			INV1(SLOT_ASPACE, ASPACE_UNMAP, ZWIN + i * PAGE_SIZE);
}

int main(unsigned long arg)
{
	int passed = 0, failed = 0;

	test_bi = (const bootinfo_t *)arg;
	/* utest/bootinfo reports bad values; the fallbacks keep the rest going. */
	slot_init(test_bi->first_free_slot > SLOT_DEBUG ? test_bi->first_free_slot : 64,
		  test_bi->cspace_slots ? test_bi->cspace_slots : ROOT_CSPACE_SLOTS);
	initrd_set((const void *)test_bi->initrd_addr, test_bi->initrd_size);
	uprintf("utest: starting\n");
	/* The tests below t_smp.c count on one hart: they and every thread
	 * they spawn run on hart 0 (t_smp.c spreads its own). */
	spawn_affinity = 1;
	if (sys_invoke(SLOT_THREAD, THREAD_SET_AFFINITY, 1, 0, 0, 0, 0).r0 != 0)
		uprintf("utest: cannot pin myself to hart 0\n");
	warm_up();

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (int i = 0; i < *groups[g].count; i++) {
			if (run_one(&groups[g].tests[i]))
				passed++;
			else
				failed++;
		}
	}
	uprintf("utest: %d passed, %d failed\n", passed, failed);
	uprintf("RESULT: %s\n", failed == 0 ? "PASS" : "FAIL");
	return 0;
}
