/*
 * The kernel event trace: one ring of TRACE_RING_EVENTS events per hart,
 * in TRACE_RING_PAGES kernel frames allocated when tracing first starts
 * and given back by TRACE_FREE.
 *
 * A hart records only into its own ring, with interrupts off (the kernel
 * runs with them off), so recording takes no lock.  TRACE_READ drains the
 * rings of every hart, oldest first within each hart; each event carries
 * its hart and timebase time, so a reader can merge them.  A full ring
 * keeps its old events and counts the new ones it drops; the next read
 * reports them as one TRACE_LOST event.
 *
 * With more than one hart (issue 6) TRACE_READ, which drains every
 * hart's ring, and TRACE_FREE will need the rings' owners stopped or a
 * lock: today one hart runs the kernel and nothing races.
 *
 * Invariants: trace_mask != 0 only while every hart that runs the kernel
 * (arch_ncpus(); the idle secondary harts record nothing) has a ring;
 * 0 <= len <= TRACE_RING_EVENTS; the ring's frames are FRAME_KERNEL and
 * owned by nobody but this file.
 */
#include <abi/error.h>
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/csr.h>
#include <kern/frame.h>
#include <kern/sched.h>
#include <kern/smp.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <kern/trace.h>
#include <kern/uaccess.h>

#define EVENTS_PER_PAGE	 (PAGE_SIZE / sizeof(trace_event_t))
#define TRACE_RING_PAGES (TRACE_RING_EVENTS / EVENTS_PER_PAGE)
#define TRACE_READ_MAX	 4096

_Static_assert(TRACE_RING_EVENTS % EVENTS_PER_PAGE == 0, "whole pages");
_Static_assert(sizeof(trace_event_t) == 32, "trace_event_t is 32 bytes");

typedef struct ring {
	trace_event_t *page[TRACE_RING_PAGES]; /* direct-map addresses; NULL: not allocated */
	uint32_t head, len;		       /* events [head, head + len) mod TRACE_RING_EVENTS */
	uint64_t lost;
} ring_t;

uint32_t trace_mask;
static ring_t rings[MAX_CPUS];
static uint8_t fault_recorded[MAX_CPUS];

void trace_set_fault_recorded(void)
{
	fault_recorded[this_cpu()->index] = 1;
}

int trace_take_fault_recorded(void)
{
	int r = fault_recorded[this_cpu()->index];

	fault_recorded[this_cpu()->index] = 0;
	return r;
}

_Static_assert((TRACE_RING_EVENTS & (TRACE_RING_EVENTS - 1)) == 0 &&
		   (EVENTS_PER_PAGE & (EVENTS_PER_PAGE - 1)) == 0,
	       "powers of two: indexes are masks and shifts");

static trace_event_t *slot(ring_t *r, uint32_t i)
{
	return &r->page[i / EVENTS_PER_PAGE][i % EVENTS_PER_PAGE];
}

/* Kept short: it runs on every traced event (BENCHMARKS.md, the traced
 * fork row). */
void trace_record(unsigned type, uint64_t a, uint64_t b)
{
	cpu_t *c = this_cpu();
	ring_t *r = &rings[c->index];
	thread_t *t = sched_current();
	uint32_t len = r->len;
	trace_event_t *e;

	if (len == TRACE_RING_EVENTS) {
		r->lost++;
		return;
	}
	e = slot(r, (r->head + len) & (TRACE_RING_EVENTS - 1));
	r->len = len + 1;
	e->time = rdtime(); /* inline: arch_time() is a call */
	e->type = (uint16_t)type;
	e->hart = (uint16_t)c->index;
	e->tid = t ? (uint32_t)t->id : 0;
	e->a = a;
	e->b = b;
}

static void ring_free(ring_t *r)
{
	for (size_t i = 0; i < TRACE_RING_PAGES; i++) {
		if (r->page[i])
			frame_unref(kva2pa(r->page[i]));
		r->page[i] = NULL;
	}
	r->head = r->len = 0;
	r->lost = 0;
}

static int ring_alloc(ring_t *r)
{
	for (size_t i = 0; i < TRACE_RING_PAGES; i++) {
		paddr_t pa;

		if (r->page[i] != NULL)
			continue;
		if (frame_alloc(FRAME_KERNEL, &pa))
			return E_NOMEM;
		r->page[i] = pa2kva(pa);
	}
	return 0;
}

/* trace_mask, and the bytes the fast paths test (kern/smp.h). */
static void set_mask(uint32_t mask)
{
	trace_mask = mask;
	kern_slow_update(mask);
}

static long trace_start(uint64_t mask)
{
	if (mask == 0 || (mask & ~(uint64_t)TRACE_M_ALL))
		return E_INVAL;
	for (unsigned i = 0; i < arch_ncpus(); i++) {
		if (ring_alloc(&rings[i])) {
			for (unsigned j = 0; j <= i; j++)
				ring_free(&rings[j]);
			return E_NOMEM;
		}
	}
	set_mask((uint32_t)mask);
	return 0;
}

/* Copy out up to max events, oldest first, hart by hart. */
static long trace_read(uaddr_t buf, uint64_t max)
{
	uint64_t n = 0;

	if (max > TRACE_READ_MAX)
		max = TRACE_READ_MAX;
	for (unsigned i = 0; i < arch_ncpus() && n < max; i++) {
		ring_t *r = &rings[i];

		if (r->lost > 0) {
			trace_event_t lost = {.time = arch_time(),
					      .type = TRACE_LOST,
					      .hart = (uint16_t)i,
					      .a = r->lost};
			int err = copyout(buf + n * sizeof(lost), &lost, sizeof(lost));

			if (err)
				return n ? (long)n : err;
			r->lost = 0;
			n++;
		}
		while (r->len > 0 && n < max) {
			int err = copyout(buf + n * sizeof(trace_event_t), slot(r, r->head),
					  sizeof(trace_event_t));

			if (err)
				return n ? (long)n : err;
			r->head = (r->head + 1) & (TRACE_RING_EVENTS - 1);
			r->len--;
			n++;
		}
	}
	return (long)n;
}

long trace_invoke(sysargs_t *a)
{
	switch (a->arg[2]) {
	case TRACE_START: return trace_start(a->arg[3]);
	case TRACE_STOP: set_mask(0); return 0;
	case TRACE_READ: return trace_read(a->arg[3], a->arg[4]);
	case TRACE_FREE:
		set_mask(0);
		for (unsigned i = 0; i < MAX_CPUS; i++)
			ring_free(&rings[i]);
		return 0;
	}
	return E_INVAL;
}
