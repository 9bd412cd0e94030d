/*
 * Thread invocations: CONFIGURE, START, SUSPEND, RESUME, READ_REGS,
 * WRITE_REGS, SET_PRIORITY, INFO, their state rules and rights.
 * Scheduling itself is in t_sched.c, faults in t_fault.c.
 */
#include "utest.h"

static volatile struct {
	unsigned long runs, value, done;
	long result;
	unsigned long self;
} th;

static void count_run(unsigned long arg)
{
	th.runs++;
	th.value = arg;
}

static int test_thread_lifecycle(void)
{
	long t, ep, ntfn, f;
	void *sp = stack_top(0);

	th.runs = 0;
	CHECK_OK(t, obj_create(CAP_THREAD, 0));
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(ntfn, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(f, slot_alloc());
	CHECK_EQ(INV1(SLOT_POOL, POOL_ALLOC_FRAME, f), 0);
	CHECK_EQ(thread_state(t), THREAD_INACTIVE);

	/* Not configured yet. */
	CHECK_EQ(INV3(t, THREAD_START, (unsigned long)count_run, (unsigned long)sp, 0), E_INVAL);
	CHECK_EQ(INV0(t, THREAD_RESUME), E_INVAL); /* never configured */
	/* Configure: types, priority range. */
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, SLOT_CSPACE, SLOT_CSPACE, NO_FAULT_EP, 17), E_TYPE);
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, f, SLOT_CSPACE, NO_FAULT_EP, 17), E_TYPE);
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, SLOT_ASPACE, SLOT_ASPACE, NO_FAULT_EP, 17), E_TYPE);
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, SLOT_ASPACE, SLOT_CSPACE, ntfn, 17), E_TYPE);
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, SLOT_ASPACE, SLOT_CSPACE, SLOT_THREAD, 17), E_TYPE);
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, SLOT_NULL, SLOT_CSPACE, NO_FAULT_EP, 17), E_BADCAP);
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, SLOT_ASPACE, ROOT_CSPACE_SLOTS, NO_FAULT_EP, 17),
		 E_BADCAP);
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, SLOT_ASPACE, SLOT_CSPACE, ROOT_CSPACE_SLOTS, 17),
		 E_BADCAP);
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, SLOT_ASPACE, SLOT_CSPACE, NO_FAULT_EP, 32), E_INVAL);
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, SLOT_ASPACE, SLOT_CSPACE, NO_FAULT_EP, ~0UL), E_INVAL);
	CHECK_EQ(INV3(t, THREAD_START, (unsigned long)count_run, (unsigned long)sp, 0), E_INVAL);
	/* A fault endpoint is accepted, and a later configure replaces it all. */
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, SLOT_ASPACE, SLOT_CSPACE, ep, 3), 0);
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, SLOT_ASPACE, SLOT_CSPACE, NO_FAULT_EP, 31), 0);
	CHECK_EQ(thread_state(t), THREAD_INACTIVE);
	CHECK_EQ(thread_prio(t), 31);
	cap_delete(t);

	/* Through libos, at a higher priority than ours: it runs at once. */
	CHECK_OK(t, spawn(count_run, 0x5150, 0, 17, NO_FAULT_EP));
	CHECK_EQ(th.runs, 1);
	CHECK_EQ(th.value, 0x5150);
	CHECK_EQ(thread_state(t), THREAD_SUSPENDED);
	CHECK_EQ(thread_prio(t), 17);
	CHECK_EQ(INV3(t, THREAD_START, (unsigned long)count_run, (unsigned long)sp, 0), E_BUSY);
	/* Resuming it returns from its own suspend: it suspends again. */
	CHECK_EQ(INV0(t, THREAD_RESUME), 0);
	CHECK_EQ(thread_state(t), THREAD_SUSPENDED);
	CHECK_EQ(th.runs, 1);
	/* Suspended: configure is allowed again. */
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, SLOT_ASPACE, SLOT_CSPACE, NO_FAULT_EP, 17), 0);
	CHECK_EQ(INV0(t, THREAD_SUSPEND), 0);
	CHECK_EQ(thread_state(t), THREAD_SUSPENDED);
	kill_thread(t);
	cap_delete(f);
	cap_delete(ntfn);
	cap_delete(ep);
	return 0;
}

static void wait_once(unsigned long ntfn)
{
	th.result = sys_wait(ntfn).r0;
	th.done = 1;
}

/* A blocked thread is busy for CONFIGURE and RESUME; SUSPEND aborts its
 * wait, which returns E_AGAIN once it is resumed. */
static int test_thread_blocked(void)
{
	long t, ntfn;

	th.done = 0;
	CHECK_OK(ntfn, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(t, spawn(wait_once, (unsigned long)ntfn, 0, 17, NO_FAULT_EP));
	CHECK_EQ(th.done, 0);
	CHECK_EQ(thread_state(t), THREAD_BLOCKED);
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, SLOT_ASPACE, SLOT_CSPACE, NO_FAULT_EP, 17), E_BUSY);
	CHECK_EQ(INV0(t, THREAD_RESUME), E_BUSY);
	CHECK_EQ(INV0(t, THREAD_SUSPEND), 0);
	CHECK_EQ(thread_state(t), THREAD_SUSPENDED);
	/* A signal now does not reach the suspended thread. */
	CHECK_EQ(sys_signal(ntfn), 0);
	CHECK_EQ(th.done, 0);
	CHECK_EQ(INV0(t, THREAD_RESUME), 0);
	CHECK_EQ(th.done, 1);
	CHECK_EQ(th.result, E_AGAIN);
	CHECK_EQ(thread_state(t), THREAD_SUSPENDED);
	/* The signal is still pending in the word. */
	CHECK_EQ(sys_poll(ntfn).r0, 0);
	kill_thread(t);
	cap_delete(ntfn);
	return 0;
}

static int test_thread_priority(void)
{
	long t;

	CHECK_OK(t, obj_create(CAP_THREAD, 0));
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, SLOT_ASPACE, SLOT_CSPACE, NO_FAULT_EP, 0), 0);
	CHECK_EQ(thread_prio(t), 0);
	CHECK_EQ(INV1(t, THREAD_SET_PRIORITY, 32), E_INVAL);
	CHECK_EQ(INV1(t, THREAD_SET_PRIORITY, ~0UL), E_INVAL);
	CHECK_EQ(thread_prio(t), 0);
	CHECK_EQ(INV1(t, THREAD_SET_PRIORITY, PRIORITY_MAX), 0);
	CHECK_EQ(thread_prio(t), PRIORITY_MAX);
	CHECK_EQ(INV1(t, THREAD_SET_PRIORITY, 20), 0);
	CHECK_EQ(thread_prio(t), 20);
	CHECK_EQ(thread_state(t), THREAD_INACTIVE);
	CHECK_EQ(cap_delete(t), 0);
	/* Our own priority, and back. */
	CHECK_EQ(INV1(SLOT_THREAD, THREAD_SET_PRIORITY, 18), 0);
	CHECK_EQ(thread_prio(SLOT_THREAD), 18);
	CHECK_EQ(INV1(SLOT_THREAD, THREAD_SET_PRIORITY, 16), 0);
	CHECK_EQ(thread_prio(SLOT_THREAD), 16);
	return 0;
}

static int test_thread_rights(void)
{
	uint64_t regs[NREGS];
	long t, ro, wo;

	CHECK_OK(t, parked_thread());
	CHECK_OK(ro, slot_alloc());
	CHECK_OK(wo, slot_alloc());
	CHECK_EQ(cap_copy(SLOT_CSPACE, t, ro, RIGHT_READ), 0);
	CHECK_EQ(cap_copy(SLOT_CSPACE, t, wo, RIGHT_WRITE), 0);
	CHECK_EQ(INV4(ro, THREAD_CONFIGURE, SLOT_ASPACE, SLOT_CSPACE, NO_FAULT_EP, 17), E_PERM);
	CHECK_EQ(INV3(ro, THREAD_START, 0x100000, 0, 0), E_PERM);
	CHECK_EQ(INV0(ro, THREAD_RESUME), E_PERM);
	CHECK_EQ(INV0(ro, THREAD_SUSPEND), E_PERM);
	CHECK_EQ(INV1(ro, THREAD_SET_PRIORITY, 17), E_PERM);
	CHECK_EQ(INV1(ro, THREAD_READ_REGS, (unsigned long)regs), 0);
	CHECK_EQ(INV1(ro, THREAD_WRITE_REGS, (unsigned long)regs), E_PERM);
	CHECK_EQ(thread_state(ro), THREAD_SUSPENDED);
	CHECK_EQ(INV1(wo, THREAD_READ_REGS, (unsigned long)regs), E_PERM);
	CHECK_EQ(thread_state(wo), E_PERM);
	CHECK_EQ(INV1(wo, THREAD_WRITE_REGS, (unsigned long)regs), 0);
	CHECK_EQ(INV1(wo, THREAD_SET_PRIORITY, 17), 0);
	CHECK_EQ(INV0(wo, THREAD_SUSPEND), 0);
	cap_delete(wo);
	cap_delete(ro);
	kill_thread(t);
	return 0;
}

/* Suspend with a known value in s2 (callee-saved, so it survives). */
static void suspend_marked(unsigned long self)
{
	register unsigned long a0 __asm__("a0") = self;
	register unsigned long a1 __asm__("a1") = THREAD_SUSPEND;
	register unsigned long a7 __asm__("a7") = SYS_INVOKE;
	register unsigned long s2 __asm__("s2") = 0x5e1f5e1f0000abcdUL;

	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1)
			 : "r"(a7), "r"(s2)
			 : "memory", "a2", "a3", "a4", "a5", "a6", "t0", "t1", "t2", "t3", "t4",
			   "t5", "t6");
}

static void marked(unsigned long arg)
{
	suspend_marked(th.self);
}

/* Where WRITE_REGS sends the thread. */
static void redirected(unsigned long a0)
{
	th.value = a0;
	th.done = 1;
	for (;;)
		INV0(th.self, THREAD_SUSPEND);
}

static int test_thread_regs(void)
{
	uint64_t regs[NREGS], again[NREGS];
	uintptr_t lo = (uintptr_t)stack_top(1) - 16 * 1024, hi = (uintptr_t)stack_top(1);
	long t;

	th.done = 0;
	CHECK_OK(t, obj_create(CAP_THREAD, 0));
	th.self = (unsigned long)t;
	CHECK_EQ(thread_start_local(t, marked, 0, stack_top(1), 17, NO_FAULT_EP), 0);
	CHECK_EQ(thread_state(t), THREAD_SUSPENDED);
	CHECK_EQ(INV1(t, THREAD_READ_REGS, (unsigned long)regs), 0);
	CHECK(regs[REG_S2] == 0x5e1f5e1f0000abcdUL);
	CHECK(regs[REG_SP] > lo && regs[REG_SP] < hi);
	CHECK(regs[REG_PC] >= 0x100000 && regs[REG_PC] < 0x200000);
	/* Reading twice gives the same; reading changes nothing. */
	CHECK_EQ(INV1(t, THREAD_READ_REGS, (unsigned long)again), 0);
	for (int i = 0; i < NREGS; i++)
		CHECK(again[i] == regs[i]);

	regs[REG_PC] = (uint64_t)(uintptr_t)redirected;
	regs[REG_A0] = 0xa0a0a0a0UL;
	regs[REG_SP] = (uint64_t)(uintptr_t)stack_top(1) - 64;
	CHECK_EQ(INV1(t, THREAD_WRITE_REGS, (unsigned long)regs), 0);
	CHECK_EQ(INV1(t, THREAD_READ_REGS, (unsigned long)again), 0);
	CHECK(again[REG_PC] == regs[REG_PC]);
	CHECK(again[REG_A0] == 0xa0a0a0a0UL);
	CHECK(again[REG_S2] == regs[REG_S2]);
	CHECK_EQ(th.done, 0);
	CHECK_EQ(INV0(t, THREAD_RESUME), 0);
	CHECK_EQ(th.done, 1);
	CHECK_EQ(th.value, 0xa0a0a0a0UL);
	CHECK_EQ(INV1(SLOT_THREAD, THREAD_WRITE_REGS, (unsigned long)regs), E_BUSY);
	kill_thread(t);
	return 0;
}

const test_t tests_thread[] = {
    {"thread_lifecycle", test_thread_lifecycle}, {"thread_blocked", test_thread_blocked},
    {"thread_priority", test_thread_priority},	 {"thread_rights", test_thread_rights},
    {"thread_regs", test_thread_regs},
};
const int tests_thread_count = sizeof(tests_thread) / sizeof(tests_thread[0]);
