/*
 * SMP: threads of the root task on several harts at once (issue 6).
 *
 * The other groups pin the root thread and everything it spawns to hart 0
 * (main.c); these spread threads over harts with THREAD_SET_AFFINITY and
 * race them against each other and against the kernel's TLB shootdowns:
 * two harts storing to one copy-on-write page, a writer against a clone
 * of its address space, a writer against an unmap, clone/teardown storms
 * from every hart.  With one hart they check what one hart can (affinity
 * errors, the hart reported) and say so.
 *
 * Every test ends with the runner's checks: frames and objects back at
 * their baseline and DEBUG_CHECK's audit (refcounts against every leaf
 * and capability) intact.
 */
#include "utest.h"

#define RW	  (RIGHT_READ | RIGHT_WRITE)
#define MAX_HARTS 4 /* workers: stacks 0 .. NSTACKS - 1 */
#define HART(i)	  (1UL << (i))

static unsigned long harts(void)
{
	kstats_t k;

	return kstats(&k) == 0 ? k.harts : 0;
}

/* THREAD_INFO's hart (a3): where t last ran, -1 if never. */
static long last_hart(unsigned long t)
{
	sysret_t r = sys_invoke(t, THREAD_INFO, 0, 0, 0, 0, 0);

	return r.r0 < 0 ? r.r0 : (long)r.r[2];
}

/* A thread of ours at priority 16 (the root's) on hart h only. */
static long spawn_on(unsigned h, thread_fn_t fn, unsigned long arg, int stack)
{
	unsigned long saved = spawn_affinity;
	long t;

	spawn_affinity = HART(h);
	t = spawn(fn, arg, stack, 16, NO_FAULT_EP);
	spawn_affinity = saved;
	return t;
}

/* Shared with the workers: one page each for flags and for data. */
typedef struct flags {
	volatile unsigned long round, go, stop;
	volatile unsigned long ready[MAX_HARTS], done[MAX_HARTS], count[MAX_HARTS];
} flags_t;
#define FLAGS ((flags_t *)TWIN_VA(0))
#define DATA  ((volatile unsigned long *)TWIN_VA(1))
#define DATA2 ((volatile unsigned long *)TWIN_VA(2))

/*
 * The waits below have no bound of their own: how long the other harts
 * take depends on how loaded the machine running QEMU is, never on the
 * kernel being right.  A wait that never ends is a hang, which the
 * harness's QEMU timeout reports (test/qemu/user.sh).
 */

/* Spin (no system call) until cond; true. */
#define SPIN_UNTIL(cond)                                                                           \
	({                                                                                         \
		while (!(cond))                                                                    \
			;                                                                          \
		1;                                                                                 \
	})

/* Yield until v[0 .. n - 1] all reach want; true. */
static unsigned long wait_all(volatile unsigned long *v, unsigned n, unsigned long want)
{
	for (;;) {
		unsigned k = 0;

		while (k < n && v[k] >= want)
			k++;
		if (k == n)
			return 1;
		sys_yield();
	}
}

/* Fresh frames mapped read-write at TWIN_VA(0 .. n - 1), their
 * capabilities in f[]; 0 or an error. */
static long map_window(long f[], int n)
{
	for (int i = 0; i < n; i++) {
		f[i] = frame_alloc_map(TWIN_VA(i), RW);
		if (f[i] < 0)
			return f[i];
	}
	return 0;
}

/* Unmap TWIN_VA(0 .. n - 1) and delete the capabilities f[i] >= 0; 0 or
 * the first error. */
static long unmap_window(const long f[], int n)
{
	long err = 0;

	for (int i = 0; i < n; i++) {
		long e = INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(i));

		if (!e && f[i] >= 0)
			e = cap_delete((unsigned long)f[i]);
		if (e && !err)
			err = e;
	}
	return err;
}

/* ---- affinity ---- */

static void counter(unsigned long i)
{
	while (!FLAGS->stop)
		FLAGS->count[i]++;
}

/* A thread pinned to hart h runs there; moving it moves it; a mask of no
 * hart that runs threads is refused. */
static int test_smp_affinity(void)
{
	unsigned long n = harts();
	long t, f[1];

	CHECK(n >= 1 && n <= 8);
	CHECK_EQ(map_window(f, 1), 0);
	CHECK_OK(t, spawn_on(0, counter, 0, 0));
	CHECK_EQ(INV1(t, THREAD_SET_AFFINITY, 1UL << 8), E_INVAL); /* past MAX_CPUS */
	CHECK_EQ(INV1(t, THREAD_SET_AFFINITY, HART(n)), n < 8 ? E_RANGE : E_INVAL);
	while (FLAGS->count[0] == 0)
		sys_yield();
	CHECK(FLAGS->count[0] > 0);
	CHECK_EQ(last_hart(t), 0);
	for (unsigned h = 1; h < n && h < MAX_HARTS; h++) {
		unsigned long c;

		CHECK_EQ(INV1(t, THREAD_SET_AFFINITY, HART(h)), 0);
		/* Taken off hart h - 1 at once, it starts on hart h as soon as
		 * that hart wakes up, and counts on there. */
		while (last_hart(t) != (long)h)
			sys_yield();
		CHECK_EQ(last_hart(t), h);
		c = FLAGS->count[0];
		CHECK(SPIN_UNTIL(FLAGS->count[0] > c + 1000));
		CHECK_EQ(last_hart(t), h);
	}
	FLAGS->stop = 1;
	kill_thread(t);
	CHECK_EQ(unmap_window(f, 1), 0);
	return 0;
}

/* Threads on every other hart count while this one spins without a
 * system call: they run at the same time, not in turns. */
static int test_smp_parallel(void)
{
	unsigned long n = harts();
	long t[MAX_HARTS] = {0}, f[1];
	unsigned w = 0;

	if (n < 2)
		return SKIP("one hart: nothing runs beside us");
	CHECK_EQ(map_window(f, 1), 0);
	for (unsigned h = 1; h < n && w < MAX_HARTS; h++, w++)
		CHECK_OK(t[w], spawn_on(h, counter, w, (int)w));
	/* No yield from here: only other harts can run them. */
	for (unsigned k = 0; k < w; k++)
		CHECK(SPIN_UNTIL(FLAGS->count[k] > 100000));
	FLAGS->stop = 1;
	for (unsigned k = 0; k < w; k++) {
		CHECK_EQ(last_hart(t[k]), k + 1);
		kill_thread(t[k]);
	}
	CHECK_EQ(unmap_window(f, 1), 0);
	return 0;
}

/* ---- where a woken thread runs ---- */

static struct {
	long ping, pong; /* notifications */
	volatile unsigned long rounds;
	volatile unsigned long ran_on; /* test_smp_kept_moves: hart + 1 */
} pp;

#define PING_ROUNDS 200

/* The other half of test_smp_ipc_stays: wait for a ping, answer. */
static void ponger(unsigned long arg)
{
	for (unsigned long r = 0; r < PING_ROUNDS; r++) {
		sys_wait((unsigned long)pp.ping);
		pp.rounds++;
		sys_signal((unsigned long)pp.pong);
	}
}

/*
 * A thread that this one wakes and then waits for runs on this hart, in
 * turns with it, and no idle hart is woken for it (kern/smp.c,
 * smp_wake_idle's keep_one): 200 signal/wait round trips with a thread
 * that may run anywhere take no IPI each.  (A timer tick while it waits
 * may wake a hart for it: a few are allowed.)
 */
static int test_smp_ipc_stays(void)
{
	unsigned long n = harts(), saved = spawn_affinity;
	kstats_t a, b;
	long t;

	if (n < 2)
		return SKIP("one hart: no other hart to wake");
	CHECK_OK(pp.ping, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(pp.pong, obj_create(CAP_NOTIFICATION, 0));
	pp.rounds = 0;
	spawn_affinity = 0; /* any hart */
	t = spawn(ponger, 0, 0, 16, NO_FAULT_EP);
	spawn_affinity = saved;
	CHECK(t >= 0);
	CHECK_EQ(kstats(&a), 0);
	for (unsigned long r = 0; r < PING_ROUNDS; r++) {
		sys_signal((unsigned long)pp.ping);
		sys_wait((unsigned long)pp.pong);
	}
	CHECK_EQ(kstats(&b), 0);
	CHECK_EQ(pp.rounds, PING_ROUNDS);
	/* Each timer tick of this hart (timer_ticks counts the caller's)
	 * may move the waiting one to another hart once. */
	if (b.smp_wakeups - a.smp_wakeups > 2 * (b.timer_ticks - a.timer_ticks) + 2)
		return FAIL("%lu idle harts woken for %d round trips in %lu ticks",
			    b.smp_wakeups - a.smp_wakeups, PING_ROUNDS,
			    b.timer_ticks - a.timer_ticks);
	kill_thread(t);
	CHECK_EQ(cap_delete((unsigned long)pp.ping), 0);
	CHECK_EQ(cap_delete((unsigned long)pp.pong), 0);
	return 0;
}

/* Its hart's number + 1 in pp.ran_on, then done. */
static void runs_once(unsigned long self)
{
	pp.ran_on = 1 + (unsigned long)last_hart(self);
}

/*
 * A thread kept for this hart while this hart never blocks (it spins at
 * a higher priority, so it does not give the hart up at the end of its
 * slice either; its DEBUG_STATS calls keep the thread again each time) is
 * moved to an idle hart at the next timer tick, after which nothing is
 * kept.  Without that it would never run.
 */
static int test_smp_kept_moves(void)
{
	unsigned long n = harts(), saved = spawn_affinity;
	long t;

	if (n < 2)
		return SKIP("one hart: no other hart to move to");
	pp.ran_on = 0;
	CHECK_OK(t, obj_create(CAP_THREAD, 0));
	spawn_affinity = 0; /* any hart */
	/* Priority 15, below ours: it is queued, not run, and kept. */
	long e = thread_start_local((unsigned long)t, runs_once, (unsigned long)t, stack_top(0), 15,
				    NO_FAULT_EP);
	spawn_affinity = saved;
	CHECK_EQ(e, 0);
	/* No yield, no blocking: DEBUG_STATS now and then.  Three ticks of
	 * this hart with no hart woken and the thread not run: it was left. */
	kstats_t a, b;
	CHECK_EQ(kstats(&a), 0);
	for (unsigned long i = 0; pp.ran_on == 0; i++) {
		if (i % 4096 != 0)
			continue;
		CHECK_EQ(kstats(&b), 0);
		if (b.timer_ticks - a.timer_ticks >= 3 && b.smp_wakeups == a.smp_wakeups &&
		    pp.ran_on == 0)
			return FAIL("a thread kept for a busy hart was not moved in %lu ticks",
				    b.timer_ticks - a.timer_ticks);
	}
	CHECK(pp.ran_on != 1); /* not hart 0, ours */
	kill_thread((unsigned long)t);
	return 0;
}

/* ---- two harts, one copy-on-write page ---- */

#define COW_ROUNDS 40

/* Worker i: each round, wait for go, store into word i of DATA, done. */
static void cow_storer(unsigned long i)
{
	for (unsigned long r = 1; r <= COW_ROUNDS; r++) {
		FLAGS->ready[i] = r;
		while (FLAGS->go != r)
			;
		DATA[i] = 0x5100 + r * 16 + i;
		FLAGS->done[i] = r;
	}
}

/*
 * Round after round: clone our address space (DATA becomes COW, shared
 * with the clone), then two threads on two harts store to DATA at the
 * same moment.  One copy is made (the second fault finds the leaf already
 * writable), both stores are kept, and the clone still sees the page as
 * it was.
 */
static int test_smp_cow_race(void)
{
	unsigned long n = harts();
	long t0, t1, f[3]; /* flags, DATA, a probe of the clone's view */

	if (n < 3)
		return SKIP("needs 3 harts");
	CHECK_EQ(map_window(f, 3), 0);
	/* DATA's only reference is its mapping (a capability is a
	 * reference too): then the clone is the only other sharer. */
	CHECK_EQ(cap_delete(f[1]), 0);
	f[1] = -1;
	CHECK_OK(t0, spawn_on(1, cow_storer, 0, 0));
	CHECK_OK(t1, spawn_on(2, cow_storer, 1, 1));
	for (unsigned long r = 1; r <= COW_ROUNDS; r++) {
		static kstats_t k[2]; /* k0, k1 */
		long as;

		CHECK(wait_all(FLAGS->ready, 2, r));
		DATA[0] = DATA[1] = 0xdead0000 + r;
		CHECK_OK(as, obj_create(CAP_ASPACE, 0));
		CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, as, 0), 0);
		/* Our own stores after the clone copy the flags page now, so
		 * that the count below is DATA's alone. */
		FLAGS->round = r;
		k[0].harts = k[1].harts = 0; /* (both pages of k, if two) */
		CHECK_EQ(kstats(&k[0]), 0);
		FLAGS->go = r;
		CHECK(SPIN_UNTIL(FLAGS->done[0] == r && FLAGS->done[1] == r));
		CHECK_EQ(kstats(&k[1]), 0);
		if (k[1].cow_copies - k[0].cow_copies != 1)
			return FAIL("round %lu: %lu copies of one page", r,
				    k[1].cow_copies - k[0].cow_copies);
		CHECK_EQ(DATA[0], 0x5100 + r * 16);
		CHECK_EQ(DATA[1], 0x5100 + r * 16 + 1);
		/* The clone's DATA is the page as it was before the stores. */
		CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(2)), 0);
		CHECK_EQ(INV5(SLOT_ASPACE, ASPACE_SHARE, as, TWIN_VA(1), TWIN_VA(2), RIGHT_READ, 0),
			 0);
		CHECK_EQ(DATA2[0], 0xdead0000 + r);
		CHECK_EQ(DATA2[1], 0xdead0000 + r);
		CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(2)), 0);
		CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, f[2], TWIN_VA(2), RW), 0);
		CHECK_EQ(cap_delete(as), 0);
	}
	kill_thread(t0);
	kill_thread(t1);
	CHECK_EQ(unmap_window(f, 3), 0);
	return 0;
}

/* ---- a writer against a clone of its address space ---- */

/* Increments DATA[0] then DATA2[0] (two pages) until stop; counts its
 * increments in FLAGS->count[i]. */
static void incrementer(unsigned long i)
{
	unsigned long n = 0;

	FLAGS->ready[i] = 1;
	while (!FLAGS->stop) {
		DATA[0] = DATA[0] + 1;
		DATA2[0] = DATA2[0] + 1;
		n++;
	}
	FLAGS->count[i] = n;
	FLAGS->done[i] = 1;
}

/* In a clone: report DATA[0] and DATA2[0] to ep, then wait there. */
static void snapshot_reader(unsigned long ep)
{
	msg_t m = {MSG_INFO(0, 2), {DATA[0], DATA2[0], 0, 0}, 0};

	sys_call(ep, &m);
	for (;;)
		sys_recv(ep, 0);
}

#define FORK_ROUNDS 30

/*
 * A thread on another hart keeps incrementing two counters in two pages
 * while we clone our address space again and again (what fork does).
 * Each clone must hold a state the writer went through (the second
 * counter equal to the first or one behind), and the writer loses no
 * increment: at the end both counters equal its own count.
 */
static int test_smp_fork_writer(void)
{
	unsigned long n = harts();
	long t, f[3], ep;

	if (n < 2)
		return SKIP("needs 2 harts");
	CHECK_EQ(map_window(f, 3), 0);
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(t, spawn_on(1, incrementer, 0, 0));
	CHECK(wait_all(FLAGS->ready, 1, 1));
	for (int r = 0; r < FORK_ROUNDS; r++) {
		long as, ct;
		sysret_t m;

		CHECK_OK(as, obj_create(CAP_ASPACE, 0));
		CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, as, 0), 0);
		CHECK_OK(ct, obj_create(CAP_THREAD, 0));
		CHECK_EQ(INV4(ct, THREAD_CONFIGURE, as, SLOT_CSPACE, NO_FAULT_EP, 16), 0);
		CHECK_EQ(INV1(ct, THREAD_SET_AFFINITY, HART(0)), 0);
		CHECK_EQ(INV3(ct, THREAD_START, (unsigned long)snapshot_reader,
			      (unsigned long)stack_top(3), ep),
			 0);
		m = sys_recv(ep, 0);
		CHECK_EQ(m.r0, 0);
		if (m.r[2] != m.r[1] && m.r[2] + 1 != m.r[1])
			return FAIL("round %d: the clone saw %lu and %lu", r, m.r[1], m.r[2]);
		kill_thread(ct);
		CHECK_EQ(cap_delete(as), 0);
	}
	FLAGS->stop = 1;
	CHECK(wait_all(FLAGS->done, 1, 1));
	CHECK(FLAGS->count[0] > 0);
	CHECK_EQ(DATA[0], FLAGS->count[0]);
	CHECK_EQ(DATA2[0], FLAGS->count[0]);
	kill_thread(t);
	CHECK_EQ(cap_delete(ep), 0);
	CHECK_EQ(unmap_window(f, 3), 0);
	return 0;
}

/* ---- a writer against an unmap ---- */

/* Stores ever larger values into DATA[0] until it faults. */
static void writer(unsigned long i)
{
	FLAGS->ready[i] = 1;
	for (unsigned long v = 1;; v++)
		DATA[0] = v;
}

/*
 * A thread on another hart stores into a page without pause while we
 * unmap it.  Once ASPACE_UNMAP has returned no store may land in the
 * frame (we still hold it): the writer's hart had its writable TLB entry
 * fenced, so its next store faults (to our fault endpoint).
 */
static int test_smp_unmap_writer(void)
{
	unsigned long n = harts();
	long t, f[2], ep;

	if (n < 2)
		return SKIP("needs 2 harts");
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	for (int r = 0; r < 20; r++) {
		unsigned long v;
		sysret_t m;

		CHECK_EQ(map_window(f, 2), 0);
		{
			unsigned long saved = spawn_affinity;

			spawn_affinity = HART(1);
			t = spawn(writer, 0, 0, 16, (unsigned long)ep);
			spawn_affinity = saved;
		}
		CHECK(t >= 0);
		CHECK(wait_all(FLAGS->ready, 1, 1));
		CHECK(SPIN_UNTIL(DATA[0] > 1000));
		CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(1)), 0);
		/* Look at the frame through a read-only mapping. */
		CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, f[1], TWIN_VA(2), RIGHT_READ), 0);
		v = DATA2[0];
		m = sys_recv(ep, 0); /* the writer's fault */
		CHECK_EQ(m.r0, 0);
		CHECK_EQ(m.r[2], TWIN_VA(1));
		CHECK_EQ(DATA2[0], v);
		kill_thread(t);
		CHECK_EQ(DATA2[0], v);
		FLAGS->ready[0] = 0;
		CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(2)), 0);
		CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0)), 0);
		CHECK_EQ(cap_delete(f[0]), 0);
		CHECK_EQ(cap_delete(f[1]), 0);
	}
	CHECK_EQ(cap_delete(ep), 0);
	return 0;
}

/* ---- clone and teardown storms ---- */

#define STORM_ROUNDS 60

typedef struct storm {
	long as[MAX_HARTS], thread[MAX_HARTS], ep[MAX_HARTS];
	volatile long err[MAX_HARTS];
} storm_t;
static storm_t storm;

/* In a clone: store to DATA (a copy) and report it to ep, then wait. */
static void storm_child(unsigned long ep)
{
	DATA[0] = DATA[0] + 1;
	msg_t m = {MSG_INFO(0, 1), {DATA[0], 0, 0, 0}, 0};

	sys_call(ep, &m);
	for (;;)
		sys_recv(ep, 0);
}

/*
 * Worker i (on hart i): round after round, clone our address space into
 * its own slot, start a thread in the clone that stores and reports,
 * then tear the clone down: every hart forks and exits at the same time.
 * Slots come from the test (slot_alloc is not for concurrent use).
 */
static void stormer(unsigned long i)
{
	long as = storm.as[i], t = storm.thread[i];

	for (int r = 0; r < STORM_ROUNDS && !storm.err[i]; r++) {
		long e;

		e = INV3(SLOT_POOL, POOL_CREATE, CAP_ASPACE, as, 0);
		if (!e)
			e = INV2(SLOT_ASPACE, ASPACE_CLONE, as, 0);
		if (!e)
			e = INV3(SLOT_POOL, POOL_CREATE, CAP_THREAD, t, 0);
		if (!e)
			e = INV4(t, THREAD_CONFIGURE, as, SLOT_CSPACE, NO_FAULT_EP, 16);
		if (!e)
			e = INV1(t, THREAD_SET_AFFINITY, HART(i));
		if (!e)
			e = INV3(t, THREAD_START, (unsigned long)storm_child,
				 (unsigned long)stack_top((int)i) - 2048, storm.ep[i]);
		if (!e) {
			sysret_t m = sys_recv(storm.ep[i], 0);

			e = m.r0 ? m.r0 : m.r[1] != DATA[0] + 1 ? -100 : 0;
		}
		INV0(t, THREAD_SUSPEND);
		cap_delete((unsigned long)t);
		cap_delete((unsigned long)as);
		if (e)
			storm.err[i] = e;
		FLAGS->count[i]++;
	}
	FLAGS->done[i] = 1;
}

static int test_smp_storm(void)
{
	unsigned long n = harts();
	long t[MAX_HARTS] = {0}, f[2];
	unsigned w = n < MAX_HARTS ? (unsigned)n : MAX_HARTS;

	CHECK_EQ(map_window(f, 2), 0);
	DATA[0] = 41;
	for (unsigned i = 0; i < w; i++) {
		CHECK_OK(storm.ep[i], obj_create(CAP_ENDPOINT, 0));
		CHECK_OK(storm.as[i], slot_alloc());
		CHECK_OK(storm.thread[i], slot_alloc());
		storm.err[i] = 0;
	}
	/* Worker 0 shares hart 0 with us; we wait in sys_yield. */
	for (unsigned i = 0; i < w; i++)
		CHECK_OK(t[i], spawn_on(i, stormer, i, (int)i));
	CHECK(wait_all(FLAGS->done, w, 1));
	for (unsigned i = 0; i < w; i++) {
		if (storm.err[i])
			return FAIL("worker %u: error %ld in round %lu", i, (long)storm.err[i],
				    FLAGS->count[i]);
		CHECK_EQ(FLAGS->count[i], STORM_ROUNDS);
		kill_thread(t[i]);
		CHECK_EQ(cap_delete(storm.ep[i]), 0);
	}
	CHECK_EQ(DATA[0], 41); /* every store went to a copy */
	CHECK_EQ(unmap_window(f, 2), 0);
	return 0;
}

const test_t tests_smp[] = {
    {"smp_affinity", test_smp_affinity},	 {"smp_parallel", test_smp_parallel},
    {"smp_cow_race", test_smp_cow_race},	 {"smp_fork_writer", test_smp_fork_writer},
    {"smp_unmap_writer", test_smp_unmap_writer}, {"smp_storm", test_smp_storm},
    {"smp_ipc_stays", test_smp_ipc_stays},	 {"smp_kept_moves", test_smp_kept_moves},
};
const int tests_smp_count = sizeof(tests_smp) / sizeof(tests_smp[0]);
