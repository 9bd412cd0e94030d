/*
 * SYS_BATCH: invocations run in order in one system call, stopping at the
 * first error unless BATCH_ALL, refused whole for a bad count, flag or
 * array, and stopped by an invocation that suspends or destroys the
 * caller.
 */
#include "utest.h"

#define RW (RIGHT_READ | RIGHT_WRITE)

static void set(invocation_t *op, unsigned long slot, unsigned long label, unsigned long a2,
		unsigned long a3, unsigned long a4)
{
	*op = (invocation_t){slot, label, {a2, a3, a4, 0, 0}};
}

/* res is a batch's answer: a0 = e, ran, failed. */
#define CHECK_BATCH(res, e, ran, failed)                                                           \
	do {                                                                                       \
		CHECK_EQ((res).r0, (e));                                                           \
		CHECK_EQ((res).r[0], (ran));                                                       \
		CHECK_EQ((res).r[1], (failed));                                                    \
	} while (0)

static long type_of(unsigned long slot)
{
	return cap_info(SLOT_CSPACE, slot).type;
}

/* Three slots the runner's slot allocator hands out (and takes back). */
static int three_slots(long s[3])
{
	for (int i = 0; i < 3; i++)
		if ((s[i] = slot_alloc()) < 0)
			return FAIL("slot_alloc: %ld", s[i]);
	return 0;
}

/* Every invocation runs, in order (the third copies what the first made);
 * the results say how many ran and failed. */
static int test_batch_order(void)
{
	invocation_t op[4];
	long s[3];
	sysret_t r;

	if (three_slots(s))
		return TEST_FAILED;
	set(&op[0], SLOT_POOL, POOL_CREATE, CAP_ENDPOINT, s[0], 0);
	set(&op[1], SLOT_POOL, POOL_CREATE, CAP_NOTIFICATION, s[1], 0);
	set(&op[2], SLOT_CSPACE, CSPACE_COPY, s[0], s[2], RIGHT_READ);
	r = sys_batch(op, 3, 0);
	CHECK_BATCH(r, 0, 3, 0);
	CHECK_EQ(type_of(s[0]), CAP_ENDPOINT);
	CHECK_EQ(type_of(s[1]), CAP_NOTIFICATION);
	CHECK_EQ(type_of(s[2]), CAP_ENDPOINT);
	CHECK_EQ(cap_info(SLOT_CSPACE, s[2]).rights, RIGHT_READ);
	/* Order: the copy is deleted, then made again with other rights
	 * (the other way round the copy would fail, its slot full). */
	set(&op[0], SLOT_CSPACE, CSPACE_DELETE, s[2], 0, 0);
	set(&op[1], SLOT_CSPACE, CSPACE_COPY, s[0], s[2], RIGHT_WRITE);
	r = sys_batch(op, 2, 0);
	CHECK_BATCH(r, 0, 2, 0);
	CHECK_EQ(cap_info(SLOT_CSPACE, s[2]).rights, RIGHT_WRITE);
	for (int i = 0; i < 3; i++)
		set(&op[i], SLOT_CSPACE, CSPACE_DELETE, s[i], 0, 0);
	r = sys_batch(op, 3, 0);
	CHECK_BATCH(r, 0, 3, 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(type_of(s[i]), CAP_NULL);
	return 0;
}

/* The first error stops the batch: the invocations after it do not run. */
static int test_batch_stop(void)
{
	invocation_t op[4];
	long s[3];
	sysret_t r;

	if (three_slots(s))
		return TEST_FAILED;
	set(&op[0], SLOT_POOL, POOL_CREATE, CAP_ENDPOINT, s[0], 0);
	set(&op[1], SLOT_POOL, POOL_CREATE, CAP_ENDPOINT, s[0], 0); /* slot full */
	set(&op[2], SLOT_POOL, POOL_CREATE, CAP_NOTIFICATION, s[1], 0);
	r = sys_batch(op, 3, 0);
	CHECK_BATCH(r, E_EXISTS, 2, 1);
	CHECK_EQ(type_of(s[0]), CAP_ENDPOINT);
	CHECK_EQ(type_of(s[1]), CAP_NULL);
	/* Each kind of failure stops it the same way. */
	set(&op[0], SLOT_NULL, CSPACE_INFO, 0, 0, 0);			/* empty slot */
	set(&op[1], s[0], CSPACE_INFO, 0, 0, 0);			/* no invocations */
	set(&op[2], SLOT_CSPACE, 0x7777, 0, 0, 0);			/* unknown label */
	set(&op[3], SLOT_POOL, POOL_CREATE, CAP_NOTIFICATION, s[1], 0); /* would run */
	for (int k = 0; k < 3; k++) {
		static const long want[] = {E_BADCAP, E_NOSYS, E_NOSYS};
		r = sys_batch(&op[k], 4 - (unsigned long)k, 0);
		CHECK_BATCH(r, want[k], 1, 1);
		CHECK_EQ(type_of(s[1]), CAP_NULL);
	}
	CHECK_EQ(cap_delete((unsigned long)s[0]), 0);
	return 0;
}

/* BATCH_ALL runs every invocation and reports the first error. */
static int test_batch_all(void)
{
	invocation_t op[5];
	long s[3];
	sysret_t r;

	if (three_slots(s))
		return TEST_FAILED;
	set(&op[0], SLOT_POOL, POOL_CREATE, CAP_ENDPOINT, s[0], 0);
	set(&op[1], SLOT_CSPACE, CSPACE_DELETE, s[2], 0, 0);	    /* empty: E_BADCAP */
	set(&op[2], SLOT_POOL, POOL_CREATE, CAP_ENDPOINT, s[0], 0); /* E_EXISTS */
	set(&op[3], SLOT_POOL, POOL_CREATE, CAP_NOTIFICATION, s[1], 0);
	r = sys_batch(op, 4, BATCH_ALL);
	CHECK_BATCH(r, E_BADCAP, 4, 2);
	CHECK_EQ(type_of(s[0]), CAP_ENDPOINT);
	CHECK_EQ(type_of(s[1]), CAP_NOTIFICATION);
	/* The way procsrv tears down: delete everything, empty slots too. */
	for (int i = 0; i < 3; i++)
		set(&op[i], SLOT_CSPACE, CSPACE_DELETE, s[i], 0, 0);
	r = sys_batch(op, 3, BATCH_ALL);
	CHECK_BATCH(r, E_BADCAP, 3, 1);
	CHECK_EQ(type_of(s[0]), CAP_NULL);
	CHECK_EQ(type_of(s[1]), CAP_NULL);
	return 0;
}

/* A batch the kernel refuses runs nothing: a1 = 0. */
static int test_batch_refused(void)
{
	static invocation_t many[BATCH_MAX + 1];
	invocation_t op[2];
	long s, f;
	sysret_t r;

	CHECK_OK(s, slot_alloc());
	set(&op[0], SLOT_POOL, POOL_CREATE, CAP_ENDPOINT, s, 0);
	set(&op[1], SLOT_POOL, POOL_CREATE, CAP_NOTIFICATION, s, 0);
	for (int i = 0; i <= BATCH_MAX; i++)
		set(&many[i], SLOT_POOL, POOL_CREATE, CAP_ENDPOINT, s, 0);

	static const struct {
		unsigned long n, flags;
	} bad[] = {{0, 0}, {BATCH_MAX + 1, 0}, {~0UL, 0}, {1, 2}, {1, BATCH_ALL | 4}, {1, ~0UL}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = sys_batch(bad[i].n > 2 ? many : op, bad[i].n, bad[i].flags);
		CHECK_BATCH(r, E_INVAL, 0, 0);
	}
	static const unsigned long ptrs[] = {0, 8, KERNEL_VA, USER_TOP - sizeof(invocation_t),
					     ~0UL - 16};
	for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
		r = syscall7(SYS_BATCH, ptrs[i], 2, 0, 0, 0, 0, 0);
		CHECK_BATCH(r, E_FAULT, 0, 0);
	}
	/* An array that runs from a mapped page into an unmapped one: the
	 * first invocation, on the good page, must not run either. */
	CHECK_OK(f, frame_alloc_map(TWIN_VA(0), RW));
	invocation_t *edge = (invocation_t *)(TWIN_VA(1) - sizeof(invocation_t));
	*edge = op[0];
	r = sys_batch(edge, 2, 0);
	CHECK_BATCH(r, E_FAULT, 0, 0);
	CHECK_EQ(type_of(s), CAP_NULL);
	/* BATCH_MAX is allowed; the rest fail as the slot is full. */
	r = sys_batch(many, BATCH_MAX, BATCH_ALL);
	CHECK_BATCH(r, E_EXISTS, BATCH_MAX, BATCH_MAX - 1);
	CHECK_EQ(type_of(s), CAP_ENDPOINT);
	CHECK_EQ(cap_delete((unsigned long)s), 0);
	/* libos's batch_t refuses one invocation too many: nothing runs. */
	static batch_t b;

	batch_init(&b);
	for (int i = 0; i <= BATCH_MAX; i++)
		batch_add(&b, SLOT_POOL, POOL_CREATE, CAP_ENDPOINT, (unsigned long)s, 0, 0);
	CHECK_EQ(batch_run(&b, BATCH_ALL), E_NOSPC);
	CHECK_EQ(type_of(s), CAP_NULL);
	CHECK_EQ(b.n, 0); /* emptied: usable again */
	batch_add(&b, SLOT_POOL, POOL_CREATE, CAP_ENDPOINT, (unsigned long)s, 0, 0);
	CHECK_EQ(batch_run(&b, 0), 0);
	CHECK_EQ(type_of(s), CAP_ENDPOINT);
	CHECK_EQ(cap_delete((unsigned long)s), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0)), 0);
	CHECK_EQ(cap_delete((unsigned long)f), 0);
	return 0;
}

/* The array is read once, before anything runs: an invocation that
 * unmaps the array's own page does not disturb those after it. */
static int test_batch_copied_first(void)
{
	long f, s;
	sysret_t r;

	CHECK_OK(s, slot_alloc());
	CHECK_OK(f, frame_alloc_map(TWIN_VA(0), RW));
	invocation_t *op = (invocation_t *)TWIN_VA(0);
	set(&op[0], SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0), 0, 0);
	set(&op[1], SLOT_POOL, POOL_CREATE, CAP_ENDPOINT, s, 0);
	r = sys_batch(op, 2, 0);
	CHECK_BATCH(r, 0, 2, 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, TWIN_VA(0)), 0);
	CHECK_EQ(type_of(s), CAP_ENDPOINT);
	CHECK_EQ(cap_delete((unsigned long)s), 0);
	CHECK_EQ(cap_delete((unsigned long)f), 0);
	return 0;
}

static volatile struct {
	long slot; /* made by the second invocation if it ran */
	sysret_t r;
	unsigned long done;
} bt;

/* Suspends itself in the middle of a batch. */
static void batch_suspending(unsigned long self)
{
	invocation_t op[2];

	set(&op[0], self, THREAD_SUSPEND, 0, 0, 0);
	set(&op[1], SLOT_POOL, POOL_CREATE, CAP_ENDPOINT, (unsigned long)bt.slot, 0);
	bt.r = sys_batch(op, 2, BATCH_ALL);
	bt.done = 1;
	INV0(self, THREAD_SUSPEND);
}

/* Deletes the only capability to its own thread in the middle of a batch. */
static void batch_destroying(unsigned long self)
{
	invocation_t op[2];

	set(&op[0], SLOT_CSPACE, CSPACE_DELETE, self, 0, 0);
	set(&op[1], SLOT_POOL, POOL_CREATE, CAP_ENDPOINT, (unsigned long)bt.slot, 0);
	sys_batch(op, 2, BATCH_ALL);
	bt.done = 1; /* never */
}

/* Nothing runs on behalf of a thread that a batch took off its hart. */
static int test_batch_self(void)
{
	long t;

	bt.done = 0;
	CHECK_OK(bt.slot, slot_alloc());
	CHECK_OK(t, obj_create(CAP_THREAD, 0));
	CHECK_EQ(thread_start_local(t, batch_suspending, t, stack_top(1), 17, NO_FAULT_EP), 0);
	CHECK_EQ(thread_state(t), THREAD_SUSPENDED);
	CHECK_EQ(bt.done, 0);
	CHECK_EQ(type_of(bt.slot), CAP_NULL);
	CHECK_EQ(INV0(t, THREAD_RESUME), 0);
	CHECK_EQ(bt.done, 1);
	CHECK_BATCH(bt.r, 0, 1, 0);
	CHECK_EQ(type_of(bt.slot), CAP_NULL);
	kill_thread(t);

	bt.done = 0;
	CHECK_OK(t, obj_create(CAP_THREAD, 0));
	CHECK_EQ(thread_start_local(t, batch_destroying, t, stack_top(1), 17, NO_FAULT_EP), 0);
	CHECK_EQ(type_of(t), CAP_NULL);
	CHECK_EQ(bt.done, 0);
	CHECK_EQ(type_of(bt.slot), CAP_NULL);
	return 0;
}

const test_t tests_batch[] = {
    {"batch_order", test_batch_order},
    {"batch_stop", test_batch_stop},
    {"batch_all", test_batch_all},
    {"batch_refused", test_batch_refused},
    {"batch_copied_first", test_batch_copied_first},
    {"batch_self", test_batch_self},
};
const int tests_batch_count = sizeof(tests_batch) / sizeof(tests_batch[0]);
