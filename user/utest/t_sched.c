/*
 * Scheduling: timer preemption between threads of equal priority, strict
 * priority, suspend/resume of a running thread, SET_PRIORITY.
 *
 * The root task runs at 16.  Waits use spin_ms (rdtime), never blocking,
 * so the only way another thread of priority 16 runs is preemption.
 */
#include "utest.h"

static volatile struct {
	unsigned long count, flag;
} sc;

static void spinner(unsigned long arg)
{
	for (;;)
		sc.count++;
}

static void set_flag(unsigned long ntfn)
{
	sc.flag = 1;
	if (ntfn != 0)
		sys_signal(ntfn);
}

/* A spinner of our priority gets time slices, and we get ours back. */
static int test_sched_preempt(void)
{
	unsigned long c1, c2;
	long t;

	sc.count = 0;
	CHECK_OK(t, spawn(spinner, 0, 0, 16, NO_FAULT_EP));
	spin_ms(200);
	c1 = sc.count;
	if (c1 == 0)
		return FAIL("spinner at our priority never ran in 200 ms");
	CHECK_EQ(thread_state(t), THREAD_RUNNABLE);
	spin_ms(200);
	c2 = sc.count;
	if (c2 == c1)
		return FAIL("spinner stopped after %lu increments", c1);
	kill_thread(t);
	return 0;
}

static int test_sched_suspend_resume(void)
{
	unsigned long c1;
	long t;

	sc.count = 0;
	CHECK_OK(t, spawn(spinner, 0, 0, 16, NO_FAULT_EP));
	spin_ms(100);
	CHECK(sc.count > 0);
	CHECK_EQ(INV0(t, THREAD_SUSPEND), 0);
	CHECK_EQ(thread_state(t), THREAD_SUSPENDED);
	c1 = sc.count;
	spin_ms(100);
	if (sc.count != c1)
		return FAIL("suspended spinner still counting (%lu -> %lu)", c1, sc.count);
	/* Suspend is fine in any state, and idempotent. */
	CHECK_EQ(INV0(t, THREAD_SUSPEND), 0);
	CHECK_EQ(INV0(t, THREAD_RESUME), 0);
	CHECK_EQ(thread_state(t), THREAD_RUNNABLE);
	CHECK_EQ(INV0(t, THREAD_RESUME), E_BUSY);
	spin_ms(100);
	if (sc.count == c1)
		return FAIL("resumed spinner does not count");
	kill_thread(t);
	return 0;
}

/* A thread above us runs to completion before START returns to us. */
static int test_sched_priority_high(void)
{
	long t;

	sc.flag = 0;
	CHECK_OK(t, spawn(set_flag, 0, 0, 17, NO_FAULT_EP));
	CHECK_EQ(sc.flag, 1);
	CHECK_EQ(thread_state(t), THREAD_SUSPENDED);
	kill_thread(t);
	return 0;
}

/* A thread below us runs only while we block. */
static int test_sched_priority_low(void)
{
	long t, n;

	sc.flag = 0;
	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(t, spawn(set_flag, (unsigned long)n, 0, 15, NO_FAULT_EP));
	for (int i = 0; i < 10; i++)
		CHECK_EQ(sys_yield(), 0);
	spin_ms(50);
	CHECK_EQ(sc.flag, 0);
	CHECK_EQ(thread_state(t), THREAD_RUNNABLE);
	CHECK_EQ(sys_wait(n).r0, 0);
	CHECK_EQ(sc.flag, 1);
	kill_thread(t);
	cap_delete(n);
	return 0;
}

/* A starved spinner starts running once raised to our priority. */
static int test_sched_set_priority(void)
{
	long t;

	sc.count = 0;
	CHECK_OK(t, spawn(spinner, 0, 0, 15, NO_FAULT_EP));
	spin_ms(50);
	CHECK_EQ(sc.count, 0);
	CHECK_EQ(INV1(t, THREAD_SET_PRIORITY, 16), 0);
	CHECK_EQ(thread_prio(t), 16);
	spin_ms(200);
	if (sc.count == 0)
		return FAIL("spinner raised to priority 16 never ran");
	CHECK_EQ(INV1(t, THREAD_SET_PRIORITY, 14), 0);
	spin_ms(20); /* let a slice it may hold run out */
	{
		unsigned long c = sc.count;

		spin_ms(100);
		if (sc.count != c)
			return FAIL("spinner lowered to 14 still runs");
	}
	kill_thread(t);
	return 0;
}

const test_t tests_sched[] = {
    {"sched_preempt", test_sched_preempt},
    {"sched_suspend_resume", test_sched_suspend_resume},
    {"sched_priority_high", test_sched_priority_high},
    {"sched_priority_low", test_sched_priority_low},
    {"sched_set_priority", test_sched_set_priority},
};
const int tests_sched_count = sizeof(tests_sched) / sizeof(tests_sched[0]);
