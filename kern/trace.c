/*
 * The kernel event trace: one ring of TRACE_RING_EVENTS events per hart,
 * in TRACE_RING_PAGES kernel frames allocated when tracing first starts
 * and given back by TRACE_FREE.
 *
 * A hart records only into its own ring, with interrupts off (the kernel
 * runs with them off) and, with several harts, under the big lock, so
 * recording takes no lock of its own and TRACE_READ, on any hart, may
 * drain every hart's ring.  Each event carries its hart and timebase
 * time, so a reader can merge them.  A full ring keeps its old events and
 * counts the new ones it drops; the next read reports them as one
 * TRACE_LOST event.
 *
 * Recording is inline at each hook (trace_emit in kern/trace.h): the hart
 * writes at cpu_t.trace_next until trace_stop, the end of the ring's page
 * or the slot that would make the ring full, whichever comes first, with
 * no other test.  There trace_emit_slow counts what was written into the
 * ring (sync) and opens the next stretch (arm), or drops the event.  The
 * word with the event's hart and thread id (the tag) is kept in cpu_t for
 * the thread trace_tagged and made again when another thread runs;
 * thread_destroy forgets it (trace_thread_gone), since a new thread may
 * take the same address.
 *
 * Invariants: trace_mask != 0 only while every hart that runs the kernel
 * (arch_ncpus(); the idle secondary harts record nothing) has a ring and
 * an armed stretch; for each hart, ring.len plus the events written since
 * ring.seg (trace_next - seg) never exceeds TRACE_RING_EVENTS, and
 * [seg, trace_stop) lies in one page of the ring; while a hart's
 * trace_tagged is a thread, that thread is alive and the hart's trace_tag
 * carries its id; the ring's frames are FRAME_KERNEL and owned by nobody
 * but this file.
 */
#include <abi/error.h>
#include <arch/arch.h>
#include <arch/cpu.h>
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
/* trace_emit writes type, hart and tid as one little-endian word. */
_Static_assert(sizeof(struct trace_slot) == sizeof(trace_event_t) &&
		   __builtin_offsetof(trace_event_t, type) == 8 &&
		   __builtin_offsetof(trace_event_t, hart) == 10 &&
		   __builtin_offsetof(trace_event_t, tid) == 12 &&
		   __builtin_offsetof(trace_event_t, a) == 16 &&
		   __builtin_offsetof(trace_event_t, b) == 24,
	       "struct trace_slot is trace_event_t");
_Static_assert(TRACE_NTYPES <= 0x10000, "a type fits the tag's low 16 bits");

typedef struct ring {
	struct trace_slot *page[TRACE_RING_PAGES]; /* direct-map addresses; NULL: not allocated */
	uint32_t head, len;	/* events [head, head + len) mod TRACE_RING_EVENTS ... */
	struct trace_slot *seg; /* ... and those in [seg, cpu's trace_next) after them */
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

static struct trace_slot *slot(ring_t *r, uint32_t i)
{
	return &r->page[i / EVENTS_PER_PAGE][i % EVENTS_PER_PAGE];
}

/* Count the events hart c wrote since the stretch began into r->len. */
static void ring_sync(ring_t *r, cpu_t *c)
{
	if (r->seg) {
		r->len += (uint32_t)(c->trace_next - r->seg);
		r->seg = c->trace_next;
	}
}

/* Open the stretch hart c writes next: from the slot after the last event
 * to the end of its page, or fewer if the ring would be full; none (an
 * empty stretch: every event goes to trace_emit_slow) if it is full or
 * not allocated. */
static void ring_arm(ring_t *r, cpu_t *c)
{
	uint32_t w = (r->head + r->len) & (TRACE_RING_EVENTS - 1);
	uint32_t n = (uint32_t)(EVENTS_PER_PAGE - w % EVENTS_PER_PAGE);

	if (r->page[0] == NULL || r->len == TRACE_RING_EVENTS) {
		r->seg = NULL;
		c->trace_next = c->trace_stop = NULL;
		return;
	}
	if (n > TRACE_RING_EVENTS - r->len)
		n = TRACE_RING_EVENTS - r->len;
	r->seg = slot(r, w);
	c->trace_next = r->seg;
	c->trace_stop = r->seg + n;
}

void trace_emit_slow(unsigned type, uint64_t a, uint64_t b)
{
	cpu_t *c = this_cpu();
	ring_t *r = &rings[c->index];
	const thread_t *t = c->cur_thread;

	if (c->trace_tagged != t)
		trace_retag(c, t, t ? t->id : 0);
	if (c->trace_next == c->trace_stop) {
		ring_sync(r, c);
		ring_arm(r, c);
		if (c->trace_next == c->trace_stop) {
			r->lost++;
			return;
		}
	}
	trace_emit(type, a, b);
}

void trace_thread_gone(const void *t)
{
	for (unsigned i = 0; i < arch_ncpus(); i++) {
		cpu_t *c = cpu_get(i);

		if (c->trace_tagged == t)
			c->trace_tagged = TRACE_UNTAGGED;
	}
}

/* Give r's frames back; hart c has nowhere to write. */
static void ring_free(ring_t *r, cpu_t *c)
{
	for (size_t i = 0; i < TRACE_RING_PAGES; i++) {
		if (r->page[i])
			frame_unref(kva2pa(r->page[i]));
		r->page[i] = NULL;
	}
	r->head = r->len = 0;
	r->seg = NULL;
	r->lost = 0;
	c->trace_next = c->trace_stop = NULL;
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
			/* Stopped and freed, as TRACE_FREE leaves it: no hart
			 * may record without a ring. */
			set_mask(0);
			for (unsigned j = 0; j < MAX_CPUS; j++)
				ring_free(&rings[j], cpu_get(j));
			return E_NOMEM;
		}
	}
	/* Threads destroyed while tracing was off did not untag. */
	for (unsigned i = 0; i < arch_ncpus(); i++) {
		cpu_t *c = cpu_get(i);

		ring_sync(&rings[i], c);
		ring_arm(&rings[i], c);
		c->trace_tagged = TRACE_UNTAGGED;
	}
	set_mask((uint32_t)mask);
	return 0;
}

/* Copy out up to max events, oldest first, hart by hart.  A copyout may
 * record events of its own (a copy-on-write fault in buf) into this
 * hart's ring: they are counted when the ring is synced again. */
static long trace_read(uaddr_t buf, uint64_t max)
{
	uint64_t n = 0;
	int err = 0;

	if (max > TRACE_READ_MAX)
		max = TRACE_READ_MAX;
	for (unsigned i = 0; i < arch_ncpus() && n < max && !err; i++) {
		ring_t *r = &rings[i];
		cpu_t *c = cpu_get(i);

		ring_sync(r, c);
		if (r->lost > 0) {
			trace_event_t lost = {.time = arch_time(),
					      .type = TRACE_LOST,
					      .hart = (uint16_t)i,
					      .a = r->lost};

			err = copyout(buf + n * sizeof(lost), &lost, sizeof(lost));
			if (!err) {
				r->lost = 0;
				n++;
			}
		}
		while (!err && r->len > 0 && n < max) {
			err = copyout(buf + n * sizeof(trace_event_t), slot(r, r->head),
				      sizeof(trace_event_t));
			if (!err) {
				r->head = (r->head + 1) & (TRACE_RING_EVENTS - 1);
				r->len--;
				n++;
			}
			ring_sync(r, c);
		}
		ring_sync(r, c);
		ring_arm(r, c);
	}
	return n ? (long)n : err;
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
			ring_free(&rings[i], cpu_get(i));
		return 0;
	}
	return E_INVAL;
}
