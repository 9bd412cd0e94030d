/*
 * The scheduler.
 *
 * Every RUNNABLE thread is on the run queue of its priority (the running
 * one included, at the head); kern_return_to_user runs the head of the
 * highest non-empty queue.  A timer tick uses up the running thread's
 * slice; at the end of it the thread goes to the tail of its queue.  When
 * nothing is runnable the hart waits in wfi with interrupts on.
 *
 * The kernel has one stack per hart and is not preemptible: a system call
 * that blocks just leaves its thread off the run queue and the hart
 * returns to whatever thread is chosen next.
 *
 * With several harts (kern/smp.h) the run queues are shared: a hart runs
 * the first thread, highest priority first, that is not current on
 * another hart and whose affinity allows this hart (pick).  A thread
 * made runnable wakes an idle hart with an IPI, unless a system call made
 * it runnable and this hart will run it next (smp_wake_idle's keep_one);
 * an idle hart has no current thread and the kernel's page table in satp.
 *
 * Locking: the big kernel lock in SMP mode (kern/smp.c); one hart runs
 * with interrupts off in the kernel otherwise.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <kern/assert.h>
#include <kern/root.h>
#include <kern/sched.h>
#include <kern/smp.h>
#include <kern/trace.h>
#include <kern/trapentry.h>

runq_t runq;
#define current	 (this_cpu()->cur_thread) /* per hart */
#define head	 runq.head
#define tail	 runq.tail
#define nonempty runq.nonempty
#define switches runq.switches

static inline __attribute__((always_inline)) void runq_push(thread_t *t)
{
	assert(!t->in_runq);
	unsigned p = t->prio;
	t->next = NULL;
	t->prev = tail[p];
	if (tail[p])
		tail[p]->next = t;
	else
		head[p] = t;
	tail[p] = t;
	nonempty |= 1u << p;
	t->in_runq = 1;
}

static void runq_remove(thread_t *t)
{
	if (!t->in_runq)
		return;
	unsigned p = t->prio;
	if (t->prev)
		t->prev->next = t->next;
	else
		head[p] = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		tail[p] = t->prev;
	if (!head[p])
		nonempty &= ~(1u << p);
	t->next = t->prev = NULL;
	t->in_runq = 0;
}

void sched_wake(thread_t *t)
{
	t->state = THREAD_RUNNABLE;
	t->ipc = IPC_NONE;
	t->wait_obj = NULL;
	if (!t->in_runq)
		runq_push(t); /* SMP: smp_wake_idle finds it before the unlock */
}

void sched_block(thread_t *t, unsigned state)
{
	runq_remove(t);
	t->state = (uint8_t)state;
}

void sched_yield(void)
{
	if (current && current->in_runq) {
		runq_remove(current);
		runq_push(current);
	}
}

void sched_set_priority(thread_t *t, unsigned prio)
{
	bool queued = t->in_runq;
	runq_remove(t);
	t->prio = (uint8_t)prio;
	if (queued)
		runq_push(t);
}

void sched_remove(thread_t *t)
{
	runq_remove(t);
	if (current == t) {
		current = NULL;
		this_cpu()->cur_tf = NULL;
		t->on_cpu = 0;
	}
}

unsigned long sched_context_switches(void)
{
	return switches;
}

void kern_timer_tick(void)
{
	if (!current || !current->in_runq)
		return;
	if (current->slice > 1) {
		current->slice--;
		return;
	}
	current->slice = SCHED_SLICE_TICKS;
	sched_yield();
}

/* The highest priority with a runnable thread (nonempty != 0). */
static unsigned highest(uint32_t bits)
{
	unsigned p = 0;
	if (bits >> 16) {
		bits >>= 16;
		p += 16;
	}
	if (bits >> 8) {
		bits >>= 8;
		p += 8;
	}
	if (bits >> 4) {
		bits >>= 4;
		p += 4;
	}
	if (bits >> 2) {
		bits >>= 2;
		p += 2;
	}
	if (bits >> 1) {
		p += 1;
	}
	return p;
}

/* SMP: the thread hart cpu should run, or NULL. */
static __attribute__((noinline)) thread_t *pick(unsigned cpu)
{
	uint32_t bits = nonempty;

	while (bits) {
		unsigned p = highest(bits);

		for (thread_t *t = head[p]; t; t = t->next)
			if ((t->on_cpu == 0 || t->on_cpu == cpu + 1) &&
			    (t->affinity == 0 || (t->affinity & CPU_BIT(cpu))))
				return t;
		bits &= ~(1u << p);
	}
	return NULL;
}

bool kern_resume_current_smp(void)
{
	thread_t *c = current;
	if (c && c->in_runq && pick(this_cpu()->index) == c) {
		smp_wake_idle(this_cpu()->smp_keep); /* for what this hart leaves runnable */
		return true;
	}
	return false;
}

/* One hart (SMP mode: kern_resume_current_smp). */
bool kern_resume_current(void)
{
	thread_t *c = current;
	return c && c->in_runq && head[c->prio] == c && (nonempty >> c->prio) == 1;
}

/* kern_return_to_user with several harts: pick, or idle without a
 * current thread or an address space; the big lock is held until the
 * last moment. */
static __attribute__((noreturn, noinline)) void return_to_user_smp(void)
{
	cpu_t *c = this_cpu();

	for (;;) {
		thread_t *t = pick(c->index);

		if (t) {
			if (t != current) {
				if (TRACING())
					trace_switch(c, t, t->id, current ? current->id : 0);
				if (current)
					current->on_cpu = 0;
				switches++;
				t->switches_in++;
				current = t;
				t->on_cpu = t->last_cpu = c->index + 1;
				t->slice = SCHED_SLICE_TICKS;
			}
			TRACE(TRACE_M_TRAP, TRACE_TRAP_EXIT, t->tf.sepc, 0);
			aspace_switch(t->as);
			c->cur_tf = &t->tf;
			smp_wake_idle(c->smp_keep); /* for the runnable threads left */
			big_unlock();
			arch_user_return(&t->tf);
		}
		if (current) {
			current->on_cpu = 0;
			current = NULL;
			c->cur_tf = NULL;
		}
		aspace_deactivate();
		smp_wake_idle(false); /* a thread this hart may not run (affinity) */
		root_check_finished();
		smp_idle();
	}
}

void kern_return_to_user(void)
{
	if (smp_on())
		return_to_user_smp();
	for (;;) {
		if (nonempty) {
			thread_t *t = head[highest(nonempty)];
			if (t != current) {
				if (TRACING())
					trace_switch(this_cpu(), t, t->id,
						     current ? current->id : 0);
				switches++;
				t->switches_in++;
				current = t;
				t->slice = SCHED_SLICE_TICKS;
			}
			TRACE(TRACE_M_TRAP, TRACE_TRAP_EXIT, t->tf.sepc, 0);
			aspace_activate(t->as);
			this_cpu()->cur_tf = &t->tf;
			arch_user_return(&t->tf);
		}
		root_check_finished();
		arch_wait_for_interrupt();
	}
}
