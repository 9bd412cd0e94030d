/*
 * Threads.
 *
 * A thread object holds the user registers (saved on every trap), its
 * scheduling state and priority, and references to its address space,
 * capability space and fault endpoint.  While BLOCKED it sits in exactly
 * one wait structure, named by ipc and wait_obj; thread_abort_ipc takes it
 * out of there.  A caller waiting for this thread's reply (reply_to) is
 * woken with E_NOENT if this thread goes away, and vice versa.
 *
 * SMP: whatever reads or changes the registers of a thread, or stops it,
 * first takes it off the hart it is current on (smp_evict); bindings
 * change only while it is suspended or inactive, so never under a
 * running thread.
 *
 * Locking: the big kernel lock in SMP mode; one hart with interrupts off
 * otherwise.
 */
#include <string.h>

#include <abi/error.h>
#include <abi/syscall.h>
#include <kern/assert.h>
#include <kern/console.h>
#include <kern/endpoint.h>
#include <kern/inject.h>
#include <kern/notification.h>
#include <kern/sched.h>
#include <kern/smp.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <kern/trace.h>
#include <kern/uaccess.h>

static uint64_t next_id = 1;

void tqueue_push(tqueue_t *q, thread_t *t)
{
	t->next = NULL;
	t->prev = q->tail;
	if (q->tail)
		q->tail->next = t;
	else
		q->head = t;
	q->tail = t;
}

void tqueue_remove(tqueue_t *q, thread_t *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		q->head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		q->tail = t->prev;
	t->next = t->prev = NULL;
}

thread_t *tqueue_pop(tqueue_t *q)
{
	thread_t *t = q->head;
	if (t)
		tqueue_remove(q, t);
	return t;
}

int thread_create(pool_t *pool, thread_t **out)
{
	kobj_t *o;
	int err = kobj_alloc(pool, CAP_THREAD, &o);
	if (err)
		return err;
	thread_t *t = (thread_t *)o;
	t->state = THREAD_INACTIVE;
	t->prio = 0;
	t->id = next_id++;
	tf_init_user(&t->tf, 0, 0, 0); /* WRITE_REGS + RESUME can start it */
	*out = t;
	return 0;
}

void thread_abort_ipc(thread_t *t, long err)
{
	if (t->state != THREAD_BLOCKED)
		return;
	switch (t->ipc) {
	case IPC_SEND:
	case IPC_CALL:
	case IPC_RECV: ep_dequeue(t->wait_obj, t); break;
	case IPC_REPLY:
		if (t->replier)
			t->replier->reply_to = NULL;
		t->replier = NULL;
		break;
	case IPC_NTFN: ntfn_dequeue(t->wait_obj, t); break;
	}
	if (t->msg_cap.type != CAP_NULL)
		cap_drop(&t->msg_cap);
	if (!t->fault)
		syscall_complete(t, err, NULL);
	t->fault = false;
	t->ipc = IPC_NONE;
	t->wait_obj = NULL;
}

static void unbind(thread_t *t)
{
	if (t->as)
		kobj_unref(&t->as->obj);
	if (t->cs)
		kobj_unref(&t->cs->obj);
	if (t->fault_ep)
		kobj_unref(&t->fault_ep->obj);
	t->as = NULL;
	t->cs = NULL;
	t->fault_ep = NULL;
}

void thread_destroy(thread_t *t)
{
	smp_evict(t); /* its hart must stop writing t->tf before it is freed */
	inject_thread_gone(t);
	if (TRACING())
		trace_thread_gone(t);
	thread_abort_ipc(t, E_NOENT);
	if (t->reply_to) {
		thread_t *c = t->reply_to;
		t->reply_to = NULL;
		c->replier = NULL;
		if (!c->fault)
			syscall_complete(c, E_NOENT, NULL);
		c->fault = false;
		sched_wake(c);
	}
	sched_remove(t);
	unbind(t);
}

void thread_configure(thread_t *t, aspace_t *as, cspace_t *cs, endpoint_t *fault_ep,
		      uint64_t fault_badge, unsigned prio)
{
	kobj_ref(&as->obj);
	kobj_ref(&cs->obj);
	if (fault_ep)
		kobj_ref(&fault_ep->obj);
	unbind(t);
	t->as = as;
	t->cs = cs;
	t->fault_ep = fault_ep;
	t->fault_badge = fault_badge;
	sched_set_priority(t, prio);
}

void thread_suspend(thread_t *t)
{
	smp_evict(t); /* stopped when this returns, its registers saved */
	thread_abort_ipc(t, E_AGAIN);
	sched_block(t, THREAD_SUSPENDED);
}

void thread_resume(thread_t *t)
{
	sched_wake(t);
}

static const char *const fault_names[] = {
    [FAULT_PAGE] = "page fault",
    [FAULT_ACCESS] = "access fault",
    [FAULT_ILLEGAL] = "illegal instruction",
    [FAULT_MISALIGNED] = "misaligned access",
    [FAULT_BREAKPOINT] = "breakpoint",
    [FAULT_SYSCALL] = "bad system call",
    [FAULT_OOM] = "out of memory",
};

void thread_set_faulted(thread_t *t, unsigned kind, uint64_t scause, uint64_t addr)
{
	kprintf(
	    "thread %lu: %s at pc %#lx, address %#lx (scause %#lx): no fault handler, stopped\n",
	    (unsigned long)t->id, kind < 8 && fault_names[kind] ? fault_names[kind] : "fault",
	    (unsigned long)tf_pc(&t->tf), (unsigned long)addr, (unsigned long)scause);
	sched_block(t, THREAD_FAULTED);
}

/* ------------------------------------------------------------ invocations */

static int decode_configure(thread_t *t, sysargs_t *a, aspace_t **as, cspace_t **cs, cap_t **fep)
{
	cap_t *c;
	int err;
	if (t->state != THREAD_INACTIVE && t->state != THREAD_SUSPENDED)
		return E_BUSY;
	if (a->arg[5] > PRIORITY_MAX)
		return E_INVAL;
	if ((err = cspace_lookup_typed(a->self->cs, a->arg[2], CAP_ASPACE, RIGHT_WRITE, &c)))
		return err;
	*as = (aspace_t *)c->obj;
	if ((err = cspace_lookup_typed(a->self->cs, a->arg[3], CAP_CSPACE, RIGHT_WRITE, &c)))
		return err;
	*cs = (cspace_t *)c->obj;
	*fep = NULL;
	if (a->arg[4] != (uint64_t)-1 &&
	    (err = cspace_lookup_typed(a->self->cs, a->arg[4], CAP_ENDPOINT, RIGHT_WRITE, fep)))
		return err;
	return 0;
}

static long thread_regs(thread_t *t, sysargs_t *a, bool write)
{
	uint64_t regs[32];
	int err;
	if (t != a->self)
		smp_evict(t); /* its registers, saved, not the ones of a trap ago */
	if (!write) {
		tf_to_regs(&t->tf, regs);
		return copyout(a->arg[2], regs, sizeof(regs));
	}
	if (t == a->self)
		return E_BUSY;
	if ((err = copyin(regs, a->arg[2], sizeof(regs))))
		return err;
	tf_from_regs(&t->tf, regs);
	return 0;
}

int invoke_thread(thread_t *t, const cap_t *c, sysargs_t *a)
{
	unsigned label = (unsigned)a->arg[1];
	bool reads = label == THREAD_READ_REGS || label == THREAD_INFO || label == THREAD_STATS;
	int err;

	if (label < THREAD_CONFIGURE || label > THREAD_SET_AFFINITY)
		return E_NOSYS;
	if (!(c->rights & (reads ? RIGHT_READ : RIGHT_WRITE)))
		return E_PERM;
	switch (label) {
	case THREAD_CONFIGURE: {
		aspace_t *as;
		cspace_t *cs;
		cap_t *fep;
		if ((err = decode_configure(t, a, &as, &cs, &fep)))
			return err;
		thread_configure(t, as, cs, fep ? (endpoint_t *)fep->obj : NULL,
				 fep ? fep->badge : 0, (unsigned)a->arg[5]);
		return 0;
	}
	case THREAD_START:
		if (!t->as || !t->cs)
			return E_INVAL;
		if (t->state != THREAD_INACTIVE)
			return E_BUSY;
		tf_init_user(&t->tf, a->arg[2], a->arg[3], a->arg[4]);
		sched_wake(t);
		return 0;
	case THREAD_SUSPEND:
		if (t->state == THREAD_INACTIVE)
			return E_BUSY; /* never started: nothing to suspend */
		thread_suspend(t);
		return 0;
	case THREAD_RESUME:
		/* INACTIVE: start it with the registers it has (WRITE_REGS). */
		if (t->state != THREAD_SUSPENDED && t->state != THREAD_FAULTED &&
		    t->state != THREAD_INACTIVE)
			return E_BUSY;
		if (!t->as || !t->cs)
			return E_INVAL; /* never configured */
		thread_resume(t);
		return 0;
	case THREAD_READ_REGS: return thread_regs(t, a, false);
	case THREAD_WRITE_REGS: return thread_regs(t, a, true);
	case THREAD_SET_PRIORITY:
		if (a->arg[2] > PRIORITY_MAX)
			return E_INVAL;
		sched_set_priority(t, (unsigned)a->arg[2]);
		return 0;
	case THREAD_INFO:
		a->out[0] = t->state;
		a->out[1] = t->prio;
		/* The hart it last ran on, -1: never ran (one hart: 0). */
		a->out[2] = smp_on()	     ? (uint64_t)t->last_cpu - 1
			    : t->switches_in ? 0
					     : (uint64_t)-1;
		return 0;
	case THREAD_SET_AFFINITY:
		/* a2 = mask of hart indexes (bit i: hart i), 0 = any hart. */
		if (a->arg[2] >> MAX_CPUS)
			return E_INVAL;
		if (a->arg[2] && !(a->arg[2] & ((1UL << arch_ncpus()) - 1)))
			return E_RANGE; /* no hart of the mask runs threads */
		t->affinity = (uint32_t)a->arg[2];
		if (t->on_cpu && t->affinity && !(t->affinity & CPU_BIT(t->on_cpu - 1))) {
			smp_evict(t);  /* off a hart it may no longer use */
			if (t->on_cpu) /* ourselves: the scheduler moves us */
				sched_yield();
		}
		return 0;
	case THREAD_STATS: {
		thread_stats_t st = {t->ipc_calls, t->ipc_sends, t->switches_in};
		return copyout(a->arg[2], &st, sizeof(st));
	}
	}
	return E_NOSYS;
}
