/*
 * Copy-on-write at the kernel level: ASPACE_CLONE and the store-fault path,
 * without the process server.  The root clones its own address space into
 * a new one and runs a thread there (same code, same cspace); the thread
 * reports what it saw by calling an endpoint.  kstats counts COW copies
 * and reuses.
 */
#include "utest.h"

#define NPAGES	      4
#define PATTERN(i, w) (0x1000000UL * (i) + (w))

static unsigned long rw = RIGHT_READ | RIGHT_WRITE;

static unsigned long pool_used(unsigned long pool)
{
	return sys_invoke(pool, POOL_INFO, 0, 0, 0, 0, 0).r[1];
}

/* An object of type from pool in a new slot (or an error). */
static long create_from(unsigned long pool, unsigned long type, unsigned long arg)
{
	long slot = slot_alloc();
	if (slot < 0)
		return slot;
	long err = INV3(pool, POOL_CREATE, type, slot, arg);
	return err < 0 ? err : slot;
}

static long frame_from(unsigned long pool)
{
	long slot = slot_alloc();
	if (slot < 0)
		return slot;
	long err = INV1(pool, POOL_ALLOC_FRAME, slot);
	return err < 0 ? err : slot;
}

/* Fill page i of the test window with its pattern. */
static void fill(int i)
{
	uint64_t *p = (uint64_t *)TWIN_VA(i);
	for (int w = 0; w < 512; w++)
		p[w] = PATTERN(i, w);
}

static int check_pattern(int i)
{
	const uint64_t *p = (const uint64_t *)TWIN_VA(i);
	for (int w = 0; w < 512; w++)
		if (p[w] != PATTERN(i, w))
			return 0;
	return 1;
}

/*
 * The thread in the clone: checks every page's pattern, stores into page
 * 0 and reads it back, then reports (pattern ok, value read back) to the
 * endpoint in arg and waits there for good.
 */
static void clone_body(unsigned long ep)
{
	unsigned long ok = 1;
	for (int i = 0; i < NPAGES; i++)
		ok &= (unsigned long)check_pattern(i);
	*(volatile uint64_t *)TWIN_VA(0) = 0xc0ffee;
	msg_t m = {MSG_INFO(0, 2), {ok, *(volatile uint64_t *)TWIN_VA(0), 0, 0}, 0};
	sys_call(ep, &m);
	for (;;)
		sys_recv(ep, 0);
}

/* Start clone_body in aspace as on stack 1 at priority 17 (runs at once). */
static long start_in(unsigned long as, unsigned long ep, unsigned long fault_ep)
{
	long t = obj_create(CAP_THREAD, 0);
	if (t < 0)
		return t;
	long err = INV4(t, THREAD_CONFIGURE, as, SLOT_CSPACE, fault_ep, 17);
	if (!err)
		err = INV3(t, THREAD_START, (unsigned long)clone_body, (unsigned long)stack_top(1),
			   ep);
	if (err) {
		cap_delete(t);
		return err;
	}
	return t;
}

static int test_cow_clone(void)
{
	long f, as, ep, t;
	kstats_t k0, k1;

	/* Mapped frames with no capability: the mappings are their only
	 * references (a frame capability is a reference too, and a frame
	 * someone could still map elsewhere is never reused in place). */
	for (int i = 0; i < NPAGES; i++) {
		CHECK_OK(f, frame_alloc_map(TWIN_VA(i), rw));
		CHECK_EQ(cap_delete(f), 0);
		fill(i);
	}
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(as, obj_create(CAP_ASPACE, 0));
	CHECK_EQ(kstats(&k0), 0);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, as, 0), 0);
	CHECK_EQ(kstats(&k1), 0);
	/* No data page copied: only page tables were allocated. */
	CHECK(k0.frames_free - k1.frames_free < 32);	  /* tables: the root maps 100+ pages */
	CHECK_EQ(INV1(as, ASPACE_QUERY, TWIN_VA(0)), rw); /* COW reads as RW */
	CHECK_EQ(INV1(as, ASPACE_QUERY, BOOTINFO_ADDR), RIGHT_READ);

	/* The clone sees the data, and its store copies one page. */
	CHECK_EQ(kstats(&k0), 0);
	CHECK_OK(t, start_in(as, ep, NO_FAULT_EP));
	sysret_t r = sys_recv(ep, 0);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(r.r[1], 1);	    /* every pattern intact in the clone */
	CHECK_EQ(r.r[2], 0xc0ffee); /* its own store */
	CHECK_EQ(kstats(&k1), 0);
	CHECK(k1.cow_copies > k0.cow_copies);
	/* Ours is untouched. */
	for (int i = 0; i < NPAGES; i++)
		CHECK(check_pattern(i));
	/* Page 0 is now ours alone: a store re-enables W, no copy. */
	CHECK_EQ(kstats(&k0), 0);
	*(volatile uint64_t *)TWIN_VA(0) = 1;
	CHECK_EQ(kstats(&k1), 0);
	CHECK_EQ(k1.cow_reuses, k0.cow_reuses + 1);
	CHECK_EQ(k1.cow_copies, k0.cow_copies);
	/* Page 1 is still shared: a store copies it, byte for byte. */
	*(volatile uint64_t *)TWIN_VA(1) = PATTERN(1, 0);
	CHECK(check_pattern(1));
	CHECK_EQ(kstats(&k0), 0);
	CHECK_EQ(k0.cow_copies, k1.cow_copies + 1);
	sys_reply(&(msg_t){0});

	kill_thread(t);
	CHECK_EQ(cap_delete(as), 0);
	CHECK_EQ(cap_delete(ep), 0);
	/* With the clone gone every page is ours alone again. */
	CHECK_EQ(kstats(&k0), 0);
	*(volatile uint64_t *)TWIN_VA(2) = 2;
	CHECK_EQ(kstats(&k1), 0);
	CHECK_EQ(k1.cow_copies, k0.cow_copies);
	for (int i = 0; i < NPAGES; i++)
		CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(i)), 0);
	return 0;
}

/* A store to a genuinely read-only page is a fault, clone or not. */
static int test_cow_readonly(void)
{
	long f[NPAGES], as, ep, t;

	for (int i = 0; i < NPAGES; i++) {
		CHECK_OK(f[i], frame_alloc_map(TWIN_VA(i), rw));
		fill(i);
	}
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, TWIN_VA(0), RIGHT_READ), 0);
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(as, obj_create(CAP_ASPACE, 0));
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, as, 0), 0);
	CHECK_EQ(INV1(as, ASPACE_QUERY, TWIN_VA(0)), RIGHT_READ);
	/* clone_body stores to page 0: a page fault, delivered to ep. */
	CHECK_OK(t, start_in(as, ep, ep));
	sysret_t r = sys_recv(ep, 0);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(MSG_LABEL(r.r[0]), FAULT_LABEL);
	CHECK_EQ(r.r[1], 15); /* store page fault */
	CHECK_EQ(r.r[2], TWIN_VA(0));
	CHECK_EQ(r.r[4], FAULT_PAGE);
	CHECK(check_pattern(0));
	kill_thread(t);
	CHECK_EQ(cap_delete(as), 0);
	CHECK_EQ(cap_delete(ep), 0);
	for (int i = 0; i < NPAGES; i++) {
		CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(i)), 0);
		CHECK_EQ(cap_delete(f[i]), 0);
	}
	return 0;
}

/* CLONE_EAGER copies every writable page at once: no COW faults later. */
static int test_cow_eager(void)
{
	long f[NPAGES], as, ep, t;
	kstats_t k0, k1;

	for (int i = 0; i < NPAGES; i++) {
		CHECK_OK(f[i], frame_alloc_map(TWIN_VA(i), rw));
		fill(i);
	}
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(as, obj_create(CAP_ASPACE, 0));
	CHECK_EQ(kstats(&k0), 0);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, as, CLONE_EAGER), 0);
	CHECK_EQ(kstats(&k1), 0);
	CHECK(k0.frames_free - k1.frames_free >= NPAGES);
	CHECK_OK(t, start_in(as, ep, NO_FAULT_EP));
	sysret_t r = sys_recv(ep, 0);
	CHECK_EQ(r.r[1], 1);
	CHECK_EQ(r.r[2], 0xc0ffee);
	CHECK_EQ(kstats(&k0), 0);
	CHECK_EQ(k0.cow_copies, k1.cow_copies); /* nothing shared to copy */
	for (int i = 0; i < NPAGES; i++)
		CHECK(check_pattern(i));
	sys_reply(&(msg_t){0});
	kill_thread(t);
	CHECK_EQ(cap_delete(as), 0);
	CHECK_EQ(cap_delete(ep), 0);
	for (int i = 0; i < NPAGES; i++) {
		CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(i)), 0);
		CHECK_EQ(cap_delete(f[i]), 0);
	}
	return 0;
}

/* The kernel's own stores (copyout) into a COW page copy it first. */
static int test_cow_copyout(void)
{
	long f[2], as;
	kstats_t *k = (kstats_t *)(TWIN_VA(1) - 16); /* spans pages 0 and 1 */
	kstats_t k0;

	for (int i = 0; i < 2; i++) {
		CHECK_OK(f[i], frame_alloc_map(TWIN_VA(i), rw));
		fill(i);
	}
	CHECK_OK(as, obj_create(CAP_ASPACE, 0));
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, as, 0), 0);
	/* Page 0 private again (a copy), page 1 still shared. */
	*(volatile uint64_t *)TWIN_VA(0) = PATTERN(0, 0);
	kstats_t k1;
	CHECK_EQ(kstats(&k0), 0);
	CHECK_EQ(kstats(k), 0); /* copyout across a private and a COW page */
	CHECK_EQ(k->frames_total, k0.frames_total);
	CHECK_EQ(kstats(&k1), 0);
	CHECK_EQ(k1.cow_copies, k0.cow_copies + 1);	      /* page 1, by the kernel */
	CHECK_EQ(((uint64_t *)TWIN_VA(0))[0], PATTERN(0, 0)); /* below the buffer */
	CHECK_EQ(((uint64_t *)TWIN_VA(1))[100], PATTERN(1, 100));
	CHECK_EQ(cap_delete(as), 0);
	CHECK_EQ(((uint64_t *)TWIN_VA(1))[100], PATTERN(1, 100));
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(i)), 0);
		CHECK_EQ(cap_delete(f[i]), 0);
	}
	return 0;
}

/* A COW copy with no frame left in the pool: FAULT_OOM to the handler. */
static int test_cow_oom(void)
{
	long f, as, ep, t, p;
	unsigned long need;

	CHECK_OK(f, frame_alloc_map(TWIN_VA(0), rw));
	fill(0);
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	/* How much a clone of our address space costs... */
	CHECK_OK(p, create_from(SLOT_POOL, CAP_POOL, 100000));
	CHECK_OK(as, create_from(p, CAP_ASPACE, 0));
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, as, 0), 0);
	need = pool_used(p);
	CHECK_EQ(cap_delete(as), 0);
	CHECK_EQ(cap_delete(p), 0);
	/* ...one frame less and the clone fails, changing nothing... */
	CHECK_OK(p, create_from(SLOT_POOL, CAP_POOL, need - 1));
	CHECK_OK(as, create_from(p, CAP_ASPACE, 0));
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, as, 0), E_NOMEM);
	CHECK_EQ(pool_used(p), 2);
	CHECK_EQ(cap_delete(as), 0);
	CHECK_EQ(cap_delete(p), 0);
	/* ...exactly that and it fits, with no frame left for a copy. */
	CHECK_OK(p, create_from(SLOT_POOL, CAP_POOL, need));
	CHECK_OK(as, create_from(p, CAP_ASPACE, 0));
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, as, 0), 0);
	CHECK_EQ(pool_used(p), need);
	/* The thread's first store (its stack) needs a copy: FAULT_OOM. */
	CHECK_OK(t, start_in(as, ep, ep));
	sysret_t m = sys_recv(ep, 0);
	CHECK_EQ(m.r0, 0);
	CHECK_EQ(MSG_LABEL(m.r[0]), FAULT_LABEL);
	CHECK_EQ(m.r[1], 15); /* store page fault */
	CHECK_EQ(m.r[4], FAULT_OOM);
	CHECK(check_pattern(0));
	kill_thread(t);
	CHECK_EQ(cap_delete(as), 0);
	CHECK_EQ(pool_used(p), 0);
	CHECK_EQ(cap_delete(p), 0);
	CHECK_EQ(cap_delete(ep), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0)), 0);
	CHECK_EQ(cap_delete(f), 0);
	return 0;
}

static int test_cow_clone_errors(void)
{
	long as, f, p, as2;
	kstats_t k0, k1;

	CHECK_OK(as, obj_create(CAP_ASPACE, 0));
	CHECK_OK(f, frame_from(SLOT_POOL));
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, SLOT_ASPACE, 0), E_INVAL); /* itself */
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, as, 2), E_INVAL);	    /* flags */
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, f, 0), E_TYPE);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, ROOT_CSPACE_SLOTS, 0), E_BADCAP);
	CHECK_EQ(INV3(as, ASPACE_MAP, f, TWIN_VA(0), rw), 0);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, as, 0), E_EXISTS); /* not empty */
	CHECK_EQ(cap_delete(as), 0);
	/* A destination pool that cannot pay for the tables: nothing changes. */
	CHECK_OK(p, create_from(SLOT_POOL, CAP_POOL, 3));
	CHECK_OK(as2, create_from(p, CAP_ASPACE, 0));
	CHECK_EQ(kstats(&k0), 0);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, as2, 0), E_NOMEM);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, as2, CLONE_EAGER), E_NOMEM);
	CHECK_EQ(kstats(&k1), 0);
	CHECK_EQ(k1.frames_free, k0.frames_free);
	CHECK_EQ(pool_used(p), 2);
	CHECK_EQ(INV1(as2, ASPACE_QUERY, TWIN_VA(0)), 0);
	CHECK_EQ(cap_delete(as2), 0);
	CHECK_EQ(cap_delete(p), 0);
	CHECK_EQ(cap_delete(f), 0);
	return 0;
}

/* A configured thread that was never started runs at the registers that
 * THREAD_WRITE_REGS gave it when resumed (how fork starts a child). */
static volatile unsigned long resumed_value;
static void resumed(unsigned long v)
{
	resumed_value = v;
	for (;;)
		sys_yield();
}

static int test_resume_inactive(void)
{
	uint64_t regs[32] = {0};
	long t;

	resumed_value = 0;
	CHECK_OK(t, obj_create(CAP_THREAD, 0));
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, SLOT_ASPACE, SLOT_CSPACE, NO_FAULT_EP, 16), 0);
	/* On hart 0 with us, as spawned threads are (main.c): our yields
	 * run it.  Elsewhere a loaded host may not run it within them. */
	CHECK_EQ(INV1(t, THREAD_SET_AFFINITY, 1), 0);
	regs[0] = (uint64_t)resumed;
	regs[2] = (uint64_t)stack_top(1);
	regs[10] = 0xfeed;
	CHECK_EQ(INV1(t, THREAD_WRITE_REGS, (unsigned long)regs), 0);
	CHECK_EQ(thread_state(t), THREAD_INACTIVE);
	CHECK_EQ(INV0(t, THREAD_RESUME), 0);
	CHECK_EQ(wait_flag(&resumed_value, 100), 0xfeed);
	kill_thread(t);
	return 0;
}

const test_t tests_cow[] = {
    {"cow_clone", test_cow_clone},
    {"cow_readonly", test_cow_readonly},
    {"cow_eager", test_cow_eager},
    {"cow_copyout", test_cow_copyout},
    {"cow_oom", test_cow_oom},
    {"cow_clone_errors", test_cow_clone_errors},
    {"resume_inactive", test_resume_inactive},
};
const int tests_cow_count = sizeof(tests_cow) / sizeof(tests_cow[0]);
