/*
 * Out of memory at every allocation, with the kernel's allocation-failure
 * injector (DEBUG_FAILNTH, DEBUG kernels only), and exhaustion of fixed
 * resources.
 *
 * A walk runs one operation with the Nth allocation made for it failing,
 * for N = 1, 2, 3, ... until the operation succeeds with the injector still
 * armed (it needed fewer than N frames).  For each N the operation must
 * fail with E_NOMEM (a store fault: the thread gets FAULT_OOM; a kernel
 * copyout: E_FAULT) after an injected failure, the kernel's free frames
 * and live objects must be exactly what they were, DEBUG_CHECK must pass,
 * and the operation must then succeed without injection.  Each walk prints
 * the range of N it covered ("inject: clone: N = 1..9 fail cleanly").
 */
#include "utest.h"

#define WALK_MAX 200 /* no operation here needs nearly as many frames */

static const unsigned long rw = RIGHT_READ | RIGHT_WRITE;

typedef struct injstat {
	long err;
	unsigned long failures, taken, armed;
} injstat_t;

static long inject_arm(unsigned long n, unsigned long flags, unsigned long thread)
{
	return INV3(SLOT_DEBUG, DEBUG_FAILNTH, n, flags, thread);
}

/* Disarm; what the arming did. */
static injstat_t inject_disarm(void)
{
	sysret_t r = sys_invoke(SLOT_DEBUG, DEBUG_FAILNTH, 0, 0, 0, 0, 0);
	injstat_t s = {r.r0, r.r[0], r.r[1], r.r[2]};

	return s;
}

static int same_counts(const kstats_t *a, const kstats_t *b)
{
	if (a->frames_free != b->frames_free)
		return 0;
	for (int t = 0; t < CAP_NTYPES; t++)
		if (a->objects[t] != b->objects[t])
			return 0;
	return 1;
}

/* The counts now equal *k, and the kernel's invariants hold. */
static int check_back(const kstats_t *k, const char *what, unsigned long n)
{
	kstats_t now;

	CHECK_EQ(kstats(&now), 0);
	if (!same_counts(&now, k))
		return FAIL("%s, N = %lu: frames free %lu, was %lu (or objects differ)", what, n,
			    now.frames_free, k->frames_free);
	CHECK_EQ(INV0(SLOT_DEBUG, DEBUG_CHECK), 0);
	return 0;
}

/*
 * An operation to walk: setup (not counted) makes what op needs, op is the
 * operation (0 or an error; it must leave nothing behind on error),
 * teardown undoes setup and a successful op.
 */
typedef struct walk {
	const char *name;
	long (*setup)(void *ctx);
	long (*op)(void *ctx);
	void (*teardown)(void *ctx);
	void *ctx;
	unsigned long flags; /* FAILNTH_*: whose allocations count */
	unsigned long min;   /* the walk must cover at least N = 1..min */
} walk_t;

static int walk(const walk_t *w)
{
	kstats_t k0, k1;
	long r;

	for (unsigned long n = 1; n <= WALK_MAX; n++) {
		CHECK_EQ(kstats(&k0), 0);
		if (w->setup)
			CHECK_OK(r, w->setup(w->ctx));
		CHECK_EQ(kstats(&k1), 0);
		CHECK_EQ(inject_arm(n, w->flags, 0), 0);
		r = w->op(w->ctx);
		injstat_t s = inject_disarm();
		CHECK_EQ(s.err, 0);
		if (r == 0) {
			/* Fewer than n allocations: done.  Exactly n - 1, or an
			 * earlier N would have succeeded. */
			CHECK_EQ(s.failures, 0);
			CHECK_EQ(s.taken, n - 1);
			w->teardown(w->ctx);
			if (check_back(&k0, w->name, n))
				return TEST_FAILED;
			if (n - 1 < w->min)
				return FAIL("%s: only %lu allocations, want %lu", w->name, n - 1,
					    w->min);
			if (n == 1)
				uprintf("utest: inject: %s: no allocation (N = 1 succeeds)\n",
					w->name);
			else
				uprintf("utest: inject: %s: N = 1..%lu fail cleanly\n", w->name,
					n - 1);
			return 0;
		}
		if (r != E_NOMEM)
			return FAIL("%s, N = %lu: %s, want E_NOMEM", w->name, n,
				    error_name((int)r));
		if (s.failures == 0 || s.taken > n - 1)
			return FAIL("%s, N = %lu: failed with %lu failures injected, %lu taken",
				    w->name, n, s.failures, s.taken);
		if (check_back(&k1, w->name, n))
			return TEST_FAILED;
		/* Without injection it works. */
		r = w->op(w->ctx);
		if (r != 0)
			return FAIL("%s, N = %lu: retry failed: %s", w->name, n,
				    error_name((int)r));
		w->teardown(w->ctx);
		if (check_back(&k0, w->name, n))
			return TEST_FAILED;
	}
	return FAIL("%s: still failing at N = %d", w->name, WALK_MAX);
}

/* ---- the operations ---- */

/* Slots of the walked operations' objects (set by each test). */
static struct {
	long src, dst, f, obj, ep, t, rs, rs2;
	unsigned long type, arg, label, flags;
} w;

static long new_slot(long *s)
{
	*s = slot_alloc();
	return *s < 0 ? *s : 0;
}

/* A source address space with pages in several page tables (and
 * several top-level entries): a clone needs a table for each. */
static const unsigned long src_vas[] = {0x1000,	    0x2000,	0x200000,    0x40000000,
					0x40201000, 0x7fe00000, 0x1000000000};
#define NSRC (sizeof(src_vas) / sizeof(src_vas[0]))

static long clone_op(void *ctx)
{
	return INV2(w.src, ASPACE_CLONE, w.dst, w.flags);
}

static long clone_setup_dst(void *ctx)
{
	long s = obj_create(CAP_ASPACE, 0);

	if (s < 0)
		return s;
	w.dst = s;
	return 0;
}

static void clone_teardown_dst(void *ctx)
{
	cap_delete(w.dst);
	slot_release((unsigned long)w.dst);
}

static int test_inject_clone(void)
{
	long f;

	CHECK_OK(w.src, obj_create(CAP_ASPACE, 0));
	for (size_t i = 0; i < NSRC; i++) {
		CHECK_OK(f, slot_alloc());
		CHECK_EQ(INV1(SLOT_POOL, POOL_ALLOC_FRAME, f), 0);
		CHECK_EQ(INV3(w.src, ASPACE_MAP, f, src_vas[i], i % 2 ? RIGHT_READ : rw), 0);
		CHECK_EQ(cap_delete(f), 0); /* the mapping keeps it */
	}
	walk_t cow = {"clone", clone_setup_dst, clone_op, clone_teardown_dst, NULL, FAILNTH_OWN, 3};
	w.flags = 0;
	if (walk(&cow))
		return TEST_FAILED;
	walk_t eager = {"clone-eager", clone_setup_dst, clone_op, clone_teardown_dst,
			NULL,	       FAILNTH_OWN,	6};
	w.flags = CLONE_EAGER;
	if (walk(&eager))
		return TEST_FAILED;
	CHECK_EQ(cap_delete(w.src), 0);
	return 0;
}

/* Mapping: the page tables a first mapping needs. */
static long map_setup(void *ctx)
{
	long s = obj_create(CAP_ASPACE, 0);

	if (s < 0)
		return s;
	w.dst = s;
	return 0;
}

static long map_op(void *ctx)
{
	switch (w.label) {
	case ASPACE_MAP: return INV3(w.dst, ASPACE_MAP, w.f, 0x40000000, rw);
	case ASPACE_MAP_ZERO: /* 1025 pages across three leaf tables */
		return INV3(w.dst, ASPACE_MAP_ZERO, 0x401ff000, 1025, rw);
	default: /* ASPACE_SHARE: the page of w.src at 0x1000 */
		return INV5(w.dst, ASPACE_SHARE, w.src, 0x1000, 0x3000000000 - 0x1000, RIGHT_READ,
			    0);
	}
}

static void map_teardown(void *ctx)
{
	cap_delete(w.dst);
	slot_release((unsigned long)w.dst);
}

static int test_inject_map(void)
{
	CHECK_OK(w.f, slot_alloc());
	CHECK_EQ(INV1(SLOT_POOL, POOL_ALLOC_FRAME, w.f), 0);
	CHECK_OK(w.src, obj_create(CAP_ASPACE, 0));
	CHECK_EQ(INV3(w.src, ASPACE_MAP, w.f, 0x1000, rw), 0);
	walk_t m = {"map", map_setup, map_op, map_teardown, NULL, FAILNTH_OWN, 2};
	w.label = ASPACE_MAP;
	if (walk(&m))
		return TEST_FAILED;
	m.name = "map-zero";
	m.min = 4;
	w.label = ASPACE_MAP_ZERO;
	if (walk(&m))
		return TEST_FAILED;
	m.name = "share";
	m.min = 2;
	w.label = ASPACE_SHARE;
	if (walk(&m))
		return TEST_FAILED;
	CHECK_EQ(cap_delete(w.src), 0);
	CHECK_EQ(cap_delete(w.f), 0);
	return 0;
}

/* Object creation, every type, and a frame. */
static long create_setup(void *ctx)
{
	return new_slot(&w.obj);
}

static long create_op(void *ctx)
{
	if (w.type == CAP_FRAME)
		return INV1(SLOT_POOL, POOL_ALLOC_FRAME, w.obj);
	return INV3(SLOT_POOL, POOL_CREATE, w.type, w.obj, w.arg);
}

static void create_teardown(void *ctx)
{
	cap_delete(w.obj);
	slot_release((unsigned long)w.obj);
}

static int test_inject_create(void)
{
	static const struct {
		const char *name;
		unsigned long type, arg, frames;
	} objs[] = {
	    {"create-pool", CAP_POOL, 100, 1},
	    {"create-aspace", CAP_ASPACE, 0, 2},
	    {"create-thread", CAP_THREAD, 0, 1},
	    {"create-endpoint", CAP_ENDPOINT, 0, 1},
	    {"create-notification", CAP_NOTIFICATION, 0, 1},
	    {"create-cspace-300", CAP_CSPACE, 300, 4},
	    {"alloc-frame", CAP_FRAME, 0, 1},
	};

	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		walk_t c = {objs[i].name, create_setup, create_op,     create_teardown,
			    NULL,	  FAILNTH_OWN,	objs[i].frames};
		w.type = objs[i].type;
		w.arg = objs[i].arg;
		if (walk(&c))
			return TEST_FAILED;
	}
	return 0;
}

/* A capability copy and an IPC call carrying a capability each way:
 * neither allocates, so N = 1 succeeds at once. */
static long copy_op(void *ctx)
{
	return cap_copy(SLOT_CSPACE, w.ep, w.obj, RIGHT_WRITE);
}

static volatile unsigned long served;

/* Receives a cap into w.rs2, replies with a cap (w.ep), forever. */
static void cap_server(unsigned long ep)
{
	sysret_t r = sys_recv(ep, MSG_WITH_RSLOT(0, w.rs2));

	for (;;) {
		msg_t m = {
		    MSG_WITH_RSLOT(MSG_INFO(0, 1) | MSG_CAP, w.rs2), {0}, (unsigned long)w.ep};

		if (r.r0 == 0 && (r.r[0] & MSG_CAP)) {
			m.w[0] = 1;
			cap_delete(w.rs2);
		}
		served++;
		r = sys_reply_recv(ep, &m);
	}
}

static long call_op(void *ctx)
{
	msg_t m = {MSG_WITH_RSLOT(MSG_INFO(1, 0) | MSG_CAP, w.rs), {0}, (unsigned long)w.obj};
	sysret_t r = sys_call(w.ep, &m);

	if (r.r0 != 0)
		return r.r0;
	if (!(r.r[0] & MSG_CAP) || r.r[1] != 1)
		return E_CORRUPT; /* a cap lost on the way */
	return 0;
}

static void call_teardown(void *ctx)
{
	cap_delete(w.rs);
}

static int test_inject_ipc(void)
{
	CHECK_OK(w.ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(w.obj, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(w.rs, slot_alloc());
	CHECK_OK(w.rs2, slot_alloc());
	CHECK_OK(w.t, spawn(cap_server, (unsigned long)w.ep, 0, 17, NO_FAULT_EP));
	walk_t c = {
	    "ipc-call-cap", NULL, call_op, call_teardown, NULL, FAILNTH_OWN | FAILNTH_SERVED, 0};
	if (walk(&c))
		return TEST_FAILED;
	CHECK(served > 0);
	kill_thread(w.t);
	cap_delete(w.obj);
	/* A copy into our own cspace. */
	CHECK_OK(w.obj, slot_alloc());
	walk_t cp = {"cspace-copy", NULL, copy_op, create_teardown, NULL, FAILNTH_OWN, 0};
	if (walk(&cp))
		return TEST_FAILED;
	CHECK_EQ(cap_delete(w.ep), 0);
	return 0;
}

/* Loading a program with spawn_elf: many invocations, every one of
 * which can fail; spawn_elf must undo the ones before. */
static child_t spawned;

static long spawn_op(void *ctx)
{
	spawn_cap_t caps[] = {{SLOT_DEBUG, SLOT_DEBUG, RIGHTS_ALL, 0}};
	spawn_args_t a = {"uecho", caps, 1, 32, 1, NO_FAULT_EP, 1};

	return spawn_elf(&a, &spawned);
}

static void spawn_teardown(void *ctx)
{
	child_destroy(&spawned);
	slot_release(spawned.thread);
}

static int test_inject_spawn(void)
{
	walk_t s = {"spawn-elf", NULL, spawn_op, spawn_teardown, NULL, FAILNTH_OWN, 8};

	return walk(&s);
}

/*
 * A store fault resolved by the kernel, and a kernel copyout into a COW
 * page, in a thread running in a clone of our address space.  The thread
 * stores into pages 0..3 of the test window (each a COW copy; its stack
 * is ours too, so copies as well), then has the kernel write a kstats_t
 * into page 4, then calls ep: label 1 with the copyout's result, again
 * after each reply, until the copyout succeeds.  A failed copy of a store
 * reaches ep as FAULT_OOM; the reply resumes the store.
 */
#define COW_PAGES 5

static void cow_body(unsigned long ep)
{
	for (int i = 0; i < COW_PAGES - 1; i++)
		*(volatile uint64_t *)TWIN_VA(i) = 0xc0c0 + (unsigned long)i;
	for (;;) {
		long r = kstats((kstats_t *)TWIN_VA(COW_PAGES - 1));
		msg_t m = {MSG_INFO(1, 1), {(unsigned long)r}, 0};

		sys_call(ep, &m);
		if (r == 0)
			for (;;)
				sys_recv(ep, 0);
	}
}

static int cow_walk_one(unsigned long n, int *done)
{
	long f, as, ep, t;
	kstats_t k0;
	sysret_t r;
	int oom = 0, efault = 0;
	unsigned long mark = slot_mark();

	CHECK_EQ(kstats(&k0), 0);
	for (int i = 0; i < COW_PAGES; i++) {
		CHECK_OK(f, frame_alloc_map(TWIN_VA(i), rw));
		CHECK_EQ(cap_delete(f), 0);
		*(volatile uint64_t *)TWIN_VA(i) = (unsigned long)i;
	}
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(as, obj_create(CAP_ASPACE, 0));
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, as, 0), 0);
	CHECK_OK(t, obj_create(CAP_THREAD, 0));
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, as, SLOT_CSPACE, ep, 17), 0);
	CHECK_EQ(inject_arm(n, FAILNTH_OWN | FAILNTH_THREAD, (unsigned long)t), 0);
	CHECK_EQ(INV3(t, THREAD_START, (unsigned long)cow_body, (unsigned long)stack_top(1), ep),
		 0);
	for (;;) {
		r = sys_recv(ep, 0);
		CHECK_EQ(r.r0, 0);
		if (MSG_LABEL(r.r[0]) == FAULT_LABEL) {
			CHECK_EQ(r.r[1], 15); /* a store page fault */
			CHECK_EQ(r.r[4], FAULT_OOM);
			oom++;
		} else {
			CHECK_EQ(MSG_LABEL(r.r[0]), 1);
			if (r.r[1] == 0)
				break;
			CHECK_EQ(r.r[1], E_FAULT); /* the copyout's copy failed */
			efault++;
		}
		/* Injected, and nothing else but the failing page changed. */
		injstat_t s = inject_disarm();
		CHECK(s.failures > 0);
		CHECK_EQ(s.taken, n - 1);
		for (int i = 0; i < COW_PAGES; i++)
			CHECK_EQ(*(volatile uint64_t *)TWIN_VA(i), i);
		sys_reply(&(msg_t){0}); /* resume: it works now */
	}
	injstat_t s = inject_disarm();
	if (oom + efault == 0) {
		CHECK_EQ(s.failures, 0);
		CHECK_EQ(s.taken, n - 1);
		*done = 1;
	}
	CHECK(oom + efault <= 1);
	/* The thread's stores went to its copies. */
	for (int i = 0; i < COW_PAGES; i++)
		CHECK_EQ(*(volatile uint64_t *)TWIN_VA(i), i);
	kill_thread(t);
	CHECK_EQ(cap_delete(as), 0);
	CHECK_EQ(cap_delete(ep), 0);
	for (int i = 0; i < COW_PAGES; i++)
		CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(i)), 0);
	slot_release(mark);
	return check_back(&k0, "cow-fault", n);
}

static int test_inject_cow(void)
{
	int done = 0;
	unsigned long n;

	for (n = 1; n <= WALK_MAX && !done; n++)
		if (cow_walk_one(n, &done))
			return TEST_FAILED;
	if (!done)
		return FAIL("cow-fault: still failing at N = %d", WALK_MAX);
	/* Four stores, the stack and the copyout: at least six copies. */
	if (n - 2 < COW_PAGES + 1)
		return FAIL("cow-fault: only %lu allocations", n - 2);
	uprintf("utest: inject: cow-fault: N = 1..%lu fail cleanly\n", n - 2);
	return 0;
}

/* DEBUG_FAILNTH's own errors; a failed call changes nothing. */
static int test_inject_errors(void)
{
	long n, s;

	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(s, slot_alloc());
	CHECK_EQ(inject_arm(1, 16, 0), E_INVAL);
	CHECK_EQ(inject_arm(1, FAILNTH_THREAD, (unsigned long)SLOT_THREAD), E_INVAL);
	CHECK_EQ(inject_arm(1, FAILNTH_OWN | FAILNTH_THREAD, (unsigned long)n), E_TYPE);
	CHECK_EQ(inject_arm(1, FAILNTH_OWN | FAILNTH_THREAD, (unsigned long)s), E_BADCAP);
	CHECK_EQ(INV1(SLOT_POOL, POOL_ALLOC_FRAME, s), 0); /* still disarmed */
	CHECK_EQ(cap_delete(s), 0);
	/* FAILNTH_ONCE: one failure, then disarmed. */
	CHECK_EQ(inject_arm(1, FAILNTH_OWN | FAILNTH_ONCE, 0), 0);
	CHECK_EQ(INV1(SLOT_POOL, POOL_ALLOC_FRAME, s), E_NOMEM);
	CHECK_EQ(INV1(SLOT_POOL, POOL_ALLOC_FRAME, s), 0);
	injstat_t st = inject_disarm();
	CHECK_EQ(st.failures, 1);
	CHECK_EQ(st.armed, 0);
	CHECK_EQ(cap_delete(s), 0);
	/* Sticky by default: memory stays full until disarmed. */
	CHECK_EQ(inject_arm(2, FAILNTH_OWN, 0), 0);
	CHECK_EQ(INV1(SLOT_POOL, POOL_ALLOC_FRAME, s), 0);
	CHECK_EQ(cap_delete(s), 0); /* frees give nothing back */
	CHECK_EQ(INV1(SLOT_POOL, POOL_ALLOC_FRAME, s), E_NOMEM);
	CHECK_EQ(INV1(SLOT_POOL, POOL_ALLOC_FRAME, s), E_NOMEM);
	st = inject_disarm();
	CHECK_EQ(st.failures, 2);
	CHECK_EQ(st.taken, 1);
	CHECK_EQ(st.armed, 1);
	/* A thread target that goes away disarms the injector. */
	long t;
	CHECK_OK(t, obj_create(CAP_THREAD, 0));
	CHECK_EQ(inject_arm(1, FAILNTH_OWN | FAILNTH_THREAD, (unsigned long)t), 0);
	CHECK_EQ(cap_delete(t), 0);
	st = inject_disarm();
	CHECK_EQ(st.armed, 0);
	CHECK_EQ(cap_delete(n), 0);
	return 0;
}

/* ---- exhaustion of fixed resources ---- */

/* 50 threads blocked on one endpoint, senders and callers, then 50
 * receivers; deleting it wakes every one with E_NOENT.  Each has a page of
 * its own for a stack. */
#define NWAITERS 50
static volatile long waiter_r0[NWAITERS];
static int waiter_recv;

static void waiter(unsigned long i)
{
	msg_t m = {MSG_INFO(1, 1), {i}, 0};

	if (waiter_recv)
		waiter_r0[i] = sys_recv(w.ep, 0).r0;
	else
		waiter_r0[i] = i % 2 ? sys_send(w.ep, &m).r0 : sys_call(w.ep, &m).r0;
}

static int waiters_round(int recv)
{
	long th[NWAITERS], f;

	_Static_assert(NWAITERS <= TWIN_PAGES, "a stack page each");
	waiter_recv = recv;
	CHECK_OK(w.ep, obj_create(CAP_ENDPOINT, 0));
	for (int i = 0; i < NWAITERS; i++) {
		waiter_r0[i] = 1;
		CHECK_OK(f, frame_alloc_map(TWIN_VA(i), rw));
		CHECK_EQ(cap_delete(f), 0);
		slot_release((unsigned long)f);
		CHECK_OK(th[i], thread_spawn_local(waiter, (unsigned long)i,
						   (void *)(TWIN_VA(i) + PAGE_SIZE), 17));
		CHECK_EQ(thread_state(th[i]), THREAD_BLOCKED);
	}
	CHECK_EQ(cap_delete(w.ep), 0);
	for (int i = 0; i < NWAITERS; i++) {
		CHECK_EQ(waiter_r0[i], E_NOENT);
		CHECK_EQ(thread_state(th[i]), THREAD_SUSPENDED); /* returned */
	}
	for (int i = NWAITERS; i-- > 0;) {
		CHECK_EQ(cap_delete(th[i]), 0);
		CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(i)), 0);
	}
	return 0;
}

static int test_exhaust_ep_waiters(void)
{
	if (waiters_round(0))
		return TEST_FAILED;
	return waiters_round(1);
}

/* A capability space with every slot full: every copy into it is
 * E_EXISTS, past its end E_BADCAP, a transfer into it is not delivered;
 * deleting it drops every capability it held. */
static int test_exhaust_cspace_full(void)
{
	long cs, ep;
	kstats_t k0, k1;

	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(cs, obj_create(CAP_CSPACE, 4));
	CHECK_EQ(kstats(&k0), 0);
	for (unsigned long i = 0; i < 4; i++)
		CHECK_EQ(cap_copy(cs, ep, i, RIGHT_WRITE), 0);
	for (unsigned long i = 0; i < 4; i++) {
		CHECK_EQ(cap_copy(cs, ep, i, RIGHT_WRITE), E_EXISTS);
		CHECK_EQ(cap_mint(cs, ep, i, RIGHT_WRITE, 5), E_EXISTS);
	}
	CHECK_EQ(cap_copy(cs, ep, 4, RIGHT_WRITE), E_BADCAP);
	CHECK_EQ(kstats(&k1), 0);
	CHECK(same_counts(&k0, &k1));
	CHECK_EQ(cap_delete(cs), 0);
	CHECK_EQ(cap_delete(ep), 0);
	return 0;
}

const test_t tests_inject[] = {
    {"inject_errors", test_inject_errors},
    {"inject_create", test_inject_create},
    {"inject_map", test_inject_map},
    {"inject_clone", test_inject_clone},
    {"inject_cow", test_inject_cow},
    {"inject_ipc", test_inject_ipc},
    {"inject_spawn", test_inject_spawn},
    {"exhaust_ep_waiters", test_exhaust_ep_waiters},
    {"exhaust_cspace_full", test_exhaust_cspace_full},
};
const int tests_inject_count = sizeof(tests_inject) / sizeof(tests_inject[0]);
