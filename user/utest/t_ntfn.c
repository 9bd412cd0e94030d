/*
 * Notifications: SIGNAL, WAIT, POLL, badge ORing, blocking in either
 * direction, rights.
 */
#include "utest.h"

static volatile struct {
	long r0;
	unsigned long word, done;
} nt;

static int test_ntfn_signal_poll(void)
{
	long n;
	sysret_t r;

	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_EQ(sys_poll(n).r0, E_AGAIN);
	CHECK_EQ(sys_signal(n), 0);
	r = sys_poll(n);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(r.r[0], 1); /* an unbadged cap signals bit 1 */
	CHECK_EQ(sys_poll(n).r0, E_AGAIN);
	/* Signals accumulate until someone takes them. */
	CHECK_EQ(sys_signal(n), 0);
	CHECK_EQ(sys_signal(n), 0);
	r = sys_wait(n);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(r.r[0], 1);
	CHECK_EQ(sys_poll(n).r0, E_AGAIN);
	cap_delete(n);
	return 0;
}

static int test_ntfn_badges(void)
{
	long n, b4, b16, b1;
	sysret_t r;

	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(b4, slot_alloc());
	CHECK_OK(b16, slot_alloc());
	CHECK_OK(b1, slot_alloc());
	CHECK_EQ(cap_mint(SLOT_CSPACE, n, b4, RIGHT_WRITE, 4), 0);
	CHECK_EQ(cap_mint(SLOT_CSPACE, n, b16, RIGHT_WRITE, 16), 0);
	CHECK_EQ(cap_mint(SLOT_CSPACE, n, b1, RIGHT_WRITE, 1), 0);
	CHECK_EQ(sys_signal(b4), 0);
	CHECK_EQ(sys_signal(b16), 0);
	CHECK_EQ(sys_signal(b4), 0);
	r = sys_wait(n);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(r.r[0], 4 | 16);
	CHECK_EQ(sys_signal(n), 0);
	CHECK_EQ(sys_signal(b1), 0);
	CHECK_EQ(sys_signal(b16), 0);
	r = sys_poll(n);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(r.r[0], 1 | 16);
	CHECK_EQ(sys_poll(n).r0, E_AGAIN);
	cap_delete(b1);
	cap_delete(b16);
	cap_delete(b4);
	cap_delete(n);
	return 0;
}

static void waiter(unsigned long n)
{
	sysret_t r = sys_wait(n);

	nt.r0 = r.r0;
	nt.word = r.r[0];
	nt.done = 1;
}

static void signaller(unsigned long n)
{
	nt.done = 1;
	nt.r0 = sys_signal(n);
}

static int test_ntfn_blocking(void)
{
	long n, b, t;
	sysret_t r;

	/* A waiting thread wakes on our signal. */
	nt.done = 0;
	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(b, slot_alloc());
	CHECK_EQ(cap_mint(SLOT_CSPACE, n, b, RIGHT_WRITE, 0x80), 0);
	CHECK_OK(t, spawn(waiter, (unsigned long)n, 0, 17, NO_FAULT_EP));
	CHECK_EQ(thread_state(t), THREAD_BLOCKED);
	CHECK_EQ(nt.done, 0);
	CHECK_EQ(sys_signal(b), 0);
	CHECK_EQ(nt.done, 1);
	CHECK_EQ(nt.r0, 0);
	CHECK_EQ(nt.word, 0x80);
	CHECK_EQ(sys_poll(n).r0, E_AGAIN);
	kill_thread(t);

	/* We wait; a lower-priority thread runs only then, and wakes us. */
	nt.done = 0;
	CHECK_OK(t, spawn(signaller, (unsigned long)b, 0, 15, NO_FAULT_EP));
	CHECK_EQ(nt.done, 0);
	r = sys_wait(n);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(r.r[0], 0x80);
	CHECK_EQ(nt.done, 1);
	kill_thread(t);
	cap_delete(b);
	cap_delete(n);
	return 0;
}

static int test_ntfn_rights(void)
{
	long n, ro, wo, ep;

	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(ro, slot_alloc());
	CHECK_OK(wo, slot_alloc());
	CHECK_EQ(cap_copy(SLOT_CSPACE, n, ro, RIGHT_READ), 0);
	CHECK_EQ(cap_copy(SLOT_CSPACE, n, wo, RIGHT_WRITE), 0);
	CHECK_EQ(sys_signal(ro), E_PERM);
	CHECK_EQ(sys_poll(n).r0, E_AGAIN);
	CHECK_EQ(sys_wait(wo).r0, E_PERM);
	CHECK_EQ(sys_poll(wo).r0, E_PERM);
	CHECK_EQ(sys_signal(wo), 0);
	CHECK_EQ(sys_poll(ro).r[0], 1);
	/* Not a notification. */
	CHECK_EQ(sys_signal(ep), E_TYPE);
	CHECK_EQ(sys_wait(ep).r0, E_TYPE);
	CHECK_EQ(sys_poll(SLOT_POOL).r0, E_TYPE);
	cap_delete(wo);
	cap_delete(ro);
	cap_delete(ep);
	cap_delete(n);
	return 0;
}

/* Deleting a notification while a thread waits on it wakes the thread. */
static int test_ntfn_deleted(void)
{
	long n, t;

	nt.done = 0;
	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(t, spawn(waiter, (unsigned long)n, 0, 17, NO_FAULT_EP));
	CHECK_EQ(thread_state(t), THREAD_BLOCKED);
	CHECK_EQ(cap_delete(n), 0);
	CHECK_EQ(nt.done, 1);
	CHECK_EQ(nt.r0, E_NOENT);
	kill_thread(t);
	return 0;
}

const test_t tests_ntfn[] = {
    {"ntfn_signal_poll", test_ntfn_signal_poll}, {"ntfn_badges", test_ntfn_badges},
    {"ntfn_blocking", test_ntfn_blocking},	 {"ntfn_rights", test_ntfn_rights},
    {"ntfn_deleted", test_ntfn_deleted},
};
const int tests_ntfn_count = sizeof(tests_ntfn) / sizeof(tests_ntfn[0]);
