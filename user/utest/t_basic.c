/*
 * Tests of the root task's start state, the trivial system calls, the
 * errors common to every invocation, and the debug capability.
 */
#include <string.h>

#include "utest.h"

/* The boot-info page and the fixed slots are as abi/bootinfo.h says. */
static int test_bootinfo(void)
{
	static const struct {
		unsigned long slot, type;
	} fixed[] = {
	    {SLOT_CSPACE, CAP_CSPACE}, {SLOT_ASPACE, CAP_ASPACE}, {SLOT_THREAD, CAP_THREAD},
	    {SLOT_POOL, CAP_POOL},     {SLOT_DEBUG, CAP_DEBUG},	  {SLOT_NULL, CAP_NULL},
	};
	const bootinfo_t *bi = test_bi;
	capinfo_t ci;

	CHECK((unsigned long)bi == BOOTINFO_ADDR);
	CHECK(bi->magic == BOOTINFO_MAGIC);
	CHECK_EQ(bi->cspace_slots, ROOT_CSPACE_SLOTS);
	CHECK(bi->first_free_slot > SLOT_DEBUG && bi->first_free_slot < ROOT_CSPACE_SLOTS);
	CHECK(bi->frames_free <= bi->frames_total);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		ci = cap_info(SLOT_CSPACE, fixed[i].slot);
		CHECK_EQ(ci.err, ROOT_CSPACE_SLOTS);
		CHECK_EQ(ci.type, fixed[i].type);
	}
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, BOOTINFO_ADDR), RIGHT_READ);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, ROOT_STACK_TOP - PAGE_SIZE),
		 RIGHT_READ | RIGHT_WRITE);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, ROOT_STACK_TOP - ROOT_STACK_PAGES * PAGE_SIZE),
		 RIGHT_READ | RIGHT_WRITE);
	CHECK(bi->initrd_size > 0);
	CHECK_EQ(bi->initrd_addr, INITRD_ADDR);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, INITRD_ADDR), RIGHT_READ | RIGHT_EXEC);
	CHECK_EQ(thread_state(SLOT_THREAD), THREAD_RUNNABLE);
	CHECK_EQ(thread_prio(SLOT_THREAD), 16);
	return 0;
}

static int test_sys_null_yield(void)
{
	CHECK_EQ(sys_null(), 0);
	CHECK_EQ(sys_yield(), 0);
	CHECK_EQ(sys_yield(), 0);
	return 0;
}

static volatile struct {
	long r[3];
	unsigned long done;
} unknown;

static void unknown_syscalls(unsigned long arg)
{
	unknown.r[0] = syscall7(SYS_NSYSCALLS, 0, 0, 0, 0, 0, 0, 0).r0;
	unknown.r[1] = syscall7(99, 0, 0, 0, 0, 0, 0, 0).r0;
	unknown.r[2] = syscall7(-1L, 0, 0, 0, 0, 0, 0, 0).r0;
	unknown.done = 1;
}

/*
 * An unknown system call number returns E_NOSYS.  Made from a thread with
 * a fault endpoint, so that a kernel that faults the caller instead is
 * reported rather than stopping the root task.
 */
static int test_sys_unknown(void)
{
	long ep, t;

	unknown.done = 0;
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(t, spawn(unknown_syscalls, 0, 0, 17, (unsigned long)ep));
	if (!unknown.done)
		return FAIL("unknown syscall did not return (thread state %ld)", thread_state(t));
	CHECK_EQ(unknown.r[0], E_NOSYS);
	CHECK_EQ(unknown.r[1], E_NOSYS);
	CHECK_EQ(unknown.r[2], E_NOSYS);
	kill_thread(t);
	cap_delete(ep);
	return 0;
}

/* Out-of-range and empty slots are E_BADCAP for every way of naming a cap. */
static int test_bad_slot(void)
{
	unsigned long bad[] = {
	    SLOT_NULL, ROOT_CSPACE_SLOTS, ROOT_CSPACE_SLOTS + 1, 5000, 0x10000, ~0UL, 0};
	msg_t m = {MSG_INFO(1, 0), {0}, 0};
	long empty;

	CHECK_OK(empty, slot_alloc());
	bad[sizeof(bad) / sizeof(bad[0]) - 1] = (unsigned long)empty;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned long s = bad[i];

		CHECK_EQ(INV1(s, CSPACE_INFO, 0), E_BADCAP);
		CHECK_EQ(INV0(s, THREAD_INFO), E_BADCAP);
		CHECK_EQ(sys_send(s, &m).r0, E_BADCAP);
		CHECK_EQ(sys_call(s, &m).r0, E_BADCAP);
		CHECK_EQ(sys_recv(s, 0).r0, E_BADCAP);
		CHECK_EQ(sys_reply_recv(s, &m).r0, E_BADCAP);
		CHECK_EQ(sys_signal(s), E_BADCAP);
		CHECK_EQ(sys_wait(s).r0, E_BADCAP);
		CHECK_EQ(sys_poll(s).r0, E_BADCAP);
	}
	return 0;
}

/* A label that is not defined for the capability's type is E_NOSYS. */
static int test_bad_label(void)
{
	static const struct {
		unsigned long slot, label;
	} wrong[] = {
	    {SLOT_CSPACE, POOL_INFO},
	    {SLOT_CSPACE, 0},
	    {SLOT_CSPACE, 0x7fff},
	    {SLOT_POOL, CSPACE_INFO},
	    {SLOT_POOL, ASPACE_QUERY},
	    {SLOT_ASPACE, THREAD_INFO},
	    {SLOT_ASPACE, POOL_INFO},
	    {SLOT_THREAD, ASPACE_QUERY},
	    {SLOT_THREAD, DEBUG_CHECK},
	    {SLOT_DEBUG, THREAD_INFO},
	    {SLOT_DEBUG, IRQ_ACK},
	    {SLOT_DEBUG, ~0UL},
	    /* A valid label with high bits set (found by user/fuzz: it ran
	     * THREAD_INFO / CSPACE_INFO instead of failing). */
	    {SLOT_THREAD, (1UL << 32) | THREAD_INFO},
	    {SLOT_CSPACE, (1UL << 32) | CSPACE_INFO},
	    {SLOT_POOL, (1UL << 40) | POOL_INFO},
	    {SLOT_ASPACE, (1UL << 63) | ASPACE_QUERY},
	};
	long ep, ntfn, frame;

	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++)
		CHECK_EQ(INV0(wrong[i].slot, wrong[i].label), E_NOSYS);
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(ntfn, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(frame, slot_alloc());
	CHECK_EQ(INV1(SLOT_POOL, POOL_ALLOC_FRAME, frame), 0);
	CHECK_EQ(INV0(ep, CSPACE_INFO), E_NOSYS);
	CHECK_EQ(INV0(ep, DEBUG_STATS), E_NOSYS);
	CHECK_EQ(INV0(ntfn, IRQ_BIND), E_NOSYS);
	CHECK_EQ(INV0(ntfn, THREAD_RESUME), E_NOSYS);
	CHECK_EQ(INV2(frame, ASPACE_MAP, frame, TWIN), E_NOSYS);
	CHECK_EQ(INV0(frame, POOL_INFO), E_NOSYS);
	cap_delete((unsigned long)frame);
	cap_delete((unsigned long)ntfn);
	cap_delete((unsigned long)ep);
	return 0;
}

static char big[4097];

static int test_debug_puts(void)
{
	static const char msg[] = "utest: debug_puts prints this line\n";

	CHECK(INV2(SLOT_DEBUG, DEBUG_PUTS, (unsigned long)msg, sizeof(msg) - 1) >= 0);
	CHECK(INV2(SLOT_DEBUG, DEBUG_PUTS, (unsigned long)msg, 0) >= 0);
	memset(big, ' ', sizeof(big));
	CHECK_EQ(INV2(SLOT_DEBUG, DEBUG_PUTS, (unsigned long)big, 4097), E_INVAL);
	CHECK_EQ(INV2(SLOT_DEBUG, DEBUG_PUTS, (unsigned long)big, ~0UL), E_INVAL);
	return 0;
}

/* DEBUG_STATS counts objects as they are created and destroyed. */
static int test_debug_stats(void)
{
	kstats_t a, b, c;
	long ep, copy;

	CHECK_EQ(kstats(&a), 0);
	CHECK(a.frames_free <= a.frames_total);
	CHECK_EQ(a.frames_total, test_bi->frames_total);
	CHECK(a.objects[CAP_THREAD] >= 1);
	CHECK(a.objects[CAP_ASPACE] >= 1);
	CHECK(a.objects[CAP_CSPACE] >= 1);
	CHECK(a.objects[CAP_POOL] >= 1);
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(copy, slot_alloc());
	CHECK_EQ(cap_copy(SLOT_CSPACE, ep, copy, RIGHTS_ALL), 0);
	CHECK_EQ(kstats(&b), 0);
	CHECK_EQ(b.objects[CAP_ENDPOINT], a.objects[CAP_ENDPOINT] + 1);
	CHECK_EQ(b.frames_free, a.frames_free - 1);
	CHECK(b.syscalls > a.syscalls);
	/* The object lives until its last capability goes. */
	CHECK_EQ(cap_delete(ep), 0);
	CHECK_EQ(kstats(&c), 0);
	CHECK_EQ(c.objects[CAP_ENDPOINT], b.objects[CAP_ENDPOINT]);
	CHECK_EQ(cap_delete(copy), 0);
	CHECK_EQ(kstats(&c), 0);
	CHECK_EQ(c.objects[CAP_ENDPOINT], a.objects[CAP_ENDPOINT]);
	CHECK_EQ(c.frames_free, a.frames_free);
	return 0;
}

static int test_debug_check(void)
{
	CHECK_EQ(INV0(SLOT_DEBUG, DEBUG_CHECK), 0);
	return 0;
}

const test_t tests_basic[] = {
    {"bootinfo", test_bootinfo},       {"sys_null_yield", test_sys_null_yield},
    {"sys_unknown", test_sys_unknown}, {"bad_slot", test_bad_slot},
    {"bad_label", test_bad_label},     {"debug_puts", test_debug_puts},
    {"debug_stats", test_debug_stats}, {"debug_check", test_debug_check},
};
const int tests_basic_count = sizeof(tests_basic) / sizeof(tests_basic[0]);
