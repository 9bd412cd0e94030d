/*
 * libos: console output, exit, slot allocation and invocation helpers.
 *
 * State: one line buffer for uprintf and the bump pointer of the slot
 * allocator, both file-scope and unlocked (one printing, allocating thread
 * per program; see libos.h).  Everything else is a thin sequence of
 * invocations that undoes what it did when a later step fails.
 */
#include <stdint.h>

#include <abi/bootinfo.h>
#include <lib/fmt.h>
#include <libos.h>
#include <string.h>
#include <sys.h>

/* ---- console ---- */

#define LINE_MAX 256

static char line[LINE_MAX];
static size_t line_len;

void uflush(void)
{
	if (line_len > 0)
		sys_invoke(SLOT_DEBUG, DEBUG_PUTS, (unsigned long)line, line_len, 0, 0, 0);
	line_len = 0;
}

static void line_putc(void *ctx, char c)
{
	(void)ctx;
	line[line_len++] = c;
	if (c == '\n' || line_len == LINE_MAX)
		uflush();
}

int uvprintf(const char *fmt, va_list ap)
{
	return fmt_vformat(line_putc, NULL, fmt, ap);
}

int uprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = uvprintf(fmt, ap);
	va_end(ap);
	return n;
}

void sys_exit_from_main(void)
{
	uflush();
	/* The kernel notices the root thread stopping and ends the run.  A
	 * program without its own thread cap just gives the CPU away. */
	for (;;) {
		sys_invoke(SLOT_THREAD, THREAD_SUSPEND, 0, 0, 0, 0, 0);
		sys_yield();
	}
}

/* ---- slots ---- */

static unsigned long slot_next, slot_limit;

void slot_init(unsigned long first, unsigned long nslots)
{
	slot_next = first;
	slot_limit = nslots;
}

long slot_alloc(void)
{
	if (slot_next >= slot_limit)
		return E_NOSPC;
	return (long)slot_next++;
}

unsigned long slot_mark(void)
{
	return slot_next;
}

void slot_release(unsigned long mark)
{
	if (mark <= slot_next)
		slot_next = mark;
}

/* Give back slot if it is the last one handed out (undo on error paths). */
static void slot_unalloc(unsigned long slot)
{
	if (slot + 1 == slot_next)
		slot_next = slot;
}

/* ---- invocation wrappers ---- */

long cap_delete(unsigned long slot)
{
	return sys_invoke(SLOT_CSPACE, CSPACE_DELETE, slot, 0, 0, 0, 0).r0;
}

long cap_copy(unsigned long cspace, unsigned long src, unsigned long dst, unsigned long rights)
{
	return sys_invoke(cspace, CSPACE_COPY, src, dst, rights, 0, 0).r0;
}

long cap_mint(unsigned long cspace, unsigned long src, unsigned long dst, unsigned long rights,
	      unsigned long badge)
{
	return sys_invoke(cspace, CSPACE_MINT, src, dst, rights, badge, 0).r0;
}

long batch_run(batch_t *b, unsigned long flags)
{
	long e = E_NOSPC;

	if (!b->overflow)
		e = b->n ? sys_batch(b->op, b->n, flags).r0 : 0;
	b->n = 0;
	b->overflow = 0;
	return e;
}

long cap_type(unsigned long slot)
{
	sysret_t r = sys_invoke(SLOT_CSPACE, CSPACE_INFO, slot, 0, 0, 0, 0);

	return r.r0 < 0 ? r.r0 : (long)r.r[0];
}

long obj_create(unsigned long type, unsigned long arg)
{
	long slot = slot_alloc();
	long err;

	if (slot < 0)
		return slot;
	err = sys_invoke(SLOT_POOL, POOL_CREATE, type, (unsigned long)slot, arg, 0, 0).r0;
	if (err < 0) {
		slot_unalloc((unsigned long)slot);
		return err;
	}
	return slot;
}

long kstats(kstats_t *out)
{
	return sys_invoke(SLOT_DEBUG, DEBUG_STATS, (unsigned long)out, 0, 0, 0, 0).r0;
}

long frame_alloc_map(unsigned long vaddr, unsigned long rights)
{
	long slot = slot_alloc();
	long err;

	if (slot < 0)
		return slot;
	err = sys_invoke(SLOT_POOL, POOL_ALLOC_FRAME, (unsigned long)slot, 0, 0, 0, 0).r0;
	if (err < 0)
		goto out_slot;
	err = sys_invoke(SLOT_ASPACE, ASPACE_MAP, (unsigned long)slot, vaddr, rights, 0, 0).r0;
	if (err < 0)
		goto out_frame;
	return slot;

out_frame:
	cap_delete((unsigned long)slot);
out_slot:
	slot_unalloc((unsigned long)slot);
	return err;
}

/* ---- local threads ---- */

/* Written at the top of a local thread's stack by the creator. */
typedef struct thread_start {
	thread_fn_t fn;
	unsigned long arg;
	unsigned long self; /* the thread's own slot, to suspend itself */
	unsigned long pad;  /* keeps sp 16-byte aligned */
} thread_start_t;

static void thread_entry(thread_start_t *ts)
{
	ts->fn(ts->arg);
	for (;;)
		sys_invoke(ts->self, THREAD_SUSPEND, 0, 0, 0, 0, 0);
}

unsigned long spawn_affinity;

long thread_start_local(unsigned long thread, thread_fn_t fn, unsigned long arg, void *stack_top,
			unsigned prio, unsigned long fault_ep)
{
	thread_start_t *ts = (thread_start_t *)((uintptr_t)stack_top & ~15UL) - 1;
	long err;

	ts->fn = fn;
	ts->arg = arg;
	ts->self = thread;
	err = sys_invoke(thread, THREAD_CONFIGURE, SLOT_ASPACE, SLOT_CSPACE, fault_ep, prio, 0).r0;
	if (err < 0)
		return err;
	if (spawn_affinity &&
	    (err = sys_invoke(thread, THREAD_SET_AFFINITY, spawn_affinity, 0, 0, 0, 0).r0) < 0)
		return err;
	return sys_invoke(thread, THREAD_START, (unsigned long)thread_entry, (unsigned long)ts,
			  (unsigned long)ts, 0, 0)
	    .r0;
}

long thread_spawn_local_ep(thread_fn_t fn, unsigned long arg, void *stack_top, unsigned prio,
			   unsigned long fault_ep)
{
	long slot = obj_create(CAP_THREAD, 0);
	long err;

	if (slot < 0)
		return slot;
	err = thread_start_local((unsigned long)slot, fn, arg, stack_top, prio, fault_ep);
	if (err < 0) {
		cap_delete((unsigned long)slot);
		slot_unalloc((unsigned long)slot);
		return err;
	}
	return slot;
}

long thread_spawn_local(thread_fn_t fn, unsigned long arg, void *stack_top, unsigned prio)
{
	return thread_spawn_local_ep(fn, arg, stack_top, prio, NO_FAULT_EP);
}
