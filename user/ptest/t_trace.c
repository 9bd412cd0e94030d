/*
 * The kernel event trace (DEBUG_TRACE, abi/trace.h) as a program sees it:
 * a copy-on-write store in a child shows up as trap entry, fault, copy
 * and trap exit, in that order, of one thread, with the faulting address
 * and the pc; a system-call batch as one trap; errors for bad operations,
 * masks and buffers; the rings' frames come back (the runner's leak
 * check).
 */
#include <abi/trace.h>
#include <stdlib.h>

#include "ptest.h"

static long trace_op(unsigned long op, unsigned long a3, unsigned long a4)
{
	return sys_invoke(SLOT_DEBUG, DEBUG_TRACE, op, a3, a4, 0, 0).r0;
}

#define NEV 2048

static int t_trace_cow(void)
{
	trace_event_t *ev = malloc(NEV * sizeof(*ev));
	volatile uint8_t *buf = malloc(2 * PAGE);
	unsigned long page;
	long n = 0, r;
	int st, found = 0;
	pid_t pid;

	CHECK(ev != NULL && buf != NULL);
	memset(ev, 0, NEV * sizeof(*ev));
	buf[0] = buf[PAGE] = 1; /* private before the fork */
	page = ((unsigned long)buf + PAGE - 1) & ~(PAGE - 1);
	CHECK_EQ(trace_op(TRACE_START, TRACE_M_TRAP | TRACE_M_FAULT, 0), 0);
	pid = fork();
	if (pid == 0) {
		*(volatile uint8_t *)(page + 40) = 7; /* a copy-on-write copy */
		_exit(0);
	}
	st = wait_for(pid);
	CHECK_EQ(trace_op(TRACE_STOP, 0, 0), 0);
	while (n < NEV && (r = trace_op(TRACE_READ, (unsigned long)(ev + n), NEV - n)) > 0)
		n += r;
	CHECK_EQ(trace_op(TRACE_FREE, 0, 0), 0);
	CHECK_EQ(st, 0);
	CHECK(n > 4);
	for (long i = 0; i + 3 < n && !found; i++) {
		const trace_event_t *e = &ev[i];

		if (e[0].type != TRACE_TRAP_ENTER || e[0].a != 15)
			continue;
		if (e[1].type != TRACE_FAULT || e[1].a != page + 40)
			continue;
		CHECK_EQ(e[2].type, TRACE_COW_COPY);
		CHECK_EQ(e[2].a, page);
		CHECK(e[2].b != 0);
		CHECK_EQ(e[3].type, TRACE_TRAP_EXIT);
		CHECK_EQ(e[3].a, e[0].b); /* the store is retried */
		CHECK(e[1].tid == e[0].tid && e[2].tid == e[0].tid && e[3].tid == e[0].tid);
		CHECK(e[0].time <= e[1].time && e[1].time <= e[2].time && e[2].time <= e[3].time);
		found = 1;
	}
	CHECK(found);
	free(ev);
	return 0;
}

/* The events of one exchange from id to the thread it switches to. */
typedef struct hop {
	const trace_event_t *enter, *send, *recv, *sw, *exit;
} hop_t;

/* Find, from ev[*i] on, the next send by thread tid and the events up to
 * the exit into the thread it switched to. */
static int next_hop(const trace_event_t *ev, long n, long *i, unsigned long tid, hop_t *h)
{
	memset(h, 0, sizeof(*h));
	for (; *i < n; (*i)++) {
		const trace_event_t *e = &ev[*i];

		if (e->tid != tid && !h->sw)
			continue;
		if (e->type == TRACE_TRAP_ENTER)
			h->enter = e;
		else if (e->type == TRACE_IPC_SEND && h->enter)
			h->send = e;
		else if (e->type == TRACE_IPC_RECV && h->send)
			h->recv = e;
		else if (e->type == TRACE_SWITCH && h->recv)
			h->sw = e;
		else if (e->type == TRACE_TRAP_EXIT && h->sw) {
			h->exit = e;
			(*i)++;
			return 1;
		}
	}
	return 0;
}

/*
 * A getpid() is a call to procsrv and its reply, through the IPC fast
 * paths when they apply and the general path when not.  On every hart a
 * switch is recorded with the thread switched from and the next event
 * carries the thread switched to.  With one hart, the call itself: entry,
 * send, receive and switch with this thread, the exit with procsrv's
 * thread, and the reply comes back to this thread.
 */
static int t_trace_ipc(void)
{
	trace_event_t *ev = malloc(NEV * sizeof(*ev));
	unsigned long me, server, switches = 0;
	long n = 0, r, i = 0;
	kstats_t k;
	hop_t h;

	CHECK(ev != NULL);
	memset(ev, 0, NEV * sizeof(*ev));
	stats(&k);
	CHECK_EQ(trace_op(TRACE_START, TRACE_M_TRAP | TRACE_M_IPC | TRACE_M_SWITCH, 0), 0);
	CHECK(getpid() > 0);
	CHECK_EQ(trace_op(TRACE_STOP, 0, 0), 0);
	while (n < NEV && (r = trace_op(TRACE_READ, (unsigned long)(ev + n), NEV - n)) > 0)
		n += r;
	CHECK_EQ(trace_op(TRACE_FREE, 0, 0), 0);
	CHECK(n > 0);
	for (i = 0; i < n; i++) {
		if (ev[i].type != TRACE_SWITCH)
			continue;
		switches++;
		CHECK_EQ(ev[i].tid, (uint32_t)ev[i].b);
		for (r = i + 1; r < n && ev[r].hart != ev[i].hart; r++)
			;
		if (r < n)
			CHECK_EQ(ev[r].tid, (uint32_t)ev[i].a);
	}
	CHECK(switches >= 2);
	if (k.harts > 1)
		goto out;
	/* The first event is this thread entering the kernel for getpid. */
	CHECK_EQ(ev[0].type, TRACE_TRAP_ENTER);
	CHECK_EQ(ev[0].a, 8);
	me = ev[0].tid;
	i = 0;
	CHECK(next_hop(ev, n, &i, me, &h));
	CHECK_EQ(h.send->tid, me);
	CHECK_EQ(h.recv->tid, me);
	CHECK_EQ(h.sw->tid, me);
	CHECK_EQ(h.sw->b, me);
	server = h.sw->a;
	CHECK(server != me);
	CHECK_EQ(h.recv->a, server);
	CHECK_EQ(h.exit->tid, server);
	/* ... and procsrv's reply comes back, perhaps after calls of its
	 * own: the last exit is into this thread, from a switch to it. */
	for (r = n - 1; r >= 0 && ev[r].type != TRACE_TRAP_EXIT; r--)
		;
	CHECK(r > 0);
	CHECK_EQ(ev[r].tid, me);
	for (r--; r >= 0 && ev[r].type != TRACE_SWITCH; r--)
		;
	CHECK(r >= 0);
	CHECK_EQ(ev[r].a, me);
	CHECK(ev[r].tid != me);
out:
	free(ev);
	return 0;
}

/* Each of two children, one after the other (the second may be made
 * where the first was), has its events under its own thread id, also
 * when nothing else is recorded in between (the fault class alone). */
static int t_trace_tid_reuse(void)
{
	trace_event_t *ev = malloc(NEV * sizeof(*ev));
	unsigned long tid[2] = {0, 0};
	long n = 0, r;

	CHECK(ev != NULL);
	CHECK_EQ(trace_op(TRACE_START, TRACE_M_FAULT, 0), 0);
	for (int k = 0; k < 2; k++) {
		pid_t pid = fork();

		if (pid == 0) {
			/* A store fault at a page of its own: pc and address say
			 * which child it is. */
			*(volatile uint8_t *)(uintptr_t)(0x10 + k) = 1;
			_exit(1);
		}
		CHECK(wait_for(pid) != 0);
	}
	CHECK_EQ(trace_op(TRACE_STOP, 0, 0), 0);
	while (n < NEV && (r = trace_op(TRACE_READ, (unsigned long)(ev + n), NEV - n)) > 0)
		n += r;
	CHECK_EQ(trace_op(TRACE_FREE, 0, 0), 0);
	for (long i = 0; i < n; i++)
		if (ev[i].type == TRACE_FAULT && ev[i].a >= 0x10 && ev[i].a <= 0x11)
			tid[ev[i].a - 0x10] = ev[i].tid;
	CHECK(tid[0] != 0 && tid[1] != 0);
	CHECK(tid[0] != tid[1]);
	free(ev);
	return 0;
}

/* Out of memory at each frame TRACE_START allocates for the rings:
 * E_NOMEM, nothing recorded afterwards, every frame back (the runner's
 * leak check); then it starts. */
static int t_trace_oom(void)
{
	trace_event_t ev[4];
	long r = E_NOMEM;
	unsigned long n;

	CHECK_EQ(trace_op(TRACE_FREE, 0, 0), 0);
	for (n = 1; n < 1000 && r == E_NOMEM; n++) {
		CHECK_EQ(sys_invoke(SLOT_DEBUG, DEBUG_FAILNTH, n, FAILNTH_OWN, 0, 0, 0).r0, 0);
		r = trace_op(TRACE_START, TRACE_M_TRAP, 0);
		sys_invoke(SLOT_DEBUG, DEBUG_FAILNTH, 0, 0, 0, 0, 0);
		if (r == E_NOMEM) {
			sys_yield();
			CHECK_EQ(trace_op(TRACE_READ, (unsigned long)ev, 4), 0);
		}
	}
	CHECK_EQ(r, 0);
	CHECK(n > 16); /* at least a whole ring of 16 frames was walked */
	CHECK_EQ(trace_op(TRACE_FREE, 0, 0), 0);
	return 0;
}

static int t_trace_errors(void)
{
	trace_event_t ev[4];

	CHECK_EQ(trace_op(99, 0, 0), E_INVAL);
	CHECK_EQ(trace_op(TRACE_START, 0, 0), E_INVAL);
	CHECK_EQ(trace_op(TRACE_START, 1UL << 20, 0), E_INVAL);
	/* Reading a stopped, freed trace gives nothing. */
	CHECK_EQ(trace_op(TRACE_READ, (unsigned long)ev, 4), 0);
	CHECK_EQ(trace_op(TRACE_START, TRACE_M_TRAP, 0), 0);
	sys_yield();
	CHECK_EQ(trace_op(TRACE_STOP, 0, 0), 0);
	CHECK_EQ(trace_op(TRACE_READ, 0x10, 4), E_FAULT);
	CHECK_EQ(trace_op(TRACE_READ, 0xffffffc000000000UL, 4), E_FAULT);
	CHECK(trace_op(TRACE_READ, (unsigned long)ev, 4) > 0);
	CHECK_EQ(trace_op(TRACE_FREE, 0, 0), 0);
	CHECK_EQ(trace_op(TRACE_FREE, 0, 0), 0); /* twice is fine */
	return 0;
}

/* A ring that fills up keeps its first events and reports the rest as
 * lost.  (With several harts the thread may move between them: each
 * hart's ring keeps at most its size, and one overflowed whatever the
 * scheduler did, since more events were made than all rings hold.) */
static int t_trace_lost(void)
{
	static trace_event_t ev[64];
	unsigned long total = 0, lost = 0, per_hart[64] = {0}, most = 0, harts;
	kstats_t k;
	long r;

	stats(&k);
	harts = k.harts >= 1 ? k.harts : 1;
	CHECK_EQ(trace_op(TRACE_START, TRACE_M_TRAP, 0), 0);
	/* Two events each: more than all harts' rings hold together, so one
	 * of them overflows wherever the scheduler runs us. */
	for (unsigned long i = 0; i < (harts + 1) * TRACE_RING_EVENTS / 2 + 1; i++)
		sys_yield();
	CHECK_EQ(trace_op(TRACE_STOP, 0, 0), 0);
	while ((r = trace_op(TRACE_READ, (unsigned long)ev, 64)) > 0) {
		for (long i = 0; i < r; i++) {
			if (ev[i].type == TRACE_LOST) {
				lost += ev[i].a;
			} else {
				total++;
				CHECK(ev[i].hart < 64);
				per_hart[ev[i].hart]++;
			}
		}
	}
	CHECK_EQ(trace_op(TRACE_FREE, 0, 0), 0);
	for (int h = 0; h < 64; h++) {
		CHECK(per_hart[h] <= TRACE_RING_EVENTS);
		if (per_hart[h] > most)
			most = per_hart[h];
	}
	CHECK_EQ(most, TRACE_RING_EVENTS);
	CHECK(lost > 0);
	CHECK(total + lost >= (harts + 1) * TRACE_RING_EVENTS);
	return 0;
}

/*
 * A SYS_BATCH is one trap however many invocations it makes: with one
 * hart, the trace between start and stop is exactly its entry (ecall at
 * pc) and its exit (pc + 4).  A timer interrupt in between spoils a try;
 * up to five are made.
 */
static int t_trace_batch(void)
{
	static trace_event_t ev[16];
	kstats_t k, out;
	long n = 0, r;

	stats(&k);
	const invocation_t op[3] = {
	    {SLOT_ASPACE, ASPACE_QUERY, {0x1000, 0, 0, 0, 0}},
	    {SLOT_THREAD, THREAD_INFO, {0, 0, 0, 0, 0}},
	    {SLOT_DEBUG, DEBUG_STATS, {(unsigned long)&out, 0, 0, 0, 0}},
	};
	for (int tries = 0; tries < 5; tries++) {
		CHECK_EQ(trace_op(TRACE_START, TRACE_M_ALL, 0), 0);
		sysret_t b = sys_batch(op, 3, 0);
		CHECK_EQ(trace_op(TRACE_STOP, 0, 0), 0);
		n = 0;
		while (n < 16 && (r = trace_op(TRACE_READ, (unsigned long)(ev + n), 16 - n)) > 0)
			n += r;
		CHECK_EQ(trace_op(TRACE_FREE, 0, 0), 0);
		CHECK_EQ(b.r0, 0);
		CHECK_EQ(b.r[0], 3);
		CHECK_EQ(out.harts, k.harts); /* the third one ran */
		if (k.harts > 1)
			return 0; /* other harts' events mix in: the batch ran traced */
		if (n == 3 && ev[0].a == 8)
			break;
	}
	CHECK_EQ(n, 3); /* entry, exit, and the entry of TRACE_STOP */
	CHECK_EQ(ev[0].type, TRACE_TRAP_ENTER);
	CHECK_EQ(ev[0].a, 8);
	CHECK_EQ(ev[1].type, TRACE_TRAP_EXIT);
	CHECK_EQ(ev[1].a, ev[0].b + 4);
	CHECK_EQ(ev[1].tid, ev[0].tid);
	CHECK_EQ(ev[2].type, TRACE_TRAP_ENTER);
	return 0;
}

const test_t trace_tests[] = {
    {"trace-batch", t_trace_batch}, {"trace-cow", t_trace_cow},
    {"trace-ipc", t_trace_ipc},	    {"trace-tid-reuse", t_trace_tid_reuse},
    {"trace-oom", t_trace_oom},	    {"trace-errors", t_trace_errors},
    {"trace-lost", t_trace_lost},
};
const int ntrace_tests = sizeof(trace_tests) / sizeof(trace_tests[0]);
