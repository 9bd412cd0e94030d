/*
 * Allocation-failure injection, for tests of every out-of-memory path
 * (DEBUG kernels only; the Makefile leaves this file out of release
 * builds and kern/inject.h turns the hooks into constants).
 *
 * DEBUG_FAILNTH arms a countdown: N - 1 more frame allocations succeed,
 * the Nth fails exactly as if RAM had run out.  The hooks sit where the
 * kernel decides whether memory can be had, so that a failure takes the
 * same path as a real shortage:
 *   - inject_take() in every allocation of one frame: pool_alloc_frame_fill
 *     (user frames, page tables, objects of a pool) and frame_alloc /
 *     frame_alloc_nozero (the kernel's own, charged to no pool);
 *   - inject_allow(n) in the checks that decode runs before a perform that
 *     cannot fail (pool_can_charge, kobj_can_alloc): "n more frames" fails
 *     when fewer than n are left before the failing one, so a perform never
 *     meets an injected failure its decode did not foresee.
 * After the failure the injector stays armed and every later allocation
 * in its scope fails too (memory stays full: the COW path retries a failed
 * copy once before it reports FAULT_OOM), unless FAILNTH_ONCE asked for a
 * single failure.  Frees give nothing back to the countdown.
 *
 * Scope: everything, or only allocations made for one thread: in its own
 * system calls and faults (FAILNTH_OWN), and/or by a thread that owes it
 * a reply (FAILNTH_SERVED: a server such as procsrv working on its call).
 * Aiming at a thread is what makes a walk over N deterministic: the
 * allocations of a fork request are procsrv's, made while it owes the
 * caller its reply, and the copy-on-write faults of the parent and child
 * afterwards are not counted.  The injector holds no reference: a thread
 * being destroyed disarms an injector aimed at it.
 *
 * Locking: none (one hart, interrupts off in the kernel).
 */
#include <abi/error.h>
#include <kern/cspace.h>
#include <kern/inject.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/thread.h>

#define FAILNTH_FLAGS (FAILNTH_OWN | FAILNTH_SERVED | FAILNTH_THREAD | FAILNTH_ONCE)

static struct {
	bool armed;
	unsigned flags;
	thread_t *target;	/* FAILNTH_OWN / FAILNTH_SERVED: whose */
	unsigned long left;	/* allocations that still succeed */
	unsigned long taken;	/* allocations counted since arming */
	unsigned long failures; /* failures injected since arming */
} inj;

/* Is the allocation being made now one the injector counts? */
static bool in_scope(void)
{
	thread_t *cur = sched_current();

	if (!(inj.flags & (FAILNTH_OWN | FAILNTH_SERVED)))
		return true;
	if (!cur)
		return false;
	if ((inj.flags & FAILNTH_OWN) && cur == inj.target)
		return true;
	return (inj.flags & FAILNTH_SERVED) && cur->reply_to == inj.target;
}

static void fail(void)
{
	inj.failures++;
	if (inj.flags & FAILNTH_ONCE)
		inj.armed = false;
}

bool inject_allow(size_t n)
{
	if (!inj.armed || !in_scope() || n <= inj.left)
		return true;
	fail();
	return false;
}

bool inject_take(void)
{
	if (!inj.armed || !in_scope())
		return true;
	if (inj.left == 0) {
		fail();
		return false;
	}
	inj.left--;
	inj.taken++;
	return true;
}

void inject_thread_gone(thread_t *t)
{
	if (inj.target == t) {
		inj.armed = false;
		inj.target = NULL;
	}
}

/*
 * a2 = N (0: disarm), a3 = FAILNTH_* flags, a4 = thread slot (with
 * FAILNTH_THREAD).  Reports the previous arming: out[0] = failures
 * injected, out[1] = allocations let through, out[2] = 1 if it was still
 * armed.  Decode everything first; a call that fails changes nothing.
 */
long inject_invoke(sysargs_t *a)
{
	uint64_t n = a->arg[2], flags = a->arg[3];
	thread_t *target = a->self;
	cap_t *c;

	if (flags & ~(uint64_t)FAILNTH_FLAGS)
		return E_INVAL;
	if ((flags & FAILNTH_THREAD) && !(flags & (FAILNTH_OWN | FAILNTH_SERVED)))
		return E_INVAL; /* a thread, but no say in what of it counts */
	if (n && (flags & FAILNTH_THREAD)) {
		int err = cspace_lookup_typed(a->self->cs, a->arg[4], CAP_THREAD, RIGHT_WRITE, &c);
		if (err)
			return err;
		target = (thread_t *)c->obj;
	}
	a->out[0] = inj.failures;
	a->out[1] = inj.taken;
	a->out[2] = inj.armed;
	inj.armed = n != 0;
	inj.flags = (unsigned)flags;
	inj.target = n && (flags & (FAILNTH_OWN | FAILNTH_SERVED)) ? target : NULL;
	inj.left = n ? n - 1 : 0;
	inj.taken = inj.failures = 0;
	return 0;
}
