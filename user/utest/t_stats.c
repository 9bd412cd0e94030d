/*
 * Per-address-space and per-thread counters: ASPACE_STATS and
 * THREAD_STATS.
 *
 * Exact copy-on-write counts need stores that nothing else disturbs.  The
 * root clones its address space into a new one and runs there a thread
 * whose code is stats_storer below: a loop in assembly that touches no
 * stack and no data of its own, stores to the addresses the root's reply
 * names, and calls the root again.  Every store page fault in the clone
 * is then one the test asked for.  (The root's own stores after the clone
 * fault too, on its stack and data; its counters are not checked exactly.)
 */
#include "utest.h"

_Static_assert(SYS_CALL == 5, "stats_storer's ecall");

/*
 * stats_storer(ep): s2 = ep; loop: store each non-zero address in a2..a5
 * to itself, then SYS_CALL ep with an empty message; the reply's words
 * are the next addresses.
 */
void stats_storer(unsigned long ep);
__asm__(".pushsection .text\n"
	".balign 4\n"
	".globl stats_storer\n"
	"stats_storer:\n"
	"	mv s2, a0\n"
	"	li a2, 0\n"
	"	li a3, 0\n"
	"	li a4, 0\n"
	"	li a5, 0\n"
	"1:	beqz a2, 2f\n"
	"	sd a2, 0(a2)\n"
	"2:	beqz a3, 3f\n"
	"	sd a3, 0(a3)\n"
	"3:	beqz a4, 4f\n"
	"	sd a4, 0(a4)\n"
	"4:	beqz a5, 5f\n"
	"	sd a5, 0(a5)\n"
	"5:	mv a0, s2\n"
	"	li a1, 0\n"
	"	li a7, 5\n"
	"	ecall\n"
	"	j 1b\n"
	".popsection\n");

static long as_stats(unsigned long slot, aspace_stats_t *st)
{
	return INV1(slot, ASPACE_STATS, (unsigned long)st);
}

static long th_stats(unsigned long slot, thread_stats_t *st)
{
	return INV1(slot, THREAD_STATS, (unsigned long)st);
}

/* Reply to the storer with up to four addresses; receive its next call. */
static sysret_t store_round(unsigned long ep, unsigned long a, unsigned long b, unsigned long c,
			    unsigned long d)
{
	msg_t m = {MSG_INFO(0, 4), {a, b, c, d}, 0};
	return sys_reply_recv(ep, &m);
}

static int check_counts(const aspace_stats_t *s, unsigned long copies, unsigned long reuses,
			unsigned long zeros, unsigned long faults)
{
	CHECK_EQ(s->cow_copies, copies);
	CHECK_EQ(s->cow_reuses, reuses);
	CHECK_EQ(s->zero_fills, zeros);
	CHECK_EQ(s->faults_forwarded, faults);
	return 0;
}

/*
 * Clone: pages 0..3 are frames, 4..5 zero pages.  In the clone, stores to
 * pages 0 and 1 copy (the root still maps them), to 4 and 5 fill with
 * zeros; after the root unmaps pages 2 and 3, stores to them reuse the
 * frame.  A store to an unmapped page is a fault for the fault endpoint.
 */
static int test_stats_cow(void)
{
	long f, as, ep, t;
	aspace_stats_t root, s;
	thread_stats_t ts;
	sysret_t r;

	for (int i = 0; i < 4; i++) {
		CHECK_OK(f, frame_alloc_map(TWIN_VA(i), RIGHT_READ | RIGHT_WRITE));
		CHECK_EQ(cap_delete(f), 0); /* the mapping is the only reference */
	}
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP_ZERO, TWIN_VA(4), 2, RIGHT_READ | RIGHT_WRITE), 0);
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(as, obj_create(CAP_ASPACE, 0));
	CHECK_EQ(as_stats(as, &s), 0);
	CHECK_EQ(s.pages, 0);
	CHECK_EQ(s.page_tables, 0);
	CHECK_EQ(check_counts(&s, 0, 0, 0, 0), 0);

	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_CLONE, as, 0), 0);
	CHECK_EQ(as_stats(SLOT_ASPACE, &root), 0);
	CHECK_EQ(as_stats(as, &s), 0);
	CHECK_EQ(s.pages, root.pages); /* every leaf cloned, nothing else */
	CHECK_EQ(s.page_tables, root.page_tables);
	CHECK_EQ(check_counts(&s, 0, 0, 0, 0), 0);

	/* The storer in the clone, with ep as its fault endpoint too. */
	CHECK_OK(t, obj_create(CAP_THREAD, 0));
	CHECK_EQ(INV4(t, THREAD_CONFIGURE, as, SLOT_CSPACE, ep, 17), 0);
	CHECK_EQ(th_stats(t, &ts), 0);
	CHECK_EQ(ts.ipc_calls, 0);
	CHECK_EQ(ts.switches, 0);
	CHECK_EQ(INV3(t, THREAD_START, (unsigned long)stats_storer, 0, ep), 0);
	r = sys_recv(ep, 0); /* its first, empty call */
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(as_stats(as, &s), 0);
	CHECK_EQ(check_counts(&s, 0, 0, 0, 0), 0);

	r = store_round(ep, TWIN_VA(0), TWIN_VA(1), TWIN_VA(4), 0);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(MSG_LABEL(r.r[0]), 0);
	CHECK_EQ(as_stats(as, &s), 0);
	CHECK_EQ(check_counts(&s, 2, 0, 1, 0), 0);
	CHECK_EQ(s.pages, root.pages);

	/* The root lets go of pages 2 and 3: the clone holds the only reference. */
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(2)), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(3)), 0);
	CHECK_EQ(as_stats(SLOT_ASPACE, &s), 0);
	CHECK_EQ(s.pages, root.pages - 2);
	r = store_round(ep, TWIN_VA(2), TWIN_VA(3), TWIN_VA(5), TWIN_VA(0));
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(as_stats(as, &s), 0);
	CHECK_EQ(check_counts(&s, 2, 2, 2, 0), 0); /* page 0 is its own by now */

	/* An unmapped page: a fault message on ep instead of a call. */
	r = store_round(ep, TWIN_VA(20), 0, 0, 0);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(MSG_LABEL(r.r[0]), FAULT_LABEL);
	CHECK_EQ(as_stats(as, &s), 0);
	CHECK_EQ(check_counts(&s, 2, 2, 2, 1), 0);
	CHECK_EQ(s.pages, root.pages);
	CHECK_EQ(th_stats(t, &ts), 0);
	CHECK_EQ(ts.ipc_calls, 3); /* the first call and one per round */
	CHECK_EQ(ts.ipc_sends, 0);
	CHECK(ts.switches >= 3);

	kill_thread(t);
	CHECK_EQ(cap_delete(as), 0);
	CHECK_EQ(cap_delete(ep), 0);
	for (int i = 0; i < 6; i++)
		if (i != 2 && i != 3)
			CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(i)), 0);
	return 0;
}

/* pages and page_tables follow map, map-zero and unmap exactly. */
static int test_stats_pages(void)
{
	aspace_stats_t a, b;
	long f, as;

	CHECK_EQ(as_stats(SLOT_ASPACE, &a), 0);
	CHECK(a.pages > 16); /* program, stack, boot info, initrd */
	CHECK(a.page_tables >= 2);
	CHECK_OK(f, frame_alloc_map(TWIN_VA(0), RIGHT_READ));
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP_ZERO, TWIN_VA(1), 3, RIGHT_READ), 0);
	CHECK_EQ(as_stats(SLOT_ASPACE, &b), 0);
	CHECK_EQ(b.pages, a.pages + 4);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(i)), 0);
	CHECK_EQ(as_stats(SLOT_ASPACE, &b), 0);
	CHECK_EQ(b.pages, a.pages);

	/* A fresh address space: one leaf needs two tables below the root. */
	CHECK_OK(as, obj_create(CAP_ASPACE, 0));
	CHECK_EQ(INV3(as, ASPACE_MAP, f, TWIN_VA(0), RIGHT_READ), 0);
	CHECK_EQ(as_stats(as, &b), 0);
	CHECK_EQ(b.pages, 1);
	CHECK_EQ(b.page_tables, 2);
	CHECK_EQ(cap_delete(as), 0);
	CHECK_EQ(cap_delete(f), 0);
	return 0;
}

static volatile unsigned long srv_n;

/* Receive forever; answer calls (a send leaves nothing to answer). */
static void stats_server(unsigned long ep)
{
	msg_t m = {MSG_INFO(0, 0), {0}, 0};
	sysret_t r = sys_recv(ep, 0);

	while (r.r0 == 0) {
		srv_n++;
		r = sys_reply_recv(ep, &m);
	}
}

/* Calls and sends are counted for the thread that makes them. */
static int test_stats_thread(void)
{
	thread_stats_t a, b, sa, sb;
	msg_t m = {MSG_INFO(1, 1), {42}, 0};
	long ep, srv;

	srv_n = 0;
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(srv, spawn(stats_server, (unsigned long)ep, 0, 17, NO_FAULT_EP));
	CHECK_EQ(th_stats(SLOT_THREAD, &a), 0);
	CHECK_EQ(th_stats(srv, &sa), 0);
	CHECK(sa.switches >= 1);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(sys_call(ep, &m).r0, 0);
	for (int i = 0; i < 2; i++)
		CHECK_EQ(sys_send(ep, &m).r0, 0);
	/* Failed calls and sends count for nothing. */
	CHECK_EQ(sys_call(SLOT_POOL, &m).r0, E_TYPE);
	CHECK_EQ(sys_send(SLOT_POOL, &m).r0, E_TYPE);
	m.info = MSG_INFO(1, 5);
	CHECK_EQ(sys_call(ep, &m).r0, E_INVAL);
	CHECK_EQ(th_stats(SLOT_THREAD, &b), 0);
	CHECK_EQ(th_stats(srv, &sb), 0);
	CHECK_EQ(srv_n, 7);
	CHECK_EQ(b.ipc_calls, a.ipc_calls + 5);
	CHECK_EQ(b.ipc_sends, a.ipc_sends + 2);
	CHECK(b.switches >= a.switches + 5); /* back from the server each time */
	CHECK_EQ(sb.ipc_calls, sa.ipc_calls);
	CHECK_EQ(sb.ipc_sends, sa.ipc_sends);
	CHECK(sb.switches >= sa.switches + 7);
	kill_thread(srv);
	CHECK_EQ(cap_delete(ep), 0);
	return 0;
}

/* Bad buffers, missing READ, wrong types. */
static int test_stats_errors(void)
{
	static const unsigned long bad[] = {
	    0,
	    KERNEL_VA,
	    TWIN_VA(30),
	    USER_TOP - 8,
	    BOOTINFO_ADDR,  /* read-only */
	    TWIN_VA(1) - 8, /* straddles into an unmapped page */
	};
	aspace_stats_t as_st;
	thread_stats_t th_st;
	long f, wo, ro, two, ep;

	CHECK_OK(f, frame_alloc_map(TWIN_VA(0), RIGHT_READ | RIGHT_WRITE));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_STATS, bad[i]), E_FAULT);
		CHECK_EQ(INV1(SLOT_THREAD, THREAD_STATS, bad[i]), E_FAULT);
	}
	/* A buffer that ends where the mapped page ends is fine. */
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_STATS, TWIN_VA(1) - sizeof(as_st)), 0);
	CHECK_EQ(INV1(SLOT_THREAD, THREAD_STATS, TWIN_VA(1) - sizeof(th_st)), 0);
	CHECK_OK(wo, slot_alloc());
	CHECK_OK(ro, slot_alloc());
	CHECK_OK(two, slot_alloc());
	CHECK_EQ(cap_copy(SLOT_CSPACE, SLOT_ASPACE, wo, RIGHT_WRITE), 0);
	CHECK_EQ(cap_copy(SLOT_CSPACE, SLOT_ASPACE, ro, RIGHT_READ), 0);
	CHECK_EQ(cap_copy(SLOT_CSPACE, SLOT_THREAD, two, RIGHT_WRITE), 0);
	CHECK_EQ(as_stats(wo, &as_st), E_PERM);
	CHECK_EQ(as_stats(ro, &as_st), 0);
	CHECK_EQ(th_stats(two, &th_st), E_PERM);
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_EQ(as_stats(SLOT_THREAD, &as_st), E_NOSYS);
	CHECK_EQ(th_stats(SLOT_ASPACE, &th_st), E_NOSYS);
	CHECK_EQ(as_stats(ep, &as_st), E_NOSYS);
	CHECK_EQ(th_stats(SLOT_POOL, &th_st), E_NOSYS);
	CHECK_EQ(as_stats(SLOT_NULL, &as_st), E_BADCAP);
	CHECK_EQ(th_stats(ROOT_CSPACE_SLOTS, &th_st), E_BADCAP);
	cap_delete(ep);
	cap_delete(two);
	cap_delete(ro);
	cap_delete(wo);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0)), 0);
	CHECK_EQ(cap_delete(f), 0);
	return 0;
}

const test_t tests_stats[] = {
    {"stats_cow", test_stats_cow},
    {"stats_pages", test_stats_pages},
    {"stats_thread", test_stats_thread},
    {"stats_errors", test_stats_errors},
};
const int tests_stats_count = sizeof(tests_stats) / sizeof(tests_stats[0]);
