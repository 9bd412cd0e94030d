/*
 * The scheduler: strict priorities, round-robin within a priority, time
 * slices of SCHED_SLICE_TICKS timer ticks.
 */
#pragma once

#include <arch/cpu.h>
#include <kern/thread.h>

#define SCHED_SLICE_TICKS 2
#define NPRIO		  (PRIORITY_MAX + 1)

/* The run queues: every RUNNABLE thread, FIFO per priority.  Private to
 * kern/sched.c and the IPC fast path (kern/fastpath.c). */
typedef struct runq {
	thread_t *head[NPRIO], *tail[NPRIO];
	uint32_t nonempty;	/* bit p: queue p has threads */
	unsigned long switches; /* context switches */
} runq_t;
extern runq_t runq;

/* The thread whose registers are in this_cpu()->cur_tf (may be blocked
 * by the syscall in progress), or NULL: per hart. */
static inline thread_t *sched_current(void)
{
	return this_cpu()->cur_thread;
}

static inline void sched_set_current(thread_t *t)
{
	this_cpu()->cur_thread = t;
}

/* Make t RUNNABLE and queue it at the tail of its priority. */
void sched_wake(thread_t *t);

/* Take t off the run queue, in state (BLOCKED, SUSPENDED, ...). */
void sched_block(thread_t *t, unsigned state);

/* Move the current thread to the tail of its priority. */
void sched_yield(void);

/* Change t's priority, requeueing it if runnable. */
void sched_set_priority(thread_t *t, unsigned prio);

/* Forget t (it is being destroyed). */
void sched_remove(thread_t *t);

unsigned long sched_context_switches(void);
