/*
 * utest: the kernel's user-level test suite, run as the root task.
 *
 * A test is a function returning 0 (pass) or TEST_FAILED after recording
 * why with test_fail().  Tests allocate slots with slot_alloc() and map
 * pages only inside the test window [TWIN, TWIN + TWIN_PAGES * PAGE_SIZE)
 * or at TOP_PAGE.  The runner (main.c) checks that a passing test left
 * every slot it took empty, nothing mapped, and the kernel's frame and
 * object counts at their baseline; then it cleans up whatever a failing
 * test left behind so that one failure does not cascade.
 */
#pragma once

#include <stdint.h>

#include <abi/bootinfo.h>
#include <libos.h>
#include <sys.h>

#define TEST_FAILED (-1)

/* Pages the tests may map in the root's own address space. */
#define TWIN	   0x40000000UL
#define TWIN_PAGES 64
#define TWIN_VA(i) (TWIN + (unsigned long)(i)*PAGE_SIZE)
#define TOP_PAGE   (USER_TOP - PAGE_SIZE)

/* A 16 MiB window for the zero-frame tests (t_zero.c). */
#define ZWIN	   0x80000000UL
#define ZWIN_PAGES 4096UL

/* An address in the kernel half: never a valid user pointer. */
#define KERNEL_VA 0xffffffc000000000UL

/* Record why the current test failed (first call wins); returns TEST_FAILED. */
int test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define FAIL(...) test_fail(__FILE__, __LINE__, __VA_ARGS__)

/* The test cannot run on this machine (say, one hart): the runner prints
 * "SKIP: utest/<name>: <why>" after its usual checks. */
#define TEST_SKIPPED (-2)
int test_skip(const char *why);
#define SKIP(why) test_skip(why)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return FAIL("%s", #cond);                                                  \
	} while (0)

/* Compare two integer values; errors print by name. */
#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		long check_a_ = (long)(a), check_b_ = (long)(b);                                   \
		if (check_a_ != check_b_)                                                          \
			return test_fail_eq(__FILE__, __LINE__, #a, check_a_, check_b_);           \
	} while (0)

/* Run an expression that must succeed (>= 0); keep its value in v. */
#define CHECK_OK(v, expr)                                                                          \
	do {                                                                                       \
		(v) = (expr);                                                                      \
		if ((long)(v) < 0)                                                                 \
			return test_fail_eq(__FILE__, __LINE__, #expr, (long)(v), 0);              \
	} while (0)

int test_fail_eq(const char *file, int line, const char *what, long got, long want);

/* The boot-info page, for tests that need it. */
extern const bootinfo_t *test_bi;

/* ---- helpers shared by the tests (main.c) ---- */

/* Invocation shorthands: r0 only. */
long inv(unsigned long slot, unsigned long label, unsigned long a2, unsigned long a3,
	 unsigned long a4, unsigned long a5, unsigned long a6);
#define INV0(s, l)		  inv((s), (l), 0, 0, 0, 0, 0)
#define INV1(s, l, a)		  inv((s), (l), (a), 0, 0, 0, 0)
#define INV2(s, l, a, b)	  inv((s), (l), (a), (b), 0, 0, 0)
#define INV3(s, l, a, b, c)	  inv((s), (l), (a), (b), (c), 0, 0)
#define INV4(s, l, a, b, c, d)	  inv((s), (l), (a), (b), (c), (d), 0)
#define INV5(s, l, a, b, c, d, e) inv((s), (l), (a), (b), (c), (d), (e))

/* CSPACE_INFO of slot in the root cspace: type, rights, badge. */
typedef struct capinfo {
	long err;
	unsigned long type, rights, badge;
} capinfo_t;
capinfo_t cap_info(unsigned long cspace, unsigned long slot);

/* THREAD_INFO: state (or an error), priority. */
long thread_state(unsigned long thread);
long thread_prio(unsigned long thread);

/* Stacks for local threads: NSTACKS of them, reused from test to test. */
#define NSTACKS 4
void *stack_top(int i);

/* A local thread on stack i; slot or error. */
long spawn(thread_fn_t fn, unsigned long arg, int stack, unsigned prio, unsigned long fault_ep);

/* A local thread (stack 0, priority 17) that has run and suspended itself,
 * to have a SUSPENDED thread at hand; its slot or an error. */
long parked_thread(void);

/* Suspend and delete a thread. */
void kill_thread(unsigned long thread);

/* Busy-wait (never blocking) for about ms milliseconds of wall time. */
void spin_ms(unsigned long ms);

/* Yield up to n times until *flag becomes non-zero; returns *flag. */
unsigned long wait_flag(volatile unsigned long *flag, int n);

/* The running test destroys one object of type (CAP_*) that the kernel
 * made at boot (its frame is freed): the runner's leak check expects one
 * object and one frame less instead of the baseline. */
void test_expect_destroyed(unsigned type);

/* ---- the test groups, one file each ---- */

typedef struct test {
	const char *name;
	int (*fn)(void);
} test_t;

#define TEST_GROUP(g)                                                                              \
	extern const test_t g[];                                                                   \
	extern const int g##_count

TEST_GROUP(tests_basic);
TEST_GROUP(tests_batch);
TEST_GROUP(tests_cspace);
TEST_GROUP(tests_pool);
TEST_GROUP(tests_aspace);
TEST_GROUP(tests_thread);
TEST_GROUP(tests_ipc);
TEST_GROUP(tests_ntfn);
TEST_GROUP(tests_fault);
TEST_GROUP(tests_sched);
TEST_GROUP(tests_spawn);
TEST_GROUP(tests_uptr);
TEST_GROUP(tests_cow);
TEST_GROUP(tests_zero);
TEST_GROUP(tests_stats);
TEST_GROUP(tests_smp);
TEST_GROUP(tests_irq);
TEST_GROUP(tests_inject);
